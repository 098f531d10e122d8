package dev.entangle.graaljs;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.HostAccess;

import dev.entangle.EventLoop;

/**
 * How every GraalJS context of this module is made: one shared {@link Engine} (its parsed and
 * profiled code is reused by every realm), explicit host access only (scripts see no Java class or
 * method unless this module hands it to them), and host {@code ByteBuffer}s usable as
 * {@code ArrayBuffer} backing store (what a received buffer's bytes are copied from), and
 * Java collections and arrays readable as JavaScript arrays and Maps.
 *
 * <p>Threads: any. A context is then used by one thread at a time (its loop's).
 */
final class JsContexts {
    /**
     * The system property naming the runtime a host asked for: {@code compiled} (the {@code entangle-js}
     * launcher's default, with the Graal compiler on the upgrade module path) or {@code interpreted}.
     * It does not choose the runtime (the JVM flags do); it only makes a mismatch a warning.
     */
    static final String MODE_PROPERTY = "entangle.js.mode";

    private static final class Shared {
        static final Engine ENGINE = logRuntime(Engine.newBuilder("js")
                // Without the compiler (a stock JDK's default), Truffle warns on every engine: the
                // launcher and the README say how to get it, and logRuntime says which one ran.
                .option("engine.WarnInterpreterOnly", "false")
                .build());
    }

    static final HostAccess HOST_ACCESS = HostAccess.newBuilder(HostAccess.EXPLICIT)
            .allowBufferAccess(true)
            // Java values a Java sender posts arrive as the receiver's own clone: a script may read
            // and change its lists, maps, arrays and iterables like JS arrays and Maps (with
            // js.foreign-object-prototype), though they stay Java objects; maps and lists through
            // JavaValueView (a map is also an object with its entries as properties).
            .allowListAccess(true)
            .allowMapAccess(true)
            .allowArrayAccess(true)
            .allowIterableAccess(true)
            .allowIteratorAccess(true)
            .build();

    private JsContexts() {
    }

    /** Whether the shared engine compiles guest code (Truffle's optimizing runtime, not "Interpreted"). */
    static boolean compiled() {
        return isCompiled(Shared.ENGINE);
    }

    private static boolean isCompiled(Engine engine) {
        return !"Interpreted".equals(engine.getImplementationName());
    }

    /**
     * Logs once, when the shared engine (so every realm's runtime) is made, which Truffle runtime it
     * got: at DEBUG, or at WARNING if {@link #MODE_PROPERTY} asked for the other one.
     */
    private static Engine logRuntime(Engine engine) {
        boolean compiled = isCompiled(engine);
        String asked = System.getProperty(MODE_PROPERTY, "");
        boolean mismatch = asked.equals("compiled") && !compiled || asked.equals("interpreted") && compiled;
        System.getLogger(JsContexts.class.getPackageName()).log(
                mismatch ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
                "GraalJS runtime: {0} ({1}{2})", engine.getImplementationName(),
                compiled ? "compiled" : "interpreted", mismatch ? ", but " + asked + " was asked for" : "");
        return engine;
    }

    /**
     * A new context: ECMAScript latest (for {@code ArrayBuffer.prototype.transfer}), the files the
     * calling loop's {@link JsFileAccess} admits (for {@code load()} and modules).
     */
    static Context newContext() {
        return newContext(JsFileAccess.of(EventLoop.current()));
    }

    /** A new context as {@link #newContext()}, its scripts reaching the files {@code access} admits. */
    static Context newContext(JsFileAccess access) {
        return Context.newBuilder("js")
                .engine(Shared.ENGINE)
                .allowHostAccess(HOST_ACCESS)
                .allowIO(access.io()) // the host's policy, plus served and blob URLs
                .option("js.ecmascript-version", "latest")
                .option("js.esm-eval-returns-exports", "true")
                .option("js.foreign-object-prototype", "true")
                .option("js.unhandled-rejections", "handler") // prelude.js reports them (HTML §8.1.4.7)
                .build();
    }
}
