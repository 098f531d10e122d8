package dev.entangle.stress;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import dev.entangle.EventLoop;
import dev.entangle.IdleStrategy;

/**
 * Event loops shared by the stress tests of one forked jcstress VM, and the bounded waits the tests
 * use to observe them.
 *
 * <p>jcstress creates millions of {@code @State} instances; each must not start a thread of its own.
 * The tests take their loops from here instead: two dedicated loops (two, so that a port can be shipped
 * from one owner to another), started the first time a test asks for them (holder-class idiom), and a
 * third that parks whenever it is idle, started only by the tests that use it. A loop thread is not a
 * daemon, and a forked jcstress VM ends by returning from {@code main}, not by {@code System.exit} (it
 * exits only when a test left stale threads): a daemon reaper therefore waits for the VM's main thread
 * to finish and then closes the loops, which lets the VM exit.
 *
 * <p>Threads: any thread may call every method. Memory consistency effects: the loops are fully started
 * before {@link #first()} or {@link #second()} returns them to any thread (class initialization is a
 * <i>happens-before</i> edge).
 */
final class StressLoops {
    private StressLoops() {
    }

    /** How long a test waits for a loop to dispatch what it expects before it records "not seen". */
    static final long PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(5);

    private static final class Holder {
        static final EventLoop FIRST = EventLoop.start("stress-loop-1");
        static final EventLoop SECOND = EventLoop.start("stress-loop-2");

        static {
            closeWhenMainEnds(FIRST, SECOND);
        }
    }

    /** A third loop that parks as soon as it is idle (RequestTests: every answer races its park). */
    private static final class ParkingHolder {
        static final EventLoop PARKING = EventLoop.start("stress-loop-parking", IdleStrategy.park());

        static {
            closeWhenMainEnds(PARKING);
        }
    }

    /** The loop owning the ports under test in this VM. */
    static EventLoop first() {
        return Holder.FIRST;
    }

    /** Another loop: where ports are shipped to, and the owner of the carrier channels. */
    static EventLoop second() {
        return Holder.SECOND;
    }

    /**
     * A dedicated loop with {@link IdleStrategy#park()}: it hands back what it watches and parks each
     * time it runs out of work, so a message from another thread races that hand-back. Started the
     * first time a test asks for it.
     */
    static EventLoop parking() {
        return ParkingHolder.PARKING;
    }

    /**
     * Spins (then yields) until {@code condition} holds or {@link #PATIENCE_NANOS} elapse. Returns
     * whether it holds. Used where a test waits for a loop to dispatch: a {@code false} here is
     * recorded as an outcome ("not seen within the bound"), never hidden.
     */
    static boolean await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        int spins = 0;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return condition.getAsBoolean();
            }
            // Spin briefly, then yield: on a 2-core machine the jcstress threads must leave the loop
            // thread a core, or every sample waits for a scheduler time slice.
            if (++spins < 64) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        return true;
    }

    /**
     * Waits (bounded, as {@link #await}) until {@code loop} has run every task and port drain queued on
     * it before this call: a duplicate dispatch of a message already seen would have happened by then
     * (the tests post fewer messages than one drain's batch, so no drain re-queues itself). Returns
     * false if the loop did not get there in time.
     */
    static boolean settle(EventLoop loop) {
        Flag turn = new Flag();
        loop.execute(turn::raise);
        return await(turn::isRaised);
    }

    /** A one-shot flag raised by a loop task. */
    private static final class Flag {
        private volatile boolean raised; // volatile: raised on the loop, read by the waiting thread

        void raise() {
            raised = true;
        }

        boolean isRaised() {
            return raised;
        }
    }

    private static void closeWhenMainEnds(EventLoop... loops) {
        Thread main = mainThread();
        if (main == null) {
            return; // not in a forked VM (embedded run): the host exits with System.exit
        }
        Thread reaper = new Thread(() -> {
            boolean interrupted = false;
            while (main.isAlive()) {
                try {
                    main.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            for (EventLoop loop : loops) {
                loop.close();
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }, "stress-loops-reaper");
        reaper.setDaemon(true);
        reaper.start();
    }

    private static Thread mainThread() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if ("main".equals(t.getName()) && t.getThreadGroup() != null
                    && "main".equals(t.getThreadGroup().getName())) {
                return t;
            }
        }
        return null;
    }
}
