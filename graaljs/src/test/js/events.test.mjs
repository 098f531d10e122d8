// Event, EventTarget (DOM Standard), MessageEvent and ErrorEvent constructors (HTML §9.1, §8.1.7.2),
// DOMException (WebIDL §3.14), the interface objects that cannot be called or constructed, and event
// handler attributes (HTML §8.1.8). Each test names the web-platform-tests file it mirrors.
import {
  test, assertEquals, assertSame, assertTrue, assertFalse, assertThrows, assertArrayEquals, assertInstanceOf,
} from './harness.mjs';

// ------------------------------------------------------------------ MessageEvent

// WPT webmessaging/MessageEvent.any.js (constructor defaults), MessageEvent_properties.htm:
// data null, origin "", lastEventId "", source null, ports a frozen empty array (the same each read).
test('new MessageEvent("x") has the dictionary defaults', () => {
  const e = new MessageEvent('x');
  assertEquals(e.type, 'x');
  assertSame(e.data, null);
  assertEquals(e.origin, '');
  assertEquals(e.lastEventId, '');
  assertSame(e.source, null);
  assertArrayEquals(e.ports, []);
  assertTrue(Object.isFrozen(e.ports), 'ports frozen');
  assertSame(e.ports, e.ports, 'ports the same array');
  assertFalse(e.isTrusted, 'a constructed event is not trusted');
  assertFalse(e.bubbles);
  assertFalse(e.cancelable);
  assertInstanceOf(e, Event);
});

// WPT webmessaging/MessageEvent.any.js: the init dictionary's members; ports is a sequence<MessagePort>
// (copied into a frozen array), source a MessageEventSource.
test('new MessageEvent with an init dictionary', (t) => {
  const c = t.channel();
  const data = { any: 'value' };
  const portList = [c.port1, c.port2];
  const e = new MessageEvent('message', {
    data, origin: 'https://example.org', lastEventId: '42', source: c.port1, ports: portList,
    bubbles: true, cancelable: true,
  });
  assertSame(e.data, data, 'data is kept as is (no clone)');
  assertEquals(e.origin, 'https://example.org');
  assertEquals(e.lastEventId, '42');
  assertSame(e.source, c.port1);
  assertArrayEquals(e.ports, portList);
  assertTrue(e.ports !== portList, 'ports is a copy');
  assertTrue(Object.isFrozen(e.ports));
  assertTrue(e.bubbles);
  assertTrue(e.cancelable);
});

// WPT webmessaging/MessageEvent.any.js ("ports must be MessagePorts"): WebIDL conversion throws a TypeError.
test('MessageEvent init: ports that are not MessagePorts or not iterable are a TypeError', () => {
  assertThrows(TypeError, () => new MessageEvent('message', { ports: [1] }));
  assertThrows(TypeError, () => new MessageEvent('message', { ports: [{}] }));
  assertThrows(TypeError, () => new MessageEvent('message', { ports: 0 }));
  assertThrows(TypeError, () => new MessageEvent('message', { source: {} }));
  assertThrows(TypeError, () => new MessageEvent());
});

// WPT webmessaging/MessageEvent_initMessageEvent_method.htm: initMessageEvent sets every attribute.
test('initMessageEvent sets type, flags, data, origin, lastEventId, source and ports', (t) => {
  const c = t.channel();
  const e = new MessageEvent('before');
  e.initMessageEvent('after', true, true, 'payload', 'origin', 'id', c.port2, [c.port1]);
  assertEquals(e.type, 'after');
  assertTrue(e.bubbles);
  assertTrue(e.cancelable);
  assertEquals(e.data, 'payload');
  assertEquals(e.origin, 'origin');
  assertEquals(e.lastEventId, 'id');
  assertSame(e.source, c.port2);
  assertArrayEquals(e.ports, [c.port1]);
  assertTrue(Object.isFrozen(e.ports));
  const d = new MessageEvent('x', { data: 1 });
  d.initMessageEvent('y');
  assertEquals(d.type, 'y');
  assertSame(d.data, null, 'initMessageEvent defaults data to null');
  assertArrayEquals(d.ports, []);
  assertThrows(TypeError, () => d.initMessageEvent('z', false, false, null, '', '', null, [1]));
});

// ------------------------------------------------------------------ ErrorEvent

// WPT html/webappapis/scripting/processing-model-2/ (ErrorEvent constructor defaults): message "",
// filename "", lineno 0, colno 0, error null (this realm's choice for the `any` member's default).
test('new ErrorEvent defaults and init', () => {
  const d = new ErrorEvent('error');
  assertEquals(d.message, '');
  assertEquals(d.filename, '');
  assertEquals(d.lineno, 0);
  assertEquals(d.colno, 0);
  assertInstanceOf(d, Event);
  const err = new Error('x');
  const e = new ErrorEvent('error', { message: 'm', filename: 'f.js', lineno: 3, colno: 4, error: err });
  assertArrayEquals([e.message, e.filename, e.lineno, e.colno], ['m', 'f.js', 3, 4]);
  assertSame(e.error, err);
});

// ------------------------------------------------------------------ interface objects

// WPT webmessaging/MessageChannel constructor (WebIDL: calling an interface object without `new` is a
// TypeError); MessagePort has no constructor ("Illegal constructor").
test('MessageChannel() without new, MessagePort() and new MessagePort() throw TypeError', () => {
  assertThrows(TypeError, () => MessageChannel());
  assertThrows(TypeError, () => MessagePort());
  assertThrows(TypeError, () => new MessagePort());
  assertInstanceOf(new MessageChannel().port1, MessagePort);
  assertInstanceOf(new MessageChannel().port1, EventTarget);
});

// WebIDL: operations on a wrong receiver throw TypeError ("Illegal invocation").
test('MessagePort methods on a non-port receiver throw TypeError', () => {
  assertThrows(TypeError, () => MessagePort.prototype.postMessage.call({}, 'x'));
  assertThrows(TypeError, () => MessagePort.prototype.start.call({}));
  assertThrows(TypeError, () => new MessageChannel().port1.postMessage());
});

// WebIDL §3.7.3 (@@toStringTag of interface prototype objects), checked by WPT's idlharness.js
// ("class string of ..."): Object.prototype.toString names the interface.
test('class strings name the interfaces', (t) => {
  const c = t.channel();
  const cases = [
    [new Event('x'), 'Event'], [new MessageEvent('x'), 'MessageEvent'], [new ErrorEvent('x'), 'ErrorEvent'],
    [new EventTarget(), 'EventTarget'], [c, 'MessageChannel'], [c.port1, 'MessagePort'],
    [new DOMException('m'), 'DOMException'], [MessagePort.prototype, 'MessagePort'],
    [new PromiseRejectionEvent('unhandledrejection', { promise: Promise.resolve() }), 'PromiseRejectionEvent'],
  ];
  for (const [value, name] of cases) {
    assertEquals(Object.prototype.toString.call(value), `[object ${name}]`);
  }
  const b = new BroadcastChannel('class-string');
  t.cleanup(() => b.close());
  assertEquals(Object.prototype.toString.call(b), '[object BroadcastChannel]');
  assertEquals(Object.prototype.toString.call(Worker.prototype), '[object Worker]');
});

// ------------------------------------------------------------------ DOMException

// WPT webidl/ecmascript-binding/es-exceptions/DOMException-constructor-behavior.any.js and
// DOMException-constants.any.js: name/message/code, legacy code constants, instanceof Error.
test('DOMException name, message, code and instanceof Error', () => {
  const e = new DOMException('a message', 'DataCloneError');
  assertEquals(e.name, 'DataCloneError');
  assertEquals(e.message, 'a message');
  assertEquals(e.code, 25);
  assertEquals(DOMException.DATA_CLONE_ERR, 25);
  assertEquals(e.DATA_CLONE_ERR, 25);
  assertInstanceOf(e, Error);
  assertInstanceOf(e, DOMException);
  const d = new DOMException();
  assertEquals(d.name, 'Error');
  assertEquals(d.message, '');
  assertEquals(d.code, 0);
  assertEquals(new DOMException('m', 'InvalidStateError').code, 11);
  assertEquals(new DOMException('m', 'NoSuchName').code, 0);
  assertFalse(Object.prototype.hasOwnProperty.call(e, 'message'), 'message is a prototype getter');
});

// ------------------------------------------------------------------ Event / EventTarget

// WPT dom/events/Event-constructors.any.js: defaults, init dictionary, isTrusted false.
test('Event constructor defaults and init dictionary', () => {
  const e = new Event('type');
  assertEquals(e.type, 'type');
  assertFalse(e.bubbles);
  assertFalse(e.cancelable);
  assertFalse(e.defaultPrevented);
  assertFalse(e.isTrusted);
  assertSame(e.target, null);
  assertEquals(e.eventPhase, Event.NONE);
  const f = new Event('t', { bubbles: true, cancelable: true });
  assertTrue(f.bubbles);
  assertTrue(f.cancelable);
  assertThrows(TypeError, () => new Event());
});

// WPT dom/events/EventTarget-dispatchEvent.html: listeners run in order with target/currentTarget set
// and `this` the target; dispatchEvent returns !canceled.
test('dispatchEvent runs listeners in registration order with target and this', () => {
  const target = new EventTarget();
  const log = [];
  target.addEventListener('x', function (e) { log.push(['a', this === target, e.target === target, e.currentTarget === target]); });
  target.addEventListener('x', () => log.push(['b']));
  const result = target.dispatchEvent(new Event('x'));
  assertTrue(result);
  assertEquals(JSON.stringify(log), JSON.stringify([['a', true, true, true], ['b']]));
});

// WPT dom/events/EventTarget-addEventListener.any.js: the same (type, callback, capture) is added once.
test('a duplicate listener is added once; null callback ignored', () => {
  const target = new EventTarget();
  let count = 0;
  const listener = () => count++;
  target.addEventListener('x', listener);
  target.addEventListener('x', listener);
  target.addEventListener('x', null);
  target.dispatchEvent(new Event('x'));
  assertEquals(count, 1);
});

// WPT dom/events/AddEventListenerOptions-once.any.js: a `once` listener runs once and is removed
// before it is called (a nested dispatch does not call it again).
test('once: the listener runs once, also with a nested dispatch', () => {
  const target = new EventTarget();
  let count = 0;
  target.addEventListener('x', () => {
    count++;
    target.dispatchEvent(new Event('x'));
  }, { once: true });
  target.dispatchEvent(new Event('x'));
  target.dispatchEvent(new Event('x'));
  assertEquals(count, 1);
});

// WPT dom/events/EventTarget-removeEventListener.any.js, AddEventListenerOptions-capture (capture is
// part of a listener's identity): removal must name the same capture flag.
test('capture flag is part of the identity for removal', () => {
  const target = new EventTarget();
  let count = 0;
  const listener = () => count++;
  target.addEventListener('x', listener, true);
  target.removeEventListener('x', listener); // capture false: another listener, nothing removed
  target.dispatchEvent(new Event('x'));
  assertEquals(count, 1);
  target.removeEventListener('x', listener, { capture: true });
  target.dispatchEvent(new Event('x'));
  assertEquals(count, 1);
  target.addEventListener('x', listener, false);
  target.addEventListener('x', listener, true);
  target.dispatchEvent(new Event('x'));
  assertEquals(count, 3, 'capture and non-capture registrations are two listeners');
});

// WPT dom/events/EventListener-handleEvent.html: an object listener's handleEvent is called with the
// object as `this`, looked up at each dispatch; without a callable handleEvent the error is reported.
test('handleEvent objects', (t) => {
  const target = new EventTarget();
  const log = [];
  const listener = { handleEvent(e) { log.push([this === listener, e.type]); } };
  target.addEventListener('x', listener);
  target.dispatchEvent(new Event('x'));
  listener.handleEvent = function (e) { log.push(['replaced', e.type]); };
  target.dispatchEvent(new Event('x'));
  assertEquals(JSON.stringify(log), JSON.stringify([[true, 'x'], ['replaced', 'x']]));
  const errors = [];
  const onError = (e) => { e.preventDefault(); errors.push(e.error); };
  self.addEventListener('error', onError);
  t.cleanup(() => self.removeEventListener('error', onError));
  const bad = new EventTarget();
  bad.addEventListener('y', {});
  bad.dispatchEvent(new Event('y'));
  assertEquals(errors.length, 1);
  assertInstanceOf(errors[0], TypeError);
});

// WPT dom/events/Event-stopImmediatePropagation.html: later listeners on the same target are skipped.
test('stopImmediatePropagation skips the remaining listeners', () => {
  const target = new EventTarget();
  const log = [];
  target.addEventListener('x', (e) => { log.push(1); e.stopImmediatePropagation(); });
  target.addEventListener('x', () => log.push(2));
  target.dispatchEvent(new Event('x'));
  assertArrayEquals(log, [1]);
  target.dispatchEvent(new Event('x')); // flags are reset by the next dispatch of a new event
  assertArrayEquals(log, [1, 1]);
});

// WPT dom/events/Event-defaultPrevented.html, Event-dispatch-return-value: preventDefault cancels
// only a cancelable event; dispatchEvent returns false then.
test('preventDefault cancels a cancelable event only', () => {
  const target = new EventTarget();
  target.addEventListener('x', (e) => e.preventDefault());
  const cancelable = new Event('x', { cancelable: true });
  assertFalse(target.dispatchEvent(cancelable));
  assertTrue(cancelable.defaultPrevented);
  const plain = new Event('x');
  assertTrue(target.dispatchEvent(plain));
  assertFalse(plain.defaultPrevented);
});

// WPT dom/events/AddEventListenerOptions-passive.any.js: preventDefault in a passive listener is ignored.
test('preventDefault in a passive listener is ignored', () => {
  const target = new EventTarget();
  target.addEventListener('x', (e) => e.preventDefault(), { passive: true });
  const e = new Event('x', { cancelable: true });
  assertTrue(target.dispatchEvent(e));
  assertFalse(e.defaultPrevented);
});

// WPT dom/events/Event-dispatch-redispatch.html, EventTarget-dispatchEvent.html: dispatching an event
// that is being dispatched throws InvalidStateError; after the dispatch it may be dispatched again.
test('dispatchEvent re-entrancy: InvalidStateError', () => {
  const target = new EventTarget();
  const e = new Event('x');
  let inner = null;
  target.addEventListener('x', () => {
    try {
      target.dispatchEvent(e);
    } catch (err) {
      inner = err;
    }
  }, { once: true });
  target.dispatchEvent(e);
  assertInstanceOf(inner, DOMException);
  assertEquals(inner.name, 'InvalidStateError');
  assertEquals(inner.code, 11);
  assertTrue(target.dispatchEvent(e), 'redispatch after the dispatch ended');
  assertThrows(TypeError, () => target.dispatchEvent({ type: 'x' }));
});

// WPT dom/events/Event-dispatch-handlers-changed.html: listeners added during a dispatch are not
// called by it; listeners removed during it are not called.
test('listeners added during a dispatch are not called; removed ones are skipped', () => {
  const target = new EventTarget();
  const log = [];
  const late = () => log.push('late');
  const removed = () => log.push('removed');
  target.addEventListener('x', () => {
    log.push('first');
    target.addEventListener('x', late);
    target.removeEventListener('x', removed);
  });
  target.addEventListener('x', removed);
  target.dispatchEvent(new Event('x'));
  assertArrayEquals(log, ['first']);
  target.dispatchEvent(new Event('x'));
  assertArrayEquals(log, ['first', 'first', 'late']);
});

// WPT html/webappapis/scripting/events/event-handler-spec-example.window.js (HTML §8.1.8.1): an
// event handler's listener keeps the position of its first non-null assignment; setting it to null
// removes it and a new value goes to the end.
test('an event handler attribute keeps its position among the listeners', (t) => {
  const c = t.channel();
  const port = c.port1;
  const log = [];
  port.addEventListener('message', () => log.push('A'));
  port.onmessage = () => log.push('first handler');
  port.addEventListener('message', () => log.push('C'));
  port.onmessage = () => log.push('handler');
  port.dispatchEvent(new MessageEvent('message'));
  assertArrayEquals(log, ['A', 'handler', 'C']);
  port.onmessage = null;
  port.onmessage = () => log.push('re-added');
  log.length = 0;
  port.dispatchEvent(new MessageEvent('message'));
  assertArrayEquals(log, ['A', 'C', 're-added']);
  assertSame(port.onmessage === null, false);
});

// HTML §8.1.8.1 "the event handler processing algorithm": a handler returning false cancels the event
// (for handlers other than a global's onerror); a non-callable value reads back as null.
test('a handler returning false cancels the event', (t) => {
  const c = t.channel();
  c.port1.onmessage = () => false;
  const e = new MessageEvent('message', { cancelable: true });
  assertFalse(c.port1.dispatchEvent(e));
  assertTrue(e.defaultPrevented);
  c.port1.onmessage = () => 0; // only `false` cancels
  const f = new MessageEvent('message', { cancelable: true });
  assertTrue(c.port1.dispatchEvent(f));
  c.port1.onmessage = 'not callable';
  assertSame(c.port1.onmessage, null);
});

// HTML §8.1.8.1: the global scope's onerror is an OnErrorEventHandler: returning true cancels.
test('self.onerror returning true cancels the error event; false does not', (t) => {
  t.cleanup(() => { self.onerror = null; });
  self.onerror = () => true;
  const e = new ErrorEvent('error', { cancelable: true, message: 'm' });
  assertFalse(self.dispatchEvent(e));
  self.onerror = () => false;
  const f = new ErrorEvent('error', { cancelable: true, message: 'm' });
  assertTrue(self.dispatchEvent(f));
  assertInstanceOf(self, EventTarget);
});

// HTML §8.1.4.7 reportError: an ErrorEvent at the global scope with error = the value.
test('reportError dispatches an ErrorEvent at the global scope', (t) => {
  const seen = [];
  const onError = (e) => { e.preventDefault(); seen.push(e); };
  self.addEventListener('error', onError);
  t.cleanup(() => self.removeEventListener('error', onError));
  const err = new RangeError('reported');
  reportError(err);
  assertEquals(seen.length, 1);
  assertInstanceOf(seen[0], ErrorEvent);
  assertSame(seen[0].error, err);
  assertTrue(seen[0].message.includes('reported'), seen[0].message);
  assertTrue(seen[0].isTrusted);
});

// ------------------------------------------------------------------ AbortController / AbortSignal

// WPT dom/events/AddEventListenerOptions-signal.any.js: aborting the signal removes the listener;
// an already aborted signal adds nothing; a non-AbortSignal `signal` is a TypeError.
test('addEventListener with a signal: abort() removes the listener', () => {
  const target = new EventTarget();
  const controller = new AbortController();
  let count = 0;
  target.addEventListener('x', () => count++, { signal: controller.signal });
  target.dispatchEvent(new Event('x'));
  controller.abort();
  target.dispatchEvent(new Event('x'));
  assertEquals(count, 1);
  target.addEventListener('x', () => count++, { signal: AbortSignal.abort() });
  target.dispatchEvent(new Event('x'));
  assertEquals(count, 1);
  assertThrows(TypeError, () => target.addEventListener('x', () => {}, { signal: {} }));
});

// WPT dom/abort/event.any.js: abort() sets aborted and an AbortError reason once, fires one trusted
// `abort` event (onabort included); a given reason is kept; throwIfAborted throws it.
test('AbortController.abort: aborted, reason, one abort event', () => {
  const controller = new AbortController();
  const signal = controller.signal;
  assertSame(controller.signal, signal);
  assertFalse(signal.aborted);
  const events = [];
  signal.onabort = (e) => events.push(e);
  controller.abort();
  controller.abort('again');
  assertTrue(signal.aborted);
  assertInstanceOf(signal.reason, DOMException);
  assertEquals(signal.reason.name, 'AbortError');
  assertEquals(events.length, 1);
  assertTrue(events[0].isTrusted);
  assertEquals(events[0].type, 'abort');
  const reason = new Error('mine');
  const withReason = AbortSignal.abort(reason);
  assertSame(withReason.reason, reason);
  let thrown = null;
  try {
    withReason.throwIfAborted();
  } catch (e) {
    thrown = e;
  }
  assertSame(thrown, reason);
  assertThrows(TypeError, () => new AbortSignal());
  assertEquals(Object.prototype.toString.call(signal), '[object AbortSignal]');
});

// WPT dom/abort/AbortSignal.any.js (timeout): AbortSignal.timeout aborts with a TimeoutError.
test('AbortSignal.timeout aborts with a TimeoutError', async () => {
  const signal = AbortSignal.timeout(5);
  assertFalse(signal.aborted);
  await new Promise((resolve) => signal.addEventListener('abort', resolve));
  assertTrue(signal.aborted);
  assertEquals(signal.reason.name, 'TimeoutError');
});
