package dev.entangle.graaljs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.entangle.EventLoop;
import dev.entangle.Worker;

/**
 * The spare realm (JsSpareRealm): a worker realm made ahead of its worker must not change what a
 * worker sees. Each worker still gets a fresh global (HTML "run a worker" step: a new realm per
 * worker), bound to its own URL, name and time origin (HR-Time: the time origin is when the worker's
 * global scope is set up); a worker whose file policy the spare does not serve gets a new realm; an
 * unused spare is closed once no realm runs and is made on a daemon thread.
 */
class JsSpareRealmTest {
    private static final long TIMEOUT_SECONDS = 60;
    private final LinkedBlockingQueue<Object> results = new LinkedBlockingQueue<>();
    private final List<Worker> workers = new java.util.ArrayList<>();
    private Worker worker;

    @TempDir
    Path dir;

    @AfterEach
    void terminate() {
        workers.forEach(Worker::terminate);
    }

    private Object next(Worker started) throws InterruptedException {
        if (worker != started) {
            worker = started;
            workers.add(started);
            started.onmessage(e -> results.add(e.data()));
        }
        Object result = results.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (result == null) {
            throw new AssertionError("no result within " + TIMEOUT_SECONDS + " s");
        }
        return result;
    }

    @Test
    void workersMadeOneAfterAnotherFromSparesGetFreshGlobalsOfTheirOwn() throws Exception {
        // Worker a writes a global; b, started once a answered (from the spare made while a ran), must
        // not see it, and has its own name, location and a time origin not before its `new Worker`.
        String probe = "const before = typeof globalThis.leak; globalThis.leak = self.name;"
                + " postMessage({before, name: self.name, href: location.href, origin: performance.timeOrigin,"
                + " now: performance.now()}); close();";
        String url = "data:text/javascript," + java.net.URLEncoder.encode(probe, "UTF-8").replace("+", "%20");
        String starter = """
                const url = %s;
                const start = (name) => new Promise((resolve) => {
                  const createdAt = performance.timeOrigin + performance.now();
                  const w = new Worker(url, { name });
                  w.onmessage = (e) => resolve({ ...e.data, createdAt });
                });
                (async () => {
                  const a = await start('a');
                  const b = await start('b');
                  postMessage([a, b, typeof globalThis.leak]);
                })();
                """.formatted("'" + url + "'");
        int takenBefore = JsSpareRealm.taken();
        List<?> result = (List<?>) next(JsRuntime.newWorker("starter", starter));
        Map<?, ?> a = (Map<?, ?>) result.get(0);
        Map<?, ?> b = (Map<?, ?>) result.get(1);
        assertEquals("undefined", a.get("before"));
        assertEquals("undefined", b.get("before"), "worker b saw worker a's global");
        assertEquals("undefined", result.get(2), "the starter saw a worker's global");
        assertEquals("a", a.get("name"));
        assertEquals("b", b.get("name"));
        assertEquals(url, b.get("href"));
        for (Map<?, ?> w : List.of(a, b)) {
            double origin = (Double) w.get("origin");
            double createdAt = (Double) w.get("createdAt");
            // the worker's time origin is set when its realm is bound, after `new Worker` (1 ms: two clocks)
            assertTrue(origin >= createdAt - 1, "time origin " + origin + " before new Worker at " + createdAt);
            assertTrue((Double) w.get("now") >= 0);
        }
        assertTrue(JsSpareRealm.taken() - takenBefore >= 2, "workers a and b were not made from spares");
    }

    @Test
    void aWorkerWhosePolicyTheSpareDoesNotServeGetsANewRealmThatReadsItsOwnFiles() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.writeString(root.resolve("lib.js"), "globalThis.fromLib = 'lib';");
        // a spare for none(): left by the starter of a worker under none()
        assertEquals("ready", next(JsRuntime.newWorker("holder",
                "self.onmessage = () => {}; postMessage('ready');"))); // stays up: its realm runs
        assertTrue(JsSpareRealm.held(), "no spare made once a realm was up");
        int takenBefore = JsSpareRealm.taken();
        Worker reader = JsRuntime.newWorker("reader", "load(" + jsString(root.resolve("lib.js")) + ");"
                + " postMessage([fromLib, self.name]);", JsFileAccess.readOnly(root));
        assertEquals(List.of("lib", "reader"), next(reader));
        assertEquals(takenBefore, JsSpareRealm.taken(), "a spare for none() served a readOnly(root) worker");
    }

    @Test
    void aSpareServesAWorkerOfAnEqualReadOnlyPolicy() throws Exception {
        Path root = Files.createDirectories(dir.resolve("same"));
        Files.writeString(root.resolve("lib.js"), "globalThis.fromLib = 'same';");
        assertEquals("up", next(JsRuntime.newWorker("first", "self.onmessage = () => {}; postMessage('up');",
                JsFileAccess.readOnly(root))));
        int takenBefore = JsSpareRealm.taken();
        Worker second = JsRuntime.newWorker("second", "load(" + jsString(root.resolve("lib.js")) + ");"
                + " postMessage(fromLib);", JsFileAccess.readOnly(root));
        assertEquals("same", next(second));
        assertEquals(takenBefore + 1, JsSpareRealm.taken());
    }

    @Test
    void aSpareIsMadeOnADaemonThreadAndDiscardedUnused() {
        assertTrue(JsSpareRealm.maker(() -> { }).isDaemon(), "a spare being made would keep the JVM alive");
        JsSpareRealm.prepare(JsFileAccess.none());
        assertTrue(JsSpareRealm.held());
        JsSpareRealm.discard();
        assertFalse(JsSpareRealm.held());
        assertNull(JsSpareRealm.take(JsFileAccess.none()), "a discarded spare was handed out");
    }

    @Test
    void theLastRealmToEndDiscardsTheSpare() throws Exception {
        Path script = Files.writeString(dir.resolve("one.js"),
                "const w = new Worker('data:,postMessage(1); close();'); w.onmessage = () => {};");
        int realmsBefore = JsWorkers.running(); // an earlier test's terminated worker may still be exiting
        assertEquals(0, JsRuntime.run(script).toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        if (realmsBefore == 0 && JsWorkers.running() == 0) {
            assertFalse(JsSpareRealm.held(), "a spare outlived the last realm");
        }
    }

    @Test
    void aSpareReadsNoWorkerValueBeforeItIsBoundAndIsBoundOnItsLoopOnce() throws Exception {
        JsRealm spare = JsRealm.spare(JsFileAccess.none()); // its prelude read none of them
        try {
            assertThrows(IllegalStateException.class, spare::location);
            assertThrows(IllegalStateException.class, spare::name);
            assertThrows(IllegalStateException.class, spare::now);
            assertThrows(IllegalStateException.class, () -> spare.bind(EventLoop.common(), "data:,", "data:,", null,
                    "x", (message, filename, lineno, colno, stack) -> { }),
                    "bound off its loop");
        } finally {
            spare.close();
        }
    }

    private static String jsString(Path path) {
        return "'" + path.toString().replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
