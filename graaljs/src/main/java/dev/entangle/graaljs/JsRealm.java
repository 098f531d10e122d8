package dev.entangle.graaljs;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.SourceSection;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyArray;

import dev.entangle.DOMException;
import dev.entangle.Event;
import dev.entangle.EventListener;
import dev.entangle.EventLoop;
import dev.entangle.MessageChannel;
import dev.entangle.MessageEvent;
import dev.entangle.MessagePort;
import dev.entangle.Worker;

/**
 * A realm: one GraalJS context bound to one entangle event loop, with the Web globals of
 * {@code prelude.js} installed. Every entry into the context (script evaluation, the dispatch of an
 * event, a timer) is a task of that loop, so the context is never used by two threads at once, and
 * its microtasks run when each entry returns (GraalJS drains the promise job queue when the outermost
 * host-to-guest call returns): HTML's "perform a microtask checkpoint" after each task.
 *
 * <p>A realm is made on its loop, or ahead of its worker as a spare ({@link #spare}, on any thread: the
 * context evaluated, not yet bound) and then bound once to the worker's loop ({@link #bind}), on that loop.
 *
 * <p>Threads: made on its loop, or made on any thread and bound on its loop; every method but
 * {@link #cancel()} is loop-only once bound. Memory consistency effects: those of the loop (tasks run one
 * after another on it); a spare is handed to its loop through a future (JsSpareRealm), whose completion
 * <i>happens-before</i> the bind.
 */
final class JsRealm implements JsHost {
    /*
     * Implementation overview.
     *
     * `api` holds the functions prelude.js returns: Java calls them to dispatch events that arrive
     * through entangle (port, worker, broadcast and timer messages) and to wrap or unwrap ports. Each
     * such call goes through `enter`, which reports what escapes: a guest exception that prelude.js
     * did not already report (an unhandled rejection surfacing at the end of the call, with
     * js.unhandled-rejections=throw) goes to reportException; a cancelled or closed context is ignored
     * (the realm is being terminated).
     *
     * Timers: timers.js keeps the callbacks; Java schedules `id` on the shared JsTimers thread, which
     * posts it on `timerOut`; `timerIn`, entangled with it and owned by this loop, dispatches it here
     * as a task. `timerIn` is ref'ed while `keepAlive` (pending timers, open BroadcastChannels with a
     * message listener) is positive and unref'ed otherwise, so a worker with none of them and no
     * listening port ends by itself (Node's rule).
     *
     * Globals: prelude.js calls the functions of the resource files, one concept each (PARTS,
     * evaluated once per realm from Sources shared by every realm, so the engine parses them once).
     *
     * Two phases: the constructor makes the context and evaluates the prelude, which depends only on
     * the realm's kind (worker or main) and its file access (the context's file system); bind() then
     * ties it to its loop, script URL, name, worker scope and error sink, starts its time origin and
     * makes its timer channel. A spare realm (JsSpareRealm) is made by the first phase on another
     * thread, ahead of the worker that binds it; the bind-time fields are written once by bind() on the
     * loop, before any task of the realm runs (a spare is never bound twice), and read on that loop only
     * (cancel() reads `loop` through the worker's realm cell, set after bind). So the prelude must not
     * read them while it is evaluated: the bindings that return them fail before bind (`bound()`), and
     * the JS side reads location, name and timeOrigin on first use. `location` and `base` are URLs (JsScript resolves against `base`). `closing` (the
     * worker global's close()) makes `enter` discard every later task; the exit itself is a task
     * queued behind the current one. `children`: the workers this realm started and that still run,
     * terminated when it closes (a dedicated worker's owner is its parent, HTML §10.2.4).
     */

    /** Where a realm's unhandled errors go once its global scope did not cancel them. */
    @FunctionalInterface
    interface ErrorSink {
        void uncaught(String message, String filename, int lineno, int colno, String stack);
    }

    private final Context context;
    private final boolean worker;
    private final Value api;
    // bind-time: written once by bind(), on the loop, before the realm's first task (see the overview)
    private EventLoop loop;
    private String location;
    private String base;
    private Worker.Scope scope;
    private String name;
    private ErrorSink errors;
    private MessagePort timerIn;
    private MessagePort timerOut;
    private long originNanos;
    private double timeOrigin;
    /** The codec's helpers in this realm's context, and api's dispatch functions (called per event). */
    private final JsCodecHelpers helpers;
    private final Value dispatchMessageFn;
    private final Value dispatchSimpleFn;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean hadUncaughtError;
    private boolean closing; // loop-only: the worker global's close() was called
    private final Set<Worker> children = ConcurrentHashMap.newKeySet(); // running workers it started
    private int keepAlive; // loop-only: pending timers + listening BroadcastChannels

    /**
     * Creates the realm of the calling loop: a new context with the globals of a dedicated worker
     * ({@code worker} true: {@code scope} is its worker's) or of a main realm ({@code scope} then the
     * program's worker, whose end {@code close()} calls for, or null). {@code location} is the URL of
     * its script ({@code self.location}), {@code base} the URL its relative URLs resolve against.
     */
    JsRealm(EventLoop loop, String location, String base, Worker.Scope scope, boolean worker, String name,
            ErrorSink errors) {
        this(worker, accessOf(loop));
        try {
            bind(loop, location, base, scope, name, errors);
        } catch (RuntimeException e) {
            context.close();
            throw e;
        }
    }

    /** The file access of the realm made on {@code loop}, which must be the calling thread's. */
    private static JsFileAccess accessOf(EventLoop loop) {
        if (!loop.inEventLoop()) {
            throw new IllegalStateException("a realm is created on its own loop");
        }
        return JsFileAccess.of(loop);
    }

    /**
     * The first phase: a new context with the globals of a dedicated worker ({@code worker} true) or a
     * main realm evaluated, its scripts reaching the files {@code access} admits; not bound to a loop.
     */
    private JsRealm(boolean worker, JsFileAccess access) {
        this.worker = worker;
        JsCodec.install();
        this.context = JsContexts.newContext(access);
        try {
            this.helpers = JsCodec.prepare(context); // they take the built-ins before any script can replace them
            Value init = context.eval(PRELUDE);
            Value[] parts = new Value[PARTS.length];
            for (int i = 0; i < parts.length; i++) {
                parts[i] = context.eval(PARTS[i]);
            }
            this.api = init.execute(JsBindings.create(this), worker ? "worker" : "main", parts);
            this.dispatchMessageFn = api.getMember("dispatchMessage");
            this.dispatchSimpleFn = api.getMember("dispatchSimple");
            helpers.installPortCheck(api.getMember("isMessagePort"));
        } catch (RuntimeException e) {
            context.close();
            throw e;
        }
    }

    /**
     * A dedicated worker's realm made ahead of its worker, on the calling thread (any thread, no loop):
     * its context with the prelude evaluated, its scripts reaching the files {@code access} admits. It
     * runs nothing until {@link #bind} ties it to its worker; {@link #close()} discards it unbound.
     */
    static JsRealm spare(JsFileAccess access) {
        return new JsRealm(true, access);
    }

    /**
     * The second phase, on {@code loop}, once: binds the realm to the calling loop, as the realm of the
     * script at {@code location} (see the constructor), and starts its time origin (HR-Time: when the
     * worker's global scope is set up, so a spare's begins here, not when its context was made).
     */
    void bind(EventLoop loop, String location, String base, Worker.Scope scope, String name, ErrorSink errors) {
        if (!loop.inEventLoop()) {
            throw new IllegalStateException("a realm is bound on its own loop");
        }
        if (this.loop != null) {
            throw new IllegalStateException("a realm is bound once");
        }
        if (worker && scope == null) {
            throw new IllegalArgumentException("a worker realm needs its worker's scope");
        }
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(errors, "errors");
        JsHost.register(loop, this);
        this.location = location;
        this.base = base;
        this.name = name;
        this.errors = errors;
        this.scope = scope;
        this.originNanos = System.nanoTime();
        this.timeOrigin = epochMillis(Instant.now());
        this.loop = loop;
        MessageChannel timers = new MessageChannel();
        this.timerIn = timers.port1();
        this.timerOut = timers.port2();
        timerIn.addEventListener("message", event -> enter(() -> api.invokeMember("fireTimer",
                ((MessageEvent) event).data())));
        timerIn.unref();
        timerIn.start();
        if (worker) {
            bindParentPort(scope.parentPort());
        }
        enter(() -> api.invokeMember("bound"));
    }

    /** A bind-time value, which the prelude must not read while it is evaluated (see the overview). */
    private <T> T bound(T value) {
        if (loop == null) {
            throw new IllegalStateException("the realm is not bound to its worker yet");
        }
        return value;
    }

    /**
     * A main realm ({@code scope} null) or a dedicated worker's whose script is in the directory
     * {@code base} (its location the directory's URL): for hosts that have no script URL (benchmarks).
     */
    JsRealm(EventLoop loop, Path base, Worker.Scope scope, String name, ErrorSink errors) {
        this(loop, JsScript.directoryUrl(base), JsScript.directoryUrl(base), scope, scope != null, name, errors);
    }

    /** prelude.js, and the files it runs in this order (each a function of the helpers the earlier ones made). */
    private static final Source PRELUDE = resource("prelude.js");
    private static final Source[] PARTS = {resource("webidl.js"), resource("events.js"), resource("errors.js"),
        resource("timers.js"), resource("abort.js"), resource("ports.js"), resource("workers.js"),
        resource("url.js"), resource("encoding.js"), resource("formdata.js"), resource("fetch.js"),
        resource("scope.js"), resource("console.js")};

    /** A resource file of this package as an internal Source (one parse per engine, cached by content). */
    static Source resource(String file) {
        try (Reader reader = new InputStreamReader(
                Objects.requireNonNull(JsRealm.class.getResourceAsStream(file), file),
                StandardCharsets.UTF_8)) {
            return Source.newBuilder("js", reader, "entangle-" + file).internal(true).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------ JsHost

    @Override
    public Context context() {
        return context;
    }

    @Override
    public MessagePort unwrapPort(Value value) {
        Value port = api.invokeMember("portOf", value);
        return port.isNull() ? null : port.asHostObject();
    }

    @Override
    public Value wrapPort(MessagePort port) {
        return api.invokeMember("wrapPort", port);
    }

    @Override
    public Value revive(String iface, Value data) {
        return api.invokeMember("revive", iface, data);
    }

    // ------------------------------------------------------------------ running code

    EventLoop loop() {
        return loop;
    }

    /** HR-Time "current high resolution time": milliseconds since this realm's time origin. */
    double now() {
        return (System.nanoTime() - bound(originNanos)) / 1e6;
    }

    /** HR-Time {@code performance.timeOrigin}: when this realm was bound, in milliseconds since the epoch. */
    double timeOrigin() {
        return bound(timeOrigin);
    }

    private static double epochMillis(Instant t) {
        return t.getEpochSecond() * 1000.0 + t.getNano() / 1e6;
    }

    /** The URL this realm's relative URLs resolve against (HTML "API base URL"). */
    String base() {
        return bound(base);
    }

    /** The URL of this realm's script (a worker's {@code self.location}). */
    String location() {
        return bound(location);
    }

    /**
     * WorkerGlobalScope {@code importScripts(...urls)} (HTML "import scripts into worker global scope"):
     * every URL is parsed first (SyntaxError, nothing run), then each script is fetched and run in
     * order, synchronously; its exceptions propagate to the caller. Called from the context, on the loop.
     *
     * @throws DOMException SyntaxError for a bad URL, NetworkError for a failed fetch
     */
    void importScripts(List<String> urls) {
        List<JsScript> scripts = urls.stream().map(url -> JsScript.resolve(url, base, false)).toList();
        for (JsScript script : scripts) {
            Source source;
            try {
                source = script.loadImported();
            } catch (IOException e) {
                throw new DOMException("Failed to execute 'importScripts': " + e.getMessage(),
                        "NetworkError");
            }
            context.eval(source);
        }
    }

    Worker.Scope scope() {
        return scope;
    }

    /** The worker global's {@code name} (the {@code name} option of {@code new Worker}, or ""). */
    String name() {
        return bound(name);
    }

    Value api() {
        return api;
    }

    /** The codec's helpers in this realm's context. */
    JsCodecHelpers helpers() {
        return helpers;
    }

    /** Whether an error reached this realm's {@link ErrorSink} (uncanceled by its global scope). */
    boolean hadUncaughtError() {
        return hadUncaughtError;
    }

    /** Evaluates a script (or module) of this realm as a task of the loop; errors are reported. */
    void evaluate(Source source) {
        enter(() -> context.eval(source));
    }

    /**
     * Evaluates a module worker's script, as {@link #evaluate}, except that a module of its graph that
     * cannot be fetched is no runtime error: it returns that failure's message (HTML "run a worker": a
     * module graph that fails to fetch fires a plain {@code error} event at the Worker), else null.
     */
    String evaluateModule(Source source) {
        String[] failure = {null};
        enter(() -> {
            try {
                context.eval(source);
            } catch (PolyglotException e) {
                String message = String.valueOf(e.getMessage());
                if (e.isGuestException() && MODULE_FETCH_FAILURE.matcher(message).find()) {
                    failure[0] = message;
                } else {
                    throw e;
                }
            }
        });
        return failure[0];
    }

    /** How GraalJS's module loader words a module it could not read. */
    private static final Pattern MODULE_FETCH_FAILURE =
            Pattern.compile("^(Error: )?(Cannot find module|Cannot access module|Error reading module) '");

    /**
     * Runs {@code entry} in the context, reporting what escapes it. Loop-only. A guest exception is
     * reported as HTML's "report an exception" (the global {@code error} event, then the sink).
     */
    void enter(Runnable entry) {
        if (closed.get() || closing) {
            return;
        }
        try {
            entry.run();
        } catch (PolyglotException e) {
            if (e.isCancelled() || e.isExit() || closed.get()) {
                return;
            }
            if (e.isGuestException() && !e.isHostException()) {
                try {
                    SourceSection at = e.isSyntaxError() ? e.getSourceLocation() : null;
                    if (at != null) { // a parse error's object has no stack frame: its location is here
                        Source source = at.getSource();
                        api.invokeMember("reportException", e.getGuestObject(),
                                source.getPath() != null ? source.getPath() : source.getName(),
                                at.getStartLine(), at.getStartColumn());
                    } else {
                        api.invokeMember("reportException", e.getGuestObject());
                    }
                    return;
                } catch (PolyglotException again) {
                    uncaught("Uncaught " + again.getMessage(), "", 0, 0, String.valueOf(again));
                    return;
                }
            }
            uncaught("Uncaught " + e.getMessage(), "", 0, 0, String.valueOf(e));
        } catch (IllegalStateException e) {
            if (!closed.get()) { // a closed context throws it: the realm is being terminated
                throw e;
            }
        }
    }

    /** The sink of this realm's unhandled errors (called by prelude.js through JsBindings). */
    void uncaught(String message, String filename, int lineno, int colno, String stack) {
        hadUncaughtError = true;
        errors.uncaught(message, filename, lineno, colno, stack);
    }

    // ------------------------------------------------------------------ Java → JS events

    /** Listeners that dispatch an entangle port's events at its JS {@code MessagePort}. */
    EventListener bindPort(MessagePort port, Value jsPort) {
        port.addEventListener("messageerror", event -> dispatchMessage(jsPort, event));
        port.addEventListener("close", event -> dispatchSimple(jsPort, "close"));
        return event -> dispatchMessage(jsPort, event); // added while the JS port has message listeners
    }

    /** Dispatches a {@code message} or {@code messageerror} from entangle at a JS target. */
    void dispatchMessage(Value target, Event event) {
        MessageEvent m = (MessageEvent) event;
        List<MessagePort> ports = m.ports();
        enter(() -> {
            double timeStamp = now();
            if (ports.isEmpty()) {
                runSteps(dispatchMessageFn.execute(target, m.type(), JavaValueView.of(m.data(), this, ports,
                        List.of()), null, timeStamp));
                return;
            }
            // A Java sender's value, seen through views; its ports are the ones event.ports gets
            // (wrapPort before dispatchMessage: the dispatch takes the same wrappers).
            List<Value> wrapped = ports.stream().map(this::wrapPort).toList();
            Object data = JavaValueView.of(m.data(), this, ports, wrapped);
            runSteps(dispatchMessageFn.execute(target, m.type(), data, ProxyArray.fromArray(ports.toArray()),
                    timeStamp));
        });
    }

    /** Dispatches a plain {@link Event} of {@code type} at a JS target. */
    void dispatchSimple(Value target, String type) {
        enter(() -> runSteps(dispatchSimpleFn.execute(target, type, now())));
    }

    /**
     * Runs the steps of a dispatch (a generator of events.js that yields after each listener; null when
     * the target had at most one listener, already called), one call into the context each: GraalJS
     * drains the microtask queue when each call returns, so a listener's microtasks run before the
     * next listener (HTML "clean up after running a callback").
     */
    private static void runSteps(Value steps) {
        if (steps.isNull()) {
            return;
        }
        while (!steps.invokeMember("next").getMember("done").asBoolean()) {
            // one listener ran, then its microtasks
        }
    }

    private EventListener parentListener;

    private void bindParentPort(MessagePort parentPort) {
        Value globalObject = context.eval("js", "globalThis");
        parentPort.addEventListener("messageerror", event -> dispatchMessage(globalObject, event));
        parentListener = event -> dispatchMessage(globalObject, event);
    }

    /** Adds or removes the worker global's {@code message} listener on the implicit port. */
    void listenToParent(boolean listen) {
        if (listen) {
            scope.parentPort().addEventListener("message", parentListener);
        } else {
            scope.parentPort().removeEventListener("message", parentListener);
        }
    }

    /**
     * HTML "run a worker": after the script ran, the inside port's message queue is enabled (messages
     * the parent posted before are delivered from now on).
     */
    void enableParentPort() {
        if (worker) {
            scope.parentPort().start();
        }
    }

    // ------------------------------------------------------------------ timers

    void schedule(int id, double delayMillis) {
        JsTimers.schedule(timerOut, id, delayMillis);
    }

    /** One more reason to keep this realm's loop alive (a pending timer, a listening BroadcastChannel). */
    void retain() {
        if (keepAlive++ == 0) {
            timerIn.ref();
        }
    }

    /** One reason fewer; the last one gone lets a worker loop end by Node's rule. */
    void release() {
        if (--keepAlive == 0) {
            timerIn.unref();
        }
    }

    // ------------------------------------------------------------------ lifecycle

    /**
     * Stops a script that may be running, from any thread (the {@code terminate()} of the Worker that
     * runs this realm): the context is closed with cancellation, off the calling thread.
     */
    void cancel() {
        if (closed.compareAndSet(false, true)) {
            if (loop != null) {
                JsHost.unregister(loop, this);
            }
            ForkJoinPool.commonPool().execute(() -> {
                try {
                    context.close(true);
                } catch (PolyglotException | IllegalStateException ignored) {
                    // already closed, or closing from its own thread: nothing more to stop
                }
            });
        }
    }

    /**
     * The worker global's {@code close()} (HTML "close a worker"), or the main realm's (which ends the
     * program, as Deno's {@code window.close()} does): the closing flag is set, so no later task of
     * this realm runs (events and timers are discarded), while what the current task posts is still
     * sent; the worker then ends with exit code 0, after the current task. Without a worker: nothing.
     */
    void closeFromScript() {
        if (!closing && scope != null) {
            closing = true;
            loop.execute(() -> scope.exit(0));
        }
    }

    /** A worker this realm started (loop-only): terminated if this realm closes first. */
    void adopt(Worker child) {
        children.add(child);
    }

    /** A child worker that exited (on this realm's loop). */
    void orphan(Worker child) {
        children.remove(child);
    }

    /**
     * Closes the realm once its loop has ended (no thread is using the context any more). HTML: a
     * dedicated worker lives only as long as its owner, so the workers it started and that still run
     * are terminated.
     */
    void close() {
        if (closed.compareAndSet(false, true)) {
            if (loop == null) { // a spare never bound: nothing ran in it, no thread is in its context
                context.close();
                return;
            }
            JsHost.unregister(loop, this);
            for (Worker child : List.copyOf(children)) {
                JsWorkers.terminate(child);
            }
            timerIn.close(); // any thread may close a port
            timerOut.close();
            context.close();
        }
    }
}
