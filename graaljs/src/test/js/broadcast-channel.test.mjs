// BroadcastChannel (HTML §9.5 "Broadcasting to other browsing contexts"), mirroring web-platform-tests
// webmessaging/broadcastchannel/basics.html, interface.html and workers.html.
import {
  test, assertEquals, assertTrue, assertThrows, assertArrayEquals, assertInstanceOf, nextEvent, nextEvents,
  nextMessage, eventsWithin, QUIET_MS,
} from './harness.mjs';

let names = 0;
/** A BroadcastChannel closed after the test, on a name of its own (unless given). */
function channel(t, ...name) {
  const c = new BroadcastChannel(name.length > 0 ? name[0] : `bc-${++names}-${Date.now()}`);
  t.cleanup(() => c.close());
  return c;
}

// WPT webmessaging/broadcastchannel/interface.html: the name is converted to a string; the
// argument is required.
test('BroadcastChannel name and constructor arguments', (t) => {
  assertEquals(channel(t, 'x').name, 'x');
  assertEquals(channel(t, null).name, 'null');
  assertEquals(channel(t, 42).name, '42');
  assertThrows(TypeError, () => new BroadcastChannel());
  assertInstanceOf(channel(t, 'y'), EventTarget);
});

// WPT webmessaging/broadcastchannel/basics.html: a message reaches the other channels of that name in
// this realm, not the sender itself and not channels of other names (bounded negative checks).
test('two channels in one realm: delivered to the other, not to itself or other names', async (t) => {
  const sender = channel(t);
  const receiver = channel(t, sender.name);
  const elsewhere = channel(t, `${sender.name}-other`);
  const selfEvents = eventsWithin(sender, 'message', QUIET_MS);
  const otherEvents = eventsWithin(elsewhere, 'message', QUIET_MS);
  const got = nextEvent(receiver, 'message');
  sender.postMessage('hello');
  const e = await got;
  assertInstanceOf(e, MessageEvent);
  assertEquals(e.data, 'hello');
  assertTrue(e.target === receiver, 'target');
  assertTrue(e.isTrusted);
  assertEquals((await selfEvents).length, 0, 'delivered to the sender itself');
  assertEquals((await otherEvents).length, 0, 'delivered to another name');
});

// WPT webmessaging/broadcastchannel/basics.html ("messages are delivered in port creation order"):
// one sender's messages arrive in order; HTML §9.5 postMessage step "sort destinations": channels of
// one realm receive each message in creation order, oldest first.
test('messages arrive in order, at the receivers in creation order', async (t) => {
  const sender = channel(t);
  const first = channel(t, sender.name);
  const second = channel(t, sender.name);
  const log = [];
  const done = new Promise((resolve) => {
    first.onmessage = (e) => log.push(`first:${e.data}`);
    second.onmessage = (e) => { log.push(`second:${e.data}`); if (e.data === 3) resolve(); };
  });
  sender.postMessage(1);
  sender.postMessage(2);
  sender.postMessage(3);
  await done;
  assertArrayEquals(log, ['first:1', 'second:1', 'first:2', 'second:2', 'first:3', 'second:3']);
});

// WPT webmessaging/broadcastchannel/basics.html ("closing and creating channels during message
// delivery works correctly", "postMessage after close"): posting on a closed channel is an
// InvalidStateError; a closed channel receives nothing (bounded negative check).
test('a closed channel: postMessage is InvalidStateError; it receives nothing', async (t) => {
  const a = channel(t);
  const b = channel(t, a.name);
  a.close();
  const e = assertThrows('InvalidStateError', () => a.postMessage('x'));
  assertEquals(e.code, 11);
  a.close(); // idempotent
  const quiet = eventsWithin(a, 'message', QUIET_MS);
  b.postMessage('to a closed channel');
  assertEquals((await quiet).length, 0);
});

// WPT webmessaging/broadcastchannel/basics.html ("closing and creating channels during message
// delivery works correctly"); HTML §9.5 postMessage: the destinations are chosen when the message is
// posted, and a channel closed before its turn is skipped. Bounded negative check for the closed one.
test('a channel closed during delivery misses it; one created during delivery gets only later messages', async (t) => {
  const sender = channel(t);
  const first = channel(t, sender.name);
  const closedLater = channel(t, sender.name);
  const log = [];
  let created = null;
  const done = new Promise((resolve) => {
    first.onmessage = (e) => {
      log.push(`first:${e.data}`);
      if (e.data === 'm1') {
        closedLater.close();
        created = channel(t, sender.name);
        created.onmessage = (m) => { log.push(`created:${m.data}`); resolve(); };
        sender.postMessage('m2');
      }
    };
  });
  closedLater.onmessage = (e) => log.push(`closed:${e.data}`);
  sender.postMessage('m1');
  await done;
  const late = await eventsWithin(closedLater, 'message', QUIET_MS);
  assertArrayEquals(log, ['first:m1', 'first:m2', 'created:m2']);
  assertEquals(late.length, 0);
});

// WPT webmessaging/broadcastchannel/workers.html: a worker's channel and the main realm's channel of
// the same name talk to each other.
test('between the main realm and a worker', async (t) => {
  const w = new Worker('workers/broadcast.js');
  t.cleanup(() => w.terminate());
  assertEquals(await nextMessage(w), 'ready');
  const main = channel(t, 'entangle-test');
  const replies = nextEvents(main, 'message', 2);
  main.postMessage('ping:1');
  main.postMessage('ping:2');
  assertArrayEquals((await replies).map((e) => e.data), ['pong:1', 'pong:2']);
  w.postMessage('close');
});
