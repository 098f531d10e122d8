package dev.entangle.graaljs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.graalvm.polyglot.Source;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.entangle.DOMException;

/** How {@code new Worker(url)} finds its script (HTML: the URL is parsed against the creator's base URL). */
class JsScriptTest {
    @TempDir
    Path dir;

    private static String base(Path dir) {
        return JsScript.directoryUrl(dir);
    }

    private static String url(Path file) {
        return "file://" + file.toAbsolutePath().normalize().toUri().getRawPath();
    }

    @Test
    void relativePathResolvesAgainstTheCreatorsDirectory() throws IOException {
        Path sub = Files.createDirectories(dir.resolve("lib"));
        Files.writeString(sub.resolve("w.js"), "1 + 1");
        JsScript script = JsScript.resolve("./lib/../lib/w.js", base(dir), false);
        assertEquals(url(sub.resolve("w.js")), script.url());
        assertEquals(url(sub.resolve("w.js")), script.base(base(dir))); // the worker's own relative URLs resolve from lib/
        Source source = script.load();
        assertEquals("1 + 1", source.getCharacters().toString());
        assertTrue(source.getMimeType() == null || !source.getMimeType().contains("module"), source.getMimeType());
    }

    @Test
    void mjsFilesAndTypeModuleAreModules() throws IOException {
        Files.writeString(dir.resolve("m.mjs"), "export default 1;");
        Files.writeString(dir.resolve("c.js"), "export default 1;");
        assertEquals("application/javascript+module", JsScript.resolve("m.mjs", base(dir), false).load().getMimeType());
        assertEquals("application/javascript+module", JsScript.resolve("c.js", base(dir), true).load().getMimeType());
        assertEquals("application/javascript+module", JsScript.ofFile(dir.resolve("m.mjs")).load().getMimeType());
    }

    @Test
    void fileUrlsAreAbsolute() throws IOException {
        Files.writeString(dir.resolve("f.js"), "2");
        JsScript script = JsScript.resolve(dir.resolve("f.js").toUri().toString(), "file:///elsewhere/", false);
        assertEquals("2", script.load().getCharacters().toString());
        assertEquals(url(dir.resolve("f.js")), script.base("file:///elsewhere/"));
    }

    @Test
    void dataUrlsCarryTheScriptPercentEncodedOrBase64() throws IOException {
        String base = "file:///base/";
        JsScript plain = JsScript.resolve("data:text/javascript,postMessage(%22a%2Bb%22 + 1)", base, false);
        assertEquals("postMessage(\"a+b\" + 1)", plain.load().getCharacters().toString());
        assertEquals("data:text/javascript", plain.load().getName()); // error locations name the URL head
        assertEquals(base, plain.base(base)); // nested workers resolve against the creator's base
        JsScript b64 = JsScript.resolve("data:text/javascript;base64,cG9zdE1lc3NhZ2UoMSk=", base, false);
        assertEquals("postMessage(1)", b64.load().getCharacters().toString());
        assertEquals("data:text/javascript", JsScript.resolve("data:,1", base, false).load().getName());
    }

    @Test
    void malformedDataUrlIsSyntaxError() {
        DOMException e = assertThrows(DOMException.class, () -> JsScript.resolve("data:no-comma", "file:///", false));
        assertEquals("SyntaxError", e.name());
        DOMException b64 = assertThrows(DOMException.class,
                () -> JsScript.resolve("data:;base64,!!!", "file:///", false));
        assertEquals("SyntaxError", b64.name());
    }

    @Test
    void missingFilesAndOtherSchemesFailToLoadNotToResolve() {
        // HTML: a fetch failure is reported by an error event at the Worker, not thrown by the constructor
        JsScript missing = JsScript.resolve("nope.js", base(dir), false);
        assertThrows(IOException.class, missing::load);
        IOException http = assertThrows(IOException.class,
                () -> JsScript.resolve("https://example.com/w.js", base(dir), false).load());
        assertTrue(http.getMessage().contains("served origins"), http.getMessage());
    }

    @Test
    void aModuleReachedThroughARedirectHasTheResponseUrl() throws IOException {
        // HTML "fetch a single module script": the module's URL is the response URL, so a module
        // imported through a redirect resolves its own imports against where it was redirected to
        // (JsScript.served follows the redirect; JsFileSystem.toRealPath gives GraalJS that URL)
        java.util.Map<String, String> files = java.util.Map.of(
                "/lib/main.mjs", "import { sibling } from './go?to=/other/x.mjs'; export default sibling;",
                "/other/x.mjs", "export { sibling } from './y.mjs';",
                "/lib/y.mjs", "export const sibling = 'y of lib';",
                "/other/y.mjs", "export const sibling = 'y of other';");
        JsScript.serve("http://redirect.test:1", target -> target.startsWith("/lib/go?to=")
                ? JsScript.Served.redirect(target.substring("/lib/go?to=".length()))
                : files.containsKey(target) ? JsScript.Served.script(files.get(target)) : null);
        try (org.graalvm.polyglot.Context context = JsContexts.newContext()) {
            Source main = JsScript.resolve("http://redirect.test:1/lib/main.mjs", "file:///", true).load();
            assertEquals("y of other", context.eval(main).getMember("default").asString());
        }
    }

    @Test
    void modulesOfAServedOriginImportTheirSiblingsThroughTheOrigin() throws IOException {
        // JsFileSystem: a module at an http URL of a served origin (the WPT runner's) imports relative and
        // absolute URLs of that origin as GraalJS imports files; a missing one is "Cannot find module"
        java.util.Map<String, String> files = java.util.Map.of(
                "/lib/main.mjs", "import { b } from './b.mjs'; import { c } from 'http://unit.test:1/c.mjs'; export default b + c;",
                "/lib/b.mjs", "export const b = 'b';",
                "/c.mjs", "export const c = 'c';",
                "/lib/broken.mjs", "import './missing.mjs';");
        JsScript.serve("http://unit.test:1", target -> files.containsKey(target) ? JsScript.Served.script(files.get(target)) : null);
        try (org.graalvm.polyglot.Context context = JsContexts.newContext()) {
            Source main = JsScript.resolve("main.mjs", "http://unit.test:1/lib/", true).load();
            assertEquals("bc", context.eval(main).getMember("default").asString());
            Source broken = JsScript.resolve("http://unit.test:1/lib/broken.mjs", "file:///", true).load();
            org.graalvm.polyglot.PolyglotException e = assertThrows(org.graalvm.polyglot.PolyglotException.class,
                    () -> context.eval(broken));
            assertTrue(e.getMessage().contains("Cannot find module"), e.getMessage());
        }
    }
}
