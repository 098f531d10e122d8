package dev.entangle;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import dev.entangle.internal.LoopCore;

/**
 * An event loop (HTML §8.1.7): one thread that runs tasks and dispatches the events of the ports it
 * owns, one at a time, in order. It plays the part of a browser's window or worker event loop, or of a
 * Node worker thread.
 *
 * <p>Every {@link MessagePort} is owned by one loop, and its listeners and handlers run only on that
 * loop's thread. A loop with nothing to do spins briefly, then parks; a {@code postMessage} or
 * {@link #execute} from another thread wakes a parked loop, while a loop that is busy is never woken
 * per message.
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
 * Thread.UncaughtExceptionHandler)}; by default the loop thread's uncaught-exception handler, which
 * prints it) and the loop goes on with the next task.
 *
 * <p>Lifecycle: started by {@link #start(String)}; {@link #close()} stops it after the tasks already
 * queued and closes its ports (their peers receive {@code close}); {@link #awaitTermination} waits for
 * the thread to end. A loop runs once. The {@link #common()} loop lives as long as the JVM.
 *
 * <p>Memory consistency effects: actions in a thread prior to {@link #execute} <i>happen-before</i> the
 * task runs; actions of the loop thread <i>happen-before</i> {@link #awaitTermination} returns true.
 */
public final class EventLoop implements Executor, AutoCloseable {
    /* Mechanics (run queue, park/unpark handshake, state machine) live in internal.LoopCore. */

    private static final class Common {
        static final EventLoop INSTANCE = create("entangle-common", null, true, true);
    }

    final LoopCore core;

    private EventLoop(LoopCore core) {
        this.core = core;
    }

    private static EventLoop create(String name, Thread.UncaughtExceptionHandler onError,
            boolean daemon, boolean shared) {
        LoopCore core = new LoopCore(name, onError, daemon, shared);
        EventLoop loop = new EventLoop(core);
        core.bindFacade(loop);
        core.start();
        return loop;
    }

    /**
     * Starts a loop on a new dedicated, non-daemon thread of that name. Errors thrown by its tasks and
     * listeners go to the thread's default uncaught-exception handling.
     *
     * @throws NullPointerException if {@code name} is null
     */
    public static EventLoop start(String name) {
        return create(Objects.requireNonNull(name, "name"), null, false, false);
    }

    /**
     * Starts a loop on a new dedicated, non-daemon thread of that name, reporting every throwable from
     * its tasks, listeners and handlers to {@code onError} (called on the loop thread; the loop goes on).
     *
     * @throws NullPointerException if an argument is null
     */
    public static EventLoop start(String name, Thread.UncaughtExceptionHandler onError) {
        return create(Objects.requireNonNull(name, "name"), Objects.requireNonNull(onError, "onError"),
                false, false);
    }

    /**
     * The loop running on the calling thread, or null if the caller is not on a loop thread (as in
     * a task, listener or handler).
     */
    public static EventLoop current() {
        LoopCore core = LoopCore.current();
        return core == null ? null : (EventLoop) core.facade();
    }

    /**
     * The process-wide loop that owns ports created off any loop by {@code new MessageChannel()}.
     * Started on first use, on a daemon thread named {@code entangle-common}; {@link #close()} on it does
     * nothing.
     */
    public static EventLoop common() {
        return Common.INSTANCE;
    }

    /** This loop's name (also its thread's name). */
    public String name() {
        return core.name();
    }

    /**
     * Queues {@code task} to run on this loop after the tasks and events already queued.
     *
     * @throws RejectedExecutionException if the loop has been closed
     * @throws NullPointerException if {@code task} is null
     */
    @Override
    public void execute(Runnable task) {
        core.execute(Objects.requireNonNull(task, "task"));
    }

    /** True if the calling thread is this loop's thread. */
    public boolean inEventLoop() {
        return core.inEventLoop();
    }

    /**
     * Starts an orderly shutdown and returns at once: no new tasks are accepted; tasks already queued
     * run; then the loop's ports are closed, which fires {@code close} at their peers. Idempotent; never
     * throws; may be called on the loop itself. Has no effect on {@link #common()}.
     */
    @Override
    public void close() {
        core.close();
    }

    /** True once {@link #close()} has been called (on a loop other than the common one). */
    public boolean isClosed() {
        return core.isShuttingDown();
    }

    /**
     * Waits until the loop thread has finished after {@link #close()}, or the timeout elapses.
     *
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
