package dev.entangle.graaljs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code console} prints (console.js): the Console Standard's format specifiers (§2.2.1) and
 * objects printed readably (issue 14: reporters print "%s" and "[object Object]" otherwise), on
 * {@code System.out} and {@code System.err}, which this test captures while one program runs (the tests
 * of a class run one after another).
 */
class JsConsoleTest {
    @TempDir
    Path dir;

    private String[] run(String source) throws Exception {
        Path script = Files.writeString(dir.resolve("console.js"), source);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, JsRuntime.run(script).toCompletableFuture().get(30, TimeUnit.SECONDS));
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
        return new String[] {out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void formatSpecifiersAreAppliedAndTheRestIsInspected() throws Exception {
        String[] printed = run("""
                console.log('%s passed, %d failed (%i%%), %f s, %o', 'mocha', 2.7, 9.9, 1.5, { a: [1, 'x'] }, 'rest', 3);
                console.log('%c styled', 'color: red', '%s');
                console.error('%s: %O', 'err', new Map([['k', 1]]));
                """);
        assertEquals("mocha passed, 2 failed (9%), 1.5 s, { a: [ 1, 'x' ] } rest 3\n styled %s\n", printed[0]);
        assertEquals("err: Map(1) { 'k' => 1 }\n", printed[1]);
    }

    @Test
    void objectsPrintReadablyWithCyclesNestingAndPlatformObjects() throws Exception {
        String[] printed = run("""
                const o = { n: 1, s: 'two', list: [1, , 3], deep: { a: { b: { c: { d: 1 } } } } };
                o.self = o;
                console.log(o);
                console.log([-0, 10n, null, undefined, Symbol('s')], new Uint8Array([1, 2]), new MessageChannel().port1);
                console.log(new Date(0), /x/g, function named() {}, class K {});
                """);
        assertEquals(String.join("\n",
                "{",
                "  n: 1,",
                "  s: 'two',",
                "  list: [ 1, <1 empty item>, 3 ],",
                "  deep: { a: { b: [Object] } },", // Node's default depth: 2
                "  self: [Circular *1]",
                "}",
                "[ -0, 10n, null, undefined, Symbol(s) ] Uint8Array(2) [ 1, 2 ] MessagePort {}",
                "1970-01-01T00:00:00.000Z /x/g [Function: named] [class K]",
                ""), printed[0]);
    }

    @Test
    void tableCountGroupAndAssert() throws Exception {
        String[] printed = run("""
                console.table([{ a: 1, b: 'x' }, { a: 2 }]);
                console.group('group');
                console.count();
                console.count();
                console.groupEnd();
                console.assert(true, 'not printed');
                console.assert(false, 'failed %d', 3);
                """);
        assertEquals(String.join("\n",
                "┌─────────┬───┬─────┐",
                "│ (index) │ a │  b  │",
                "├─────────┼───┼─────┤",
                "│    0    │ 1 │ 'x' │",
                "│    1    │ 2 │     │",
                "└─────────┴───┴─────┘",
                "group",
                "  default: 1",
                "  default: 2",
                ""), printed[0]);
        assertEquals("Assertion failed: failed 3\n", printed[1]);
    }
}
