// Comlink 4.4.2 (unmodified, from npm): a worker's API called through a proxy (Comlink.wrap over the
// Worker's postMessage, MessageChannel for the replies). Prints one line per result for JsLibrariesTest.
import * as Comlink from './node_modules/comlink/dist/esm/comlink.mjs';

const worker = new Worker(new URL('./comlink-worker.js', import.meta.url));
const api = Comlink.wrap(worker);
console.log(`sum ${await api.sum(2, 3)}`);
const counter = await new api.Counter();
await counter.inc();
await counter.inc();
console.log(`count ${await counter.value}`);
// a callback proxied back to the main realm (a MessagePort in the transfer list)
console.log(`callback ${await api.callTwice(Comlink.proxy((x) => x * 10))}`);
worker.terminate();
