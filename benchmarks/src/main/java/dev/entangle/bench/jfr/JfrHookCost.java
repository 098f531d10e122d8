package dev.entangle.bench.jfr;

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
import org.openjdk.jmh.annotations.Warmup;

import dev.entangle.internal.Jfr;

/**
 * The price of entangle's JFR instrumentation when nobody records (issue 13, item 7): the two hooks a
 * post runs ({@code Jfr.postBegin} / {@code Jfr.postEnd}; the dispatch and loop-turn hooks are the
 * same shape) against {@code emptyBaseline}, JMH's own cost of an operation, in the same run, with
 * no recording running. (The benchmarks run on the class path, where the internal hook
 * class is reachable.)
 */
@Fork(3)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class JfrHookCost {
    static final Object PAYLOAD = "m";

    /**
     * {@code neverRecorded}: JFR never started in the fork, the event classes are not instrumented.
     * {@code afterARecording}: a recording with entangle's events ran and stopped in setup, so the
     * classes are instrumented and their events disabled again (what an application sees after a
     * {@code jcmd JFR.start} / {@code JFR.stop}).
     */
    @Param({"neverRecorded", "afterARecording"})
    public String jfr;

    @Setup(Level.Trial)
    public void setUp() {
        if (jfr.equals("afterARecording")) {
            try (Recording recording = new Recording()) {
                recording.enable("dev.entangle.MessagePosted");
                recording.start();
                recording.stop();
            }
        }
    }

    /** The two hooks every post runs, with no recording. */
    @Benchmark
    public Object hooksOff() {
        Object token = Jfr.postBegin();
        Jfr.postEnd(token, null, 0);
        return token;
    }

    /** JMH's own per-operation cost, the baseline of {@link #hooksOff}. */
    @Benchmark
    public Object emptyBaseline() {
        return PAYLOAD;
    }
}
