package dev.entangle.bench.clone;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import org.openjdk.jmh.annotations.Warmup;

import dev.entangle.ArrayBuffer;
import dev.entangle.StructuredClone;
import dev.entangle.StructuredSerializeOptions;

/**
 * Clone cost per message (the work {@code postMessage} adds on the sender plus the receiver's
 * deserialize step, without the queue): {@link StructuredClone#structuredClone} of each payload,
 * against two baselines in the same run: {@link #handoff} (the plain reference hand-off a queue of
 * objects does, no protection at all) and {@link #javaSerialization} (a Java serialization round trip,
 * what people do today to get a deep copy). {@link #transfer} moves a buffer instead of copying it.
 *
 * <p>Read the results as ratios against {@code handoff} / {@code javaSerialization} for the same
 * {@code payload}; the target: immutable payloads ({@code string}, {@code record}) add under
 * 20 ns over {@code handoff}.
 *
 * <pre>
 * java -jar &lt;the benchmarks module's shaded jar&gt; CloneBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class CloneBenchmark {

    /** A small record of immutables: passes by reference. */
    public record Point(int x, int y, String label) implements Serializable { }

    /** An immutable part of {@link Customer}. */
    public record Address(String street, String city, int zip) implements Serializable { }

    /** A 10-component record with mutable parts (lists, maps, a set, an array), one list reached twice. */
    public record Customer(String id, long version, List<String> tags, Map<String, Integer> counters,
            int[] samples, Address home, List<Address> previous, Set<String> roles, List<String> alsoTags,
            Map<String, List<String>> notes) implements Serializable { }

    /** The payloads; {@code buffer-*} are byte[]-backed ArrayBuffers, copied. */
    @State(Scope.Thread)
    public static class Payloads {
        @Param({"string", "record", "graph", "buffer-1k", "buffer-1m"})
        public String payload;

        Object value;
        /** What Java serialization gets: the same value, or the byte[] behind a buffer. */
        Object serializable;

        @Setup(Level.Trial)
        public void setUp() {
            switch (payload) {
                case "string":
                    value = "a message of moderate length, as chat apps send";
                    break;
                case "record":
                    value = new Point(3, 4, "p");
                    break;
                case "graph":
                    List<String> tags = new ArrayList<>(List.of("gold", "early"));
                    Map<String, Integer> counters = new LinkedHashMap<>(Map.of("visits", 3, "orders", 1));
                    value = new Customer("c-42", 7L, tags, counters, new int[] {1, 2, 3, 4},
                            new Address("1 Main St", "Springfield", 12345),
                            new ArrayList<>(List.of(new Address("2 Elm St", "Shelbyville", 54321))),
                            new HashSet<>(Set.of("admin")), tags,
                            new LinkedHashMap<>(Map.of("vip", new ArrayList<>(List.of("since 2019")))));
                    break;
                case "buffer-1k":
                    value = ArrayBuffer.wrap(new byte[1024]);
                    break;
                case "buffer-1m":
                    value = ArrayBuffer.wrap(new byte[1 << 20]);
                    break;
                default:
                    throw new IllegalArgumentException(payload);
            }
            serializable = value instanceof ArrayBuffer ? ((ArrayBuffer) value).asByteBuffer().array() : value;
        }
    }

    /** A buffer moved on every call: each clone's result is the next call's input. */
    @State(Scope.Thread)
    public static class Moving {
        @Param({"1024", "1048576"})
        public int size;

        ArrayBuffer buffer;

        @Setup(Level.Trial)
        public void setUp() {
            buffer = new ArrayBuffer(size);
        }
    }

    /** Baseline: what an unprotected hand-off costs (nothing but the reference). */
    @Benchmark
    public Object handoff(Payloads p) {
        return p.value;
    }

    /** Baseline: a deep copy by Java serialization (a buffer's byte[]), the usual workaround. */
    @Benchmark
    public Object javaSerialization(Payloads p) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(p.serializable);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return in.readObject();
        }
    }

    /** The structured clone of a message: by reference, copied, as the rules say. */
    @Benchmark
    public Object structuredClone(Payloads p) {
        return StructuredClone.structuredClone(p.value);
    }

    /** An ArrayBuffer in the transfer list: moved, not copied, whatever its size. */
    @Benchmark
    public Object transfer(Moving m) {
        ArrayBuffer moved = StructuredClone.structuredClone(m.buffer,
                StructuredSerializeOptions.transfer(m.buffer));
        m.buffer = moved;
        return moved;
    }
}
