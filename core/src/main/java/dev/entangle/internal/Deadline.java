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
 * <p>Thread contract: made on any thread with its delay, which fixes the deadline; armed once on one
 * loop ({@link LoopCore#arm}); {@link #expire} runs on that loop only. The future's own methods may
 * be called from any thread.
 *
 * <p>Memory consistency effects: actions before {@link LoopCore#arm} <i>happen-before</i>
 * {@link #expire} runs (the run queue's hand-off, or program order on the loop).
 *
 * @param <T> the future's value type
 */
public abstract class Deadline<T> extends CompletableFuture<T> {
    /*
     * Fields: `deadline` and `immediate` final, set by the constructor; `seq` plain, written when the
     * entry is armed and read by the heap, both on the loop (LoopTimers).
     */

    /** System.nanoTime() at which the entry is due. */
    private final long deadline;
    /** Zero or negative delay: due at once, run as a plain task of the loop, never in the heap. */
    private final boolean immediate;
    /** Insertion number, for the order of equal deadlines; written when armed, on the loop. */
    long seq;

    /**
     * An entry due {@code delayNanos} from now (clamped to {@link LoopTimers#MAX_DELAY_NANOS}).
     *
     * @param delayNanos the delay; zero or negative for at once
     */
    protected Deadline(long delayNanos) {
        this.immediate = delayNanos <= 0L;
        this.deadline = System.nanoTime() + Math.min(delayNanos, LoopTimers.MAX_DELAY_NANOS);
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
