// Timers (HTML §8.6 "Timers") and microtasks (HTML §8.7 "Microtask queuing", §8.1.7.3 "perform a
// microtask checkpoint" after each task). Each test names the web-platform-tests behaviour it mirrors.
import {
  test, assertEquals, assertTrue, assertArrayEquals, assertInstanceOf, assertSame, assertThrows, eventsWithin,
  nextEvent, delay, QUIET_MS,
} from './harness.mjs';

// WPT html/webappapis/timers/ (timer ordering); HTML "run steps after a timeout" step: wait until the
// timers with an equal or smaller timeout started before this one have run. So equal delays run in
// call order (a negative delay is 0); a long delay set first runs after short ones set later (the
// 200 ms margin only has to exceed the time between the calls).
test('setTimeout callbacks run by delay, then in call order', async () => {
  const log = [];
  await new Promise((resolve) => {
    setTimeout(() => { log.push('200'); resolve(); }, 200);
    setTimeout(() => log.push('0 a'), 0);
    setTimeout(() => log.push('0 b'));
    setTimeout(() => log.push('negative is 0'), -5);
    setTimeout(() => log.push('1 a'), 1);
    setTimeout(() => log.push('1 b'), 1);
  });
  assertArrayEquals(log, ['0 a', '0 b', 'negative is 0', '1 a', '1 b', '200']);
});

// WPT html/webappapis/timers/ (cleartimeout-clearinterval / "clearTimeout cancels"): a cleared timer
// never runs; the ids are positive integers; clearing an unknown id is a no-op. Bounded by the later
// timer (it runs after the cleared one would have).
test('clearTimeout cancels; ids are distinct positive integers', async () => {
  const log = [];
  const cancelled = setTimeout(() => log.push('cancelled'), 5);
  const kept = setTimeout(() => log.push('kept'), 1);
  assertTrue(Number.isInteger(cancelled) && cancelled > 0, `id ${cancelled}`);
  assertTrue(kept !== cancelled, 'distinct ids');
  clearTimeout(cancelled);
  clearTimeout(123456789);
  clearTimeout();
  await new Promise((resolve) => setTimeout(resolve, 30));
  assertArrayEquals(log, ['kept']);
});

// WPT workers/WorkerGlobalScope_setInterval.htm, html/webappapis/timers/: setInterval repeats until
// clearInterval, which may be called from inside the callback; clearTimeout and clearInterval share ids.
test('setInterval repeats until clearInterval', async () => {
  let count = 0;
  await new Promise((resolve) => {
    const id = setInterval(() => {
      count++;
      if (count === 3) {
        clearInterval(id);
        resolve();
      }
    }, 1);
  });
  await new Promise((resolve) => setTimeout(resolve, 20)); // bounded: no fourth run follows
  assertEquals(count, 3);
  let other = 0;
  const id2 = setInterval(() => { other++; clearTimeout(id2); }, 0); // ids are shared between the two
  await new Promise((resolve) => setTimeout(resolve, 20));
  assertEquals(other, 1);
});

// HTML timer initialization steps: extra arguments are passed to the callback; `this` is the global.
test('setTimeout passes extra arguments; this is the global object', async () => {
  const got = await new Promise((resolve) => {
    setTimeout(function (...args) { resolve([this === globalThis, ...args]); }, 0, 'a', 2, null);
  });
  assertArrayEquals(got, [true, 'a', 2, null]);
  assertThrows(TypeError, () => setTimeout());
});

// HTML timer initialization steps: a string handler is compiled and run as a classic script in the
// global scope.
test('setTimeout with a string handler runs it as a script', async () => {
  globalThis.stringTimerRan = 0;
  await new Promise((resolve) => {
    setTimeout('globalThis.stringTimerRan += 1', 0);
    setTimeout(resolve, 0);
  });
  assertEquals(globalThis.stringTimerRan, 1);
  delete globalThis.stringTimerRan;
});

// WPT html/webappapis/microtask-queuing/queue-microtask.any.js; HTML §8.1.7.3: microtasks queued by an
// event handler (queueMicrotask and promise reactions, in queue order) run after it returns and
// before the next event is dispatched.
test('microtasks run after each event handler, before the next event', async (t) => {
  const c = t.channel();
  const log = [];
  const done = new Promise((resolve) => {
    c.port2.onmessage = (e) => {
      log.push(`handler ${e.data}`);
      queueMicrotask(() => log.push(`microtask ${e.data}`));
      Promise.resolve().then(() => log.push(`promise ${e.data}`));
      if (e.data === 2) {
        queueMicrotask(resolve);
      }
    };
  });
  c.port1.postMessage(1);
  c.port1.postMessage(2);
  await done;
  assertArrayEquals(log, ['handler 1', 'microtask 1', 'promise 1', 'handler 2', 'microtask 2', 'promise 2']);
});

// HTML §8.6 timer steps run as tasks; §8.1.7.3: a microtask checkpoint follows each task, so a
// timer's microtasks run before the next timer (even one due at the same time).
test('microtasks of a timer run before the next timer', async () => {
  const log = [];
  await new Promise((resolve) => {
    setTimeout(() => { log.push('timer 1'); queueMicrotask(() => log.push('microtask 1')); }, 0);
    setTimeout(() => { log.push('timer 2'); resolve(); }, 0);
  });
  assertArrayEquals(log, ['timer 1', 'microtask 1', 'timer 2']);
});

// WPT html/webappapis/scripting/event-loops/task_microtask_ordering.html ("level 1 bossfight"): for an
// event the platform dispatches, HTML "clean up after running a callback" performs a microtask
// checkpoint when the JS stack is empty, so a listener's microtasks run before the next listener.
// (The realm steps a platform event's dispatch one listener per call into the context.)
test('a listener\'s microtasks run before the next listener of a platform event', async (t) => {
  const c = t.channel();
  const log = [];
  const done = new Promise((resolve) => {
    c.port2.addEventListener('message', () => { log.push('listener 1'); Promise.resolve().then(() => log.push('promise 1')); });
    c.port2.addEventListener('message', () => { log.push('listener 2'); queueMicrotask(resolve); });
  });
  c.port2.start();
  c.port1.postMessage('x');
  await done;
  assertArrayEquals(log, ['listener 1', 'promise 1', 'listener 2']);
});

// The same WPT file, the other half: dispatchEvent() called by script runs its listeners with the
// script still on the stack, so no checkpoint happens between them; microtasks wait for the caller.
test('dispatchEvent from script runs no microtask between listeners', async () => {
  const target = new EventTarget();
  const log = [];
  target.addEventListener('x', () => { log.push('listener 1'); queueMicrotask(() => log.push('microtask 1')); });
  target.addEventListener('x', () => log.push('listener 2'));
  target.dispatchEvent(new Event('x'));
  log.push('after dispatchEvent');
  await Promise.resolve();
  assertArrayEquals(log, ['listener 1', 'listener 2', 'after dispatchEvent', 'microtask 1']);
});

// WPT html/webappapis/microtask-queuing/queue-microtask-exceptions.any.js: an exception in a
// microtask is reported (an ErrorEvent at the global scope) and later microtasks still run.
test('an exception in a microtask is reported and later microtasks still run', async (t) => {
  const errors = [];
  const onError = (e) => { e.preventDefault(); errors.push(e); };
  self.addEventListener('error', onError);
  t.cleanup(() => self.removeEventListener('error', onError));
  const boom = new Error('in a microtask');
  const log = [];
  await new Promise((resolve) => {
    queueMicrotask(() => { log.push(1); throw boom; });
    queueMicrotask(() => { log.push(2); resolve(); });
  });
  assertArrayEquals(log, [1, 2]);
  assertEquals(errors.length, 1);
  assertInstanceOf(errors[0], ErrorEvent);
  assertSame(errors[0].error, boom);
  assertThrows(TypeError, () => queueMicrotask('not a function'));
});

// HTML timers: an exception in a timer callback is reported; the interval keeps running.
test('an exception in a timer callback is reported; an interval keeps running', async (t) => {
  const errors = [];
  const onError = (e) => { e.preventDefault(); errors.push(e.error); };
  self.addEventListener('error', onError);
  t.cleanup(() => self.removeEventListener('error', onError));
  let runs = 0;
  await new Promise((resolve) => {
    const id = setInterval(() => {
      runs++;
      if (runs === 2) {
        clearInterval(id);
        resolve();
        return;
      }
      throw new Error(`run ${runs}`);
    }, 1);
  });
  assertEquals(runs, 2);
  assertEquals(errors.length, 1);
  assertEquals(errors[0].message, 'run 1');
});

// A pending timer is no message: the port stays quiet (bounded) while timers fire.
test('timers do not dispatch events at ports', async (t) => {
  const c = t.channel();
  c.port2.start();
  const quiet = eventsWithin(c.port2, 'message', QUIET_MS);
  await new Promise((resolve) => setTimeout(resolve, 5));
  assertEquals((await quiet).length, 0);
  const got = nextEvent(c.port2, 'message');
  c.port1.postMessage('after');
  assertEquals((await got).data, 'after');
});

// HTML §8.1.5.7 "unhandled promise rejections" (WPT html/webappapis/scripting/processing-model-2/
// unhandled-promise-rejections/promise-rejection-events.html): a promise rejected without a handler
// by the end of the microtask checkpoint fires a cancelable PromiseRejectionEvent `unhandledrejection`
// at the global scope (cancelled here: not cancelled, it is reported as an error). A promise whose
// rejection is handled in the same task fires nothing (bounded negative check, QUIET_MS).
test('an unhandled rejection fires unhandledrejection at the global scope; a handled one does not', async (t) => {
  const events = [];
  const onRejection = (e) => { e.preventDefault(); events.push(e); };
  self.addEventListener('unhandledrejection', onRejection);
  t.cleanup(() => self.removeEventListener('unhandledrejection', onRejection));
  const reason = new Error('rejected on purpose');
  const promise = Promise.reject(reason);
  Promise.reject(new Error('handled in time')).catch(() => {});
  await delay(QUIET_MS);
  assertEquals(events.length, 1);
  assertInstanceOf(events[0], PromiseRejectionEvent);
  assertSame(events[0].reason, reason);
  assertSame(events[0].promise, promise);
  assertTrue(events[0].cancelable);
  assertTrue(events[0].isTrusted);
});
