package dev.entangle.graaljs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import dev.entangle.graaljs.WptRunner.Result;
import dev.entangle.graaljs.WptRunner.Subtest;
import dev.entangle.graaljs.WptRunner.Variant;

/**
 * The web-platform-tests of {@code src/test/wpt/README.md}: every variant of the WPT files under
 * {@link #FOLDERS}, run by {@link WptRunner} from a WPT checkout at {@code WPT_ROOT} (environment
 * variable or {@code -Dwpt.root}; default {@code ../shared/wpt} relative to the repository root), two
 * files at a time ({@code -Dwpt.threads}; a file's variants one after the other), then compared
 * with {@code src/test/wpt/expectations.json}. One
 * dynamic test per variant fails on an unexpected result: a subtest that did not pass and is not
 * listed, a harness status other than OK that is not listed, a listed failure that now passes, or a
 * listed subtest that no longer exists. A harness error or timeout is never a pass. The per-folder
 * table goes to {@code target/wpt/summary.md}; {@code -Dwpt.update=true} also writes
 * {@code target/wpt/expectations.json}, the expectations the results would need (reasons kept,
 * new entries given the failure message to be replaced by a reason); {@code -Dwpt.only=regex} runs only
 * the variants whose id it finds (then that file holds only theirs). Skipped with a message when
 * there is no WPT checkout.
 */
class WptTest {
    static final List<String> FOLDERS = List.of("webmessaging", "workers",
            "html/infrastructure/safe-passing-of-structured-data", "html/webappapis/structured-clone");
    private static final Path EXPECTATIONS = Path.of("src", "test", "wpt", "expectations.json");
    private static final Path OUT = Path.of("target", "wpt");

    static Path wptRoot() {
        String configured = System.getProperty("wpt.root", System.getenv("WPT_ROOT"));
        // the module's directory is the working directory of its tests: the repository root is ..
        Path repository = Path.of("..");
        return repository.resolve(configured != null && !configured.isBlank() ? configured : "../shared/wpt").normalize();
    }

    @TestFactory
    Stream<DynamicTest> webPlatformTests() throws Exception {
        Path root = wptRoot();
        Assumptions.assumeTrue(Files.isRegularFile(root.resolve("resources/testharness.js")),
                "WPT: SKIPPED, no web-platform-tests checkout at " + root.toAbsolutePath()
                        + " (set WPT_ROOT to one)");
        WptRunner runner = new WptRunner(root);
        String only = System.getProperty("wpt.only"); // a regular expression: only the variants it finds
        List<Variant> variants = runner.variants(FOLDERS).stream()
                .filter(v -> only == null || java.util.regex.Pattern.compile(only).matcher(v.id()).find()).toList();
        Map<String, Object> expectations = Json.object(Json.parse(Files.readString(EXPECTATIONS)));
        int threads = Integer.getInteger("wpt.threads", 2);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        // The variants of one file run one after the other: they share the origin, and their channel names
        // (BroadcastChannel is per origin and name), so two at once would hear each other.
        Map<String, List<Variant>> byFile = new LinkedHashMap<>();
        List<Variant> skipped = new ArrayList<>();
        for (Variant v : variants) {
            Map<String, Object> e = Json.object(expectations.get(v.id()));
            if (e.get("skip") != null) {
                skipped.add(v);
                continue;
            }
            byFile.computeIfAbsent(v.file(), k -> new ArrayList<>()).add(v);
        }
        List<Future<List<Result>>> futures = new ArrayList<>();
        for (List<Variant> ofFile : byFile.values()) {
            futures.add(pool.submit(() -> {
                List<Result> done = new ArrayList<>();
                for (Variant v : ofFile) {
                    done.add(runner.run(v));
                }
                return done;
            }));
        }
        List<Result> results = new ArrayList<>();
        try {
            for (Future<List<Result>> f : futures) {
                results.addAll(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        String summary = summary(results, skipped);
        WptRunner.write(OUT.resolve("summary.md"), summary);
        System.out.println(summary);
        if (Boolean.getBoolean("wpt.update")) {
            WptRunner.write(OUT.resolve("expectations.json"), updated(results, skipped, expectations));
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (Result r : results) {
            List<String> problems = compare(r, Json.object(expectations.get(r.variant().id())));
            tests.add(DynamicTest.dynamicTest(r.variant().id(), () -> assertTrue(problems.isEmpty(),
                    () -> r.variant().id() + ": " + String.join("\n  ", problems))));
        }
        List<String> stale = new ArrayList<>(expectations.keySet());
        runner.variants(FOLDERS).forEach(v -> stale.remove(v.id()));
        tests.add(DynamicTest.dynamicTest("every expectation names a variant that exists",
                () -> assertTrue(stale.isEmpty(), () -> "expectations for no variant: " + stale)));
        return tests.stream();
    }

    /** What is wrong with {@code r} against its expectations {@code e} (empty: as expected). */
    static List<String> compare(Result r, Map<String, Object> e) {
        List<String> problems = new ArrayList<>();
        boolean harnessListed = e.get("harness") != null;
        boolean harnessOk = r.harness().equals("OK");
        if (!harnessOk && !harnessListed) {
            problems.add("unexpected harness " + r.harness() + ": " + r.message());
        } else if (harnessOk && harnessListed) {
            problems.add("unexpected pass: the harness status is OK (remove \"harness\" from its expectations)");
        }
        Map<String, Object> listed = Json.object(e.get("subtests"));
        Map<String, Subtest> seen = new LinkedHashMap<>();
        for (Subtest t : r.subtests()) {
            seen.put(t.name(), t);
            boolean pass = t.status().equals("PASS");
            if (!pass && !listed.containsKey(t.name())) {
                problems.add("unexpected " + t.status() + ": " + t.name() + ": " + t.message());
            } else if (pass && listed.containsKey(t.name())) {
                problems.add("unexpected PASS (remove it from the expectations): " + t.name());
            }
        }
        if (harnessOk) {
            for (String name : listed.keySet()) {
                if (!seen.containsKey(name)) {
                    problems.add("listed but not reported (stale expectation): " + name);
                }
            }
        }
        return problems;
    }

    // ------------------------------------------------------------------ the table

    /** Pass counts per folder: subtests passed / reported, variants whose harness was OK. */
    static String summary(List<Result> results, List<Variant> skipped) {
        Map<String, int[]> rows = new TreeMap<>(); // passed, subtests, harness OK, variants
        for (Result r : results) {
            String file = r.variant().file();
            String folder = FOLDERS.stream().filter(f -> file.startsWith(f + "/")).findFirst().orElse("other");
            for (String key : List.of(folder, "all")) {
                int[] row = rows.computeIfAbsent(key, k -> new int[4]);
                row[0] += (int) r.subtests().stream().filter(t -> t.status().equals("PASS")).count();
                row[1] += r.subtests().size();
                row[2] += r.harness().equals("OK") ? 1 : 0;
                row[3]++;
            }
        }
        StringBuilder s = new StringBuilder("| folder | subtests passed | variants with harness OK |\n")
                .append("| --- | ---: | ---: |\n");
        for (String key : FOLDERS) {
            int[] row = rows.getOrDefault(key, new int[4]);
            s.append(String.format("| `%s/` | %d / %d | %d / %d |%n", key, row[0], row[1], row[2], row[3]));
        }
        int[] all = rows.getOrDefault("all", new int[4]);
        s.append(String.format("| all | %d / %d | %d / %d |%n", all[0], all[1], all[2], all[3]));
        s.append(String.format("%nvariants run: %d, skipped by the expectations: %d%n", results.size(), skipped.size()));
        return s.toString();
    }

    /** The expectations file the results need: existing reasons kept, new failures with their message. */
    static String updated(List<Result> results, List<Variant> skipped, Map<String, Object> old) {
        Map<String, Map<String, Object>> out = new TreeMap<>();
        for (Variant v : skipped) {
            out.put(v.id(), Json.object(old.get(v.id())));
        }
        for (Result r : results) {
            Map<String, Object> before = Json.object(old.get(r.variant().id()));
            Map<String, Object> e = new LinkedHashMap<>();
            if (!r.harness().equals("OK")) {
                e.put("harness", before.get("harness") != null ? before.get("harness")
                        : "FIXME " + r.harness() + ": " + r.message());
            }
            Map<String, Object> listedBefore = Json.object(before.get("subtests"));
            Map<String, Object> subtests = new LinkedHashMap<>();
            for (Subtest t : r.subtests()) {
                if (!t.status().equals("PASS")) {
                    subtests.put(t.name(), listedBefore.get(t.name()) != null ? listedBefore.get(t.name())
                            : "FIXME " + t.status() + ": " + t.message());
                }
            }
            if (!subtests.isEmpty()) {
                e.put("subtests", subtests);
            }
            if (!e.isEmpty()) {
                out.put(r.variant().id(), e);
            }
        }
        return Json.write(out, "") + "\n";
    }

    // ------------------------------------------------------------------ JSON (the expectations file)

    /** Just enough JSON for the expectations file: objects, strings, null. */
    static final class Json {
        private final String text;
        private int at;

        private Json(String text) {
            this.text = text;
        }

        static Object parse(String text) {
            Json j = new Json(text);
            Object value = j.value();
            j.space();
            if (j.at != text.length()) {
                throw j.error("trailing text");
            }
            return value;
        }

        @SuppressWarnings("unchecked")
        static Map<String, Object> object(Object value) {
            return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        }

        private Object value() {
            space();
            char c = text.charAt(at);
            if (c == '{') {
                at++;
                Map<String, Object> map = new LinkedHashMap<>();
                space();
                if (text.charAt(at) == '}') {
                    at++;
                    return map;
                }
                while (true) {
                    space();
                    String key = string();
                    space();
                    expect(':');
                    if (map.put(key, value()) != null) {
                        throw error("duplicate key " + key);
                    }
                    space();
                    if (text.charAt(at) == ',') {
                        at++;
                    } else {
                        expect('}');
                        return map;
                    }
                }
            }
            if (c == '"') {
                return string();
            }
            if (text.startsWith("null", at)) {
                at += 4;
                return null;
            }
            throw error("unexpected '" + c + "'");
        }

        private String string() {
            expect('"');
            StringBuilder s = new StringBuilder();
            while (true) {
                char c = text.charAt(at++);
                if (c == '"') {
                    return s.toString();
                }
                if (c == '\\') {
                    char e = text.charAt(at++);
                    switch (e) {
                        case 'n' -> s.append('\n');
                        case 't' -> s.append('\t');
                        case 'r' -> s.append('\r');
                        case 'b' -> s.append('\b');
                        case 'f' -> s.append('\f');
                        case 'u' -> {
                            s.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                            at += 4;
                        }
                        default -> s.append(e);
                    }
                } else {
                    s.append(c);
                }
            }
        }

        private void expect(char c) {
            if (at >= text.length() || text.charAt(at) != c) {
                throw error("expected '" + c + "'");
            }
            at++;
        }

        private void space() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("expectations.json: " + what + " at offset " + at);
        }

        static String write(Object value, String indent) {
            if (value instanceof Map<?, ?> m) {
                if (m.isEmpty()) {
                    return "{}";
                }
                StringBuilder s = new StringBuilder("{\n");
                int i = 0;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    s.append(indent).append("  ").append(quote(String.valueOf(e.getKey()))).append(": ")
                            .append(write(e.getValue(), indent + "  ")).append(++i < m.size() ? ",\n" : "\n");
                }
                return s.append(indent).append('}').toString();
            }
            return value == null ? "null" : quote(String.valueOf(value));
        }

        private static String quote(String s) {
            StringBuilder out = new StringBuilder("\"");
            for (char c : s.toCharArray()) {
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> {
                        if (c < 0x20 || c > 0x7e) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            return out.append('"').toString();
        }
    }
}
