// entangle for GraalJS: channel messaging (HTML §9.4: MessageEvent, MessagePort, MessageChannel),
// BroadcastChannel (§9.5) and `structuredClone` (§2.7.10).
//
// Evaluated once per realm; its value is a function of prelude.js's helpers. A JS MessagePort wraps
// one entangle port; the messages' data is serialized and deserialized by JsCodec (Java).
(function (h) {
  'use strict';
  const { native, CONSTRUCT, define, slot, requireArgs, dictionary, sequence, tag, Event, EventTarget,
    reinitialize, dispatchPlatform, platformEvent, handlerAttribute, targetSlotsOf } = h;
  const messageSlots = new WeakMap();
  const portSlots = new WeakMap();
  const channelSlots = new WeakMap();
  const broadcastSlots = new WeakMap();

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
    get data() {
      const m = messageSlots.get(this); // undefined for any other receiver, object or not
      return (m === undefined ? slot(messageSlots, this, 'MessageEvent') : m).data;
    }
    get origin() { return slot(messageSlots, this, 'MessageEvent').origin; }
    get lastEventId() { return slot(messageSlots, this, 'MessageEvent').lastEventId; }
    get source() { return slot(messageSlots, this, 'MessageEvent').source; }
    get ports() {
      const m = slot(messageSlots, this, 'MessageEvent');
      if (m.ports === null) { // an event of the platform that carried no ports: made on first read
        m.ports = Object.freeze([]);
      }
      return m.ports;
    }
    initMessageEvent(type, bubbles = false, cancelable = false, data = null, origin = '', lastEventId = '',
        source = null, ports = []) {
      requireArgs(arguments.length, 1, "'initMessageEvent' on 'MessageEvent'");
      const m = slot(messageSlots, this, 'MessageEvent');
      const s = h.eventSlots.get(this);
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

  // ---------------------------------------------------------------- MessagePort and MessageChannel (HTML §9.4)
  // A JS MessagePort wraps one entangle port. `arriving` gives a port carried by the message being
  // dispatched one wrapper, both in the data and in event.ports (HTML: they are the same objects).
  // Emptied once a message's data and ports are wrapped (dispatchMessage, structuredClone): later
  // arrivals get new objects.
  let arriving = new Map();
  const endArrival = () => {
    if (arriving.size !== 0) {
      arriving = new Map();
    }
  };
  // The postMessage overloads (WebIDL): an iterable second argument is the transfer list, anything else
  // the options dictionary. The list goes to Java unconverted: JsCodec converts it (sequence<object>)
  // once, with the transfer steps. No list, and an empty Array whose iteration no script changed (its
  // conversion runs no code and gives the empty sequence), go as null: Java then skips the transfer steps.
  const arrayValues = Array.prototype[Symbol.iterator];
  const ArrayIteratorPrototype = Object.getPrototypeOf([][Symbol.iterator]());
  const arrayIteratorNext = ArrayIteratorPrototype.next;
  const isArray = Array.isArray;
  const emptyList = (list) => isArray(list) && list.length === 0 && list[Symbol.iterator] === arrayValues
      && ArrayIteratorPrototype.next === arrayIteratorNext;
  // WebIDL: an operation's length is its shortest overload's argument count (postMessage: 1)
  const oneRequired = (operation) => Object.defineProperty(operation, 'length', { value: 1 });
  const transferArgument = (transfer, what) => {
    if (transfer === undefined || transfer === null) {
      return null;
    }
    if (typeof transfer === 'object' && typeof transfer[Symbol.iterator] === 'function') {
      return emptyList(transfer) ? null : transfer;
    }
    const options = dictionary(transfer, what);
    const list = options.transfer;
    return list === undefined || emptyList(list) ? null : list;
  };
  class MessagePort extends EventTarget {
    #p;
    constructor(token = undefined, javaPort = undefined) {
      if (token !== CONSTRUCT) {
        throw new TypeError('Illegal constructor');
      }
      super();
      const p = { javaPort, listener: null };
      portSlots.set(this, p); // for values of any kind (portOf, isPort); this.#p for the receiver of a method
      this.#p = p;
      p.listener = native.bind(javaPort, this); // the entangle port's events now reach this object
      targetSlotsOf(this).onMessageListeners = (count) => native.listen(javaPort, p.listener, count > 0);
    }
    // (...args, not `arguments`: a function that reads `arguments` makes an object per call; the
    // length stays 1, below)
    postMessage(...args) {
      if (args.length < 1) {
        requireArgs(args.length, 1, "'postMessage' on 'MessagePort'");
      }
      const p = typeof this === 'object' && this !== null && #p in this ? this.#p
        : slot(portSlots, this, 'MessagePort'); // (which throws the receiver's TypeError)
      const transfer = args[1];
      native.post(p.javaPort, args[0],
          transfer === undefined ? null : transferArgument(transfer, "'postMessage' on 'MessagePort'"));
    }
    start() { native.start(slot(portSlots, this, 'MessagePort').javaPort); }
    close() { native.close(slot(portSlots, this, 'MessagePort').javaPort); }
  }
  oneRequired(MessagePort.prototype.postMessage);
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
      this.#c = { port1, port2 };
      channelSlots.set(this, this.#c); // (isChannel; this.#c for the getters, as MessagePort's #p)
    }
    #c;
    get port1() {
      return (typeof this === 'object' && this !== null && #c in this ? this.#c
        : slot(channelSlots, this, 'MessageChannel')).port1;
    }
    get port2() {
      return (typeof this === 'object' && this !== null && #c in this ? this.#c
        : slot(channelSlots, this, 'MessageChannel')).port2;
    }
  }

  // Java → JS: a `message` or `messageerror` event for `target` (a port, a Worker, a BroadcastChannel or
  // the worker global), with the data already deserialized into this realm and the carried ports.
  // `timeStamp` is the realm's clock when Java took the event. They return null when the dispatch is
  // done (a target with at most one listener for the type), else its steps (dispatchPlatform).
  const MessageEventPrototype = MessageEvent.prototype;
  function dispatchMessage(target, type, data, javaPorts, timeStamp) {
    if (h.terminatedWorker(target)) { // workers.js
      endArrival();
      return null;
    }
    const ports = javaPorts === null ? null : wrapArrivals(javaPorts);
    endArrival();
    const origin = broadcastSlots.has(target) ? h.origin() : ''; // scope.js; HTML §9.5 step 8; ports: ''
    const event = Object.create(MessageEventPrototype);
    const e = platformEvent(event, type, timeStamp);
    messageSlots.set(event,
        { data: type === 'message' ? data : null, origin, lastEventId: '', source: null, ports });
    return dispatchPlatform(target, event, e);
  }
  function dispatchSimple(target, type, timeStamp) {
    if (h.terminatedWorker(target)) { // workers.js
      return null;
    }
    const event = Object.create(Event.prototype);
    return dispatchPlatform(target, event, platformEvent(event, type, timeStamp));
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

  function structuredClone(value, options = undefined) {
    requireArgs(arguments.length, 1, "'structuredClone'");
    if (options === undefined && (typeof value !== 'object' || value === null) && typeof value !== 'function'
        && typeof value !== 'symbol') {
      return value; // a primitive is its own clone (HTML §2.7.3 step 2)
    }
    // JsCodec.structuredClone converts the options dictionary and its transfer list (once)
    try {
      return native.structuredClone(value, options);
    } finally {
      endArrival();
    }
  }

  for (const iface of [MessageEvent, MessagePort, MessageChannel, BroadcastChannel]) {
    tag(iface);
  }
  define(globalThis, { MessageEvent, MessagePort, MessageChannel, BroadcastChannel, structuredClone });

  Object.assign(h, {
    MessageEvent, transferArgument, oneRequired, wrapPort, portOf, dispatchMessage, dispatchSimple,
    isPort: (v) => portSlots.has(v),
    isChannel: (v) => channelSlots.has(v),
  });
})
