package dev.entangle.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscUnboundedArrayQueue;

/**
 * The mechanics of one event loop (HTML §8.1.7): a single consumer thread that takes tasks and port
 * drains from one multi-producer queue, runs them one at a time, and parks when idle.
 *
 * <p>Thread contract: {@link #execute}, {@link #submitDrain}, {@link #close}, {@link #awaitTermination},
 * {@link #register} and {@link #unregister} may be called from any thread. {@link #run} is the loop body
 * and runs only on the loop's own thread. Tasks and drains always run on the loop's thread, never on a
 * caller's.
 *
 * <p>Memory consistency effects: actions in a thread prior to {@link #execute} or {@link #submitDrain}
 * <i>happen-before</i> the task or drain runs on the loop thread (the queue's offer is a release, its poll
 * an acquire). Actions of the loop thread <i>happen-before</i> a successful return from
 * {@link #awaitTermination}.
 */
public final class LoopCore {
    /*
     * Implementation overview.
     *
     * Run queue. One JCTools MpscUnboundedArrayQueue<Object> holds two kinds of entries: a Runnable
     * (a user task, or an internal one) and a PortEndpoint whose messages are ready to dispatch. A
     * PortEndpoint sits in at most one loop's run queue at a time (its SCHEDULED flag, see PortEndpoint),
     * so a busy port costs the loop one queue entry per batch, not one per message. An endpoint that
     * still has messages after its batch goes back to the tail: tasks and other ports queued meanwhile
     * run first (HTML's "one task at a time"; SPEC item 9, no starvation).
     *
     * State machine, changed by CAS on `state` only:
     *   NEW --start()--> RUNNING --close()--> CLOSING --(loop thread: ports closed, queue drained)-->
     *   TERMINATED.
     * A loop runs once and is then discarded. execute() is refused from CLOSING on; internal drains are
     * still accepted while CLOSING (the ports they belong to are closed by then and only discard).
     *
     * Idle strategy. When the run queue is empty the loop spins SPINS times (Thread.onSpinWait), yields
     * YIELDS times, then parks. The park/unpark handshake is Dekker-style on two volatile locations:
     *   loop:     parked = true (volatile write);  then read the queue's producer index (isEmpty);
     *   producer: offer (CAS on the producer index); then read `parked` (volatile).
     * Volatile accesses are sequentially consistent, so at least one side sees the other: either the
     * loop sees the new entry and does not park, or the producer sees parked == true and unparks. The
     * producer clears `parked` by CAS so that of many producers racing only one pays for unpark(); a
     * producer that finds the loop running pays one volatile read and nothing else (the loop is never
     * woken per message while busy).
     *
     * Fields: `state` volatile/CAS; `parked` volatile/CAS; `thread` written once before start, read
     * after (the Thread.start() happens-before edge publishes it); `wakeups` getAndAdd, statistics only;
     * `ports` a concurrent set, registration from any thread.
     */

    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int CLOSING = 2;
    private static final int TERMINATED = 3;

    /** Busy-spin iterations before yielding; about 10-30 µs on current x86. */
    private static final int SPINS = 256;
    /** Thread.yield() calls before parking. */
    private static final int YIELDS = 8;
    /** Run queue chunk size: entries are ports with work and tasks, so it rarely grows past one chunk. */
    private static final int RUN_QUEUE_CHUNK = 256;

    private static final ThreadLocal<LoopCore> CURRENT = new ThreadLocal<>();

    private static final VarHandle STATE;
    private static final VarHandle PARKED;
    private static final VarHandle WAKEUPS;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(LoopCore.class, "state", int.class);
            PARKED = lookup.findVarHandle(LoopCore.class, "parked", boolean.class);
            WAKEUPS = lookup.findVarHandle(LoopCore.class, "wakeups", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final Thread.UncaughtExceptionHandler errorHandler;
    private final MessagePassingQueue<Object> runQueue = new MpscUnboundedArrayQueue<>(RUN_QUEUE_CHUNK);
    private final Set<PortEndpoint> ports = ConcurrentHashMap.newKeySet();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final Thread thread;
    private final boolean shared;
    private volatile Object facade;

    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;
    @SuppressWarnings("unused") // accessed through PARKED
    private volatile boolean parked;
    @SuppressWarnings("unused") // accessed through WAKEUPS
    private volatile long wakeups;

    /**
     * Creates a loop on a dedicated thread; call {@link #start()} once the facade is bound.
     *
     * @param name the loop's name, also its thread's name
     * @param errorHandler receives every Throwable thrown by a task, listener or handler; null for the
     *     thread's default handling
     * @param daemon whether the loop thread is a daemon thread
     * @param shared true for the process-wide common loop, which ignores {@link #close()}
     */
    public LoopCore(String name, Thread.UncaughtExceptionHandler errorHandler, boolean daemon,
            boolean shared) {
        this.name = name;
        this.errorHandler = errorHandler;
        this.shared = shared;
        Thread t = new Thread(this::run, name);
        t.setDaemon(daemon);
        this.thread = t;
    }

    /** Binds the public object that {@code EventLoop.current()} returns for this loop. Call once. */
    public void bindFacade(Object facade) {
        this.facade = facade;
    }

    /** The bound public object. */
    public Object facade() {
        return facade;
    }

    /** Starts the loop thread. Call once. */
    public void start() {
        if (!STATE.compareAndSet(this, NEW, RUNNING)) {
            throw new IllegalStateException("loop " + name + " already started");
        }
        thread.start();
    }

    /** The loop running on the calling thread, or null. */
    public static LoopCore current() {
        return CURRENT.get();
    }

    public String name() {
        return name;
    }

    /** True if the calling thread is this loop's thread. */
    public boolean inEventLoop() {
        return Thread.currentThread() == thread;
    }

    /** True once {@link #close()} has been called (or the loop has terminated). */
    public boolean isShuttingDown() {
        return (int) STATE.getVolatile(this) >= CLOSING;
    }

    /** True once the loop thread has finished. */
    public boolean isTerminated() {
        return (int) STATE.getVolatile(this) == TERMINATED;
    }

    /**
     * Queues a task; any thread.
     *
     * @throws RejectedExecutionException if the loop is closing or terminated
     */
    public void execute(Runnable task) {
        if ((int) STATE.getVolatile(this) >= CLOSING) {
            throw new RejectedExecutionException("event loop " + name + " is closed");
        }
        enqueue(task);
    }

    /** Queues a port drain; any thread. Accepted in every state (see the overview). */
    void submitDrain(PortEndpoint endpoint) {
        enqueue(endpoint);
    }

    private void enqueue(Object entry) {
        runQueue.offer(entry);
        // Volatile read, ordered after the offer's CAS: the producer side of the park handshake.
        if ((boolean) PARKED.getVolatile(this) && PARKED.compareAndSet(this, true, false)) {
            WAKEUPS.getAndAdd(this, 1L); // statistics only, on the already expensive unpark path
            LockSupport.unpark(thread);
        }
    }

    /** Number of times a producer had to unpark this loop; for tests and monitoring. */
    public long wakeups() {
        return (long) WAKEUPS.getVolatile(this);
    }

    /** Records a port as bound to a handle owned by this loop, so that closing the loop closes it. */
    void register(PortEndpoint endpoint) {
        ports.add(endpoint);
        // Read after the add (both volatile): either close() sweeps this endpoint, or we see CLOSING.
        if ((int) STATE.getVolatile(this) >= CLOSING) {
            endpoint.closeBecauseLoopClosed(this);
        }
    }

    void unregister(PortEndpoint endpoint) {
        ports.remove(endpoint);
    }

    /** Number of ports currently bound to this loop; for tests and monitoring. */
    public int portCount() {
        return ports.size();
    }

    /**
     * Starts an orderly shutdown; any thread, idempotent, never blocks. Tasks already queued still run;
     * the loop's ports are closed (their peers receive {@code close}); later {@link #execute} calls are
     * refused. The common loop ignores this.
     */
    public void close() {
        if (shared) {
            return;
        }
        if (STATE.compareAndSet(this, NEW, CLOSING)) {
            terminate(); // never started: there is no thread to stop
        } else if (STATE.compareAndSet(this, RUNNING, CLOSING)) {
            enqueue(NOOP); // wake the loop so that it notices
        }
    }

    /** Blocks until the loop has terminated or the timeout elapses; true if terminated. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        if (inEventLoop()) {
            throw new IllegalStateException("a loop cannot await its own termination");
        }
        return terminated.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
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

    /** The loop body; runs on the loop thread only. */
    private void run() {
        CURRENT.set(this);
        try {
            int idle = 0;
            boolean portsClosed = false;
            while (true) {
                if (!portsClosed && (int) STATE.getVolatile(this) >= CLOSING) {
                    closePorts(); // once; then run what is left and stop
                    portsClosed = true;
                }
                Object entry = runQueue.poll();
                if (entry != null) {
                    idle = 0;
                    runEntry(entry);
                } else if (portsClosed) {
                    break;
                } else {
                    idle = idle(idle);
                }
            }
        } finally {
            CURRENT.remove();
            terminate();
        }
    }

    private int idle(int idle) {
        if (idle < SPINS) {
            Thread.onSpinWait();
            return idle + 1;
        }
        if (idle < SPINS + YIELDS) {
            Thread.yield();
            return idle + 1;
        }
        PARKED.setVolatile(this, true);
        // Consumer side of the handshake: the volatile write above, then a volatile read of the
        // producer index inside isEmpty().
        if (runQueue.isEmpty() && (int) STATE.getVolatile(this) < CLOSING) {
            LockSupport.park(this);
        }
        PARKED.setVolatile(this, false);
        return 0;
    }

    private void runEntry(Object entry) {
        if (entry instanceof PortEndpoint) {
            ((PortEndpoint) entry).drain(this);
            return;
        }
        try {
            ((Runnable) entry).run();
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (Throwable t) {
            reportError(t);
        }
    }

    /**
     * Closes every port bound to this loop: peers get {@code close}, queued messages are discarded.
     * Tasks queued before close() still run afterwards; drains of the closed ports only discard.
     */
    private void closePorts() {
        for (PortEndpoint endpoint : ports) {
            endpoint.closeBecauseLoopClosed(this);
        }
    }

    private void terminate() {
        STATE.setVolatile(this, TERMINATED);
        terminated.countDown();
    }

    @Override
    public String toString() {
        return "EventLoop[" + name + "]";
    }
}
