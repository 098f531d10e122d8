// entangle for GraalJS: the Worker object of the realm that starts a dedicated worker (HTML §10.2.6)
// and the errors reported to it (§10.2.5). The worker's own global scope is scope.js's.
//
// Evaluated once per realm; its value is a function of prelude.js's helpers.
(function (h) {
  'use strict';
  const { native, define, slot, requireArgs, dictionary, tag, ErrorEvent, EventTarget, dispatch, trusted,
    handlerAttribute, transferArgument, oneRequired } = h;
  const workerSlots = new WeakMap();

  // HTML "terminate a worker": the tasks queued for the Worker object are discarded, so no event
  // reaches a Worker once its terminate() was called (WPT workers/Worker_terminate_event_queue.htm).
  const terminatedWorker = (target) => {
    const w = workerSlots.get(target);
    return w !== undefined && w.terminated;
  };

  // ---------------------------------------------------------------- Worker (HTML §10.2.6)
  class Worker extends EventTarget {
    constructor(scriptURL, options = undefined) {
      requireArgs(arguments.length, 1, "'Worker' constructor");
      const o = dictionary(options, "'Worker' constructor");
      const type = o.type === undefined ? 'classic' : String(o.type);
      if (type !== 'classic' && type !== 'module') {
        throw new TypeError(`Failed to construct 'Worker': '${type}' is not a valid WorkerType.`);
      }
      super();
      const javaWorker = native.worker(String(scriptURL), o.name === undefined ? '' : String(o.name), type, this);
      workerSlots.set(this, { javaWorker, terminated: false });
    }
    postMessage(...args) { // (as MessagePort's)
      if (args.length < 1) {
        requireArgs(args.length, 1, "'postMessage' on 'Worker'");
      }
      let w = workerSlots.get(this);
      if (w === undefined) {
        w = slot(workerSlots, this, 'Worker');
      }
      const transfer = args[1];
      native.postToWorker(w.javaWorker, args[0],
          transfer === undefined ? null : transferArgument(transfer, "'postMessage' on 'Worker'"));
    }
    terminate() {
      const w = slot(workerSlots, this, 'Worker');
      w.terminated = true;
      native.terminate(w.javaWorker);
    }
  }
  oneRequired(Worker.prototype.postMessage);
  handlerAttribute(Worker.prototype, 'onmessage');
  handlerAttribute(Worker.prototype, 'onmessageerror');
  handlerAttribute(Worker.prototype, 'onerror');

  // An error the worker did not handle (HTML §10.2.5 "runtime script errors"): an ErrorEvent at the
  // Worker object; if not canceled, reported as if it had happened in this realm's global scope.
  const workerError = (worker, message, filename, lineno, colno) => {
    if (terminatedWorker(worker)) {
      return;
    }
    const event = trusted(new ErrorEvent('error', { message, filename, lineno, colno, error: null, cancelable: true }));
    if (dispatch(worker, event)) {
      const canceled = !dispatch(globalThis, trusted(new ErrorEvent('error', {
        message, filename, lineno, colno, error: null, cancelable: true })));
      if (!canceled) {
        native.uncaught(message, filename, lineno, colno, message);
      }
    }
  };

  tag(Worker);
  define(globalThis, { Worker });

  Object.assign(h, { terminatedWorker, workerError });
})
