// entangle for GraalJS: the Web-facing classes of one realm (one GraalJS context on one entangle loop).
//
// Evaluated once per realm. The value of this script is a function taking `native`, the realm's Java
// bindings (JsBindings.java), `kind` ('main' or 'worker') and `parts` (the functions of the other
// resource files, see the end of this file); it installs the globals and returns the
// functions Java calls into (dispatch of port, worker and timer events, port wrapping, error reports).
//
// The DOM and HTML algorithms are followed step by step where this file says so; section names refer to
// the DOM Standard (dom.spec.whatwg.org, "Interface Event", "Interface EventTarget", "Dispatching
// events") and the HTML Standard (§8.1.8 event handlers, §9.4 channel messaging, §9.5 BroadcastChannel,
// §10.2 workers, §8.6 timers, §8.7 microtask queuing). Internal state lives in WeakMaps keyed by the
// Web objects, so scripts cannot reach it and the global object can be an EventTarget too.
(function (native, kind, parts) {
  'use strict';

  const CONSTRUCT = Symbol('entangle internal constructor');
  const eventSlots = new WeakMap();
  const targetSlots = new WeakMap();
  const messageSlots = new WeakMap();
  const errorSlots = new WeakMap();
  const portSlots = new WeakMap();
  const channelSlots = new WeakMap();
  const workerSlots = new WeakMap();
  const broadcastSlots = new WeakMap();
  const exceptionSlots = new WeakMap();

  const define = (object, props) => {
    for (const [name, value] of Object.entries(props)) {
      Object.defineProperty(object, name, { value, writable: true, configurable: true, enumerable: false });
    }
  };
  const constants = (object, props) => {
    for (const [name, value] of Object.entries(props)) {
      Object.defineProperty(object, name, { value, writable: false, configurable: false, enumerable: true });
    }
  };
  const slot = (map, self, iface) => {
    const s = (typeof self === 'object' || typeof self === 'function') && self !== null ? map.get(self) : undefined;
    if (s === undefined) {
      throw new TypeError(`Illegal invocation: receiver is not a${/^[AEIOU]/.test(iface) ? 'n' : ''} ${iface}`);
    }
    return s;
  };
  const requireArgs = (count, required, what) => {
    if (count < required) {
      throw new TypeError(`Failed to execute ${what}: ${required} argument${required > 1 ? 's' : ''} required, but only ${count} present.`);
    }
  };
  // WebIDL dictionary conversion: undefined and null are the empty dictionary; other non-objects throw.
  const dictionary = (value, what) => {
    if (value === undefined || value === null) {
      return {};
    }
    if (typeof value !== 'object' && typeof value !== 'function') {
      throw new TypeError(`Failed to execute ${what}: the options are not an object.`);
    }
    return value;
  };
  // WebIDL sequence<T> conversion from an iterable object.
  const sequence = (value, what) => {
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null
        || typeof value[Symbol.iterator] !== 'function') {
      throw new TypeError(`Failed to execute ${what}: the value is not an iterable object.`);
    }
    return Array.from(value);
  };

  // ---------------------------------------------------------------- DOMException (WebIDL §3.14)
  const legacyCodes = {
    IndexSizeError: 1, HierarchyRequestError: 3, WrongDocumentError: 4, InvalidCharacterError: 5,
    NoModificationAllowedError: 7, NotFoundError: 8, NotSupportedError: 9, InUseAttributeError: 10,
    InvalidStateError: 11, SyntaxError: 12, InvalidModificationError: 13, NamespaceError: 14,
    InvalidAccessError: 15, TypeMismatchError: 17, SecurityError: 18, NetworkError: 19, AbortError: 20,
    URLMismatchError: 21, QuotaExceededError: 22, TimeoutError: 23, InvalidNodeTypeError: 24,
    DataCloneError: 25,
  };
  class DOMException extends Error {
    constructor(message = '', name = 'Error') {
      super();
      delete this.message; // the message is the prototype getter's, as for the platform object
      exceptionSlots.set(this, { message: String(message), name: String(name) });
    }
    get name() { return slot(exceptionSlots, this, 'DOMException').name; }
    get message() { return slot(exceptionSlots, this, 'DOMException').message; }
    get code() { return legacyCodes[slot(exceptionSlots, this, 'DOMException').name] || 0; }
  }
  const legacyConstants = {
    INDEX_SIZE_ERR: 1, DOMSTRING_SIZE_ERR: 2, HIERARCHY_REQUEST_ERR: 3, WRONG_DOCUMENT_ERR: 4,
    INVALID_CHARACTER_ERR: 5, NO_DATA_ALLOWED_ERR: 6, NO_MODIFICATION_ALLOWED_ERR: 7, NOT_FOUND_ERR: 8,
    NOT_SUPPORTED_ERR: 9, INUSE_ATTRIBUTE_ERR: 10, INVALID_STATE_ERR: 11, SYNTAX_ERR: 12,
    INVALID_MODIFICATION_ERR: 13, NAMESPACE_ERR: 14, INVALID_ACCESS_ERR: 15, VALIDATION_ERR: 16,
    TYPE_MISMATCH_ERR: 17, SECURITY_ERR: 18, NETWORK_ERR: 19, ABORT_ERR: 20, URL_MISMATCH_ERR: 21,
    QUOTA_EXCEEDED_ERR: 22, TIMEOUT_ERR: 23, INVALID_NODE_TYPE_ERR: 24, DATA_CLONE_ERR: 25,
  };
  constants(DOMException, legacyConstants);
  constants(DOMException.prototype, legacyConstants);

  // Java calls this (through `raise`) to throw the JS form of a failure of a native call.
  const raise = (kindOfError, name, message) => {
    switch (kindOfError) {
      case 'dom': throw new DOMException(message, name);
      case 'type': throw new TypeError(message);
      case 'range': throw new RangeError(message);
      default: throw new Error(message);
    }
  };

  // ---------------------------------------------------------------- Event (DOM "Interface Event")
  const NONE = 0, CAPTURING_PHASE = 1, AT_TARGET = 2, BUBBLING_PHASE = 3;
  const eventInit = (self, type, init) => {
    eventSlots.set(self, {
      type: String(type),
      bubbles: !!init.bubbles,
      cancelable: !!init.cancelable,
      composed: !!init.composed,
      target: null,
      currentTarget: null,
      phase: NONE,
      canceled: false,
      stopPropagation: false,
      stopImmediate: false,
      dispatching: false,
      initialized: true,
      inPassiveListener: false,
      isTrusted: false,
      timeStamp: native.now(),
    });
  };
  class Event {
    constructor(type, eventInitDict = undefined) {
      requireArgs(arguments.length, 1, "'Event' constructor");
      eventInit(this, type, dictionary(eventInitDict, "'Event' constructor"));
    }
    get type() { return slot(eventSlots, this, 'Event').type; }
    get target() { return slot(eventSlots, this, 'Event').target; }
    get srcElement() { return slot(eventSlots, this, 'Event').target; }
    get currentTarget() { return slot(eventSlots, this, 'Event').currentTarget; }
    composedPath() {
      const s = slot(eventSlots, this, 'Event');
      return s.currentTarget === null ? [] : [s.currentTarget];
    }
    get eventPhase() { return slot(eventSlots, this, 'Event').phase; }
    stopPropagation() { slot(eventSlots, this, 'Event').stopPropagation = true; }
    get cancelBubble() { return slot(eventSlots, this, 'Event').stopPropagation; }
    set cancelBubble(value) { if (value) { slot(eventSlots, this, 'Event').stopPropagation = true; } }
    stopImmediatePropagation() {
      const s = slot(eventSlots, this, 'Event');
      s.stopPropagation = true;
      s.stopImmediate = true;
    }
    get bubbles() { return slot(eventSlots, this, 'Event').bubbles; }
    get cancelable() { return slot(eventSlots, this, 'Event').cancelable; }
    get returnValue() { return !slot(eventSlots, this, 'Event').canceled; }
    set returnValue(value) { if (!value) { setCanceled(slot(eventSlots, this, 'Event')); } }
    preventDefault() { setCanceled(slot(eventSlots, this, 'Event')); }
    get defaultPrevented() { return slot(eventSlots, this, 'Event').canceled; }
    get composed() { return slot(eventSlots, this, 'Event').composed; }
    get isTrusted() { return slot(eventSlots, this, 'Event').isTrusted; }
    get timeStamp() { return slot(eventSlots, this, 'Event').timeStamp; }
    initEvent(type, bubbles = false, cancelable = false) {
      requireArgs(arguments.length, 1, "'initEvent' on 'Event'");
      const s = slot(eventSlots, this, 'Event');
      if (s.dispatching) {
        return;
      }
      reinitialize(s, type, bubbles, cancelable);
    }
  }
  // DOM "set the canceled flag": ignored for non-cancelable events and inside passive listeners.
  const setCanceled = (s) => {
    if (s.cancelable && !s.inPassiveListener) {
      s.canceled = true;
    }
  };
  // DOM "initialize an event".
  const reinitialize = (s, type, bubbles, cancelable) => {
    s.initialized = true;
    s.stopPropagation = false;
    s.stopImmediate = false;
    s.canceled = false;
    s.isTrusted = false;
    s.target = null;
    s.type = String(type);
    s.bubbles = !!bubbles;
    s.cancelable = !!cancelable;
  };
  constants(Event, { NONE, CAPTURING_PHASE, AT_TARGET, BUBBLING_PHASE });
  constants(Event.prototype, { NONE, CAPTURING_PHASE, AT_TARGET, BUBBLING_PHASE });

  // ---------------------------------------------------------------- MessageEvent (HTML §9.1)
  const portSequence = (value, what) => {
    const ports = sequence(value, what);
    for (const port of ports) {
      if (!portSlots.has(port)) {
        throw new TypeError(`Failed to execute ${what}: an entry of ports is not a MessagePort.`);
      }
    }
    return Object.freeze(ports);
  };
  const messageSource = (value, what) => {
    if (value === undefined || value === null) {
      return null;
    }
    if (!portSlots.has(value)) { // no WindowProxy or ServiceWorker exists here
      throw new TypeError(`Failed to execute ${what}: source is not a MessagePort.`);
    }
    return value;
  };
  class MessageEvent extends Event {
    constructor(type, eventInitDict = undefined) {
      requireArgs(arguments.length, 1, "'MessageEvent' constructor");
      const what = "'MessageEvent' constructor";
      const init = dictionary(eventInitDict, what);
      super(type, init);
      messageSlots.set(this, {
        data: init.data === undefined ? null : init.data,
        origin: init.origin === undefined ? '' : String(init.origin),
        lastEventId: init.lastEventId === undefined ? '' : String(init.lastEventId),
        source: messageSource(init.source, what),
        ports: init.ports === undefined ? Object.freeze([]) : portSequence(init.ports, what),
      });
    }
    get data() { return slot(messageSlots, this, 'MessageEvent').data; }
    get origin() { return slot(messageSlots, this, 'MessageEvent').origin; }
    get lastEventId() { return slot(messageSlots, this, 'MessageEvent').lastEventId; }
    get source() { return slot(messageSlots, this, 'MessageEvent').source; }
    get ports() { return slot(messageSlots, this, 'MessageEvent').ports; }
    initMessageEvent(type, bubbles = false, cancelable = false, data = null, origin = '', lastEventId = '',
        source = null, ports = []) {
      requireArgs(arguments.length, 1, "'initMessageEvent' on 'MessageEvent'");
      const m = slot(messageSlots, this, 'MessageEvent');
      const s = eventSlots.get(this);
      if (s.dispatching) {
        return;
      }
      const what = "'initMessageEvent' on 'MessageEvent'";
      const newSource = messageSource(source, what);
      const newPorts = portSequence(ports, what);
      reinitialize(s, type, bubbles, cancelable);
      Object.assign(m, { data, origin: String(origin), lastEventId: String(lastEventId), source: newSource, ports: newPorts });
    }
  }

  // ---------------------------------------------------------------- ErrorEvent (HTML §8.1.7.2)
  class ErrorEvent extends Event {
    constructor(type, eventInitDict = undefined) {
      requireArgs(arguments.length, 1, "'ErrorEvent' constructor");
      const init = dictionary(eventInitDict, "'ErrorEvent' constructor");
      super(type, init);
      errorSlots.set(this, {
        message: init.message === undefined ? '' : String(init.message),
        filename: init.filename === undefined ? '' : String(init.filename),
        lineno: init.lineno === undefined ? 0 : Number(init.lineno) >>> 0,
        colno: init.colno === undefined ? 0 : Number(init.colno) >>> 0,
        error: init.error === undefined ? null : init.error,
      });
    }
    get message() { return slot(errorSlots, this, 'ErrorEvent').message; }
    get filename() { return slot(errorSlots, this, 'ErrorEvent').filename; }
    get lineno() { return slot(errorSlots, this, 'ErrorEvent').lineno; }
    get colno() { return slot(errorSlots, this, 'ErrorEvent').colno; }
    get error() { return slot(errorSlots, this, 'ErrorEvent').error; }
  }

  // ---------------------------------------------------------------- EventTarget (DOM)
  // A target's slots: listeners by type (each {callback, capture, once, passive, removed, handler}),
  // event handler attributes by name, and an optional hook told when the count of `message`
  // listeners changes (ports and worker globals follow Node's rule: only a port with a message
  // listener keeps its loop alive).
  const targetSlotsOf = (self) => {
    let s = targetSlots.get(self);
    if (s === undefined) {
      s = { listeners: new Map(), handlers: new Map(), onMessageListeners: null };
      targetSlots.set(self, s);
    }
    return s;
  };
  const listenersChanged = (s, type) => {
    if (type === 'message' && s.onMessageListeners !== null) {
      s.onMessageListeners(s.listeners.get('message').length);
    }
  };
  const removeListener = (s, type, entry) => {
    const list = s.listeners.get(type);
    const index = list === undefined ? -1 : list.indexOf(entry);
    if (index >= 0) {
      entry.removed = true;
      list.splice(index, 1);
      listenersChanged(s, type);
    }
  };
  const addListener = (s, type, entry) => {
    let list = s.listeners.get(type);
    if (list === undefined) {
      list = [];
      s.listeners.set(type, list);
    }
    list.push(entry);
    listenersChanged(s, type);
  };
  const NO_SIGNAL = Symbol('no signal');
  const flattenOptions = (options) => {
    if (typeof options !== 'object' || options === null) {
      return { capture: !!options, once: false, passive: false, signal: NO_SIGNAL };
    }
    // each member read once, in WebIDL dictionary order
    const capture = !!options.capture, once = !!options.once, passive = !!options.passive;
    const signal = options.signal;
    return { capture, once, passive, signal: signal === undefined ? NO_SIGNAL : signal };
  };
  // WebIDL: an operation called with an undefined or null this (`addEventListener(...)` at the top
  // level of a script) acts on the global object; any other object must be an EventTarget.
  const receiver = (self) => {
    if (self === undefined || self === null) {
      return globalThis;
    }
    if (!targetSlots.has(self)) {
      throw new TypeError('Illegal invocation: receiver is not an EventTarget');
    }
    return self;
  };
  class EventTarget {
    constructor() {
      targetSlotsOf(this);
    }
    addEventListener(type, callback, options = undefined) {
      requireArgs(arguments.length, 2, "'addEventListener' on 'EventTarget'");
      const s = targetSlotsOf(receiver(this));
      const { capture, once, passive, signal } = flattenOptions(options);
      if (callback === null || callback === undefined) {
        return;
      }
      if (typeof callback !== 'function' && typeof callback !== 'object') {
        throw new TypeError("Failed to execute 'addEventListener' on 'EventTarget': the callback is not an object.");
      }
      if (signal !== NO_SIGNAL && !signalSlots.has(signal)) { // null too: the member is not nullable
        throw new TypeError("Failed to execute 'addEventListener' on 'EventTarget': member signal is not of type 'AbortSignal'.");
      }
      if (signal !== NO_SIGNAL && signal.aborted) {
        return;
      }
      type = String(type);
      const list = s.listeners.get(type);
      if (list !== undefined && list.some((l) => !l.handler && l.callback === callback && l.capture === capture)) {
        return;
      }
      const entry = { callback, capture, once, passive, removed: false, handler: false };
      addListener(s, type, entry);
      if (signal !== NO_SIGNAL) { // DOM "add an event listener" step 6: the signal's abort steps
        addListener(targetSlotsOf(signal), 'abort', { callback: () => removeListener(s, type, entry),
          capture: false, once: true, passive: false, removed: false, handler: false });
      }
    }
    removeEventListener(type, callback, options = undefined) {
      requireArgs(arguments.length, 2, "'removeEventListener' on 'EventTarget'");
      const s = targetSlotsOf(receiver(this));
      const { capture } = flattenOptions(options);
      const list = s.listeners.get(String(type));
      const entry = list === undefined ? undefined
        : list.find((l) => !l.handler && l.callback === callback && l.capture === capture);
      if (entry !== undefined) {
        removeListener(s, String(type), entry);
      }
    }
    dispatchEvent(event) {
      requireArgs(arguments.length, 1, "'dispatchEvent' on 'EventTarget'");
      const e = eventSlots.get(event);
      if (e === undefined) {
        throw new TypeError("Failed to execute 'dispatchEvent' on 'EventTarget': parameter 1 is not of type 'Event'.");
      }
      if (e.dispatching || !e.initialized) {
        throw new DOMException('The event is already being dispatched or was not initialized.', 'InvalidStateError');
      }
      e.isTrusted = false;
      return dispatch(receiver(this), event);
    }
  }

  // DOM "dispatch" for a target without a tree: capturing listeners, then the others, at the target.
  // A generator that yields after each listener call: dispatchEvent() (and this file's own nested
  // dispatches) run it to the end at once, while an event the platform dispatches is stepped by Java,
  // one call into the context per listener, so that GraalJS drains the microtask queue after each
  // listener (HTML "clean up after running a callback": the JavaScript stack is then empty).
  function* dispatchSteps(target, event) {
    const e = eventSlots.get(event);
    e.dispatching = true;
    e.target = target;
    e.currentTarget = target;
    e.phase = AT_TARGET;
    try {
      yield* invokeSteps(target, event, e, true);
      yield* invokeSteps(target, event, e, false);
    } finally {
      e.phase = NONE;
      e.currentTarget = null;
      e.dispatching = false;
      e.stopPropagation = false;
      e.stopImmediate = false;
    }
    return !e.canceled;
  }
  const dispatch = (target, event) => {
    const steps = dispatchSteps(target, event);
    for (;;) {
      const step = steps.next();
      if (step.done) {
        return step.value;
      }
    }
  };
  // DOM "invoke" and "inner invoke": a snapshot of the listeners; removed ones are skipped; `once`
  // listeners are removed before the call; a throwing listener is reported, the next still runs.
  function* invokeSteps(target, event, e, capturePhase) {
    if (e.stopPropagation) {
      return;
    }
    const s = targetSlots.get(target);
    const list = s === undefined ? undefined : s.listeners.get(e.type);
    if (list === undefined) {
      return;
    }
    for (const l of list.slice()) {
      if (l.removed || l.capture !== capturePhase) {
        continue;
      }
      if (l.once) {
        removeListener(s, e.type, l);
      }
      e.inPassiveListener = l.passive;
      try {
        if (typeof l.callback === 'function') {
          Reflect.apply(l.callback, target, [event]);
        } else {
          const handleEvent = l.callback.handleEvent;
          if (typeof handleEvent !== 'function') {
            throw new TypeError('The listener object has no handleEvent method.');
          }
          Reflect.apply(handleEvent, l.callback, [event]);
        }
      } catch (error) {
        reportException(error);
      } finally {
        e.inPassiveListener = false;
      }
      if (e.stopImmediate) {
        return;
      }
      yield;
    }
  }

  // HTML §8.1.8.1 event handler IDL attributes. The listener is added when the attribute first gets a
  // non-null value (so it keeps that position among the listeners) and removed when it is set to null.
  // `onerror` of a global scope is an OnErrorEventHandler: called with (message, filename, lineno,
  // colno, error) and a true return value cancels; for other handlers a false return value cancels.
  const handlerAttribute = (proto, name, onFirstSet) => {
    const type = name.slice(2);
    Object.defineProperty(proto, name, {
      configurable: true,
      enumerable: true,
      get() {
        const h = targetSlotsOf(this).handlers.get(type);
        return h === undefined ? null : h.value;
      },
      set(value) {
        const s = targetSlotsOf(this);
        const callable = (typeof value === 'object' && value !== null) || typeof value === 'function';
        let h = s.handlers.get(type);
        if (!callable) {
          if (h !== undefined) {
            s.handlers.delete(type);
            removeListener(s, type, h.entry);
          }
          return;
        }
        if (h === undefined) {
          h = { value, entry: null };
          const target = this;
          h.entry = {
            callback(event) { return runHandler(target, h, event); },
            capture: false, once: false, passive: false, removed: false, handler: true,
          };
          s.handlers.set(type, h);
          addListener(s, type, h.entry);
        } else {
          h.value = value;
        }
        if (onFirstSet !== undefined) {
          onFirstSet(this);
        }
      },
    });
  };
  const runHandler = (target, h, event) => {
    if (typeof h.value !== 'function') {
      return;
    }
    if (target === globalThis && event.type === 'error' && errorSlots.has(event)) {
      const r = Reflect.apply(h.value, target, [event.message, event.filename, event.lineno, event.colno, event.error]);
      if (r === true) {
        event.preventDefault();
      }
      return;
    }
    const r = Reflect.apply(h.value, target, [event]);
    if (r === false) {
      event.preventDefault();
    }
  };

  // A trusted event of the platform (isTrusted true), dispatched by this file for Java.
  const trusted = (event) => {
    eventSlots.get(event).isTrusted = true;
    return event;
  };

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

  // ---------------------------------------------------------------- MessagePort and MessageChannel (HTML §9.4)
  // A JS MessagePort wraps one entangle port. `arriving` gives a port carried by the message being
  // dispatched one wrapper, both in the data and in event.ports (HTML: they are the same objects).
  let arriving = new Map();
  // The postMessage overloads (WebIDL): an iterable second argument is the transfer list, anything else
  // the options dictionary. The list goes to Java unconverted: JsCodec converts it (sequence<object>)
  // once, with the transfer steps.
  const transferArgument = (transfer, what) => {
    if (transfer === undefined || transfer === null) {
      return [];
    }
    if (typeof transfer === 'object' && typeof transfer[Symbol.iterator] === 'function') {
      return transfer;
    }
    const options = dictionary(transfer, what);
    return options.transfer === undefined ? [] : options.transfer;
  };
  class MessagePort extends EventTarget {
    constructor(token = undefined, javaPort = undefined) {
      if (token !== CONSTRUCT) {
        throw new TypeError('Illegal constructor');
      }
      super();
      const p = { javaPort, listener: null };
      portSlots.set(this, p);
      p.listener = native.bind(javaPort, this); // the entangle port's events now reach this object
      targetSlotsOf(this).onMessageListeners = (count) => native.listen(javaPort, p.listener, count > 0);
    }
    postMessage(message, transfer = undefined) {
      requireArgs(arguments.length, 1, "'postMessage' on 'MessagePort'");
      const p = slot(portSlots, this, 'MessagePort');
      native.post(p.javaPort, message, transferArgument(transfer, "'postMessage' on 'MessagePort'"));
    }
    start() { native.start(slot(portSlots, this, 'MessagePort').javaPort); }
    close() { native.close(slot(portSlots, this, 'MessagePort').javaPort); }
  }
  // HTML: the first time onmessage is set, the port message queue is enabled, as if start() was called.
  handlerAttribute(MessagePort.prototype, 'onmessage', (port) => port.start());
  handlerAttribute(MessagePort.prototype, 'onmessageerror');
  handlerAttribute(MessagePort.prototype, 'onclose');

  const wrapPort = (javaPort) => {
    let port = arriving.get(javaPort);
    if (port === undefined) {
      port = new MessagePort(CONSTRUCT, javaPort);
      arriving.set(javaPort, port);
    }
    return port;
  };
  const portOf = (value) => {
    const p = (typeof value === 'object' && value !== null) ? portSlots.get(value) : undefined;
    return p === undefined ? null : p.javaPort;
  };
  const wrapArrivals = (javaPorts) => {
    const ports = [];
    for (let i = 0; i < javaPorts.length; i++) {
      ports.push(wrapPort(javaPorts[i]));
    }
    return Object.freeze(ports);
  };

  class MessageChannel {
    constructor() {
      const pair = native.channel();
      const port1 = new MessagePort(CONSTRUCT, pair[0]);
      const port2 = new MessagePort(CONSTRUCT, pair[1]);
      channelSlots.set(this, { port1, port2 });
    }
    get port1() { return slot(channelSlots, this, 'MessageChannel').port1; }
    get port2() { return slot(channelSlots, this, 'MessageChannel').port2; }
  }

  // Java → JS: a `message` or `messageerror` event for `target` (a port, a Worker, a BroadcastChannel or
  // the worker global), with the data already deserialized into this realm and the carried ports.
  // HTML "terminate a worker": the tasks queued for the Worker object are discarded, so no event
  // reaches a Worker once its terminate() was called (WPT workers/Worker_terminate_event_queue.htm).
  const terminatedWorker = (target) => {
    const w = workerSlots.get(target);
    return w !== undefined && w.terminated;
  };
  // Both return the steps of the dispatch (see dispatchSteps), which Java runs one call at a time.
  function* dispatchMessage(target, type, data, javaPorts) {
    if (terminatedWorker(target)) {
      return;
    }
    try {
      const ports = javaPorts === null ? Object.freeze([]) : wrapArrivals(javaPorts);
      const origin = broadcastSlots.has(target) ? helpers.origin : ''; // HTML §9.5 step 8; ports: ''
      const event = trusted(new MessageEvent(type, { data: type === 'message' ? data : null, origin }));
      messageSlots.get(event).ports = ports;
      arriving = new Map(); // data and ports are wrapped: later arrivals get new objects
      yield* dispatchSteps(target, event);
    } finally {
      arriving = new Map();
    }
  }
  function* dispatchSimple(target, type) {
    if (terminatedWorker(target)) {
      return;
    }
    yield* dispatchSteps(target, trusted(new Event(type)));
  }

  // ---------------------------------------------------------------- BroadcastChannel (HTML §9.5)
  // Decision (HTML leaves lifetime to the host; Node refs an open BroadcastChannel): an open channel
  // with a message listener keeps its realm alive, like a started port with one.
  class BroadcastChannel extends EventTarget {
    constructor(name) {
      requireArgs(arguments.length, 1, "'BroadcastChannel' constructor");
      super();
      const javaChannel = native.broadcastChannel(String(name), this);
      const b = { javaChannel, name: String(name), closed: false, retained: false };
      broadcastSlots.set(this, b);
      targetSlotsOf(this).onMessageListeners = (count) => {
        if (count > 0 && !b.retained && !b.closed) {
          b.retained = true;
          native.retain();
        } else if (count === 0 && b.retained) {
          b.retained = false;
          native.release();
        }
      };
    }
    get name() { return slot(broadcastSlots, this, 'BroadcastChannel').name; }
    postMessage(message) {
      requireArgs(arguments.length, 1, "'postMessage' on 'BroadcastChannel'");
      native.broadcast(slot(broadcastSlots, this, 'BroadcastChannel').javaChannel, message);
    }
    close() {
      const b = slot(broadcastSlots, this, 'BroadcastChannel');
      b.closed = true;
      if (b.retained) {
        b.retained = false;
        native.release();
      }
      native.closeBroadcast(b.javaChannel);
    }
  }
  handlerAttribute(BroadcastChannel.prototype, 'onmessage');
  handlerAttribute(BroadcastChannel.prototype, 'onmessageerror');

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
    postMessage(message, transfer = undefined) {
      requireArgs(arguments.length, 1, "'postMessage' on 'Worker'");
      native.postToWorker(slot(workerSlots, this, 'Worker').javaWorker, message,
          transferArgument(transfer, "'postMessage' on 'Worker'"));
    }
    terminate() {
      const w = slot(workerSlots, this, 'Worker');
      w.terminated = true;
      native.terminate(w.javaWorker);
    }
  }
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

  // ---------------------------------------------------------------- timers (HTML §8.6) and microtasks (§8.7)
  const timers = new Map();
  let nextTimerId = 1;
  // Pending timers keep the realm alive (Node's rule): retained while there is at least one.
  const timerCount = (delta) => {
    if (delta > 0 && timers.size === 1) {
      native.retain();
    } else if (delta < 0 && timers.size === 0) {
      native.release();
    }
  };
  const startTimer = (handler, timeout, args, repeat) => {
    const callback = typeof handler === 'function' ? handler : String(handler);
    let delay = Number(timeout) | 0; // WebIDL long; HTML: a negative timeout is 0
    if (delay < 0) {
      delay = 0;
    }
    const id = nextTimerId++;
    timers.set(id, { callback, args, repeat, delay });
    timerCount(+1);
    native.schedule(id, delay);
    return id;
  };
  const stopTimer = (id) => {
    if (timers.delete(Number(id))) {
      timerCount(-1);
    }
  };
  const fireTimer = (id) => {
    const t = timers.get(id);
    if (t === undefined) {
      return;
    }
    if (!t.repeat) {
      timers.delete(id);
      timerCount(-1);
    }
    try {
      if (typeof t.callback === 'function') {
        Reflect.apply(t.callback, globalThis, t.args);
      } else {
        (0, eval)(t.callback);
      }
    } catch (error) {
      reportException(error);
    }
    if (t.repeat && timers.get(id) === t) {
      native.schedule(id, t.delay);
    }
  };
  function setTimeout(handler, timeout = 0, ...args) {
    requireArgs(arguments.length, 1, "'setTimeout'");
    return startTimer(handler, timeout, args, false);
  }
  function setInterval(handler, timeout = 0, ...args) {
    requireArgs(arguments.length, 1, "'setInterval'");
    return startTimer(handler, timeout, args, true);
  }
  function clearTimeout(id = 0) { stopTimer(id); }
  function clearInterval(id = 0) { stopTimer(id); }
  function queueMicrotask(callback) {
    requireArgs(arguments.length, 1, "'queueMicrotask'");
    if (typeof callback !== 'function') {
      throw new TypeError("Failed to execute 'queueMicrotask': parameter 1 is not of type 'Function'.");
    }
    Promise.resolve().then(() => {
      try {
        callback();
      } catch (error) {
        reportException(error);
      }
    });
  }
  function structuredClone(value, options = undefined) {
    requireArgs(arguments.length, 1, "'structuredClone'");
    // JsCodec.structuredClone converts the options dictionary and its transfer list (once)
    return native.structuredClone(value, options);
  }
  function reportError(error) {
    requireArgs(arguments.length, 1, "'reportError'");
    reportException(error);
  }

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

  // ---------------------------------------------------------------- the global scope
  // The global object becomes an EventTarget (as Window and WorkerGlobalScope are).
  const GlobalScope = function GlobalScope() { throw new TypeError('Illegal constructor'); };
  GlobalScope.prototype = Object.create(EventTarget.prototype, { constructor: { value: GlobalScope, configurable: true, writable: true } });
  Object.setPrototypeOf(globalThis, GlobalScope.prototype);
  targetSlotsOf(globalThis);
  handlerAttribute(GlobalScope.prototype, 'onerror');
  handlerAttribute(GlobalScope.prototype, 'onunhandledrejection');

  // WebIDL §3.7.3: each interface prototype object's @@toStringTag is the interface name (so
  // Object.prototype.toString gives "[object MessagePort]").
  for (const iface of [DOMException, Event, EventTarget, MessageEvent, ErrorEvent, PromiseRejectionEvent,
    MessagePort, MessageChannel, BroadcastChannel, Worker, AbortController, AbortSignal]) {
    Object.defineProperty(iface.prototype, Symbol.toStringTag, { value: iface.name, configurable: true });
  }
  define(globalThis, {
    DOMException, Event, EventTarget, MessageEvent, ErrorEvent, PromiseRejectionEvent, MessagePort, MessageChannel,
    BroadcastChannel, Worker, setTimeout, setInterval, clearTimeout, clearInterval, queueMicrotask,
    structuredClone, reportError, AbortController, AbortSignal,
  });
  Object.defineProperty(globalThis, 'self', { value: globalThis, writable: true, configurable: true, enumerable: true });

  // The other globals live in files of their own (JsRealm evaluates them; each is a function of these
  // helpers): url.js (URL, URLSearchParams), encoding.js (TextEncoder/TextDecoder, atob/btoa, Blob,
  // File), fetch.js (Headers, Response), scope.js (the global scope's interfaces, location, navigator, performance, ...), console.js.
  const helpers = {
    native, kind, CONSTRUCT, define, constants, slot, requireArgs, dictionary, sequence, DOMException,
    Event, EventTarget, eventSlots, targetSlotsOf, handlerAttribute, dispatch, trusted, reportException,
    GlobalScope, transferArgument,
  };
  for (const part of parts) {
    part(helpers);
  }
  // HTML §2.7.3 step 22-23: [Serializable] platform objects give their data (encoding.js: Blob, File);
  // the other platform objects here are not serializable
  const platformObject = (value) => {
    const serializable = helpers.serializable(value);
    if (serializable !== false) {
      return serializable;
    }
    if (eventSlots.has(value) || targetSlots.has(value) || channelSlots.has(value) || controllerSlots.has(value)
        || helpers.isResponse(value)) {
      return [Object.prototype.toString.call(value).slice(8, -1)];
    }
    return false;
  };

  return {
    raise, wrapPort, portOf, dispatchMessage, dispatchSimple, workerError, fireTimer, reportException,
    // the codec's check (JsCodecHelpers describe): true for a port, [interface, data] for a serializable
    // platform object, [interface] for one that is not (a DataCloneError), false for anything else
    isMessagePort: (value) => (portSlots.has(value) ? true : platformObject(value)),
    revive: (iface, data) => helpers.revive(iface, data),
  };
})
