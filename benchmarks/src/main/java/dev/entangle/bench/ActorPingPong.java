package dev.entangle.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import dev.entangle.EventLoop;
import dev.entangle.MessagePort;
import dev.entangle.bench.support.Lifecycle;
import dev.entangle.bench.support.Tally;

/**
 * Benchmark 7 (ping-pong half; the tell-throughput half is {@code OneWayThroughput}'s {@code pekko}
 * row): a burst of {@link #ROUNDS} round trips between two loops, entangle against the peer, Apache
 * Pekko typed actors, on the same harness ({@code SampleTime}, normalised per round trip).
 *
 * <p>One invocation: the benchmark thread posts the round count to side B; B echoes to A; A counts one
 * round down and sends it back to B, until zero; then A wakes the benchmark thread, which waited
 * parked (so only the two sides compete for the 2 cores). Both sides receive through their normal
 * dispatch: {@code onmessage} on two {@link EventLoop}s for {@code entangle}, {@code receiveMessage}
 * behaviours of two actors on Pekko's default dispatcher for {@code pekko} (an immutable record per
 * message, with the reply-to reference, as a Pekko user writes it).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(ActorPingPong.ROUNDS)
@Fork(3)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
@State(Scope.Benchmark)
public class ActorPingPong {
    static final int ROUNDS = 100;

    @Param({"entangle", "pekko"})
    public String impl;

    private final Tally done = new Tally();
    private long expected;
    private Runnable kick;
    private Runnable close;

    @Setup(Level.Trial)
    public void setUp() {
        if (impl.equals("entangle")) {
            setUpEntangle();
        } else if (impl.equals("pekko")) {
            setUpPekko();
        } else {
            throw new IllegalArgumentException("unknown impl " + impl);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        close.run();
    }

    @Benchmark
    public long rounds() {
        kick.run();
        done.awaitParked(++expected);
        return expected;
    }

    private void setUpEntangle() {
        Runnable[] kickAndClose = entangleRounds(done);
        kick = kickAndClose[0];
        close = kickAndClose[1];
    }

    /**
     * Two dedicated loops and a channel between them: B echoes, A counts a burst of {@link #ROUNDS}
     * down and signals {@code done} at zero. Returns {kick, close}; also the baseline of
     * {@code AskRoundTrip}.
     */
    static Runnable[] entangleRounds(Tally done) {
        EventLoop a = EventLoop.start("side-a");
        EventLoop b = EventLoop.start("side-b");
        MessagePort[] ports = Lifecycle.entangledAcross(a, b);
        Runnable kick = echoAndCount(ports[0], ports[1], done);
        return new Runnable[] {kick, () -> {
            Lifecycle.close(a);
            Lifecycle.close(b);
        }};
    }

    /**
     * {@code portB} echoes, {@code portA} counts a burst of {@link #ROUNDS} down and signals
     * {@code done} at zero; returns the kick that starts a burst. Also {@code AskRoundTrip}'s
     * {@code posts-one-loop}, with both ports on one loop.
     */
    static Runnable echoAndCount(MessagePort portA, MessagePort portB, Tally done) {
        portB.onmessage(e -> portB.postMessage(e.data()));
        portA.onmessage(e -> {
            int left = (Integer) e.data() - 1;
            if (left == 0) {
                done.signal();
            } else {
                portA.postMessage(left);
            }
        });
        Integer rounds = ROUNDS;
        return () -> portA.postMessage(rounds);
    }

    /** A Pekko message: rounds left and where to answer. */
    record Ping(int left, ActorRef<Ping> replyTo) {
    }

    record Sides(ActorRef<Ping> a, ActorRef<Ping> b) {
    }

    private void setUpPekko() {
        CompletableFuture<Sides> sides = new CompletableFuture<>();
        Behavior<Ping> echo = Behaviors.setup(ctx -> Behaviors.receiveMessage(p -> {
            p.replyTo().tell(new Ping(p.left(), ctx.getSelf()));
            return Behaviors.same();
        }));
        Behavior<Ping> counter = Behaviors.setup(ctx -> Behaviors.receiveMessage(p -> {
            int left = p.left() - 1;
            if (left == 0) {
                done.signal();
            } else {
                p.replyTo().tell(new Ping(left, ctx.getSelf()));
            }
            return Behaviors.same();
        }));
        ActorSystem<Void> system = ActorSystem.create(Behaviors.<Void>setup(ctx -> {
            sides.complete(new Sides(ctx.spawn(counter, "side-a"), ctx.spawn(echo, "side-b")));
            return Behaviors.empty();
        }), "pingpong");
        Sides s = Lifecycle.join(sides);
        kick = () -> s.b().tell(new Ping(ROUNDS, s.a()));
        close = () -> Pekko.terminate(system);
    }
}
