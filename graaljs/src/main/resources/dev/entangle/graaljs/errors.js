// entangle for GraalJS: HTML's error reporting: "report an exception" (§8.1.4.7) at the global
// scope, `reportError`, and unhandled promise rejections (PromiseRejectionEvent).
//
// Evaluated once per realm; its value is a function of prelude.js's helpers.
(function (h) {
  'use strict';
  const { native, define, slot, requireArgs, dictionary, tag, Event, ErrorEvent, dispatch, trusted,
    handlerAttribute, GlobalScope } = h;

  // ---------------------------------------------------------------- reporting exceptions (HTML §8.1.4.7)
  // "Report an exception": an ErrorEvent at the global scope; if nobody cancels it, Java reports it
  // further (to the parent Worker object for a worker whose parent is a script; to stderr otherwise).
  let reporting = false;
  const locate = (error) => {
    const stack = (typeof error === 'object' && error !== null && typeof error.stack === 'string') ? error.stack : '';
    const at = /\(?((?:[a-z]+:)?[^\s()]+):(\d+):(\d+)\)?\s*$/m.exec(stack.split('\n').slice(1).join('\n'));
    return at === null ? { filename: '', lineno: 0, colno: 0 } : { filename: at[1], lineno: +at[2], colno: +at[3] };
  };
  const describe = (error) => {
    try {
      return 'Uncaught ' + (typeof error === 'object' && error !== null && 'name' in error ? `${error.name}: ${error.message}` : String(error));
    } catch (e) {
      return 'Uncaught exception';
    }
  };
  // `filename` etc. are given by Java for a parse error, whose error object has no stack frame.
  const reportException = (error, filename = undefined, lineno = 0, colno = 0) => {
    const where = typeof filename === 'string' ? { filename, lineno, colno } : locate(error);
    const message = describe(error);
    let canceled = false;
    if (!reporting) {
      reporting = true;
      try {
        canceled = !dispatch(globalThis, trusted(new ErrorEvent('error', {
          message, filename: where.filename, lineno: where.lineno, colno: where.colno, error, cancelable: true })));
      } finally {
        reporting = false;
      }
    }
    if (!canceled) {
      native.uncaught(message, where.filename, where.lineno, where.colno, stackOf(error));
    }
  };
  const stackOf = (error) => {
    try {
      return typeof error === 'object' && error !== null && typeof error.stack === 'string' ? error.stack : String(error);
    } catch (ignored) {
      return 'exception';
    }
  };

  // HTML "unhandled promise rejections": a cancelable `unhandledrejection` PromiseRejectionEvent at the
  // global scope, then, if not canceled, reported like an uncaught exception (GraalJS calls the handler
  // after the microtask checkpoint in which the rejection was left unhandled).
  const rejectionSlots = new WeakMap();
  class PromiseRejectionEvent extends Event {
    constructor(type, eventInitDict) {
      requireArgs(arguments.length, 2, "'PromiseRejectionEvent' constructor");
      const init = dictionary(eventInitDict, "'PromiseRejectionEvent' constructor");
      if (!('promise' in init)) {
        throw new TypeError("Failed to construct 'PromiseRejectionEvent': required member promise is undefined.");
      }
      super(type, init);
      rejectionSlots.set(this, { promise: init.promise, reason: init.reason });
    }
    get promise() { return slot(rejectionSlots, this, 'PromiseRejectionEvent').promise; }
    get reason() { return slot(rejectionSlots, this, 'PromiseRejectionEvent').reason; }
  }
  if (typeof Graal === 'object' && typeof Graal.setUnhandledPromiseRejectionHandler === 'function') {
    Graal.setUnhandledPromiseRejectionHandler((reason, promise) => {
      const event = trusted(new PromiseRejectionEvent('unhandledrejection', { promise, reason, cancelable: true }));
      if (dispatch(globalThis, event)) {
        const where = locate(reason);
        native.uncaught(describe(reason).replace(/^Uncaught /, 'Uncaught (in promise) '), where.filename,
            where.lineno, where.colno, stackOf(reason));
      }
    });
  }

  function reportError(error) {
    requireArgs(arguments.length, 1, "'reportError'");
    reportException(error);
  }

  handlerAttribute(GlobalScope.prototype, 'onerror');
  handlerAttribute(GlobalScope.prototype, 'onunhandledrejection');
  tag(PromiseRejectionEvent);
  define(globalThis, { PromiseRejectionEvent, reportError });

  Object.assign(h, { reportException });
})
