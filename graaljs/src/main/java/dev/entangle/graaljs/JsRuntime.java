package dev.entangle.graaljs;

import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;

import dev.entangle.Worker;

/**
 * Runs JavaScript on entangle: each script gets its own realm (a GraalJS context bound to one
 * entangle event loop, so to one thread at a time) with the Web messaging globals installed —
 * {@code MessageChannel}, {@code MessagePort}, {@code MessageEvent}, {@code Event},
 * {@code EventTarget}, {@code ErrorEvent}, {@code PromiseRejectionEvent}, {@code DOMException},
 * {@code AbortController}, {@code AbortSignal}, {@code BroadcastChannel},
 * {@code Worker}, {@code structuredClone}, {@code queueMicrotask}, {@code reportError},
 * {@code setTimeout} / {@code setInterval} and their {@code clear} functions — behaving as in a
 * browser (HTML §9, §10.2), with Node's {@code worker_threads} rules where the standard leaves the
 * choice to the host (when a worker ends by itself).
 *
 * <pre>{@code
 * Worker js = JsRuntime.newWorker(Path.of("doubler.js"));   // self.onmessage = e => postMessage(e.data * 2)
 * js.onmessage(e -> System.out.println(e.data()));          // 42.0 (JS numbers arrive as Double)
 * js.postMessage(21);
 * }</pre>
 *
 * <h2>The script's realm</h2>
 * A script started by {@link #newWorker} runs as a dedicated worker whose parent is the Java caller
 * ({@code self instanceof DedicatedWorkerGlobalScope}): {@code postMessage}, {@code onmessage} and
 * {@code close()} talk to the returned {@link Worker}. A program ({@link #run}, the command line) runs
 * in a main realm, which is no worker: no {@code postMessage}, {@code onmessage}, {@code name} or
 * {@code importScripts} (so libraries that look for them take it for the main thread, as in a
 * browser or Deno); its {@code close()} ends the program, as Deno's {@code window.close()} does.
 * Both have {@code location} (the script's URL), {@code navigator}, {@code performance}, {@code URL},
 * {@code Blob}, {@code TextEncoder} and the other globals of the resource files beside
 * {@code prelude.js}; {@code new Worker(url)} in either starts further realms, each on its own loop. Messages cross
 * as structured clones (objects, arrays, Map, Set, Date, RegExp, BigInt, ArrayBuffer and typed
 * arrays, errors, cycles; a transferred {@code ArrayBuffer} is detached at the sender). A Java
 * receiver gets plain Java values for JavaScript ones; Java values posted to a script are seen there
 * as they are (strings and numbers as JS primitives). Microtasks run after each task (each event,
 * timer or script), as HTML's microtask checkpoint does. An error the script does not handle is
 * reported on its global scope ({@code self.onerror}, {@code addEventListener('error', …)}) and, if
 * not canceled there, printed to {@code System.err}; the script keeps running, as a browser's does.
 *
 * <h2>Files</h2>
 * What a script may read is the host's decision, a {@link JsFileAccess} given when it is started
 * and inherited by the workers it starts: {@code load()}, {@code import} and file workers reach
 * only the files it admits. Without one, a script file may read the files under its own directory
 * (read-only) and a script given as text none; the command line allows every file, as Node does.
 *
 * <h2>Lifetime</h2>
 * The worker ends by itself, with exit code 0, once no pending timer, running child worker, open
 * started port with a {@code message} listener, and open {@code BroadcastChannel} with one is left (Node's rule; so a script with an
 * {@code onmessage} handler waits for messages until it calls {@code close()} or is terminated).
 * {@code close()} ends it with 0; {@link Worker#terminate()} stops it at once, cancelling a running
 * script (exit code 1).
 *
 * <p>Threads: any. Memory consistency effects: those of {@link Worker}.
 */
public final class JsRuntime {
    private JsRuntime() {
    }

    /**
     * Starts {@code script} (a classic script, or an ES module if it ends in {@code .mjs}) in a new
     * realm on a new worker loop, its scripts reading only the files under the script's directory
     * ({@code newWorker(script, JsFileAccess.readOnly(script's directory))}). Called on an entangle
     * loop, the worker's events reach the returned object's listeners added in the same task; called
     * elsewhere, once {@link Worker#start()} or {@link Worker#onmessage} is called (see {@link Worker}).
     *
     * @param script the script's file
     * @return the worker running the script: what it posts to {@code self} arrives there
     * @throws NullPointerException if {@code script} is null
     * @throws IllegalArgumentException if the script's directory does not exist
     */
    public static Worker newWorker(Path script) {
        return newWorker(script, scriptDirectory(script));
    }

    /**
     * Starts {@code script} as {@link #newWorker(Path)} does, its scripts (the worker's {@code load()}
     * and {@code import}s, and the workers it starts, which inherit the policy) reaching the files
     * {@code access} admits. The script itself always runs: it is the caller's choice.
     *
     * @param script the script's file
     * @param access which files its scripts may read: {@link JsFileAccess#none()},
     *     {@link JsFileAccess#readOnly(Path)} or {@link JsFileAccess#all()}
     * @return the worker running the script: what it posts to {@code self} arrives there
     * @throws NullPointerException if an argument is null
     */
    public static Worker newWorker(Path script, JsFileAccess access) {
        Objects.requireNonNull(script, "script");
        Objects.requireNonNull(access, "access");
        return JsWorkers.startFromJava(JsScript.ofFile(script), nameOf(script), access, new AtomicReference<>(),
                false);
    }

    /**
     * Starts the classic script {@code source} (text a Java host holds, such as a resource) in a new
     * realm on a new worker loop, as {@link #newWorker(Path)} does, with no file access
     * ({@code newWorker(name, source, JsFileAccess.none())}: {@code load()}, file imports and file
     * workers fail; {@code data:} workers work). {@code name} is the worker's name (its thread's, and
     * its script's in error locations).
     *
     * @param name the worker's name
     * @param source the script's text
     * @return the worker running the script: what it posts to {@code self} arrives there
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is empty
     */
    public static Worker newWorker(String name, String source) {
        return newWorker(name, source, JsFileAccess.none());
    }

    /**
     * Starts the classic script {@code source} as {@link #newWorker(String, String)} does, its scripts
     * reaching the files {@code access} admits. Its relative worker URLs resolve against the working
     * directory.
     *
     * @param name the worker's name
     * @param source the script's text
     * @param access which files its scripts may read
     * @return the worker running the script: what it posts to {@code self} arrives there
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is empty
     */
    public static Worker newWorker(String name, String source, JsFileAccess access) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(access, "access");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a worker started from source text needs a name");
        }
        return JsWorkers.startFromJava(JsScript.ofText(name, source), name, access, new AtomicReference<>(),
                false);
    }

    /**
     * Runs {@code script} as a program, its scripts reading only the files under its directory
     * ({@code run(script, JsFileAccess.readOnly(script's directory))}); the command line uses
     * {@link JsFileAccess#all()}. The stage completes with its exit code once it ended (see
     * "Lifetime"): 0, or 1 if an error reached {@code System.err} unhandled or it was terminated.
     *
     * @param script the script's file
     * @return a stage that completes with the program's exit code
     * @throws NullPointerException if {@code script} is null
     * @throws IllegalArgumentException if the script's directory does not exist
     */
    public static CompletionStage<Integer> run(Path script) {
        return run(script, scriptDirectory(script));
    }

    /**
     * Runs {@code script} as a program, as {@code java -jar entangle-js.jar script.js} does (which
     * passes {@link JsFileAccess#all()}), its scripts reaching the files {@code access} admits.
     *
     * @param script the script's file
     * @param access which files its scripts may read
     * @return a stage that completes with the program's exit code
     * @throws NullPointerException if an argument is null
     */
    public static CompletionStage<Integer> run(Path script, JsFileAccess access) {
        Objects.requireNonNull(script, "script");
        Objects.requireNonNull(access, "access");
        AtomicReference<JsRealm> realm = new AtomicReference<>();
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        Worker worker = JsWorkers.startFromJava(JsScript.ofFile(script), nameOf(script), access, realm, true);
        worker.addEventListener("exit", event -> {
            int code = ((Worker.ExitEvent) event).exitCode();
            JsRealm r = realm.get();
            exit.complete(code == 0 && r != null && r.hadUncaughtError() ? 1 : code);
        });
        worker.start();
        return exit;
    }

    /** The default policy of a script file: read-only under its own directory. */
    private static JsFileAccess scriptDirectory(Path script) {
        Objects.requireNonNull(script, "script");
        Path directory = script.toAbsolutePath().normalize().getParent();
        return JsFileAccess.readOnly(directory != null ? directory : Path.of("").toAbsolutePath());
    }

    private static String nameOf(Path script) {
        Path name = script.getFileName();
        return name == null ? "script" : name.toString();
    }
}
