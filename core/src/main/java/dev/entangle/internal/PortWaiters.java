package dev.entangle.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The threads blocked on one port message queue: receivers in {@code receiveMessage(Duration)} waiting
 * for a message, and senders in {@code offerMessage(Object, Duration)} waiting for a free slot of a
 * bounded queue. Created on the first blocking call on a port; ports nobody ever blocks on have none.
 *
 * <p>Thread contract: {@link #await} is called by the blocked thread; {@link #signal} by any thread
 * after it changed the state a waiter may be waiting for (a message queued, a slot freed, the consumer
 * lock released, the port closed, transferred or disentangled). Both may be called from any thread.
 *
 * <p>Memory consistency effects: actions of a thread before {@link #signal} <i>happen-before</i> the
 * signalled waiter's next attempt.
 */
final class PortWaiters {
    /*
     * Implementation overview.
     *
     * A waiter must never miss the state change it waits for, yet the signalling side (postMessage, the
     * loop's drain) must pay nothing while nobody waits. The handshake is Dekker-style on `waiting`
     * (volatile, changed under `lock`) and the port's own state (its queue indices, its volatile flags):
     *   waiter:     waiting++ ; read `generation`; attempt (reads the port state)
     *   signaller:  change the port state ; read `waiting` (volatile) ; if > 0: lock, generation++,
     *               signalAll
     * Volatile accesses are sequentially consistent, so either the signaller sees waiting > 0 and
     * bumps the generation, or the waiter's attempt sees the new state. A waiter that failed its attempt
     * sleeps only if the generation it read before the attempt is still current (checked under the
     * lock that signalAll takes), so a signal between its attempt and its sleep is not lost.
     *
     * One condition for both kinds of waiter: a receiver and a sender rarely wait on the same queue at
     * once (it is either empty or full), and a spurious wake-up only costs one more attempt. Waiters
     * loop until their attempt succeeds, the port says no result can come, or the time runs out.
     *
     * The consumer-lock request (`consumerWanted`) lives here because only a waiting receiver needs it:
     * a receiver that found the endpoint's consumer lock held waits here instead of spinning, and the
     * holder's release answers the request with a signal (PortEndpoint.releaseConsumer). A waiter's own
     * release does not wake itself, since it answers only a request someone else made.
     *
     * Fields:
     *   lock, changed    final
     *   waiting          volatile; written under `lock`, read without (the signaller's fast path)
     *   generation       volatile; written under `lock`, read without (before each attempt)
     *   consumerWanted   volatile; getAndSet by the consumer lock's holder
     *
     * ReentrantLock rather than a monitor, so that a virtual thread blocked here does not pin its
     * carrier (Java 21+).
     */

    /** What an attempt returns to keep waiting. */
    static final Object RETRY = new Object() {
        @Override
        public String toString() {
            return "RETRY";
        }
    };

    /** One try at the operation a thread waits for: a result, or {@link #RETRY}. */
    @FunctionalInterface
    interface Attempt {
        Object run();
    }

    private static final VarHandle CONSUMER_WANTED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            CONSUMER_WANTED = l.findVarHandle(PortWaiters.class, "consumerWanted", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Written under `lock`, read without. */
    private volatile int waiting;
    /** Written under `lock`, read without. */
    private volatile long generation;
    /** A receiver gave up waiting for the endpoint's consumer lock: its holder signals on release. */
    private volatile boolean consumerWanted;

    private int lvWaiting() {
        return waiting;
    }

    private void svWaiting(int value) {
        waiting = value;
    }

    private long lvGeneration() {
        return generation;
    }

    private void svGeneration(long value) {
        generation = value;
    }

    private boolean lvConsumerWanted() {
        return consumerWanted;
    }

    private void svConsumerWanted(boolean value) {
        consumerWanted = value;
    }

    private boolean getAndSetConsumerWanted(boolean value) {
        return (boolean) CONSUMER_WANTED.getAndSet(this, value);
    }

    /**
     * A receiver found the endpoint's consumer lock held and is about to try it once more (Dekker with
     * {@link #takeConsumerRequest}: ask by a volatile write, then CAS the lock; the holder releases the
     * lock, then reads the request). Any thread.
     */
    void requestConsumer() {
        svConsumerWanted(true);
    }

    /**
     * Called by the consumer lock's holder after releasing it: true exactly once per request (volatile
     * read first, so that a release nobody asked for costs no atomic write).
     */
    boolean takeConsumerRequest() {
        return lvConsumerWanted() && getAndSetConsumerWanted(false);
    }

    /**
     * Runs {@code attempt} until it returns something other than {@link #RETRY}, sleeping between
     * tries until signalled, for at most {@code nanos} in all.
     *
     * @return the attempt's result, or {@link #RETRY} if the time ran out
     * @throws InterruptedException if interrupted while sleeping (the interrupt status is cleared)
     */
    Object await(Attempt attempt, long nanos) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            // Volatile write: the waiter's half of the handshake, before its first attempt.
            svWaiting(lvWaiting() + 1);
        } finally {
            lock.unlock();
        }
        long deadline = System.nanoTime() + nanos; // wraps for huge timeouts; differences stay right
        try {
            while (true) {
                long seen = lvGeneration(); // before the attempt: see overview
                Object result = attempt.run();
                if (result != RETRY) {
                    return result;
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0L) {
                    return RETRY;
                }
                lock.lockInterruptibly();
                try {
                    if (lvGeneration() == seen) {
                        changed.awaitNanos(remaining);
                    }
                } finally {
                    lock.unlock();
                }
            }
        } finally {
            lock.lock(); // not interruptibly: the count must come down
            try {
                svWaiting(lvWaiting() - 1);
            } finally {
                lock.unlock();
            }
        }
    }

    /** Wakes every waiter for another attempt; cheap (one volatile read) when none waits. */
    void signal() {
        // Volatile read after the caller's state change: the signaller's half of the handshake.
        if (lvWaiting() == 0) {
            return;
        }
        lock.lock();
        try {
            svGeneration(lvGeneration() + 1L);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Converts a timeout to nanoseconds, saturating instead of overflowing; negative becomes 0. */
    static long nanos(Duration timeout) {
        if (timeout.isNegative()) {
            return 0L;
        }
        try {
            return timeout.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }
}
