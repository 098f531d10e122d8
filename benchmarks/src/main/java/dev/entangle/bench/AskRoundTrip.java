package dev.entangle.bench;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
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
import dev.entangle.MessageChannel;
import dev.entangle.MessagePort;
import dev.entangle.Requests;
import dev.entangle.bench.support.Lifecycle;
import dev.entangle.bench.support.Tally;

/**
 * Request/reply cost: a burst of {@link #ROUNDS} sequential asks from side A to side B (each sent when
 * the previous answer arrived), normalised per round trip ({@code SampleTime}).
 *
 * <ul>
 * <li>{@code posts} (baseline): two plain posts per round on one long-lived channel between two
 * loops, A posting, B echoing on the same port (as {@code ActorPingPong}'s entangle row).</li>
 * <li>{@code ask}: {@link Requests#ask} from loop A with a 10 s timeout, B answering with
 * {@link Requests#reply}: a fresh reply channel, a transfer, a timer and its cancel per round.</li>
 * <li>{@code pekko-ask}: Pekko typed {@code AskPattern.ask} to an echo actor, the next ask sent from
 * the answer's completion, 10 s timeout.</li>
 * <li>{@code posts-one-loop}, {@code ask-one-loop}: {@code posts} and {@code ask} with both sides on
 * one loop: the work of a round trip without the hops between threads (no wake-up, no cache line
 * moving between cores), so their ratio is the CPU an ask adds, and moves little with the load.</li>
 * </ul>
 * The benchmark thread waits parked for the burst's end (so only the two sides compete for cores).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(AskRoundTrip.ROUNDS)
@Fork(3)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
@State(Scope.Benchmark)
public class AskRoundTrip {
    static final int ROUNDS = 100;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Param({"posts", "ask", "pekko-ask", "posts-one-loop", "ask-one-loop"})
    public String impl;

    private final Tally done = new Tally();
    private long expected;
    private Runnable kick;
    private Runnable close;

    @Setup(Level.Trial)
    public void setUp() {
        switch (impl) {
            case "posts":
                setUpPosts();
                break;
            case "ask":
                setUpAsk();
                break;
            case "pekko-ask":
                setUpPekko();
                break;
            case "posts-one-loop":
                setUpPostsOnOneLoop();
                break;
            case "ask-one-loop":
                setUpAskOnOneLoop();
                break;
            default:
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

    private void setUpPosts() {
        Runnable[] kickAndClose = ActorPingPong.entangleRounds(done);
        kick = kickAndClose[0];
        close = kickAndClose[1];
    }

    private void setUpAsk() {
        EventLoop a = EventLoop.start("side-a");
        EventLoop b = EventLoop.start("side-b");
        MessagePort[] ports = Lifecycle.entangledAcross(a, b);
        MessagePort portA = ports[0];
        ports[1].onmessage(e -> Requests.reply(e, e.data()));
        kick = () -> a.execute(() -> askFrom(portA, ROUNDS, done));
        close = () -> {
            Lifecycle.close(a);
            Lifecycle.close(b);
        };
    }

    private void setUpPostsOnOneLoop() {
        EventLoop loop = EventLoop.start("one-loop");
        MessageChannel channel = new MessageChannel(loop);
        kick = ActorPingPong.echoAndCount(channel.port1(), channel.port2(), done);
        close = () -> Lifecycle.close(loop);
    }

    private void setUpAskOnOneLoop() {
        EventLoop loop = EventLoop.start("one-loop");
        MessageChannel channel = new MessageChannel(loop);
        MessagePort portA = channel.port1();
        channel.port2().onmessage(e -> Requests.reply(e, e.data()));
        kick = () -> loop.execute(() -> askFrom(portA, ROUNDS, done));
        close = () -> Lifecycle.close(loop);
    }

    /**
     * On loop A: one ask, and the next from its answer (which completes on loop A), until {@code left}
     * asks were answered; then signals {@code done}. Also {@link AskRoundTripPaired}'s asks.
     */
    static void askFrom(MessagePort port, int left, Tally done) {
        Requests.ask(port, left, TIMEOUT).thenAccept(answer -> {
            int next = (Integer) answer - 1;
            if (next == 0) {
                done.signal();
            } else {
                askFrom(port, next, done);
            }
        });
    }

    /** A Pekko request: a number and where to answer. */
    record Echo(int value, ActorRef<Integer> replyTo) {
    }

    private void setUpPekko() {
        Behavior<Echo> echo = Behaviors.receiveMessage(m -> {
            m.replyTo().tell(m.value());
            return Behaviors.same();
        });
        ActorSystem<Echo> system = ActorSystem.create(echo, "ask");
        kick = () -> pekkoAsk(system, ROUNDS);
        close = () -> Pekko.terminate(system);
    }

    private void pekkoAsk(ActorSystem<Echo> system, int left) {
        AskPattern.<Echo, Integer>ask(system, replyTo -> new Echo(left, replyTo), TIMEOUT, system.scheduler())
                .thenAccept(answer -> {
                    int next = answer - 1;
                    if (next == 0) {
                        done.signal();
                    } else {
                        pekkoAsk(system, next);
                    }
                });
    }
}
