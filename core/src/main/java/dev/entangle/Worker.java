package dev.entangle;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import dev.entangle.internal.Jfr;
import dev.entangle.internal.LoopCore;
import dev.entangle.internal.PortEndpoint;
import dev.entangle.internal.PortHandle;
import dev.entangle.internal.TransferSteps;
import dev.entangle.internal.WorkerLink;

/**
 * A worker (HTML §10.2.6 {@code Worker}, with Node {@code worker_threads} semantics where the standard
 * is silent): a body run on its own event loop and thread, talking to its creator over an implicit
 * {@link MessageChannel}.
 *
 * <pre>{@code
 * Worker worker = new Worker("doubler", 21, List.of(), scope -> {
 *     int n = (Integer) scope.workerData();
 *     scope.parentPort().postMessage(n * 2);        // the worker ends once nothing keeps it alive
 * });
 * worker.addEventListener("exit", e -> System.out.println("exit " + ((Worker.ExitEvent) e).exitCode()));
 * worker.onmessage(e -> System.out.println(e.data()));   // 42; also enables delivery (see below)
 * }</pre>
 *
 * <h2>Inside</h2>
 * The body runs as the first task of the worker's loop, a dedicated non-daemon thread named after the
 * worker (so, as in Node, a running worker keeps the JVM alive), and
 * receives a {@link Scope}: the worker's {@linkplain Scope#loop() loop}, its
 * {@linkplain Scope#parentPort() parentPort} (the worker's end of the implicit channel) and its
 * {@linkplain Scope#workerData() workerData}, a structured clone of the value given to the constructor,
 * made like a message (it travels as the first message of the implicit channel; the ports in the
 * transfer list arrive as new ports owned by the worker's loop).
 *
 * <h2>Lifetime (Node's rule)</h2>
 * After the body returns, the worker lives while its loop has work or one of its ports is open,
 * entangled, started, ref'ed and has a {@code message} listener or handler (for example
 * {@code parentPort.onmessage(...)}); then it ends by itself with exit code 0. {@link MessagePort#unref()}
 * on a port lets the worker end in spite of it. A {@code Worker} created inside a worker keeps that
 * worker alive until it has exited and its {@code exit} event has been dispatched, unless
 * {@link #unref()}'ed (Node's {@code worker.ref()} / {@code unref()}). The worker also ends on
 * {@link Scope#exit(int)}
 * (that code), on an uncaught throwable in the body or in a handler (code 1, after an {@code error}
 * event), and on {@link #terminate()} (code 1, as in Node). When it ends, its ports are closed (their
 * peers receive {@code close}) and its thread finishes.
 *
 * <h2>Outside: events at this object</h2>
 * On the parent loop (the loop that created the worker, or {@link EventLoop#common()} when created off
 * any loop), in this order: {@code online} (a plain {@link Event}, before the body runs);
 * {@code message} / {@code messageerror} ({@link MessageEvent}) for what the worker posts on its
 * parentPort; {@code error} ({@link ErrorEvent}, cancelable, carrying the throwable by reference) if it
 * failed; and always last {@code exit} ({@link ExitEvent}) with the exit code, after every message the
 * worker posted before it ended. All of them travel through the implicit channel, so, like a port's
 * messages, they wait until delivery is enabled: at the end of the creating task when the worker is
 * created on an event loop (listeners added in that task see every event, as in JavaScript), or
 * otherwise by {@link #start()} or the first {@link #onmessage(EventHandler)} call. Decision where the
 * standard is silent: the JVM has no "current task" off a loop, so an off-loop creator decides when
 * its listeners are in place.
 *
 * <h2>terminate()</h2>
 * A Java thread cannot be killed. {@link #terminate()} stops the worker as far as the JVM allows, at
 * once: no further task or event is dispatched on the worker; its ports are closed (peers get
 * {@code close}; messages queued to the worker are dropped); the worker's thread is interrupted, so a
 * handler blocked in an interruptible call or polling {@link Thread#isInterrupted()} returns early. A
 * handler that ignores interrupts keeps its thread until it returns; the returned stage completes with
 * exit code 1 when the worker's thread has finished its last task. Exceptions thrown in the worker
 * after it started to stop (for example an {@link InterruptedException} wrapped by a handler) are not
 * reported: Node reports only the error that stopped a worker.
 *
 * <p>Threads: every method may be called from any thread. The events the worker fires run this
 * object's listeners on the parent loop, and a listener that throws goes to the parent loop's error
 * handler; {@link #dispatchEvent} called by user code runs on the calling thread, as for a plain
 * {@link EventTarget}. Memory consistency effects:
 * actions of the parent before the constructor <i>happen-before</i> the body runs; actions in the
 * worker before {@code postMessage} on its parentPort <i>happen-before</i> the matching
 * {@code message} event here, and actions of the worker's thread <i>happen-before</i> the completion
 * of {@link #terminate()}'s stage and the {@code exit} event.
 */
public final class Worker extends EventTarget {
    /*
     * Implementation overview.
     *
     * The implicit channel is an entangled endpoint pair: `inbox` (a PortHandle of the parent loop,
     * dispatching at this Worker) and `workerSide` (bound, on the worker thread, to the Scope's
     * parentPort). Runtime signals (ONLINE, an ErrorSignal) are queued in the inbox's port message
     * queue by WorkerLink, behind the messages the worker posted before; the inbox dispatches them as
     * events. `exit` needs two things, counted down by `pendingExit`: the worker loop has terminated
     * (workerEnded, on the worker thread) and the inbox has processed the `close` that the worker-side
     * port's closing left behind every message (deliverClose, on the parent loop). The last of the
     * two dispatches `exit` on the parent loop, then closes the inbox.
     *
     * `exitCode` is decided once by CAS from RUNNING: Scope.exit(n), the first uncaught error (1),
     * terminate() (1); if still undecided when the loop has ended by itself, 0. `exited` completes on
     * the worker thread when its loop has terminated.
     */

    /** A worker's body: runs on the worker's loop, as its first task. */
    @FunctionalInterface
    public interface Body {
        /**
         * Runs the worker. Returning does not end the worker while something keeps it alive; throwing
         * ends it with an {@code error} event and exit code 1.
         *
         * @param scope the worker's own loop, implicit port and data
         * @throws Exception anything: the worker ends with an {@code error} event and exit code 1
         */
        void run(Scope scope) throws Exception;
    }

    /**
     * What the body sees: the worker's own loop, its end of the implicit channel and its data. Any
     * thread; the loop and port follow their own thread contracts.
     */
    public static final class Scope {
        private final Worker worker;
        private final EventLoop loop;
        private final MessagePort parentPort;
        private final Object workerData;

        Scope(Worker worker, EventLoop loop, MessagePort parentPort, Object workerData) {
            this.worker = worker;
            this.loop = loop;
            this.parentPort = parentPort;
            this.workerData = workerData;
        }

        /** {@return the worker's event loop (its dedicated thread runs the body, tasks and handlers)} */
        public EventLoop loop() {
            return loop;
        }

        /** {@return the worker's end of the implicit channel: what it posts arrives at the Worker object} */
        public MessagePort parentPort() {
            return parentPort;
        }

        /** {@return the structured clone of the constructor's {@code workerData} (null if none was given)} */
        public Object workerData() {
            return workerData;
        }

        /** {@return the worker's name (also its thread's name)} */
        public String name() {
            return worker.name;
        }

        /**
         * Ends the worker with {@code code} (Node's {@code process.exit} in a worker): its ports are
         * closed at once and nothing more is dispatched on it; the current task or handler still
         * returns normally. A later exit, error or terminate does not change the code.
         *
         * @param code the exit code
         */
        public void exit(int code) {
            worker.stop(code, false);
        }
    }

    /**
     * The {@code exit} event (Node's {@code 'exit'}): always the last event of a worker.
     * Threads: confined to the parent loop, like every event.
     */
    public static final class ExitEvent extends Event {
        private final int exitCode;

        ExitEvent(int exitCode) {
            super("exit", false, false, false);
            this.exitCode = exitCode;
            setTrusted(true);
        }

        /**
         * 0 when the worker ended by itself, 1 after an uncaught error or {@link Worker#terminate()},
         * or the code given to {@link Scope#exit(int)}.
         *
         * @return 0 when the worker ended by itself, 1 after an uncaught error or
         *     {@link Worker#terminate()}, or the code given to {@link Scope#exit(int)}
         */
        public int exitCode() {
            return exitCode;
        }

        @Override
        public String toString() {
            return "ExitEvent[exitCode=" + exitCode + "]";
        }
    }

    private static final int RUNNING = Integer.MIN_VALUE;
    private static final Object ONLINE = new Object() {
        @Override
        public String toString() {
            return "ONLINE";
        }
    };

    private static final class ErrorSignal {
        final Throwable error;

        ErrorSignal(Throwable error) {
            this.error = error;
        }
    }

    private final String name;
    private final EventLoop parent;
    private final Inbox inbox;
    private final PortEndpoint workerSide;
    private final LoopCore core;
    private final EventLoop loop;
    private final AtomicInteger exitCode = new AtomicInteger(RUNNING);
    private final AtomicInteger pendingExit = new AtomicInteger(2);
    private final CompletableFuture<Integer> exited = new CompletableFuture<>();

    /**
     * Starts a worker named {@code name} running {@code body}, with null workerData.
     *
     * @param name the worker's name (also its thread's)
     * @param body the worker's code, run on its loop as its first task
     * @throws NullPointerException if an argument is null
     */
    public Worker(String name, Body body) {
        this(name, null, List.of(), body);
    }

    /**
     * Starts a worker named {@code name} running {@code body}, whose {@link Scope#workerData()} is a
     * structured clone of {@code workerData} with the ports in {@code transfer} transferred (as
     * {@link MessagePort#postMessage(Object, List)} does).
     *
     * @param name the worker's name (also its thread's)
     * @param workerData the value the worker reads as {@link Scope#workerData()} (cloned); may be null
     * @param transfer the ports and buffers to transfer, in order
     * @param body the worker's code, run on its loop as its first task
     * @throws DOMException DataCloneError if {@code workerData} cannot be cloned or {@code transfer} is
     *     bad (see {@code postMessage}); nothing is started and nothing is detached then
     * @throws DOMException InvalidStateError if called on a loop that is closing
     * @throws NullPointerException if {@code name}, {@code transfer}, one of its entries, or
     *     {@code body} is null
     */
    public Worker(String name, Object workerData, List<?> transfer, Body body) {
        this.name = Objects.requireNonNull(name, "name");
        Objects.requireNonNull(transfer, "transfer");
        Objects.requireNonNull(body, "body");
        EventLoop current = EventLoop.current();
        this.parent = current != null ? current : EventLoop.common();
        if (parent.isClosed()) {
            throw DOMException.invalidStateError("event loop " + parent.name() + " is closed");
        }
        PortEndpoint[] pair = PortEndpoint.entangledPair();
        this.workerSide = pair[1];
        this.inbox = new Inbox(this, pair[0]);
        inbox.bind();
        try {
            TransferSteps.post(inbox, workerData, transfer, MessagePort::handleOf); // the first message
        } catch (RuntimeException badData) {
            inbox.close();
            WorkerLink.close(workerSide);
            throw badData;
        }
        this.core = LoopCore.worker(name, this::uncaught);
        this.loop = EventLoop.unstarted(core);
        loop.execute(() -> { // queued before start: the loop cannot end before the body has run
            try {
                boot(body);
            } catch (Exception e) {
                core.reportError(e); // to uncaught(), checked exceptions included
            }
        });
        core.termination().thenRun(this::workerEnded);
        Jfr.workerStarted(name, parent.core); // JFR WorkerStarted, before anything of the worker's
        core.start();
        if (current != null) {
            current.execute(inbox::start); // after the creating task: its listeners see every event
        }
    }

    /** {@return the worker's name (also its thread's name)} */
    public String name() {
        return name;
    }

    /** On the worker thread: announce, receive workerData, run the body. */
    private void boot(Body body) throws Exception {
        assert loop.inEventLoop() : "worker body off the worker's loop";
        if (core.isShuttingDown()) {
            return; // terminated before it started
        }
        MessagePort parentPort = MessagePort.bound(loop, workerSide);
        signal(ONLINE);
        MessageEvent first = parentPort.receiveMessage(); // workerData, queued by the constructor
        Scope scope = new Scope(this, loop, parentPort, first == null ? null : first.data());
        body.run(scope);
    }

    /** The worker loop's error handler, on the worker thread: the first error stops the worker. */
    private void uncaught(Thread thread, Throwable error) {
        if (exitCode.compareAndSet(RUNNING, 1)) {
            signal(new ErrorSignal(error));
            core.closeNow();
        }
        // Otherwise the worker is already stopping: only the error that stopped it is reported.
    }

    /** Queues a signal behind the worker's messages, or, if the channel is gone, as a parent task. */
    private void signal(Object signal) {
        if (!WorkerLink.signalPeer(workerSide, signal)) {
            runOnParent(() -> dispatchSignal(signal));
        }
    }

    private void dispatchSignal(Object signal) {
        assert parent.inEventLoop() : "worker signal dispatched off the parent loop";
        if (signal == ONLINE) {
            Event online = new Event("online");
            online.setTrusted(true);
            dispatch(online);
        } else {
            dispatch(ErrorEvent.uncaught(((ErrorSignal) signal).error));
        }
    }

    /** Ends the worker with {@code code} unless an exit code was already decided. Any thread. */
    private boolean stop(int code, boolean interrupt) {
        if (!exitCode.compareAndSet(RUNNING, code)) {
            return false;
        }
        core.closeNow();
        if (interrupt) {
            core.interruptThread();
        }
        return true;
    }

    /** On the worker thread, once its loop has terminated. */
    private void workerEnded() {
        exitCode.compareAndSet(RUNNING, core.wasAbandoned() ? 1 : 0);
        WorkerLink.close(workerSide); // wherever the parentPort went; its peer (the inbox) gets close
        exited.complete(exitCode.get());
        Jfr.workerExited(name, exitCode.get()); // JFR WorkerExited
        arrive();
    }

    /** One of the two preconditions of {@code exit} is met; the second dispatches it. Any thread. */
    private void arrive() {
        if (pendingExit.decrementAndGet() != 0) {
            return;
        }
        if (parent.inEventLoop()) {
            dispatchExit();
        } else {
            runOnParent(this::dispatchExit);
        }
    }

    private void dispatchExit() {
        assert parent.inEventLoop() : "exit dispatched off the parent loop";
        try {
            dispatch(new ExitEvent(exitCode.get()));
        } finally {
            inbox.close();
        }
    }

    private void runOnParent(Runnable task) {
        try {
            parent.execute(task);
        } catch (RejectedExecutionException parentClosed) {
            // The parent loop is gone, and with it every listener of this object.
        }
    }

    /**
     * Posts {@code message} to the worker's parentPort; see {@link MessagePort#postMessage(Object)}.
     * Dropped silently once the worker has exited.
     *
     * @param message the value to send: its structured clone arrives
     * @throws DOMException DataCloneError if the message cannot be cloned
     */
    public void postMessage(Object message) {
        inbox.post(message);
    }

    /**
     * Posts {@code message} to the worker's parentPort, transferring the ports in {@code transfer};
     * see {@link MessagePort#postMessage(Object, List)}.
     *
     * @param message the value to send: its structured clone arrives
     * @param transfer the ports and buffers to transfer, in order
     * @throws DOMException DataCloneError as for {@code MessagePort.postMessage}
     * @throws NullPointerException if {@code transfer} or one of its entries is null
     */
    public void postMessage(Object message, List<?> transfer) {
        Objects.requireNonNull(transfer, "transfer");
        TransferSteps.post(inbox, message, transfer, MessagePort::handleOf);
    }

    /**
     * Posts with {@code options.transfer()} as the transfer list; see
     * {@link #postMessage(Object, List)}.
     *
     * @param message the value to send: its structured clone arrives
     * @param options the options; their {@code transfer()} list is the transfer list
     */
    public void postMessage(Object message, StructuredSerializeOptions options) {
        Objects.requireNonNull(options, "options");
        postMessage(message, options.transfer());
    }

    /**
     * Enables delivery of this worker's events (needed only for a worker created off any event loop;
     * see the class javadoc). Idempotent.
     */
    public void start() {
        inbox.start();
    }

    /**
     * Stops the worker (see the class javadoc): closes its ports and stops dispatching at once,
     * interrupts its thread, and returns a stage that completes with the exit code (1, or the code it
     * had already exited with) when the worker's thread has finished its last task. Idempotent.
     *
     * @return a stage that completes with the exit code when the worker's thread has finished
     */
    public CompletionStage<Integer> terminate() {
        stop(1, true);
        return exited.minimalCompletionStage();
    }

    /**
     * Sets the {@code message} handler; the first call also enables delivery, as {@link #start()}.
     *
     * @param handler the handler, or null to remove it
     */
    public void onmessage(EventHandler<MessageEvent> handler) {
        setEventHandler("message", handler);
        inbox.start();
    }

    /** {@return the current {@code message} handler, or null} */
    public EventHandler<MessageEvent> onmessage() {
        return getEventHandler("message");
    }

    /**
     * Sets the {@code messageerror} handler (a message from the worker could not be deserialized).
     *
     * @param handler the handler, or null to remove it
     */
    public void onmessageerror(EventHandler<MessageEvent> handler) {
        setEventHandler("messageerror", handler);
    }

    /** {@return the current {@code messageerror} handler, or null} */
    public EventHandler<MessageEvent> onmessageerror() {
        return getEventHandler("messageerror");
    }

    /**
     * Sets the {@code error} handler (an uncaught throwable stopped the worker).
     *
     * @param handler the handler, or null to remove it
     */
    public void onerror(EventHandler<ErrorEvent> handler) {
        setEventHandler("error", handler);
    }

    /** {@return the current {@code error} handler, or null} */
    public EventHandler<ErrorEvent> onerror() {
        return getEventHandler("error");
    }

    /**
     * Node's {@code worker.ref()}: a running worker keeps the loop that created it alive (the default;
     * only a worker's loop ends by itself, so this matters for a worker created inside a worker).
     */
    public void ref() {
        inbox.ref(true);
    }

    /** Node's {@code worker.unref()}: this worker no longer keeps the loop that created it alive. */
    public void unref() {
        inbox.ref(false);
    }

    /**
     * Node's {@code worker.hasRef()}: true if ref'ed and its {@code exit} event is still to come.
     *
     * @return true if ref'ed and its {@code exit} event is still to come
     */
    public boolean hasRef() {
        return inbox.hasRef();
    }

    @Override
    void reportException(Throwable error) {
        parent.core.reportError(error);
    }

    @Override
    public String toString() {
        int code = exitCode.get();
        return "Worker[" + name + (code == RUNNING ? "" : ", exit " + code) + "]";
    }

    /** The parent's end of the implicit channel: dispatches messages and signals at the Worker. */
    private static final class Inbox extends PortHandle {
        Inbox(Worker worker, PortEndpoint endpoint) {
            super(worker, worker.parent.core, endpoint);
        }

        private Worker worker() {
            return (Worker) get();
        }

        @Override
        protected void deliver(Object payload, PortEndpoint[] ports) {
            Worker worker = worker(); // started, hence not collected (the endpoint's pin)
            assert worker.parent.inEventLoop() : "worker message dispatched off the parent loop";
            if (payload == ONLINE || payload instanceof ErrorSignal) {
                worker.dispatchSignal(payload);
            } else {
                worker.dispatch(MessagePort.receivedEvent(worker.parent, payload, ports));
            }
        }

        @Override
        protected void deliverClose() {
            Worker worker = worker();
            if (worker == null) {
                return; // collected before it was started: nobody waits for its exit
            }
            assert worker.parent.inEventLoop() : "worker close dispatched off the parent loop";
            worker.arrive(); // every message the worker posted has been dispatched
        }

        /**
         * A running worker keeps the loop that created it alive until its {@code exit} event has been
         * dispatched (then this handle is closed), unless unref'ed; the channel may be disentangled
         * before that, while the worker's thread finishes.
         */
        @Override
        protected boolean keepsLoopAlive() {
            return hasRef() && isStarted();
        }
    }
}
