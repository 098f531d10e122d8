package dev.entangle.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import dev.entangle.EventLoop;

/**
 * The turn handshake of a multiplexed loop ({@code EventLoop.on}): a post to an idle loop submits
 * exactly one turn; a turn that ends clears its flag and rechecks the queue, so no post is left behind,
 * and two turns never overlap.
 */
public final class MultiplexedLoopTests {
    private MultiplexedLoopTests() {
    }

    /** Runs a turn on the thread that submits it: each producer may end up running the loop. */
    private static final Executor INLINE = Runnable::run;

    /**
     * Two producers each post one task to the same idle loop whose executor runs turns inline. Either
     * producer may run the turn that runs both tasks, or each its own; the one that finds a turn under
     * way relies on that turn's recheck. Every task must run exactly once, one at a time.
     */
    @JCStressTest
    @Description("No post to a multiplexed loop is lost and its turns never overlap.")
    @Outcome(id = "1, 1, 0", expect = ACCEPTABLE,
            desc = "Both tasks ran once, in one turn or in two, never at the same time.")
    @Outcome(id = ".*", expect = FORBIDDEN,
            desc = "A task never ran (a lost turn), ran twice, or two turns overlapped.")
    @State
    public static class NoLostTurn {
        private final EventLoop loop = EventLoop.on(INLINE, "inline");
        private final AtomicInteger inside = new AtomicInteger();
        private final AtomicInteger overlaps = new AtomicInteger();
        private int ran1;
        private int ran2;

        private void exclusive(Runnable body) {
            if (inside.incrementAndGet() != 1) {
                overlaps.incrementAndGet();
            }
            body.run();
            inside.decrementAndGet();
        }

        @Actor
        public void producer1() {
            loop.execute(() -> exclusive(() -> ran1++));
        }

        @Actor
        public void producer2() {
            loop.execute(() -> exclusive(() -> ran2++));
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r1 = ran1;
            r.r2 = ran2;
            r.r3 = overlaps.get();
        }
    }
}
