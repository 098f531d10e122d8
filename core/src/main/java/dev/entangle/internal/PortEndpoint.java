package dev.entangle.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.time.Duration;

import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.unpadded.MpscUnboundedUnpaddedArrayQueue;

/**
 * One end of a channel as the standard sees it behind the {@code MessagePort} object: the <i>port
 * message queue</i> (HTML §9.4.4), the entanglement with the other end, and the scheduling of its
 * messages onto the owner's event loop. An endpoint outlives the {@code MessagePort} objects that
 * stand for it: transferring a port detaches the old object and binds a new one to the same endpoint,
 * so queued messages, and messages the far side posts while the port is in transit, move with it.
 *
 * <p>Thread contract: {@link #enqueue} and {@link #offer} (the far side's {@code postMessage}) and every
 * close, bind and activation method may be called from any thread. Messages are consumed by one thread
 * at a time, guarded by the consumer lock: normally the owner loop's drain, or a {@code receiveMessage}
 * call.
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
     * then enqueues its Binding, on which the collector thread disentangles it (SPEC item 6, HTML
     * §9.4.6). The Binding doubles as the collection hook so that an idle port pays for one reference
     * object, not a token plus a Cleaner registration (benchmark 6: 144 B less per channel).
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
     * `closeQueued` (volatile) is true while that marker sits in the queue, so that queuedCount()
     * counts messages only.
     *
     * Bounded queues (capacity > 0, MessageChannel.bounded). `slots` (volatile, CAS/getAndAdd) counts
     * the messages in the queue plus the slots reserved by posts under way; the queue itself stays the
     * unbounded one, so an unbounded endpoint pays one read of the final `capacity` per post and per
     * message taken, and nothing else. offer() reserves a slot by CAS below the capacity, or refuses;
     * every message taken or discarded gives its slot back (release()). enqueue() (the transfer-list
     * path, whose caller already holds a reservation taken before anything was detached, see
     * PortHandle.postTransferring) counts unconditionally; the caller then returns its reservation, so
     * the queue never holds more than `capacity` messages. CLOSE markers are never counted and never
     * refused: close must never fail.
     *
     * Blocking callers (receiveMessage(Duration), offerMessage(Object, Duration)) wait in `waiters`
     * (PortWaiters, created on first use; volatile, CAS). Every state change such a caller may wait for
     * signals it: a message queued (afterOffer), a slot freed (release), the consumer lock released
     * while a receiver asked for it (`consumerWanted`, volatile, getAndSet: a receiver that found the
     * lock held waits instead of spinning, and a waiter's own release does not wake itself), this
     * endpoint closed or transferred away, its peer closed. Signalling costs one volatile read while
     * nobody waits; a waiter never polls.
     *
     * Consumer lock and receiveMessage(). A non-blocking receive only tries the lock (a short spin): if
     * a drain holds it, the loop is dispatching this port's messages, and receive() answers null rather
     * than wait for user handlers; two loops receiving from each other's ports in handlers can therefore
     * never deadlock. It rechecks the binding under the lock, so a transfer or close that committed
     * before the lock was taken is seen; one that commits during the poll itself is the same race as a
     * drain's (the message goes to this receiver, exactly once).
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
    private static final VarHandle WAITERS;
    private static final VarHandle SLOTS;
    private static final VarHandle CONSUMER_WANTED;
    /** Outcome of a receive attempt: no message can come to this handle any more. */
    private static final Object END = new Object() {
        @Override
        public String toString() {
            return "END";
        }
    };
    /** Spins a non-blocking receive gives a consumer holding the lock for one poll. */
    private static final int RECEIVE_SPINS = 64;

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
            WAITERS = l.findVarHandle(PortEndpoint.class, "waiters", PortWaiters.class);
            SLOTS = l.findVarHandle(PortEndpoint.class, "slots", int.class);
            CONSUMER_WANTED = l.findVarHandle(PortEndpoint.class, "consumerWanted", boolean.class);
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
    private volatile PortWaiters waiters;
    /** Bounded queues only: messages queued plus slots reserved; see the overview. */
    @SuppressWarnings("unused") // accessed through SLOTS
    private volatile int slots;
    /** A receiver gave up waiting for the consumer lock: its holder signals on release. */
    @SuppressWarnings("unused") // accessed through CONSUMER_WANTED
    private volatile boolean consumerWanted;
    /** True while the far side's CLOSE marker is in the queue. */
    private volatile boolean closeQueued;
    /** Maximum number of queued messages, or 0 for an unbounded queue (the standard's). */
    final int capacity;
    /** The loop whose registry holds this endpoint; written under bind/unbind, any thread. */
    private volatile LoopCore registeredIn;
    /** Consumer-only: the far side's CLOSE has been processed; later messages are discarded. */
    private boolean peerClosed;

    PortEndpoint() {
        this(0);
    }

    private PortEndpoint(int capacity) {
        this.capacity = capacity;
    }

    /**
     * The identity of one binding of a handle to this endpoint, and its collection hook: a weak
     * reference to the handle that the GC enqueues when the handle (and so the public object holding
     * it) is collected while the binding is still reachable from this endpoint; {@link Collector}
     * then disentangles the endpoint if that binding is still the current one.
     */
    static final class Binding extends WeakReference<PortHandle> {
        final PortEndpoint endpoint;

        Binding(PortHandle h, PortEndpoint endpoint) {
            super(h, Collector.QUEUE);
            this.endpoint = endpoint;
        }
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
                    Binding b = (Binding) QUEUE.remove();
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

    /** Creates two entangled endpoints (HTML §9.4.4 "entangle"). */
    public static PortEndpoint[] entangledPair() {
        return entangledPair(0);
    }

    /**
     * Creates two entangled endpoints whose queues each hold at most {@code capacity} messages, or
     * unbounded queues for 0.
     */
    public static PortEndpoint[] entangledPair(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must not be negative: " + capacity);
        }
        PortEndpoint a = new PortEndpoint(capacity);
        PortEndpoint b = new PortEndpoint(capacity);
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

    /**
     * Number of messages waiting in this port message queue, not counting a close marker; approximate
     * while other threads post or consume.
     */
    public int queuedCount() {
        MessagePassingQueue<Object> q = queue;
        if (q == null) {
            return 0;
        }
        int marker = closeQueued ? 1 : 0; // read before the size: at worst one too few, never negative
        return Math.max(0, q.size() - marker);
    }

    // ------------------------------------------------------------------------------------------------
    // Producer side: the far side's postMessage.

    /**
     * Queues a message from the far side; any thread; never refused. A bounded queue counts it even
     * beyond its capacity: callers hold a reservation ({@link #reserve}) taken beforehand.
     */
    void enqueue(Object payload, PortEndpoint[] transferred) {
        if (capacity != 0) {
            SLOTS.getAndAdd(this, 1); // atomic: concurrent reservers CAS the same counter
        }
        Object element = transferred.length != 0 ? new Envelope(payload, transferred)
                : payload == null ? NULL : payload;
        queue().offer(element);
        afterOffer();
    }

    /**
     * Queues a message without transferred ports from the far side, unless this is a bounded queue
     * that is full; any thread.
     *
     * @return false if the bounded queue is full (nothing was queued)
     */
    boolean offer(Object payload) {
        if (capacity != 0 && !reserve()) {
            return isClosed(); // a closed port drops the message, as postMessage does; else full
        }
        queue().offer(payload == null ? NULL : payload);
        afterOffer();
        return true;
    }

    /** Bounded queues: takes one slot if fewer than {@code capacity} are taken. */
    boolean reserve() {
        while (true) {
            int n = (int) SLOTS.getVolatile(this);
            if (n >= capacity) {
                return false;
            }
            // CAS: producers race for the last slots; the consumer's getAndAdd may interleave.
            if (SLOTS.compareAndSet(this, n, n + 1)) {
                return true;
            }
        }
    }

    /** Bounded queues: gives one slot back (a message left the queue, or a reservation ended). */
    void release() {
        // Atomic and sequentially consistent: the consumer's half of the handshake with a sender
        // that waits for a slot (it registers, then reserves; see PortWaiters).
        SLOTS.getAndAdd(this, -1);
        signalWaiters();
    }

    private void afterOffer() {
        // Each read is volatile and follows the offer: see the Dekker notes in the overview.
        if ((boolean) CLOSED.getVolatile(this)) {
            discardIfIdle();
            return;
        }
        signalWaiters();
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
        assert loop.inEventLoop() : "port drain off its loop";
        if (!CONSUMER.compareAndSet(this, null, Thread.currentThread())) {
            // receiveMessage() holds the queue for one poll: retry on a later turn, still scheduled.
            loop.submitDrain(this);
            return;
        }
        boolean more;
        try {
            more = drainLocked(loop);
        } finally {
            releaseConsumer();
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
            if (capacity != 0 && element != CLOSE) {
                release(); // the slot frees as the message leaves the queue
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
        assert loop.inEventLoop() && h.loop == loop : "delivery off the port's owner loop";
        Object jfr = Jfr.dispatchBegin(this); // JFR MessageDispatched
        try {
            h.deliver(payloadOf(element), portsOf(element));
        } catch (Throwable t) {
            if (LoopCore.isFatal(t)) {
                throw t; // the JVM is in doubt; a StackOverflowError is not: it has unwound
            }
            loop.reportError(t); // the handle reports listener errors itself; this is a last resort
        }
        Jfr.dispatchEnd(jfr, this, loop);
    }

    private void processClose(PortHandle h, LoopCore loop) {
        assert loop.inEventLoop() && h.loop == loop : "close processed off the port's owner loop";
        peerClosed = true;
        closeQueued = false;
        PEER.setVolatile(this, null); // disentangled: posting here is now a silent no-op
        // Nothing can reach this port any more, so its loop has nothing to close for it: let go, so that
        // a started port (strongly held through `active`) is collectable once its user drops it. The
        // draining loop is h.loop; a transfer racing this unregisters from the same loop (idempotent),
        // and a later bind registers with its own. Not a handle that still keeps its loop alive once
        // disentangled (a Worker's inbox: its loop must live until the worker's exit is dispatched,
        // which closes it); the loop finds it through this registration.
        if (!h.keepsLoopAlive()) {
            loop.unregister(this);
            if (registeredIn == loop) {
                registeredIn = null;
            }
        }
        signalWaiters();
        try {
            h.deliverClose();
        } catch (Throwable t) {
            if (LoopCore.isFatal(t)) {
                throw t; // the JVM is in doubt; a StackOverflowError is not: it has unwound
            }
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
     * Takes the next message without dispatching it, or returns null; any thread, never blocks. Null
     * also when another thread holds the queue at this moment (the owner loop dispatching this port's
     * messages, or a concurrent receive past its short spin). Returns the raw queue element, decoded
     * with {@link #payloadOf} / {@link #portsOf} by the caller.
     */
    Object receive(PortHandle h) {
        Object result = attemptReceive(h);
        return result == PortWaiters.RETRY || result == END ? null : result;
    }

    /**
     * Waits up to {@code timeout} for the next message; not on the owner loop's thread. Returns null on
     * timeout, or at once when no message can come to {@code h} any more (closed, transferred away, the
     * far side closed with nothing queued ahead of its close).
     *
     * @throws InterruptedException if interrupted on entry or while waiting (j.u.c convention)
     */
    Object receive(PortHandle h, Duration timeout) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        Object result = attemptReceive(h);
        long nanos = PortWaiters.nanos(timeout);
        if (result == PortWaiters.RETRY && nanos > 0L) {
            result = waiters().await(() -> attemptReceive(h), nanos);
        }
        return result == PortWaiters.RETRY || result == END ? null : result;
    }

    /** One try: a queue element, {@link PortWaiters#RETRY} (nothing now, or queue held), or END. */
    private Object attemptReceive(PortHandle h) {
        if (!h.isOpen() || !isBoundTo(h) || isClosed()) {
            return END;
        }
        MessagePassingQueue<Object> q = queue;
        if (q == null) {
            return peer() == null ? END : PortWaiters.RETRY;
        }
        Thread me = Thread.currentThread();
        boolean reentrant = CONSUMER.getVolatile(this) == me; // a handler on its own port
        if (!reentrant && !tryAcquireConsumer(me)) {
            return PortWaiters.RETRY; // releaseConsumer() signals waiters
        }
        Object result;
        boolean closeAtHead = false;
        try {
            Object head;
            if (!isBoundTo(h) || isClosed()) {
                result = END; // a transfer or close committed before we took the lock
            } else if ((head = q.peek()) == CLOSE) {
                closeAtHead = true; // leave it: the loop fires `close`; nothing can come after it
                result = END;
            } else if (peerClosed) {
                result = END; // what is left was posted after the close and will be discarded
            } else if (head != null) {
                result = q.poll();
                if (capacity != 0) {
                    release();
                }
                // The far side's close right behind the message just taken: with the queue disabled,
                // only a drain asked by PENDING_CLOSE fires it, and an earlier drain may have found this
                // message ahead of it and cleared the request. Ask again, or the close waits for a
                // second receive nobody makes.
                closeAtHead = q.peek() == CLOSE;
            } else {
                result = peer() == null ? END : PortWaiters.RETRY;
            }
        } finally {
            if (!reentrant) {
                releaseConsumer();
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
     * Tries the consumer lock for a few spins: a receive never waits for a drain's user handlers. On
     * failure, asks the holder to signal waiters when it releases the lock.
     */
    private boolean tryAcquireConsumer(Thread me) {
        for (int spins = 0; spins < RECEIVE_SPINS; spins++) {
            if (CONSUMER.compareAndSet(this, null, me)) {
                return true;
            }
            Thread.onSpinWait();
        }
        // Dekker with releaseConsumer(): ask (volatile write), then try once more. Either the holder's
        // later read sees the request and signals, or this CAS sees the lock free.
        CONSUMER_WANTED.setVolatile(this, true);
        return CONSUMER.compareAndSet(this, null, me);
    }

    /**
     * Releases the consumer lock and, if a receiver gave up on it meanwhile, signals the waiters. Only
     * on request: a waiting receiver's own release must not wake itself (it would spin).
     */
    private void releaseConsumer() {
        CONSUMER.setVolatile(this, null);
        // Volatile read after the release, then getAndSet so that one request is answered once.
        if ((boolean) CONSUMER_WANTED.getVolatile(this)
                && (boolean) CONSUMER_WANTED.getAndSet(this, false)) {
            signalWaiters();
        }
    }

    /**
     * Waits up to {@code nanos} for {@code attempt} (a sender's try to post here) to stop returning
     * {@link PortWaiters#RETRY}; woken whenever a slot frees or this endpoint or its peer changes state.
     */
    Object awaitSlot(PortWaiters.Attempt attempt, long nanos) throws InterruptedException {
        return waiters().await(attempt, nanos);
    }

    private PortWaiters waiters() {
        PortWaiters w = waiters;
        if (w != null) {
            return w;
        }
        PortWaiters created = new PortWaiters();
        // CAS: two first waiters may race; the loser adopts the winner's.
        Object witness = WAITERS.compareAndExchange(this, null, created);
        return witness == null ? created : (PortWaiters) witness;
    }

    /** Wakes blocked receivers and senders for another try; one volatile read if there are none. */
    void signalWaiters() {
        PortWaiters w = (PortWaiters) WAITERS.getVolatile(this);
        if (w != null) {
            w.signal();
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Binding: which MessagePort object stands for this endpoint, and whether its queue is enabled.

    /** Binds a new handle (channel creation, or a transferred port arriving); the queue stays disabled. */
    void bind(PortHandle h) {
        WeakReference<PortHandle> token = new Binding(h, this);
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
            signalWaiters(); // receivers blocked on h: nothing can come to it any more
            PortEndpoint other = peer();
            if (other != null) {
                other.signalWaiters(); // senders blocked posting through h
            }
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
            closeInternal(); // the handle was collected and the collector has not run yet
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
        Jfr.portClosed(this, loop, other); // JFR PortClosed
        if (other != null) {
            other.peerClosing();
        }
        signalWaiters();
        discardIfIdle();
    }

    /** The far side closed: leave the marker behind every message it posted before. */
    private void peerClosing() {
        if ((boolean) CLOSED.getVolatile(this)) {
            // Closed here too (both ends closing, as a reply channel does): the marker would only be
            // discarded, after creating a queue for it. A close of this end racing past this read
            // discards what the lines below queue.
            return;
        }
        closeQueued = true; // before the offer: queuedCount() may undercount, never count the marker
        queue().offer(CLOSE);
        PENDING_CLOSE.setVolatile(this, true);
        signalWaiters();
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
                releaseConsumer();
            }
        }
    }

    private void discardLocked(MessagePassingQueue<Object> q) {
        Object element;
        while ((element = q.poll()) != null) {
            if (element == CLOSE) {
                closeQueued = false;
            } else if (capacity != 0) {
                release();
            }
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
