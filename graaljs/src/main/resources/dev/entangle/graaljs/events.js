// entangle for GraalJS: DOM events (dom.spec.whatwg.org "Interface Event", "Interface EventTarget",
// "Dispatching events"), HTML's event handler attributes (§8.1.8.1) and ErrorEvent (§8.1.7.2); the
// global object becomes an EventTarget too.
//
// Evaluated once per realm; its value is a function of prelude.js's helpers. Internal state lives in
// WeakMaps keyed by the Web objects, so scripts cannot reach it and the global object can be an
// EventTarget. What a later file adds is reached through `h` when used: h.isAbortSignal (abort.js),
// h.reportException (errors.js).
(function (h) {
  'use strict';
  const { native, define, constants, slot, requireArgs, dictionary, tag, DOMException } = h;
  const eventSlots = new WeakMap();
  const targetSlots = new WeakMap();
  const errorSlots = new WeakMap();

  // ---------------------------------------------------------------- Event (DOM "Interface Event")
  const NONE = 0, CAPTURING_PHASE = 1, AT_TARGET = 2, BUBBLING_PHASE = 3;
  const newSlots = (type, bubbles, cancelable, composed, isTrusted, timeStamp) => ({
    type,
    bubbles,
    cancelable,
    composed,
    target: null,
    currentTarget: null,
    phase: NONE,
    canceled: false,
    stopPropagation: false,
    stopImmediate: false,
    dispatching: false,
    initialized: true,
    inPassiveListener: false,
    isTrusted,
    timeStamp,
  });
  const eventInit = (self, type, init) => {
    eventSlots.set(self, newSlots(String(type), !!init.bubbles, !!init.cancelable, !!init.composed, false,
        native.now()));
  };
  // Makes `event`, a new object of an Event interface's prototype (Object.create of a prototype whose
  // constructors add no fields), an event the platform fires (isTrusted; not bubbling, cancelable or
  // composed), without the constructor's argument conversions: what `new` gives after them. Returns
  // its slots. `timeStamp` is the realm's clock, read by the caller.
  const platformEvent = (event, type, timeStamp) => {
    const e = newSlots(type, false, false, false, true, timeStamp);
    eventSlots.set(event, e);
    return e;
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
      if (signal !== NO_SIGNAL && !h.isAbortSignal(signal)) { // null too: the member is not nullable
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
    atTarget(e, target);
    try {
      yield* invokeSteps(target, event, e, true);
      yield* invokeSteps(target, event, e, false);
    } finally {
      dispatched(e);
    }
    return !e.canceled;
  }
  // The event's state while it is dispatched at `target`, and after.
  const atTarget = (e, target) => {
    e.dispatching = true;
    e.target = target;
    e.currentTarget = target;
    e.phase = AT_TARGET;
  };
  const dispatched = (e) => {
    e.phase = NONE;
    e.currentTarget = null;
    e.dispatching = false;
    e.stopPropagation = false;
    e.stopImmediate = false;
  };
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
      invokeListener(s, target, event, e, l);
      if (e.stopImmediate) {
        return;
      }
      yield;
    }
  }
  // DOM "inner invoke" for one listener `l` of target slots `s`.
  const invokeListener = (s, target, event, e, l) => {
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
      h.reportException(error); // errors.js
    } finally {
      e.inPassiveListener = false;
    }
  };
  // The platform's dispatch of a new event (`e` its slots) at a target with at most one listener for
  // its type: what dispatchSteps does, without the generator (nothing runs between listeners when
  // there is one, so Java need not step it). Returns null when done, or, for a target with more
  // listeners, the steps of dispatchSteps for Java to run.
  const dispatchPlatform = (target, event, e) => {
    const s = targetSlots.get(target);
    const list = s === undefined ? undefined : s.listeners.get(e.type);
    if (list !== undefined && list.length > 1) {
      return dispatchSteps(target, event);
    }
    atTarget(e, target);
    try {
      if (list !== undefined && list.length === 1) {
        invokeListener(s, target, event, e, list[0]);
      }
    } finally {
      dispatched(e);
    }
    return null;
  };

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
    if (target === globalThis && errorSlots.has(event) && event.type === 'error') {
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

  // A trusted event of the platform (isTrusted true), which these files dispatch for Java.
  const trusted = (event) => {
    eventSlots.get(event).isTrusted = true;
    return event;
  };

  // ---------------------------------------------------------------- the global scope
  // The global object becomes an EventTarget (as Window and WorkerGlobalScope are); scope.js gives a
  // worker's its interfaces.
  const GlobalScope = function GlobalScope() { throw new TypeError('Illegal constructor'); };
  GlobalScope.prototype = Object.create(EventTarget.prototype, { constructor: { value: GlobalScope, configurable: true, writable: true } });
  Object.setPrototypeOf(globalThis, GlobalScope.prototype);
  targetSlotsOf(globalThis);
  Object.defineProperty(globalThis, 'self', { value: globalThis, writable: true, configurable: true, enumerable: true });

  for (const iface of [Event, EventTarget, ErrorEvent]) {
    tag(iface);
  }
  define(globalThis, { Event, EventTarget, ErrorEvent });

  Object.assign(h, {
    Event, EventTarget, ErrorEvent, eventSlots, targetSlotsOf, reinitialize, dispatch, dispatchSteps,
    dispatchPlatform, platformEvent,
    handlerAttribute, trusted, GlobalScope,
    isEvent: (v) => eventSlots.has(v),
    isEventTarget: (v) => targetSlots.has(v),
  });
})
