package dev.entangle.graaljs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Worker libraries from the npm registry, unmodified, in GraalJS realms (issue 14: libraries must take
 * the main realm for the main thread and a worker for a worker): Comlink 4.4.2 and workerpool 10.0.3,
 * installed by {@code src/test/npm/install.sh} into {@code target/npm} ({@code .ci/run} does it). The
 * programs beside it ({@code *-main.mjs} and their workers) are copied there, run with
 * {@link JsRuntime#run}, and what they print is compared line by line. Skipped, with a message, when the
 * libraries are not installed.
 */
class JsLibrariesTest {
    private static final Path SCRIPTS = Path.of("src", "test", "npm");
    static final Path INSTALLED = Path.of("target", "npm");

    @BeforeAll
    static void copyThePrograms() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(INSTALLED.resolve("node_modules/comlink"))
                        && Files.isDirectory(INSTALLED.resolve("node_modules/workerpool")),
                "library tests: SKIPPED, run graaljs/src/test/npm/install.sh first (needs npm)");
        try (Stream<Path> files = Files.list(SCRIPTS)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".js") || p.toString().endsWith(".mjs")).toList()) {
                Files.copy(f, INSTALLED.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static List<String> run(String program) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8)); // console.log's lines
        int code;
        try {
            code = JsRuntime.run(INSTALLED.resolve(program)).toCompletableFuture().get(60, TimeUnit.SECONDS);
        } finally {
            System.setOut(original);
        }
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(0, code, () -> program + " failed; it printed " + lines);
        return lines;
    }

    @Test
    void comlinkCallsAWorkersApiThroughAProxyAndProxiesACallbackBack() throws Exception {
        assertEquals(List.of("sum 5", "count 2", "callback 30"), run("comlink-main.mjs"));
    }

    @Test
    void workerpoolRunsTasksOnAPoolOfWorkersAndReportsTheirErrors() throws Exception {
        int cpus = Runtime.getRuntime().availableProcessors();
        assertEquals(List.of("platform browser cpus " + cpus, "fib 55,610,6765", "error failed on purpose",
                "proxy 144", "terminated"), run("workerpool-main.mjs"));
    }
}
