// entangle for GraalJS: the global scope of a realm, after events.js made it an EventTarget.
//
// Evaluated once per realm; its value is a function of prelude.js's helpers. A worker's global object
// is a DedicatedWorkerGlobalScope (HTML §10.2.1: `self instanceof WorkerGlobalScope`), with
// `location` (WorkerLocation), `navigator` (WorkerNavigator), `importScripts`, `name`, `postMessage`,
// `close` and `onmessage`. The main realm is no worker (none of those worker-only members but `close`,
// which ends the program as Deno's main `close()` does) and no Window (no document): it has `location`
// (Location, read-only) and `navigator` (Navigator). Both get
// `performance` (HR-Time), `CustomEvent` (DOM), `origin`, `isSecureContext`, `crossOriginIsolated`.
// Interface members are accessors and methods checking their receiver, as WebIDL makes them.
(function (h) {
  'use strict';
  const { native, kind, define, requireArgs, dictionary, slot, CONSTRUCT, DOMException, Event, EventTarget,
    handlerAttribute, GlobalScope, transferArgument, oneRequired, targetSlotsOf } = h;

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
        let url;
        try {
          url = new URL(href);
        } catch (e) { // a host's script named by no URL
          url = new URL('about:blank');
        }
        locationSlots.set(this, url);
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
  // Made on first read (a main realm's once bound: h.bound below): the script's URL is known only once
  // the realm is bound to its worker (a spare realm is evaluated before that: JsSpareRealm).
  let locationObject;
  const location = () => locationObject ?? (locationObject = new Location(CONSTRUCT, native.location()));

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

  // ---------------------------------------------------------------- Performance (HR-Time §4, User Timing §3, Performance Timeline)
  // A realm's performance timeline holds the marks and measures of User Timing (no resource or
  // navigation entries: nothing here is fetched over a network or navigated).
  const timeOrigin = () => native.timeOrigin(); // set when the realm is bound to its worker
  const entrySlots = new WeakMap();
  class PerformanceEntry {
    constructor(token = undefined, name = '', entryType = '', startTime = 0, duration = 0, detail = null) {
      if (token !== CONSTRUCT) {
        illegalConstructor();
      }
      entrySlots.set(this, { name, entryType, startTime, duration, detail });
    }
    get name() { return slot(entrySlots, this, 'PerformanceEntry').name; }
    get entryType() { return slot(entrySlots, this, 'PerformanceEntry').entryType; }
    get startTime() { return slot(entrySlots, this, 'PerformanceEntry').startTime; }
    get duration() { return slot(entrySlots, this, 'PerformanceEntry').duration; }
    toJSON() {
      const e = slot(entrySlots, this, 'PerformanceEntry');
      return { name: e.name, entryType: e.entryType, startTime: e.startTime, duration: e.duration };
    }
  }
  class PerformanceMark extends PerformanceEntry {
    constructor(markName, markOptions = undefined) {
      requireArgs(arguments.length, 1, "'PerformanceMark' constructor");
      const o = dictionary(markOptions, "'PerformanceMark' constructor");
      const startTime = o.startTime === undefined ? native.now() : Number(o.startTime);
      if (startTime < 0) {
        throw new TypeError("Failed to construct 'PerformanceMark': startTime cannot be negative.");
      }
      super(CONSTRUCT, String(markName), 'mark', startTime, 0,
          o.detail === undefined ? null : structuredClone(o.detail));
    }
    get detail() { return slot(entrySlots, this, 'PerformanceMark').detail; }
  }
  class PerformanceMeasure extends PerformanceEntry {
    constructor(token = undefined, ...args) {
      if (token !== CONSTRUCT) {
        illegalConstructor();
      }
      super(CONSTRUCT, ...args);
    }
    get detail() { return slot(entrySlots, this, 'PerformanceMeasure').detail; }
  }
  const timeline = [];
  const markTime = (name) => {
    if (typeof name === 'number') {
      return name;
    }
    for (let i = timeline.length - 1; i >= 0; i--) {
      const e = entrySlots.get(timeline[i]);
      if (e.entryType === 'mark' && e.name === name) {
        return e.startTime;
      }
    }
    throw new DOMException(`Failed to execute 'measure' on 'Performance': The mark '${name}' does not exist.`, 'SyntaxError');
  };
  const entries = (filter) => timeline.filter((entry) => filter(entrySlots.get(entry)))
    .sort((a, b) => entrySlots.get(a).startTime - entrySlots.get(b).startTime);
  const clear = (type, name) => {
    for (let i = timeline.length - 1; i >= 0; i--) {
      const e = entrySlots.get(timeline[i]);
      if (e.entryType === type && (name === undefined || e.name === String(name))) {
        timeline.splice(i, 1);
      }
    }
  };
  class Performance extends EventTarget {
    constructor(token = undefined) {
      if (token !== CONSTRUCT) {
        illegalConstructor();
      }
      super();
    }
    now() { checkPerformance(this); return native.now(); }
    get timeOrigin() { checkPerformance(this); return timeOrigin(); }
    toJSON() { checkPerformance(this); return { timeOrigin: timeOrigin() }; }
    mark(markName, markOptions = undefined) {
      checkPerformance(this);
      requireArgs(arguments.length, 1, "'mark' on 'Performance'");
      const mark = new PerformanceMark(markName, markOptions);
      timeline.push(mark);
      return mark;
    }
    measure(measureName, startOrMeasureOptions = undefined, endMark = undefined) {
      checkPerformance(this);
      requireArgs(arguments.length, 1, "'measure' on 'Performance'");
      let start = 0, end, detail = null;
      if (typeof startOrMeasureOptions === 'object' && startOrMeasureOptions !== null) {
        const o = startOrMeasureOptions;
        start = o.start === undefined ? 0 : markTime(o.start);
        end = o.end !== undefined ? markTime(o.end)
          : o.duration !== undefined ? start + Number(o.duration) : native.now();
        detail = o.detail === undefined ? null : structuredClone(o.detail);
      } else {
        start = startOrMeasureOptions === undefined ? 0 : markTime(String(startOrMeasureOptions));
        end = endMark === undefined ? native.now() : markTime(String(endMark));
      }
      const measure = new PerformanceMeasure(CONSTRUCT, String(measureName), 'measure', start, end - start, detail);
      timeline.push(measure);
      return measure;
    }
    clearMarks(markName = undefined) { checkPerformance(this); clear('mark', markName); }
    clearMeasures(measureName = undefined) { checkPerformance(this); clear('measure', measureName); }
    getEntries() { checkPerformance(this); return entries(() => true); }
    getEntriesByType(type) {
      checkPerformance(this);
      requireArgs(arguments.length, 1, "'getEntriesByType' on 'Performance'");
      return entries((e) => e.entryType === String(type));
    }
    getEntriesByName(name, type = undefined) {
      checkPerformance(this);
      requireArgs(arguments.length, 1, "'getEntriesByName' on 'Performance'");
      return entries((e) => e.name === String(name) && (type === undefined || e.entryType === String(type)));
    }
    // Resource Timing: no resource entries are ever recorded here
    clearResourceTimings() { checkPerformance(this); }
    setResourceTimingBufferSize(maxSize) { checkPerformance(this); requireArgs(arguments.length, 1, "'setResourceTimingBufferSize' on 'Performance'"); }
  }
  const performance = new Performance(CONSTRUCT);
  const checkPerformance = (self) => {
    if (self !== performance) {
      throw new TypeError('Illegal invocation: receiver is not a Performance');
    }
  };
  for (const iface of [Performance, PerformanceEntry, PerformanceMark, PerformanceMeasure]) {
    tag(iface);
  }

  // ---------------------------------------------------------------- the global object
  define(globalThis, { CustomEvent, Performance, PerformanceEntry, PerformanceMark, PerformanceMeasure,
    [Location.name]: Location, [Navigator.name]: Navigator });
  h.origin = () => location().origin; // a BroadcastChannel message's origin (HTML §9.5 step 8)
  // HTML §2.7.2: without cross-origin isolation SharedArrayBuffer is not exposed (its constructor is
  // removed; `new WebAssembly.Memory({shared: true})` would still make one, where WebAssembly exists)
  delete globalThis.SharedArrayBuffer;
  delete globalThis.print; // GraalJS's shell function; Window's print() is not a worker's, and console prints
  delete globalThis.printErr;
  delete globalThis[Symbol.toStringTag]; // GraalJS's "global": the interface's tag shows instead (WebIDL §3.7.3)
  readonly(globalThis, 'location', location);
  // Once the realm is bound (JsRealm.bind): a main realm makes its location then, which does the engine's
  // one-time work of parsing a URL before its script runs (a worker's is made on first read; its realm
  // may be a spare, made before its URL is known).
  h.bound = () => {
    if (kind === 'main') {
      location();
    }
  };
  readonly(globalThis, 'navigator', () => navigator);
  readonly(globalThis, 'performance', () => performance);
  readonly(globalThis, 'origin', () => location().origin);
  readonly(globalThis, 'isSecureContext', () => true);
  readonly(globalThis, 'crossOriginIsolated', () => false);

  if (kind !== 'worker') {
    // Decision (as Deno's main): close() ends the program; the other worker members stay absent
    define(globalThis, { close: function close() { native.closeWorker(); } });
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
  // the handlers errors.js put on the anonymous global prototype (events.js) move to WorkerGlobalScope's
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
  let workerName; // known once the realm is bound to its worker
  readonly(globalThis, 'name', () => workerName ?? (workerName = native.workerName()));
  define(globalThis, {
    importScripts: function importScripts(...urls) {
      native.importScripts(urls.map(String));
    },
    postMessage: oneRequired(function postMessage(...args) { // (as MessagePort's)
      if (args.length < 1) {
        requireArgs(args.length, 1, "'postMessage' on 'DedicatedWorkerGlobalScope'");
      }
      const transfer = args[1];
      native.postToParent(args[0], transfer === undefined ? null
        : transferArgument(transfer, "'postMessage' on 'DedicatedWorkerGlobalScope'"));
    }),
    close: function close() { native.closeWorker(); },
  });
  // HTML §8.10 AnimationFrameProvider of a dedicated worker: the callbacks registered before a frame run
  // together at its time (a frame every 16 ms while callbacks are waiting; no display drives it here).
  let frameCallbacks = new Map(), nextFrameId = 1, frameTimer = 0;
  const runFrame = () => {
    frameTimer = 0;
    const callbacks = frameCallbacks;
    frameCallbacks = new Map();
    const now = native.now();
    for (const [, callback] of callbacks) {
      try {
        callback(now);
      } catch (error) {
        h.reportException(error);
      }
    }
  };
  define(globalThis, {
    requestAnimationFrame: function requestAnimationFrame(callback) {
      requireArgs(arguments.length, 1, "'requestAnimationFrame' on 'DedicatedWorkerGlobalScope'");
      if (typeof callback !== 'function') {
        throw new TypeError("Failed to execute 'requestAnimationFrame': parameter 1 is not of type 'Function'.");
      }
      const id = nextFrameId++;
      frameCallbacks.set(id, callback);
      if (frameTimer === 0) {
        frameTimer = setTimeout(runFrame, 16);
      }
      return id;
    },
    cancelAnimationFrame: function cancelAnimationFrame(handle) {
      requireArgs(arguments.length, 1, "'cancelAnimationFrame' on 'DedicatedWorkerGlobalScope'");
      frameCallbacks.delete(Number(handle));
    },
  });
  // Node's rule: the worker global with a message listener keeps the worker alive
  targetSlotsOf(globalThis).onMessageListeners = (count) => native.listenToParent(count > 0);
})
