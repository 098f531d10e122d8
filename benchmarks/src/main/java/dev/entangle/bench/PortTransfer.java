package dev.entangle.bench;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
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
import dev.entangle.bench.support.Lifecycle;
import dev.entangle.bench.support.Tally;

/**
 * Benchmark 4: port transfer cost: ship a port to another loop and get a message through it there.
 *
 * <p>{@code entangle-transfer}, one operation: a new channel owned by the {@code home} loop; its
 * {@code port2} shipped to the {@code target} loop in the transfer list of a message on a carrier
 * channel; a message posted on {@code port1} at once (it may overtake the port and wait in its queue:
 * SPEC item 5); the target's carrier handler adopts the new {@code MessagePort}, sets its
 * {@code onmessage}, which counts the message and closes the port; the benchmark thread waits (spin,
 * then yield) for the count and closes {@code port1}. So the figure is the whole life of a shipped port:
 * create, transfer, bind, start, first message, close.
 *
 * <p>Baseline {@code entangle-message}: the same two messages (one on the carrier, one on a channel
 * whose far port is already at the target) without creating or transferring a port; the ratio is the
 * price of a transfer in units of plain messages.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(3)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
@State(Scope.Benchmark)
public class PortTransfer {
    @Param({"entangle-transfer", "entangle-message"})
    public String impl;

    static final Object PING = "ping";

    private final Tally arrived = new Tally();
    private EventLoop home;
    private EventLoop target;
    private MessagePort carrier;
    private MessagePort line;
    private long expected;

    @Setup(Level.Trial)
    public void setUp() {
        home = EventLoop.start("home");
        target = EventLoop.start("target");
        MessageChannel carrierChannel = new MessageChannel(target);
        CompletableFuture<MessagePort> firstPort = new CompletableFuture<>();
        carrierChannel.port2().onmessage(e -> {
            if (e.ports().isEmpty()) {
                return; // entangle-message: the carrier message carries nothing
            }
            MessagePort shipped = e.ports().get(0);
            if (!firstPort.isDone()) {
                firstPort.complete(shipped); // setup: the baseline's line, kept open
                return;
            }
            shipped.onmessage(m -> {
                arrived.advance();
                shipped.close();
            });
        });
        carrier = carrierChannel.port1();
        // The baseline's line: its far port moved to the target once, here.
        MessageChannel lineChannel = new MessageChannel(home);
        carrier.postMessage(null, List.of(lineChannel.port2()));
        Lifecycle.join(firstPort).onmessage(e -> arrived.advance());
        line = lineChannel.port1();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Lifecycle.close(home);
        Lifecycle.close(target);
    }

    @Benchmark
    public long shipAndUse() {
        if (impl.equals("entangle-transfer")) {
            MessageChannel channel = new MessageChannel(home);
            carrier.postMessage(null, List.of(channel.port2()));
            channel.port1().postMessage(PING);
            arrived.awaitSpinning(++expected);
            channel.port1().close();
        } else {
            carrier.postMessage(null);
            line.postMessage(PING);
            arrived.awaitSpinning(++expected);
        }
        return expected;
    }
}
