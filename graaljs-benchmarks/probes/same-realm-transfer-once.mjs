// One of each operation of same-realm-transfer.mjs: its CPU time is subtracted from that script's.
let b = new ArrayBuffer(1 << 20);
const c = structuredClone(b, { transfer: [b] });
const mc = new MessageChannel();
mc.port2.onmessage = (e) => mc.port2.postMessage(e.data, [e.data]);
mc.port1.onmessage = () => { mc.port1.close(); mc.port2.close(); };
mc.port1.postMessage(c, [c]);
