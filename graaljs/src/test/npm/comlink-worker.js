// The worker side of comlink-main.mjs: Comlink's UMD build loaded with importScripts.
importScripts('./node_modules/comlink/dist/umd/comlink.js');

class Counter {
  constructor() { this.value = 0; }
  inc() { this.value++; }
}
Comlink.expose({
  sum: (a, b) => a + b,
  Counter,
  callTwice: async (f) => (await f(1)) + (await f(2)),
});
