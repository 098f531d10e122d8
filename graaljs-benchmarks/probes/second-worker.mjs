// Start-up probe (graaljs-benchmarks/README.md "Start-up: a spare worker realm"): a first worker, then,
// 0.3 s after it answered, a second one; prints each `new Worker` to its first message. In entangle-js the
// second finds the spare realm made while the first ran.
const one = (t0) => new Promise((resolve) => {
  const w = new Worker('./ready-worker.mjs', { type: 'module' });
  w.onmessage = () => { resolve(performance.now() - t0); w.terminate(); };
});
const first = await one(performance.now());
await new Promise((r) => setTimeout(r, 300)); // the script doing other work
const second = await one(performance.now());
console.log(JSON.stringify({ case: 'secondWorker', workerMs: second, firstMs: first }));
