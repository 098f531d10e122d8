package dev.entangle.graaljs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.graalvm.polyglot.Value;

/**
 * An A/B of the receiver's JSON path ({@code JsDeserializer.Json}) on a machine whose load changes by
 * the minute: in ONE process and realm, blocks of {@code structuredClone(v)} with the path on and off
 * alternate (the order flips each round), with a block of {@code JSON.parse(JSON.stringify(v))} as the
 * baseline in between; the medians of the blocks and their ratio are printed. JMH runs its benchmarks
 * one after another, so a load change between them looks like a speed change; here both variants see
 * the same load.
 *
 * <pre>{@code
 * java -cp graaljs-benchmarks/target/benchmarks-js.jar dev.entangle.graaljs.JsCodecAB [rounds] [blockMillis]
 * }</pre>
 *
 * <p>Threads: one (the realm runs inline on it, as in {@link JsCloneBenchmark}).
 */
public final class JsCodecAB {
    private JsCodecAB() {
    }

    /** Arguments: rounds (default 15), milliseconds per block (default 300), after a 10 s warmup per shape. */
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        long blockNanos = (args.length > 1 ? Long.parseLong(args[1]) : 300) * 1_000_000L;
        JsCloneBenchmark.InlineRealm realm = new JsCloneBenchmark.InlineRealm();
        realm.setUp();
        try {
            for (String shape : new String[] {"smallObject", "nestedGraph"}) {
                Value v = realm.eval(JsCloneBenchmark.source(shape));
                Value clone = realm.eval("(v) => structuredClone(v)");
                Value json = realm.eval("(v) => JSON.parse(JSON.stringify(v))");
                long warmEnd = System.nanoTime() + 10_000_000_000L;
                for (boolean on = true; System.nanoTime() < warmEnd; on = !on) {
                    JsDeserializer.jsonFastPath = on;
                    block(realm, clone, v, blockNanos);
                    block(realm, json, v, blockNanos);
                }
                List<Double> with = new ArrayList<>();
                List<Double> without = new ArrayList<>();
                List<Double> baseline = new ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    boolean first = r % 2 == 0;
                    for (boolean on : new boolean[] {first, !first}) {
                        JsDeserializer.jsonFastPath = on;
                        (on ? with : without).add(block(realm, clone, v, blockNanos));
                    }
                    baseline.add(block(realm, json, v, blockNanos));
                }
                JsDeserializer.jsonFastPath = true;
                double w = median(with);
                double wo = median(without);
                double j = median(baseline);
                System.out.printf("%s: structuredClone with the JSON path %,.0f ns, without %,.0f ns (%.2fx);"
                        + " json baseline %,.0f ns: %.1fx and %.1fx json (%d rounds of %d ms blocks)%n",
                        shape, w, wo, wo / w, j, w / j, wo / j, rounds, blockNanos / 1_000_000);
            }
        } finally {
            JsDeserializer.jsonFastPath = true;
            try {
                realm.tearDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Calls {@code f(v)} for about {@code nanos}; nanoseconds per call. */
    private static double block(JsCloneBenchmark.InlineRealm realm, Value f, Value v, long nanos) {
        long start = System.nanoTime();
        long end = start + nanos;
        long calls = 0;
        long now;
        do {
            realm.call(f, v);
            calls++;
            now = System.nanoTime();
        } while (now < end);
        return (double) (now - start) / calls;
    }

    private static double median(List<Double> xs) {
        List<Double> sorted = new ArrayList<>(xs);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
