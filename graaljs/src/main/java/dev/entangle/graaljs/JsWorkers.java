package dev.entangle.graaljs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;

import dev.entangle.ErrorEvent;
import dev.entangle.MessageEvent;
import dev.entangle.Worker;

/**
 * Workers running scripts: each is an entangle {@link Worker} (its own loop and thread, the implicit
 * channel, Node's lifetime rule) whose body makes a new realm on the worker's loop, runs the script,
 * then enables the implicit port (HTML "run a worker").
 *
 * <p>A worker whose parent is a script reports its unhandled errors and a failure to load its script
 * to the parent as {@link ErrorReport}s on the implicit port, in order with its messages; the
 * parent's realm fires them at the JS {@code Worker} object. A worker started by Java
 * ({@link JsRuntime}) prints them to {@code System.err} instead.
 *
 * <p>Threads: {@link #start} on the parent realm's loop; {@link #terminate} any thread.
 * Memory consistency effects: those of {@link Worker}.
 */
final class JsWorkers {
    private static final AtomicInteger COUNT = new AtomicInteger();
    /** The realm of each running worker, for terminate(); removed at exit. */
    private static final Map<Worker, AtomicReference<JsRealm>> REALMS = new ConcurrentHashMap<>();

    private JsWorkers() {
    }

    /** {@code new Worker(url, {name, type})} in {@code parent}; events go to {@code jsWorker}. */
    static Worker start(JsRealm parent, String url, String name, boolean module, Value jsWorker) {
        JsScript script = JsScript.resolve(url, parent.base(), module);
        JsFileAccess access = JsFileAccess.of(parent.loop()); // a worker inherits its creator's policy
        AtomicReference<JsRealm> realm = new AtomicReference<>();
        Worker worker = new Worker(threadName(name), scope -> run(scope, script, parent.base(),
                name, access, realm, (message, filename, lineno, colno, stack) -> scope.parentPort().postMessage(
                        new ErrorReport(message, filename, lineno, colno, false)), true, true));
        REALMS.put(worker, realm);
        parent.adopt(worker);
        Value api = parent.api();
        worker.addEventListener("message", event -> {
            if (((MessageEvent) event).data() instanceof ErrorReport r) {
                if (r.loadFailure()) {
                    parent.dispatchSimple(jsWorker, "error");
                } else {
                    parent.enter(() -> api.invokeMember("workerError", jsWorker, r.message(), r.filename(),
                            r.lineno(), r.colno()));
                }
            } else {
                parent.dispatchMessage(jsWorker, event);
            }
        });
        worker.addEventListener("messageerror", event -> parent.dispatchMessage(jsWorker, event));
        worker.addEventListener("error", event -> parent.enter(() -> // the worker's Java side failed
                api.invokeMember("workerError", jsWorker, ((ErrorEvent) event).message(), "", 0, 0)));
        worker.addEventListener("exit", event -> {
            parent.orphan(worker);
            ended(worker);
        });
        return worker;
    }

    /**
     * A worker started by Java: errors are printed; {@code realm} receives the realm once made; its
     * scripts (and workers) reach the files {@code access} admits. A {@code program}'s realm is a main
     * realm (no {@code postMessage}, {@code onmessage}, {@code name}: JsRuntime.run), any other's a
     * dedicated worker's whose parent is the Java caller.
     */
    static Worker startFromJava(JsScript script, String name, JsFileAccess access,
                                AtomicReference<JsRealm> realm, boolean program) {
        Worker worker = new Worker(threadName(name), scope -> run(scope, script,
                JsScript.directoryUrl(Path.of("")), name, access, realm, JsWorkers::print, false, !program));
        REALMS.put(worker, realm);
        worker.addEventListener("exit", event -> ended(worker));
        return worker;
    }

    /** How many workers started here have not yet exited (their realms not yet closed); for tests. */
    static int running() {
        return REALMS.size();
    }

    /** {@code worker.terminate()}: entangle's terminate, and the script stopped if it is running. */
    static void terminate(Worker worker) {
        worker.terminate();
        AtomicReference<JsRealm> realm = REALMS.get(worker);
        JsRealm r = realm == null ? null : realm.get();
        if (r != null) {
            r.cancel();
        }
    }

    private static void run(Worker.Scope scope, JsScript script, String creatorBase, String name,
                            JsFileAccess access, AtomicReference<JsRealm> cell, JsRealm.ErrorSink errors,
                            boolean scriptParent, boolean workerGlobal) {
        JsFileAccess.bind(scope.loop(), access); // read by the realm's context (JsContexts), on this loop
        JsRealm realm;
        try {
            realm = workerGlobal ? JsSpareRealm.take(access) : null; // made ahead, for this policy
            if (realm == null) {
                realm = new JsRealm(scope.loop(), script.url(), script.base(creatorBase), scope, workerGlobal,
                        name, errors);
            } else {
                bindSpare(realm, scope, script.url(), script.base(creatorBase), name, errors);
            }
        } catch (RuntimeException e) {
            JsFileAccess.unbind(scope.loop());
            throw e;
        }
        cell.set(realm);
        JsSpareRealm.prepare(access); // for the next worker, which inherits this realm's policy
        Source source;
        try {
            if (scriptParent) { // the script a Java host starts is its own choice; a worker's is checked
                access.checkWorkerScript(script.url());
            }
            source = script.load();
            // HTML "run a worker": a script that does not parse (its "error to rethrow" is set) fires a
            // plain `error` Event at the Worker, classic or module (WPT
            // workers/dedicated-worker-parse-error-failure.html); the engine keeps the parsed code for
            // the evaluation that follows.
            realm.context().parse(source);
        } catch (IOException | RuntimeException e) {
            loadFailed(scope, realm, script, "Failed to load worker script " + script.url() + ": " + e.getMessage(),
                    scriptParent);
            return;
        }
        if (script.module()) {
            String fetchFailure = realm.evaluateModule(source);
            if (fetchFailure != null) {
                loadFailed(scope, realm, script, "Failed to load worker module " + script.url() + ": " + fetchFailure,
                        scriptParent);
                return;
            }
        } else {
            realm.evaluate(source);
        }
        realm.enableParentPort();
    }

    private static void bindSpare(JsRealm spare, Worker.Scope scope, String location, String base, String name,
                                  JsRealm.ErrorSink errors) {
        try {
            spare.bind(scope.loop(), location, base, scope, name, errors);
        } catch (RuntimeException e) {
            spare.close();
            throw e;
        }
    }

    /** HTML "run a worker": a script that cannot be fetched or parsed is a plain `error` at the Worker. */
    private static void loadFailed(Worker.Scope scope, JsRealm realm, JsScript script, String message,
                                   boolean scriptParent) {
        if (scriptParent) {
            scope.parentPort().postMessage(new ErrorReport(message, script.url(), 0, 0, true));
        } else {
            realm.uncaught("Uncaught " + message, script.url(), 0, 0, "");
        }
    }

    private static void ended(Worker worker) {
        AtomicReference<JsRealm> realm = REALMS.remove(worker);
        JsRealm r = realm == null ? null : realm.get();
        if (r != null) {
            JsFileAccess.unbind(r.loop());
            r.close();
        }
        if (REALMS.isEmpty()) {
            JsSpareRealm.discard(); // no realm left whose workers it would serve
        }
    }

    private static String threadName(String name) {
        return name.isEmpty() ? "js-worker-" + COUNT.incrementAndGet() : name;
    }

    private static void print(String message, String filename, int lineno, int colno, String stack) {
        System.err.println(stack.startsWith(message) || stack.isEmpty() ? message
                : message + System.lineSeparator() + indent(stack));
    }

    private static String indent(String stack) {
        return stack.lines().skip(1).map(line -> "    " + line.strip())
                .reduce((a, b) -> a + System.lineSeparator() + b).orElse("");
    }
}
