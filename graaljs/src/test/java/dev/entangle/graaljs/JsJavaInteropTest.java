package dev.entangle.graaljs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.entangle.MessageChannel;
import dev.entangle.Worker;

/**
 * Java talking to scripts: {@link JsRuntime#newWorker(Path)} (the script's {@code self.postMessage} /
 * {@code self.onmessage} against the returned {@link Worker}, a port sent from Java used from both
 * sides) and the exit codes of {@link JsRuntime#run(Path)}.
 */
class JsJavaInteropTest {
    private static final long TIMEOUT_SECONDS = 30;
    /** A negative check ("nothing arrives") waits this long. */
    private static final long QUIET_MILLIS = 200;
    private static final Path REPLY = Path.of("src", "test", "js", "interop", "reply.js");

    @TempDir
    Path dir;

    /** The reply.js worker of the test (terminated after it) and what it posted to Java, in order. */
    private Worker worker;
    private final LinkedBlockingQueue<Object> replies = new LinkedBlockingQueue<>();

    private Worker replyWorker() {
        worker = JsRuntime.newWorker(REPLY);
        worker.onmessage(e -> replies.add(e.data()));
        return worker;
    }

    @AfterEach
    void terminateTheWorker() throws Exception {
        if (worker != null) {
            worker.terminate().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** Takes the next item, failing the test if none comes within the timeout (also for JsComlinkJavaTest). */
    static <T> T next(LinkedBlockingQueue<T> queue) throws InterruptedException {
        T item = queue.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (item == null) {
            throw new AssertionError("nothing arrived within " + TIMEOUT_SECONDS + " s");
        }
        return item;
    }

    @Test
    void stringAndNumberRoundTripThroughAScriptWorker() throws Exception {
        Worker js = replyWorker();
        js.postMessage("from Java");
        js.postMessage(21);
        js.postMessage(1.25);
        assertEquals("echo from Java", next(replies));
        assertEquals(42.0, next(replies), "a JS number arrives as a Double");
        assertEquals(2.5, next(replies));
    }

    @Test
    void javaListsAndMapsReachTheScriptAsArraysAndMaps() throws Exception {
        Worker js = replyWorker();
        js.postMessage(List.of(1, 2, 3));
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("k", "v");
        map.put("n", 7);
        js.postMessage(map);
        assertEquals("array:[1,2,3]", next(replies));
        assertEquals("map:[[\"k\",\"v\"],[\"n\",7]]", next(replies));
    }

    /** JsCodec's table: a JS object graph reaches a Java receiver as LinkedHashMap, ArrayList, Double, BigInteger. */
    @Test
    void aJsObjectGraphReachesJavaAsMapsAndLists() throws Exception {
        replyWorker().postMessage("object please");
        Object data = next(replies);
        Map<?, ?> object = assertInstanceOf(Map.class, data, () -> "got " + data);
        assertEquals(List.of("n", "s", "list", "nested", "big"), List.copyOf(object.keySet()), "key order");
        assertEquals(1.0, object.get("n"));
        assertEquals("two", object.get("s"));
        assertEquals(Arrays.asList(3.0, "four", null), object.get("list"));
        assertEquals(Map.of("ok", true), object.get("nested"));
        assertEquals(BigInteger.valueOf(5), object.get("big"));
    }

    /**
     * A Java map is also an object to the script (own enumerable properties, as Comlink reads its
     * messages with Object.assign), and a port in the data is the event's port (HTML: one object).
     */
    @Test
    void aJavaMapIsAlsoAnObjectAndAPortInItIsTheEventsPort() throws Exception {
        worker = JsRuntime.newWorker("view.js", "self.onmessage = (e) => { const d = e.data;"
                + " const { type, list } = Object.assign({ path: [] }, d);"
                + " postMessage([Object.keys(d).join(), type, list.map((x) => x.n).join(), d instanceof Map,"
                + " d.get('type'), d.port === e.ports[0], d === e.data]); };");
        worker.onmessage(e -> replies.add(e.data()));
        MessageChannel channel = new MessageChannel();
        try {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("type", "APPLY");
            map.put("list", List.of(Map.of("n", 1), Map.of("n", 2)));
            map.put("port", channel.port2());
            worker.postMessage(map, List.of(channel.port2()));
            assertEquals(List.of("type,list,port", "APPLY", "1,2", true, "APPLY", true, true), next(replies));
        } finally {
            channel.port1().close();
        }
    }

    /** A script posts on what Java sent (inside its own object): the next script sees it as the first did. */
    @Test
    void aJavaValueAScriptPostsOnArrivesAsItCameFromJava() throws Exception {
        worker = JsRuntime.newWorker("relay.js", "self.onmessage = (e) => { const c = new MessageChannel();"
                + " c.port2.onmessage = (m) => { const inner = m.data.inner;"
                + " postMessage([inner.type, Object.keys(inner).join(), inner.list.length, inner instanceof Map]);"
                + " c.port1.close(); };"
                + " c.port1.postMessage({ inner: e.data }); };");
        worker.onmessage(e -> replies.add(e.data()));
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("type", "x");
        map.put("list", List.of(1, 2));
        worker.postMessage(map);
        assertEquals(List.of("x", "type,list", 2.0, true), next(replies));
    }

    @Test
    void aWorkerFromSourceTextRunsItAndIsNamedAfterIt() throws Exception {
        worker = JsRuntime.newWorker("inline.js",
                "self.onmessage = (e) => { postMessage(self.name + ':' + e.data * 3); close(); };");
        worker.onmessage(e -> replies.add(e.data()));
        worker.postMessage(14);
        assertEquals("inline.js:42", next(replies));
        assertThrows(IllegalArgumentException.class, () -> JsRuntime.newWorker("", "1"));
    }

    @Test
    void workersThatEndedLeaveNoRealmContextOrThreadBehind() throws Exception {
        // Lifetime: each worker's realm is closed (context closed, unbound from its loop) once its exit
        // has been dispatched; its thread has ended. 20 script workers, each posting once and closing.
        Path script = Files.writeString(dir.resolve("many.js"), """
                let left = 20;
                for (let i = 0; i < 20; i++) {
                  const w = new Worker('data:,postMessage(self.name); close();', { name: 'many-' + i });
                  w.onmessage = () => { left--; };
                }
                """);
        int realmsBefore = JsWorkers.running(); // an earlier test's terminated worker may still be exiting
        int hostsBefore = JsHost.Registry.HOSTS.size();
        Set<Thread> threadsBefore = Thread.getAllStackTraces().keySet();
        assertEquals(0, JsRuntime.run(script).toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        assertTrue(JsWorkers.running() <= realmsBefore, "realms of the 21 workers not closed");
        assertTrue(JsHost.Registry.HOSTS.size() <= hostsBefore, "realms still bound to their loops");
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (!threadsBefore.contains(t) && t.getName().startsWith("many")) {
                t.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS)); // it ends just after its exit was dispatched
                assertFalse(t.isAlive(), t.getName() + " still alive");
            }
        }
    }

    @Test
    void portSentFromJavaIsUsedFromBothSides() throws Exception {
        LinkedBlockingQueue<Object> onPort = new LinkedBlockingQueue<>();
        Worker js = replyWorker();
        MessageChannel channel = new MessageChannel();
        try {
            channel.port1().onmessage(e -> onPort.add(e.data()));
            js.postMessage("port", List.of(channel.port2()));
            assertEquals("port ready", next(onPort), "the script posted on the port it received");
            channel.port1().postMessage("hello from Java");
            assertEquals("js saw hello from Java", next(onPort));
        } finally {
            channel.port1().close();
        }
    }

    @Test
    void closeInTheScriptEndsTheWorkerWithExitCodeZeroAndNothingAfter() throws Exception {
        LinkedBlockingQueue<Integer> exit = new LinkedBlockingQueue<>();
        Worker js = JsRuntime.newWorker(REPLY);
        js.addEventListener("exit", e -> exit.add(((Worker.ExitEvent) e).exitCode()));
        js.onmessage(e -> replies.add(e.data()));
        js.postMessage("first");
        js.postMessage("close");
        js.postMessage("after close");
        assertEquals("echo first", next(replies));
        assertEquals(0, next(exit));
        assertNull(replies.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS), "a reply after close() (bounded wait)");
    }

    /** The exit codes of {@link JsRuntime#run(Path)}: what the script does, the code, the script. */
    static Stream<Arguments> programs() {
        return Stream.of(
                Arguments.of("ends by itself once no timer is pending", 0,
                        "let x = 1 + 1; setTimeout(() => { x++; }, 1);"),
                Arguments.of("throws while its script runs", 1,
                        "throw new Error('unhandled on purpose (JsJavaInteropTest)');"),
                Arguments.of("throws in a timer", 1,
                        "setTimeout(() => { throw new Error('unhandled in a timer on purpose'); }, 0);"),
                Arguments.of("handles its error in self.onerror", 0,
                        "self.onerror = () => true; setTimeout(() => { throw new Error('handled'); }, 0);"),
                Arguments.of("calls close() with a listening port open (ends at once)", 0,
                        "const c = new MessageChannel(); c.port1.onmessage = () => {}; close();"),
                Arguments.of("reports an error, then calls close()", 1,
                        "reportError(new Error('reported on purpose (JsJavaInteropTest)')); close();"));
    }

    @ParameterizedTest(name = "{0}: exit code {1}")
    @MethodSource("programs")
    void runCompletesWithTheProgramsExitCode(String behaviour, int expected, String source) throws Exception {
        assertEquals(expected, run(source), behaviour);
    }

    private int run(String source) throws Exception {
        Path script = Files.createTempFile(dir, "script", ".js");
        Files.writeString(script, source, StandardCharsets.UTF_8);
        return JsRuntime.run(script).toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
}
