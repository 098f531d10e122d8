package dev.entangle.graaljs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.entangle.graaljs.WptRunner.Kind;
import dev.entangle.graaljs.WptRunner.Result;
import dev.entangle.graaljs.WptRunner.Subtest;
import dev.entangle.graaljs.WptRunner.Variant;
import dev.entangle.graaljs.WptTest.Json;

/** How {@link WptTest} judges a variant's results against its expectations, and its JSON reader. */
class WptExpectationsTest {
    private static final Variant V = new Variant("dir/a.any.js", Kind.MAIN, List.of(), false, null);

    private static Result result(String harness, Subtest... subtests) {
        return new Result(V, harness, harness.equals("OK") ? null : "why", List.of(subtests));
    }

    private static Map<String, Object> expectations(String json) {
        return Json.object(Json.parse(json));
    }

    @Test
    void allPassingWithNoExpectationsIsAsExpected() {
        assertEquals(List.of(), WptTest.compare(result("OK", new Subtest("t", "PASS", null)), Map.of()));
    }

    @Test
    void anUnlistedFailureAndAnUnlistedHarnessErrorOrTimeoutAreUnexpected() {
        List<String> problems = WptTest.compare(result("TIMEOUT", new Subtest("t", "FAIL", "boom")), Map.of());
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("unexpected harness TIMEOUT"), problems.get(0));
        assertTrue(problems.get(1).startsWith("unexpected FAIL: t: boom"), problems.get(1));
        assertEquals(1, WptTest.compare(result("ERROR"), Map.of()).size()); // no subtests is no pass
    }

    @Test
    void listedFailuresAreExpectedAndAListedFailureThatPassesIsAnUnexpectedPass() {
        Map<String, Object> e = expectations("{\"subtests\": {\"t\": \"needs X\", \"u\": \"needs Y\"}}");
        assertEquals(List.of(), WptTest.compare(result("OK", new Subtest("t", "FAIL", "m"),
                new Subtest("u", "TIMEOUT", null)), e));
        List<String> problems = WptTest.compare(result("OK", new Subtest("t", "PASS", null),
                new Subtest("u", "NOTRUN", null)), e);
        assertEquals(List.of("unexpected PASS (remove it from the expectations): t"), problems);
    }

    @Test
    void aListedHarnessStatusMustStayNotOkAndAListedSubtestMustStillBeReported() {
        Map<String, Object> e = expectations("{\"harness\": \"needs Z\", \"subtests\": {\"gone\": \"r\"}}");
        assertEquals(List.of(), WptTest.compare(result("ERROR"), e)); // harness not OK: missing is fine
        List<String> problems = WptTest.compare(result("OK", new Subtest("t", "PASS", null)), e);
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("unexpected pass: the harness status is OK"), problems.get(0));
        assertEquals("listed but not reported (stale expectation): gone", problems.get(1));
    }

    @Test
    void jsonReadsWhatItWritesAndRejectsDuplicatesAndTrailingText() {
        Map<String, Object> m = expectations("{ \"a\\\"b\": { \"x\": \"\\u00e9\\n\" }, \"n\": null }");
        assertEquals("é\n", Json.object(m.get("a\"b")).get("x"));
        assertTrue(m.containsKey("n"));
        assertEquals(m, Json.object(Json.parse(Json.write(m, ""))));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": \"1\", \"a\": \"2\"}"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{} x"));
    }
}
