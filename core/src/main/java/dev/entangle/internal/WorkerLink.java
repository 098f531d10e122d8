package dev.entangle.internal;

/**
 * The runtime's own traffic on a worker's implicit channel: signals ({@code online}, {@code error})
 * queued in the parent's port message queue behind the messages the worker posted before them, so the
 * parent sees everything in the order it happened; and closing the worker's end wherever it is.
 *
 * <p>Any thread. Memory consistency effects: as for {@code postMessage}; actions before
 * {@link #signalPeer} happen-before the parent's handling of the signal.
 */
public final class WorkerLink {
    private WorkerLink() {
    }

    /**
     * Queues {@code signal}, as it is (not cloned), at the port entangled with {@code from}.
     *
     * @return false if {@code from} is no longer entangled (nothing was queued)
     */
    public static boolean signalPeer(PortEndpoint from, Object signal) {
        PortEndpoint peer = from.peer();
        if (peer == null) {
            return false;
        }
        peer.enqueue(signal, PortEndpoint.NO_PORTS);
        return true;
    }

    /** Closes {@code endpoint} wherever it is bound (its peer gets {@code close}); idempotent. */
    public static void close(PortEndpoint endpoint) {
        endpoint.closeOrphan();
    }
}
