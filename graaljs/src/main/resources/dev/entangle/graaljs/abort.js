// entangle for GraalJS: AbortController and AbortSignal (DOM §3.1-3.2).
//
// Evaluated once per realm; its value is a function of prelude.js's helpers.
(function (h) {
  'use strict';
  const { CONSTRUCT, define, slot, requireArgs, tag, DOMException, Event, EventTarget, dispatch, trusted,
    handlerAttribute, startTimer } = h;

  // ---------------------------------------------------------------- AbortController / AbortSignal (DOM §3.1-3.2)
  // The DOM's cancellation objects, so `addEventListener(type, f, { signal })` works as in a browser.
  const signalSlots = new WeakMap();
  const controllerSlots = new WeakMap();
  // DOM "signal abort": sets the reason once, then fires a trusted `abort` event at the signal.
  const signalAbort = (signal, reason) => {
    const a = signalSlots.get(signal);
    if (a.aborted) {
      return;
    }
    a.aborted = true;
    a.reason = reason === undefined ? new DOMException('signal is aborted without reason', 'AbortError') : reason;
    dispatch(signal, trusted(new Event('abort')));
  };
  class AbortSignal extends EventTarget {
    constructor(token = undefined) {
      if (token !== CONSTRUCT) {
        throw new TypeError('Illegal constructor');
      }
      super();
      signalSlots.set(this, { aborted: false, reason: undefined });
    }
    get aborted() { return slot(signalSlots, this, 'AbortSignal').aborted; }
    get reason() { return slot(signalSlots, this, 'AbortSignal').reason; }
    throwIfAborted() {
      const a = slot(signalSlots, this, 'AbortSignal');
      if (a.aborted) {
        throw a.reason;
      }
    }
    static abort(reason = undefined) {
      const signal = new AbortSignal(CONSTRUCT);
      signalAbort(signal, reason);
      return signal;
    }
    static timeout(milliseconds) {
      requireArgs(arguments.length, 1, "'timeout' on 'AbortSignal'");
      const signal = new AbortSignal(CONSTRUCT);
      // Decision: the pending timeout keeps the realm alive, like any setTimeout (Node does not).
      startTimer(() => signalAbort(signal, new DOMException('signal timed out', 'TimeoutError')),
          milliseconds, [], false);
      return signal;
    }
  }
  handlerAttribute(AbortSignal.prototype, 'onabort');
  class AbortController {
    constructor() {
      controllerSlots.set(this, { signal: new AbortSignal(CONSTRUCT) });
    }
    get signal() { return slot(controllerSlots, this, 'AbortController').signal; }
    abort(reason = undefined) { signalAbort(slot(controllerSlots, this, 'AbortController').signal, reason); }
  }

  tag(AbortController);
  tag(AbortSignal);
  define(globalThis, { AbortController, AbortSignal });

  Object.assign(h, {
    isAbortSignal: (v) => signalSlots.has(v),
    isAbortController: (v) => controllerSlots.has(v),
  });
})
