package dev.entangle.graaljs;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.graalvm.polyglot.Value;
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

/**
 * The cost of the JavaScript global {@code structuredClone(v)} inside one realm, for a range of value
 * shapes, against the baseline {@code JSON.parse(JSON.stringify(v))} in the same context, same run
 * (for the shapes JSON can represent: not a Map, not an ArrayBuffer), and against {@link #floor}, the
 * call of {@code v => v} by the same path (what every measured call pays besides its body).
 *
 * <p>GraalJS runs interpreted on a stock JDK (no Graal compiler for guest code): these are
 * interpreter figures, useful as ratios, not as what a GraalVM JDK would reach.
 *
 * <h2>How the body runs on the benchmark thread</h2>
 * {@code structuredClone} deserializes into the realm of the loop running the caller's task
 * ({@link JsHost#current()}); called off any loop it would return Java values instead, and a realm's
 * context may be entered by one thread at a time. Posting each operation to a realm's dedicated loop
 * thread and waiting would add a thread hand-off that dominates the small shapes. Instead
 * {@link InlineRealm} makes a <b>real {@link JsRealm}</b> (same context options, same
 * {@code prelude.js} globals, same {@link JsHost} registration as a script's realm) on a multiplexed
 * loop whose executor is {@code Runnable::run}: {@code loop.execute(task)} then runs the loop's turn,
 * and the task in it, inline on the calling JMH thread, with {@code EventLoop.current()} set to the
 * loop. Each operation is one such task calling a JS function once; that dispatch (a queue offer, a
 * turn handshake, one host-to-guest call) is the same for every benchmark and is what {@link #floor}
 * measures, so {@code structuredClone − floor} is the clone itself.
 *
 * <p>One realm per fork and thread; the values are built once per trial in that realm and cloned again
 * and again (the clone of an ArrayBuffer copies its 64 KiB each time).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED") // Truffle loads its native library
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class JsCloneBenchmark {

    /** What each shape is, as a JS expression evaluated in the realm. */
    static String source(String shape) {
        switch (shape) {
            case "number":
                return "Math.PI";
            case "string100":
                return "'entangle-'.repeat(10)";
            case "smallObject": // 5 fields
                return "({ id: 42, name: 'entangle', active: true, score: 9.5, tag: 'small' })";
            case "nestedGraph": // 1 root + 1 array + 16 × (user, tags array, address) = 50 objects/arrays
                return "({ kind: 'users', users: Array.from({ length: 16 }, (_, i) => ({ id: i, name: 'user' + i,"
                        + " tags: ['a', 'b'], address: { city: 'city' + i, zip: 1000 + i } })) })";
            case "array1000":
                return "Array.from({ length: 1000 }, (_, i) => i * 0.5)";
            case "map100":
                return "new Map(Array.from({ length: 100 }, (_, i) => ['key' + i, i]))";
            case "buffer64k":
                return "(() => { const b = new ArrayBuffer(65536); new Uint8Array(b).fill(7); return b; })()";
            default:
                throw new IllegalArgumentException("unknown shape " + shape);
        }
    }

    /**
     * A {@link JsRealm} on a loop that runs its turns inline on the thread that calls
     * {@code loop.execute} (see the class comment).
     */
    @State(Scope.Thread)
    public static class InlineRealm {
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private EventLoop loop;
        private JsRealm realm;
        private Object result;
        private boolean ran;

        @Setup(Level.Trial)
        public void setUp() {
            JsCodec.install();
            Executor inline = Runnable::run;
            loop = EventLoop.on(inline, "js-clone-bench", (thread, error) -> failure.compareAndSet(null, error));
            run(() -> realm = new JsRealm(loop, Path.of("").toAbsolutePath(), null, "bench",
                    (message, filename, lineno, colno, stack) -> failure.compareAndSet(null,
                            new IllegalStateException(message + "\n" + stack))));
        }

        /** Runs {@code task} as a task of the loop, on this thread; rethrows what it threw. */
        void run(Runnable task) {
            ran = false;
            loop.execute(() -> {
                task.run();
                ran = true;
            });
            Throwable t = failure.getAndSet(null);
            if (t != null) {
                throw new IllegalStateException("the realm's task failed", t);
            }
            if (!ran) {
                throw new IllegalStateException("the loop did not run the task inline");
            }
        }

        /** A value of the realm: {@code expression} evaluated there. */
        Value eval(String expression) {
            Value[] v = new Value[1];
            run(() -> v[0] = realm.context().eval("js", expression));
            return v[0];
        }

        /** {@code f(v)} as one task of the loop; its result. */
        Object call(Value f, Value v) {
            run(() -> result = f.execute(v));
            Object r = result;
            result = null;
            return r;
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            run(realm::close);
            loop.close();
            if (!loop.awaitTermination(Duration.ofSeconds(10))) {
                throw new IllegalStateException("the loop did not end");
            }
        }
    }

    /**
     * The shapes: a value and the functions under test, made in the realm, and that realm. A benchmark
     * method calls through this {@link #realm}, not through an {@link InlineRealm} parameter of its own:
     * JMH gave such a parameter a second instance (another loop and context), so the function of this
     * realm ran in that one's turn and {@code structuredClone} deserialized into the other context.
     */
    abstract static class Shapes {
        InlineRealm realm;
        Value value;
        Value clone;
        Value json;
        Value identity;

        abstract String shape();

        void make(InlineRealm realm) {
            this.realm = realm;
            value = realm.eval(source(shape()));
            clone = realm.eval("(v) => structuredClone(v)");
            json = realm.eval("(v) => JSON.parse(JSON.stringify(v))");
            identity = realm.eval("(v) => v");
            // Both must give an equal copy: checked once, so that a broken clone cannot look fast.
            Value same = realm.eval("(a, b) => { const s = (x) => x instanceof Map ? JSON.stringify([...x])"
                    + " : x instanceof ArrayBuffer ? x.byteLength + ':' + new Uint8Array(x).reduce((p, c) => p + c, 0)"
                    + " : JSON.stringify(x); return a !== b || typeof a !== 'object' ? s(a) === s(b) : false; }");
            Value copy = (Value) realm.call(clone, value);
            boolean[] ok = new boolean[1];
            realm.run(() -> ok[0] = same.execute(value, copy).asBoolean());
            if (!ok[0]) {
                throw new IllegalStateException("structuredClone of " + shape() + " is not an equal copy");
            }
        }
    }

    /** Every shape (structuredClone). */
    @State(Scope.Thread)
    public static class AnyShape extends Shapes {
        @Param({"number", "string100", "smallObject", "nestedGraph", "array1000", "map100", "buffer64k"})
        public String shape;

        @Override
        String shape() {
            return shape;
        }

        @Setup(Level.Trial)
        public void setUp(InlineRealm realm) {
            make(realm);
        }
    }

    /** The shapes JSON can represent (the baseline). */
    @State(Scope.Thread)
    public static class JsonShape extends Shapes {
        @Param({"number", "string100", "smallObject", "nestedGraph", "array1000"})
        public String shape;

        @Override
        String shape() {
            return shape;
        }

        @Setup(Level.Trial)
        public void setUp(InlineRealm realm) {
            if (shape.equals("map100") || shape.equals("buffer64k")) { // reachable with -p shape=…
                throw new IllegalArgumentException("JSON cannot represent " + shape + ": no json baseline for it");
            }
            make(realm);
        }
    }

    /** Only the identity function: the shape does not matter. */
    @State(Scope.Thread)
    public static class Floor extends Shapes {
        @Override
        String shape() {
            return "smallObject";
        }

        @Setup(Level.Trial)
        public void setUp(InlineRealm realm) {
            make(realm);
        }
    }

    /**
     * A 1 MiB ArrayBuffer held by the realm, and three ways to get its bytes into a new buffer there:
     * {@code structuredClone(b, {transfer: [b]})} (the receiver takes the sender's memory,
     * {@code JsForms.SameRealm}; that {@code b} is detached is checked on each call),
     * {@code structuredClone(b)} (a copy: its receiving side copies element by element, as a buffer
     * transferred to another realm does on arrival), and the baseline {@code b.slice(0)}, one bulk copy
     * inside GraalJS.
     */
    @State(Scope.Thread)
    public static class MiB {
        InlineRealm realm;
        Value transferred;
        Value copied;
        Value slice;

        @Setup(Level.Trial)
        public void setUp(InlineRealm realm) {
            this.realm = realm;
            realm.eval("globalThis.held = new ArrayBuffer(1 << 20); new Uint8Array(held).fill(7);");
            transferred = realm.eval("() => { const b = held; held = structuredClone(b, {transfer: [b]});"
                    + " if (b.byteLength !== 0 || !(held instanceof ArrayBuffer) || held.byteLength !== 1 << 20)"
                    + " throw new Error('not moved'); return held; }");
            copied = realm.eval("() => structuredClone(held)");
            slice = realm.eval("() => held.slice(0)");
        }
    }

    /** {@code structuredClone(b, {transfer: [b]})} of 1 MiB in its own realm. */
    @Benchmark
    public Object transferred1MiB(MiB s) {
        return s.realm.call(s.transferred, null);
    }

    /** {@code structuredClone(b)} of 1 MiB (copied). */
    @Benchmark
    public Object copied1MiB(MiB s) {
        return s.realm.call(s.copied, null);
    }

    /** Baseline: {@code b.slice(0)}, a bulk copy of 1 MiB. */
    @Benchmark
    public Object slice1MiB(MiB s) {
        return s.realm.call(s.slice, null);
    }

    /** {@code structuredClone(v)}. */
    @Benchmark
    public Object structuredClone(AnyShape s) {
        return s.realm.call(s.clone, s.value);
    }

    /** Baseline: {@code JSON.parse(JSON.stringify(v))}. */
    @Benchmark
    public Object json(JsonShape s) {
        return s.realm.call(s.json, s.value);
    }

    /** Floor: {@code (v => v)(v)}, the same dispatch with an empty body. */
    @Benchmark
    public Object floor(Floor s) {
        return s.realm.call(s.identity, s.value);
    }
}
