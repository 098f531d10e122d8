// Start-up: prints one line once the first message of a new worker arrived, then exits.
// run.py times process start to that line; the line carries `new Worker` to first message.
import { now, newWorker, onceFromWorker, runtime } from './adapter.mjs';

const t0 = now();
const w = newWorker('start-worker.mjs');
onceFromWorker(w, (data) => {
  const ms = now() - t0;
  console.log(JSON.stringify({ case: 'firstMessage', runtime, workerMs: ms, data }));
  w.terminate();
});
