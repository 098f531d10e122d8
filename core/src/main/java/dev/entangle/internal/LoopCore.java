package dev.entangle.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscUnboundedArrayQueue;
import org.jctools.queues.unpadded.MpscUnboundedUnpaddedArrayQueue;

import dev.entangle.EventLoop;
import dev.entangle.IdleStrategy;

/**
 * The mechanics of one event loop (HTML §8.1.7): tasks and port drains taken from one multi-producer
 * queue and run one at a time, by a single thread at any moment. Two kinds share everything but the
 * thread: a <i>dedicated</i> loop owns a thread and idles on it with an {@link IdleStrategy}; a
 * <i>multiplexed</i> loop owns no thread and runs as a task on an {@link Executor} whenever it has work,
 * a bounded batch at a time.
 *
 * <p>Thread contract: {@link #execute}, {@link #submitDrain}, {@link #close}, {@link #closeNow},
 * {@link #awaitTermination}, {@link #register} and {@link #unregister} may be called from any thread.
 * Tasks and drains always run on the loop (its dedicated thread, or the executor thread currently
 * running its turn), never on a caller's thread, and never on two threads at once.
 *
 * <p>Memory consistency effects: actions in a thread prior to {@link #execute} or {@link #submitDrain}
 * <i>happen-before</i> the task or drain runs on the loop (the queue's offer is a release, its poll an
 * acquire). For a multiplexed loop, everything a turn did <i>happens-before</i> the next turn, on
 * whatever thread it runs. Actions of the loop <i>happen-before</i> a successful return from
 * {@link #awaitTermination} and the completion of {@link #termination()}.
 */
public final class LoopCore {
    /*
     * Implementation overview.
     *
     * Run queue. One JCTools MPSC unbounded queue (padded with 256-slot chunks for a dedicated loop,
     * unpadded with 16-slot chunks for a multiplexed one) holds two kinds of entries: a Runnable
     * (a user task, or an internal one) and a PortEndpoint whose messages are ready to dispatch. A
     * PortEndpoint sits in at most one loop's run queue at a time (its SCHEDULED flag, see PortEndpoint),
     * so a busy port costs the loop one queue entry per batch, not one per message. An endpoint that
     * still has messages after its batch goes back to the tail: tasks and other ports queued meanwhile
     * run first (HTML's "one task at a time"; SPEC item 9, no starvation). Both loop kinds consume the
     * queue through runEntries(), the one place where entries run and where closing is noticed.
     *
     * Watched port (dedicated loops). A drain that empties its port's queue, on a dedicated loop whose
     * port is still bound and started there, leaves SCHEDULED set and the endpoint's consumer lock held,
     * and makes the endpoint the loop's `watched` one (at most one), instead of clearing the flag and
     * releasing the lock. While SCHEDULED is set the port's producers only offer to its queue (no
     * run-queue entry, no second CAS on the endpoint), and the idle loop polls that queue between its
     * looks at the run queue: a spinning loop then takes a message where its sender put it, one cache
     * line hop fewer each way in a ping-pong (benchmarks' busy PingPong), and without the lock's CAS and
     * release (a full fence, which waited for the poll's own stores to leave the core). The loop hands
     * the endpoint back (releases the lock, clears SCHEDULED and rechecks, as the drain would have)
     * before it runs any other entry, before it parks, and when it closes its ports or is abandoned, so
     * that a watched port is never owed a drain that nobody runs: a message that
     * arrives meanwhile is found by that recheck and goes to the tail of the run queue, as it would
     * have. A transfer or close while watched is found by the drain the next message starts (the
     * binding check), which then clears the flag and reschedules on the right loop as any drain does.
     *
     * Watched reply end (issue 15). An ask's answer comes on a fresh endpoint, the requester's end of
     * its reply pair, which no drain has emptied yet and so nothing watched: its answer would take
     * the slow path, a CAS of SCHEDULED and a run-queue entry across cores. So an ask made in a turn
     * of a dedicated loop that watches nothing (watchReply; the turn's entry handed back what was
     * watched before it ran) makes that end watched from its creation: SCHEDULED set and the consumer
     * lock held with this loop's id before the pair is published (PortEndpoint.watchUnpublished), as
     * a watched drain leaves them, the loop's `watched` pointing at it. From
     * there it is a watched port like any other, under the same hand-back rules (before another
     * entry, before parking, on close and abandon); its drain takes the answer, whose completion
     * closes the end, so the drain does not watch it again. One watched endpoint per loop still: a
     * second ask of the same entry takes the slow path. A multiplexed loop never watches.
     *
     * State machine, changed by CAS on `state` only:
     *   NEW --start()--> RUNNING --close()--> CLOSING --(on the loop: ports closed, queue drained)-->
     *   TERMINATED.
     * A loop runs once and is then discarded. execute() is refused from CLOSING on; internal drains are
     * still accepted while CLOSING (the ports they belong to are closed by then and only discard). The
     * loop closes its ports once, in the first turn that sees CLOSING, before running anything else, so
     * that no message is dispatched after close(); tasks already queued still run. close() called on
     * the loop itself (from a handler) closes the ports before it returns, so that not one more message
     * of the loop's ports is dispatched after it, not even the rest of the running batch. close() of a
     * loop that was never started launches it anyway, so that tasks queued while NEW still run.
     *
     * Accepted tasks (HTML: a task once queued runs). execute() reads the state and then offers; a
     * close() between the two would let the loop find its queue empty, terminate, and strand the task.
     * So execute() counts itself in `submitters` (getAndAdd +1) before it reads the state and out
     * (getAndAdd -1) after its offer, and the loop, once CLOSING with its queue found empty, waits
     * until `submitters` is 0 and looks at the queue once more before it terminates (quiescent()).
     * All of it is volatile, hence sequentially consistent: a submitter that read a state below
     * CLOSING made its +1 before close()'s CAS, so the loop, which reads `submitters` after seeing
     * CLOSING, sees the +1 or the -1 that follows the offer; in both cases it then sees the task. A
     * JCTools queue has no remove(), so refusing after the offer is not an option. The one exception:
     * an abandoned loop (a VirtualMachineError escaped, or its executor refused a turn) cannot run
     * anything; what it still held is dropped, and an execute() whose own scheduling found the
     * executor refusing throws RejectedExecutionException.
     *
     * Dedicated loops: idle strategy and park handshake. When the run queue is empty the loop asks its
     * IdleStrategy; when the strategy says "park", the loop parks with a Dekker-style handshake on two
     * volatile locations:
     *   loop:     parked = true (volatile write);  then read both queue indices (QueueProbe.isEmpty);
     *   producer: offer (CAS on the producer index); then read `parked` (volatile).
     * Not JCTools' isEmpty(): it reads an offer in the middle of linking a new chunk as empty, and that
     * offer's last index store is a release store the producer's read of `parked` may overtake.
     * Volatile accesses are sequentially consistent, so at least one side sees the other: either the
     * loop sees the new entry and does not park, or the producer sees parked == true and unparks. The
     * producer clears `parked` by CAS so that of many producers racing only one pays for unpark(); a
     * producer that finds the loop running pays one volatile read and nothing else (the loop is never
     * woken per message while busy). The strategy never touches `parked`, so no strategy can lose a
     * wake-up; a strategy that never parks leaves `parked` false and producers never unpark. The loop
     * clears its thread's interrupt status before parking (an interrupt meant for a task must not turn
     * the park into a busy loop).
     *
     * Multiplexed loops: scheduling. `scheduled` (CAS 0 -> 1) admits one turn at a time into the
     * executor: the producer that makes it 1 submits the turn; a turn runs at most TURN_BATCH entries,
     * then either resubmits itself (more work: fairness among the loops sharing the executor's threads)
     * or clears `scheduled` and rechecks the queue (Dekker with producers, who offer and then read
     * `scheduled`; all volatile, hence sequentially consistent), resubmitting if work raced in. Since
     * a turn is submitted only by whoever holds `scheduled` == 1, and only at its very end by the turn
     * itself, two turns never overlap. The Executor contract (actions before execute() happen-before the
     * task) plus the volatile `scheduled` carry happens-before from one turn to the next. CURRENT is
     * set around each turn and restored afterwards (the executor may itself be an event loop): a
     * per-thread mutable holder, so that a turn pays one thread-local lookup and two plain writes,
     * not a lookup for each of get, set and restore (a hop of the Scale ring is one turn).
     *
     * Hand-off to an idle loop (multiplexed). The common case of an actor ring is a post to a loop that
     * is idle with an empty run queue; putting the port drain in the run queue and taking it out again
     * on the next turn is a run-queue hop: an offer and a poll on lines that are cold in a ring of
     * thousands of loops (no speed-up was measurable on the loaded machine: benchmarks/README.md).
     * So a producer first tries to take `scheduled` (read 0, CAS 0 -> 1) and, holding it, reads
     * isEmpty(): if the queue is empty it submits a Handed turn carrying its entry, which runs that
     * entry before polling the queue; otherwise it offers as usual (entries queued in the window
     * between a turn's `scheduled = 0` and its recheck go first). Order is kept: an entry a producer
     * made before this one was either seen in the queue (ours goes behind it) or had its turn already.
     * The executor's happens-before publishes the Handed object and its entry. A new object per
     * hand-off, not a field of the loop: G1's post-write barrier fences and card-marks a reference
     * stored into an object of the old generation, and a ring of thousands of loops would store into
     * a different loop, on a different card, per hop; a store into the young Handed costs neither.
     *
     * Queued count (multiplexed). `queued` counts the entries offered to the run queue and not yet
     * polled: a producer offers, then adds 1 (getAndAdd, sequentially consistent); the turn polls only
     * while the count is above 0 and subtracts 1 per entry. So the checks that decide "empty" (the
     * hand-off above, a turn's last look, the recheck after `scheduled = 0`) read a field of the loop
     * itself, which the producer or the turn has just touched, instead of the run queue's indices: in
     * a ring of thousands of idle loops the run queue is a cold cache line that a hop no longer reads.
     * The handshake is the same Dekker pair as with the indices: the producer's add comes before its
     * read of `scheduled`, the turn's `scheduled = 0` before its read of the count. An entry offered
     * and not yet counted is not owed a place ahead of a concurrent hand-off (no happens-before
     * between the two producers), and its producer's own read of `scheduled` follows the add.
     *
     * Next turn on the same thread (multiplexed). When the producer of such a hand-off is itself a
     * turn of a loop on the same executor (the thread's Current says so), it does not submit the
     * Handed turn but keeps it in its Current's `next`; the executor task that ran the producing turn
     * runs it once that turn is over (runHandedTurns), so a chain of messages between idle loops runs
     * on one thread without an executor queue hop or a wake-up of another pool thread per message
     * (Go's runnext, Tokio's LIFO slot). Bounds: one kept turn per thread (a second hand-off is
     * submitted as usual); NEXT_CHAIN kept turns in a row per executor task, then the next one is
     * submitted, behind whatever waits in the executor, unless the executor is a ThreadPoolExecutor
     * whose queue is empty: then nothing waits for the thread, and the chain goes on, looking again
     * before each turn (a hand-off wakes an idle pool thread, which costs more than the 64 hops
     * before it: benchmarks' Scale); a task that ran nested in another loop's task
     * (the executor is a loop, or runs tasks inline) submits what it kept instead of running it; a
     * thread about to block in awaitTermination, and a turn that threw, submit it too. The kept turn
     * holds `scheduled` == 1 like a submitted one, so nothing else changes: it is a turn whose
     * executor hand-off is this thread. Current is thread-confined, so `next` is a plain field.
     *
     * Lifetime (Node's rule, for loops made with endWhenIdle, such as a Worker's): each time the loop
     * runs out of work (the first empty look after running something), it ends itself by close() unless
     * one of its ports keeps it alive (PortHandle.keepsLoopAlive: open, entangled, started, ref'ed,
     * with a message listener). A change that may release the loop made from another thread while the
     * loop idles (unref(), close(), a listener removed) calls lifetimeChanged(), which queues a no-op
     * task so that the loop looks again.
     *
     * Timers (EventLoop.schedule): the loop keeps its deadlines in `timers` (LoopTimers, a heap) and
     * runs the due ones at the start of each batch, before its entries; a dedicated loop parks no
     * longer than the next deadline; a multiplexed loop, before its turn goes idle, makes sure the
     * process timer thread will wake it (timerWakeUp: a no-op entry) by the earliest deadline. A timer
     * scheduled on the loop goes straight into the heap; from another thread it travels as an Arm task
     * through the run queue (so execute()'s refusal after close refuses it). A request's timeout,
     * armed unstarted on its loop, starts at the loop's next clock reading (LoopTimers, "Unstarted
     * entries"). When the loop closes
     * (closeOwned, on the loop) every pending timer fails with RejectedExecutionException; Arms that
     * arrive later are refused likewise, and abandon() refuses those still queued.
     *
     * Fields (all accessed through the lv/sv/cas/getAndAdd methods below, the package's convention):
     * `state` volatile/CAS; `parked` volatile/CAS; `scheduled` volatile/CAS; `queued`, `submitters` and
     * `wakeups` getAndAdd (`wakeups` statistics only); `thread`, `executor`, `idleStrategy`,
     * `endWhenIdle` final; `portsClosed`, `timers` plain, touched only by the loop (one thread at a
     * time; turns are ordered by the hand-off above);
     * `portsHead`, `portCount` and the endpoints' registry links plain, under `portsLock` (see "Port
     * registry"); `termination` a CompletableFuture completed once by the loop; `facade` volatile,
     * written once.
     *
     * Port registry. The loop closes the ports bound to its handles when it closes, asks them whether
     * they keep it alive, and lists them in snapshots. The registry is a doubly linked list through the
     * endpoints themselves (PortEndpoint.prevInLoop / nextInLoop), not a concurrent set: no node object
     * per port (issue 12, footprint: 85 B per idle channel less). Registration and removal, from any
     * thread, take `portsLock` (a monitor: a few plain writes, uncontended but for the transfers of
     * the loop's ports from other threads); whether a handle's endpoint is in the list is the handle's
     * REGISTERED bit, changed only under this lock, so a removal for a binding that ended is a no-op.
     * Walks (closePorts, keptAlive, snapshots) hold the lock too; closePorts copies the list first,
     * because closing a port removes it.
     */

    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int CLOSING = 2;
    private static final int TERMINATED = 3;

    /**
     * Run queue of a dedicated loop: entries are ports with work and tasks, so it rarely grows past one
     * chunk; padded, because one busy loop takes posts from many producer threads.
     */
    private static final int DEDICATED_RUN_QUEUE_CHUNK = 256;
    /**
     * Run queue of a multiplexed loop: small and unpadded, because there may be tens of thousands of
     * them and a hop between two of them touches both queues (Scale benchmark: the padded 256-slot
     * queue made each loop about 1.5 KB, and the ring of 10,000 loops a cache-miss walk).
     */
    private static final int MULTIPLEXED_RUN_QUEUE_CHUNK = 16;
    /**
     * Entries a dedicated loop runs between two looks at its state, and a multiplexed loop runs per
     * executor task before yielding the thread to other loops (each port drain is itself bounded by
     * PortEndpoint.BATCH messages).
     */
    static final int TURN_BATCH = 64;
    /** A dedicated loop spinning idle looks at its timers once in this many idle turns. */
    private static final int IDLE_TIMER_TURNS = 16;
    /**
     * Turns a thread runs in a row through its kept next turn (see "Next turn on the same thread")
     * before it passes one to the executor, so that tasks already in the executor's queue still get a
     * thread while a chain of hand-offs goes on; beyond it, only while the executor's queue is known
     * to be empty (see "Next turn on the same thread").
     */
    private static final int NEXT_CHAIN = 64;

    /**
     * What runs on a thread: one holder per thread, created by its first turn and never removed
     * (removing a thread-local drops its map entry, so the next turn would allocate a new one, a
     * WeakReference: measured by the Scale benchmark, that cost more than the rest of a hop).
     */
    private static final class Current {
        /** Thread-confined (plain): the loop running on this thread, or null. */
        LoopCore loop;
        /**
         * Thread-confined (plain): a turn that a turn on this thread handed to an idle loop of the
         * same executor, run here when that turn ends; or null. See "Next turn on the same thread".
         */
        Handed next;
    }

    private static final ThreadLocal<Current> CURRENT = new ThreadLocal<>();

    private static final VarHandle STATE;
    private static final VarHandle PARKED;
    private static final VarHandle SCHEDULED;
    private static final VarHandle WAKEUPS;
    private static final VarHandle SUBMITTERS;
    private static final VarHandle QUEUED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(LoopCore.class, "state", int.class);
            PARKED = lookup.findVarHandle(LoopCore.class, "parked", boolean.class);
            SCHEDULED = lookup.findVarHandle(LoopCore.class, "scheduled", int.class);
            WAKEUPS = lookup.findVarHandle(LoopCore.class, "wakeups", long.class);
            SUBMITTERS = lookup.findVarHandle(LoopCore.class, "submitters", int.class);
            QUEUED = lookup.findVarHandle(LoopCore.class, "queued", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    /** This loop's mark in the consumer lock of the endpoints it drains; see {@link #consumerId()}. */
    private final int consumerId = LoopIds.acquire();
    private final Thread.UncaughtExceptionHandler errorHandler;
    private final MessagePassingQueue<Object> runQueue;
    /** Guards the port registry: {@link #portsHead}, {@link #portCount} and the endpoints' links. */
    private final Object portsLock = new Object();
    /** The most recently registered endpoint, or null; under {@link #portsLock}. */
    private PortEndpoint portsHead;
    /** Number of endpoints in the registry; under {@link #portsLock}. */
    private int portCount;
    private final CompletableFuture<Void> termination = new CompletableFuture<>();
    /** The dedicated thread, or null for a multiplexed loop. */
    private final Thread thread;
    /**
     * The task queue of the executor of a multiplexed loop if it is a ThreadPoolExecutor (read for
     * emptiness only), else null.
     */
    private final BlockingQueue<Runnable> executorQueue;
    /** The executor of a multiplexed loop, or null for a dedicated one. */
    private final Executor executor;
    private final IdleStrategy idleStrategy;
    private final boolean shared;
    private final boolean endWhenIdle;
    private final Runnable turn = () -> runHandedTurns(runTurn(null, null));
    private volatile EventLoop facade;
    /** Loop-confined: the ports have been closed after CLOSING was seen. */
    private boolean portsClosed;
    /** Written before `termination` completes, read after: the loop ended abnormally. */
    private boolean abandoned;
    /**
     * Loop-confined, dedicated loops only: the endpoint this idle loop watches, or null; see "Watched
     * port" in the overview.
     */
    private PortEndpoint watched;

    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;
    @SuppressWarnings("unused") // accessed through PARKED
    private volatile boolean parked;
    @SuppressWarnings("unused") // accessed through SCHEDULED
    private volatile int scheduled;
    @SuppressWarnings("unused") // accessed through WAKEUPS
    private volatile long wakeups;
    /** execute() calls between their +1 and -1: see "Accepted tasks" in the overview. */
    @SuppressWarnings("unused") // accessed through SUBMITTERS
    private volatile int submitters;
    /** Multiplexed loops: entries offered to the run queue and not yet polled; see "Queued count". */
    @SuppressWarnings("unused") // accessed through QUEUED
    private volatile int queued;
    /** Loop-confined: the delayed tasks of EventLoop.schedule, created by the first one. */
    private LoopTimers timers;

    // Field accessors (the package's lv/sv/cas convention). Every access to these fields is volatile
    // (sequentially consistent): the park, turn and submitter handshakes in the overview are
    // Dekker-style, store then load, and need nothing weaker.

    private int lvState() {
        return (int) STATE.getVolatile(this);
    }

    private void svState(int value) {
        STATE.setVolatile(this, value);
    }

    private boolean casState(int expect, int update) {
        return STATE.compareAndSet(this, expect, update);
    }

    private boolean lvParked() {
        return (boolean) PARKED.getVolatile(this);
    }

    private void svParked(boolean value) {
        PARKED.setVolatile(this, value);
    }

    private boolean casParked(boolean expect, boolean update) {
        return PARKED.compareAndSet(this, expect, update);
    }

    private int lvScheduled() {
        return (int) SCHEDULED.getVolatile(this);
    }

    private void svScheduled(int value) {
        SCHEDULED.setVolatile(this, value);
    }

    private boolean casScheduled(int expect, int update) {
        return SCHEDULED.compareAndSet(this, expect, update);
    }

    private long lvWakeups() {
        return (long) WAKEUPS.getVolatile(this);
    }

    private void getAndAddWakeups(long delta) {
        WAKEUPS.getAndAdd(this, delta);
    }

    private int lvSubmitters() {
        return (int) SUBMITTERS.getVolatile(this);
    }

    private void getAndAddSubmitters(int delta) {
        SUBMITTERS.getAndAdd(this, delta);
    }

    private int lvQueued() {
        return (int) QUEUED.getVolatile(this);
    }

    private void getAndAddQueued(int delta) {
        QUEUED.getAndAdd(this, delta);
    }

    /**
     * A loop on a dedicated (non-daemon) thread that lives until closed: {@code EventLoop.start}. Call
     * {@link #start()} once the facade is bound.
     *
     * @param name the loop's name, also its thread's name
     * @param errorHandler receives every Throwable thrown by a task, listener or handler; null for the
     *     thread's default handling
     * @param idleStrategy what the thread does while the loop is idle
     * @return the new, unstarted loop
     */
    public static LoopCore dedicated(String name, Thread.UncaughtExceptionHandler errorHandler,
            IdleStrategy idleStrategy) {
        return new LoopCore(name, errorHandler, false, false, idleStrategy, false);
    }

    /**
     * The process-wide common loop: a daemon thread that ignores {@link #close()}.
     *
     * @param name the loop's name, also its thread's name
     * @return the new, unstarted loop
     */
    public static LoopCore common(String name) {
        return new LoopCore(name, null, true, true, IdleStrategy.DEFAULT, false);
    }

    /**
     * A worker's loop: a dedicated (non-daemon) thread that closes by itself once idle with no port
     * keeping it alive (Node's rule).
     *
     * @param name the loop's name, also its thread's name
     * @param errorHandler as for {@link #dedicated}
     * @return the new, unstarted loop
     */
    public static LoopCore worker(String name, Thread.UncaughtExceptionHandler errorHandler) {
        return new LoopCore(name, errorHandler, false, false, IdleStrategy.DEFAULT, true);
    }

    /**
     * A multiplexed loop that lives until closed: {@code EventLoop.on}.
     *
     * @param name the loop's name
     * @param errorHandler as for {@link #dedicated}
     * @param executor runs the loop's turns
     * @return the new, unstarted loop
     */
    public static LoopCore multiplexed(String name, Thread.UncaughtExceptionHandler errorHandler,
            Executor executor) {
        return new LoopCore(name, errorHandler, executor, false);
    }

    /**
     * A multiplexed loop that, like a worker's, closes by itself once idle with no port keeping it
     * alive.
     *
     * @param name the loop's name
     * @param errorHandler as for {@link #dedicated}
     * @param executor runs the loop's turns
     * @return the new, unstarted loop
     */
    public static LoopCore multiplexedWorker(String name, Thread.UncaughtExceptionHandler errorHandler,
            Executor executor) {
        return new LoopCore(name, errorHandler, executor, true);
    }

    private LoopCore(String name, Thread.UncaughtExceptionHandler errorHandler, boolean daemon,
            boolean shared, IdleStrategy idleStrategy, boolean endWhenIdle) {
        this.name = name;
        this.errorHandler = errorHandler;
        this.shared = shared;
        this.idleStrategy = idleStrategy;
        this.endWhenIdle = endWhenIdle;
        this.executor = null;
        this.executorQueue = null;
        Thread t = new Thread(this::run, name);
        t.setDaemon(daemon);
        this.thread = t;
        this.runQueue = new MpscUnboundedArrayQueue<>(DEDICATED_RUN_QUEUE_CHUNK);
    }

    /** A multiplexed loop: no thread of its own, turns on {@code executor} while it has work. */
    private LoopCore(String name, Thread.UncaughtExceptionHandler errorHandler, Executor executor,
            boolean endWhenIdle) {
        this.name = name;
        this.errorHandler = errorHandler;
        this.shared = false;
        this.idleStrategy = null;
        this.endWhenIdle = endWhenIdle;
        this.executor = executor;
        this.executorQueue = executor instanceof ThreadPoolExecutor ? ((ThreadPoolExecutor) executor).getQueue() : null;
        this.thread = null;
        this.runQueue = new MpscUnboundedUnpaddedArrayQueue<>(MULTIPLEXED_RUN_QUEUE_CHUNK);
    }

    /**
     * The value a drain of this loop stores in an endpoint's consumer lock (PortEndpoint): positive,
     * and no other live loop's. An int rather than the draining Thread: a reference stored into an
     * endpoint in the old generation costs a G1 write barrier, a card to refine, per drain.
     */
    int consumerId() {
        return consumerId;
    }

    /** Binds the public object that {@code EventLoop.current()} returns for this loop. Call once. */
    public void bindFacade(EventLoop facade) {
        this.facade = facade;
    }

    /** The bound public object. */
    public EventLoop facade() {
        return facade;
    }

    /**
     * Starts the loop: its thread, or, for a multiplexed loop, its first turn if work was queued while
     * it was new (nothing runs before start). Call once.
     */
    public void start() {
        if (!casState(NEW, RUNNING)) {
            if (lvState() >= CLOSING) {
                return; // closed before it started: close() launched it to finish what was queued
            }
            throw new IllegalStateException("loop " + name + " already started");
        }
        launch();
    }

    /** Starts the thread or the first turn; called once, by whoever moved the loop out of NEW. */
    private void launch() {
        LoopRegistry.register(this, runQueue, thread, shared, endWhenIdle); // EventLoop.snapshot()
        if (thread != null) {
            thread.start();
        } else if (!QueueProbe.isEmpty(runQueue)) {
            // After the CAS (volatile): either this sees an entry queued while NEW, or its producer
            // sees a state other than NEW and schedules the turn itself.
            scheduleTurn();
        }
    }

    /** The loop running on the calling thread, or null. */
    public static LoopCore current() {
        Current c = CURRENT.get(); // null on a thread that never ran a loop: none created for it
        return c == null ? null : c.loop;
    }

    public String name() {
        return name;
    }

    /** True if this loop is running on the calling thread right now. */
    public boolean inEventLoop() {
        Current c = CURRENT.get();
        return c != null && c.loop == this;
    }

    /** True once {@link #close()} has been called (or the loop has terminated). */
    public boolean isShuttingDown() {
        return lvState() >= CLOSING;
    }

    /** True once the loop has finished. */
    public boolean isTerminated() {
        return lvState() == TERMINATED;
    }

    /**
     * Queues a task; any thread.
     *
     * @throws RejectedExecutionException if the loop is closing or terminated
     */
    public void execute(Runnable task) {
        // getAndAdd (volatile, sequentially consistent) before the state read: the submitter's half of
        // the handshake with quiescent(); see "Accepted tasks" in the overview.
        getAndAddSubmitters(1);
        try {
            if (lvState() >= CLOSING) {
                throw new RejectedExecutionException("event loop " + name + " is closed");
            }
            enqueue(task);
        } finally {
            getAndAddSubmitters(-1);
        }
        if (wasAbandoned()) {
            // Our own enqueue found the executor refusing (submitTurn abandoned the loop): nothing
            // will ever run the task, so it was not accepted after all.
            throw new RejectedExecutionException("event loop " + name + " was abandoned");
        }
    }

    /**
     * By the loop's runner (its thread, or the executor thread of its last turn, past the turn's
     * CURRENT scope), CLOSING, its queue just found empty: waits out the execute() calls that saw the
     * loop open and are still offering, then tells whether the queue is empty for good.
     */
    private boolean quiescent() {
        // Volatile reads after this loop's read of CLOSING: see "Accepted tasks" in the overview. A
        // submitter holds the count for one offer, so this waits a few instructions, unless that
        // thread was descheduled in between; yield then, rather than burn the core it needs.
        for (int spins = 0; lvSubmitters() != 0; spins++) {
            if (spins < 100) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        return QueueProbe.isEmpty(runQueue);
    }

    /** Queues a port drain; any thread. Accepted in every state (see the overview). */
    void submitDrain(PortEndpoint endpoint) {
        enqueue(endpoint);
    }

    private void enqueue(Object entry) {
        if (thread == null) {
            enqueueMultiplexed(entry);
            return;
        }
        runQueue.offer(entry);
        // Volatile read, ordered after the offer's CAS: the producer side of the park handshake.
        if (lvParked() && casParked(true, false)) {
            getAndAddWakeups(1L); // statistics only, on the already expensive unpark path
            LockSupport.unpark(thread);
        }
    }

    /** A multiplexed loop's producer side; see "Hand-off to an idle loop" in the overview. */
    private void enqueueMultiplexed(Object entry) {
        if (lvScheduled() == 0 && lvState() != NEW && casScheduled(0, 1)) {
            // We hold `scheduled`: no turn runs, and none starts until we submit one. An empty run
            // queue (read after our CAS, both volatile) means no entry can be owed a place before
            // ours, so the turn takes ours from the Handed task and the run queue is not touched.
            if (lvQueued() == 0) {
                Handed handed = new Handed(entry);
                if (!nextOnThisThread(handed)) {
                    submitTurn(handed); // published to the turn by the executor hand-off
                }
            } else {
                offerCounted(entry); // queued in the window before a turn's recheck: they go first
                submitTurn();
            }
            return;
        }
        offerCounted(entry);
        // Volatile reads after the count's getAndAdd: the producer side of the turn handshake (and of
        // start(), which schedules what was queued while NEW).
        if (lvScheduled() == 0 && lvState() != NEW) {
            scheduleTurn();
        }
    }

    /** A multiplexed loop's offer: the entry, then the count (see "Queued count" in the overview). */
    private void offerCounted(Object entry) {
        runQueue.offer(entry);
        getAndAddQueued(1);
    }

    /** Number of times a producer had to unpark this loop; for tests and monitoring. */
    public long wakeups() {
        return lvWakeups();
    }

    /**
     * Records the endpoint of {@code h}, a handle of this loop just bound, so that closing the loop
     * closes it; any thread. See "Port registry" in the overview.
     */
    void register(PortHandle h) {
        assert h.loop == this : "a handle registers with its own loop";
        PortEndpoint endpoint = h.endpoint;
        synchronized (portsLock) {
            if (!h.markRegistered()) {
                return;
            }
            PortEndpoint first = portsHead;
            endpoint.spPrevInLoop(null);
            endpoint.spNextInLoop(first);
            if (first != null) {
                first.spPrevInLoop(endpoint);
            }
            portsHead = endpoint;
            portCount++;
        }
        // Read after the lock (volatile): either closePorts(), whose copy under the lock follows
        // CLOSING, sees this endpoint, or we see CLOSING.
        if (lvState() >= CLOSING) {
            endpoint.closeBecauseLoopClosed(this);
        }
    }

    /**
     * Removes the endpoint of {@code h} if {@code h} registered it and it is still there; any thread,
     * idempotent.
     */
    void unregister(PortHandle h) {
        assert h.loop == this : "a handle unregisters from its own loop";
        if (!h.isRegistered()) {
            // Never registered (a request's reply end), or removed already: no lock. The bit changes
            // only under the lock, so reading it clear is as if this call took the lock first.
            lifetimeChanged();
            return;
        }
        PortEndpoint endpoint = h.endpoint;
        synchronized (portsLock) {
            if (h.clearRegistered()) {
                PortEndpoint prev = endpoint.lpPrevInLoop();
                PortEndpoint next = endpoint.lpNextInLoop();
                if (prev == null) {
                    portsHead = next;
                } else {
                    prev.spNextInLoop(next);
                }
                if (next != null) {
                    next.spPrevInLoop(prev);
                }
                endpoint.spPrevInLoop(null);
                endpoint.spNextInLoop(null);
                portCount--;
            }
        }
        lifetimeChanged();
    }

    /** A copy of the registry: the endpoints bound to handles of this loop; any thread. */
    List<PortEndpoint> ports() {
        synchronized (portsLock) {
            List<PortEndpoint> copy = new ArrayList<>(portCount);
            for (PortEndpoint e = portsHead; e != null; e = e.lpNextInLoop()) {
                copy.add(e);
            }
            return copy;
        }
    }

    /** Number of ports currently bound to this loop; for tests and monitoring. */
    public int portCount() {
        synchronized (portsLock) {
            return portCount;
        }
    }

    /**
     * Something that may keep this loop alive changed (a port unref'ed, closed, or lost a listener):
     * if the loop ends when idle and the change came from another thread, make it look again. Any
     * thread; cheap when the loop does not end by itself.
     */
    public void lifetimeChanged() {
        if (endWhenIdle && lvState() == RUNNING && !inEventLoop()) {
            enqueue(NOOP);
        }
    }

    /**
     * Starts an orderly shutdown; any thread, idempotent, never blocks. The loop's ports are closed
     * (their peers receive {@code close}) before anything else runs on it; tasks already queued still
     * run; later {@link #execute} calls are refused. The common loop ignores this.
     */
    public void close() {
        if (shared) {
            return;
        }
        if (casState(NEW, CLOSING)) {
            launch(); // never started: run what was queued while NEW, then terminate
            enqueue(NOOP); // a multiplexed loop with nothing queued needs a turn to terminate in
        } else if (casState(RUNNING, CLOSING)) {
            enqueue(NOOP); // wake the loop so that it notices
        }
        if (inEventLoop() && !portsClosed) {
            // Called by a handler of this loop: close the ports before returning, so that nothing more
            // of them is dispatched, not even the rest of the running drain. portsClosed is
            // loop-confined, and we are on the loop.
            closeOwned();
        }
    }

    /**
     * {@link #close()}, and closes the loop's ports at once on the calling thread instead of waiting
     * for the loop to finish what it is running. Any thread.
     */
    public void closeNow() {
        close();
        if (!shared) {
            closePorts();
        }
    }

    /**
     * Interrupts the dedicated thread of this loop (a no-op for a multiplexed loop, whose executor
     * thread may be running another loop by the time the interrupt lands). Any thread.
     */
    public void interruptThread() {
        if (thread != null && thread.isAlive()) {
            thread.interrupt();
        }
    }

    /** Blocks until the loop has terminated or the timeout elapses; true if terminated. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        if (inEventLoop()) {
            throw new IllegalStateException("a loop cannot await its own termination");
        }
        handOverKeptTurn(); // this loop's last turn may be the one kept for this thread
        try {
            termination.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new AssertionError("termination never completes exceptionally", e);
        }
    }

    /**
     * Completes on the loop when it has terminated (on a dedicated loop, just before its thread ends).
     * Dependent actions registered without an executor run there, or on the registering thread if it
     * already completed.
     */
    public CompletionStage<Void> termination() {
        return termination.minimalCompletionStage();
    }

    /**
     * True if the loop ended abnormally (a VirtualMachineError escaped a task, or the executor refused a
     * turn) rather than by close(). Meaningful once {@link #termination()} has completed.
     */
    public boolean wasAbandoned() {
        return termination.isDone() && abandoned;
    }

    /** Reports a Throwable from user code to the loop's error handler; never throws. */
    public void reportError(Throwable error) {
        Thread.UncaughtExceptionHandler handler = errorHandler != null ? errorHandler
                : Thread.currentThread().getUncaughtExceptionHandler();
        try {
            handler.uncaughtException(Thread.currentThread(), error);
        } catch (Throwable secondary) {
            error.addSuppressed(secondary);
            System.err.println("entangle: error in event loop " + name + " and in its error handler");
            error.printStackTrace();
        }
    }

    private static final Runnable NOOP = () -> { };

    /**
     * Whether a Throwable from user code must end the loop: a VirtualMachineError leaves the JVM in
     * doubt, except a StackOverflowError (runaway recursion in a handler, a common bug), which has
     * unwound by the time it is caught and is reported like any exception.
     */
    public static boolean isFatal(Throwable t) {
        return t instanceof VirtualMachineError && !(t instanceof StackOverflowError);
    }

    // ------------------------------------------------------------------------------------------------
    // Shared by both kinds: running entries, closing, ending when idle.

    /**
     * Runs up to {@code limit} entries; on the loop only. Closes the ports first if CLOSING was set.
     *
     * @param handed the entry a producer handed to this turn (run first), or null
     * @return the number of entries run; less than {@code limit} means the queue was found empty
     */
    private int runEntries(int limit, Handed handed) {
        assert inEventLoop() : "runEntries off the loop";
        for (int n = 0; n < limit; n++) {
            if (!portsClosed && lvState() >= CLOSING) {
                closeOwned(); // once; then run what is left and stop
            }
            Object entry = handed == null ? null : handed.entry;
            if (entry != null) {
                handed.entry = null; // the turn's first entry, ahead of the run queue
            } else if (thread == null) {
                // Multiplexed: the count, on this loop's own line, says whether to touch the run
                // queue at all (the usual last look of a turn in a ring of thousands of loops); a
                // counted entry was offered before it was counted, so poll() then finds it.
                if (lvQueued() == 0) {
                    return n;
                }
                entry = runQueue.poll();
                getAndAddQueued(-1);
            } else if ((entry = runQueue.poll()) == null) {
                return n;
            }
            runTimed(entry);
        }
        return limit;
    }

    /**
     * Runs one entry, timed for JFR's LongLoopTurn; a watched port is handed back first, so that its
     * next messages queue behind this entry, as they would behind a drain that cleared its flag.
     */
    private void runTimed(Object entry) {
        unwatch();
        Object jfr = Jfr.turnBegin(); // JFR LongLoopTurn
        runEntry(entry);
        Jfr.turnEnd(jfr, this, entry);
    }

    /**
     * From the drain of {@code endpoint} that emptied its queue, on this loop: true if this loop keeps
     * it, SCHEDULED still set, to poll it while idle (see "Watched port" in the overview); false when
     * the drain must clear the flag itself.
     */
    boolean watch(PortEndpoint endpoint) {
        if (thread == null || watched != null || portsClosed || !endpoint.isStartedOn(this)) {
            return false;
        }
        watched = endpoint;
        return true;
    }

    /**
     * From {@code Requests.ask} in a turn of this loop, for the requester's end of the reply pair it
     * just made, before anything of the pair is published: this loop watches that end from now on,
     * SCHEDULED set and its consumer lock held, so that the answer is only an offer the idle loop
     * polls (see "Watched reply end" in the overview); nothing happens on a multiplexed or closing
     * loop or one that watches an endpoint already (an earlier ask of the same entry, or a port
     * watched while a timer's task runs), whose answer takes the run queue as any message does.
     *
     * @return whether this loop now watches {@code requesterEnd}
     */
    public boolean watchReply(PortEndpoint requesterEnd) {
        assert inEventLoop() : "watchReply off the loop";
        if (thread == null || watched != null || portsClosed) {
            return false;
        }
        requesterEnd.watchUnpublished(consumerId);
        watched = requesterEnd;
        return true;
    }

    /**
     * Hands the watched endpoint back, as its drain would have: releases its consumer lock, clears
     * SCHEDULED, then rechecks.
     */
    private void unwatch() {
        PortEndpoint w = watched;
        if (w != null) {
            watched = null;
            w.endWatch();
        }
    }

    /** An idle look at the watched endpoint: drains it if something arrived; true if it ran. */
    private boolean runWatched() {
        PortEndpoint w = watched;
        if (w == null || !w.hasQueued()) {
            return false;
        }
        watched = null; // the drain watches it again if it empties the queue
        runTimed(w);
        return true;
    }

    private void runEntry(Object entry) {
        if (entry instanceof PortEndpoint) {
            ((PortEndpoint) entry).drain(this);
            return;
        }
        try {
            ((Runnable) entry).run();
        } catch (Throwable t) {
            if (LoopCore.isFatal(t)) {
                throw t; // the JVM is in doubt; a StackOverflowError is not: it has unwound
            }
            reportError(t);
        }
    }

    /**
     * The loop ran out of work while RUNNING: if it ends when idle and no port keeps it alive, close
     * it (Node's rule). On the loop only.
     */
    private void endIfNothingKeepsAlive() {
        assert inEventLoop() : "lifetime check off the loop";
        if (endWhenIdle && lvState() == RUNNING && !keptAlive()) {
            close();
        }
    }

    private boolean keptAlive() {
        if (timers != null && timers.keepsLoopAlive()) {
            return true; // a request's answer pending (Requests.ask: its reply end is no registered port)
        }
        synchronized (portsLock) {
            // Under the lock: keepsLoopAlive() reads flags and listener arrays, never runs user code
            // and takes no lock.
            for (PortEndpoint e = portsHead; e != null; e = e.lpNextInLoop()) {
                PortHandle h = e.boundHandle();
                if (h != null && h.loop == this && h.keepsLoopAlive()) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * Closes every port bound to this loop: peers get {@code close}, queued messages are discarded.
     * Tasks queued before close() still run afterwards; drains of the closed ports only discard.
     */
    private void closePorts() {
        for (PortEndpoint endpoint : ports()) {
            endpoint.closeBecauseLoopClosed(this); // unregisters it; outside the lock (it signals peers)
        }
    }

    /** The loop cannot go on (a VirtualMachineError, or the executor refused a turn). */
    private void abandon(Handed handed) {
        abandoned = true;
        unwatch();
        svState(CLOSING);
        closePorts();
        // The caller runs the loop's last turn or holds `scheduled` (see submitTurn): no other thread
        // touches the timers or consumes the run queue now. Timers still on their way in are refused
        // as those in the heap are; every other entry is dropped.
        refuseTimers();
        Object entry = handed == null ? null : handed.entry;
        if (entry instanceof LoopTimers.Arm) {
            ((LoopTimers.Arm) entry).refuse();
        }
        while ((entry = runQueue.poll()) != null) {
            if (entry instanceof LoopTimers.Arm) {
                ((LoopTimers.Arm) entry).refuse();
            }
        }
        terminate();
    }

    /** On the loop, once it is closing: close its ports and refuse its pending timers. */
    private void closeOwned() {
        unwatch();
        closePorts();
        portsClosed = true;
        refuseTimers();
    }

    private void refuseTimers() {
        if (timers != null) {
            timers.refuseAll(name);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Timers (EventLoop.schedule): kept by the loop itself, see LoopTimers.

    /**
     * Runs {@code task} on this loop once {@code delayNanos} have elapsed; any thread. A zero or
     * negative delay queues it at once, as {@link #execute} does.
     *
     * @return a future completed on the loop once the task ran (with what it threw, if it threw);
     *     cancelling it first keeps the task from running; failed with RejectedExecutionException if
     *     the loop is closed before the task is due
     */
    public CompletableFuture<Void> schedule(Runnable task, long delayNanos) {
        return schedule(task, delayNanos, inEventLoop());
    }

    private CompletableFuture<Void> schedule(Runnable task, long delayNanos, boolean onLoop) {
        LoopTimers.Timer timer = new LoopTimers.Timer(task, delayNanos);
        arm(timer, onLoop);
        return timer;
    }

    /**
     * Arms {@code deadline} on this loop; any thread. {@code onLoop} says that the caller runs on this
     * loop (Requests.ask, which looked the loop up: one thread-local lookup less per request): then
     * the deadline goes straight into the heap, with no hop. Otherwise, and for a zero or negative
     * delay, it travels through the run queue; if the loop refuses it, it fails with that refusal.
     * A deadline whose clock was not started runs from the loop's next clock reading (LoopTimers,
     * "Unstarted entries").
     */
    public void arm(Deadline<?> deadline, boolean onLoop) {
        assert !onLoop || inEventLoop() : "arm(onLoop) off the loop";
        if (!deadline.isImmediate() && onLoop) {
            armTimer(deadline); // the common case (a request timeout set on its loop): no hop
            return;
        }
        try {
            execute(new LoopTimers.Arm(this, deadline));
        } catch (RejectedExecutionException closed) {
            deadline.refuse(closed);
        }
    }

    /** {@code delay} in nanoseconds, saturated at the long range instead of overflowing. */
    public static long saturatedNanos(Duration delay) {
        try {
            return delay.toNanos();
        } catch (ArithmeticException tooLong) {
            return delay.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /** On the loop: puts {@code timer} in the heap, or refuses it if the loop is closing. */
    void armTimer(Deadline<?> timer) {
        assert inEventLoop() : "timer armed off its loop";
        if (portsClosed || lvState() >= CLOSING) {
            timer.refuse(name);
            return;
        }
        LoopTimers t = timers;
        if (t == null) {
            timers = t = new LoopTimers();
        }
        t.add(timer);
    }

    /**
     * Runs the timers that are due; on the loop, at the start of each batch. Nothing (not even a clock
     * read) while no timer is pending.
     *
     * @return the number of tasks run
     */
    private int runTimers() {
        LoopTimers t = timers;
        if (t == null || t.isEmpty()) {
            return 0;
        }
        if (lvState() >= CLOSING) {
            if (!portsClosed) {
                closeOwned(); // refuses the timers, which must not fire after close()
            }
            return 0;
        }
        return t.runDue(System.nanoTime());
    }

    /** Nanoseconds until the next timer is due (0 if one is), or -1 if none; on the loop. */
    private long nanosToNextTimer() {
        LoopTimers t = timers;
        return t == null || t.isEmpty() ? -1L : t.nanosToNext(System.nanoTime());
    }

    /**
     * The timer thread's wake-up of an idle multiplexed loop whose next deadline has come: a no-op
     * entry, so that the turn it causes runs the due timers and asks for the next wake-up. Through
     * the run queue, not by taking `scheduled` directly: a wake-up that lands while a turn is ending
     * (the turn holds `scheduled` and registered this wake-up for a deadline already due) is then found
     * by that turn's recheck; a lone CAS on `scheduled` would fail and the wake-up be lost (found by
     * ScheduleTest on a loaded machine: a multiplexed loop left a due timer pending).
     */
    void timerWakeUp() {
        if (lvState() != TERMINATED) {
            enqueue(NOOP);
        }
    }

    private void terminate() {
        svState(TERMINATED);
        LoopRegistry.unregister(this); // EventLoop.snapshot()
        LoopIds.release(consumerId); // no drain of this loop runs again
        termination.complete(null);
    }

    // ------------------------------------------------------------------------------------------------
    // Dedicated loops.

    /** The loop body; runs on the dedicated thread only. */
    private void run() {
        Current current = new Current();
        current.loop = this;
        CURRENT.set(current);
        boolean finished = false;
        try {
            int idle = 0;
            int idleSinceTimers = 0;
            while (true) {
                // While spinning idle, the due timers every IDLE_TIMER_TURNS-th look only: each look
                // reads the clock (System.nanoTime, some 30 ns here), which would delay the pickup of
                // the next entry, and a loop with a request's timeout pending always has a timer
                // (AskRoundTrip). A count of its own: `idle` saturates, and would then never be one.
                int fired = 0;
                if (idle == 0 || ++idleSinceTimers == IDLE_TIMER_TURNS) {
                    idleSinceTimers = 0;
                    fired = runTimers();
                }
                int ran = runEntries(TURN_BATCH, null);
                if (ran == TURN_BATCH) {
                    idle = 0;
                    continue;
                }
                if (portsClosed) {
                    if (quiescent()) {
                        break; // CLOSING and nothing left, nor coming
                    }
                    continue; // a task accepted just before close(): run it
                }
                if (ran == 0 && runWatched()) {
                    idle = 0;
                    continue;
                }
                if (ran > 0 || fired > 0) {
                    idle = 0;
                }
                if (idle == 0) {
                    endIfNothingKeepsAlive(); // first empty look after work
                }
                idle = idle(idle);
            }
            finished = true;
        } finally {
            CURRENT.remove();
            if (finished) {
                terminate();
            } else {
                abandon(null);
            }
        }
    }

    /** One idle turn; returns the next turn number. */
    private int idle(int turn) {
        boolean park;
        try {
            park = idleStrategy.idle(turn);
        } catch (Throwable t) {
            if (LoopCore.isFatal(t)) {
                throw t; // the JVM is in doubt; a StackOverflowError is not: it has unwound
            }
            reportError(t);
            park = true;
        }
        if (!park) {
            return turn == Integer.MAX_VALUE ? turn : turn + 1;
        }
        unwatch(); // before the park handshake: a message that raced in is in the run queue by then
        svParked(true);
        // Consumer side of the handshake: the volatile write above, then a volatile read of the
        // producer index inside isEmpty().
        if (QueueProbe.isEmpty(runQueue) && lvState() < CLOSING) {
            Thread.interrupted(); // an interrupt would make park() return at once, forever
            long untilTimer = nanosToNextTimer();
            if (untilTimer < 0L) {
                LockSupport.park(this);
            } else if (untilTimer > 0L) {
                LockSupport.parkNanos(this, untilTimer); // no later than the next deadline
            }
        }
        svParked(false);
        return 0;
    }

    // ------------------------------------------------------------------------------------------------
    // Multiplexed loops.

    /** Submits a turn if none is submitted or running; any thread. */
    private void scheduleTurn() {
        if (casScheduled(0, 1)) {
            submitTurn();
        }
    }

    /** Hands the turn to the executor; the caller holds {@code scheduled == 1}. */
    private void submitTurn() {
        submit(turn, null);
    }

    /** Hands a turn that runs {@code handed} first to the executor; as {@link #submitTurn()}. */
    private void submitTurn(Handed handed) {
        submit(handed, handed);
    }

    private void submit(Runnable task, Handed handed) {
        try {
            executor.execute(task);
        } catch (Throwable e) {
            // A refusal, or the user's executor failing in any other way (an Error included): the loop
            // can never run again. Report, close its ports from here, terminate. Never thrown on: the
            // caller may be any thread, the port collector's among them.
            reportError(e);
            abandon(handed);
        }
    }

    /**
     * A turn that runs one entry before polling the run queue: see "Hand-off to an idle loop" in the
     * overview. A new object per hand-off rather than a field of the loop: young, so that neither
     * writing nor clearing its entry costs a GC write barrier with a fence on a loop object in the
     * old generation (G1 charges one for each reference stored into an old object, and a ring of
     * thousands of loops writes a different one per hop).
     */
    private final class Handed implements Runnable {
        /** Plain: written before the executor hand-off, read and cleared by the turn. */
        Object entry;

        Handed(Object entry) {
            this.entry = entry;
        }

        @Override
        public void run() {
            runHandedTurns(runTurn(this, null));
        }

        LoopCore loop() {
            return LoopCore.this;
        }
    }

    /**
     * Keeps {@code handed} for the calling thread to run when its current turn ends, if that is a turn
     * of a loop on this loop's executor and nothing is kept yet: see "Next turn on the same thread".
     *
     * @return false if the caller must submit it to the executor
     */
    private boolean nextOnThisThread(Handed handed) {
        Current c = CURRENT.get();
        if (c == null || c.next != null) {
            return false;
        }
        LoopCore running = c.loop;
        if (running == null || running.executor != executor) {
            return false; // not on a turn of this executor (a dedicated loop, a foreign thread)
        }
        c.next = handed;
        return true;
    }

    /**
     * After an executor task's turn: runs the turns handed to this thread meanwhile, NEXT_CHAIN in a
     * row, more while nothing waits in the executor (othersMayWait); the one after that, or one left
     * by a turn that threw, goes to its executor,
     * and so does a kept turn when this task ran nested in another loop's (an executor that is a loop,
     * or runs tasks inline).
     */
    private static void runHandedTurns(Current c) {
        if (c.loop != null) {
            submitKept(c); // a turn nested in another loop's task: the kept one goes to its executor
            return;
        }
        try {
            for (int n = 0; ; n++) {
                Handed next = c.next;
                if (next == null || n >= NEXT_CHAIN && next.loop().othersMayWait()) {
                    return;
                }
                c.next = null;
                next.loop().runTurn(next, c);
            }
        } finally {
            submitKept(c); // the one after the chain, or one a throwing turn left
        }
    }

    /**
     * False only if nothing waits in this multiplexed loop's executor for a thread: a
     * ThreadPoolExecutor whose queue is empty (a volatile read of its count). True for other executors.
     */
    private boolean othersMayWait() {
        return executorQueue == null || !executorQueue.isEmpty();
    }

    /**
     * Before the calling thread blocks: a turn kept for it (see "Next turn on the same thread") goes
     * to its executor instead, since the turn it waits for may be that one. Any thread. (The other
     * blocking calls of entangle refuse to run on a loop's thread, where a turn can be kept.)
     */
    private static void handOverKeptTurn() {
        Current c = CURRENT.get();
        if (c != null) {
            submitKept(c);
        }
    }

    /** Submits the turn kept in {@code c}, if any, to its executor; on c's thread. */
    private static void submitKept(Current c) {
        Handed next = c.next;
        if (next != null) {
            c.next = null;
            next.loop().submitTurn(next);
        }
    }

    /**
     * One turn of a multiplexed loop: a bounded batch, then resubmit or go idle.
     *
     * @param handed the hand-off this turn was submitted with, or null
     * @param holder the calling thread's holder if the caller has it, else null (looked up)
     * @return the calling thread's holder
     */
    private Current runTurn(Handed handed, Current holder) {
        Current current = holder != null ? holder : CURRENT.get();
        if (current == null) {
            current = new Current(); // the first turn on this thread
            CURRENT.set(current);
        }
        LoopCore outer = current.loop; // the executor may itself be a loop
        current.loop = this;
        int ran;
        int fired;
        boolean finished = false;
        try {
            fired = runTimers();
            ran = runEntries(TURN_BATCH, handed);
            finished = true;
        } finally {
            current.loop = outer;
            if (!finished) {
                abandon(handed);
            }
        }
        if (ran == TURN_BATCH) {
            submitTurn(); // more work: to the back of the executor's queue, for fairness
            return current;
        }
        if (portsClosed) {
            if (quiescent()) {
                terminate(); // `scheduled` stays 1: a terminated loop never runs again
            } else {
                submitTurn(); // a task accepted just before close(): run it
            }
            return current;
        }
        if ((ran > 0 || fired > 0) && endWhenIdle) {
            current.loop = this;
            try {
                endIfNothingKeepsAlive(); // may queue a NOOP, found by the recheck below
            } finally {
                current.loop = outer;
            }
        }
        if (timers != null && !timers.isEmpty()) {
            timers.ensureWakeUp(this); // still this turn's: `scheduled` is 1 until the store below
        }
        svScheduled(0);
        // Consumer side of the handshake: the volatile write above, then the count.
        if (lvQueued() != 0) {
            scheduleTurn();
        }
        return current;
    }

    @Override
    public String toString() {
        return "EventLoop[" + name + "]";
    }
}
