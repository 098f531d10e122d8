// The worker side of workerpool-main.mjs: workerpool's UMD build loaded with importScripts.
importScripts('./node_modules/workerpool/dist/workerpool.js');

function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}
workerpool.worker({
  fib,
  fails: () => { throw new Error('failed on purpose'); },
});
