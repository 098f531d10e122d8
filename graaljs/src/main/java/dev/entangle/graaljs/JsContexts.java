package dev.entangle.graaljs;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.HostAccess;

/**
 * How every GraalJS context of this module is made: one shared {@link Engine} (its parsed and
 * profiled code is reused by every realm), explicit host access only (scripts see no Java class or
 * method unless this module hands it to them), and host {@code ByteBuffer}s usable as
 * {@code ArrayBuffer} backing store (the receiving side of a transferred buffer, without a copy), and
 * Java collections and arrays readable as JavaScript arrays and Maps.
 *
 * <p>Threads: any. A context is then used by one thread at a time (its loop's).
 */
final class JsContexts {
    private static final class Shared {
        static final Engine ENGINE = Engine.newBuilder("js")
                .option("engine.WarnInterpreterOnly", "false") // Temurin runs GraalJS interpreted
                .build();
    }

    static final HostAccess HOST_ACCESS = HostAccess.newBuilder(HostAccess.EXPLICIT)
            .allowBufferAccess(true)
            // Java values a Java sender posts arrive as the receiver's own clone: a script may read
            // and change its lists, maps, arrays and iterables like JS arrays and Maps (with
            // js.foreign-object-prototype), though they stay Java objects.
            .allowListAccess(true)
            .allowMapAccess(true)
            .allowArrayAccess(true)
            .allowIterableAccess(true)
            .allowIteratorAccess(true)
            .build();

    private JsContexts() {
    }

    /**
     * A new context: ECMAScript latest (for {@code ArrayBuffer.prototype.transfer}), the files the
     * calling loop's {@link JsFileAccess} admits (for {@code load()} and modules).
     */
    static Context newContext() {
        return Context.newBuilder("js")
                .engine(Shared.ENGINE)
                .allowHostAccess(HOST_ACCESS)
                .allowIO(JsFileAccess.forCurrentLoop()) // the host's policy, plus served and blob URLs
                .option("js.ecmascript-version", "latest")
                .option("js.esm-eval-returns-exports", "true")
                .option("js.foreign-object-prototype", "true")
                .option("js.unhandled-rejections", "handler") // prelude.js reports them (HTML §8.1.4.7)
                .build();
    }
}
