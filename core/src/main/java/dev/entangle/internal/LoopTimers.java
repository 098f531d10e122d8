package dev.entangle.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Delayed tasks of event loops: one daemon thread for the process keeps the deadlines and, when one is
 * due, queues its task on its loop with {@code execute}; the task itself always runs on the loop.
 *
 * <p>Thread contract: {@link #schedule} may be called from any thread.
 */
public final class LoopTimers {
    /*
     * Implementation overview. The deadlines live in a ScheduledThreadPoolExecutor with one daemon
     * thread ("entangle-timer") that does nothing but hand due tasks to loops: it never runs user code,
     * so a slow task cannot delay another loop's timer. The returned CompletableFuture is the handle:
     * it completes on the loop, after the task ran, normally or with what the task threw (the
     * caller asked for the outcome, so the throwable goes to the future and not to the loop's error
     * handler). Cancel before the task started removes the deadline (remove-on-cancel policy, so cancelled timeouts do
     * not pile up in the queue) and the task never runs; the isDone() check on the loop closes the
     * race between a cancel and a deadline already handed over. A loop closed before the deadline
     * refuses the hand-over: the future fails with that RejectedExecutionException.
     */

    private static final class Holder {
        static final ScheduledThreadPoolExecutor TIMER = timer();

        private static ScheduledThreadPoolExecutor timer() {
            ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, task -> {
                Thread thread = new Thread(task, "entangle-timer");
                thread.setDaemon(true);
                return thread;
            });
            timer.setRemoveOnCancelPolicy(true);
            return timer;
        }
    }

    private LoopTimers() {
    }

    /**
     * Runs {@code task} on {@code loop} once {@code delay} has elapsed; any thread.
     *
     * @return a future completed on the loop once the task ran; cancelling it first prevents the run
     */
    public static CompletableFuture<Void> schedule(Executor loop, Runnable task, Duration delay) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Runnable onLoop = () -> {
            if (done.isDone()) {
                return; // cancelled after the hand-over
            }
            try {
                task.run();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        };
        long nanos = Math.max(0L, saturatedNanos(delay));
        ScheduledFuture<?> deadline = Holder.TIMER.schedule(() -> {
            try {
                loop.execute(onLoop);
            } catch (RejectedExecutionException closed) {
                done.completeExceptionally(closed);
            }
        }, nanos, TimeUnit.NANOSECONDS);
        done.whenComplete((ignored, failure) -> {
            if (done.isCancelled()) {
                deadline.cancel(false);
            }
        });
        return done;
    }

    private static long saturatedNanos(Duration delay) {
        try {
            return delay.toNanos();
        } catch (ArithmeticException tooLong) {
            return delay.isNegative() ? 0L : Long.MAX_VALUE;
        }
    }
}
