package dev.entangle.graaljs;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The spare realm: one dedicated worker's realm made ahead of the {@code new Worker} that takes it, so
 * that a worker does not wait for GraalJS to build a context and evaluate the prelude (most of a
 * worker's start-up: graaljs-benchmarks/README.md "Start-up"). There is at most one, for one file
 * access policy: made on a daemon thread of its own once a realm is up ({@link #prepare}), taken by the
 * next worker realm of that policy ({@link #take}, waiting for it if it is still being made), then made
 * again for the worker after; closed once no realm runs ({@link #discard}).
 *
 * <p>Nothing a script can see changes: a spare is taken by one worker only and bound to it before
 * its script runs, so each worker still gets a fresh global of its own; its globals depend only on
 * the realm's kind (every spare is a dedicated worker's) and file access (the context's file system,
 * fixed when the context is made: a worker whose policy admits other files gets a new realm, as
 * before); what
 * depends on the worker (its loop, {@code location}, {@code name}, time origin, error sink, parent
 * port) is set when it is bound (JsRealm's two phases). Until then its context is used by the thread
 * making it only, and after by the worker's loop only, so it is never entered by two threads at once.
 * A spare never taken runs no script, holds no port and no non-daemon thread, so it never keeps the
 * JVM alive or delays a program's exit. {@code -Dentangle.js.spareRealm=false} turns spares off.
 *
 * <p>Threads: any. Memory consistency effects: making the spare <i>happens-before</i> the return of
 * the {@link #take} that hands it over (the future's completion).
 */
final class JsSpareRealm {
    /** The system property that turns spares off ({@code false}); on by default. */
    static final String PROPERTY = "entangle.js.spareRealm";
    private static final boolean ENABLED = !"false".equals(System.getProperty(PROPERTY, "true"));

    private static final Object LOCK = new Object();
    /** The spare being made or made (null: none) and the policy it serves; guarded by LOCK. */
    private static CompletableFuture<JsRealm> spare;
    private static JsFileAccess spareAccess;
    /** How many spares were taken by a worker; for tests. */
    private static final AtomicInteger TAKEN = new AtomicInteger();

    private JsSpareRealm() {
    }

    /**
     * Makes sure a spare for {@code access} is made or being made, on a new daemon thread; a spare of
     * another policy is discarded. Called once a realm is up (its workers inherit its policy).
     */
    static void prepare(JsFileAccess access) {
        if (!ENABLED) {
            return;
        }
        CompletableFuture<JsRealm> made = new CompletableFuture<>();
        synchronized (LOCK) {
            if (spare != null && spareAccess.admitsTheSameAs(access)) {
                return;
            }
            discardLocked();
            spare = made;
            spareAccess = access;
        }
        maker(() -> {
            try {
                made.complete(JsRealm.spare(access));
            } catch (RuntimeException | Error e) {
                made.completeExceptionally(e); // take() then makes a new realm, which reports it
            }
        }).start();
    }

    /** The thread that makes a spare: a daemon, so a spare being made never keeps the JVM alive. */
    static Thread maker(Runnable making) {
        return Thread.ofPlatform().daemon().name("entangle-js-spare").unstarted(making);
    }

    /**
     * The spare for a dedicated worker's realm under {@code access}, waiting for it if it is still being
     * made (it is ahead of a new one), or null if there is none for that policy or it failed: the caller
     * then makes a new realm. The spare is the caller's from then on (to bind, or to close).
     */
    static JsRealm take(JsFileAccess access) {
        CompletableFuture<JsRealm> made;
        synchronized (LOCK) {
            if (spare == null || !spareAccess.admitsTheSameAs(access)) {
                return null;
            }
            made = spare;
            spare = null;
            spareAccess = null;
        }
        try {
            JsRealm realm = made.join();
            TAKEN.incrementAndGet();
            return realm;
        } catch (CompletionException e) {
            return null;
        }
    }

    /** Closes the spare, if any, once it is made (no realm runs any more: a Java host's last worker ended). */
    static void discard() {
        synchronized (LOCK) {
            discardLocked();
        }
    }

    private static void discardLocked() {
        if (spare != null) {
            spare.thenAccept(JsRealm::close); // unbound: closing it stops nothing
            spare = null;
            spareAccess = null;
        }
    }

    /** Whether a spare is made or being made; for tests. */
    static boolean held() {
        synchronized (LOCK) {
            return spare != null;
        }
    }

    /** How many spares workers took so far; for tests. */
    static int taken() {
        return TAKEN.get();
    }
}
