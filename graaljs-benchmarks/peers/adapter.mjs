// The only runtime-specific code of the peer benchmark: how each runtime names itself, tells time, starts
// a Worker and, inside one, receives its first message. The cases (cases.mjs, worker.mjs, start.mjs) use
// only what all of them share: MessageChannel, MessagePort (onmessage, postMessage with a transfer list),
// structuredClone, Worker#postMessage and #terminate.
const isNode = typeof process === 'object' && process !== null && typeof process.versions === 'object'
    && typeof Deno === 'undefined' && typeof Bun === 'undefined';
const nodeThreads = isNode ? await import('node:worker_threads') : null;

export const runtime = typeof Deno !== 'undefined' ? 'deno'
    : typeof Bun !== 'undefined' ? 'bun'
    : isNode ? 'node'
    : 'entangle-js';

// Milliseconds: performance.now() where the runtime has it (every runtime here does; else Date.now()).
export const now = typeof performance === 'object' && performance !== null && typeof performance.now === 'function'
    ? () => performance.now()
    : () => Date.now();

/** A module Worker running `file` (a name beside this module). */
export function newWorker(file) {
  if (isNode) return new nodeThreads.Worker(new URL(file, import.meta.url));
  // Deno and Bun want an absolute URL; entangle-js resolves a relative path against the creating script
  // (it has no URL class).
  const url = typeof URL === 'function' ? new URL(file, import.meta.url).href : './' + file;
  return new Worker(url, { type: 'module' });
}

/** Inside a worker: calls `f(data)` with the first message from the parent. */
export function onFirstMessage(f) {
  if (isNode) {
    nodeThreads.parentPort.once('message', f);
  } else {
    self.onmessage = (e) => { self.onmessage = null; f(e.data); };
  }
}

/** Inside a worker: posts to the parent (used by start.mjs only). */
export function postToParent(message) {
  if (isNode) nodeThreads.parentPort.postMessage(message); else self.postMessage(message);
}

/** In the main script: calls `f(data)` with the first message of worker `w`. */
export function onceFromWorker(w, f) {
  if (isNode) w.once('message', f); else w.onmessage = (e) => { w.onmessage = null; f(e.data); };
}
