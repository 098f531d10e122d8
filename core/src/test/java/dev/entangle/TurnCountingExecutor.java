package dev.entangle;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Test fixture: the executor of a multiplexed loop that can be told to fail (refuse, or throw an
 * Error), and that knows when every turn it accepted has ended, so that a test can make the loop idle
 * (no turn submitted or running) before it breaks the executor: a post to an idle loop must then
 * call the executor, deterministically.
 */
final class TurnCountingExecutor implements Executor {
    private final Executor pool;
    private final Object lock = new Object();
    private int submitted;
    private int ended;
    private volatile Runnable failure;

    TurnCountingExecutor(Executor pool) {
        this.pool = pool;
    }

    /** From now on, execute() runs {@code failure} (which throws) instead of accepting the turn. */
    void failWith(Runnable failure) {
        this.failure = failure;
    }

    void refuse() {
        failWith(() -> {
            throw new RejectedExecutionException("executor shut down");
        });
    }

    @Override
    public void execute(Runnable turn) {
        Runnable f = failure;
        if (f != null) {
            f.run();
            throw new AssertionError("a failure must throw");
        }
        synchronized (lock) {
            submitted++;
        }
        pool.execute(() -> {
            try {
                turn.run();
            } finally {
                synchronized (lock) {
                    ended++;
                    lock.notifyAll();
                }
            }
        });
    }

    /** Waits until every accepted turn has ended; the caller queues nothing meanwhile. */
    void awaitIdle() throws InterruptedException {
        long deadline = System.nanoTime() + Loops.TIMEOUT.toNanos();
        synchronized (lock) {
            while (ended != submitted) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("turns still running after " + Loops.TIMEOUT);
                }
                lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }
}
