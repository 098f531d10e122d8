// Dedicated workers (HTML §10.2 "Web workers"): the Worker object, the worker global scope, ports
// crossing realms, errors and termination. Worker scripts live in workers/ (each says what it does).
// Each test names the web-platform-tests file or HTML step it mirrors.
import {
  test, assertEquals, assertTrue, assertFalse, assertInstanceOf, assertArrayEquals, assertThrows,
  assertSame, nextEvent, nextEvents, nextMessage, eventsWithin, delay, QUIET_MS,
} from './harness.mjs';

/** A worker terminated after the test. */
function worker(t, url, options = undefined) {
  const w = new Worker(url, options);
  t.cleanup(() => w.terminate());
  return w;
}

// WPT workers/Worker_basic.htm, workers/interfaces/DedicatedWorkerGlobalScope/postMessage/
// message-event.html: a round trip main → worker → main; the event at the Worker is a trusted
// MessageEvent whose target is the Worker.
test('round trip main → worker → main', async (t) => {
  const w = worker(t, 'workers/echo.js');
  const got = nextEvent(w, 'message');
  w.postMessage('hello worker');
  const e = await got;
  assertInstanceOf(e, MessageEvent);
  assertEquals(e.data, 'hello worker');
  assertTrue(e.target === w, 'target is the Worker');
  assertTrue(e.source === null, 'source');
  assertArrayEquals(e.ports, []);
  assertTrue(e.isTrusted);
  assertEquals(e.origin, '');
  assertInstanceOf(w, EventTarget);
});

// HTML §10.2.6 Worker constructor: `name` of WorkerOptions is the worker global's `name` ("" by default);
// WPT workers/interfaces/SharedWorkerGlobalScope/name/getting.html does the same for shared workers.
test('self.name comes from the options', async (t) => {
  const named = worker(t, 'workers/echo.js', { name: 'alpha' });
  named.postMessage('name');
  assertEquals(await nextMessage(named), 'alpha');
  const unnamed = worker(t, 'workers/echo.js');
  unnamed.postMessage('name');
  assertEquals(await nextMessage(unnamed), '');
  assertThrows(TypeError, () => new Worker('workers/echo.js', { type: 'shared' }));
  assertThrows(TypeError, () => new Worker());
});

// HTML "run a worker" (the inside port's queue is enabled after the script ran): messages posted
// before the worker set onmessage, while its script still ran, are delivered to that handler.
test('messages posted before the worker set onmessage are delivered after its script ran', async (t) => {
  const w = worker(t, 'workers/late-onmessage.js');
  const got = nextEvents(w, 'message', 2);
  w.postMessage('a');
  w.postMessage('b');
  assertArrayEquals((await got).map((e) => e.data), ['late handler got a', 'late handler got b']);
});

// WPT workers/data-url.html: a worker from a data: URL.
test('a worker from a data: URL', async (t) => {
  const w = worker(t, `data:text/javascript,${encodeURIComponent('postMessage(6 * 7)')}`);
  assertEquals(await nextMessage(w), 42);
});

// HTML §10.2.6 WorkerOptions.type "module": the script is a module and resolves its imports.
test('a module worker imports relative to its file', async (t) => {
  const w = worker(t, 'workers/module-echo.mjs', { type: 'module' });
  w.postMessage('x');
  assertEquals(await nextMessage(w), 'module:x');
});

// WPT workers/WorkerGlobalScope_addEventListener.htm: self.addEventListener('message') in a worker
// receives the parent's messages (the implicit port is enabled after the script ran).
test('a worker listening with self.addEventListener("message")', async (t) => {
  const w = worker(t, 'workers/listener.js');
  w.postMessage('hi');
  assertEquals(await nextMessage(w), 'listener got hi');
});

// WPT webmessaging/with-ports/ (ports transferred to a worker), HTML §9.4.4 transfer steps: a port
// sent to a worker talks to its partner in the main realm directly.
test('a MessageChannel port transferred to a worker talks directly', async (t) => {
  const w = worker(t, 'workers/echo.js');
  const c = t.channel();
  const ack = nextEvent(w, 'message');
  w.postMessage('port', [c.port2]);
  assertEquals((await ack).data, 'ports:1');
  const replies = nextEvents(c.port1, 'message', 2);
  c.port1.start();
  c.port1.postMessage('one');
  c.port1.postMessage('two');
  assertArrayEquals((await replies).map((e) => e.data), ['echo:one', 'echo:two']);
});

// HTML §9.4.4 transfer steps, from a worker to its parent: a port made in the worker arrives at the
// Worker object in e.ports and talks to the worker's end.
test('a port made in a worker and sent to the parent', async (t) => {
  const w = worker(t, 'workers/gives-port.js');
  const e = await nextEvent(w, 'message');
  assertEquals(e.data, 'here is a port');
  assertEquals(e.ports.length, 1);
  const port = e.ports[0];
  t.cleanup(() => port.close());
  const reply = nextMessage(port);
  port.postMessage('hello');
  assertEquals(await reply, 'worker port got hello');
});

// HTML §10.2 (the implicit port is a MessagePort): what a worker posts arrives in order.
test('a worker\'s messages arrive in the order it posted them', async (t) => {
  const w = worker(t, 'workers/count.js');
  const events = await nextEvents(w, 'message', 200);
  assertArrayEquals(events.map((e) => e.data), Array.from({ length: 200 }, (_, i) => i));
});

// HTML Worker.postMessage runs StructuredSerializeWithTransfer: duplicate transfer entries are a
// DataCloneError and nothing is detached.
test('Worker.postMessage with duplicate transfer entries: DataCloneError, nothing detached', async (t) => {
  const w = worker(t, 'workers/echo.js');
  const c = t.channel();
  assertThrows('DataCloneError', () => w.postMessage('x', [c.port1, c.port1]));
  c.port1.postMessage('still entangled');
  assertEquals(await nextMessage(c.port2), 'still entangled');
});

// WPT workers/Worker-multi-port.html (ports between realms); HTML §9.4: a channel made in the main
// realm, one end to worker A and the other to worker B: A and B talk to each other.
test('ports transferred to two workers let them talk to each other', async (t) => {
  const a = worker(t, 'workers/pair.js', { name: 'A' });
  const b = worker(t, 'workers/pair.js', { name: 'B' });
  const c = new MessageChannel();
  const report = nextEvent(a, 'message');
  b.postMessage('pong', [c.port2]);
  a.postMessage('ping', [c.port1]);
  assertEquals((await report).data, 'ping got pong for ping');
});

// WPT workers/WorkerGlobalScope_nested_Worker.htm (nested workers); HTML §10.2.6: a worker can start
// workers; its relative URLs resolve against its own script.
test('a nested worker answers through its parent worker', async (t) => {
  const relay = worker(t, 'workers/relay.js', { name: 'relay' });
  relay.postMessage('name');
  assertEquals(await nextMessage(relay), 'inner of relay');
  relay.postMessage('through two workers');
  assertEquals(await nextMessage(relay), 'through two workers');
});

// HTML §9.4.4 transfer steps applied at each hop: a port sent through a chain of workers (main →
// relay → its inner worker) stays entangled with the main realm's end.
test('a port transferred through a worker chain', async (t) => {
  const relay = worker(t, 'workers/relay.js');
  const c = t.channel();
  const ack = nextEvent(relay, 'message');
  relay.postMessage('port', [c.port2]);
  assertEquals((await ack).data, 'ports:1');
  const reply = nextMessage(c.port1);
  c.port1.postMessage('over two hops');
  assertEquals(await reply, 'echo:over two hops');
});

// WPT workers/Worker_ErrorEvent_message.htm, _filename.htm, _lineno.htm, _type.htm,
// AbstractWorker.onerror.html; HTML §10.2.5 "runtime script errors": an error the worker does not
// handle fires an ErrorEvent (cancelable) at the Worker object, after the messages posted before it.
// preventDefault() there stops it (otherwise it is reported again in this realm).
test('an unhandled worker error: ErrorEvent at the Worker with message, filename, lineno', async (t) => {
  const w = worker(t, 'workers/throws.js');
  const order = [];
  w.onmessage = (e) => order.push(`message:${e.data}`);
  const e = await new Promise((resolve) => {
    w.onerror = (event) => {
      order.push('error');
      event.preventDefault();
      resolve(event);
    };
  });
  assertArrayEquals(order, ['message:before the throw', 'error']);
  assertInstanceOf(e, ErrorEvent);
  assertEquals(e.type, 'error');
  assertTrue(e.message.includes('worker boom'), e.message);
  assertTrue(e.filename.endsWith('workers/throws.js'), e.filename);
  assertEquals(e.lineno, 4);
  assertTrue(e.cancelable, 'cancelable');
  assertTrue(e.isTrusted, 'isTrusted');
  assertTrue(e.target === w, 'target');
});

// WPT workers/Worker_ErrorEvent_message.htm (error in a handler); HTML §8.1.4.7: an error thrown by the
// worker's message handler reaches the Worker as an ErrorEvent, in order with its messages, and the
// worker goes on handling later messages.
test('a worker handler that throws: ErrorEvent at the Worker, then the worker keeps working', async (t) => {
  const w = worker(t, 'workers/throw-on-message.js');
  const log = [];
  const done = new Promise((resolve) => {
    w.onerror = (e) => {
      e.preventDefault();
      log.push(`error:${e.message.includes('handler boom')}:${e.lineno}:${e.error}`);
    };
    w.onmessage = (e) => { log.push(e.data); resolve(); };
  });
  w.postMessage('throw');
  w.postMessage('after');
  await done;
  assertArrayEquals(log, ['error:true:3:null', 'ok after']);
});

// HTML §10.2.5 "runtime script errors": if the event at the Worker is not canceled, the error is
// reported in the parent's global scope as if it happened there (an ErrorEvent at `self`).
test('a worker error not cancelled at the Worker is reported at the parent global scope', async (t) => {
  const w = worker(t, 'workers/throws.js');
  const atWorker = nextEvent(w, 'error');
  const atGlobal = new Promise((resolve) => {
    const onError = (e) => { e.preventDefault(); resolve(e); };
    self.addEventListener('error', onError);
    t.cleanup(() => self.removeEventListener('error', onError));
  });
  const first = await atWorker;
  const e = await atGlobal;
  assertInstanceOf(first, ErrorEvent);
  assertInstanceOf(e, ErrorEvent);
  assertTrue(e.message.includes('worker boom'), e.message);
  assertTrue(e.filename.endsWith('workers/throws.js'), e.filename);
  assertEquals(e.lineno, 4);
});

// WPT workers/WorkerGlobalScope_ErrorEvent_*.htm; HTML §8.1.4.7: an error the worker cancels in its
// own self.onerror (returning true) or in an error listener (preventDefault) does not reach the
// Worker object. No bounded wait: the error reports and messages share one ordered queue, so an
// error event would arrive before "after".
test('an error cancelled in the worker (onerror true, preventDefault) does not reach the Worker', async (t) => {
  const w = worker(t, 'workers/handled-error.js');
  const errors = [];
  w.onerror = (e) => { errors.push(e); e.preventDefault(); };
  const got = nextEvents(w, 'message', 3);
  const data = (await got).map((e) => e.data);
  assertArrayEquals(data, ['onerror:true', 'listener prevented', 'after']);
  assertEquals(errors.length, 0);
});

// A worker script that does not parse. HTML "run a worker" (onComplete: the script's "error to rethrow"
// is non-null) fires a plain `error` Event at the Worker, not an ErrorEvent (WPT
// workers/dedicated-worker-parse-error-failure.html checks `event.constructor === Event`, for a syntax
// error and for a static import in a classic worker).
test('a worker script that does not parse: a plain error Event at the Worker', async (t) => {
  const w = worker(t, 'workers/syntax-error.js');
  const args = await new Promise((resolve) => {
    w.onerror = (...a) => resolve(a);
  });
  assertEquals(args.length, 1);
  assertSame(args[0].constructor, Event);
  assertEquals(args[0].type, 'error');
  assertTrue(args[0].isTrusted);
});

test('a classic worker with a static import: a plain error Event at the Worker', async (t) => {
  const w = worker(t, 'data:text/javascript,import "./nowhere.js"; postMessage("ran");');
  const e = await nextEvent(w, 'error');
  assertSame(e.constructor, Event);
});

// HTML §10.2.6 "run a worker" step (fetch failure): "fire an event named error at worker" — a plain
// Event, not an ErrorEvent.
test('a missing worker script: a plain error Event at the Worker', async (t) => {
  const w = worker(t, 'workers/does-not-exist.js');
  const e = await nextEvent(w, 'error');
  assertInstanceOf(e, Event);
  assertFalse(e instanceof ErrorEvent, 'not an ErrorEvent');
  assertEquals(e.type, 'error');
  assertTrue(e.isTrusted);
});

// WPT workers/constructors/Worker/terminate.html, workers/Worker_terminate_event_queue.htm; HTML
// "terminate a worker" (the Worker's queued tasks are discarded): terminate() stops a worker spinning in
// while(true), and no message event fires at the Worker after it, not even for the messages it had
// posted before (a burst of 1000 is queued when the first one is handled). Bounded negative check.
test('terminate() stops a spinning worker; no message event after it, queued ones included (bounded wait)', async (t) => {
  const w = worker(t, 'workers/spin.js');
  const late = [];
  await new Promise((resolve) => {
    w.onmessage = (e) => {
      if (e.data === 'spinning') {
        w.terminate();
        resolve();
      } else {
        late.push(e.data);
      }
    };
  });
  await delay(QUIET_MS);
  assertEquals(late.length, 0, 'message events after terminate()');
  w.terminate(); // idempotent
  w.postMessage('to a terminated worker'); // silently dropped
});

// WPT workers/interfaces/WorkerGlobalScope/close/incoming-message.html and close/setTimeout.html;
// HTML WorkerGlobalScope close() sets the closing flag, and the worker's event loop discards its
// tasks: a message posted to the worker is not handled, a pending timer does not run, and no error
// comes. Bounded negative check (QUIET_MS).
test('self.close() in a worker: incoming messages and pending timers are discarded (bounded wait)', async (t) => {
  const w = worker(t, 'workers/close-early.js');
  const messages = eventsWithin(w, 'message', QUIET_MS);
  const errors = eventsWithin(w, 'error', QUIET_MS);
  w.postMessage('to a closing worker');
  assertEquals((await messages).length, 0, 'a message from the closed worker');
  assertEquals((await errors).length, 0, 'an error from the closed worker');
});

// WPT webmessaging/broadcastchannel/workers.html keeps its worker alive with a channel only; Node: an
// open BroadcastChannel with a listener is a ref'ed handle. A worker whose only listener is a
// BroadcastChannel must not end by itself: after a pause (QUIET_MS, time for a worker that wrongly
// ends to do so) it still answers.
test('a worker whose only listener is a BroadcastChannel stays alive', async (t) => {
  const name = `alive-${Date.now()}`;
  const source = `const bc = new BroadcastChannel(${JSON.stringify(name)});
bc.onmessage = (e) => bc.postMessage('pong ' + e.data);
postMessage('ready');`;
  const w = worker(t, `data:text/javascript,${encodeURIComponent(source)}`);
  const bc = new BroadcastChannel(name);
  t.cleanup(() => bc.close());
  assertEquals(await nextMessage(w), 'ready');
  await delay(QUIET_MS);
  const reply = nextEvent(bc, 'message');
  bc.postMessage('ping');
  assertEquals((await reply).data, 'pong ping');
});

/** A hold-port.js worker holding port2 of a new channel, once it said "holding" on it. */
async function workerHoldingPort(t) {
  const w = worker(t, 'workers/hold-port.js');
  const c = t.channel();
  w.postMessage('take', [c.port2]);
  assertEquals(await nextMessage(c.port1), 'holding');
  return { w, c };
}

// HTML MessagePort close() across realms, entangle SPEC §6: a worker closing a port it received makes
// the main realm's end get a `close` event.
test('a worker closing a received port: the main end gets close', async (t) => {
  const { c } = await workerHoldingPort(t);
  const closed = nextEvent(c.port1, 'close');
  c.port1.postMessage('close');
  assertEquals((await closed).type, 'close');
});

// entangle SPEC §6 ("terminating a worker closes its ports"; HTML: the worker's ports are
// disentangled when its global is destroyed): terminate() makes the main end of a port held by the
// worker get a `close` event.
test('terminate() closes the ports the worker held: the main end gets close', async (t) => {
  const { w, c } = await workerHoldingPort(t);
  const closed = nextEvent(c.port1, 'close');
  w.terminate();
  assertEquals((await closed).type, 'close');
});
