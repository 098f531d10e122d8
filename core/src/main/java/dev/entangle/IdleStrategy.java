package dev.entangle;

/**
 * What a dedicated {@link EventLoop} thread does when it finds nothing to run: spin, yield, or park
 * until work arrives. The choice trades CPU for wake-up latency:
 *
 * <ul>
 * <li>{@link #busySpin()}: the loop never parks; a message posted from another thread is picked up
 * within one queue poll (a cache-line hand-off between cores), but the loop burns a whole core while
 * idle. For latency-critical loops on machines with cores to spare.</li>
 * <li>{@link #park()}: the loop parks as soon as it is idle; it uses no CPU while idle, but each post
 * to an idle loop pays a park/unpark round trip: an OS wake-up of the loop's thread, typically two to
 * three orders of magnitude slower than the hand-off to a spinning loop.</li>
 * <li>{@link #spinYieldPark(int, int)} (the default, {@link #DEFAULT}): spin a little, then yield,
 * then park: a loop that gets work again soon after the last (request/response traffic) answers at
 * spinning speed, and a loop that stays idle costs nothing after a short while.</li>
 * </ul>
 *
 * <p>A strategy only decides <i>whether</i> to park; the loop parks itself, with a wake-up handshake
 * that no strategy can break: a post made while the loop is deciding either is seen before it parks or
 * unparks it. Multiplexed loops ({@link EventLoop#on}) have no idle strategy: an idle multiplexed loop
 * holds no thread at all.
 *
 * <p>Threads: {@link #idle(int)} is called only on the loop's own thread. The strategies made by the
 * factory methods are stateless and may be shared by any number of loops; a custom strategy shared by
 * several loops must be thread-safe.
 *
 * <p>Memory consistency effects: none; a strategy is a pure back-off policy.
 */
@FunctionalInterface
public interface IdleStrategy {
    /** Spin 256 turns, yield 8 turns, then park: the default of {@link EventLoop#start(String)}. */
    IdleStrategy DEFAULT = spinYieldPark(256, 8);

    /**
     * One idle turn: the loop found its run queue empty for the {@code turn}-th time in a row
     * ({@code 0} for the first empty look after running something or after waking from a park). Back off
     * (for example {@link Thread#onSpinWait()} or {@link Thread#yield()}) and return false to look
     * again, or return true to let the loop park until work arrives.
     *
     * <p>A strategy that throws is treated as returning true, after the throwable is reported to the
     * loop's error handler.
     *
     * @param turn consecutive empty looks before this one, saturating at {@link Integer#MAX_VALUE}
     * @return true to park now
     */
    boolean idle(int turn);

    /**
     * Spins with {@link Thread#onSpinWait()} for {@code spins} turns, then calls {@link Thread#yield()}
     * for {@code yields} turns, then parks.
     *
     * @param spins how many idle turns spin first
     * @param yields how many idle turns then yield, before parking
     * @return the strategy
     * @throws IllegalArgumentException if an argument is negative
     */
    static IdleStrategy spinYieldPark(int spins, int yields) {
        if (spins < 0 || yields < 0) {
            throw new IllegalArgumentException("spins and yields must be >= 0: " + spins + ", " + yields);
        }
        long yieldsEnd = (long) spins + yields;
        return turn -> {
            if (turn < spins) {
                Thread.onSpinWait();
                return false;
            }
            if (turn < yieldsEnd) {
                Thread.yield();
                return false;
            }
            return true;
        };
    }

    /**
     * Never parks: spins with {@link Thread#onSpinWait()}; lowest latency, one core busy while idle.
     *
     * @return the strategy
     */
    static IdleStrategy busySpin() {
        return turn -> {
            Thread.onSpinWait();
            return false;
        };
    }

    /**
     * Parks at once when idle: no CPU while idle, an OS wake-up for each post to an idle loop.
     *
     * @return the strategy
     */
    static IdleStrategy park() {
        return turn -> true;
    }
}
