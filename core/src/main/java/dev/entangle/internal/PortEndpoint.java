package dev.entangle.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.unpadded.MpscUnboundedUnpaddedArrayQueue;

/**
 * One end of a channel as the standard sees it behind the {@code MessagePort} object: the <i>port
 * message queue</i> (HTML §9.4.4), the entanglement with the other end, and the scheduling of its
 * messages onto the owner's event loop. An endpoint outlives the {@code MessagePort} objects that
 * stand for it: transferring a port detaches the old object and binds a new one to the same endpoint,
 * so queued messages, and messages the far side posts while the port is in transit, move with it.
 *
 * <p>Thread contract: {@link #enqueue} (the far side's {@code postMessage}) and every close, bind and
 * activation method may be called from any thread. Messages are consumed by one thread at a time,
 * guarded by the consumer lock: normally the owner loop's drain, or a {@code receiveMessage} call.
 *
 * <p>Memory consistency effects: actions of a thread before {@link #enqueue} <i>happen-before</i> the
 * consumer takes that message (the queue's offer is a release, its poll an acquire), and hence before
 * the dispatch of the matching event (SPEC item 10).
 */
public final class PortEndpoint {
    /*
     * Implementation overview.
     *
     * Queue. A JCTools MPSC unbounded array queue, created on the first message (an idle channel pays
     * for no queue). MPSC because postMessage is legal from any thread (SPEC item 2); one consumer at a
     * time because of the consumer lock below. Unpadded: thousands of ports per loop make footprint
     * matter more than producer/consumer false sharing on one port (to be revisited with benchmarks).
     * Elements: a bare payload (no ports), NULL for a null payload, an Envelope (payload + transferred
     * endpoints), or CLOSE, the marker the far side leaves when it closes; markers go through the queue
     * so that `close` fires after every message posted before it (SPEC item 6).
     *
     * Binding. `bound` is a WeakReference to the PortHandle that currently stands for this endpoint
     * (null while the port is in transit inside a message, or once closed); the reference object itself
     * is the binding's identity token. `active` is the same handle, strongly, once its port message
     * queue is enabled (start() or onmessage): an enabled port is an open handle of its loop, kept alive
     * until closed, as in Node; a port never started is only weakly held, so the GC can collect it, and
     * its Cleaner then disentangles it (SPEC item 6, HTML §9.4.6).
     *
     * Scheduling. `scheduled` (CAS 0 -> 1) admits the endpoint into at most one loop's run queue. The
     * party that clears it must recheck for work afterwards (Dekker with producers, who offer and then
     * read `scheduled`; all volatile, hence sequentially consistent). A drain dispatches at most BATCH
     * messages, then goes back to the tail of its loop's run queue (SPEC item 9).
     *
     * Consumer lock. `consumer` holds the consuming Thread (CAS null -> thread), so that a loop drain and
     * receiveMessage() never poll concurrently (the queue is single-consumer), and so that a handler
     * calling receiveMessage() on its own port re-enters. Fields read only by the holder
     * (`peerClosed`) are published by the lock's CAS/volatile release.
     *
     * Transfer race (documented on MessagePort): a drain checks the binding before each message; a
     * transfer from a thread other than the owner loop may commit while the dispatch of one message it
     * already checked is under way. That message is dispatched at the old port; every later one at the
     * new port; none twice, none lost, order kept.
     *
     * Close. closeInternal(): closed = true, unbind, take `peer` (getAndSet null) and leave CLOSE in the
     * peer's queue, then discard what is queued here, closing any endpoints travelling in discarded
     * messages (their far sides get `close`). A producer that finds `closed` after its offer discards
     * too. The peer processes CLOSE when it reaches the head: in order if its queue is enabled; and, as
     * in Node, even if it is not, provided no message is ahead (`pendingClose` asks a drain to look).
     */

    /** Marker the far side leaves in this queue when it closes. */
    static final Object CLOSE = new Object() {
        @Override
        public String toString() {
            return "CLOSE";
        }
    };
    /** Stands for a null payload: queues do not take null. */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "NULL";
        }
    };
    static final PortEndpoint[] NO_PORTS = new PortEndpoint[0];

    /** Messages one drain dispatches before yielding its loop to other ports and tasks. */
    static final int BATCH = 64;
    private static final int QUEUE_CHUNK = 32;

    private static final VarHandle QUEUE;
    private static final VarHandle PEER;
    private static final VarHandle ACTIVE;
    private static final VarHandle BOUND;
    private static final VarHandle SCHEDULED;
    private static final VarHandle CONSUMER;
    private static final VarHandle CLOSED;
    private static final VarHandle PENDING_CLOSE;
    private static final VarHandle WAITER;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            QUEUE = l.findVarHandle(PortEndpoint.class, "queue", MessagePassingQueue.class);
            PEER = l.findVarHandle(PortEndpoint.class, "peer", PortEndpoint.class);
            ACTIVE = l.findVarHandle(PortEndpoint.class, "active", PortHandle.class);
            BOUND = l.findVarHandle(PortEndpoint.class, "bound", WeakReference.class);
            SCHEDULED = l.findVarHandle(PortEndpoint.class, "scheduled", int.class);
            CONSUMER = l.findVarHandle(PortEndpoint.class, "consumer", Thread.class);
            CLOSED = l.findVarHandle(PortEndpoint.class, "closed", boolean.class);
            PENDING_CLOSE = l.findVarHandle(PortEndpoint.class, "pendingClose", boolean.class);
            WAITER = l.findVarHandle(PortEndpoint.class, "waiter", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile MessagePassingQueue<Object> queue;
    private volatile PortEndpoint peer;
    private volatile PortHandle active;
    private volatile WeakReference<PortHandle> bound;
    private volatile int scheduled;
    private volatile Thread consumer;
    private volatile boolean closed;
    private volatile boolean pendingClose;
    private volatile Thread waiter;
    /** The loop whose registry holds this endpoint; written under bind/unbind, any thread. */
    private volatile LoopCore registeredIn;
    /** Consumer-only: the far side's CLOSE has been processed; later messages are discarded. */
    private boolean peerClosed;

    PortEndpoint() {
    }

    /** Creates two entangled endpoints (HTML §9.4.4 "entangle"). */
    public static PortEndpoint[] entangledPair() {
        PortEndpoint a = new PortEndpoint();
        PortEndpoint b = new PortEndpoint();
        a.peer = b;
        b.peer = a;
        return new PortEndpoint[] {a, b};
    }

    /** The entangled endpoint, or null once disentangled. */
    PortEndpoint peer() {
        return (PortEndpoint) PEER.getVolatile(this);
    }

    /** True while entangled (no close seen from either side). */
    public boolean isEntangled() {
        return peer() != null;
    }

    boolean isClosed() {
        return (boolean) CLOSED.getVolatile(this);
    }

    /** Number of messages waiting in this port message queue (approximate while producers post). */
    public int queuedCount() {
        MessagePassingQueue<Object> q = queue;
        return q == null ? 0 : q.size();
    }

    // ------------------------------------------------------------------------------------------------
    // Producer side: the far side's postMessage.

    /** Queues a message from the far side; any thread. */
    void enqueue(Object payload, PortEndpoint[] transferred) {
        Object element = transferred.length != 0 ? new Envelope(payload, transferred)
                : payload == null ? NULL : payload;
        queue().offer(element);
        afterOffer();
    }

    private void afterOffer() {
        // Each read is volatile and follows the offer: see the Dekker notes in the overview.
        if ((boolean) CLOSED.getVolatile(this)) {
            discardIfIdle();
            return;
        }
        Thread w = (Thread) WAITER.getVolatile(this);
        if (w != null) {
            LockSupport.unpark(w);
        }
        signal();
    }

    private MessagePassingQueue<Object> queue() {
        MessagePassingQueue<Object> q = queue;
        if (q != null) {
            return q;
        }
        MessagePassingQueue<Object> created = new MpscUnboundedUnpaddedArrayQueue<>(QUEUE_CHUNK);
        // CAS: two first producers may race; the loser adopts the winner's queue.
        Object witness = QUEUE.compareAndExchange(this, null, created);
        return witness == null ? created : uncheckedQueue(witness);
    }

    @SuppressWarnings("unchecked")
    private static MessagePassingQueue<Object> uncheckedQueue(Object q) {
        return (MessagePassingQueue<Object>) q;
    }

    /** Submits a drain to the right loop if there is work it can do and none is pending. */
    private void signal() {
        if ((int) SCHEDULED.getVolatile(this) != 0) {
            return; // a drain is queued or running; it rechecks after clearing the flag
        }
        LoopCore target = drainTarget();
        if (target != null && SCHEDULED.compareAndSet(this, 0, 1)) {
            // If the binding moved between drainTarget() and here, that drain finds the mismatch,
            // clears the flag and signals again, which reaches the right loop.
            target.submitDrain(this);
        }
    }

    private LoopCore drainTarget() {
        MessagePassingQueue<Object> q = queue;
        if (q == null || q.isEmpty()) {
            return null;
        }
        PortHandle h = (PortHandle) ACTIVE.getVolatile(this);
        if (h != null) {
            return h.loop;
        }
        if ((boolean) PENDING_CLOSE.getVolatile(this)) {
            h = boundHandle();
            return h == null ? null : h.loop;
        }
        return null;
    }

    // ------------------------------------------------------------------------------------------------
    // Consumer side: the owner loop's drain.

    /** Runs on {@code loop}'s thread with {@code scheduled == 1}. */
    void drain(LoopCore loop) {
        if (!CONSUMER.compareAndSet(this, null, Thread.currentThread())) {
            // receiveMessage() holds the queue for one poll: retry on a later turn, still scheduled.
            loop.submitDrain(this);
            return;
        }
        boolean more;
        try {
            more = drainLocked(loop);
        } finally {
            CONSUMER.setVolatile(this, null);
        }
        if (more) {
            loop.submitDrain(this); // back to the tail: other ports and tasks go first
            return;
        }
        SCHEDULED.setVolatile(this, 0);
        recheck();
    }

    /** After releasing the consumer lock or the scheduled flag: pick up work that raced in. */
    private void recheck() {
        if ((boolean) CLOSED.getVolatile(this)) {
            discardIfIdle();
        } else {
            signal();
        }
    }

    /** Holds the consumer lock. Returns true if a full batch ran and more messages wait. */
    private boolean drainLocked(LoopCore loop) {
        MessagePassingQueue<Object> q = queue;
        if (q == null) {
            return false;
        }
        if ((boolean) CLOSED.getVolatile(this)) {
            discardLocked(q);
            return false;
        }
        PortHandle h = (PortHandle) ACTIVE.getVolatile(this);
        if (h == null) {
            // Queue disabled: only a CLOSE marker at the head may be processed (Node's rule).
            PortHandle b = boundHandle();
            if (b != null && b.loop == loop && (boolean) PENDING_CLOSE.getVolatile(this)) {
                PENDING_CLOSE.setVolatile(this, false);
                if (q.peek() == CLOSE) {
                    q.poll();
                    processClose(b, loop);
                }
            }
            return false;
        }
        if (h.loop != loop) {
            return false; // rebound elsewhere; recheck() sends the work to the right loop
        }
        for (int n = 0; n < BATCH; n++) {
            // The binding check before each message: a transfer or close stops the drain here.
            if (ACTIVE.getVolatile(this) != h) {
                return false;
            }
            if (!h.isOpen() || !isBoundTo(h)) {
                ACTIVE.compareAndSet(this, h, null); // stale: see activate()
                return false;
            }
            Object element = q.poll();
            if (element == null) {
                return false;
            }
            if (element == CLOSE) {
                processClose(h, loop);
            } else if (peerClosed) {
                discardElement(element);
            } else {
                deliver(h, element, loop);
            }
        }
        return !q.isEmpty();
    }

    private void deliver(PortHandle h, Object element, LoopCore loop) {
        try {
            h.deliver(payloadOf(element), portsOf(element));
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (Throwable t) {
            loop.reportError(t); // the handle reports listener errors itself; this is a last resort
        }
    }

    private void processClose(PortHandle h, LoopCore loop) {
        peerClosed = true;
        PEER.setVolatile(this, null); // disentangled: posting here is now a silent no-op
        wakeWaiter();
        try {
            h.deliverClose();
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (Throwable t) {
            loop.reportError(t);
        }
    }

    static Object payloadOf(Object element) {
        if (element instanceof Envelope) {
            return ((Envelope) element).payload;
        }
        return element == NULL ? null : element;
    }

    static PortEndpoint[] portsOf(Object element) {
        return element instanceof Envelope ? ((Envelope) element).ports : NO_PORTS;
    }

    // ------------------------------------------------------------------------------------------------
    // Synchronous receive (Node's receiveMessageOnPort).

    /**
     * Takes the next message without dispatching it, or returns null; any thread. Returns the raw queue
     * element, decoded with {@link #payloadOf} / {@link #portsOf} by the caller.
     */
    Object receive(PortHandle h) {
        MessagePassingQueue<Object> q = queue;
        if (q == null || !isBoundTo(h) || (boolean) CLOSED.getVolatile(this)) {
            return null;
        }
        Thread me = Thread.currentThread();
        boolean reentrant = CONSUMER.getVolatile(this) == me; // a handler on its own port
        if (!reentrant) {
            acquireConsumer(me);
        }
        Object result = null;
        boolean closeAtHead = false;
        try {
            Object head = q.peek();
            if (head == CLOSE) {
                closeAtHead = true; // leave it: the loop fires `close`
            } else if (head != null && !peerClosed && !(boolean) CLOSED.getVolatile(this)) {
                result = q.poll();
            }
        } finally {
            if (!reentrant) {
                CONSUMER.setVolatile(this, null);
            }
        }
        if (closeAtHead) {
            PENDING_CLOSE.setVolatile(this, true);
        }
        if (!reentrant) {
            recheck();
        }
        return result;
    }

    /**
     * Waits up to {@code timeout} for the next message; not on the owner loop's thread. Returns null on
     * timeout, or at once when no message can arrive any more (closed or disentangled and empty).
     */
    Object receive(PortHandle h, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Thread me = Thread.currentThread();
        while (true) {
            Object element = receive(h);
            if (element != null) {
                return element;
            }
            if (!isBoundTo(h) || (boolean) CLOSED.getVolatile(this)
                    || (peer() == null && queuedCount() == 0)) {
                return null;
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return null;
            }
            boolean registered = WAITER.compareAndSet(this, null, me);
            try {
                // Recheck after registering (Dekker with afterOffer's read of `waiter`).
                if (queuedCount() == 0 && peer() != null) {
                    // A second concurrent waiter is not registered: it polls at a short interval.
                    LockSupport.parkNanos(this, registered ? remaining : Math.min(remaining, 100_000L));
                }
            } finally {
                if (registered) {
                    WAITER.setVolatile(this, null);
                }
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    private void acquireConsumer(Thread me) {
        int spins = 0;
        while (!CONSUMER.compareAndSet(this, null, me)) {
            // Held by a drain for at most one batch, or by another receive for one poll.
            if (++spins < 100) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    private void wakeWaiter() {
        Thread w = (Thread) WAITER.getVolatile(this);
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Binding: which MessagePort object stands for this endpoint, and whether its queue is enabled.

    /** Binds a new handle (channel creation, or a transferred port arriving); the queue stays disabled. */
    void bind(PortHandle h) {
        WeakReference<PortHandle> token = new WeakReference<>(h);
        h.token = token;
        BOUND.setVolatile(this, token);
        registeredIn = h.loop;
        h.loop.register(this);
        signal(); // a CLOSE marker may have arrived while in transit
    }

    /** Unbinds {@code h} because it is being transferred away: messages now wait for the next binding. */
    void unbindForTransfer(PortHandle h) {
        if (BOUND.compareAndSet(this, h.token, null)) {
            ACTIVE.compareAndSet(this, h, null);
            h.loop.unregister(this);
            registeredIn = null;
        }
    }

    /** Enables the port message queue for {@code h} (HTML "start()"); idempotent. */
    void activate(PortHandle h) {
        // A start() racing a transfer or close of the same handle can set `active` after the unbind
        // cleared it (our isBoundTo read came before the unbind, our CAS after it), leaving a stale
        // handle there. Found by jcstress (PortTransferTests.StartVsTransfer): the new handle's own
        // activation then failed its CAS and its messages stranded. Hence: replace a stale value
        // instead of giving up, and re-check the binding after publishing (unbinders write `bound`
        // first, then clear `active`: all volatile, so either they see our value or we see theirs).
        while (true) {
            PortHandle current = (PortHandle) ACTIVE.getVolatile(this);
            if (current == h || !isBoundTo(h)) {
                return; // already enabled (idempotent), or transferred / closed: nothing to enable
            }
            // `current` was read before h was seen bound, and a handle is bound at most once: so it is
            // null or a handle whose binding has ended (stale), never a live binding to overwrite.
            if (ACTIVE.compareAndSet(this, current, h)) {
                if (isBoundTo(h)) {
                    signal();
                } else {
                    ACTIVE.compareAndSet(this, h, null); // unbound meanwhile: do not leave h stale
                }
                return;
            }
        }
    }

    boolean isBoundTo(PortHandle h) {
        return h.token != null && BOUND.getVolatile(this) == h.token;
    }

    PortHandle boundHandle() {
        @SuppressWarnings("unchecked")
        WeakReference<PortHandle> token = (WeakReference<PortHandle>) BOUND.getVolatile(this);
        return token == null ? null : token.get();
    }

    // ------------------------------------------------------------------------------------------------
    // Close and disentangle (HTML §9.4.4 "disentangle", SPEC item 6).

    /** {@code close()} on the handle bound to this endpoint. */
    void closeBy(PortHandle h) {
        if (isBoundTo(h)) {
            closeInternal();
        }
    }

    /** The handle behind {@code token} was garbage collected while still bound: disentangle. */
    void closeCollected(WeakReference<PortHandle> token) {
        if (BOUND.getVolatile(this) == token) {
            closeInternal();
        }
    }

    /** The owner loop is closing. */
    void closeBecauseLoopClosed(LoopCore loop) {
        PortHandle h = boundHandle();
        if (h != null && h.loop == loop) {
            h.close();
        } else if (h == null && registeredIn == loop) {
            closeInternal(); // the handle was collected and its Cleaner has not run yet
        }
    }

    /** This endpoint travelled in a message that will never be delivered: close it. */
    void closeOrphan() {
        closeInternal();
    }

    private void closeInternal() {
        if (!CLOSED.compareAndSet(this, false, true)) {
            return;
        }
        BOUND.setVolatile(this, null);
        ACTIVE.setVolatile(this, null);
        LoopCore loop = registeredIn;
        if (loop != null) {
            loop.unregister(this);
            registeredIn = null;
        }
        PortEndpoint other = (PortEndpoint) PEER.getAndSet(this, null);
        if (other != null) {
            other.peerClosing();
        }
        wakeWaiter();
        discardIfIdle();
    }

    /** The far side closed: leave the marker behind every message it posted before. */
    private void peerClosing() {
        queue().offer(CLOSE);
        PENDING_CLOSE.setVolatile(this, true);
        wakeWaiter();
        recheck();
    }

    /** Discards everything queued, if no consumer holds the queue (a holder rechecks on release). */
    private void discardIfIdle() {
        Thread me = Thread.currentThread();
        while (true) {
            MessagePassingQueue<Object> q = queue;
            if (q == null || q.isEmpty() || !CONSUMER.compareAndSet(this, null, me)) {
                return;
            }
            try {
                discardLocked(q);
            } finally {
                CONSUMER.setVolatile(this, null);
            }
        }
    }

    private void discardLocked(MessagePassingQueue<Object> q) {
        Object element;
        while ((element = q.poll()) != null) {
            discardElement(element);
        }
    }

    /** Drops a message; ports travelling in it are closed so that their far sides learn of it. */
    static void discardElement(Object element) {
        for (PortEndpoint travelling : portsOf(element)) {
            travelling.closeOrphan();
        }
    }

    @Override
    public String toString() {
        return "PortEndpoint@" + Integer.toHexString(System.identityHashCode(this))
                + (isClosed() ? "[closed]" : peer() == null ? "[disentangled]" : "[entangled]");
    }
}
