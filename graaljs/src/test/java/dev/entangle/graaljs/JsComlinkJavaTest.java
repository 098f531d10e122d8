package dev.entangle.graaljs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.entangle.EventLoop;
import dev.entangle.MessageChannel;
import dev.entangle.MessagePort;
import dev.entangle.Remote;
import dev.entangle.RemoteError;
import dev.entangle.Worker;

/**
 * Issue 15's target: Java's {@link Remote} and JavaScript's Comlink 4.4.2 (unmodified, from npm, see
 * {@link JsLibrariesTest}) on one wire, both ways. A Java object exposed with {@link Remote#expose} is
 * called by {@code Comlink.wrap(port)} in a GraalJS worker ({@code comlink-java-worker.js}), and a
 * {@link Remote#wrap} proxy calls an object the worker exposed with {@code Comlink.expose}; each way
 * with a result, a thrown error (type, message and stack carried) and a callback passed as an argument
 * ({@code Comlink.proxy(fn)} from JavaScript, a Java functional interface from Java) that the far side
 * calls back across. Skipped, with a message, when the libraries are not installed.
 */
class JsComlinkJavaTest {
    private static final long TIMEOUT_SECONDS = 30;

    /** The Java object the worker calls. */
    public interface JavaApi {
        CompletableFuture<Integer> add(int a, int b);

        CompletableFuture<String> fail(String why);

        /** Calls {@code label} twice (with 1, then 2) and answers both results. */
        CompletableFuture<String> twice(Label label);
    }

    /** A callback: Comlink calls a proxied function as a function, so a functional interface. */
    public interface Label {
        CompletableFuture<String> apply(int x);
    }

    /** The worker's {@code api}, as Java calls it. */
    public interface JsApi {
        CompletableFuture<Double> sum(double a, double b);

        CompletableFuture<Object> echo(Map<String, Object> value);

        CompletableFuture<Object> fail(String why);

        CompletableFuture<String> applyTwice(Label label, int x);
    }

    /** The worker's bare function, as Java calls it. */
    public interface Divide {
        CompletableFuture<Double> apply(double a, double b);
    }

    private Worker worker;
    private EventLoop javaSide;
    private final LinkedBlockingQueue<Object> lines = new LinkedBlockingQueue<>();

    @BeforeAll
    static void copyThePrograms() throws Exception {
        JsLibrariesTest.copyThePrograms();
    }

    @BeforeEach
    void startTheWorker() {
        worker = JsRuntime.newWorker(JsLibrariesTest.INSTALLED.resolve("comlink-java-worker.js"));
        worker.onmessage(e -> lines.add(e.data()));
        worker.addEventListener("error", e -> lines.add("worker error " + e));
        javaSide = EventLoop.start("java-side");
    }

    @AfterEach
    void stop() throws Exception {
        worker.terminate().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        javaSide.close();
        assertTrue(javaSide.awaitTermination(Duration.ofSeconds(TIMEOUT_SECONDS)));
    }

    private Object next() throws InterruptedException {
        return JsJavaInteropTest.next(lines);
    }

    @Test
    void comlinkInTheWorkerCallsAJavaObjectExposedWithRemote() throws Exception {
        MessageChannel channel = new MessageChannel(javaSide);
        List<String> threads = new ArrayList<>();
        Remote.expose(JavaApi.class, new JavaApi() {
            @Override
            public CompletableFuture<Integer> add(int a, int b) {
                threads.add(Thread.currentThread().getName());
                return CompletableFuture.completedFuture(a + b);
            }

            @Override
            public CompletableFuture<String> fail(String why) {
                throw new IllegalArgumentException("java refused: " + why);
            }

            @Override
            public CompletableFuture<String> twice(Label label) {
                return label.apply(1).thenCombine(label.apply(2), (one, two) -> one + "; " + two);
            }
        }, channel.port1());
        worker.postMessage("call java", List.of(channel.port2()));

        assertEquals("add 5", next());
        assertEquals("error java.lang.IllegalArgumentException: java refused: bad input", next());
        Object stack = next();
        assertTrue(stack.toString().startsWith("stack java.lang.IllegalArgumentException: java refused: bad input"
                + " |     at "), () -> "the Java stack: " + stack);
        assertTrue(stack.toString().contains("JsComlinkJavaTest$1.fail(JsComlinkJavaTest.java:"), () -> "the Java stack: " + stack);
        assertEquals("callback js got 1; js got 2", next(), "Comlink.proxy(fn) called back from Java");
        assertEquals("done", next());
        assertEquals(List.of("java-side"), threads, "the exposed method ran on the exposing port's loop");
    }

    @Test
    void aRemoteProxyCallsAnObjectTheWorkerExposedWithComlink() throws Exception {
        JsApi js = Remote.wrap(JsApi.class, exposedByTheWorker("expose"), Duration.ofSeconds(TIMEOUT_SECONDS));

        assertEquals(5.0, js.sum(2, 3).get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        Map<String, Object> sent = new LinkedHashMap<>();
        sent.put("name", "alice");
        sent.put("list", List.of(1, 2));
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("got", sent);
        expected.put("keys", "name,list");
        assertEquals(expected, js.echo(sent).get(TIMEOUT_SECONDS, TimeUnit.SECONDS),
                "what Java sent, posted back by the script inside its own object");

        ExecutionException thrown = assertThrows(ExecutionException.class,
                () -> js.fail("bad input").get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        RemoteError error = assertInstanceOf(RemoteError.class, thrown.getCause());
        assertEquals("RangeError", error.remoteName());
        assertEquals("js refused: bad input", error.getMessage());
        assertTrue(error.remoteStack().contains("comlink-java-worker.js"),
                () -> "the JavaScript stack names the worker's script: " + error.remoteStack());

        List<String> threads = new ArrayList<>();
        Label label = x -> {
            synchronized (threads) {
                threads.add(Thread.currentThread().getName());
            }
            return CompletableFuture.completedFuture("java saw " + x);
        };
        CompletableFuture<String> both = CompletableFuture.supplyAsync(() -> js.applyTwice(label, 7), javaSide::execute)
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS); // called on a loop: the callback is exposed there
        assertEquals("java saw 7, java saw 8", both.get(TIMEOUT_SECONDS, TimeUnit.SECONDS),
                "a Java callback called back from JavaScript, in order");
        synchronized (threads) {
            assertEquals(List.of("java-side", "java-side"), threads, "the callback ran on the calling loop");
        }
        Remote.release(js);
    }

    @Test
    void aFunctionProxyCallsAFunctionTheWorkerExposedWithComlink() throws Exception {
        // Comlink.expose(fn): the worker serves a bare function, called with an empty path.
        Divide divide = Remote.wrapFunction(Divide.class, exposedByTheWorker("expose function"),
                Duration.ofSeconds(TIMEOUT_SECONDS));

        assertEquals(2.5, divide.apply(5, 2).get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        ExecutionException thrown = assertThrows(ExecutionException.class,
                () -> divide.apply(1, 0).get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        RemoteError error = assertInstanceOf(RemoteError.class, thrown.getCause());
        assertEquals("RangeError", error.remoteName());
        assertEquals("js refused to divide by zero", error.getMessage());
        assertEquals(-4.0, divide.apply(8, -2).get(TIMEOUT_SECONDS, TimeUnit.SECONDS),
                "the function still answers after a throw");
        Remote.release(divide);
    }

    /** Sends the worker {@code command} with a new channel's port2; returns port1 (owned by javaSide). */
    private MessagePort exposedByTheWorker(String command) {
        MessageChannel channel = new MessageChannel(javaSide);
        worker.postMessage(command, List.of(channel.port2()));
        return channel.port1();
    }
}
