package dev.entangle.graaljs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyExecutable;

import dev.entangle.EventLoop;
import dev.entangle.MessageEvent;
import dev.entangle.Worker;

/**
 * Runs web-platform-tests files, unmodified, as wptserve would serve them: the files of a WPT checkout
 * ({@code root}) are the origin {@link #ORIGIN} and WPT's others ({@link WptServer}), so root-relative URLs ({@code /resources/testharness.js},
 * {@code /common/...}) and worker scripts resolve as in a browser. For each {@code .any.js} file, the
 * variants its {@code // META: global=} names that need no window: {@code .any.html} runs it in a main
 * realm (testharness.js's shell environment: no document, {@code GLOBAL.isWindow()} false), and
 * {@code .any.worker.html} in a dedicated worker, from the wrapper wptserve generates
 * ({@code X.any.worker.js}: {@code importScripts} of testharness.js, the {@code // META: script=}
 * files and the test, then {@code done()}). A {@code .worker.js} file is its own worker script
 * ({@code .worker.html}). Results come from testharness.js itself: {@code add_result_callback} /
 * {@code add_completion_callback} in the main realm, the messages of its dedicated-worker environment
 * (the same callbacks, posted to the parent) for a worker. {@code // META: timeout=long} gets
 * {@link #LONG_TIMEOUT}, others {@link #TIMEOUT}; then the runner calls testharness's {@code timeout()}
 * (status TIMEOUT, unfinished tests TIMEOUT) and, if the realm does not answer, ends the variant itself.
 * The limits are generous (interpreted GraalJS on a loaded machine: a cold first variant takes seconds
 * to parse testharness.js) and cost nothing while no variant is expected to time out;
 * {@code -Dwpt.timeout=seconds} changes them.
 *
 * <p>Threads: {@link #run} from any thread; each variant has its own loops.
 */
final class WptRunner {
    static final String ORIGIN = WptServer.ORIGIN;
    static final Duration TIMEOUT = Duration.ofSeconds(Long.getLong("wpt.timeout", 60));
    static final Duration LONG_TIMEOUT = TIMEOUT.multipliedBy(3);
    private static final Duration GRACE = Duration.ofSeconds(5);
    private static final Pattern META = Pattern.compile("^//\\s*META:\\s*(\\w+)=(.*)$");

    /** A test variant: the file (relative to the root), its kind, its META lines. */
    record Variant(String file, Kind kind, List<String> scripts, boolean longTimeout, String title) {
        /** WPT's own URL of this variant, relative to the root ("workers/a.any.worker.html"). */
        String id() {
            return switch (kind) {
                case MAIN -> file.replaceFirst("\\.any\\.js$", ".any.html");
                case ANY_WORKER -> file.replaceFirst("\\.any\\.js$", ".any.worker.html");
                case WORKER -> file.replaceFirst("\\.worker\\.js$", ".worker.html");
            };
        }
    }

    enum Kind { MAIN, ANY_WORKER, WORKER }

    /** testharness.js statuses, by their numbers. */
    static final List<String> TEST_STATUS = List.of("PASS", "FAIL", "TIMEOUT", "NOTRUN", "PRECONDITION_FAILED");
    static final List<String> HARNESS_STATUS = List.of("OK", "ERROR", "TIMEOUT", "PRECONDITION_FAILED");

    record Subtest(String name, String status, String message) {
    }

    /** What a variant did: the harness status (OK, ERROR, TIMEOUT, ...), its message, its subtests. */
    record Result(Variant variant, String harness, String message, List<Subtest> subtests) {
    }

    private final Path root;

    WptRunner(Path root) {
        this.root = root.toAbsolutePath().normalize();
        new WptServer(this.root, this::generated).install();
    }

    // ------------------------------------------------------------------ discovery

    /** The variants of the tests under {@code folders} (relative to the root), sorted by id. */
    List<Variant> variants(List<String> folders) throws IOException {
        List<Variant> out = new ArrayList<>();
        for (String folder : folders) {
            try (Stream<Path> files = Files.walk(root.resolve(folder))) {
                for (Path p : files.sorted().toList()) {
                    String rel = root.relativize(p).toString().replace('\\', '/');
                    String name = p.getFileName().toString();
                    if (rel.contains("/resources/") || rel.contains("/support/")
                            || !(name.endsWith(".any.js") || name.endsWith(".worker.js"))) {
                        continue;
                    }
                    out.addAll(variantsOf(rel));
                }
            }
        }
        return out;
    }

    private List<Variant> variantsOf(String rel) throws IOException {
        List<String> scripts = new ArrayList<>();
        List<String> globals = new ArrayList<>();
        boolean longTimeout = false;
        String title = null;
        for (String line : Files.readAllLines(root.resolve(rel), StandardCharsets.ISO_8859_1)) {
            Matcher m = META.matcher(line.strip());
            if (!m.matches()) {
                if (line.isBlank() || line.strip().startsWith("//")) {
                    continue;
                }
                break; // META lines come first
            }
            String value = m.group(2).strip();
            switch (m.group(1)) {
                case "script" -> scripts.add(value);
                case "global" -> globals.addAll(List.of(value.split("\\s*,\\s*")));
                case "timeout" -> longTimeout = value.equals("long");
                case "title" -> title = value;
                default -> { } // variant=, quic=...: not used by these files
            }
        }
        if (rel.endsWith(".worker.js")) {
            return List.of(new Variant(rel, Kind.WORKER, List.of(), longTimeout, title));
        }
        if (globals.isEmpty()) {
            globals = List.of("window", "dedicatedworker");
        }
        List<Variant> out = new ArrayList<>();
        if (globals.contains("window") || globals.contains("jsshell")) { // no document: the main realm
            out.add(new Variant(rel, Kind.MAIN, scripts, longTimeout, title));
        }
        if (globals.contains("worker") || globals.contains("dedicatedworker")) {
            out.add(new Variant(rel, Kind.ANY_WORKER, scripts, longTimeout, title));
        }
        return out; // sharedworker, serviceworker, shadowrealm: not run
    }

    // ------------------------------------------------------------------ the origin

    /** What wptserve generates for {@code rel} ("workers/a.any.worker.js": the worker wrapper), or null. */
    private String generated(String rel) {
        if (!rel.endsWith(".any.worker.js")) {
            return null;
        }
        String test = rel.replaceFirst("\\.any\\.worker\\.js$", ".any.js");
        if (!Files.isRegularFile(root.resolve(test))) {
            return null;
        }
        try {
            Variant v = variantsOf(test).stream().filter(x -> x.kind() == Kind.ANY_WORKER).findFirst().orElse(null);
            return v == null ? null : workerWrapper(v);
        } catch (IOException e) {
            return null;
        }
    }

    private static String globalDeclaration(boolean worker) {
        return "self.GLOBAL = { isWindow: function () { return false; }, isWorker: function () { return " + worker
                + "; }, isShadowRealm: function () { return false; } };\n";
    }

    private static String metaTitle(Variant v) {
        return v.title() == null ? "" : "self.META_TITLE = " + jsString(v.title()) + ";\n";
    }

    /** wptserve's {@code X.any.worker.js}. */
    private static String workerWrapper(Variant v) {
        StringBuilder s = new StringBuilder(metaTitle(v)).append(globalDeclaration(true));
        s.append("importScripts(\"/resources/testharness.js\");\n");
        for (String script : v.scripts()) {
            s.append("importScripts(").append(jsString(script)).append(");\n");
        }
        s.append("importScripts(").append(jsString("/" + v.file())).append(");\ndone();\n");
        return s.toString();
    }

    private static String jsString(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    // ------------------------------------------------------------------ running

    /** Runs one variant to its completion or timeout. */
    Result run(Variant v) {
        Duration limit = v.longTimeout() ? LONG_TIMEOUT : TIMEOUT;
        return v.kind() == Kind.MAIN ? runMain(v, limit) : runWorker(v, limit);
    }

    /** Collects what testharness.js reports, from any thread. */
    private static final class Collector {
        final ConcurrentLinkedQueue<Subtest> results = new ConcurrentLinkedQueue<>();
        final CompletableFuture<String[]> complete = new CompletableFuture<>();
        final CompletableFuture<Void> ended = new CompletableFuture<>(); // the worker exited
        final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();

        void result(String name, int status, String message) {
            results.add(new Subtest(name, TEST_STATUS.get(status), message));
        }

        Result finish(Variant v, boolean answered) {
            String[] c = complete.getNow(null);
            List<Subtest> subtests = List.copyOf(results);
            if (c == null) {
                String why = (ended.isDone() ? "the worker exited before the harness completed"
                        : answered ? "the harness did not complete" : "no answer within the timeout")
                        + (errors.isEmpty() ? "" : "; errors: " + String.join(" | ", errors));
                return new Result(v, ended.isDone() ? "ERROR" : "TIMEOUT", why, subtests);
            }
            return new Result(v, c[0], c[1], subtests);
        }
    }

    private static String str(Object o) {
        return o == null ? null : String.valueOf(o);
    }

    private Result runMain(Variant v, Duration limit) {
        Collector c = new Collector();
        String url = ORIGIN + "/" + v.file().replaceFirst("\\.any\\.js$", ".any.html");
        EventLoop loop = EventLoop.start("wpt-main", (thread, error) -> c.errors.add(String.valueOf(error)));
        AtomicReference<JsRealm> cell = new AtomicReference<>();
        try {
            loop.execute(() -> {
                JsRealm realm = new JsRealm(loop, url, url, null, false, "",
                        (message, filename, lineno, colno, stack) -> c.errors.add(message));
                cell.set(realm);
                Value bindings = realm.context().getBindings("js");
                bindings.putMember("__wptImport", (ProxyExecutable) args -> {
                    realm.importScripts(List.of(args[0].asString()));
                    return null;
                });
                bindings.putMember("__wptResult", (ProxyExecutable) args -> {
                    c.result(args[0].asString(), args[1].asInt(), args[2].isNull() ? null : args[2].asString());
                    return null;
                });
                bindings.putMember("__wptComplete", (ProxyExecutable) args -> {
                    c.complete.complete(new String[] {HARNESS_STATUS.get(args[0].asInt()),
                            args[1].isNull() ? null : args[1].asString()});
                    return null;
                });
                StringBuilder driver = new StringBuilder(metaTitle(v)).append(globalDeclaration(false));
                driver.append("__wptImport('/resources/testharness.js');\n")
                        .append("add_result_callback(function (t) { __wptResult(String(t.name), t.status, "
                                + "t.message == null ? null : String(t.message)); });\n")
                        .append("add_completion_callback(function (tests, status) { __wptComplete(status.status, "
                                + "status.message == null ? null : String(status.message)); });\n");
                for (String script : v.scripts()) {
                    driver.append("__wptImport(").append(jsString(script)).append(");\n");
                }
                driver.append("__wptImport(").append(jsString("/" + v.file())).append(");\n");
                realm.evaluate(Source.newBuilder("js", driver.toString(), url).buildLiteral());
            });
            boolean answered = await(c.complete, limit);
            if (!answered) {
                loop.execute(() -> {
                    JsRealm r = cell.get();
                    if (r != null) {
                        r.enter(() -> r.context().eval("js", "typeof timeout === 'function' && timeout()"));
                    }
                });
                answered = await(c.complete, GRACE);
            }
            return c.finish(v, answered);
        } finally {
            loop.execute(() -> {
                JsRealm r = cell.get();
                if (r != null) {
                    r.close();
                }
            });
            loop.close();
            try {
                loop.awaitTermination(GRACE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Result runWorker(Variant v, Duration limit) {
        Collector c = new Collector();
        String url = ORIGIN + "/" + (v.kind() == Kind.WORKER ? v.file()
                : v.file().replaceFirst("\\.any\\.js$", ".any.worker.js"));
        AtomicReference<JsRealm> cell = new AtomicReference<>();
        JsScript script = JsScript.resolve(url, ORIGIN + "/", false);
        Worker worker = JsWorkers.startFromJava(script, "wpt-worker", JsFileAccess.none(), cell, false); // served, no host files
        worker.addEventListener("message", event -> {
            if (((MessageEvent) event).data() instanceof Map<?, ?> m) {
                if ("result".equals(m.get("type")) && m.get("test") instanceof Map<?, ?> t) {
                    c.result(str(t.get("name")), ((Number) t.get("status")).intValue(), str(t.get("message")));
                } else if ("complete".equals(m.get("type")) && m.get("status") instanceof Map<?, ?> s) {
                    c.complete.complete(new String[] {HARNESS_STATUS.get(((Number) s.get("status")).intValue()),
                            str(s.get("message"))});
                }
            }
        });
        worker.addEventListener("error", event -> c.errors.add(String.valueOf(event)));
        worker.addEventListener("exit", event -> c.ended.complete(null));
        worker.start();
        try {
            boolean answered = await(CompletableFuture.anyOf(c.complete, c.ended), limit);
            if (!answered) {
                JsRealm r = cell.get();
                if (r != null) {
                    r.loop().execute(() -> r.enter(() -> r.context().eval("js",
                            "typeof timeout === 'function' && timeout()")));
                }
                answered = await(c.complete, GRACE);
            }
            return c.finish(v, answered);
        } finally {
            JsWorkers.terminate(worker);
        }
    }

    private static boolean await(CompletableFuture<?> future, Duration limit) {
        try {
            future.get(limit.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
