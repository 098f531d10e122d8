package dev.entangle.graaljs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * {@code MessagePort}, average per round trip. One operation is a burst of {@link #BURST} round trips
 * driven by the pinging side itself: the JMH thread posts the burst length, the pinging side posts,
 * counts each reply and posts again, then signals the JMH thread once (a message it completes a
 * {@link CompletableFuture} from); JMH divides by {@code BURST} ({@link OperationsPerInvocation}). No
 * sleeps; the start and end signals are one hop each per burst.
 *
 * <p>{@code impl}:
 * <ul>
 * <li>{@code js-two-realms}: the main script (started by {@link JsRuntime#newWorker}, its own loop)
 * pings a dedicated worker it started ({@code new Worker('echo.js')}, another loop and thread) through
 * a {@code MessageChannel} whose {@code port2} it transferred there; the worker's
 * {@code port.onmessage} posts {@code e.data} back. Each round trip: two structured clones of the
 * object ({@link JsCodec} serialize on the sender, deserialize into the receiver's context), two
 * cross-thread posts, two JS event dispatches.</li>
 * <li>{@code js-one-realm}: the same ping and echo code on two ports of one channel in ONE realm (one
 * context, one loop): the codec and the dispatch without a thread hop.</li>
 * <li>{@code java-two-loops} (baseline): the same round trip of a Java {@code String} between two
 * plain entangle loops ({@link EventLoop#start}, default idle strategy, as the workers' loops), no
 * JavaScript; the String passes by reference (immutable).</li>
 * </ul>
 * Where the ends differ: the JS bursts are started by {@link Worker#postMessage} and signal the end by
 * the script's {@code postMessage} to its Java parent; the Java one by a port owned by the pinging
 * loop and a direct {@code complete}. One hop each per burst of {@value #BURST}.
 *
 * <p>GraalJS runs interpreted on a stock JDK: the JS figures are interpreter figures.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
@State(Scope.Benchmark)
public class JsPingPongBenchmark {
    /** Round trips per operation. */
    static final int BURST = 100;
    private static final long TIMEOUT_SECONDS = 30;

    @Param({"js-two-realms", "js-one-realm", "java-two-loops"})
    public String impl;

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

    private volatile CompletableFuture<Object> done;
    private Burst burst;

    interface Burst {
        void start(int roundTrips);

        void close() throws Exception;
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        switch (impl) {
            case "js-two-realms":
                burst = new JsBurst(TWO_REALMS);
                break;
            case "js-one-realm":
                burst = new JsBurst(ONE_REALM);
                break;
            case "java-two-loops":
                burst = new JavaBurst();
                break;
            default:
                throw new IllegalArgumentException("unknown impl " + impl);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        burst.close();
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public Object roundTrips() throws InterruptedException, ExecutionException, TimeoutException {
        CompletableFuture<Object> signal = new CompletableFuture<>();
        done = signal;
        burst.start(BURST);
        return signal.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** A script worker started from Java; its bursts are started and end by messages. */
    final class JsBurst implements Burst {
        private final Path dir;
        private final Worker worker;
        private final CompletableFuture<Integer> exit = new CompletableFuture<>();

        JsBurst(String main) throws IOException {
            dir = Files.createTempDirectory("entangle-js-bench");
            Files.writeString(dir.resolve("echo.js"), ECHO, StandardCharsets.UTF_8);
            Path script = Files.writeString(dir.resolve("main.js"), main, StandardCharsets.UTF_8);
            worker = JsRuntime.newWorker(script);
            worker.onerror(e -> done.completeExceptionally(new IllegalStateException(e.message())));
            worker.addEventListener("exit", e -> exit.complete(((Worker.ExitEvent) e).exitCode()));
            worker.onmessage(e -> done.complete(e.data())); // starts the worker's event delivery
        }

        @Override
        public void start(int roundTrips) {
            worker.postMessage(roundTrips);
        }

        @Override
        public void close() throws Exception {
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
    final class JavaBurst implements Burst {
        private final EventLoop a = EventLoop.start("ping-a");
        private final EventLoop b = EventLoop.start("echo-b");
        private final MessagePort kick;
        private int left; // loop A only

        JavaBurst() {
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
        public void start(int roundTrips) {
            kick.postMessage(roundTrips);
        }

        @Override
        public void close() throws InterruptedException {
            a.close();
            b.close();
            if (!a.awaitTermination(java.time.Duration.ofSeconds(TIMEOUT_SECONDS))
                    || !b.awaitTermination(java.time.Duration.ofSeconds(TIMEOUT_SECONDS))) {
                throw new IllegalStateException("a loop did not end");
            }
        }
    }
}
