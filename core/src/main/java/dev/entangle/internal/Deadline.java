package dev.entangle.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * An entry of a loop's timer heap ({@link LoopTimers}), and at the same time the future that tells
 * its outcome: {@code EventLoop.schedule}'s timer, or a request's answer ({@code Requests.ask}),
 * whose timeout is then no object of its own (issue 15: one object and one completion fewer per ask).
 * The loop drops an entry whose future is done without looking at it further, so that completing
 * the future any way (cancel, answer) disarms it.
 *
 * <p>Thread contract: made on any thread with its delay, which fixes the deadline (or, for an entry
 * made unstarted, its {@link #start()} on that thread, or, for one armed unstarted on its loop, that
 * loop's next clock read: see LoopTimers); armed once on one loop
 * ({@link LoopCore#arm}); {@link #expire} runs on that loop only. The future's own methods may
 * be called from any thread.
 *
 * <p>Memory consistency effects: actions before {@link LoopCore#arm} <i>happen-before</i>
 * {@link #expire} runs (the run queue's hand-off, or program order on the loop).
 *
 * @param <T> the future's value type
 */
public abstract class Deadline<T> extends CompletableFuture<T> {
    /*
     * Fields: `immediate` final, set by the constructor; `deadline` plain, the delay until the clock
     * starts (the constructor, or start() for an entry made unstarted), then the due time, written
     * by the thread that makes the entry before it is armed (published by the arming), or, for an
     * entry armed unstarted on its loop, by that loop (startAt); `started` plain, likewise; `seq` plain, written when the entry is armed and read
     * by the heap, both on the loop (LoopTimers).
     */

    /** The delay until the clock starts, then System.nanoTime() at which the entry is due. */
    private long deadline;
    /** Zero or negative delay: due at once, run as a plain task of the loop, never in the heap. */
    private final boolean immediate;
    /** Whether the clock was started: {@link #deadline} is the due time. */
    private boolean started;
    /** Insertion number, for the order of equal deadlines; written when armed, on the loop. */
    long seq;

    /**
     * An entry due {@code delayNanos} from now (clamped to {@link LoopTimers#MAX_DELAY_NANOS}).
     *
     * @param delayNanos the delay; zero or negative for at once
     */
    protected Deadline(long delayNanos) {
        this(delayNanos, true);
    }

    /**
     * An entry due {@code delayNanos} (clamped to {@link LoopTimers#MAX_DELAY_NANOS}) from now, or,
     * unless {@code startNow}, from its {@link #start()}.
     *
     * @param delayNanos the delay; zero or negative for at once
     * @param startNow whether the delay runs from now
     */
    protected Deadline(long delayNanos, boolean startNow) {
        this.immediate = delayNanos <= 0L;
        this.deadline = Math.min(delayNanos, LoopTimers.MAX_DELAY_NANOS);
        if (startNow) {
            start();
        }
    }

    /**
     * Starts the clock of an entry made unstarted: it is due its delay from now. Once, before it is
     * armed, on the thread that made it (a request's timeout starts after the request is posted:
     * one clock read less on the way to the replier, issue 15).
     */
    protected final void start() {
        startAt(System.nanoTime());
    }

    /**
     * Starts the clock at {@code now}, a System.nanoTime() reading: of the thread that made the
     * entry ({@link #start()}), or of the loop, at its first clock read after an unstarted entry
     * was armed there (LoopTimers, "Unstarted entries").
     */
    final void startAt(long now) {
        assert !started : "deadline started twice";
        deadline += now;
        started = true;
    }

    /** Whether the clock was started ({@link #start()}, or by the loop once armed). */
    final boolean isStarted() {
        return started;
    }

    /**
     * The deadline has come and this future is not done yet: on the loop the entry was armed on. Must
     * not throw; whatever it does to this future (completing it, usually) is its own.
     */
    protected abstract void expire();

    final boolean isImmediate() {
        return immediate;
    }

    final long deadline() {
        assert started : "deadline armed before its clock started";
        return deadline;
    }

    /** On the loop, at the deadline: expires the entry unless its future is done (disarmed). */
    final void fire() {
        if (!isDone()) {
            expire();
        }
    }

    /**
     * Whether this entry, while pending, keeps a loop that ends when idle (a worker's) alive; on the
     * loop. A timer does not ({@code EventLoop.schedule}); a request's answer does, as the reply port
     * it stands for would (Node keeps a loop alive for a port with a listener).
     */
    protected boolean keepsLoopAlive() {
        return false;
    }

    /** Why the future fails when the loop closes before the deadline; on the loop. */
    protected String closedBeforeDue(String loopName) {
        return "event loop " + loopName + " closed before the timer was due";
    }

    /** The loop closed before the deadline: fails the future. */
    final void refuse(String loopName) {
        refuse(new RejectedExecutionException(closedBeforeDue(loopName)));
    }

    /** The loop refused the entry: fails the future with {@code failure}. */
    final void refuse(RejectedExecutionException failure) {
        completeExceptionally(failure);
    }
}
