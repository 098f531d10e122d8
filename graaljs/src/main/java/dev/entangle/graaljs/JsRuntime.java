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
     * realm on a new worker loop. Called on an entangle loop, the worker's events reach the returned
     * object's listeners added in the same task; called elsewhere, once {@link Worker#start()} or
     * {@link Worker#onmessage} is called (see {@link Worker}).
     *
     * @throws NullPointerException if {@code script} is null
     */
    public static Worker newWorker(Path script) {
        Objects.requireNonNull(script, "script");
        return JsWorkers.startFromJava(JsScript.ofFile(script), nameOf(script), new AtomicReference<>(), false);
    }

    /**
     * Starts the classic script {@code source} (text a Java host holds, such as a resource) in a new
     * realm on a new worker loop, as {@link #newWorker(Path)} does; {@code name} is the worker's
     * name (its thread's, and its script's in error locations). Its relative worker URLs resolve
     * against the working directory.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is empty
     */
    public static Worker newWorker(String name, String source) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a worker started from source text needs a name");
        }
        return JsWorkers.startFromJava(JsScript.ofText(name, source), name, new AtomicReference<>(), false);
    }

    /**
     * Runs {@code script} as a program, as {@code java -jar entangle-js.jar script.js} does: the stage
     * completes with its exit code once it ended (see "Lifetime"): 0, or 1 if an error reached
     * {@code System.err} unhandled or it was terminated.
     *
     * @throws NullPointerException if {@code script} is null
     */
    public static CompletionStage<Integer> run(Path script) {
        Objects.requireNonNull(script, "script");
        AtomicReference<JsRealm> realm = new AtomicReference<>();
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        Worker worker = JsWorkers.startFromJava(JsScript.ofFile(script), nameOf(script), realm, true);
        worker.addEventListener("exit", event -> {
            int code = ((Worker.ExitEvent) event).exitCode();
            JsRealm r = realm.get();
            exit.complete(code == 0 && r != null && r.hadUncaughtError() ? 1 : code);
        });
        worker.start();
        return exit;
    }

    private static String nameOf(Path script) {
        Path name = script.getFileName();
        return name == null ? "script" : name.toString();
    }
}
