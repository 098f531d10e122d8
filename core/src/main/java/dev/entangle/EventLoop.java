package dev.entangle;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import dev.entangle.internal.LoopCore;
import dev.entangle.internal.LoopRegistry;

/**
 * An event loop (HTML §8.1.7): runs tasks and dispatches the events of the ports it owns, one at a
 * time, in order, never on two threads at once. It plays the part of a browser's window or worker
 * event loop, or of a Node worker thread.
 *
 * <p>Two kinds, one behaviour:
 * <ul>
 * <li><b>Dedicated</b> ({@link #start(String)}): the loop owns a thread. When it has nothing to do it
 * follows its {@link IdleStrategy} (by default spin briefly, yield, then park); a {@code postMessage}
 * or {@link #execute} from another thread wakes a parked loop, while a loop that is busy is never woken
 * per message.</li>
 * <li><b>Multiplexed</b> ({@link #on(Executor, String)}): the loop owns no thread. When work arrives
 * it submits itself once to the executor, runs a bounded batch of tasks and port drains (at most 64
 * entries, each port drain at most 64 messages), and submits itself again if work remains, so that
 * thousands of loops share a few threads fairly. An idle multiplexed loop costs a few objects and no
 * thread. On Java 21+, {@code EventLoop.on(Executors.newVirtualThreadPerTaskExecutor(), name)} runs each
 * turn on a fresh virtual thread.</li>
 * </ul>
 *
 * <p>Every {@link MessagePort} is owned by one loop, and its listeners and handlers run only on that
 * loop. While a task or listener runs, {@link #current()} returns its loop and {@link #inEventLoop()}
 * is true on that loop, on whichever thread it runs.
 *
 * <pre>{@code
 * try (EventLoop worker = EventLoop.start("worker")) {
 *     MessageChannel channel = new MessageChannel(worker);
 *     channel.port2().onmessage(e -> System.out.println("got " + e.data()));
 *     channel.port1().postMessage("hello");
 * }
 * }</pre>
 *
 * <p>Threads: every method may be called from any thread. A task or listener that throws does not
 * stop the loop: the throwable goes to the loop's error handler ({@link #start(String,
 * Thread.UncaughtExceptionHandler)}; by default the current thread's uncaught-exception handler, which
 * prints it) and the loop goes on with the next task.
 *
 * <p>Lifecycle: a loop made by {@link #start} or {@link #on} lives until {@link #close()}, which
 * closes its ports (their peers receive {@code close}) before running anything else, then runs the
 * tasks already queued and ends; {@link #awaitTermination} waits for that (for a dedicated loop, for
 * its thread to finish its last task). A loop runs once. The {@link #common()} loop lives as long as
 * the JVM. A {@link Worker}'s loop also ends by itself, as in Node, once it is idle and none of its
 * ports keeps it alive (see {@link MessagePort#unref()}).
 *
 * <p>A multiplexed loop whose executor refuses a turn ({@link RejectedExecutionException}, for example
 * after {@code shutdown()}) reports that to its error handler, closes its ports and terminates; the
 * tasks it had queued are dropped. Shut an executor down only after closing its loops.
 *
 * <p>Memory consistency effects: actions in a thread prior to {@link #execute} <i>happen-before</i> the
 * task runs; for a multiplexed loop, the actions of one turn <i>happen-before</i> the next turn, on
 * whatever thread it runs; actions of the loop <i>happen-before</i> {@link #awaitTermination} returns
 * true.
 */
public final class EventLoop implements Executor, AutoCloseable {
    /* Mechanics (run queue, park/unpark and turn handshakes, state machine) live in internal.LoopCore. */

    private static final class Common {
        static final EventLoop INSTANCE = started(
                LoopCore.common("entangle-common"));
    }

    final LoopCore core;

    private EventLoop(LoopCore core) {
        this.core = core;
        core.bindFacade(this);
    }

    /** Wraps {@code core} without starting it (a Worker queues its body first). */
    static EventLoop unstarted(LoopCore core) {
        return new EventLoop(core);
    }

    private static EventLoop started(LoopCore core) {
        EventLoop loop = new EventLoop(core);
        core.start();
        return loop;
    }

    /**
     * Starts a loop on a new dedicated, non-daemon thread of that name, with the default idle strategy.
     * Errors thrown by its tasks and listeners go to the thread's default uncaught-exception handling.
     *
     * @param name the loop's name (also its thread's, for a dedicated loop)
     * @return the started loop
     * @throws NullPointerException if {@code name} is null
     */
    public static EventLoop start(String name) {
        return start(name, IdleStrategy.DEFAULT);
    }

    /**
     * Starts a loop on a new dedicated, non-daemon thread of that name, reporting every throwable from
     * its tasks, listeners and handlers to {@code onError} (called on the loop thread; the loop goes on).
     *
     * @param name the loop's name (also its thread's, for a dedicated loop)
     * @param onError receives every throwable from the loop's tasks, listeners and handlers, on the
     *     loop
     * @return the started loop
     * @throws NullPointerException if an argument is null
     */
    public static EventLoop start(String name, Thread.UncaughtExceptionHandler onError) {
        return start(name, IdleStrategy.DEFAULT, Objects.requireNonNull(onError, "onError"));
    }

    /**
     * Starts a loop on a new dedicated, non-daemon thread of that name that idles with
     * {@code idleStrategy} (see {@link IdleStrategy} for the latency/CPU trade).
     *
     * @param name the loop's name (also its thread's, for a dedicated loop)
     * @param idleStrategy how the loop waits while it has no work
     * @return the started loop
     * @throws NullPointerException if an argument is null
     */
    public static EventLoop start(String name, IdleStrategy idleStrategy) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(idleStrategy, "idleStrategy");
        return started(LoopCore.dedicated(name, null, idleStrategy));
    }

    /**
     * Starts a loop on a new dedicated, non-daemon thread of that name that idles with
     * {@code idleStrategy} and reports every throwable from its tasks, listeners and handlers to
     * {@code onError}.
     *
     * @param name the loop's name (also its thread's, for a dedicated loop)
     * @param idleStrategy how the loop waits while it has no work
     * @param onError receives every throwable from the loop's tasks, listeners and handlers, on the
     *     loop
     * @return the started loop
     * @throws NullPointerException if an argument is null
     */
    public static EventLoop start(String name, IdleStrategy idleStrategy,
            Thread.UncaughtExceptionHandler onError) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(idleStrategy, "idleStrategy");
        Objects.requireNonNull(onError, "onError");
        return started(LoopCore.dedicated(name, onError, idleStrategy));
    }

    /**
     * Creates a multiplexed loop that runs on {@code executor}: each time it has work it submits one
     * task there, which runs a bounded batch and resubmits itself while work remains. The loop never
     * runs on two threads at once. Errors thrown by its tasks and listeners go to the running thread's
     * uncaught-exception handler.
     *
     * <p>The executor must accept the loop's turns until the loop has terminated. It may be a thread
     * pool shared by thousands of loops, a virtual-thread-per-task executor (Java 21+), or another event
     * loop. A turn that blocks holds an executor thread: on a small pool, block only on virtual threads.
     *
     * <p>When a turn posts to (or runs a task on) an idle loop of the same executor, that loop's turn
     * runs next on the same thread, right after the posting turn, without passing through
     * {@code executor.execute} (as Go's scheduler runs a goroutine it just readied next): a message
     * chain between actors then stays on one warm thread. At most 64 such turns run in a row before
     * the next one goes through the executor, behind what waits there. So a handler that posts to an
     * idle loop and then blocks until that loop has acted (other than through
     * {@link #awaitTermination}, which hands the kept turn to the executor first) can wait for itself:
     * do not block on a loop.
     *
     * @param executor runs the loop's turns, one at a time
     * @param name the loop's name (also its thread's, for a dedicated loop)
     * @return the new loop
     * @throws NullPointerException if an argument is null
     */
    public static EventLoop on(Executor executor, String name) {
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(name, "name");
        return started(LoopCore.multiplexed(name, null, executor));
    }

    /**
     * {@link #on(Executor, String)}, reporting every throwable from the loop's tasks, listeners and
     * handlers to {@code onError} (called on the loop; the loop goes on).
     *
     * @param executor runs the loop's turns, one at a time
     * @param name the loop's name (also its thread's, for a dedicated loop)
     * @param onError receives every throwable from the loop's tasks, listeners and handlers, on the
     *     loop
     * @return the new loop
     * @throws NullPointerException if an argument is null
     */
    public static EventLoop on(Executor executor, String name, Thread.UncaughtExceptionHandler onError) {
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(onError, "onError");
        return started(LoopCore.multiplexed(name, onError, executor));
    }

    /**
     * The loop running on the calling thread, or null if the caller is not running a loop's task,
     * listener or handler.
     *
     * @return the loop running on the calling thread, or null if the caller is not running a loop's
     *     task, listener or handler
     */
    public static EventLoop current() {
        LoopCore core = LoopCore.current();
        return core == null ? null : core.facade();
    }

    /**
     * The process-wide loop that owns ports created off any loop by {@code new MessageChannel()}.
     * Started on first use, on a daemon thread named {@code entangle-common}; {@link #close()} on it does
     * nothing.
     *
     * @return the common loop
     */
    public static EventLoop common() {
        return Common.INSTANCE;
    }

    /**
     * Lists the live event loops of the process, in the order they started: their ports (open,
     * started, ref'ed, queued messages) and why each is still alive (for a worker's loop: the ports
     * that keep it from ending). For monitoring and for finding what keeps a worker running; see
     * {@link LoopSnapshot}. A loop is live from its start until it has terminated.
     *
     * <p>Threads: any; it never blocks a loop. Memory consistency effects: see {@link LoopSnapshot}.
     *
     * @return an unmodifiable list, a new one on each call
     */
    public static List<LoopSnapshot> snapshot() {
        return LoopRegistry.snapshot();
    }

    /** {@return this loop's name (also its thread's name, for a dedicated loop)} */
    public String name() {
        return core.name();
    }

    /**
     * Queues {@code task} to run on this loop after the tasks and events already queued. A task this
     * accepts (returns normally) runs, even if {@link #close()} races the call; from the close on,
     * tasks are refused. Any thread.
     *
     * @throws RejectedExecutionException if the loop has been closed, or if it could not run at all
     *     (a multiplexed loop whose executor refused it)
     * @throws NullPointerException if {@code task} is null
     */
    @Override
    public void execute(Runnable task) {
        core.execute(Objects.requireNonNull(task, "task"));
    }

    /**
     * Queues {@code task} to run on this loop once {@code delay} has elapsed (a {@code setTimeout}):
     * the task runs on this loop, as a task queued then by {@link #execute}. A zero or negative delay
     * queues it at once. Any thread.
     *
     * <p>The returned future completes on this loop right after the task ran: normally, or with what
     * the task threw (which then goes to the future only, not to the error handler). Cancelling it
     * before the task started keeps the task from running. If this loop is closed before the delay
     * elapses (or is closed already), the task does not run and the future fails with
     * {@link RejectedExecutionException}, at the close. Tasks due at the same instant run in the order
     * they were scheduled. A pending task does not keep a {@link Worker}'s loop alive.
     *
     * <p>The loop keeps the deadlines itself and checks them between its tasks: a task runs no earlier
     * than its delay, and later by as much as the task or batch running when it fell due takes. A
     * dedicated loop parks no longer than its next deadline; a multiplexed loop holds one wake-up on a
     * process-wide daemon timer thread for its earliest deadline. Cancelling is O(1): the deadline is
     * dropped lazily.
     *
     * @param task what to run on this loop
     * @param delay how long to wait first
     * @return a future completed on this loop once the task ran
     * @throws NullPointerException if an argument is null
     */
    public CompletableFuture<Void> schedule(Runnable task, Duration delay) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(delay, "delay");
        return core.schedule(task, LoopCore.saturatedNanos(delay));
    }

    /**
     * {@return true if this loop is running on the calling thread right now (in one of its tasks or
     * listeners)}
     */
    public boolean inEventLoop() {
        return core.inEventLoop();
    }

    /**
     * Starts an orderly shutdown and returns at once: no new tasks are accepted; the loop's ports are
     * closed, which fires {@code close} at their peers; tasks already queued run; then the loop ends.
     * Called on the loop itself (from a handler), it closes the ports before it returns, so that no
     * further message of them is dispatched, not even the rest of the running batch. Idempotent; never
     * throws; any thread. Has no effect on {@link #common()}.
     */
    @Override
    public void close() {
        core.close();
    }

    /** {@return true once {@link #close()} has been called (on a loop other than the common one)} */
    public boolean isClosed() {
        return core.isShuttingDown();
    }

    /**
     * Waits until the loop has finished after {@link #close()} (a dedicated loop's thread has run its
     * last task), or the timeout elapses.
     *
     * @param timeout how long to wait at most
     * @return true if the loop terminated
     * @throws InterruptedException if interrupted while waiting
     * @throws IllegalStateException if called on this loop's own thread
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return core.awaitTermination(Objects.requireNonNull(timeout, "timeout"));
    }

    @Override
    public String toString() {
        return core.toString();
    }
}
