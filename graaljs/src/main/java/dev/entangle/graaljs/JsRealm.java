package dev.entangle.graaljs;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicBoolean;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.SourceSection;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyArray;

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
 * <p>Threads: created on its loop; every method but {@link #cancel()} is loop-only.
 * Memory consistency effects: those of the loop (tasks run one after another on it).
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
     * Timers: prelude.js keeps the callbacks; Java schedules `id` on the shared JsTimers thread, which
     * posts it on `timerOut`; `timerIn`, entangled with it and owned by this loop, dispatches it here
     * as a task. `timerIn` is ref'ed while `keepAlive` (pending timers, open BroadcastChannels with a
     * message listener) is positive and unref'ed otherwise, so a worker with none of them and no
     * listening port ends by itself (Node's rule).
     */

    /** Where a realm's unhandled errors go once its global scope did not cancel them. */
    @FunctionalInterface
    interface ErrorSink {
        void uncaught(String message, String filename, int lineno, int colno, String stack);
    }

    private final EventLoop loop;
    private final Context context;
    private final Path base;
    private final Worker.Scope scope;
    private final String name;
    private final ErrorSink errors;
    private final Value api;
    private final MessagePort timerIn;
    private final MessagePort timerOut;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean hadUncaughtError;
    private int keepAlive; // loop-only: pending timers + listening BroadcastChannels

    /**
     * Creates the realm of the calling loop: a new context with the globals of a main realm
     * ({@code scope} null) or of a dedicated worker.
     */
    JsRealm(EventLoop loop, Path base, Worker.Scope scope, String name, ErrorSink errors) {
        if (!loop.inEventLoop()) {
            throw new IllegalStateException("a realm is created on its own loop");
        }
        this.loop = loop;
        this.base = base;
        this.scope = scope;
        this.name = Objects.requireNonNull(name, "name");
        this.errors = Objects.requireNonNull(errors, "errors");
        JsCodec.install();
        this.context = JsContexts.newContext();
        JsCodec.prepare(context); // its helpers take the built-ins before any script can replace them
        JsHost.register(loop, this);
        MessageChannel timers = new MessageChannel();
        this.timerIn = timers.port1();
        this.timerOut = timers.port2();
        try {
            Value init = context.eval(prelude());
            this.api = init.execute(JsBindings.create(this), scope == null ? "main" : "worker");
            JsCodecHelpers.of(context).installPortCheck(api.getMember("isMessagePort"));
        } catch (RuntimeException e) {
            JsHost.unregister(loop, this);
            context.close();
            throw e;
        }
        timerIn.addEventListener("message", event -> enter(() -> api.invokeMember("fireTimer",
                ((MessageEvent) event).data())));
        timerIn.unref();
        timerIn.start();
        if (scope != null) {
            bindParentPort(scope.parentPort());
        }
    }

    private static Source prelude() {
        try (Reader reader = new InputStreamReader(
                Objects.requireNonNull(JsRealm.class.getResourceAsStream("prelude.js"), "prelude.js"),
                StandardCharsets.UTF_8)) {
            return Source.newBuilder("js", reader, "entangle-prelude.js").internal(true).build();
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

    // ------------------------------------------------------------------ running code

    EventLoop loop() {
        return loop;
    }

    Path base() {
        return base;
    }

    Worker.Scope scope() {
        return scope;
    }

    /** The worker global's {@code name} (the {@code name} option of {@code new Worker}, or ""). */
    String name() {
        return name;
    }

    Value api() {
        return api;
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
     * Runs {@code entry} in the context, reporting what escapes it. Loop-only. A guest exception is
     * reported as HTML's "report an exception" (the global {@code error} event, then the sink).
     */
    void enter(Runnable entry) {
        if (closed.get()) {
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
        Object[] carried = ports.toArray();
        enter(() -> runSteps(api.invokeMember("dispatchMessage", target, m.type(), m.data(),
                carried.length == 0 ? null : ProxyArray.fromArray(carried))));
    }

    /** Dispatches a plain {@link Event} of {@code type} at a JS target. */
    void dispatchSimple(Value target, String type) {
        enter(() -> runSteps(api.invokeMember("dispatchSimple", target, type)));
    }

    /**
     * Runs the steps of a dispatch (a generator of prelude.js that yields after each listener), one
     * call into the context each: GraalJS drains the microtask queue when each call returns, so a
     * listener's microtasks run before the next listener (HTML "clean up after running a callback").
     */
    private static void runSteps(Value steps) {
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
        scope.parentPort().start();
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
            JsHost.unregister(loop, this);
            ForkJoinPool.commonPool().execute(() -> {
                try {
                    context.close(true);
                } catch (PolyglotException | IllegalStateException ignored) {
                    // already closed, or closing from its own thread: nothing more to stop
                }
            });
        }
    }

    /** Closes the realm once its loop has ended (no thread is using the context any more). */
    void close() {
        if (closed.compareAndSet(false, true)) {
            JsHost.unregister(loop, this);
            timerIn.close(); // any thread may close a port
            timerOut.close();
            context.close();
        }
    }
}
