package dev.entangle.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.time.Duration;

import dev.entangle.DOMException;

/**
 * The state behind one {@code MessagePort} object: its owner loop, the endpoint it stands for, and its
 * lifecycle (open, enabled, being transferred, detached, closed). The public {@code MessagePort}
 * extends this through a private nested class and supplies event dispatch ({@link #deliver},
 * {@link #deliverClose}); everything that decides <i>whether</i> and <i>where</i> a message goes is here
 * and in {@link PortEndpoint}.
 *
 * <p>Thread contract: every public method may be called from any thread. {@link #deliver} and
 * {@link #deliverClose} are called only on the owner loop's thread.
 *
 * <p>Memory consistency effects: a state change made by one thread (start, transfer, close)
 * <i>happens-before</i> any other thread observes the new state through this handle.
 */
public abstract class PortHandle extends WeakReference<Object> {
    /*
     * Implementation overview.
     *
     * `state` is a bit set changed by CAS only:
     *   ENABLED  - the port message queue was enabled (start(), or the first onmessage set); sticky.
     *   CLAIMED  - a transfer on some thread has claimed this port and will commit or release it within
     *              a few instructions (no user code runs while a claim is held).
     *   DETACHED - transferred away: this object no longer stands for its endpoint (terminal).
     *   CLOSED   - close() was called (terminal).
     * Transitions: open -> open|ENABLED; open(|ENABLED) -> (..)|CLAIMED -> DETACHED or back;
     * open(|ENABLED) -> CLOSED. close() and a second transfer wait (spin) while CLAIMED, which makes a
     * transfer and a close of the same port linearizable: either the transfer fails with
     * DataCloneError because the port was closed first, or it commits and the close is a no-op on the
     * detached object (SPEC item 3, all-or-nothing). Ports are claimed in identity-hash order (ties
     * under one lock, see TransferSteps), so two transfers with overlapping lists cannot deadlock.
     *   UNREF      - Node's unref(): the port does not keep its loop alive; ref() clears it.
     *   REGISTERED - this handle's endpoint is in its loop's port registry (LoopCore.register); set and
     *                cleared only under that registry's lock, kept by every other transition.
     *
     * Binding and garbage collection (HTML #ports-and-garbage-collection). This handle is itself the
     * binding's identity (the endpoint's `bound` field holds it while it stands for the endpoint) and
     * a weak reference to the public object it stands for (a MessagePort, or a Worker for its inbox),
     * registered with PortCollector's queue: one object per binding, not a handle plus a token (issue
     * 12: 64 B less per idle channel). The runtime holds the public object strongly only through the
     * endpoint's `pin`, written when the port is started (an enabled port is an open handle of its
     * loop, as in Node, kept alive until closed); so an unreferenced port that was never started is
     * collected, the GC enqueues this handle, and the collector thread disentangles the endpoint if
     * this handle is still bound to it.
     *
     * Footprint (issue 12 item 7): three fields beside the Reference's four, 40 bytes with compressed
     * oops. Node's ref()/unref() is the UNREF bit, and the loop's registry membership the REGISTERED
     * bit, both in `state`; transfers claim ports in identity-hash order (TransferSteps), so no id.
     *
     * Fields:
     *   loop      final        the owner loop
     *   endpoint  final        the endpoint this handle was created for
     *   state     volatile; CAS, getAndBitwiseOr/And (the bits above; REGISTERED only under the
     *             registry lock of `loop`, see LoopCore.register); one plain set before the handle
     *             is published (bindStartedUnpublished)
     *   referent  (java.lang.ref) the public object, weakly
     */

    static final int ENABLED = 1;
    static final int CLAIMED = 2;
    static final int DETACHED = 4;
    static final int CLOSED = 8;
    static final int UNREF = 16;
    static final int REGISTERED = 32;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(PortHandle.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final LoopCore loop;
    final PortEndpoint endpoint;
    private volatile int state;

    /**
     * A handle standing for {@code endpoint} on behalf of {@code publicObject}, which it references
     * weakly: when that object is collected while this handle is bound, the endpoint is disentangled.
     */
    protected PortHandle(Object publicObject, LoopCore loop, PortEndpoint endpoint) {
        super(publicObject, PortCollector.QUEUE);
        this.loop = loop;
        this.endpoint = endpoint;
    }

    /** The owner loop. */
    public final LoopCore loop() {
        return loop;
    }

    /** Binds this handle to its endpoint. Call once, after construction. */
    public final void bind() {
        endpoint.bind(this);
    }

    /**
     * {@link #bind()} and {@link #start()} at once, for a handle whose endpoint no other thread can
     * reach yet (the requester's end of a fresh reply channel, {@link PortEndpoint#requesterEnd}): plain
     * writes, published with the endpoint (by the post that carries the far end, or by the run
     * queue hand-off of the answer's timer, {@code Requests.ask}), and no signal, since nothing can
     * be queued there yet; or, on the loop that watches that endpoint, right after that post, since
     * no other thread reads
     * what these writes write on the ways an answer or a close comes ({@code Requests}, "Post
     * first"). No registration with
     * the loop, which bind() makes: the caller's handle stands for a request's answer, which its
     * loop's timer heap fails and closes when the loop closes, and which keeps a worker's loop alive
     * through that heap too ({@code Requests}). Call once, after construction, instead of both.
     */
    public final void bindStartedUnpublished() {
        spState(ENABLED); // plain: see above
        endpoint.bindStartedUnpublished(this);
    }

    private int state() {
        return state;
    }

    /** Plain: only before the handle is published (bindStartedUnpublished). */
    private void spState(int value) {
        STATE.set(this, value);
    }

    private boolean casState(int expect, int update) {
        return STATE.compareAndSet(this, expect, update);
    }

    private int getAndBitwiseOrState(int bits) {
        return (int) STATE.getAndBitwiseOr(this, bits);
    }

    private int getAndBitwiseAndNotState(int bits) {
        return (int) STATE.getAndBitwiseAnd(this, ~bits);
    }

    /** Under the registry lock of {@link #loop}: marks this handle registered; false if it was. */
    final boolean markRegistered() {
        return (getAndBitwiseOrState(REGISTERED) & REGISTERED) == 0;
    }

    /** Under the registry lock of {@link #loop}: clears the mark; false if it was not registered. */
    final boolean clearRegistered() {
        return (getAndBitwiseAndNotState(REGISTERED) & REGISTERED) != 0;
    }

    /** Whether the REGISTERED bit is set; any thread, racy (it changes under the registry lock). */
    final boolean isRegistered() {
        return (state() & REGISTERED) != 0;
    }

    /** Neither detached nor closed. */
    public final boolean isOpen() {
        return (state() & (DETACHED | CLOSED)) == 0;
    }

    public final boolean isClosed() {
        return (state() & CLOSED) != 0;
    }

    public final boolean isStarted() {
        return (state() & ENABLED) != 0;
    }

    /** True while this open port is entangled with another port. */
    public final boolean isEntangled() {
        return isOpen() && endpoint.isEntangled();
    }

    /**
     * The handle bound to the entangled endpoint at this moment, or null (disentangled, the far port
     * in transit or collected); any thread, a racy answer.
     */
    public final PortHandle entangledHandle() {
        PortEndpoint peer = isOpen() ? endpoint.peer() : null;
        return peer == null ? null : peer.boundHandle();
    }

    /** Enables the port message queue (HTML "start()"); idempotent; no-op once detached or closed. */
    public final void start() {
        while (true) {
            int s = state();
            if ((s & (DETACHED | CLOSED)) != 0 || (s & ENABLED) != 0) {
                return;
            }
            if (casState(s, s | ENABLED)) {
                endpoint.activate(this); // pins the public object, our caller, which holds this handle
                return;
            }
        }
    }

    /** Detaches and disentangles (HTML "close()"); idempotent, never throws, never blocks on user code. */
    public final void close() {
        close(true);
    }

    /**
     * {@link #close()} right after posting the answer to a requester's end of a reply channel (a
     * handle that closes itself on the first message it receives, as {@code Requests.ask}'s does):
     * the far end is left no {@code close} marker, which it would only discard (issue 15: the marker
     * cost the requester's loop a contended queue offer and three atomic updates per ask). Only for
     * a far end that is such a handle: any other would never see the close.
     */
    public final void closeAfterAnswer() {
        close(false);
    }

    /**
     * {@link #close()} of the requester's end of a reply pair by the answer it just delivered: on
     * this handle's loop, inside the drain that delivered it ({@link #deliver}). The endpoint closes
     * with one atomic when the answer was the last thing that can come (PortEndpoint.closeAnswered,
     * "Spent reply end"), else as {@link #close()} does.
     */
    public final void closeAnswered() {
        if (claimClose()) {
            endpoint.closeAnswered(this);
        }
    }

    private void close(boolean notifyPeer) {
        if (claimClose()) {
            endpoint.closeBy(this, notifyPeer);
        }
    }

    /** Moves this handle to CLOSED; false if it was detached or closed already. */
    private boolean claimClose() {
        while (true) {
            int s = state();
            if ((s & (DETACHED | CLOSED)) != 0) {
                return false;
            }
            if ((s & CLAIMED) != 0) {
                Thread.onSpinWait(); // a transfer commits or releases within a few instructions
                continue;
            }
            if (casState(s, CLOSED | (s & REGISTERED))) {
                return true;
            }
        }
    }

    /** Claims this port for a transfer; false if it is detached or closed. */
    final boolean claim() {
        while (true) {
            int s = state();
            if ((s & (DETACHED | CLOSED)) != 0) {
                return false;
            }
            if ((s & CLAIMED) != 0) {
                Thread.onSpinWait(); // another transfer holds it for a few instructions
                continue;
            }
            if (casState(s, s | CLAIMED)) {
                return true;
            }
        }
    }

    final void unclaim() {
        while (true) {
            int s = state();
            if (casState(s, s & ~CLAIMED)) {
                return;
            }
        }
    }

    /** Commits a claimed transfer: this object is detached; messages now wait for the next binding. */
    final PortEndpoint commitTransfer() {
        while (true) {
            // Only the claim holder changes the other bits while CLAIMED is set; REGISTERED may change
            // under the loop's registry lock meanwhile, hence the CAS.
            int s = state();
            if (casState(s, DETACHED | (s & REGISTERED))) {
                break;
            }
        }
        endpoint.unbindForTransfer(this);
        return endpoint;
    }

    /**
     * Posts a message to the entangled port (HTML "message port post message steps").
     *
     * @throws DOMException QuotaExceededError if the entangled port's bounded queue is full
     */
    public final void post(Object message) {
        post(message, endpoint.peer());
    }

    /**
     * The entangled endpoint at this moment, or null once disentangled; for a port object to keep
     * (see {@link #post(Object, PortEndpoint)}).
     */
    public final PortEndpoint farEnd() {
        return endpoint.peer();
    }

    /**
     * {@link #post(Object)} to {@code farEnd}, a value {@link #farEnd()} returned for this handle at
     * any earlier time. Entanglement only ever ends, so while this handle is open {@code farEnd} is
     * either still the entangled endpoint or closed: every path that disentangles an open, reachable
     * handle's endpoint closes the far one (its close, or the close it processed), or closes this
     * handle first (close(), the loop's close). A closed far end drops the message, as a
     * disentangled port does. The caller reads neither this handle's endpoint nor its peer field:
     * with the state read, that is two cache misses in a row fewer per message (benchmarks' Scale).
     *
     * @throws DOMException QuotaExceededError if the entangled port's bounded queue is full
     */
    public final void post(Object message, PortEndpoint farEnd) {
        Object payload = StructuredSerialize.serialize(message, null);
        if (farEnd != null && isOpen() && !farEnd.offer(payload)) {
            throw full(farEnd);
        }
    }

    /**
     * Posts a message unless the entangled port's bounded queue is full.
     *
     * @return false if it is full (nothing queued); true otherwise, also when the message is dropped
     *     because this port is closed, detached or disentangled (as {@link #post} drops it)
     */
    public final boolean offer(Object message) {
        Object payload = StructuredSerialize.serialize(message, null);
        return attemptOffer(payload) != PortWaiters.RETRY;
    }

    /**
     * Posts a message, waiting up to {@code timeout} for room in the entangled port's bounded queue.
     *
     * @return false if the time ran out with the queue still full; true as for {@link #offer(Object)}
     * @throws InterruptedException if interrupted on entry or while waiting
     */
    public final boolean offer(Object message, Duration timeout) throws InterruptedException {
        Object payload = StructuredSerialize.serialize(message, null);
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        Object result = attemptOffer(payload);
        long nanos = PortWaiters.nanos(timeout);
        if (result == PortWaiters.RETRY && nanos > 0L) {
            PortEndpoint target = endpoint.peer(); // the full queue; null if disentangled meanwhile
            result = target != null ? target.awaitSlot(() -> attemptOffer(payload), nanos)
                    : attemptOffer(payload);
        }
        return result != PortWaiters.RETRY;
    }

    private Object attemptOffer(Object payload) {
        PortEndpoint target = isOpen() ? endpoint.peer() : null;
        if (target == null || target.offer(payload)) {
            return Boolean.TRUE; // queued, or dropped as postMessage drops it
        }
        return PortWaiters.RETRY;
    }

    /**
     * Whether {@link #postTransferring} would only run its steps: the entangled port's queue is
     * unbounded, or this port is disentangled, detached or closed (entanglement only ever ends, and
     * a queue's bound is fixed, so the answer stays true). Any thread.
     */
    public final boolean postsUnbounded() {
        PortEndpoint target = isOpen() ? endpoint.peer() : null;
        return target == null || target.capacity() == 0;
    }

    /**
     * Runs the post-with-transfer steps holding one slot of a bounded entangled port, so that a full
     * queue refuses the message before any transferred object is detached (all-or-nothing); the queue
     * still never holds more than its capacity (see {@link PortEndpoint}). Unbounded: just runs them.
     *
     * @throws DOMException QuotaExceededError if the entangled port's bounded queue is full
     */
    public final void postTransferring(Runnable steps) {
        PortEndpoint target = isOpen() ? endpoint.peer() : null;
        if (target == null || target.capacity() == 0) {
            steps.run();
            return;
        }
        if (!target.reserve()) {
            if (target.isClosed()) {
                steps.run(); // the message will be dropped; the steps still check and detach
                return;
            }
            throw full(target);
        }
        try {
            steps.run();
        } finally {
            target.release();
        }
    }

    /**
     * {@link #postTransferring}, waiting up to {@code timeout} for a slot of a full bounded entangled
     * port instead of throwing; the steps run (checking and detaching) only once a slot is held, so a
     * timeout detaches nothing. Not on an event loop (the caller checks).
     *
     * @return false if the time ran out with the queue still full (nothing posted or detached)
     * @throws InterruptedException if interrupted on entry or while waiting (nothing posted)
     */
    public final boolean offerTransferring(Runnable steps, Duration timeout) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        PortWaiters.Attempt attempt = () -> {
            PortEndpoint target = isOpen() ? endpoint.peer() : null;
            if (target == null || target.capacity() == 0 || target.isClosed()) {
                steps.run(); // unbounded, or the message will be dropped: the steps still check and detach
                return Boolean.TRUE;
            }
            if (!target.reserve()) {
                return PortWaiters.RETRY;
            }
            try {
                steps.run();
            } finally {
                target.release();
            }
            return Boolean.TRUE;
        };
        Object result = attempt.run();
        long nanos = PortWaiters.nanos(timeout);
        if (result == PortWaiters.RETRY && nanos > 0L) {
            PortEndpoint target = endpoint.peer(); // the full queue; null if disentangled meanwhile
            result = target != null ? target.awaitSlot(attempt, nanos) : attempt.run();
        }
        return result != PortWaiters.RETRY;
    }

    private static DOMException full(PortEndpoint target) {
        return new DOMException("the receiving port's queue is full (capacity " + target.capacity()
                + "); the message was not posted", "QuotaExceededError");
    }

    /** Next queued message, undispatched, or null. Decode with {@link #payloadOf} and {@link #portsOf}. */
    public final Object receive() {
        return isOpen() ? endpoint.receive(this) : null;
    }

    /** Waits for the next queued message, undispatched; null on timeout or when none can come. */
    public final Object receive(Duration timeout) throws InterruptedException {
        return isOpen() ? endpoint.receive(this, timeout) : null;
    }

    public static Object payloadOf(Object element) {
        return PortEndpoint.payloadOf(element);
    }

    public static PortEndpoint[] portsOf(Object element) {
        return PortEndpoint.portsOf(element);
    }

    /** Closes endpoints that arrived with a message that could not be delivered. */
    public static void discard(PortEndpoint[] endpoints) {
        for (PortEndpoint e : endpoints) {
            e.closeOrphan();
        }
    }

    public final void ref(boolean value) {
        if (value) {
            getAndBitwiseAndNotState(UNREF);
        } else {
            getAndBitwiseOrState(UNREF);
            loop.lifetimeChanged(); // an idle worker loop may now end
        }
    }

    /**
     * Whether this port keeps its loop alive; any thread (the loop asks when it runs out of work). This
     * default is Node's rule for a port: open, still bound, entangled, started, ref'ed, and wanting
     * messages. A handle that stands for more than a port (a Worker's side of its implicit channel)
     * overrides it.
     */
    protected boolean keepsLoopAlive() {
        return hasRef() && isStarted() && endpoint.isBoundTo(this) && endpoint.isEntangled()
                && wantsMessages();
    }

    /**
     * Whether anyone listens for this port's messages (a {@code message} listener or handler); a port
     * nobody listens to does not keep its loop alive. Any thread. This default says yes.
     */
    protected boolean wantsMessages() {
        return true;
    }

    public final boolean hasRef() {
        return (state() & (UNREF | DETACHED | CLOSED)) == 0;
    }

    /** Number of messages waiting at this port, or 0 if it is not open. */
    public final int queuedCount() {
        return isOpen() && endpoint.isBoundTo(this) ? endpoint.queuedCount() : 0;
    }

    /** Dispatches one message; owner loop thread only. */
    protected abstract void deliver(Object payload, PortEndpoint[] ports);

    /** Dispatches the {@code close} event; owner loop thread only. */
    protected abstract void deliverClose();

    @Override
    public String toString() {
        int s = state();
        String what = (s & CLOSED) != 0 ? "closed" : (s & DETACHED) != 0 ? "detached"
                : !endpoint.isEntangled() ? "disentangled" : (s & ENABLED) != 0 ? "started" : "open";
        return "MessagePort#" + Integer.toHexString(System.identityHashCode(this)) + "[" + what + ", " + loop.name() + "]";
    }
}
