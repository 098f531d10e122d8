package dev.entangle.graaljs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.entangle.Worker;

/**
 * The script file policy (issue 13, item 9): {@link JsFileAccess} decides what a script reaches with
 * GraalJS's {@code load()}, {@code import} (dynamic and static) and {@code new Worker(path)}; the Java
 * API's defaults are read-only under the script's directory (a script file) and nothing (source
 * text); {@link JsFileAccess#all()} is the command line's.
 */
class JsFileAccessTest {
    private static final long TIMEOUT_SECONDS = 30;

    @TempDir
    Path dir;
    private Path root;
    private Path outside;
    private Worker worker;
    private final LinkedBlockingQueue<Object> results = new LinkedBlockingQueue<>();

    /**
     * Probes every way a script reads a file and posts one map: what loaded ("ok ...") and what was
     * refused ("refused"). Paths are absolute, so the probe is the same wherever the script runs.
     */
    private String probe() {
        return """
                const at = %s;
                const r = {};
                function tryLoad(key, file) {
                  try { load(file); r[key] = 'ok ' + globalThis.loaded; } catch (e) { r[key] = 'refused'; }
                }
                function tryWorker(key, url, options) {
                  return new Promise((resolve) => {
                    const w = new Worker(url, options);
                    w.onmessage = (e) => { r[key] = 'ok ' + e.data; resolve(); };
                    w.onerror = () => { r[key] = 'refused'; resolve(); };
                  });
                }
                tryLoad('loadInside', at.inside);
                tryLoad('loadOutside', at.secret);
                tryLoad('loadThroughLink', at.link);
                Promise.all([
                  import(at.insideModule).then((m) => { r.importInside = 'ok ' + m.value; },
                                               () => { r.importInside = 'refused'; }),
                  import(at.secretModule).then((m) => { r.importOutside = 'ok ' + m.value; },
                                               () => { r.importOutside = 'refused'; }),
                  tryWorker('workerInside', at.insideWorker),
                  tryWorker('workerOutside', at.secretWorker),
                  tryWorker('workerImportingOutside', at.staticImporter, { type: 'module' }),
                  tryWorker('dataWorker', 'data:,postMessage("data")'),
                ]).then(() => { postMessage(r); close(); });
                """.formatted(paths());
    }

    private String paths() {
        return "{" + String.join(", ",
                entry("inside", root.resolve("inside.js")),
                entry("secret", outside.resolve("secret.js")),
                entry("link", root.resolve("link.js")),
                entry("insideModule", root.resolve("lib.mjs").toUri().toString()),
                entry("secretModule", outside.resolve("secret.mjs").toUri().toString()),
                entry("insideWorker", root.resolve("worker.js")),
                entry("secretWorker", outside.resolve("worker.js")),
                entry("staticImporter", root.resolve("imports-secret.mjs"))) + "}";
    }

    private static String entry(String key, Object value) {
        return key + ": '" + value.toString().replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    @BeforeEach
    void files() throws IOException {
        root = Files.createDirectories(dir.resolve("root"));
        outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(root.resolve("inside.js"), "globalThis.loaded = 'inside';");
        Files.writeString(root.resolve("lib.mjs"), "export const value = 'lib';");
        Files.writeString(root.resolve("worker.js"), "postMessage('inside worker'); close();");
        Files.writeString(root.resolve("imports-secret.mjs"), "import { value } from '"
                + outside.resolve("secret.mjs").toUri() + "'; postMessage(value); close();");
        Files.writeString(outside.resolve("secret.js"), "globalThis.loaded = 'secret';");
        Files.writeString(outside.resolve("secret.mjs"), "export const value = 'secret';");
        Files.writeString(outside.resolve("worker.js"), "postMessage('secret worker'); close();");
        Files.createSymbolicLink(root.resolve("link.js"), outside.resolve("secret.js"));
        Files.writeString(root.resolve("main.js"), probe());
    }

    @AfterEach
    void terminate() throws Exception {
        if (worker != null) {
            worker.terminate().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }

    private Map<?, ?> resultOf(Worker started) throws InterruptedException {
        worker = started;
        started.onmessage(e -> results.add(e.data()));
        Object result = results.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (result == null) {
            throw new AssertionError("no result within " + TIMEOUT_SECONDS + " s");
        }
        return (Map<?, ?>) result;
    }

    private static Map<String, String> expected(String inside, String outsideOrLink) {
        return Map.of("loadInside", inside.equals("refused") ? inside : "ok inside",
                "loadOutside", outsideOrLink.equals("refused") ? outsideOrLink : "ok secret",
                "loadThroughLink", outsideOrLink.equals("refused") ? outsideOrLink : "ok secret",
                "importInside", inside.equals("refused") ? inside : "ok lib",
                "importOutside", outsideOrLink.equals("refused") ? outsideOrLink : "ok secret",
                "workerInside", inside.equals("refused") ? inside : "ok inside worker",
                "workerOutside", outsideOrLink.equals("refused") ? outsideOrLink : "ok secret worker",
                "workerImportingOutside", outsideOrLink.equals("refused") ? outsideOrLink : "ok secret",
                "dataWorker", "ok data");
    }

    @Test
    void readOnlyUnderARootAdmitsItsFilesOnlyAlsoForWorkersAndNotThroughASymbolicLink() throws Exception {
        Map<?, ?> result = resultOf(JsRuntime.newWorker(root.resolve("main.js"), JsFileAccess.readOnly(root)));
        assertEquals(expected("ok", "refused"), result);
    }

    @Test
    void aScriptFileReadsUnderItsOwnDirectoryByDefault() throws Exception {
        Map<?, ?> result = resultOf(JsRuntime.newWorker(root.resolve("main.js")));
        assertEquals(expected("ok", "refused"), result);
    }

    @Test
    void noneRefusesEveryFileButDataWorkersRun() throws Exception {
        Map<?, ?> result = resultOf(JsRuntime.newWorker(root.resolve("main.js"), JsFileAccess.none()));
        assertEquals(expected("refused", "refused"), result);
    }

    @Test
    void sourceTextReadsNoFileByDefault() throws Exception {
        Map<?, ?> result = resultOf(JsRuntime.newWorker("probe", probe()));
        assertEquals(expected("refused", "refused"), result);
    }

    @Test
    void allReadsEveryFileAsTheCommandLineDoes() throws Exception {
        Map<?, ?> result = resultOf(JsRuntime.newWorker(root.resolve("main.js"), JsFileAccess.all()));
        assertEquals(expected("ok", "ok"), result);
    }

    @Test
    void aNestedWorkerInheritsItsCreatorsPolicy() throws Exception {
        // main.js, started as a worker of an inline script under readOnly(root), probes from there.
        String starter = "const w = new Worker('" + root.resolve("main.js").toString().replace("\\", "\\\\")
                + "'); w.onmessage = (e) => { postMessage(e.data); close(); };";
        Map<?, ?> result = resultOf(JsRuntime.newWorker("starter", starter, JsFileAccess.readOnly(root)));
        assertEquals(expected("ok", "refused"), result);
    }

    @Test
    void badPoliciesAndArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> JsFileAccess.readOnly(dir.resolve("missing")));
        assertThrows(IllegalArgumentException.class, () -> JsFileAccess.readOnly(root.resolve("inside.js")));
        assertThrows(NullPointerException.class, () -> JsFileAccess.readOnly(null));
        assertThrows(NullPointerException.class, () -> JsRuntime.newWorker(root.resolve("main.js"), null));
        assertThrows(NullPointerException.class, () -> JsRuntime.newWorker("n", "1", null));
        assertThrows(NullPointerException.class, () -> JsRuntime.run(root.resolve("main.js"), null));
        assertEquals("JsFileAccess.none()", JsFileAccess.none().toString());
        assertEquals("JsFileAccess.all()", JsFileAccess.all().toString());
    }
}
