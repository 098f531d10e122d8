package dev.entangle.graaljs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
import dev.entangle.Worker;

/**
 * Round-trip time of a small object ({@code {id, name, ok, xs: [1, 2, 3]}}) through a
 * {@code MessagePort}, average per round trip. One operation is a burst of round trips driven by the
 * pinging side itself: the JMH thread posts the burst length, the pinging side posts, counts each
 * reply and posts again, then signals the JMH thread once (a message or a call that completes a
 * {@link CompletableFuture} the JMH thread waits on); JMH divides by the burst length
 * ({@link OperationsPerInvocation}). No sleeps. The start and end signals are one hop each per burst;
 * the bursts are long enough (about 10 ms or more) that these two hops weigh under 1% of an operation:
 * {@value #JS_BURST} round trips for JavaScript, {@value #JAVA_BURST} for the much faster Java baseline.
 *
 * <p>{@link #js} with {@code impl}:
 * <ul>
 * <li>{@code js-two-realms}: the main script (started by {@link JsRuntime#newWorker}, its own loop)
 * pings a dedicated worker it started ({@code new Worker('echo.js')}, another loop and thread) through
 * a {@code MessageChannel} whose {@code port2} it transferred there; the worker's
 * {@code port.onmessage} posts {@code e.data} back. Each round trip: two structured clones of the
 * object ({@link JsCodec} serialize on the sender, deserialize into the receiver's context), two
 * cross-thread posts, two JS event dispatches.</li>
 * <li>{@code js-one-realm}: the same ping and echo code on the two ports of one channel in ONE realm
 * (one context, one loop): the codec and the dispatch without a thread hop.</li>
 * </ul>
 * {@link #javaBaseline}: the same round trip of a Java {@code String} between two plain entangle loops
 * ({@link EventLoop#start}, default idle strategy, as the workers' loops), no JavaScript; the String
 * passes by reference (immutable). Where the ends differ: the JS bursts are started by
 * {@link Worker#postMessage} and end with the script's {@code postMessage} to its Java parent; the Java
 * ones by a port owned by the pinging loop and a direct {@code complete}.
 *
 * <p>GraalJS runs interpreted on a stock JDK: the JS figures are interpreter figures.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED") // Truffle loads its native library
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
public class JsPingPongBenchmark {
    /** Round trips per operation of {@link #js}. */
    static final int JS_BURST = 20;
    /** Round trips per operation of {@link #javaBaseline}. */
    static final int JAVA_BURST = 10_000;
    private static final long TIMEOUT_SECONDS = 60;

    /** The ping side: on each message (a burst length) posts the payload and counts the replies. */
    private static final String PING = """
            const payload = { id: 1, name: 'ping', ok: true, xs: [1, 2, 3] };
            let left = 0;
            port1.onmessage = (e) => {
              if (--left > 0) {
                port1.postMessage(payload);
              } else {
                postMessage('done');
              }
            };
            onmessage = (e) => {
              if (e.data === 'stop') {
                stop();
                close();
                return;
              }
              left = e.data;
              port1.postMessage(payload);
            };
            """;

    private static final String TWO_REALMS = """
            const echo = new Worker('echo.js');
            const { port1, port2 } = new MessageChannel();
            echo.postMessage(null, [port2]);
            const stop = () => echo.terminate();
            """ + PING;

    private static final String ECHO = """
            onmessage = (e) => {
              const port = e.ports[0];
              port.onmessage = (m) => port.postMessage(m.data);
            };
            """;

    private static final String ONE_REALM = """
            const { port1, port2 } = new MessageChannel();
            port2.onmessage = (m) => port2.postMessage(m.data);
            const stop = () => port2.close();
            """ + PING;

    /** What a burst is started with and signals its end to. */
    abstract static class Side {
        volatile CompletableFuture<Object> done;

        abstract void start(int roundTrips);

        /** One burst: started, then waited for. */
        Object burst(int roundTrips) throws InterruptedException, ExecutionException, TimeoutException {
            CompletableFuture<Object> signal = new CompletableFuture<>();
            done = signal;
            start(roundTrips);
            return signal.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** The script worker of {@code impl}. */
    @State(Scope.Benchmark)
    public static class JsSide extends Side {
        @Param({"js-two-realms", "js-one-realm"})
        public String impl;

        private Path dir;
        private Worker worker;
        private final CompletableFuture<Integer> exit = new CompletableFuture<>();

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            String main;
            switch (impl) {
                case "js-two-realms":
                    main = TWO_REALMS;
                    break;
                case "js-one-realm":
                    main = ONE_REALM;
                    break;
                default:
                    throw new IllegalArgumentException("unknown impl " + impl);
            }
            dir = Files.createTempDirectory("entangle-js-bench");
            Files.writeString(dir.resolve("echo.js"), ECHO, StandardCharsets.UTF_8);
            Path script = Files.writeString(dir.resolve("main.js"), main, StandardCharsets.UTF_8);
            worker = JsRuntime.newWorker(script);
            worker.onerror(e -> done.completeExceptionally(new IllegalStateException(e.message())));
            worker.addEventListener("exit", e -> exit.complete(((Worker.ExitEvent) e).exitCode()));
            worker.onmessage(e -> done.complete(e.data())); // also starts the delivery of its events
        }

        @Override
        void start(int roundTrips) {
            worker.postMessage(roundTrips);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            worker.postMessage("stop"); // the script ends its echo side, then itself (close())
            int code = exit.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
            if (code != 0) {
                throw new IllegalStateException("the script ended with exit code " + code);
            }
        }
    }

    /** Two plain loops; a kick port owned by the pinging loop starts each burst. */
    @State(Scope.Benchmark)
    public static class JavaSide extends Side {
        private EventLoop a;
        private EventLoop b;
        private MessagePort kick;
        private int left; // loop A only

        @Setup(Level.Trial)
        public void setUp() {
            a = EventLoop.start("ping-a");
            b = EventLoop.start("echo-b");
            MessageChannel channel = new MessageChannel(a);
            // Move port2 to loop B through a carrier channel, the way ports reach other loops.
            MessageChannel carrier = new MessageChannel(b);
            CompletableFuture<MessagePort> atB = new CompletableFuture<>();
            carrier.port2().onmessage(e -> atB.complete(e.ports().get(0)));
            carrier.port1().postMessage(null, List.of(channel.port2()));
            MessagePort portB = atB.join();
            MessagePort portA = channel.port1();
            portB.onmessage(e -> portB.postMessage(e.data()));
            portA.onmessage(e -> {
                if (--left > 0) {
                    portA.postMessage("ping");
                } else {
                    done.complete("done");
                }
            });
            MessageChannel kicks = new MessageChannel(a);
            kicks.port2().onmessage(e -> {
                left = (Integer) e.data();
                portA.postMessage("ping");
            });
            kick = kicks.port1();
        }

        @Override
        void start(int roundTrips) {
            kick.postMessage(roundTrips);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            a.close();
            b.close();
            if (!a.awaitTermination(Duration.ofSeconds(TIMEOUT_SECONDS))
                    || !b.awaitTermination(Duration.ofSeconds(TIMEOUT_SECONDS))) {
                throw new IllegalStateException("a loop did not end");
            }
        }
    }

    /** JavaScript: {@value #JS_BURST} round trips of the object per operation. */
    @Benchmark
    @OperationsPerInvocation(JS_BURST)
    public Object js(JsSide side) throws InterruptedException, ExecutionException, TimeoutException {
        return side.burst(JS_BURST);
    }

    /** Baseline: {@value #JAVA_BURST} round trips of a String between two plain loops per operation. */
    @Benchmark
    @OperationsPerInvocation(JAVA_BURST)
    public Object javaBaseline(JavaSide side) throws InterruptedException, ExecutionException, TimeoutException {
        return side.burst(JAVA_BURST);
    }
}
