package dev.entangle.graaljs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs each JavaScript conformance test file ({@code src/test/js/*.test.mjs}, written with
 * {@code src/test/js/harness.mjs}) as a program with {@link JsRuntime#run(Path)}: the file passes when
 * the program ends with exit code 0 within {@link #TIMEOUT_SECONDS}. The harness prints one TAP-like
 * line per JavaScript test to {@code System.out} (GraalJS's console) and, if any failed, reports an
 * error naming them, which {@link JsRuntime} prints to {@code System.err}; that error output is
 * captured per file and attached to the failure message.
 */
class JsConformanceTest {
    /** A failure guard per file (each file's own tests have their own, shorter limits). */
    private static final long TIMEOUT_SECONDS = 60;
    private static final Path TESTS = Path.of("src", "test", "js");

    @TestFactory
    Stream<DynamicTest> javaScriptConformanceFiles() throws IOException {
        List<Path> files;
        try (Stream<Path> listing = Files.list(TESTS)) {
            files = listing.filter(p -> p.getFileName().toString().endsWith(".test.mjs")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "no *.test.mjs file in " + TESTS.toAbsolutePath());
        return files.stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(),
                file.toUri(), () -> runFile(file)));
    }

    private static void runFile(Path file) throws InterruptedException, ExecutionException {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        // The tests of this class run one after another (JUnit's default), so replacing System.err for
        // the duration of one file captures what that file's realms print, and nothing else's.
        PrintStream tee = new PrintStream(new Tee(original, captured), true, StandardCharsets.UTF_8);
        System.setErr(tee);
        int code;
        try {
            code = JsRuntime.run(file).toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            fail(file + " did not end within " + TIMEOUT_SECONDS + " s; its error output:\n" + text(captured));
            return;
        } finally {
            System.setErr(original);
            tee.flush();
        }
        assertEquals(0, code, () -> file + " failed (exit code " + code + "); its error output:\n" + text(captured)
                + "\n(the per-test 'ok' / 'not ok' lines are on standard output)");
    }

    private static String text(ByteArrayOutputStream captured) {
        synchronized (captured) {
            return captured.toString(StandardCharsets.UTF_8);
        }
    }

    /** Writes to the original stream and to the capture buffer. */
    private static final class Tee extends OutputStream {
        private final OutputStream original;
        private final ByteArrayOutputStream copy;

        Tee(OutputStream original, ByteArrayOutputStream copy) {
            this.original = original;
            this.copy = copy;
        }

        @Override
        public void write(int b) throws IOException {
            original.write(b);
            synchronized (copy) {
                copy.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            original.write(b, off, len);
            synchronized (copy) {
                copy.write(b, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            original.flush();
        }
    }
}
