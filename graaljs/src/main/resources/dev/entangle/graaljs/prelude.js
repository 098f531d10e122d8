// entangle for GraalJS: the Web-facing globals of one realm (one GraalJS context on one entangle loop).
//
// Evaluated once per realm. The value of this script is a function taking `native`, the realm's Java
// bindings (JsBindings.java), `kind` ('main' or 'worker') and `parts`: the functions of the other
// resource files, in JsRealm's order, each a concept of its own (as Node splits lib/internal/):
//
//   webidl.js    argument and dictionary conversions, receiver checks, DOMException
//   events.js    Event, EventTarget, dispatch, event handler attributes, ErrorEvent; the global object
//                becomes an EventTarget
//   errors.js    report an exception, reportError, unhandled rejections (PromiseRejectionEvent)
//   timers.js    setTimeout / setInterval, queueMicrotask
//   abort.js     AbortController, AbortSignal
//   ports.js     MessageEvent, MessagePort, MessageChannel, BroadcastChannel, structuredClone
//   workers.js   Worker (the starting realm's side)
//   url.js, encoding.js, formdata.js, fetch.js, scope.js, console.js: the further globals (URL,
//                TextEncoder, Blob, FormData, Response, the global scope's interfaces, location,
//                navigator, performance, console)
//
// Each part is a function of one helpers object `h`: it reads what earlier parts put there, defines its
// globals, and adds what later parts (or this file) use. This file runs them and returns the functions
// Java calls into (dispatch of port, worker and timer events, port wrapping, error reports).
//
// The DOM and HTML algorithms are followed step by step where the parts say so; section names refer to
// the DOM Standard (dom.spec.whatwg.org) and the HTML Standard (html.spec.whatwg.org).
(function (native, kind, parts) {
  'use strict';

  const h = { native, kind, CONSTRUCT: Symbol('entangle internal constructor') };
  for (const part of parts) {
    part(h);
  }
  // HTML §2.7.3 step 22-23: [Serializable] platform objects give their data (encoding.js: Blob, File);
  // the other platform objects here are not serializable
  const platformObject = (value) => {
    const serializable = h.serializable(value);
    if (serializable !== false) {
      return serializable;
    }
    if (h.isEvent(value) || h.isEventTarget(value) || h.isChannel(value) || h.isAbortController(value)
        || h.isResponse(value) || h.isFormData(value)) {
      return [Object.prototype.toString.call(value).slice(8, -1)];
    }
    return false;
  };

  return {
    raise: h.raise, wrapPort: h.wrapPort, portOf: h.portOf, dispatchMessage: h.dispatchMessage,
    dispatchSimple: h.dispatchSimple, workerError: h.workerError, fireTimer: h.fireTimer,
    reportException: h.reportException, bound: h.bound,
    // the codec's check (JsCodecHelpers describe): true for a port, [interface, data] for a serializable
    // platform object, [interface] for one that is not (a DataCloneError), false for anything else
    isMessagePort: (value) => (h.isPort(value) ? true : platformObject(value)),
    revive: (iface, data) => h.revive(iface, data),
  };
})
