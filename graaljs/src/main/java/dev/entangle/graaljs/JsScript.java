package dev.entangle.graaljs;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;

import org.graalvm.polyglot.Source;

import dev.entangle.DOMException;

/**
 * A script a realm runs or imports, named by an absolute URL: a {@code file:} URL, a {@code data:} URL
 * (the script inline, percent-encoded or base64), a {@code blob:} URL made by
 * {@code URL.createObjectURL}, or an {@code http(s):} URL under an origin a host serves from its own
 * files ({@link #serve}). Relative URLs ({@code new Worker('w.js')}, {@code importScripts('/lib.js')})
 * resolve against the creating realm's base URL, as HTML parses them against the API base URL. A file
 * ending in {@code .mjs}, or any script with {@code type: 'module'}, is an ES module. Immutable.
 *
 * <p>Threads: any (the blob and origin registries are concurrent maps).
 */
final class JsScript {
    private static final String MODULE = "application/javascript+module";
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");
    /** The JavaScript MIME type essences (MIME Sniffing §4.6), which importScripts requires. */
    private static final Set<String> JAVASCRIPT_TYPES = Set.of("application/ecmascript",
            "application/javascript", "application/x-ecmascript", "application/x-javascript", "text/ecmascript",
            "text/javascript", "text/javascript1.0", "text/javascript1.1", "text/javascript1.2",
            "text/javascript1.3", "text/javascript1.4", "text/javascript1.5", "text/jscript", "text/livescript",
            "text/x-ecmascript", "text/x-javascript");
    /** blob: URL → its bytes and type (File API "blob URL store"); entries live until revoked. */
    private static final Map<String, Blob> BLOBS = new ConcurrentHashMap<>();
    /** http(s) origin ("http://host:port") → its answers by path and query ("/dir/a.js"; null: not found). */
    private static final Map<String, Function<String, Served>> ORIGINS = new ConcurrentHashMap<>();

    /**
     * A served origin's answer to a request: the body and its {@code Content-Type} (a MIME type,
     * parameters allowed), which {@code importScripts} checks; or a redirect to {@code location} (a URL,
     * relative to the request's), which {@link #served} follows.
     */
    record Served(String body, String type, String location) {
        Served {
            Objects.requireNonNull(body, "body");
            Objects.requireNonNull(type, "type");
        }

        /** A script served as {@code text/javascript}. */
        static Served script(String body) {
            return new Served(body, "text/javascript", null);
        }

        /** A body with its {@code Content-Type}. */
        static Served of(String body, String type) {
            return new Served(body, type, null);
        }

        /** A redirect (HTTP 302) to {@code location}. */
        static Served redirect(String location) {
            return new Served("", "", Objects.requireNonNull(location, "location"));
        }
    }

    /** What a fetch of a served URL ended with: the response's URL (after redirects) and its answer. */
    record Fetched(String url, Served served) {
    }

    /** Fetch's redirect limit ("HTTP-redirect fetch" step 5: more than 20 is a network error). */
    private static final int MAX_REDIRECTS = 20;

    /** A blob in the store: its bytes and its type ("" if none). */
    record Blob(byte[] bytes, String type) {
    }

    private final String url;
    private final Path file;
    private final String inline;
    private final String type;
    private final boolean module;
    private final String sourceName; // a Java host's text: the name of its Source (error locations)

    private JsScript(String url, Path file, String inline, String type, boolean module) {
        this(url, file, inline, type, module, null);
    }

    private JsScript(String url, Path file, String inline, String type, boolean module, String sourceName) {
        this.sourceName = sourceName;
        this.url = url;
        this.file = file;
        this.inline = inline;
        this.type = type;
        this.module = module;
    }

    /** A script file (the command line's, or a Java host's). */
    static JsScript ofFile(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        return new JsScript(fileUrl(absolute), absolute, null, "text/javascript",
                absolute.toString().endsWith(".mjs"));
    }

    /**
     * A classic script given as text (a Java host's own); {@code name} names it in error locations,
     * and its relative URLs resolve against the working directory.
     */
    static JsScript ofText(String name, String text) {
        return new JsScript(directoryUrl(Path.of("")) + escape(name), null, text, "text/javascript", false, name);
    }

    /**
     * Makes {@code files} answer for the http(s) URLs of {@code origin} ({@code "http://host:port"}):
     * the response to a URL there is {@code files.apply(target)}, its target being the raw path and
     * query ({@code "/dir/a.js"}, {@code "/dir/h.py?x=1"}; no fragment), or a failure to load if that
     * is null. A host that serves a directory as a web origin uses it (the WPT runner).
     */
    static void serve(String origin, Function<String, Served> files) {
        ORIGINS.put(origin, files);
    }

    /**
     * What the served origins answer for {@code url} (its fragment ignored), redirects followed (a
     * module's URL is then its response URL: JsFileSystem.toRealPath), or null: not found, not a served
     * origin, or more than 20 redirects.
     */
    static Fetched served(String url) {
        String at = url;
        for (int hops = 0; hops <= MAX_REDIRECTS; hops++) {
            String origin = originOf(at);
            Function<String, Served> files = origin == null ? null : ORIGINS.get(origin);
            if (files == null) {
                return null;
            }
            URI uri = URI.create(at);
            Served answer = files.apply(uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
            if (answer == null || answer.location() == null) {
                return answer == null ? null : new Fetched(at, answer);
            }
            at = parseUrl(answer.location(), at);
        }
        return null;
    }

    /** File API "add an entry to the blob URL store": a new {@code blob:} URL for these bytes. */
    static String registerBlob(String origin, byte[] bytes, String type) {
        String blobUrl = "blob:" + origin + "/" + UUID.randomUUID();
        BLOBS.put(blobUrl, new Blob(bytes, type));
        return blobUrl;
    }

    /** File API "remove an entry from the blob URL store". */
    static void revokeBlob(String blobUrl) {
        BLOBS.remove(blobUrl);
    }

    /**
     * HTML "parse a URL" of {@code url} against {@code base} (an absolute URL), as far as script
     * loading needs it: an absolute URL stays as it is; a relative one is resolved by RFC 3986.
     *
     * @throws DOMException SyntaxError if {@code url} is not a valid URL, or is relative to a base that
     *     cannot be a base (data:, blob:)
     */
    static String parseUrl(String url, String base) {
        String trimmed = url.strip();
        try {
            if (SCHEME.matcher(trimmed).find()) {
                String scheme = trimmed.substring(0, trimmed.indexOf(':')).toLowerCase(Locale.ROOT);
                if (scheme.equals("http") || scheme.equals("https") || scheme.equals("file")) {
                    return normalize(new URI(escape(trimmed)));
                }
                return trimmed; // data:, blob: and others are opaque here
            }
            URI b = new URI(escape(base));
            if (b.isOpaque()) {
                throw new URISyntaxException(url, "relative to a base URL that cannot be a base");
            }
            return normalize(b.resolve(new URI(escape(trimmed))));
        } catch (URISyntaxException e) {
            throw new DOMException("'" + url + "' is not a valid URL.", "SyntaxError");
        }
    }

    // WHATWG URL percent-encodes what RFC 3986 forbids in paths and queries; a space or a non-ASCII
    // character in a host stays invalid (java.net.URI rejects it).
    private static String escape(String url) {
        StringBuilder out = new StringBuilder(url.length());
        int authorityEnd = url.indexOf("//") < 0 ? 0 : url.indexOf('/', url.indexOf("//") + 2);
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            boolean inHost = authorityEnd < 0 || i < authorityEnd;
            if (c == '\\' && !inHost) {
                out.append('/');
            } else if (!inHost && (c <= ' ' || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '`'
                    || c == '{' || c == '}' || c == '|' || c == '^')) {
                for (byte b : String.valueOf(c).getBytes(StandardCharsets.UTF_8)) {
                    out.append('%').append(String.format("%02X", b & 0xff));
                }
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String normalize(URI uri) {
        URI n = uri.normalize();
        String s = n.toString();
        if ("file".equalsIgnoreCase(n.getScheme()) && n.getRawAuthority() == null && !s.startsWith("file://")) {
            s = "file://" + s.substring("file:".length()); // URI drops the empty authority of file:///
        }
        if (n.getRawPath() != null && n.getRawPath().isEmpty() && n.getRawAuthority() != null) {
            s = s.replaceFirst("^([a-zA-Z]+://[^/?#]*)", "$1/"); // http://host → http://host/
        }
        return s;
    }

    private static String fileUrl(Path absolute) {
        return normalize(absolute.toUri());
    }

    /** The file: URL of a directory, with its trailing slash (the base of a Java host's text scripts). */
    static String directoryUrl(Path dir) {
        String s = fileUrl(dir.toAbsolutePath().normalize());
        return s.endsWith("/") ? s : s + "/";
    }

    /**
     * The script at {@code url}, resolved against {@code base}.
     *
     * @throws DOMException SyntaxError if the URL does not parse or a {@code data:} URL is malformed
     */
    static JsScript resolve(String url, String base, boolean module) {
        String absolute = parseUrl(url, base);
        if (absolute.startsWith("data:")) {
            int comma = absolute.indexOf(',');
            if (comma < 0) {
                throw new DOMException("Failed to construct 'Worker': malformed data: URL", "SyntaxError");
            }
            String meta = absolute.substring("data:".length(), comma);
            String payload = absolute.substring(comma + 1);
            boolean base64 = meta.toLowerCase(Locale.ROOT).endsWith(";base64");
            String text;
            try {
                text = base64
                        ? new String(Base64.getDecoder().decode(URLDecoder.decode(payload.replace("+", "%2B"), StandardCharsets.UTF_8).replaceAll("[\\t\\n\\f\\r ]", "")), StandardCharsets.UTF_8)
                        : URLDecoder.decode(payload.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new DOMException("Failed to construct 'Worker': malformed data: URL", "SyntaxError");
            }
            String mediaType = base64 ? meta.substring(0, meta.length() - ";base64".length()) : meta;
            return new JsScript(absolute, null, text, mediaType.isEmpty() ? "text/plain" : mediaType, module);
        }
        if (absolute.startsWith("file:")) {
            Path path = Path.of(URI.create(absolute.replaceFirst("[?#].*$", "")));
            return new JsScript(absolute, path, null, "text/javascript", module || path.toString().endsWith(".mjs"));
        }
        if (absolute.startsWith("blob:")) {
            // URL "parse a URL" resolves a blob URL's entry at once: revoking it later does not
            // stop this script (File API §8.4); an entry already gone fails at load, as a network error
            Blob blob = BLOBS.get(absolute.replaceFirst("#.*$", ""));
            return blob == null ? new JsScript(absolute, null, null, null, module)
                    : new JsScript(absolute, null, new String(blob.bytes(), StandardCharsets.UTF_8), blob.type(), module);
        }
        String path = absolute.replaceFirst("[?#].*$", "");
        return new JsScript(absolute, null, null, null, module || path.endsWith(".mjs")); // http(s):
    }

    /** The URL the script's own relative URLs resolve against: its own, unless that cannot be a base. */
    String base(String creatorBase) {
        return file != null || sourceName != null || url.startsWith("http:") || url.startsWith("https:")
                ? url : creatorBase;
    }

    String url() {
        return url;
    }

    boolean module() {
        return module;
    }

    /** Reads the script. @throws IOException if it cannot be read (the worker's load failure) */
    Source load() throws IOException {
        return load(false);
    }

    /**
     * Reads the script for {@code importScripts}, which accepts only a JavaScript MIME type (HTML "fetch
     * a classic worker-imported script", step 4). @throws IOException as a network error
     */
    Source loadImported() throws IOException {
        return load(true);
    }

    private Source load(boolean checkType) throws IOException {
        Source.Builder builder;
        String text = inline;
        String mime = type;
        if (file == null && text == null) {
            if (url.startsWith("blob:")) {
                throw new IOException("cannot load " + url + ": no such blob URL (revoked?)");
            } else {
                String origin = originOf(url);
                if (origin == null || !ORIGINS.containsKey(origin)) {
                    throw new IOException("cannot load " + url + ": only file:, data:, blob: URLs and served origins are supported");
                }
                Fetched fetched = served(url);
                if (fetched == null) {
                    throw new IOException("cannot load " + url + ": not found");
                }
                text = fetched.served().body();
                mime = fetched.served().type();
            }
        }
        if (checkType && !isJavaScriptType(mime)) {
            throw new DOMException("importScripts: " + url + " has the MIME type '" + mime
                    + "', not a JavaScript MIME type", "NetworkError");
        }
        if (file != null) {
            if (!Files.isReadable(file)) {
                throw new IOException("cannot read " + file);
            }
            builder = Source.newBuilder("js", file.toFile());
        } else if (url.startsWith("data:")) {
            // a data: URL is named by its head, without the inline text: error locations read
            // "data:text/javascript:3:7"; a Java host's text by the name it gave
            String head = url.substring(0, url.indexOf(',')).replace(";base64", "");
            builder = Source.newBuilder("js", text, head.equals("data:") ? "data:text/javascript" : head);
        } else if (module && JsFileSystem.pathOf(url) != null) {
            // a module from a served origin: named by its path in JsFileSystem, so that its imports
            // resolve as siblings and are read through it
            builder = Source.newBuilder("js", JsFileSystem.pathOf(url).toFile()).content(text);
        } else {
            builder = Source.newBuilder("js", text, sourceName != null ? sourceName : url);
        }
        if (module) {
            builder.mimeType(MODULE);
        }
        return builder.build();
    }

    private static boolean isJavaScriptType(String mime) {
        String essence = mime == null ? "" : mime.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        return JAVASCRIPT_TYPES.contains(essence);
    }

    /** The origin ("http://host:port") of an http(s) URL, or null. */
    static String originOf(String url) {
        try {
            URI u = new URI(url);
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
                return null;
            }
            return u.getScheme() + "://" + u.getRawAuthority();
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
