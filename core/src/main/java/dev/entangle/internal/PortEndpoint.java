package dev.entangle.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;


/**
 * One end of a channel as the standard sees it behind the {@code MessagePort} object: the <i>port
 * message queue</i> (HTML {@code #port-message-queue}), the entanglement with the other end, and the scheduling of its
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
     * This class keeps the port message queue, the entanglement and the scheduling; the rarely used
     * capabilities are objects of their own, created only where used, behind the one field `side`:
     * BoundedSlots (bounded channels only, at creation) and PortWaiters (threads blocked in
     * receiveMessage(Duration) or offerMessage(Object, Duration), at the first such call; a bounded
     * endpoint's waiters hang off its BoundedSlots); the GC binding is the PortHandle itself with
     * PortCollector. An idle channel pays for two 48-byte endpoints and no registry node: the endpoint
     * is itself the node of its loop's port registry (benchmarks/README.md, "Footprint layout").
     *
     * Queue. A JCTools MPSC unbounded array queue (ChunkedPortQueue, which adds the consumer lock),
     * created on the first message (an idle channel pays for no queue). MPSC because postMessage is
     * legal from any thread (SPEC item 2); one consumer at a time because of the consumer lock below.
     * Unpadded: thousands of ports per loop make footprint matter more than producer/consumer false
     * sharing on one port (to be revisited with benchmarks).
     * A requester's end of a reply channel (requesterEnd) has a ReplyQueue instead, made with it:
     * one slot for the answer, a JCTools queue behind it only if more arrives.
     * Elements: a bare payload (no ports), NULL for a null payload, an Envelope (payload + transferred
     * endpoints), or CLOSE, the marker the far side leaves when it closes; markers go through the queue
     * so that `close` fires after every message posted before it (SPEC item 6).
     *
     * Binding. `bound` is the PortHandle that currently stands for this endpoint (null while the port
     * is in transit inside a message, or once closed); the handle object itself is the binding's
     * identity (a handle is bound at most once), and a weak reference to its public object. The port
     * message queue is enabled once the bound handle is started (its sticky ENABLED bit: start() or
     * onmessage); `pin` then holds the handle's public object strongly: an enabled port is an open
     * handle of its loop, kept alive until closed, as in Node. The public object of a port never
     * started is only weakly held, so the GC can collect it, and then enqueues the handle, on which
     * PortCollector's thread disentangles this endpoint (SPEC item 6, HTML
     * #ports-and-garbage-collection).
     *
     * Drain target. `target` is the bound handle's loop while that handle is started, else null, so
     * that a post finds the loop to schedule on in this endpoint (whose line its state read brings in
     * anyway) instead of one dependent miss further, in the handle (benchmarks' Scale: each hop posts to
     * a port no thread touched for a lap). Every change of the binding or of the handle's ENABLED bit
     * is followed by refreshTarget(), which derives the value again after writing it until the
     * binding it read is still there: the last write of any race is therefore derived from the final
     * binding. A post that reads a stale value schedules a drain on the old loop, which finds the
     * binding changed and reschedules, as for a transfer racing the post.
     *
     * Loop registry. The loops close the ports bound to their handles (LoopCore.register): each loop
     * keeps a doubly linked list through its endpoints (`prevInLoop`, `nextInLoop`, plain, guarded by
     * that loop's registry lock), and the handle's REGISTERED bit says whether its endpoint is in its
     * loop's list. An endpoint is in at most one list: a binding unregisters before the next binding
     * of the same endpoint can exist (a transfer unbinds before its message is queued).
     *
     * State word. `state` holds six flags, so that an endpoint is 48 bytes, not 64 (issue 12):
     *   SCHEDULED     admits the endpoint into at most one loop's run queue (set by CAS in
     *                 trySchedule(), cleared by the drain, or later by the idle dedicated loop that
     *                 kept it to poll: LoopCore, "Watched port"; or set before publication on the
     *                 requester's end of a reply pair its asking loop watches from the start,
     *                 watchUnpublished). The party that clears it must recheck for work
     *                 afterwards (Dekker with producers, who offer and then read the state; all
     *                 volatile or atomic, hence sequentially consistent).
     *   CLOSED        set once by closeInternal() (getAndBitwiseOr: the first setter closes); terminal.
     *   PENDING_CLOSE asks a drain to look for CLOSE at the head of a disabled queue (see Close).
     *   CLOSE_QUEUED  the far side's CLOSE sits in the queue, so that queuedCount() counts messages only.
     *   PEER_CLOSED   the consumer processed CLOSE; later messages are discarded (read by the consumer).
     *   ANSWERS_ASK   set before publication on the replier's end of a reply pair
     *                 (entangleReplierEnd), never changed: its peer is the requester's end of a
     *                 Requests.ask (unbounded, no port object, closed by its first message), so a
     *                 replier needs no look at the peer.
     *   ANSWERED      set with CLOSED by answerAndClose (closeNeverBound): this end was answered
     *                 through and closed with no port object bound to it, so nothing posts through
     *                 it again, and every post it made happens-before the bit.
     *   SPENT         set with CLOSED by closeAnswered, on a requester's end whose answer came from an
     *                 ANSWERED peer and left its queue empty: nothing can ever arrive, so the drain
     *                 that took the answer keeps the consumer lock and SCHEDULED (nobody is owed a
     *                 release, a recheck or a discard), and bound, target, pin and peer keep their
     *                 values (the pair is garbage together). See "Spent reply end".
     * Every bit is changed by an atomic read-modify-write (CAS, getAndBitwiseOr/And), because the
     * others may change concurrently; reads are volatile. A drain dispatches at most BATCH messages,
     * then goes back to the tail of its loop's run queue (SPEC item 9).
     *
     * Consumer lock. The lock word, in the queue object (PortQueue: not in this endpoint, whose state
     * every post reads right after its offer), is FREE (0), a loop's consumerId (CAS FREE -> id: that
     * loop's drain holds it) or HELD (-1: a receive or a discard holds it, running no user code), so
     * that a loop drain and receiveMessage() never poll concurrently (the queue is single-consumer),
     * and so that a handler calling receiveMessage() on its own port re-enters: the lock holds the id
     * of the loop whose turn runs on the calling thread, so its drain is lower on this stack, or the
     * loop watches this endpoint and runs no drain of another (a loop runs one turn at a time; ids are
     * unique among live loops, LoopIds). A dedicated loop that watches this endpoint keeps the lock
     * from the drain that emptied the queue until it hands the endpoint back (endWatch), so that a
     * spinning loop takes each message without a CAS and a release of its own; a receive from another
     * thread meanwhile finds the lock held, as while a drain runs (the loop dispatches what arrives; a
     * blocked receiver's request is answered when the loop hands the endpoint back: on the first
     * message that is not the loop's to dispatch, the port having been transferred or closed, or when
     * the loop parks or runs anything else). A HELD holder releases with a release store and signals
     * nobody (releaseHeld: a receive must not wait for its poll's stores to leave the core, benchmarks'
     * busy PingPong); whoever finds the lock HELD waits its few instructions out instead of asking
     * (tryAcquireConsumer, discardIfIdle). A drain's release is volatile and then reads the request of
     * a blocked receiver that found the lock with the loop (Dekker with PortWaiters.requestConsumer).
     * An int, not the draining Thread: storing a reference into an object in the old generation costs
     * a G1 card per drain (benchmarks' Scale). Facts only the holder reads (PEER_CLOSED) are published
     * by the lock's CAS and release as well as by the state word.
     *
     * Transfer race (documented on MessagePort): a drain checks the binding before each message; a
     * transfer from a thread other than the owner loop may commit while the dispatch of one message it
     * already checked is under way. That message is dispatched at the old port; every later one at the
     * new port; none twice, none lost, order kept.
     *
     * Close. closeInternal(): CLOSED, unbind, take `peer` (getAndSet null) and leave CLOSE in the
     * peer's queue, then discard what is queued here, closing any endpoints travelling in discarded
     * messages (their far sides get `close`). A producer that finds CLOSED after its offer discards
     * too. The peer processes CLOSE when it reaches the head: in order if its queue is enabled; and, as
     * in Node, even if it is not, provided no message is ahead (PENDING_CLOSE asks a drain to look).
     * One close leaves no CLOSE: a replier's close right after its answer to a requester's reply end
     * (PortHandle.closeAfterAnswer), which closes itself on that answer; its own close then finds this
     * endpoint closed (peerClosing), so both ends end up closed and disentangled all the same.
     *
     * Spent reply end (issue 15). The requester's end of an ask closes itself on the answer it takes
     * (Requests: the future's completion). The usual close is on the way of every ask: three volatile
     * stores (bound, target, pin), a getAndSet of peer, a look at the peer (a line the replier just
     * wrote), then the drain's release of the lock (a fence) and its clearing of SCHEDULED (an atomic)
     * with a recheck. When the replier answered through its endpoint (Requests.reply in its handler:
     * its end is ANSWERED, and posts nothing more) and the queue is empty after the answer, none of it
     * has anyone to serve: no producer is left (the only one is the peer), no waiter (no port object),
     * no registry (never registered). closeAnswered then only sets CLOSED | SPENT (one atomic), and
     * the drain, finding SPENT, hands nothing back. Any other case (a peer not ANSWERED yet, as in the
     * race where the answer is taken before the replier's close, or one that posted more) takes the
     * usual close.
     *
     * Bounded queues (capacity > 0, MessageChannel.bounded): `side` holds the BoundedSlots from
     * construction on; the standard's unbounded queue pays one type check of `side` per post and per
     * message taken, and nothing else. offer() reserves a slot or refuses; enqueue() (the transfer-list path)
     * counts unconditionally under the caller's reservation; see BoundedSlots.
     *
     * Blocking callers (receiveMessage(Duration), offerMessage(Object, Duration)) wait in `waiters`
     * (PortWaiters, created on first use; CAS). Every state change such a caller may wait for signals
     * it: a message queued (afterOffer), a slot freed (release), the consumer lock released while a
     * waiting receiver asked for it (PortWaiters.requestConsumer), this endpoint closed or transferred
     * away, its peer closed. Signalling costs one volatile read while nobody waits; a waiter never polls.
     *
     * Consumer lock and receiveMessage(). A non-blocking receive only tries the lock (a short spin): if
     * a drain holds it, the loop is dispatching this port's messages, and receive() answers null rather
     * than wait for user handlers; two loops receiving from each other's ports in handlers can therefore
     * never deadlock. It rechecks the binding under the lock, so a transfer or close that committed
     * before the lock was taken is seen; one that commits during the poll itself is the same race as a
     * drain's (the message goes to this receiver, exactly once).
     *
     * Fields (all volatile unless said; the VarHandles serve the atomic read-modify-writes, and the
     * plain writes a reply pair makes before it is published: requesterEnd, entangleReplierEnd,
     * watchUnpublished and bindStartedUnpublished):
     *   state         volatile; CAS, getAndBitwiseOr/And; plain set before publication
     *                 (entangleReplierEnd, watchUnpublished) the six flags above
     *   queue         volatile; CAS once (lazy creation); plain set before publication (requesterEnd)
     *                                                           the port message queue
     *   peer          volatile; getAndSet on close; plain set before publication (entangleReplierEnd);
     *                 release store on the close of a never-bound end (closeNeverBound)
     *                                                           the entangled endpoint, or null
     *   pin           volatile; CAS; plain set before publication  the started handle's public object
     *   bound         volatile; CAS on transfer; plain set before publication  the bound PortHandle, or null
     *   target        volatile; plain set before publication    the started bound handle's loop, or null
     *   side          not volatile; plain (bounded check), volatile and CAS once (waiters): null,
     *                 BoundedSlots (set before publication, never replaced) or PortWaiters
     *   prevInLoop,   plain, under the registry lock of the loop whose list holds this endpoint
     *   nextInLoop
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

    /** {@code state} bit: a drain is queued at a loop or running (admits one at a time). */
    private static final int SCHEDULED = 1;
    /** {@code state} bit: this endpoint was closed (or its handle collected); terminal. */
    private static final int CLOSED = 2;
    /** {@code state} bit: a drain should look for the far side's CLOSE at the head of a disabled queue. */
    private static final int PENDING_CLOSE = 4;
    /** {@code state} bit: the far side's CLOSE marker is in the queue (queuedCount() skips it). */
    private static final int CLOSE_QUEUED = 8;
    /** {@code state} bit, consumer only: the far side's CLOSE was processed; later messages are discarded. */
    private static final int PEER_CLOSED = 16;
    /** {@code state} bit, set before publication and never changed: the peer is an ask's requester end. */
    private static final int ANSWERS_ASK = 32;
    /** {@code state} bit, with CLOSED: closed by its answer through the endpoint (answerAndClose). */
    private static final int ANSWERED = 64;
    /** {@code state} bit, with CLOSED: a requester's end closed by its answer with nothing left to come. */
    private static final int SPENT = 128;

    private static final VarHandle STATE;
    private static final VarHandle QUEUE;
    private static final VarHandle PEER;
    private static final VarHandle PIN;
    private static final VarHandle BOUND;
    private static final VarHandle TARGET;
    private static final VarHandle SIDE;
    /** Outcome of a receive attempt: no message can come to this handle any more. */
    private static final Object END = new Object() {
        @Override
        public String toString() {
            return "END";
        }
    };
    /** {@code consumer}: nobody holds the consumer lock. */
    private static final int FREE = 0;
    /** {@code consumer}: a receive or a discard holds it (no user code runs while it does). */
    private static final int HELD = -1;

    /** Spins a receive gives a loop's drain holding the lock before it gives up (or asks). */
    private static final int RECEIVE_SPINS = 64;
    /** Spins a wait for a HELD lock makes before it yields between looks. */
    private static final int HELD_SPINS = 1_000;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(PortEndpoint.class, "state", int.class);
            QUEUE = l.findVarHandle(PortEndpoint.class, "queue", PortQueue.class);
            PEER = l.findVarHandle(PortEndpoint.class, "peer", PortEndpoint.class);
            PIN = l.findVarHandle(PortEndpoint.class, "pin", Object.class);
            BOUND = l.findVarHandle(PortEndpoint.class, "bound", PortHandle.class);
            TARGET = l.findVarHandle(PortEndpoint.class, "target", LoopCore.class);
            SIDE = l.findVarHandle(PortEndpoint.class, "side", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // Field order is layout order only by accident: the JVM packs them (benchmarks/README.md shows the
    // layout, 48 bytes with compressed oops). Every access goes through the wrappers below.
    private volatile int state;
    private volatile PortQueue queue;
    private volatile PortEndpoint peer;
    private volatile Object pin;
    private volatile PortHandle bound;
    /** The loop of the bound handle while that handle is started, else null: see "Drain target". */
    private volatile LoopCore target;
    /** BoundedSlots (bounded queues, from construction), PortWaiters (lazily), or null: see Fields. */
    private Object side;
    /** The neighbours in the registry of the loop whose list holds this endpoint (LoopCore.register). */
    private PortEndpoint prevInLoop;
    private PortEndpoint nextInLoop;

    private PortEndpoint(int capacity) {
        // Plain: the endpoint is published through volatile writes (peer, bound) after this.
        SIDE.set(this, capacity == 0 ? null : new BoundedSlots(capacity));
    }

    // ------------------------------------------------------------------------------------------------
    // Field access, one wrapper per field and access mode (the convention of package-info.java).

    private int lvState() {
        return state;
    }

    private boolean casState(int expect, int update) {
        return STATE.compareAndSet(this, expect, update);
    }

    /** Plain: only before the endpoint is published (entangleReplierEnd, watchUnpublished). */
    private void spState(int value) {
        STATE.set(this, value);
    }

    /** Sets {@code bits}; returns the state before. */
    private int getAndBitwiseOrState(int bits) {
        return (int) STATE.getAndBitwiseOr(this, bits);
    }

    /** Clears {@code bits}; returns the state before. */
    private int getAndBitwiseAndNotState(int bits) {
        return (int) STATE.getAndBitwiseAnd(this, ~bits);
    }

    private boolean hasState(int bit) {
        return (lvState() & bit) != 0;
    }

    private PortQueue lvQueue() {
        return queue;
    }

    private void spQueue(PortQueue value) {
        QUEUE.set(this, value);
    }

    private boolean casQueue(PortQueue expect, PortQueue update) {
        return QUEUE.compareAndSet(this, expect, update);
    }

    private PortEndpoint lvPeer() {
        return peer;
    }

    private void svPeer(PortEndpoint value) {
        peer = value;
    }

    /** Plain: only before the endpoint is published (entangleReplierEnd). */
    private void spPeer(PortEndpoint value) {
        PEER.set(this, value);
    }

    /** Release: only the close of a never-bound endpoint, whose peer nobody else reads (closeNeverBound). */
    private void soPeer(PortEndpoint value) {
        PEER.setRelease(this, value);
    }

    private PortEndpoint getAndSetPeer(PortEndpoint value) {
        return (PortEndpoint) PEER.getAndSet(this, value);
    }

    private Object lvPin() {
        return pin;
    }

    private void svPin(Object value) {
        pin = value;
    }

    /** Plain: only before the endpoint is published (bindStartedUnpublished). */
    private void spPin(Object value) {
        PIN.set(this, value);
    }

    private boolean casPin(Object expect, Object update) {
        return PIN.compareAndSet(this, expect, update);
    }

    private PortHandle lvBound() {
        return bound;
    }

    private void svBound(PortHandle value) {
        bound = value;
    }

    /** Plain: only before the endpoint is published (bindStartedUnpublished). */
    private void spBound(PortHandle value) {
        BOUND.set(this, value);
    }

    private boolean casBound(PortHandle expect, PortHandle update) {
        return BOUND.compareAndSet(this, expect, update);
    }

    private LoopCore lvTarget() {
        return target;
    }

    private void svTarget(LoopCore value) {
        target = value;
    }

    /** Plain: only before the endpoint is published (bindStartedUnpublished). */
    private void spTarget(LoopCore value) {
        TARGET.set(this, value);
    }

    /**
     * Plain read of {@code side}, for the bounded check only: a BoundedSlots is written before the
     * endpoint is published and never replaced, so any value read is exact about boundedness (a
     * PortWaiters, or null, means unbounded).
     */
    private Object lpSide() {
        return SIDE.get(this);
    }

    private Object lvSide() {
        return SIDE.getVolatile(this);
    }

    private boolean casSide(Object expect, Object update) {
        return SIDE.compareAndSet(this, expect, update);
    }

    /** The slots of a bounded queue, or null for the standard's unbounded one. */
    private BoundedSlots bounded() {
        Object s = lpSide();
        return s instanceof BoundedSlots ? (BoundedSlots) s : null;
    }

    /** The blocked threads, or null while none ever blocked here. */
    private PortWaiters lvWaiters() {
        Object s = lvSide();
        return s instanceof BoundedSlots ? ((BoundedSlots) s).waiters() : (PortWaiters) s;
    }

    PortEndpoint lpPrevInLoop() {
        return prevInLoop;
    }

    void spPrevInLoop(PortEndpoint value) {
        prevInLoop = value;
    }

    PortEndpoint lpNextInLoop() {
        return nextInLoop;
    }

    void spNextInLoop(PortEndpoint value) {
        nextInLoop = value;
    }

    /** Creates two entangled endpoints (HTML "entangle", {@code #entangle}). */
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
        a.svPeer(b); // before either is published
        b.svPeer(a);
        return new PortEndpoint[] {a, b};
    }

    /**
     * The first half of a reply pair, the two entangled endpoints of one request's answer
     * ({@code Requests.ask}): the requester's end, unbounded, with its queue made already, a
     * ReplyQueue (one slot for the answer: a JCTools queue, even of 4 slots, cost 80 bytes and a
     * constructor more per ask), not entangled until {@link #entangleReplierEnd}, which the caller
     * calls next.
     */
    public static PortEndpoint requesterEnd() {
        PortEndpoint requester = new PortEndpoint(0);
        requester.spQueue(new ReplyQueue()); // plain: see entangleReplierEnd
        return requester;
    }

    /**
     * The second half of a reply pair: makes the replier's end of the requester's end
     * {@link #requesterEnd} made, unbounded, marked {@link #answersAsk}, and entangles the two.
     * On the thread that made this end, before it is published.
     */
    public PortEndpoint entangleReplierEnd() {
        PortEndpoint replier = new PortEndpoint(0);
        // Plain, like the constructor's writes: nothing of the pair is reachable from another thread
        // until the replier's end is posted (published by the queue's offer) or the requester's
        // answer armed on its loop from another thread (published by the run queue's hand-off).
        // (Requests, "Post first": the requester's handle may be bound after that post.)
        spPeer(replier);
        replier.spPeer(this);
        replier.spState(ANSWERS_ASK);
        return replier;
    }

    /**
     * Whether this is the replier's end of a reply pair ({@link #requesterEnd}): its peer, while
     * entangled, is the requester's end of an ask, unbounded, which closes itself on the first
     * message it receives. Any thread; a fact fixed before publication. A replier's answer then
     * reads nothing of the peer but what the offer itself reads (issue 15: the peer's handle and
     * bounds were lines of the requester's loop on the way of every answer).
     */
    public boolean answersAsk() {
        return hasState(ANSWERS_ASK);
    }

    /**
     * Leaves the requester's end of a fresh reply pair as a watched drain leaves its endpoint, before
     * anything of the pair is published, for the loop that will watch it (LoopCore.watchReply):
     * SCHEDULED set and the consumer lock held with {@code consumerId}, that loop's. The answer then
     * only offers to its queue, which the asking loop polls while idle, and the loop's hand-back
     * (endWatch) releases a lock it holds, as for any watched port. Plain, like entangleReplierEnd's
     * writes (the lock's store is a release, the cheapest the queue offers): the post that carries
     * the far end publishes them.
     */
    void watchUnpublished(int consumerId) {
        spState(SCHEDULED);
        lvQueue().soConsumer(consumerId); // the ReplyQueue requesterEnd made
    }

    /** The entangled endpoint, or null once disentangled. */
    PortEndpoint peer() {
        return lvPeer();
    }

    /** True while entangled (no close seen from either side). */
    public boolean isEntangled() {
        return peer() != null;
    }

    boolean isClosed() {
        return hasState(CLOSED);
    }

    /**
     * Number of messages waiting in this port message queue, not counting a close marker; approximate
     * while other threads post or consume.
     */
    public int queuedCount() {
        PortQueue q = lvQueue();
        if (q == null) {
            return 0;
        }
        int marker = hasState(CLOSE_QUEUED) ? 1 : 0; // read before the size: at worst one too few, never negative
        return Math.max(0, q.size() - marker);
    }

    // ------------------------------------------------------------------------------------------------
    // Producer side: the far side's postMessage.

    /**
     * Queues a message from the far side; any thread; never refused. A bounded queue counts it even
     * beyond its capacity: callers hold a reservation ({@link #reserve}) taken beforehand.
     */
    void enqueue(Object payload, PortEndpoint[] transferred) {
        BoundedSlots b = bounded();
        if (b != null) {
            b.count();
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
        PortQueue q = lvQueue();
        if (q == null && isClosed()) {
            // Dropped, as postMessage drops it, without making a queue for it: a port posting to the
            // far end it keeps (PortHandle.post) may reach one closed before any message came. With a
            // queue, a closed port discards after the offer (afterOffer), as it always did.
            return true;
        }
        BoundedSlots b = bounded();
        if (b != null && !b.reserve()) {
            return isClosed(); // a closed port drops the message, as postMessage does; else full
        }
        (q != null ? q : queue()).offer(payload == null ? NULL : payload);
        afterOffer();
        return true;
    }

    /** Maximum number of queued messages, or 0 for an unbounded queue (the standard's). */
    int capacity() {
        BoundedSlots b = bounded();
        return b == null ? 0 : b.capacity;
    }

    /** Bounded queues only: takes one slot if fewer than the capacity are taken. */
    boolean reserve() {
        return bounded().reserve();
    }

    /** Bounded queues only: gives one slot back (a message left the queue, or a reservation ended). */
    void release() {
        bounded().release();
        signalWaiters(); // after the release: see BoundedSlots.release
    }

    private void afterOffer() {
        // Each read is volatile and follows the offer: see the Dekker notes in the overview.
        if (hasState(CLOSED)) {
            discardIfIdle();
            return;
        }
        signalWaiters();
        signal();
    }

    private PortQueue queue() {
        PortQueue q = lvQueue();
        if (q != null) {
            return q;
        }
        PortQueue created = new ChunkedPortQueue(QUEUE_CHUNK);
        // CAS: two first producers may race; the loser adopts the winner's queue.
        return casQueue(null, created) ? created : lvQueue();
    }

    /** Submits a drain to the right loop if there is work it can do and none is pending. */
    private void signal() {
        if (hasState(SCHEDULED)) {
            return; // a drain is queued or running; it rechecks after clearing the flag
        }
        LoopCore target = drainTarget();
        if (target != null && trySchedule()) {
            // If the binding moved between drainTarget() and here, that drain finds the mismatch,
            // clears the flag and signals again, which reaches the right loop.
            target.submitDrain(this);
        }
    }

    /** Sets SCHEDULED unless set: true for the one caller that set it (it submits the drain). */
    private boolean trySchedule() {
        while (true) {
            int s = lvState();
            if ((s & SCHEDULED) != 0) {
                return false;
            }
            // CAS: producers race to schedule; other bits may change meanwhile (then retry).
            if (casState(s, s | SCHEDULED)) {
                return true;
            }
        }
    }

    private LoopCore drainTarget() {
        PortQueue q = lvQueue();
        if (q == null || QueueProbe.isEmpty(q)) {
            return null;
        }
        LoopCore started = lvTarget(); // the bound handle's loop if it is started: not the handle itself
        if (started != null) {
            return started;
        }
        if (hasState(PENDING_CLOSE)) {
            PortHandle h = boundHandle();
            return h == null ? null : h.loop;
        }
        return null;
    }

    /**
     * Makes {@code target} agree with the binding: the bound handle's loop if that handle is started,
     * else null. Called after every change of either (bind, start, unbind, close); see "Drain target".
     */
    private void refreshTarget() {
        while (true) {
            PortHandle h = lvBound();
            boolean started = h != null && h.isStarted();
            svTarget(started ? h.loop : null);
            // Re-read after the write: a change in between made the value stale, and whoever made
            // it may have written before us; derive again. A later change refreshes after it.
            if (lvBound() == h && (h == null || h.isStarted() == started)) {
                return;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Consumer side: the owner loop's drain.

    /** Runs on {@code loop}'s thread with SCHEDULED set. */
    void drain(LoopCore loop) {
        assert loop.inEventLoop() : "port drain off its loop";
        PortQueue q = lvQueue();
        if (q == null) {
            endDrain(); // nothing was ever queued: nothing to take
            return;
        }
        int id = loop.consumerId();
        // Our own id: this loop watched the endpoint and kept the lock (LoopCore, "Watched port").
        if (q.lvConsumer() != id && !q.casConsumer(FREE, id)) {
            // receiveMessage() holds the queue for one poll: retry on a later turn, still scheduled.
            loop.submitDrain(this);
            return;
        }
        boolean more = false;
        boolean watched = false;
        boolean spent = false;
        try {
            more = drainLocked(loop, q);
            // Watched: SCHEDULED and the lock stay with the loop, which polls the queue while idle.
            watched = !more && loop.watch(this);
            // Spent (a reply end closed by its answer, nothing left to come): nothing to hand back.
            spent = !more && !watched && hasState(SPENT);
        } finally {
            if (!watched && !spent) {
                releaseConsumer(q);
            }
        }
        if (more) {
            loop.submitDrain(this); // back to the tail: other ports and tasks go first
        } else if (!watched && !spent) {
            endDrain();
        }
    }

    /** The end of a drain that left nothing queued, on the loop that held SCHEDULED. */
    private void endDrain() {
        getAndBitwiseAndNotState(SCHEDULED); // atomic: other bits may change concurrently
        recheck();
    }

    /**
     * A loop that watched this endpoint hands it back, as its last drain would have ended: releases
     * the consumer lock, then clears SCHEDULED and rechecks. On that loop's thread.
     */
    void endWatch() {
        releaseConsumer(lvQueue()); // the watched drain had a queue: queues are never removed
        endDrain();
    }

    /** For a loop watching this endpoint: true if something is queued. */
    boolean hasQueued() {
        PortQueue q = lvQueue();
        return q != null && !QueueProbe.isEmpty(q);
    }

    /** True if this endpoint is open and bound to a started handle of {@code loop}. */
    boolean isStartedOn(LoopCore loop) {
        PortHandle h = lvBound();
        return h != null && h.loop == loop && h.isStarted() && !isClosed();
    }

    /** After releasing the consumer lock or the scheduled flag: pick up work that raced in. */
    private void recheck() {
        if (hasState(CLOSED)) {
            discardIfIdle();
        } else {
            signal();
        }
    }

    /** Holds the consumer lock. Returns true if a full batch ran and more messages wait. */
    private boolean drainLocked(LoopCore loop, PortQueue q) {
        if (hasState(CLOSED)) {
            discardLocked(q);
            return false;
        }
        PortHandle h = lvBound();
        if (h == null || !h.isStarted()) {
            // Queue disabled: only a CLOSE marker at the head may be processed (Node's rule).
            PortHandle b = boundHandle();
            if (b != null && b.loop == loop && hasState(PENDING_CLOSE)) {
                getAndBitwiseAndNotState(PENDING_CLOSE);
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
            if (!h.isOpen() || !isBoundTo(h)) {
                return false;
            }
            Object element = q.poll();
            if (element == null) {
                return false;
            }
            if (element != CLOSE && bounded() != null) {
                release(); // the slot frees as the message leaves the queue
            }
            if (element == CLOSE) {
                processClose(h, loop);
            } else if (hasState(PEER_CLOSED)) {
                discardElement(element);
            } else {
                deliver(h, element, loop);
            }
        }
        return !QueueProbe.isEmpty(q);
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
        getAndBitwiseOrState(PEER_CLOSED);
        getAndBitwiseAndNotState(CLOSE_QUEUED);
        svPeer(null); // disentangled: posting here is now a silent no-op
        // Nothing can reach this port any more, so its loop has nothing to close for it: let go, so that
        // a started port (strongly held through `pin`) is collectable once its user drops it. The
        // draining loop is h.loop; a transfer racing this unregisters from the same loop (idempotent),
        // and a later bind registers with its own. Not a handle that still keeps its loop alive once
        // disentangled (a Worker's inbox: its loop must live until the worker's exit is dispatched,
        // which closes it); the loop finds it through this registration.
        if (!h.keepsLoopAlive()) {
            loop.unregister(h);
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
        PortQueue q = lvQueue();
        if (q == null || QueueProbe.isEmpty(q)) {
            // Nothing queued (the probe never misses an element already offered): answer without
            // the lock, so that a receiver spinning on an empty queue writes nothing into this
            // endpoint, whose fields every post of the far side reads (benchmarks' busy PingPong).
            return peer() == null ? END : PortWaiters.RETRY;
        }
        // A handler on its own port: its loop's drain holds the lock, lower on this thread's stack. The
        // lock's value first: a free lock (the usual case) needs no look at the thread's loop.
        int holder = q.lvConsumer();
        LoopCore running;
        boolean reentrant = holder != FREE && holder != HELD && (running = LoopCore.current()) != null
                && holder == running.consumerId();
        if (!reentrant && !tryAcquireConsumer(q)) {
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
            } else if (hasState(PEER_CLOSED)) {
                result = END; // what is left was posted after the close and will be discarded
            } else if (head != null) {
                result = q.poll();
                if (bounded() != null) {
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
                releaseHeld(q);
            }
        }
        if (closeAtHead) {
            getAndBitwiseOrState(PENDING_CLOSE);
        }
        if (!reentrant) {
            recheck();
        }
        return result;
    }

    /**
     * Tries the consumer lock: waits while another receive or a discard holds it (HELD: a few
     * instructions, no user code, and a release that signals nobody), and for a few spins while a
     * loop's drain holds it: a receive never waits for a drain's user handlers. On failure, asks the
     * drain to signal waiters when it releases the lock.
     */
    private boolean tryAcquireConsumer(PortQueue q) {
        int spins = 0;
        int drainSpins = 0;
        while (drainSpins < RECEIVE_SPINS) {
            int holder = q.lvConsumer();
            if (holder == FREE) {
                if (q.casConsumer(FREE, HELD)) {
                    return true;
                }
            } else if (holder == HELD) {
                awaitHeldRelease(spins++);
            } else {
                drainSpins++;
                Thread.onSpinWait();
            }
        }
        PortWaiters w = lvWaiters();
        if (w == null) {
            return false; // nobody waits (a non-blocking receive): nobody needs the signal
        }
        // Dekker with releaseConsumer(): ask (volatile write), then try once more. Either the holder's
        // later reads (of `waiters`, then of the request) see the request and signal, or this CAS sees
        // the lock free. A blocking receiver creates `waiters` before this attempt (PortWaiters.await).
        w.requestConsumer();
        return q.casConsumer(FREE, HELD);
    }

    /**
     * Releases the lock a receive or a discard holds (HELD), with a release store: no fence, because
     * nobody waits for this release to be signalled (whoever finds the lock HELD waits for it to end:
     * tryAcquireConsumer, discardIfIdle), so the receive does not wait for its poll's stores to leave
     * the core (benchmarks' busy PingPong, whose receiving side is such a receive).
     */
    private void releaseHeld(PortQueue q) {
        q.soConsumer(FREE);
    }

    /**
     * A wait for a lock held by a receive or a discard, which runs no user code and holds it for a
     * poll or a discard: spins, then yields (its thread may have lost its core).
     */
    private static void awaitHeldRelease(int spins) {
        if (spins < HELD_SPINS) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }

    /**
     * Releases a loop drain's consumer lock and, if a receiver gave up on it meanwhile, signals the
     * waiters. Only on request: a waiting receiver's own release must not wake itself (it would spin).
     */
    private void releaseConsumer(PortQueue q) {
        q.svConsumer(FREE);
        // Volatile reads after the release; one request is answered once (PortWaiters).
        PortWaiters w = lvWaiters();
        if (w != null && w.takeConsumerRequest()) {
            w.signal();
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
        PortWaiters w = lvWaiters();
        if (w != null) {
            return w;
        }
        PortWaiters created = new PortWaiters();
        BoundedSlots b = bounded();
        if (b != null) {
            return b.waiters(created);
        }
        // CAS: two first waiters may race; the loser adopts the winner's.
        return casSide(null, created) ? created : lvWaiters();
    }

    /** Wakes blocked receivers and senders for another try; one volatile read if there are none. */
    private void signalWaiters() {
        PortWaiters w = lvWaiters();
        if (w != null) {
            w.signal();
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Binding: which MessagePort object stands for this endpoint, and whether its queue is enabled.

    /** Binds a new handle (channel creation, or a transferred port arriving); the queue stays disabled. */
    void bind(PortHandle h) {
        svBound(h);
        refreshTarget();
        h.loop.register(h);
        signal(); // a CLOSE marker may have arrived while in transit
    }

    /**
     * {@link #bind} (but for the registration) and {@link #activate} of a started {@code h} (its
     * ENABLED bit set) for an endpoint no other thread can reach yet: see
     * PortHandle.bindStartedUnpublished.
     */
    void bindStartedUnpublished(PortHandle h) {
        spBound(h); // plain: published with the endpoint, or read by no other thread (see there)
        spTarget(h.loop);
        spPin(h.get());
    }

    /** Unbinds {@code h} because it is being transferred away: messages now wait for the next binding. */
    void unbindForTransfer(PortHandle h) {
        if (casBound(h, null)) {
            refreshTarget();
            // No later binding exists yet (the transferring message is queued after this returns),
            // so whatever `pin` holds belongs to h or an older binding: let it go.
            svPin(null);
            h.loop.unregister(h);
            signalWaiters(); // receivers blocked on h: nothing can come to it any more
            PortEndpoint other = peer();
            if (other != null) {
                other.signalWaiters(); // senders blocked posting through h
            }
        }
    }

    /** Enables the port message queue for {@code h} (HTML "start()"); idempotent. */
    void activate(PortHandle h) {
        // The queue is enabled by h's ENABLED bit, set before this call; what is left is to pin h's
        // public object and to schedule what waits. A start() racing a transfer or close of the same
        // handle can set `pin` after the unbind cleared it (our isBoundTo read came before the unbind,
        // our CAS after it), leaving a stale value there (jcstress PortTransferTests.StartVsTransfer
        // found the same race when the enabled handle was a field). Hence: replace a stale value, and
        // re-check the binding after publishing (unbinders write `bound` first, then clear `pin`: all
        // volatile, so either they see our value or we see theirs).
        refreshTarget(); // before the signals below: producers read `target`, not h's state
        Object publicObject = h.get(); // non-null: our caller, the public object, holds h
        while (publicObject != null) {
            Object current = lvPin();
            if (current == publicObject || !isBoundTo(h)) {
                return; // already pinned (idempotent), or transferred / closed: nothing to enable
            }
            // `current` was read before h was seen bound, and h is bound from before its public object
            // escaped until it is unbound: so it is null or a stale value of an ended binding, never a
            // later binding's pin to overwrite.
            if (casPin(current, publicObject)) {
                if (isBoundTo(h)) {
                    signal();
                } else {
                    casPin(publicObject, null); // unbound meanwhile: do not leave it pinned
                }
                return;
            }
        }
    }

    boolean isBoundTo(PortHandle h) {
        return lvBound() == h;
    }

    PortHandle boundHandle() {
        PortHandle h = lvBound();
        // A handle whose public object was collected stands for nothing (the collector closes it).
        return h == null || h.get() == null ? null : h;
    }

    // ------------------------------------------------------------------------------------------------
    // An answer straight through an endpoint that arrived with a message and was never bound
    // (Requests.reply, through the received ports' list of dev.entangle).

    /** Whether the entangled endpoint's queue is bounded (a post there can be refused); any thread. */
    public boolean isPeerBounded() {
        PortEndpoint p = peer();
        return p != null && p.capacity() != 0;
    }

    /**
     * Posts {@code payload} (serialized) to the entangled endpoint, then closes this one; without
     * leaving the peer a CLOSE marker if {@code notifyPeer} is false (as PortHandle.closeAfterAnswer).
     * Only for an endpoint that arrived with a message, was never bound, and is the caller's alone
     * (taken from the message), and whose peer is unbounded ({@link #isPeerBounded}). Any thread.
     */
    public void answerAndClose(Object payload, boolean notifyPeer) {
        PortEndpoint p = peer();
        if (p != null) {
            p.offer(payload); // unbounded: never refused; a closed peer drops it
        }
        closeNeverBound(p, notifyPeer);
    }

    /**
     * closeInternal() for an endpoint that is bound to no handle and is its caller's alone
     * (answerAndClose): an ask's replier end was never bound, and any other arrived unbound (its
     * transfer cleared `bound`, `target` and `pin`, and a start() racing that transfer clears the
     * `pin` it set itself: activate), so there is nothing to clear and no loop to leave (issue 15:
     * three volatile stores, each a full fence, and refreshTarget()'s reads, on the replier's loop per
     * answer). `peer` is read by nobody else (no drain processes a close here: it
     * has no handle), so its clearing, for the GC only, is a release store, not a getAndSet.
     *
     * @param p the peer read before the answer, or null
     */
    private void closeNeverBound(PortEndpoint p, boolean notifyPeer) {
        // ANSWERED: nothing posts through this end again, and its answer happens-before the bit, so a
        // requester's end that sees it with its queue empty has nothing left to come (closeAnswered).
        if ((getAndBitwiseOrState(CLOSED | ANSWERED) & CLOSED) != 0) {
            return; // closed before: one close per endpoint
        }
        assert lvBound() == null : "answered through a bound endpoint";
        soPeer(null);
        Jfr.portClosed(this, null, p); // JFR PortClosed
        if (p != null && notifyPeer) {
            p.peerClosing();
        }
        signalWaiters();
        discardIfIdle(); // the peer's close may have left its marker here (the requester closed first)
    }

    // ------------------------------------------------------------------------------------------------
    // Close and disentangle (HTML #disentangle, SPEC item 6).

    /**
     * {@code close()} on the handle bound to this endpoint; without leaving the peer a CLOSE marker
     * if {@code notifyPeer} is false (PortHandle.closeAfterAnswer: a peer that closes itself on the
     * message just posted).
     */
    void closeBy(PortHandle h, boolean notifyPeer) {
        if (isBoundTo(h)) {
            closeInternal(notifyPeer);
        }
    }

    /** The public object behind {@code h} was garbage collected while still bound: disentangle. */
    void closeCollected(PortHandle h) {
        if (lvBound() == h) {
            closeInternal(true);
        }
    }

    /**
     * {@code close()} of {@code h}, the handle of a requester's end of a reply pair, by the answer it
     * just delivered: on h's loop, inside the drain that took the answer (which holds the consumer
     * lock and SCHEDULED). If the peer is ANSWERED and nothing is queued here, only CLOSED | SPENT is
     * set, and that drain hands nothing back (see "Spent reply end"); otherwise the usual close.
     */
    void closeAnswered(PortHandle h) {
        PortEndpoint p = lvPeer();
        PortQueue q = lvQueue();
        // The peer's ANSWERED first (volatile): its posts happen-before the bit, so the emptiness
        // read after it is exact; the peer is the only producer of this queue.
        if (p == null || !p.hasState(ANSWERED) || !q.isEmpty() || !isBoundTo(h)) {
            closeBy(h, true);
            return;
        }
        if ((getAndBitwiseOrState(CLOSED | SPENT) & CLOSED) != 0) {
            return; // closed before: one close per endpoint
        }
        Jfr.portClosed(this, h.loop, p); // JFR PortClosed
    }

    /** The owner loop is closing. */
    void closeBecauseLoopClosed(LoopCore loop) {
        PortHandle h = lvBound();
        if (h == null || h.loop != loop) {
            return; // transferred away or closed since it was listed
        }
        if (h.get() != null) {
            h.close();
        } else {
            closeCollected(h); // the public object was collected and the collector has not run yet
        }
    }

    /** This endpoint travelled in a message that will never be delivered: close it. */
    void closeOrphan() {
        closeInternal(true);
    }

    private void closeInternal(boolean notifyPeer) {
        if ((getAndBitwiseOrState(CLOSED) & CLOSED) != 0) {
            return; // closed before: one close per endpoint
        }
        PortHandle h = lvBound();
        svBound(null);
        refreshTarget();
        svPin(null);
        LoopCore loop = null;
        if (h != null) {
            loop = h.loop;
            loop.unregister(h); // a no-op if the close processed here unregistered it already
        }
        PortEndpoint other = getAndSetPeer(null);
        Jfr.portClosed(this, loop, other); // JFR PortClosed
        if (other != null && notifyPeer) {
            other.peerClosing();
        }
        signalWaiters();
        discardIfIdle();
    }

    /** The far side closed: leave the marker behind every message it posted before. */
    private void peerClosing() {
        if (hasState(CLOSED)) {
            // Closed here too (both ends closing, as a reply channel does): the marker would only be
            // discarded, after creating a queue for it. A close of this end racing past this read
            // discards what the lines below queue.
            return;
        }
        // CLOSE_QUEUED before the offer: queuedCount() may undercount, never count the marker.
        getAndBitwiseOrState(CLOSE_QUEUED);
        queue().offer(CLOSE);
        getAndBitwiseOrState(PENDING_CLOSE);
        signalWaiters();
        recheck();
    }

    /**
     * Discards everything queued, unless a loop's drain holds the queue (it rechecks when it releases
     * the lock); waits out a receive or another discard (HELD), whose release rechecks nothing.
     */
    private void discardIfIdle() {
        int spins = 0;
        while (true) {
            PortQueue q = lvQueue();
            if (q == null || QueueProbe.isEmpty(q)) {
                return;
            }
            int holder = q.lvConsumer();
            if (holder == HELD) {
                awaitHeldRelease(spins++);
                continue;
            }
            if (holder != FREE) {
                return; // a loop's drain: its release and recheck come after our CLOSED (both SC)
            }
            if (!q.casConsumer(FREE, HELD)) {
                continue;
            }
            try {
                discardLocked(q);
            } finally {
                releaseHeld(q);
            }
        }
    }

    private void discardLocked(PortQueue q) {
        Object element;
        while ((element = q.poll()) != null) {
            if (element == CLOSE) {
                getAndBitwiseAndNotState(CLOSE_QUEUED);
            } else if (bounded() != null) {
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
