// The cases of the peer benchmark, the same JavaScript in every runtime (adapter.mjs holds the only
// differences). run.py calls main() through a generated .run.mjs; each case prints one JSON line.
//
// Each case is a function run(n) doing n operations and resolving when they are done (optionally with
// the milliseconds to count, if only part of the work is timed). A case first runs once with n = 1
// (`cold`: the first operation of the process), then warms up for warmupMs, doubling n until one batch
// takes >= minBatchMs, then measures batches of that n for measureMs: the result is the median batch's
// time per operation.
import { newWorker, now, runtime } from './adapter.mjs';

const small = () => ({ id: 1, name: 'ping', ok: true, xs: [1, 2, 3] });
// 1 root + 1 array + 16 x (user, tags array, address) = 50 objects and arrays (JsCloneBenchmark's nestedGraph)
const graph = () => ({ kind: 'users', users: Array.from({ length: 16 }, (_, i) => ({ id: i, name: 'user' + i,
  tags: ['a', 'b'], address: { city: 'city' + i, zip: 1000 + i } })) });

/** Round trips on `port`, whose other end echoes: resolves after n replies. */
function pingPong(port, message, transferred) {
  return (n) => new Promise((resolve) => {
    let left = n;
    let m = message;
    port.onmessage = (e) => {
      if (--left === 0) {
        if (transferred) message = e.data; // the buffer came back: send it again next batch
        resolve();
      } else {
        m = transferred ? e.data : m;
        port.postMessage(m, transferred ? [m] : []);
      }
    };
    m = message;
    port.postMessage(m, transferred ? [m] : []);
  });
}

/** Waits until the sink at the other end of `port` has counted everything posted so far. */
function sync(port) {
  return new Promise((resolve) => {
    port.onmessage = () => resolve();
    port.postMessage('sync');
  });
}

function makeCases(worker) {
  const local = new MessageChannel();
  local.port2.onmessage = (e) => local.port2.postMessage(e.data);
  const echo = new MessageChannel();
  const burst = new MessageChannel();
  const calls = new MessageChannel();
  const buffer = new MessageChannel();
  worker.postMessage([
    { port: echo.port2, mode: 'echo' },
    { port: burst.port2, mode: 'sink' },
    { port: calls.port2, mode: 'sink' },
    { port: buffer.port2, mode: 'echo' },
  ], [echo.port2, burst.port2, calls.port2, buffer.port2]);
  const text = 'abcdefghijklmnop'; // 16 chars
  const g = graph();
  let bytes = new ArrayBuffer(1 << 20);
  new Uint8Array(bytes).fill(7);
  const bufferPingPong = (n) => new Promise((resolve) => {
    let left = n;
    buffer.port1.onmessage = (e) => {
      bytes = e.data;
      if (--left === 0) resolve(); else buffer.port1.postMessage(bytes, [bytes]);
    };
    buffer.port1.postMessage(bytes, [bytes]);
  });
  const ports = [local.port1, local.port2, echo.port1, burst.port1, calls.port1, buffer.port1];
  return [ports, [
    ['channelPingPong', 'us/roundtrip', pingPong(local.port1, small(), false)],
    ['workerPingPong', 'us/roundtrip', pingPong(echo.port1, small(), false)],
    ['workerBurst', 'msg/s', async (n) => {
      const t = now();
      for (let i = 0; i < n; i++) burst.port1.postMessage(small());
      await sync(burst.port1);
      return now() - t;
    }],
    ['postMessageCall', 'us/call', async (n) => {
      const t = now();
      for (let i = 0; i < n; i++) calls.port1.postMessage(text);
      const ms = now() - t; // the sender's side only; the sync below is not counted
      await sync(calls.port1);
      return ms;
    }],
    ['buffer1MiBRoundTrip', 'us/roundtrip', bufferPingPong],
    ['structuredCloneGraph50', 'us/call', async (n) => {
      let x;
      for (let i = 0; i < n; i++) x = structuredClone(g);
      if (x.users.length !== 16) throw new Error('bad clone');
    }],
  ]];
}

async function timed(run, n) {
  const t = now();
  const counted = await run(n);
  return typeof counted === 'number' ? counted : now() - t;
}

export async function main({ warmupMs, measureMs, minBatchMs, only }) {
  const worker = newWorker('worker.mjs');
  const [ports, cases] = makeCases(worker);
  for (const [name, unit, run] of cases) {
    if (only && !only.includes(name)) continue;
    const cold = await timed(run, 1);
    let n = 1;
    const warmEnd = now() + warmupMs;
    let ms;
    do {
      ms = await timed(run, n);
      if (ms < minBatchMs) n *= 2;
    } while (now() < warmEnd || ms < minBatchMs);
    const perOp = [];
    const end = now() + measureMs;
    do {
      perOp.push((await timed(run, n)) / n);
    } while (now() < end || perOp.length < 3);
    perOp.sort((a, b) => a - b);
    const median = perOp[perOp.length >> 1];
    const value = unit === 'msg/s' ? 1000 / median : median * 1000;
    const coldValue = unit === 'msg/s' ? 1000 / cold : cold * 1000;
    console.log(JSON.stringify({ case: name, runtime, unit, value, cold: coldValue, n, batches: perOp.length }));
  }
  worker.terminate();
  for (const port of ports) port.close(); // an open port with a listener keeps Node, Deno and Bun running
}
