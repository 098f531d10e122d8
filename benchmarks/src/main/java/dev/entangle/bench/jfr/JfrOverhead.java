package dev.entangle.bench.jfr;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import jdk.jfr.Recording;

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
import org.openjdk.jmh.annotations.Warmup;

import dev.entangle.EventLoop;
import dev.entangle.MessageChannel;
import dev.entangle.MessagePort;
import dev.entangle.bench.support.Lifecycle;
import dev.entangle.bench.support.Tally;

/**
 * What entangle's JDK Flight Recorder events cost (issue 13, item 7): the message path of
 * {@code OneWayThroughput} (entangle, burst 100: post on the benchmark thread, dispatch on a loop)
 * with {@code recording} = {@code off} (the baseline: no recording in the fork), {@code jdkDefault}
 * (JFR's {@code default} settings with entangle's events disabled: what the JDK's own events cost),
 * {@code default} (JFR's {@code default} settings, so entangle's events at their own thresholds: only
 * posts and dispatches slower than 1 ms, loop turns slower than 20 ms are written) and {@code all}
 * (every entangle event enabled with threshold 0: one {@code MessagePosted} and one
 * {@code MessageDispatched} written per message). Ratios against {@code off}, and {@code default}
 * against {@code jdkDefault} (entangle's share of a default recording), in the same run.
 *
 * <p>{@link JfrHookCost} measures the hooks alone.
 */
@Fork(3)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Benchmark)
public class JfrOverhead {
    @Param({"off", "jdkDefault", "default", "all"})
    public String recording;

    static final int BURST = 100;
    static final Object PAYLOAD = "m";
    static final String[] EVENTS = {"MessagePosted", "MessageDispatched", "MessageError", "PortTransferred",
        "PortClosed", "LongLoopTurn", "WorkerStarted", "WorkerExited"};

    private final Tally consumed = new Tally();
    private EventLoop loop;
    private MessagePort sender;
    private long sent;
    private Recording jfr;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        switch (recording) {
            case "off":
                break;
            case "jdkDefault":
                jfr = new Recording(jdk.jfr.Configuration.getConfiguration("default"));
                for (String event : EVENTS) {
                    jfr.disable("dev.entangle." + event);
                }
                break;
            case "default":
                jfr = new Recording(jdk.jfr.Configuration.getConfiguration("default"));
                break;
            case "all":
                jfr = new Recording();
                for (String event : EVENTS) {
                    jfr.enable("dev.entangle." + event).withThreshold(Duration.ZERO);
                }
                break;
            default:
                throw new IllegalArgumentException("unknown recording " + recording);
        }
        if (jfr != null) {
            jfr.setToDisk(true);
            jfr.setMaxSize(64L << 20); // keep the repository small: a run writes millions of events
            jfr.start();
        }
        loop = EventLoop.start("receiver");
        MessageChannel channel = new MessageChannel(loop);
        channel.port2().onmessage(e -> consumed.advance());
        sender = channel.port1();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Lifecycle.close(loop);
        if (jfr != null) {
            jfr.close();
        }
    }

    /** A burst of {@value #BURST} messages and the wait until the loop has dispatched them all. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public long burst() {
        for (int i = 0; i < BURST; i++) {
            sender.postMessage(PAYLOAD);
        }
        sent += BURST;
        consumed.awaitSpinning(sent);
        return sent;
    }
}
