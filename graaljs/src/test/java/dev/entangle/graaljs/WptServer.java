package dev.entangle.graaljs;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What these tests need of wptserve, WPT's web server, without a socket: a WPT checkout's files are the
 * origins of WPT's test environment ({@link #ORIGIN} and the others of {@link #origins()}: the
 * {@code www}, {@code www1}, {@code www2} subdomains, the second http port and the https ports), served
 * to scripts through {@link JsScript#serve}. As wptserve does, it
 * <ul>
 * <li>answers a file of the root as it is, and the wrappers it generates ({@code generated});</li>
 * <li>fills in the templates of a file whose name contains {@code .sub.} (wptserve's "sub" pipe:
 * {@code {{host}}}, {@code {{domains[www1]}}}, {@code {{hosts[][www1]}}}, {@code {{ports[https][0]}}},
 * {@code {{location[host]}}} and the other parts of the request URL, {@code {{GET[name]}}},
 * {@code {{uuid()}}}); an unknown template is an error, as it is for wptserve;</li>
 * <li>stands in for the Python handlers the selection's tests request (the {@code .py} files are not
 * in the selection): {@code /workers/support/imported_script.py?mime=T} answers an empty script with
 * the {@code Content-Type} T (what importscripts_mime.any.js checks),
 * {@code /workers/modules/resources/redirect.py?location=U} a redirect to U (wptserve's redirect
 * handler, status 302; the module import through a redirect of dedicated-worker-import*.any.js), and
 * {@code /workers/modules/resources/export-on-load-script.py} the module of
 * {@code export-on-load-script.js} (the cross-origin module import of dedicated-worker-import*.any.js;
 * wptserve's handler adds the CORS header, which no check reads here).</li>
 * </ul>
 *
 * <p>Threads: any (it only reads the root).
 */
final class WptServer {
    static final String HOST = "web-platform.test";
    static final String ORIGIN = "http://" + HOST + ":8000";
    private static final Map<String, List<Integer>> PORTS = Map.of("http", List.of(8000, 8001),
            "https", List.of(8443, 8444));
    private static final List<String> SUBDOMAINS = List.of("www", "www1", "www2");
    private static final Pattern TEMPLATE = Pattern.compile("\\{\\{([^}]*)}}");
    private static final Pattern KEYED = Pattern.compile("(\\w+)\\[([^\\]]*)](?:\\[([^\\]]*)])?(?:\\[(\\d+)])?");

    private final Path root;
    private final Function<String, String> generated;

    /**
     * @param root the WPT checkout (absolute, normalized)
     * @param generated the body wptserve generates for a path relative to the root, or null for none
     */
    WptServer(Path root, Function<String, String> generated) {
        this.root = root;
        this.generated = generated;
    }

    /** Serves every origin of {@link #origins()}. */
    void install() {
        for (String origin : origins()) {
            JsScript.serve(origin, target -> answer(origin, target));
        }
    }

    /** WPT's origins: http and https, each port, the host and its subdomains. */
    static List<String> origins() {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, List<Integer>> scheme : new LinkedHashMap<>(PORTS).entrySet()) {
            for (int port : scheme.getValue()) {
                out.add(scheme.getKey() + "://" + HOST + ":" + port);
                for (String sub : SUBDOMAINS) {
                    out.add(scheme.getKey() + "://" + sub + "." + HOST + ":" + port);
                }
            }
        }
        return out;
    }

    /** The answer for {@code target} (raw path and query) at {@code origin}, or null (not found). */
    JsScript.Served answer(String origin, String target) {
        int q = target.indexOf('?');
        String path = URLDecoder.decode(q < 0 ? target : target.substring(0, q), StandardCharsets.UTF_8);
        String query = q < 0 ? "" : target.substring(q + 1);
        switch (path) {
            case "/workers/support/imported_script.py": {
                String mime = parameters(query).get("mime");
                return mime == null ? null : JsScript.Served.of("", mime);
            }
            case "/workers/modules/resources/redirect.py": {
                String location = parameters(query).get("location");
                return location == null ? null : JsScript.Served.redirect(location);
            }
            case "/workers/modules/resources/export-on-load-script.py":
                return JsScript.Served.script("export const importedModules = ['export-on-load-script.js'];");
            default:
                break;
        }
        String rel = path.replaceFirst("^/", "");
        String body = generated.apply(rel);
        if (body != null) {
            return JsScript.Served.script(body);
        }
        Path file = root.resolve(rel).normalize();
        if (!file.startsWith(root) || !Files.isRegularFile(file)) {
            return null;
        }
        try {
            // worker scripts are UTF-8; a malformed byte decodes to U+FFFD (workers/semantics/encodings)
            String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            return JsScript.Served.script(file.getFileName().toString().contains(".sub.")
                    ? substitute(text, origin, path, query) : text);
        } catch (IOException e) {
            return null;
        }
    }

    /** wptserve's "sub" pipe over {@code text}, for a request of {@code path?query} at {@code origin}. */
    static String substitute(String text, String origin, String path, String query) {
        Matcher m = TEMPLATE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(value(m.group(1).strip(), origin, path, query)));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String value(String key, String origin, String path, String query) {
        if (key.equals("host")) {
            return HOST;
        }
        if (key.equals("uuid()")) {
            return UUID.randomUUID().toString();
        }
        Matcher k = KEYED.matcher(key);
        if (!k.matches()) {
            throw new IllegalArgumentException("wptserve template {{" + key + "}} is not supported");
        }
        String scheme = origin.substring(0, origin.indexOf(':'));
        String hostPort = origin.substring(origin.indexOf("//") + 2);
        String hostname = hostPort.substring(0, hostPort.lastIndexOf(':'));
        String port = hostPort.substring(hostPort.lastIndexOf(':') + 1);
        String name = k.group(2);
        String value = switch (k.group(1)) {
            case "domains" -> subdomain(name);
            case "hosts" -> k.group(3) == null ? null : subdomain(k.group(3)); // hosts[alt][name]: alt is ""
            case "ports" -> {
                List<Integer> ports = PORTS.get(name);
                int i = k.group(3) == null ? -1 : Integer.parseInt(k.group(3));
                yield ports == null || i < 0 || i >= ports.size() ? null : String.valueOf(ports.get(i));
            }
            case "location" -> switch (name) {
                case "scheme" -> scheme;
                case "host" -> hostPort;
                case "hostname" -> hostname;
                case "port" -> port;
                case "server" -> origin;
                case "path", "pathname" -> path;
                case "query" -> query.isEmpty() ? "" : "?" + query;
                case "href" -> origin + path + (query.isEmpty() ? "" : "?" + query);
                default -> null;
            };
            case "GET" -> parameters(query).getOrDefault(name, "");
            default -> null;
        };
        if (value == null) {
            throw new IllegalArgumentException("wptserve template {{" + key + "}} is not supported");
        }
        return value;
    }

    private static String subdomain(String name) {
        if (name.isEmpty()) {
            return HOST;
        }
        return SUBDOMAINS.contains(name) ? name + "." + HOST : null;
    }

    /** A query's parameters (application/x-www-form-urlencoded), the first of each name. */
    private static Map<String, String> parameters(String query) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.putIfAbsent(name, value);
        }
        return out;
    }
}
