package dev.entangle.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import dev.entangle.EventLoop;
import dev.entangle.MessagePort;
import dev.entangle.Requests;
import dev.entangle.bench.support.Lifecycle;
import dev.entangle.bench.support.Tally;

/**
 * {@link AskRoundTrip}'s {@code ask} and {@code posts} rows measured in one fork, on the same two
 * loops: each invocation runs one burst of {@link AskRoundTrip#ROUNDS} asks and one burst of as many
 * plain post round trips, in alternating order, each timed with {@code System.nanoTime()} (a burst
 * lasts tens of microseconds). On this project's VMs a fork's {@code posts} p50 lands anywhere from
 * 0.3 to 0.9 µs, so the ratio of two rows that are forks of their own follows the modes the forks
 * met (benchmarks/README.md, the AMD run of 2 December 2026, afternoon); here both bursts of a pair
 * meet the same mode.
 *
 * <p>The primary score is the mean time per round trip of the two kinds together. The auxiliary
 * counters {@code askNanos} and {@code postsNanos} are the time the two kinds took (JMH
 * {@code EVENTS} counters: the result is their total over the measured iterations), {@code pairs}
 * the number of pairs: the issue 15 ratio is
 * {@code askNanos / postsNanos} (per round trip, both kinds ran as many rounds). The waiting is
 * {@link AskRoundTrip}'s: the benchmark thread waits parked for a burst's end.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(2 * AskRoundTrip.ROUNDS)
@Fork(3)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
@State(Scope.Benchmark)
public class AskRoundTripPaired {
    /** Time per kind, per iteration (JMH sums EVENTS counters over an iteration's invocations). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Split {
        public long askNanos;
        public long postsNanos;
        public long pairs;

        @Setup(Level.Iteration)
        public void reset() {
            askNanos = 0;
            postsNanos = 0;
            pairs = 0;
        }
    }

    private final Tally asked = new Tally();
    private final Tally posted = new Tally();
    private long askBursts;
    private long postBursts;
    private EventLoop a;
    private EventLoop b;
    private Runnable kickAsks;
    private Runnable kickPosts;

    @Setup(Level.Trial)
    public void setUp() {
        if (ActorPingPong.ROUNDS != AskRoundTrip.ROUNDS) {
            throw new IllegalStateException("the two kinds must run bursts of as many rounds");
        }
        a = EventLoop.start("side-a");
        b = EventLoop.start("side-b");
        MessagePort[] asking = Lifecycle.entangledAcross(a, b);
        asking[1].onmessage(e -> Requests.reply(e, e.data()));
        MessagePort askPort = asking[0];
        kickAsks = () -> a.execute(() -> AskRoundTrip.askFrom(askPort, AskRoundTrip.ROUNDS, asked));
        MessagePort[] pinging = Lifecycle.entangledAcross(a, b);
        kickPosts = ActorPingPong.echoAndCount(pinging[0], pinging[1], posted);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Lifecycle.close(a);
        Lifecycle.close(b);
    }

    @Benchmark
    public long pair(Split split) {
        boolean asksFirst = (split.pairs & 1) == 0; // alternate the order
        if (asksFirst) {
            split.askNanos += asks();
        }
        split.postsNanos += posts();
        if (!asksFirst) {
            split.askNanos += asks();
        }
        return ++split.pairs;
    }

    /** One burst of asks; its nanoseconds. */
    private long asks() {
        long t0 = System.nanoTime();
        kickAsks.run();
        asked.awaitParked(++askBursts);
        return System.nanoTime() - t0;
    }

    /** One burst of plain post round trips; its nanoseconds. */
    private long posts() {
        long t0 = System.nanoTime();
        kickPosts.run();
        posted.awaitParked(++postBursts);
        return System.nanoTime() - t0;
    }
}
