// entangle for GraalJS: timers (HTML §8.6, setTimeout / setInterval) and microtask queuing (§8.7).
//
// Evaluated once per realm; its value is a function of prelude.js's helpers. The callbacks stay here;
// Java schedules each timer's id (native.schedule) and calls back `fireTimer` (returned to Java by
// prelude.js) when it is due.
(function (h) {
  'use strict';
  const { native, define, requireArgs, reportException } = h;

  // ---------------------------------------------------------------- timers (HTML §8.6) and microtasks (§8.7)
  const timers = new Map();
  let nextTimerId = 1;
  // Pending timers keep the realm alive (Node's rule): retained while there is at least one.
  const timerCount = (delta) => {
    if (delta > 0 && timers.size === 1) {
      native.retain();
    } else if (delta < 0 && timers.size === 0) {
      native.release();
    }
  };
  const startTimer = (handler, timeout, args, repeat) => {
    const callback = typeof handler === 'function' ? handler : String(handler);
    let delay = Number(timeout) | 0; // WebIDL long; HTML: a negative timeout is 0
    if (delay < 0) {
      delay = 0;
    }
    const id = nextTimerId++;
    timers.set(id, { callback, args, repeat, delay });
    timerCount(+1);
    native.schedule(id, delay);
    return id;
  };
  const stopTimer = (id) => {
    if (timers.delete(Number(id))) {
      timerCount(-1);
    }
  };
  const fireTimer = (id) => {
    const t = timers.get(id);
    if (t === undefined) {
      return;
    }
    if (!t.repeat) {
      timers.delete(id);
      timerCount(-1);
    }
    try {
      if (typeof t.callback === 'function') {
        Reflect.apply(t.callback, globalThis, t.args);
      } else {
        (0, eval)(t.callback);
      }
    } catch (error) {
      reportException(error);
    }
    if (t.repeat && timers.get(id) === t) {
      native.schedule(id, t.delay);
    }
  };
  function setTimeout(handler, timeout = 0, ...args) {
    requireArgs(arguments.length, 1, "'setTimeout'");
    return startTimer(handler, timeout, args, false);
  }
  function setInterval(handler, timeout = 0, ...args) {
    requireArgs(arguments.length, 1, "'setInterval'");
    return startTimer(handler, timeout, args, true);
  }
  function clearTimeout(id = 0) { stopTimer(id); }
  function clearInterval(id = 0) { stopTimer(id); }
  function queueMicrotask(callback) {
    requireArgs(arguments.length, 1, "'queueMicrotask'");
    if (typeof callback !== 'function') {
      throw new TypeError("Failed to execute 'queueMicrotask': parameter 1 is not of type 'Function'.");
    }
    Promise.resolve().then(() => {
      try {
        callback();
      } catch (error) {
        reportException(error);
      }
    });
  }

  define(globalThis, { setTimeout, setInterval, clearTimeout, clearInterval, queueMicrotask });

  Object.assign(h, { startTimer, fireTimer });
})
