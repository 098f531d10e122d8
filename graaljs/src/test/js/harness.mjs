// A small test harness for the JavaScript conformance tests of entangle's GraalJS realms.
//
// A test file is an ES module that imports this one and registers tests with `test(name, fn)`; the
// runner starts by itself once the module has been evaluated (a zero-delay timer queued by the first
// registration), runs the tests one after another, each with a time limit, and prints a TAP-like line
// per test ("ok N - name", "not ok N - name: reason", "ok N - name # SKIP reason"). At the end it calls
// the global close(), which ends the program at once even if ports are left open; if a test failed it
// first reports an Error naming the failures (reportError), so JsRuntime.run completes with exit code 1.
//
// Errors reported to the global scope while a test runs (a throwing listener, an exception in a
// microtask or a timer, an unhandled promise rejection) fail that test unless a listener of the test
// cancelled them (preventDefault() or `onerror` returning true): the harness looks at the event once
// its dispatch is over.

const tests = [];
let scheduled = false;
let current = null;

/** The default per-test limit in milliseconds (a failure guard, never a synchronization means). */
export const TEST_TIMEOUT_MS = 10000;

/** How long negative checks wait for something that must not happen. */
export const QUIET_MS = 150;

/**
 * Registers a test (at the module's top level, before any top-level await: the runner starts once the
 * module's synchronous part has run). `fn(t)` may return a promise. `t.skip(why)` ends it as skipped. `t.cleanup(f)` registers a function run after the
 * test (passed or not); `t.channel()` is a MessageChannel closed after the test; `t.timeout` is the
 * test's limit. Options: {timeout} in ms; {skip: reason} skips the test when reason is a string (for
 * behaviours a probe found missing), runs it when null or undefined.
 */
export function test(name, fn, options = {}) {
  const skipReason = options.skip === undefined || options.skip === null ? null : String(options.skip);
  tests.push({ name, fn, timeout: options.timeout ?? TEST_TIMEOUT_MS, skip: skipReason });
  schedule();
}

/** Registers a skipped test: the behaviour is not implemented; `reason` says what is missing. */
export function skip(name, reason, fn = undefined) {
  tests.push({ name, fn, timeout: 0, skip: String(reason) });
  schedule();
}

function schedule() {
  if (!scheduled) {
    scheduled = true;
    setTimeout(runAll, 0);
  }
}

// ------------------------------------------------------------------ assertions

export class AssertionError extends Error {
  get name() { return 'AssertionError'; }
}

class SkipSignal {
  constructor(why) { this.why = String(why); }
}

export function fail(message) {
  throw new AssertionError(message);
}

export function format(value) {
  try {
    if (typeof value === 'string') {
      return JSON.stringify(value);
    }
    if (typeof value === 'bigint') {
      return `${value}n`;
    }
    if (Object.is(value, -0)) {
      return '-0';
    }
    if (typeof value === 'symbol' || typeof value === 'function') {
      return String(value);
    }
    if (Array.isArray(value)) {
      return `[${value.map(format).join(', ')}]`;
    }
    if (value instanceof DOMException) {
      return `DOMException(${value.name}: ${value.message})`;
    }
    if (value instanceof Error) {
      return `${value.name}: ${value.message}`;
    }
    if (typeof value === 'object' && value !== null) {
      const tag = Object.prototype.toString.call(value);
      return tag === '[object Object]' ? JSON.stringify(value) : tag;
    }
    return String(value);
  } catch (e) {
    return Object.prototype.toString.call(value);
  }
}

const where = (message) => (message ? `${message}: ` : '');

/** `actual === expected` (NaN equals NaN; -0 equals 0). */
export function assertEquals(actual, expected, message = '') {
  if (!(actual === expected || (actual !== actual && expected !== expected))) {
    fail(`${where(message)}expected ${format(expected)} but got ${format(actual)}`);
  }
}

/** Object.is(actual, expected). */
export function assertSame(actual, expected, message = '') {
  if (!Object.is(actual, expected)) {
    fail(`${where(message)}expected the same value as ${format(expected)} but got ${format(actual)}`);
  }
}

export function assertNotSame(actual, unexpected, message = '') {
  if (Object.is(actual, unexpected)) {
    fail(`${where(message)}expected a value other than ${format(unexpected)}`);
  }
}

export function assertTrue(value, message = '') {
  if (value !== true) {
    fail(`${where(message)}expected true but got ${format(value)}`);
  }
}

export function assertFalse(value, message = '') {
  if (value !== false) {
    fail(`${where(message)}expected false but got ${format(value)}`);
  }
}

export function assertInstanceOf(value, type, message = '') {
  if (!(value instanceof type)) {
    fail(`${where(message)}expected an instance of ${type.name} but got ${format(value)}`);
  }
}

/** Same length and assertSame element by element. */
export function assertArrayEquals(actual, expected, message = '') {
  if (actual === null || typeof actual !== 'object' || typeof actual.length !== 'number') {
    fail(`${where(message)}expected an array like ${format(expected)} but got ${format(actual)}`);
  }
  const a = Array.from(actual);
  const e = Array.from(expected);
  if (a.length !== e.length || a.some((v, i) => !Object.is(v, e[i]))) {
    fail(`${where(message)}expected ${format(e)} but got ${format(a)}`);
  }
}

/**
 * Calls `fn`, which must throw: `expected` is an error constructor (the exception must be an
 * instance of it) or a string naming a DOMException (the exception must be a DOMException with that
 * name). Returns the exception.
 */
export function assertThrows(expected, fn, message = '') {
  let thrown;
  try {
    fn();
  } catch (e) {
    thrown = { e };
  }
  if (thrown === undefined) {
    fail(`${where(message)}expected ${describeExpected(expected)} to be thrown, but nothing was`);
  }
  checkThrown(expected, thrown.e, message);
  return thrown.e;
}

/** As assertThrows for a promise that must reject. */
export async function assertRejects(expected, promise, message = '') {
  try {
    await promise;
  } catch (e) {
    checkThrown(expected, e, message);
    return e;
  }
  return fail(`${where(message)}expected a rejection with ${describeExpected(expected)}`);
}

function describeExpected(expected) {
  return typeof expected === 'string' ? `DOMException ${expected}` : expected.name;
}

function checkThrown(expected, e, message) {
  if (typeof expected === 'string') {
    if (!(e instanceof DOMException) || e.name !== expected) {
      fail(`${where(message)}expected DOMException ${expected} but got ${format(e)}`);
    }
  } else if (!(e instanceof expected)) {
    fail(`${where(message)}expected ${expected.name} but got ${format(e)}`);
  }
}

// ------------------------------------------------------------------ waiting

/** A promise settled after `ms` (for bounded negative checks only). */
export function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The next event of `type` at `target`, or a rejection after `timeoutMs` (a failure guard). Uses
 * addEventListener; for a MessagePort that does not start its queue (call start() or set onmessage).
 */
export function nextEvent(target, type, timeoutMs = 5000) {
  const owner = current;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      target.removeEventListener(type, listener);
      rejectIfStillRunning(owner, reject, new AssertionError(`no '${type}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (event) => {
      clearTimeout(timer);
      target.removeEventListener(type, listener);
      resolve(event);
    };
    target.addEventListener(type, listener);
  });
}

// A wait that times out after its test ended (the test failed before awaiting it) stays pending
// instead of rejecting, so it cannot fail a later test as an unhandled rejection.
function rejectIfStillRunning(owner, reject, error) {
  if (owner === current) {
    reject(error);
  }
}

/** The next `count` events of `type` at `target`, in order (rejects after `timeoutMs`). */
export function nextEvents(target, type, count, timeoutMs = 5000) {
  const owner = current;
  return new Promise((resolve, reject) => {
    const events = [];
    const timer = setTimeout(() => {
      target.removeEventListener(type, listener);
      rejectIfStillRunning(owner, reject,
          new AssertionError(`${events.length} of ${count} '${type}' events within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (event) => {
      events.push(event);
      if (events.length === count) {
        clearTimeout(timer);
        target.removeEventListener(type, listener);
        resolve(events);
      }
    };
    target.addEventListener(type, listener);
  });
}

/** The next message's data at a port, worker or channel (starts a port's queue). */
export async function nextMessage(target, timeoutMs = 5000) {
  const event = nextEvent(target, 'message', timeoutMs);
  if (typeof target.start === 'function') {
    target.start();
  }
  return (await event).data;
}

/**
 * Resolves with the events of `type` that reached `target` within `ms` (a bounded negative check:
 * callers assert the list is empty or what it holds).
 */
export async function eventsWithin(target, type, ms = QUIET_MS) {
  const events = [];
  const listener = (event) => events.push(event);
  target.addEventListener(type, listener);
  try {
    await delay(ms);
  } finally {
    target.removeEventListener(type, listener);
  }
  return events;
}

// ------------------------------------------------------------------ the runner

function withTimeout(promise, ms, name) {
  let timer;
  const guard = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new AssertionError(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

function reason(e) {
  if (e instanceof AssertionError) {
    return e.message;
  }
  const stack = typeof e?.stack === 'string' ? e.stack.split('\n').slice(1, 3).map((l) => l.trim()).join(' ') : '';
  return `${format(e)}${stack ? ` (${stack})` : ''}`;
}

// Errors and unhandled rejections reported at the global scope during a test: checked once their
// dispatch is over (a listener of the test may cancel them).
function onGlobalError(event) {
  const test = current;
  if (test === null || !event.isTrusted) { // a test's own dispatchEvent is no report
    return;
  }
  queueMicrotask(() => {
    if (!event.defaultPrevented && test.errors !== null) {
      test.errors.push(event.type === 'error' ? (event.error ?? event.message) : event.reason);
    }
  });
}

async function runOne(n, entry) {
  if (entry.skip !== null) {
    console.log(`ok ${n} - ${entry.name} # SKIP ${entry.skip}`);
    return true;
  }
  const cleanups = [];
  const t = {
    name: entry.name,
    timeout: entry.timeout,
    cleanup(f) { cleanups.push(f); },
    /** Ends the test as skipped: the behaviour it checks is not implemented (say what is missing). */
    skip(why) { throw new SkipSignal(why); },
    /** A new MessageChannel whose ports are closed after the test. */
    channel() {
      const c = new MessageChannel();
      cleanups.push(() => { c.port1.close(); c.port2.close(); });
      return c;
    },
  };
  current = { errors: [] };
  const state = current;
  let failure = null;
  let skipped = null;
  try {
    await withTimeout(Promise.resolve().then(() => entry.fn(t)), entry.timeout, entry.name);
    await delay(0); // errors reported by tasks already queued by the test still count for it
  } catch (e) {
    if (e instanceof SkipSignal) {
      skipped = e.why;
    } else {
      failure = reason(e);
    }
  }
  for (const f of cleanups.reverse()) {
    try {
      await f();
    } catch (e) {
      failure = failure ?? `cleanup failed: ${reason(e)}`;
    }
  }
  if (failure === null && state.errors.length > 0) {
    failure = `uncaught error or unhandled rejection during the test: ${reason(state.errors[0])}`;
  }
  state.errors = null;
  current = null;
  if (failure === null) {
    console.log(`ok ${n} - ${entry.name}${skipped === null ? '' : ` # SKIP ${skipped}`}`);
    return true;
  }
  console.log(`not ok ${n} - ${entry.name}: ${failure}`);
  return `${n} - ${entry.name}: ${failure.length > 160 ? `${failure.slice(0, 160)}…` : failure}`;
}

async function runAll() {
  self.addEventListener('error', onGlobalError);
  self.addEventListener('unhandledrejection', onGlobalError);
  const failed = [];
  for (let i = 0; i < tests.length; i++) {
    const result = await runOne(i + 1, tests[i]);
    if (result !== true) {
      failed.push(result);
    }
  }
  self.removeEventListener('error', onGlobalError);
  self.removeEventListener('unhandledrejection', onGlobalError);
  console.log(`1..${tests.length}`);
  if (failed.length > 0) {
    reportError(new Error(`${failed.length} of ${tests.length} failed: ${failed.join('; ')}`));
  } else {
    console.log(`# all ${tests.length} passed`);
  }
  close();
}
