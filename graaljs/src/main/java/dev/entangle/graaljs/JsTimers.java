package dev.entangle.graaljs;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import dev.entangle.MessagePort;

/**
 * The one timer thread shared by every realm ({@code setTimeout} / {@code setInterval}): when a timer
 * is due it posts the timer's id on the realm's timer port, so the callback runs as a task of the
 * realm's own loop, in the order of the timers' due times (ties in the order they were set).
 *
 * <p>Threads: {@link #schedule} from any thread. Memory consistency effects: those of
 * {@link MessagePort#postMessage(Object)}.
 */
final class JsTimers {
    private static final ScheduledThreadPoolExecutor TIMERS = newTimerThread();

    private JsTimers() {
    }

    private static ScheduledThreadPoolExecutor newTimerThread() {
        ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, task -> {
            Thread t = new Thread(task, "entangle-js-timers");
            t.setDaemon(true); // a pending timer keeps its worker alive through its port, not this thread
            return t;
        });
        timers.setRemoveOnCancelPolicy(true);
        return timers;
    }

    /** Posts {@code id} on {@code port} after {@code delayMillis} (fractions kept, to the microsecond). */
    static void schedule(MessagePort port, int id, double delayMillis) {
        long micros = (long) Math.min(delayMillis * 1000.0, (double) Long.MAX_VALUE);
        TIMERS.schedule(() -> port.postMessage(id), micros, TimeUnit.MICROSECONDS);
    }
}
