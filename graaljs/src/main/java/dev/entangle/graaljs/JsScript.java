package dev.entangle.graaljs;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.regex.Pattern;

import org.graalvm.polyglot.Source;

import dev.entangle.DOMException;

/**
 * A worker's script, as {@code new Worker(url)} names it: a path or {@code file:} URL (relative ones
 * resolve against the directory of the creating realm's script, as a browser resolves against the
 * creator's base URL), or a {@code data:} URL (the script inline, percent-encoded or base64). A file
 * ending in {@code .mjs}, or any script with {@code type: 'module'}, is an ES module. Immutable.
 */
final class JsScript {
    private static final String MODULE = "application/javascript+module";
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]+:");

    private final String url;
    private final Path file;
    private final String inline;
    private final boolean module;

    private JsScript(String url, Path file, String inline, boolean module) {
        this.url = url;
        this.file = file;
        this.inline = inline;
        this.module = module;
    }

    /** A script file (the command line's, or a Java host's). */
    static JsScript ofFile(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        return new JsScript(absolute.toUri().toString(), absolute, null, absolute.toString().endsWith(".mjs"));
    }

    /**
     * A classic script given as text (a Java host's own); {@code name} names it in error locations,
     * and its relative worker URLs resolve against the working directory.
     */
    static JsScript ofText(String name, String text) {
        return new JsScript(name, null, text, false);
    }

    /**
     * Resolves {@code url} against {@code base}.
     *
     * @throws DOMException SyntaxError if a {@code data:} URL is malformed
     */
    static JsScript resolve(String url, Path base, boolean module) {
        if (url.startsWith("data:")) {
            int comma = url.indexOf(',');
            if (comma < 0) {
                throw new DOMException("Failed to construct 'Worker': malformed data: URL", "SyntaxError");
            }
            String meta = url.substring("data:".length(), comma);
            String payload = url.substring(comma + 1);
            String text;
            try {
                text = meta.endsWith(";base64")
                        ? new String(Base64.getDecoder().decode(payload), StandardCharsets.UTF_8)
                        : URLDecoder.decode(payload.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new DOMException("Failed to construct 'Worker': malformed data: URL", "SyntaxError");
            }
            return new JsScript(url, null, text, module);
        }
        if (url.startsWith("file:")) {
            Path path = Path.of(URI.create(url));
            return new JsScript(url, path, null, module || path.toString().endsWith(".mjs"));
        }
        if (SCHEME.matcher(url).find()) {
            return new JsScript(url, null, null, module); // fails to load: no network here
        }
        Path path = base.resolve(url).toAbsolutePath().normalize();
        return new JsScript(path.toUri().toString(), path, null, module || path.toString().endsWith(".mjs"));
    }

    /** The directory the script's own relative worker URLs resolve against. */
    Path base(Path creatorBase) {
        return file != null ? file.getParent() : creatorBase;
    }

    String url() {
        return url;
    }


    /** Reads the script. @throws IOException if it cannot be read (the worker's load failure) */
    Source load() throws IOException {
        Source.Builder builder;
        if (file != null) {
            builder = Source.newBuilder("js", file.toFile());
        } else if (inline != null) {
            // a data: URL is named by its head, without the inline text: error locations read
            // "data:text/javascript:3:7"; a Java host's text by the name it gave
            int comma = url.startsWith("data:") ? url.indexOf(',') : -1;
            String head = comma < 0 ? url : url.substring(0, comma).replace(";base64", "");
            builder = Source.newBuilder("js", inline, head.equals("data:") ? "data:text/javascript" : head);
        } else {
            throw new IOException("cannot load " + url + ": only file: and data: URLs are supported");
        }
        if (module) {
            builder.mimeType(MODULE);
        }
        return builder.build();
    }
}
