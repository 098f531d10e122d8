// MessageChannel and MessagePort (HTML §9.4 "Channel messaging"), mirroring the behaviours of
// web-platform-tests webmessaging/ (file named in each test) and entangle's SPEC "Semantics".
import {
  test, assertEquals, assertSame, assertNotSame, assertTrue, assertFalse, assertThrows, assertArrayEquals,
  assertInstanceOf, nextEvent, nextEvents, nextMessage, eventsWithin, QUIET_MS, format,
} from './harness.mjs';

// WPT webmessaging/Channel_postMessage_* basics: a message posted on port1 is dispatched at port2.
test('a message posted on port1 reaches port2', async (t) => {
  const c = t.channel();
  c.port2.start();
  const got = nextEvent(c.port2, 'message');
  c.port1.postMessage('ping');
  assertEquals((await got).data, 'ping');
});

// HTML §9.4.3: messages are dispatched in the order they were posted (port message queue is a queue).
test('messages arrive in the order they were posted', async (t) => {
  const c = t.channel();
  const got = nextEvents(c.port2, 'message', 50);
  c.port2.start();
  for (let i = 0; i < 50; i++) {
    c.port1.postMessage(i);
  }
  assertArrayEquals((await got).map((e) => e.data), Array.from({ length: 50 }, (_, i) => i));
});

// WPT webmessaging/Channel_MessagePort_initial_disabled.htm: the port message queue is initially
// disabled; addEventListener('message') does not enable it. Bounded negative check (QUIET_MS), then
// start() delivers what waited.
test('addEventListener without start() delivers nothing (bounded wait), start() then delivers', async (t) => {
  const c = t.channel();
  c.port1.postMessage('queued');
  const early = await eventsWithin(c.port2, 'message', QUIET_MS);
  assertEquals(early.length, 0, `messages delivered within ${QUIET_MS} ms without start()`);
  const got = nextEvent(c.port2, 'message');
  c.port2.start();
  assertEquals((await got).data, 'queued');
});

// WPT webmessaging/Channel_MessagePort_onmessage_start.htm: setting onmessage enables the queue
// (HTML §9.4.4 "the first time a MessagePort's onmessage IDL attribute is set, the port message queue
// must be enabled, as if start() had been called").
test('setting onmessage starts the port', async (t) => {
  const c = t.channel();
  c.port1.postMessage('before');
  const data = await new Promise((resolve) => { c.port2.onmessage = (e) => resolve(e.data); });
  assertEquals(data, 'before');
});

// HTML §8.1.8.1 event handler attributes: one listener per attribute; a new value replaces the
// callback (no second listener), so each message is handled once, by the current handler.
test('swapping onmessage later does not duplicate deliveries', async (t) => {
  const c = t.channel();
  const seen = [];
  await new Promise((resolve) => {
    c.port2.onmessage = (e) => { seen.push(`first:${e.data}`); resolve(); };
    c.port1.postMessage(1);
  });
  const done = new Promise((resolve) => {
    c.port2.onmessage = (e) => { seen.push(`second:${e.data}`); if (e.data === 3) resolve(); };
  });
  c.port1.postMessage(2);
  c.port1.postMessage(3);
  await done;
  const late = await eventsWithin(c.port2, 'message', QUIET_MS); // bounded: no extra delivery follows
  assertArrayEquals(seen, ['first:1', 'second:2', 'second:3']);
  assertEquals(late.length, 0);
});

// WPT webmessaging/Channel_postMessage_event_properties.htm, Channel_postMessage_target_source.htm,
// MessageEvent-trusted.html; HTML §9.4.4 "message port post message steps": a trusted MessageEvent,
// origin "", lastEventId "", source null, target the receiving port, not bubbling, not cancelable.
test('the received MessageEvent has the properties HTML gives it', async (t) => {
  const c = t.channel();
  let inHandler;
  const got = new Promise((resolve) => {
    c.port2.onmessage = (e) => {
      inHandler = { currentTarget: e.currentTarget, eventPhase: e.eventPhase };
      resolve(e);
    };
  });
  c.port1.postMessage('props');
  const e = await got;
  assertInstanceOf(e, MessageEvent);
  assertInstanceOf(e, Event);
  assertEquals(e.type, 'message');
  assertEquals(e.data, 'props');
  assertSame(e.target, c.port2, 'target');
  assertSame(inHandler.currentTarget, c.port2, 'currentTarget during dispatch');
  assertEquals(inHandler.eventPhase, Event.AT_TARGET, 'eventPhase during dispatch');
  // The await above resumes in the microtask checkpoint right after the handler, while the dispatch is
  // still under way (HTML "clean up after running a callback"); the dispatch has ended by the next task.
  await new Promise((resolve) => setTimeout(resolve, 0));
  assertSame(e.currentTarget, null, 'currentTarget after dispatch');
  assertEquals(e.origin, '');
  assertEquals(e.lastEventId, '');
  assertSame(e.source, null);
  assertTrue(e.isTrusted, 'isTrusted');
  assertFalse(e.bubbles, 'bubbles');
  assertFalse(e.cancelable, 'cancelable');
  assertFalse(e.defaultPrevented, 'defaultPrevented');
  assertArrayEquals(e.ports, []);
});

// WPT webmessaging/Channel_postMessage_ports_readonly_array.htm; HTML MessageEvent.ports is a
// FrozenArray<MessagePort>: frozen, and the same object on every read.
test('e.ports is frozen and the same array on each read', async (t) => {
  const c = t.channel();
  const carried = t.channel();
  c.port2.start();
  const got = nextEvent(c.port2, 'message');
  c.port1.postMessage('with a port', [carried.port1]);
  const e = await got;
  t.cleanup(() => e.ports[0].close());
  assertTrue(Object.isFrozen(e.ports), 'frozen');
  assertSame(e.ports, e.ports, 'same array');
  assertEquals(e.ports.length, 1);
  assertThrows(TypeError, () => { 'use strict'; e.ports.push(null); });
  assertThrows(TypeError, () => { 'use strict'; e.ports[0] = null; });
  assertInstanceOf(e.ports[0], MessagePort);
});

// A message without ports (the platform's event, whose ports array is made on first read): frozen,
// empty, the same array on each read. Two listeners (the dispatch Java steps) see the same event.
test('without ports e.ports is a frozen empty array, the same on each read, for every listener', async (t) => {
  const c = t.channel();
  const seen = [];
  c.port2.addEventListener('message', (e) => seen.push(e));
  const got = nextEvent(c.port2, 'message');
  c.port2.start();
  c.port1.postMessage('no ports');
  const e = await got;
  assertSame(seen[0], e, 'both listeners got the same event');
  assertTrue(Object.isFrozen(e.ports), 'frozen');
  assertSame(e.ports, e.ports, 'same array');
  assertArrayEquals(e.ports, []);
});

// WebIDL: postMessage's length is its shortest overload's (1); no argument and another receiver are
// TypeErrors. HTML StructuredSerialize step 2: primitives arrive as themselves (strings, booleans and
// numbers cross without the codec; -0, NaN, bigint, null and undefined too).
test('postMessage: length 1, TypeErrors, and primitives arrive as themselves', async (t) => {
  const c = t.channel();
  assertEquals(MessagePort.prototype.postMessage.length, 1);
  assertThrows(TypeError, () => c.port1.postMessage());
  assertThrows(TypeError, () => MessagePort.prototype.postMessage.call({}, 'x'));
  assertThrows(TypeError, () => MessagePort.prototype.postMessage.call(undefined, 'x'));
  const sent = ['', 'text', true, false, 1.5, -0, NaN, 2 ** 53 + 2, 10n, null, undefined];
  const got = nextEvents(c.port2, 'message', sent.length);
  c.port2.start();
  for (const m of sent) {
    c.port1.postMessage(m);
  }
  const data = (await got).map((e) => e.data);
  assertEquals(data.length, sent.length);
  sent.forEach((m, i) => assertTrue(Object.is(data[i], m), `message ${i}: ${format(data[i])}`));
  assertEquals(typeof data[8], 'bigint');
});

// WebIDL sequence<object> conversion runs the iterable's iterator: an empty Array whose iteration a
// script changed is iterated (what it yields is the transfer list), not taken for an empty list.
test('an empty transfer list whose iterator a script replaced is still iterated', async (t) => {
  const c = t.channel();
  const carried = t.channel();
  const list = [];
  let calls = 0;
  list[Symbol.iterator] = function* () { calls++; yield carried.port1; };
  c.port2.start();
  const got = nextEvent(c.port2, 'message');
  c.port1.postMessage('x', list);
  const e = await got;
  t.cleanup(() => e.ports[0].close());
  assertEquals(calls, 1);
  assertEquals(e.ports.length, 1, 'the port the iterator yielded was transferred');
  const next = Object.getPrototypeOf([][Symbol.iterator]()).next;
  const ArrayIterator = Object.getPrototypeOf([][Symbol.iterator]());
  let nexts = 0;
  ArrayIterator.next = function () { nexts++; return next.call(this); };
  try {
    c.port1.postMessage('y', []);
    c.port1.postMessage('z', { transfer: [] });
  } finally {
    ArrayIterator.next = next;
  }
  assertEquals(nexts, 2, "an empty Array's iteration with a replaced next() runs it");
});

// WPT webmessaging/Channel_postMessage_clone_port.htm, with-ports/*.html; HTML §9.4.4 transfer steps:
// the receiver gets a new MessagePort object entangled with the far end of the sent one.
test('a received port is a new object and messages from its far end reach it', async (t) => {
  const c = t.channel();
  const carried = t.channel();
  c.port2.start();
  const got = nextEvent(c.port2, 'message');
  c.port1.postMessage('port', [carried.port2]);
  const received = (await got).ports[0];
  t.cleanup(() => received.close());
  assertInstanceOf(received, MessagePort);
  assertNotSame(received, carried.port2);
  const reply = nextMessage(received);
  carried.port1.postMessage('through the new port');
  assertEquals(await reply, 'through the new port');
  const back = nextMessage(carried.port1);
  received.postMessage('and back');
  assertEquals(await back, 'and back');
});

// entangle SPEC §5, HTML §9.4.4 (transfer moves the port message queue): both ends of one channel
// shipped one after the other keep every message, in order.
test('both ends transferred one after the other: messages in order', async (t) => {
  const c = new MessageChannel();
  const carrierA = t.channel();
  const carrierB = t.channel();
  carrierA.port2.start();
  carrierB.port2.start();
  c.port1.postMessage(1);
  const gotA = nextEvent(carrierA.port2, 'message');
  carrierA.port1.postMessage('end 1', [c.port1]);
  const p1 = (await gotA).ports[0];
  p1.postMessage(2);
  const gotB = nextEvent(carrierB.port2, 'message');
  carrierB.port1.postMessage('end 2', [c.port2]);
  const p2 = (await gotB).ports[0];
  t.cleanup(() => { p1.close(); p2.close(); });
  p1.postMessage(3);
  const all = nextEvents(p2, 'message', 3);
  p2.start();
  assertArrayEquals((await all).map((e) => e.data), [1, 2, 3]);
});

// entangle SPEC §5; WPT webmessaging/with-ports/*: a port shipped twice, with messages posted to it
// before and between the hops, delivers all of them in order at its last owner.
test('a port transferred twice with messages at each hop: all in order', async (t) => {
  const c = t.channel();
  const hop1 = t.channel();
  const hop2 = t.channel();
  hop1.port2.start();
  hop2.port2.start();
  c.port1.postMessage('before hop 1');
  const got1 = nextEvent(hop1.port2, 'message');
  hop1.port1.postMessage('hop 1', [c.port2]);
  c.port1.postMessage('during hop 1');
  const first = (await got1).ports[0];
  c.port1.postMessage('between hops');
  const got2 = nextEvent(hop2.port2, 'message');
  hop2.port1.postMessage('hop 2', [first]);
  c.port1.postMessage('during hop 2');
  const last = (await got2).ports[0];
  t.cleanup(() => last.close());
  c.port1.postMessage('after hop 2');
  const all = nextEvents(last, 'message', 5);
  last.start();
  assertArrayEquals((await all).map((e) => e.data),
      ['before hop 1', 'during hop 1', 'between hops', 'during hop 2', 'after hop 2']);
});

// WPT webmessaging/Transferred_objects_unusable.htm; HTML: a transferred port is detached; posting on
// it does nothing (the steps return when the port is not entangled), shipping it again is a
// DataCloneError. Bounded negative check: nothing from the old object within QUIET_MS.
test('posting on a transferred-away port is silently dropped; transferring it again throws', async (t) => {
  const c = t.channel();
  const carrier = t.channel();
  carrier.port2.start();
  const got = nextEvent(carrier.port2, 'message');
  carrier.port1.postMessage('ship', [c.port2]);
  const moved = (await got).ports[0];
  t.cleanup(() => moved.close());
  c.port2.postMessage('lost'); // must not throw
  moved.postMessage('kept');
  assertEquals(await nextMessage(c.port1), 'kept');
  const more = await eventsWithin(c.port1, 'message', QUIET_MS);
  assertEquals(more.length, 0, 'a message posted on the detached object arrived');
  assertThrows('DataCloneError', () => carrier.port1.postMessage('again', [c.port2]));
});

// HTML §9.4.4 / structured serialize with transfer: many ports in one message, in list order, each
// entangled with its own partner.
test('100 ports in one message each talk to their own partner', async (t) => {
  const carrier = t.channel();
  const channels = Array.from({ length: 100 }, () => t.channel());
  carrier.port2.start();
  const got = nextEvent(carrier.port2, 'message');
  carrier.port1.postMessage('hundred', channels.map((ch) => ch.port2));
  const ports = (await got).ports;
  t.cleanup(() => ports.forEach((p) => p.close()));
  assertEquals(ports.length, 100);
  assertEquals(new Set(ports).size, 100, 'distinct port objects');
  const replies = channels.map((ch) => nextMessage(ch.port1));
  ports.forEach((p, i) => p.postMessage(i));
  assertArrayEquals(await Promise.all(replies), Array.from({ length: 100 }, (_, i) => i));
});

// HTML MessagePort.postMessage(message, options) overload (StructuredSerializeOptions); WPT
// webmessaging/with-options/one-arg.html: {transfer} carries ports; a non-iterable list is a TypeError.
test('postMessage(message, {transfer}) carries ports; a non-iterable transfer is a TypeError', async (t) => {
  const c = t.channel();
  const carried = t.channel();
  c.port2.start();
  const got = nextEvent(c.port2, 'message');
  c.port1.postMessage('options', { transfer: [carried.port2] });
  const e = await got;
  t.cleanup(() => e.ports.forEach((p) => p.close()));
  assertEquals(e.data, 'options');
  assertEquals(e.ports.length, 1);
  c.port1.postMessage('no transfer', {});
  assertEquals(await nextMessage(c.port2), 'no transfer');
  assertThrows(TypeError, () => c.port1.postMessage('x', 5));
  assertThrows(TypeError, () => c.port1.postMessage('x', { transfer: 5 }));
});

// HTML §9.4.4 "message port post message steps" step 2: the source port in the transfer list is a
// DataCloneError; entangle SPEC §3: nothing in the list is detached (the other port still works).
test('the source port in the transfer list: DataCloneError, nothing detached', async (t) => {
  const c = t.channel();
  const other = t.channel();
  const e = assertThrows('DataCloneError', () => c.port1.postMessage('x', [other.port1, c.port1]));
  assertEquals(e.code, 25);
  other.port1.postMessage('other still entangled');
  assertEquals(await nextMessage(other.port2), 'other still entangled');
  c.port1.postMessage('source still entangled');
  assertEquals(await nextMessage(c.port2), 'source still entangled');
});

// WPT webmessaging/postMessage_dup_transfer_objects.htm; HTML StructuredSerializeWithTransfer step
// "if transferList contains duplicate entries, throw a DataCloneError"; nothing detached.
test('duplicate transfer entries: DataCloneError, nothing detached', async (t) => {
  const c = t.channel();
  const other = t.channel();
  assertThrows('DataCloneError', () => c.port1.postMessage('x', [other.port1, other.port1]));
  other.port1.postMessage('still here');
  assertEquals(await nextMessage(other.port2), 'still here');
});

// HTML §9.4.4 "message port post message steps": if transfer contains the target port, doomed is
// true: the message is serialized (the other transfers are detached) and then dropped. Bounded
// negative check: nothing reaches the target port within QUIET_MS.
test('the target port in the transfer list: message dropped, the other entries detached', async (t) => {
  const c = t.channel();
  const other = t.channel();
  c.port2.start();
  c.port1.postMessage('doomed', [c.port2, other.port1]); // no exception
  const arrived = await eventsWithin(c.port2, 'message', QUIET_MS);
  assertEquals(arrived.length, 0, 'the doomed message arrived');
  assertThrows('DataCloneError', () => c.port1.postMessage('again', [other.port1]),
      'the other transferred port is detached');
});

// WPT webmessaging/message-channels/close.html: a message posted before the sender closes is
// still delivered.
test('close(): a message in flight before close is delivered', async (t) => {
  const c = t.channel();
  let closed = false;
  const got = new Promise((resolve) => { c.port2.onmessage = (e) => resolve([e.data, closed]); });
  c.port1.postMessage('in flight');
  c.port1.close();
  closed = true;
  assertArrayEquals(await got, ['in flight', true]);
});

// WPT webmessaging/message-channels/close.html ("sent to closed port", "sent from closed port"):
// nothing posted after close arrives. Bounded negative checks (QUIET_MS).
test('close(): nothing posted after close arrives (bounded wait)', async (t) => {
  const a = t.channel();
  a.port2.start();
  a.port1.close();
  a.port1.postMessage('from a closed port'); // silently dropped
  assertEquals((await eventsWithin(a.port2, 'message', QUIET_MS)).length, 0, 'from a closed port');
  const b = t.channel();
  b.port1.start();
  b.port1.close();
  b.port2.postMessage('to a closed port');
  assertEquals((await eventsWithin(b.port1, 'message', QUIET_MS)).length, 0, 'to a closed port');
});

// HTML §9.4.3 MessagePort onclose / "disentangle" (fires `close` at the other port), entangle SPEC §6:
// one plain `close` event after the messages posted before the close; close() is idempotent.
test('close(): the other side gets a close event after the earlier messages; close is idempotent', async (t) => {
  const c = t.channel();
  const log = [];
  const closed = new Promise((resolve) => {
    c.port2.onclose = (e) => {
      log.push(`close:${e.constructor.name}:${e.isTrusted}`);
      resolve();
    };
  });
  c.port2.onmessage = (e) => log.push(e.data);
  c.port1.postMessage('a');
  c.port1.postMessage('b');
  c.port1.close();
  c.port1.close(); // idempotent, no exception
  await closed;
  const extra = await eventsWithin(c.port2, 'close', QUIET_MS); // bounded: only one close event
  assertArrayEquals(log, ['a', 'b', 'close:Event:true']);
  assertEquals(extra.length, 0);
  c.port2.close(); // closing the disentangled side is fine too
});

// HTML §8.1.4.7 "report an exception" from a listener (DOM "inner invoke"): the error becomes an
// ErrorEvent at the global scope; the next messages are still dispatched.
test('a throwing onmessage does not stop later messages; the error reaches addEventListener("error")', async (t) => {
  const c = t.channel();
  const errors = [];
  const onError = (e) => { e.preventDefault(); errors.push(e); };
  self.addEventListener('error', onError);
  t.cleanup(() => self.removeEventListener('error', onError));
  const boom = new Error('boom 1');
  const done = new Promise((resolve) => {
    c.port2.onmessage = (e) => {
      if (e.data === 'last') {
        resolve();
        return;
      }
      throw boom;
    };
  });
  c.port1.postMessage('throws');
  c.port1.postMessage('last');
  await done;
  assertEquals(errors.length, 1);
  const e = errors[0];
  assertInstanceOf(e, ErrorEvent);
  assertSame(e.error, boom);
  assertTrue(e.message.includes('boom 1'), `message ${e.message}`);
  assertTrue(e.filename.endsWith('message-port.test.mjs'), `filename ${e.filename}`);
  assertTrue(e.lineno > 0, 'lineno');
  assertTrue(e.cancelable, 'cancelable');
  assertTrue(e.isTrusted, 'isTrusted');
});

// HTML §8.1.8.2 OnErrorEventHandler: self.onerror is called with (message, filename, lineno, colno,
// error); returning true cancels the event.
test('a throwing listener: self.onerror gets (message, filename, lineno, colno, error)', async (t) => {
  const c = t.channel();
  const calls = [];
  self.onerror = (...args) => { calls.push(args); return true; };
  t.cleanup(() => { self.onerror = null; });
  const boom = new TypeError('boom 2');
  c.port2.addEventListener('message', () => { throw boom; });
  const after = nextEvent(c.port2, 'message');
  c.port2.start();
  c.port1.postMessage('x');
  await after; // a later listener of the same dispatch: the report (synchronous) is already done
  assertEquals(calls.length, 1);
  const [message, filename, lineno, colno, error] = calls[0];
  assertTrue(message.includes('boom 2'), message);
  assertTrue(filename.endsWith('message-port.test.mjs'), filename);
  assertTrue(lineno > 0 && colno >= 0, `${lineno}:${colno}`);
  assertSame(error, boom);
});

// entangle SPEC §9 (fairness): a handler that posts to its own channel forever must not starve a
// timer on the same loop (HTML: timers are tasks of their own task source).
test('a handler posting to itself forever does not starve a timer', async (t) => {
  const c = t.channel();
  let count = 0;
  let stop = false;
  // The timer is set once the ping-pong runs; it must fire while it goes on (if the port starved the
  // timer, the test would hit its time limit).
  const timerFired = new Promise((resolve) => {
    c.port2.onmessage = () => {
      count++;
      if (count === 1) {
        setTimeout(() => { stop = true; resolve(count); }, 20);
      }
      if (!stop) {
        c.port1.postMessage('again');
      }
    };
  });
  c.port1.postMessage('start');
  const countWhenFired = await timerFired;
  assertTrue(countWhenFired >= 1, `handled ${countWhenFired} messages before the timer fired`);
});
