package dev.entangle.internal;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;

/**
 * The identity of one binding of a {@link PortHandle} to a {@link PortEndpoint}, and its garbage
 * collection hook (HTML "ports and garbage collection", {@code #ports-and-garbage-collection}): a weak
 * reference to the handle that the GC enqueues when the handle (and so the public object holding it)
 * is collected while the binding is still reachable from its endpoint; the collector thread then
 * disentangles the endpoint if that binding is still the current one.
 *
 * <p>Thread contract: created by {@link PortEndpoint#bind} on any thread; {@link Collector} is the
 * only consumer of the reference queue.
 *
 * <p>Memory consistency effects: the endpoint publishes a binding by a volatile write of its
 * {@code bound} field; a handle reads its own binding from {@link PortHandle#token} (volatile).
 */
final class PortBinding extends WeakReference<PortHandle> {
    /*
     * Implementation overview.
     *
     * One reference object per binding doubles as the binding's identity token and as the collection
     * hook, so that an idle port pays for one object, not a token plus a Cleaner registration
     * (benchmark 6: 144 B less per channel). A port never started is held only weakly (through this
     * reference), so the GC can collect it; a started one is held strongly by its endpoint's `active`
     * field, an open handle of its loop as in Node, until closed.
     *
     * Fields: `endpoint` final; the referent belongs to java.lang.ref.
     */

    final PortEndpoint endpoint;

    PortBinding(PortHandle h, PortEndpoint endpoint) {
        super(h, Collector.QUEUE);
        this.endpoint = endpoint;
    }

    /**
     * The daemon thread {@code entangle-port-cleaner}, started with the first binding: takes the
     * bindings of collected handles from the reference queue and disentangles their endpoints (the
     * other side gets {@code close}). Never runs user code.
     */
    private static final class Collector {
        static final ReferenceQueue<PortHandle> QUEUE = new ReferenceQueue<>();

        static {
            Thread t = new Thread(Collector::run, "entangle-port-cleaner");
            t.setDaemon(true);
            t.start();
        }

        private static void run() {
            while (true) {
                try {
                    PortBinding b = (PortBinding) QUEUE.remove();
                    b.endpoint.closeCollected(b);
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
}
