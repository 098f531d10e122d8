package dev.entangle.graaljs;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessMode;
import java.nio.file.DirectoryStream;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.graalvm.polyglot.io.FileSystem;

/**
 * The file system GraalJS sees: the host's, plus the scripts of the http(s) origins a host serves
 * ({@link JsScript#serve}) and the blob URL store, so that ES modules import from those URLs as from
 * files (GraalJS's module loader resolves and reads modules through its file system). Such a URL is
 * mapped to a path under {@link #ROOT} ({@code http://host:8000/a/b.js} to
 * {@code /.entangle-url/http/host:8000/a/b.js}), so relative imports resolve as siblings; anything
 * else goes to the host files the realm's {@link JsFileAccess} admits.
 *
 * <p>Threads: any (stateless but for the host's registries, which are concurrent).
 */
final class JsFileSystem implements FileSystem {
    static final Path ROOT = Path.of("/.entangle-url");
    /** The host files a realm's JsFileAccess admits. */
    private final FileSystem host;

    JsFileSystem(FileSystem host) {
        this.host = host;
    }

    /** The path standing for a served or blob URL, or null for another URL. */
    static Path pathOf(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return null;
        }
        String scheme = uri.getScheme();
        if ("http".equals(scheme) || "https".equals(scheme)) {
            String rest = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            return ROOT.resolve(scheme).resolve(uri.getRawAuthority()).resolve(rest.replaceFirst("^/", ""));
        }
        return null;
    }

    /** The URL a path under {@link #ROOT} stands for. */
    private static String urlOf(Path path) {
        Path rel = ROOT.relativize(path.normalize());
        if (rel.getNameCount() < 2) {
            return null;
        }
        StringBuilder url = new StringBuilder(rel.getName(0) + "://" + rel.getName(1));
        for (int i = 2; i < rel.getNameCount(); i++) {
            url.append('/').append(rel.getName(i));
        }
        return url.toString();
    }

    private static boolean virtual(Path path) {
        return path.isAbsolute() && path.normalize().startsWith(ROOT);
    }

    private static byte[] content(Path path) throws NoSuchFileException {
        String url = urlOf(path);
        JsScript.Fetched fetched = url == null ? null : JsScript.served(url);
        if (fetched == null) {
            throw new NoSuchFileException(url == null ? path.toString() : url);
        }
        return fetched.served().body().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Path parsePath(URI uri) {
        String scheme = uri.getScheme();
        if ("http".equals(scheme) || "https".equals(scheme)) {
            return pathOf(uri.toString());
        }
        return host.parsePath(uri);
    }

    @Override
    public Path parsePath(String path) {
        // GraalJS passes an import specifier that is no valid java.net.URI (a space in its query) as a path
        if (path.startsWith("http://") || path.startsWith("https://")) {
            Path p = pathOf(path.replace(" ", "%20"));
            if (p != null) {
                return p;
            }
        }
        return host.parsePath(path);
    }

    @Override
    public void checkAccess(Path path, Set<? extends AccessMode> modes, LinkOption... linkOptions)
            throws IOException {
        if (virtual(path)) {
            if (modes.contains(AccessMode.WRITE)) {
                throw new IOException("read-only: " + path);
            }
            content(path);
            return;
        }
        host.checkAccess(path, modes, linkOptions);
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        host.createDirectory(dir, attrs);
    }

    @Override
    public void delete(Path path) throws IOException {
        host.delete(path);
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options,
                                              FileAttribute<?>... attrs) throws IOException {
        if (!virtual(path)) {
            return host.newByteChannel(path, options, attrs);
        }
        if (options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND)) {
            throw new IOException("read-only: " + path);
        }
        return new ReadOnlyChannel(content(path));
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter)
            throws IOException {
        return host.newDirectoryStream(dir, filter);
    }

    @Override
    public Path toAbsolutePath(Path path) {
        return host.toAbsolutePath(path);
    }

    @Override
    public Path toRealPath(Path path, LinkOption... linkOptions) throws IOException {
        if (!virtual(path)) {
            return host.toRealPath(path, linkOptions);
        }
        // a redirected URL stands for its response URL, as a symbolic link for its target: GraalJS keys
        // and resolves a module by its real path, so the module's URL is the response URL (HTML)
        String url = urlOf(path);
        JsScript.Fetched fetched = url == null ? null : JsScript.served(url);
        Path real = fetched == null || fetched.url().equals(url) ? null : pathOf(fetched.url());
        return real == null ? path.normalize() : real;
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options)
            throws IOException {
        if (!virtual(path)) {
            return host.readAttributes(path, attributes, options);
        }
        byte[] bytes = content(path);
        FileTime epoch = FileTime.fromMillis(0);
        Map<String, Object> map = new HashMap<>();
        map.put("isRegularFile", true);
        map.put("isDirectory", false);
        map.put("isSymbolicLink", false);
        map.put("isOther", false);
        map.put("size", (long) bytes.length);
        map.put("lastModifiedTime", epoch);
        map.put("lastAccessTime", epoch);
        map.put("creationTime", epoch);
        map.put("fileKey", null);
        return map;
    }

    /** A served script's bytes, read-only. */
    private static final class ReadOnlyChannel implements SeekableByteChannel {
        private final ByteBuffer bytes;
        private boolean open = true;

        ReadOnlyChannel(byte[] bytes) {
            this.bytes = ByteBuffer.wrap(bytes);
        }

        @Override
        public int read(ByteBuffer dst) {
            if (!bytes.hasRemaining()) {
                return -1;
            }
            int n = Math.min(dst.remaining(), bytes.remaining());
            ByteBuffer slice = bytes.slice();
            slice.limit(n);
            dst.put(slice);
            bytes.position(bytes.position() + n);
            return n;
        }

        @Override
        public int write(ByteBuffer src) {
            throw new NonWritableChannelException();
        }

        @Override
        public long position() {
            return bytes.position();
        }

        @Override
        public SeekableByteChannel position(long newPosition) {
            bytes.position((int) Math.min(newPosition, bytes.limit()));
            return this;
        }

        @Override
        public long size() {
            return bytes.limit();
        }

        @Override
        public SeekableByteChannel truncate(long size) {
            throw new NonWritableChannelException();
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
        }
    }
}
