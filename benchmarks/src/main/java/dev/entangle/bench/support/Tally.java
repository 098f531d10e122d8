package dev.entangle.bench.support;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A count of consumed messages that exactly one consumer thread advances and that the benchmark
 * thread waits on: the completion signal of a burst.
 *
 * <p>Threads: {@link #advance()} and {@link #signal()} on the single consumer thread only (the loop, the
 * consumer thread, or the actor); {@link #count()}, {@link #awaitSpinning} and {@link #awaitParked} on
 * any one waiting thread.
 *
 * <p>Memory consistency effects: actions of the consumer before it advances the count to {@code n}
 * <i>happen-before</i> a waiter returns from {@code await…(n)}.
 */
public final class Tally {
    /*
     * `count` is single-writer: the consumer reads it plainly and publishes the increment. advance()
     * uses a release store (a spinning waiter will see it soon, and nothing needs ordering after it);
     * signal() uses a volatile store followed by a volatile read of `waiter`, the consumer half of a
     * Dekker handshake with awaitParked(), which writes `waiter` (volatile) and then re-reads `count`.
     * Padding keeps the counter off the cache lines of the benchmark's other state.
     */
    private static final VarHandle COUNT;
    private static final VarHandle WAITER;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            COUNT = lookup.findVarHandle(Tally.class, "count", long.class);
            WAITER = lookup.findVarHandle(Tally.class, "waiter", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Spins with {@link Thread#onSpinWait()} this many times before yielding between checks. */
    private static final int SPINS = 1_000;

    @SuppressWarnings("unused") // padding
    private long p01, p02, p03, p04, p05, p06, p07;
    @SuppressWarnings("unused") // accessed through COUNT
    private long count;
    @SuppressWarnings("unused") // accessed through WAITER
    private Thread waiter;
    @SuppressWarnings("unused") // padding
    private long p11, p12, p13, p14, p15, p16, p17;

    /** Consumer only: one more message consumed, for a spinning waiter. */
    public void advance() {
        // Release: publish the consumer's work before the new count; single writer, so plain read.
        COUNT.setRelease(this, (long) COUNT.get(this) + 1);
    }

    /** Consumer only: one more message consumed, waking a parked waiter if there is one. */
    public void signal() {
        // Volatile store then volatile read of `waiter`: the consumer half of the park handshake.
        COUNT.setVolatile(this, (long) COUNT.get(this) + 1);
        Thread w = (Thread) WAITER.getVolatile(this);
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    /** The current count (acquire). */
    public long count() {
        return (long) COUNT.getAcquire(this);
    }

    /**
     * Waits until the count reaches {@code target}: spins, then yields (the machine has 2 cores).
     * Gives up after {@link #GIVE_UP_NANOS} with an exception, so that a receiver that lost a message
     * fails its benchmark (JMH reports it and goes on) instead of hanging the run: seen once with the
     * JDK's {@code SubmissionPublisher} baseline, whose consumer stayed parked with items pending.
     */
    public void awaitSpinning(long target) {
        long deadline = 0L;
        for (int i = 0; (long) COUNT.getAcquire(this) < target; i++) {
            if (i < SPINS) {
                Thread.onSpinWait();
                continue;
            }
            Thread.yield();
            if ((i & 1023) == 0) {
                long now = System.nanoTime();
                if (deadline == 0L) {
                    deadline = now + GIVE_UP_NANOS;
                } else if (now - deadline > 0L) {
                    throw new IllegalStateException("receiver stuck at " + count() + " of " + target
                            + " messages for 10 s");
                }
            }
        }
    }

    /** How long {@link #awaitSpinning} waits for the receiver before failing the benchmark. */
    static final long GIVE_UP_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** Waits until the count reaches {@code target}, parked; the consumer must use {@link #signal()}. */
    public void awaitParked(long target) {
        if ((long) COUNT.getAcquire(this) >= target) {
            return;
        }
        // Volatile store of `waiter` then volatile re-read of `count`: the waiter half of the handshake.
        WAITER.setVolatile(this, Thread.currentThread());
        try {
            while ((long) COUNT.getVolatile(this) < target) {
                LockSupport.park(this);
            }
        } finally {
            WAITER.setVolatile(this, null);
        }
    }
}
