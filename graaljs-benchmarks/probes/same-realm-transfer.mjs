// Fixed work for a CPU-time A/B (graaljs-benchmarks/README.md "A buffer transferred within its own realm
// moves"): 400 structuredClone(b, {transfer: [b]}) of 1 MiB, then 400 round trips of it on a MessageChannel
// whose both ends are in this realm. Run same-realm-transfer-once.mjs (one of each) for the start-up
// and warm-up to subtract.
let b = new ArrayBuffer(1 << 20);
new Uint8Array(b).fill(7);
for (let i = 0; i < 400; i++) {
  const c = structuredClone(b, { transfer: [b] });
  if (b.byteLength !== 0 || new Uint8Array(c)[9] !== 7) throw new Error('not moved');
  b = c;
}
const mc = new MessageChannel();
mc.port2.onmessage = (e) => mc.port2.postMessage(e.data, [e.data]);
let left = 400;
mc.port1.onmessage = (e) => {
  b = e.data;
  if (--left > 0) mc.port1.postMessage(b, [b]); else { mc.port1.close(); mc.port2.close(); }
};
mc.port1.postMessage(b, [b]);
