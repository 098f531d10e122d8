package dev.entangle.graaljs;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.Charset;
import java.nio.file.AccessMode;
import java.nio.file.DirectoryStream;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.graalvm.polyglot.io.FileSystem;
import org.graalvm.polyglot.io.IOAccess;

import dev.entangle.EventLoop;

/**
 * Which files the scripts of a {@link JsRuntime} realm may read: what GraalJS's {@code load()},
 * ES module {@code import}s (static and dynamic) and {@code new Worker(url)} with a path or
 * {@code file:} URL can reach. A host decision, made once per script started from Java, and inherited
 * by every worker that script starts (and theirs).
 *
 * <ul>
 * <li>{@link #none()}: no file at all. {@code data:} worker URLs still work.</li>
 * <li>{@link #readOnly(Path)}: files under one directory (after resolving symbolic links, so a link
 * cannot lead out), read only. The default of {@link JsRuntime#newWorker(Path)} and
 * {@link JsRuntime#run(Path)}: the script's own directory.</li>
 * <li>{@link #all()}: every file the JVM may read and write, as Node gives a script; the command line
 * ({@code java -jar entangle-js.jar script.js}) uses it.</li>
 * </ul>
 *
 * <p>A script outside the allowed files cannot be loaded: {@code load()} throws, an {@code import}
 * fails, and a {@code Worker} for it fires {@code error} at its {@code Worker} object, as for a
 * missing script. The script a Java host starts ({@code newWorker(path)}, {@code run(path)},
 * {@code newWorker(name, source)}) is the host's choice and always runs; the policy governs what the
 * script reaches from there. Network access is never granted.
 *
 * <p>Threads: immutable, any thread. Memory consistency effects: none (immutable).
 */
public final class JsFileAccess {
    /*
     * Implementation overview. A policy is a polyglot FileSystem of host files (deny-all, the
     * default one, or one that admits paths under the root only, read-only), which each realm's
     * context sees behind a JsFileSystem (served origins and blob URLs come first), and a check of the
     * worker scripts entangle itself reads from disk (JsWorkers: Source.newBuilder(file) reads with
     * host IO, outside the context's file system). Realms find their policy by their loop: BOUND maps
     * each worker loop of a realm started from Java to its policy, bound before the realm is made
     * (JsContexts.newContext runs on that loop; a spare realm, made ahead on another thread, gets its
     * policy from the realm whose workers it will serve: JsSpareRealm) and removed when the worker has ended. A loop without a
     * binding (a realm made directly, as tests and benchmarks do) gets none().
     */

    /** No host file; paths still parse (GraalJS parses module URLs before it reads them). */
    private static final JsFileAccess NONE = new JsFileAccess(null, new UnderRoot(null));
    private static final JsFileAccess ALL = new JsFileAccess(null, FileSystem.newDefaultFileSystem());
    private static final Map<EventLoop, JsFileAccess> BOUND = new ConcurrentHashMap<>();

    /** The real path of the directory for read-only access, or null for none and all. */
    private final Path root;
    /** The host files the policy admits; the realm's context sees them through a JsFileSystem. */
    private final FileSystem files;

    private JsFileAccess(Path root, FileSystem files) {
        this.root = root;
        this.files = files;
    }

    /** {@return the policy that lets scripts read no file} */
    public static JsFileAccess none() {
        return NONE;
    }

    /**
     * Lets scripts read the files under {@code root} (and nothing else, nothing written).
     *
     * @param root an existing directory; symbolic links in it are resolved first
     * @return the policy
     * @throws NullPointerException if {@code root} is null
     * @throws IllegalArgumentException if {@code root} is not an existing directory
     */
    public static JsFileAccess readOnly(Path root) {
        Objects.requireNonNull(root, "root");
        Path real;
        try {
            real = root.toRealPath();
        } catch (IOException e) {
            throw new IllegalArgumentException("not an existing directory: " + root, e);
        }
        if (!real.toFile().isDirectory()) {
            throw new IllegalArgumentException("not a directory: " + root);
        }
        return new JsFileAccess(real, new UnderRoot(real));
    }

    /** {@return the policy that lets scripts read and write every file the JVM may, as Node does} */
    public static JsFileAccess all() {
        return ALL;
    }

    /**
     * Whether {@code other} admits exactly the files this policy does: the same policy, or read-only
     * under the same directory (a spare realm's file system serves either: JsSpareRealm).
     */
    boolean admitsTheSameAs(JsFileAccess other) {
        return this == other || root != null && root.equals(other.root);
    }

    /** {@return the directory of a read-only policy, or null for none and all} */
    Path root() {
        return root;
    }

    @Override
    public String toString() {
        return this == NONE ? "JsFileAccess.none()" : this == ALL ? "JsFileAccess.all()"
                : "JsFileAccess.readOnly(" + root + ")";
    }

    // ------------------------------------------------------------------------------------ realms

    /** Binds {@code loop}'s realm (made next, on that loop) and its workers to {@code access}. */
    static void bind(EventLoop loop, JsFileAccess access) {
        BOUND.put(loop, access);
    }

    /** Drops the binding of an ended worker's loop. */
    static void unbind(EventLoop loop) {
        BOUND.remove(loop);
    }

    /** The policy of the realm on {@code loop}: its binding, or none. */
    static JsFileAccess of(EventLoop loop) {
        JsFileAccess access = loop == null ? null : BOUND.get(loop);
        return access != null ? access : NONE;
    }

    /**
     * The context IO of a realm under this policy (JsContexts): the policy's host files, plus the
     * scripts of served origins and blob URLs, which are no host files (JsFileSystem).
     */
    IOAccess io() {
        return IOAccess.newBuilder().fileSystem(new JsFileSystem(files)).build();
    }

    /**
     * Checks a worker script entangle reads itself (a path or {@code file:} URL); {@code data:} and
     * other URLs are not files.
     *
     * @throws IOException if the policy does not admit the file (the worker's load failure)
     */
    void checkWorkerScript(String url) throws IOException {
        if (this == ALL || !url.startsWith("file:")) {
            return;
        }
        Path file = Path.of(URI.create(url));
        if (root == null) {
            throw new IOException("file access is not allowed (JsFileAccess.none()): " + file);
        }
        if (!realOrAbsolute(file).startsWith(root)) {
            throw new IOException("outside the readable directory " + root + ": " + file);
        }
    }

    private static Path realOrAbsolute(Path path) throws IOException {
        Path absolute = path.toAbsolutePath().normalize();
        try {
            return absolute.toRealPath();
        } catch (NoSuchFileException e) {
            return absolute; // not there: where it would be, so that a missing file reads "not found"
        }
    }

    // ------------------------------------------------------------------------------------ files

    /**
     * The context file system of {@link #readOnly}: the host's, read-only, admitting only paths whose
     * real path (symbolic links resolved) is under the root; any other is a {@link SecurityException},
     * which GraalJS reports to the script as an error of the {@code load()} or {@code import}.
     */
    private static final class UnderRoot implements FileSystem {
        private final Path root;
        private final FileSystem host = FileSystem.newReadOnlyFileSystem(FileSystem.newDefaultFileSystem());

        /** @param root the readable directory, or null for none at all */
        UnderRoot(Path root) {
            this.root = root;
        }

        private Path admitted(Path path) throws IOException {
            // NoSuchFileException, not SecurityException: a file the policy hides fails as a missing
            // one does (a module import is then a fetch failure, an `error` event, not an uncaught
            // host exception), and the message still says why.
            if (root == null) {
                throw new NoSuchFileException(path.toString(), null,
                        "file access is not allowed (JsFileAccess.none())");
            }
            Path real = realOrAbsolute(host.toAbsolutePath(path));
            if (!real.startsWith(root)) {
                throw new NoSuchFileException(path.toString(), null, "outside the readable directory " + root);
            }
            return path;
        }

        @Override
        public Path parsePath(URI uri) {
            return host.parsePath(uri);
        }

        @Override
        public Path parsePath(String path) {
            return host.parsePath(path);
        }

        @Override
        public void checkAccess(Path path, Set<? extends AccessMode> modes, LinkOption... linkOptions)
                throws IOException {
            host.checkAccess(admitted(path), modes, linkOptions);
        }

        @Override
        public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
            host.createDirectory(admitted(dir), attrs); // read-only: refused
        }

        @Override
        public void delete(Path path) throws IOException {
            host.delete(admitted(path)); // read-only: refused
        }

        @Override
        public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options,
                FileAttribute<?>... attrs) throws IOException {
            return host.newByteChannel(admitted(path), options, attrs);
        }

        @Override
        public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter)
                throws IOException {
            return host.newDirectoryStream(admitted(dir), filter);
        }

        @Override
        public Path toAbsolutePath(Path path) {
            return host.toAbsolutePath(path);
        }

        @Override
        public Path toRealPath(Path path, LinkOption... linkOptions) throws IOException {
            return host.toRealPath(admitted(path), linkOptions);
        }

        @Override
        public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options)
                throws IOException {
            return host.readAttributes(admitted(path), attributes, options);
        }

        @Override
        public String getMimeType(Path path) {
            return host.getMimeType(path);
        }

        @Override
        public Charset getEncoding(Path path) {
            return host.getEncoding(path);
        }
    }
}
