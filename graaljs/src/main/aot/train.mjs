// The training run of the launcher's AOT cache (mvn package runs it with ENTANGLE_JS_AOT=train on JDK 25+;
// see src/main/launcher/entangle-js): what most scripts do first, so that the JDK records the classes
// they load and link: a module worker, a MessageChannel whose port is transferred to it, messages of
// strings, numbers, objects and a transferred ArrayBuffer both ways, structuredClone, a timer.
// Quiet unless something fails; exits when the worker has answered every message.
const worker = new Worker('./train-worker.mjs', { type: 'module', name: 'train' });
const { port1, port2 } = new MessageChannel();
worker.postMessage({ port: port2 }, [port2]);
const sent = ['text', 42, { id: 1, name: 'ping', ok: true, xs: [1, 2, 3] }, new Map([['k', new Set([1])]])];
let answers = 0;
const bytes = new ArrayBuffer(1024);
new Uint8Array(bytes).fill(7);
port1.onmessage = (e) => {
  answers++;
  if (answers === sent.length) {
    port1.postMessage(bytes, [bytes]);
  } else if (answers > sent.length) {
    if (!(e.data instanceof ArrayBuffer) || new Uint8Array(e.data)[1023] !== 7) {
      throw new Error('the buffer did not come back');
    }
    const clone = structuredClone({ when: new Date(0), re: /x/g, list: [1, 'a', null, undefined] });
    if (clone.list.length !== 4) {
      throw new Error('bad clone');
    }
    setTimeout(() => {
      port1.close();
      worker.terminate();
    }, 1);
  }
};
for (const m of sent) {
  port1.postMessage(m);
}
