// The JavaScript demo: java -jar graaljs/target/entangle-js.jar graaljs/examples/pipeline.js
//
// Three realms, each a GraalJS context on its own entangle event loop and thread: this script, and
// two workers joined by a MessageChannel whose ports this script hands to them. Numbers flow
// main -> square -> sum -> main without passing back through main; a 1 MiB ArrayBuffer is
// transferred (detached here, no copy on the receiving side).
const square = new Worker('./square-worker.js', { name: 'square' });
const sum = new Worker('./sum-worker.js', { name: 'sum' });

const { port1, port2 } = new MessageChannel();
square.postMessage({ connect: 'downstream' }, [port1]); // square writes into port1 ...
sum.postMessage({ connect: 'upstream' }, [port2]);      // ... and sum reads from port2

const trace = (line) => console.log(`[main] ${line}`);
let exited = 0;
sum.onmessage = ({ data }) => {
  if (data.total !== undefined) {
    trace(`sum of squares 1..10 = ${data.total} (expected 385)`);
  } else if (data.bytes !== undefined) {
    trace(`sum received ${data.bytes} bytes, first ${data.first}, last ${data.last}`);
  }
};
for (const w of [square, sum]) {
  w.addEventListener('error', (e) => trace(`worker error: ${e.message}`));
}

for (let n = 1; n <= 10; n++) {
  square.postMessage(n);
}
const buffer = new ArrayBuffer(1 << 20);
new Uint8Array(buffer).fill(7, 0, 1 << 20);
square.postMessage({ payload: buffer }, [buffer]);
trace(`after transfer, our buffer has byteLength ${buffer.byteLength} (detached: ${buffer.detached})`);
square.postMessage('end');
queueMicrotask(() => trace('posted 10 numbers, a buffer and end; waiting'));
