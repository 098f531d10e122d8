package dev.entangle.internal;

import java.lang.ref.ReferenceQueue;

/**
 * Ports and garbage collection (HTML {@code #ports-and-garbage-collection}): the daemon thread
 * {@code entangle-port-cleaner}, started with the first {@link PortHandle}, takes the handles whose
 * public objects were collected from {@link #QUEUE} and disentangles their endpoints if they are still
 * bound (the other side gets {@code close}). Never runs user code.
 *
 * <p>Thread contract: {@link #QUEUE} is registered by every handle on construction (any thread);
 * only the collector thread removes from it.
 *
 * <p>Memory consistency effects: none beyond the endpoint's own (the close it runs is the one
 * {@code MessagePort.close()} runs).
 */
final class PortCollector {
    /*
     * Implementation overview.
     *
     * Each PortHandle is a weak reference to the public object it stands for, registered with QUEUE
     * (see PortHandle's overview): the GC enqueues it when that object is collected while the handle
     * itself is still reachable, that is, still bound to its endpoint. The thread calls
     * PortEndpoint.closeCollected, which closes only if the handle is still the bound one, and goes on
     * after any failure (reported to its uncaught-exception handler): one failure must not end
     * disentangling for the process.
     */

    /** The handles of collected public objects. */
    static final ReferenceQueue<Object> QUEUE = new ReferenceQueue<>();

    static {
        Thread t = new Thread(PortCollector::run, "entangle-port-cleaner");
        t.setDaemon(true);
        t.start();
    }

    private PortCollector() {
    }

    private static void run() {
        while (true) {
            try {
                PortHandle h = (PortHandle) QUEUE.remove();
                h.endpoint.closeCollected(h);
            } catch (InterruptedException e) {
                // Nobody should interrupt this thread; it keeps serving the queue.
            } catch (Throwable e) {
                report(e); // and go on: one failure must not end disentangling for the process
            }
        }
    }

    /** Hands {@code e} to this thread's handler; never throws (a throwing handler is printed). */
    private static void report(Throwable e) {
        Thread me = Thread.currentThread();
        try {
            me.getUncaughtExceptionHandler().uncaughtException(me, e);
        } catch (Throwable secondary) {
            e.addSuppressed(secondary);
            e.printStackTrace();
        }
    }
}
