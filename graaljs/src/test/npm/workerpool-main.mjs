// workerpool 10.0.3 (unmodified, from npm) in its browser mode: a pool of Web Workers running a
// worker script (workerpool-worker.js). Its inline-function mode needs `window`, which this main realm,
// being no Window (as Deno's and Bun's are not), does not have. Prints one line per result.
import './node_modules/workerpool/dist/workerpool.js';

const workerpool = globalThis.workerpool;
console.log(`platform ${workerpool.platform} cpus ${workerpool.cpus}`);
const pool = workerpool.pool(new URL('./workerpool-worker.js', import.meta.url).href, { maxWorkers: 2 });
const results = await Promise.all([10, 15, 20].map((n) => pool.exec('fib', [n])));
console.log(`fib ${results.join(',')}`);
try {
  await pool.exec('fails', []);
} catch (e) {
  console.log(`error ${e.message}`);
}
const proxy = await pool.proxy();
console.log(`proxy ${await proxy.fib(12)}`);
await pool.terminate();
console.log('terminated');
