// entangle for GraalJS: the global scope of a realm, after prelude.js made it an EventTarget.
//
// Evaluated once per realm; its value is a function of prelude.js's helpers. A worker's global object
// is a DedicatedWorkerGlobalScope (HTML §10.2.1: `self instanceof WorkerGlobalScope`), with
// `location` (WorkerLocation), `navigator` (WorkerNavigator), `importScripts`, `name`, `postMessage`,
// `close` and `onmessage`. The main realm is no worker (none of those worker-only members) and no
// Window (no document): it has `location` (Location, read-only) and `navigator` (Navigator). Both get
// `performance` (HR-Time), `CustomEvent` (DOM), `origin`, `isSecureContext`, `crossOriginIsolated`.
// Interface members are accessors and methods checking their receiver, as WebIDL makes them.
(function (h) {
  'use strict';
  const { native, kind, define, requireArgs, dictionary, slot, CONSTRUCT, Event, EventTarget,
    handlerAttribute, GlobalScope, transferArgument, targetSlotsOf } = h;

  const tag = (iface) => Object.defineProperty(iface.prototype, Symbol.toStringTag,
      { value: iface.name, configurable: true });
  // a readonly attribute of the global object itself (WebIDL [Global]: members live on the object)
  const readonly = (object, name, get) => Object.defineProperty(object, name, {
    get: { [name]() { return get(); } }[name], configurable: true, enumerable: true });
  const illegalConstructor = () => { throw new TypeError('Illegal constructor'); };

  // ---------------------------------------------------------------- CustomEvent (DOM §2.4)
  const customSlots = new WeakMap();
  class CustomEvent extends Event {
    constructor(type, eventInitDict = undefined) {
      requireArgs(arguments.length, 1, "'CustomEvent' constructor");
      const init = dictionary(eventInitDict, "'CustomEvent' constructor");
      super(type, init);
      customSlots.set(this, { detail: init.detail === undefined ? null : init.detail });
    }
    get detail() { return slot(customSlots, this, 'CustomEvent').detail; }
    initCustomEvent(type, bubbles = false, cancelable = false, detail = null) {
      requireArgs(arguments.length, 1, "'initCustomEvent' on 'CustomEvent'");
      const c = slot(customSlots, this, 'CustomEvent');
      if (h.eventSlots.get(this).dispatching) {
        return;
      }
      this.initEvent(type, bubbles, cancelable);
      c.detail = detail;
    }
  }
  tag(CustomEvent);

  // ---------------------------------------------------------------- Location / WorkerLocation (HTML §7.2, §10.2.8)
  // The URL's parts as URL (url.js) gives them; read-only: a worker cannot navigate.
  const locationSlots = new WeakMap();
  const locationClass = (name) => {
    const C = { [name]: class {
      constructor(token = undefined, href = undefined) {
        if (token !== CONSTRUCT) {
          illegalConstructor();
        }
        locationSlots.set(this, new URL(href));
      }
      toString() { return slot(locationSlots, this, name).href; }
    } }[name];
    for (const part of ['href', 'origin', 'protocol', 'host', 'hostname', 'port', 'pathname', 'search', 'hash']) {
      Object.defineProperty(C.prototype, part, {
        get: { [part]() { return slot(locationSlots, this, name)[part]; } }[part],
        configurable: true, enumerable: true });
    }
    tag(C);
    return C;
  };
  const Location = locationClass(kind === 'worker' ? 'WorkerLocation' : 'Location');
  const location = new Location(CONSTRUCT, native.location());

  // ---------------------------------------------------------------- Navigator / WorkerNavigator (HTML §8.9.1)
  const navigatorClass = (name) => {
    const C = { [name]: class {
      constructor(token = undefined) {
        if (token !== CONSTRUCT) {
          illegalConstructor();
        }
      }
    } }[name];
    const props = {
      appCodeName: 'Mozilla', appName: 'Netscape', appVersion: '5.0 (entangle)', platform: '', product: 'Gecko',
      userAgent: 'Mozilla/5.0 (entangle; GraalJS)', language: 'en-US', onLine: true,
      hardwareConcurrency: native.hardwareConcurrency(),
    };
    for (const [prop, value] of Object.entries(props)) {
      Object.defineProperty(C.prototype, prop, { get: { [prop]() { return value; } }[prop], configurable: true, enumerable: true });
    }
    Object.defineProperty(C.prototype, 'languages', {
      get: function languages() { return languageList; }, configurable: true, enumerable: true });
    tag(C);
    return C;
  };
  const languageList = Object.freeze(['en-US']);
  const Navigator = navigatorClass(kind === 'worker' ? 'WorkerNavigator' : 'Navigator');
  const navigator = new Navigator(CONSTRUCT);

  // ---------------------------------------------------------------- Performance (HR-Time §4)
  const timeOrigin = native.timeOrigin();
  class Performance extends EventTarget {
    constructor(token = undefined) {
      if (token !== CONSTRUCT) {
        illegalConstructor();
      }
      super();
    }
    now() { checkPerformance(this); return native.now(); }
    get timeOrigin() { checkPerformance(this); return timeOrigin; }
    toJSON() { checkPerformance(this); return { timeOrigin }; }
  }
  const performance = new Performance(CONSTRUCT);
  const checkPerformance = (self) => {
    if (self !== performance) {
      throw new TypeError('Illegal invocation: receiver is not a Performance');
    }
  };
  tag(Performance);

  // ---------------------------------------------------------------- the global object
  define(globalThis, { CustomEvent, Performance, [Location.name]: Location, [Navigator.name]: Navigator });
  readonly(globalThis, 'location', () => location);
  readonly(globalThis, 'navigator', () => navigator);
  readonly(globalThis, 'performance', () => performance);
  readonly(globalThis, 'origin', () => location.origin);
  readonly(globalThis, 'isSecureContext', () => true);
  readonly(globalThis, 'crossOriginIsolated', () => false);

  if (kind !== 'worker') {
    return;
  }
  // HTML §10.2.1.1 WorkerGlobalScope and §10.2.1.2 DedicatedWorkerGlobalScope: real interfaces, the
  // global object an instance (its prototype chain DedicatedWorkerGlobalScope → WorkerGlobalScope →
  // EventTarget); their constructors are illegal.
  class WorkerGlobalScope extends EventTarget {
    constructor() { super(); illegalConstructor(); }
  }
  class DedicatedWorkerGlobalScope extends WorkerGlobalScope {
    constructor() { super(); }
  }
  tag(WorkerGlobalScope);
  tag(DedicatedWorkerGlobalScope);
  // the handlers prelude.js put on its anonymous global prototype move to WorkerGlobalScope's
  for (const name of ['onerror', 'onunhandledrejection']) {
    Object.defineProperty(WorkerGlobalScope.prototype, name, Object.getOwnPropertyDescriptor(GlobalScope.prototype, name));
  }
  for (const name of ['onlanguagechange', 'onoffline', 'ononline', 'onrejectionhandled']) {
    handlerAttribute(WorkerGlobalScope.prototype, name);
  }
  handlerAttribute(DedicatedWorkerGlobalScope.prototype, 'onmessage');
  handlerAttribute(DedicatedWorkerGlobalScope.prototype, 'onmessageerror');
  Object.setPrototypeOf(globalThis, DedicatedWorkerGlobalScope.prototype);
  define(globalThis, { WorkerGlobalScope, DedicatedWorkerGlobalScope });
  // `self` of a worker is a plain readonly attribute (Window's is [Replaceable]): `self = 1` is ignored
  readonly(globalThis, 'self', () => globalThis);
  readonly(globalThis, 'name', () => workerName);
  const workerName = native.workerName();
  define(globalThis, {
    importScripts: function importScripts(...urls) {
      native.importScripts(urls.map(String));
    },
    postMessage: function postMessage(message, transfer = undefined) {
      requireArgs(arguments.length, 1, "'postMessage' on 'DedicatedWorkerGlobalScope'");
      native.postToParent(message, transferArgument(transfer, "'postMessage' on 'DedicatedWorkerGlobalScope'"));
    },
    close: function close() { native.closeWorker(); },
  });
  // Node's rule: the worker global with a message listener keeps the worker alive
  targetSlotsOf(globalThis).onMessageListeners = (count) => native.listenToParent(count > 0);
})
