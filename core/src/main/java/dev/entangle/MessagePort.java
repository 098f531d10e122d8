package dev.entangle;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import dev.entangle.internal.Jfr;
import dev.entangle.internal.LoopCore;
import dev.entangle.internal.PortEndpoint;
import dev.entangle.internal.PortHandle;
import dev.entangle.internal.StructuredSerialize;
import dev.entangle.internal.TransferSteps;

/**
 * One end of a {@link MessageChannel} (HTML {@code #message-ports}): posts messages to the port it is entangled with
 * and receives theirs as {@link MessageEvent}s on its owner {@link EventLoop}.
 *
 * <h2>Receiving</h2>
 * Each port has a <i>port message queue</i>, initially disabled: messages wait in it until
 * {@link #start()} or the first {@link #onmessage(EventHandler)} call enables it, for good.
 * {@code addEventListener("message", …)} alone does not enable it. Messages are then dispatched in the
 * order they were posted, one at a time, on the owner loop's thread, never on the sender's; a port that
 * always has messages still yields its loop to other ports and tasks after a bounded batch.
 *
 * <h2>Sending and transferring</h2>
 * {@link #postMessage(Object, List)} clones the message by the rules of
 * {@link dev.entangle.StructuredClone} (immutable values pass as they are, mutable ones are copied, a
 * {@code MessagePort} passes only through the transfer list, an {@link ArrayBuffer} in the transfer
 * list is moved; anything else is a {@code DataCloneError}) and transfers the listed ports and buffers: each port arrives as a <b>new</b>
 * {@code MessagePort} object owned by the receiving loop, in {@link MessageEvent#ports()}, with every
 * message queued at it, and every message its far side posts while it travels, delivered there in order
 * exactly once. The sender's object is detached: posting on it does nothing, transferring it again is a
 * {@code DataCloneError}. A bad transfer list throws {@code DataCloneError} and detaches nothing.
 *
 * <h2>Closing</h2>
 * {@link #close()} detaches this port and disentangles the pair. Messages it posted before are still
 * delivered; the other port then receives one {@code close} event (after those messages); this port
 * receives none. A port that was never started and is no longer referenced is garbage collected and
 * disentangled the same way. A started port is an open handle of its loop, as in Node: it stays alive
 * until it is closed or its loop closes. Closing the loop closes its ports.
 *
 * <h2>Threads</h2>
 * Every method may be called from any thread (the JVM cannot prevent it); listeners and handlers always
 * run on the owner loop. Decision where the standard is silent: if a thread other than the owner loop
 * transfers or closes a port while the loop is dispatching that port's messages, the dispatch already
 * under way finishes at this object, and every later message goes to the new port (or is dropped, after
 * close); none is lost or delivered twice, and the order is kept.
 *
 * <p>Memory consistency effects: actions in a thread prior to {@code postMessage} <i>happen-before</i>
 * the dispatch of the matching {@code MessageEvent} at the receiving port, and before any use of the
 * ports it transferred there.
 */
public final class MessagePort extends EventTarget implements Transferable {
    /* Lifecycle and transfer state: internal.PortHandle; queue and entanglement: internal.PortEndpoint. */

    private final Handle handle;
    /**
     * The entangled endpoint as this object found it when made, or null if it was disentangled then
     * (entanglement only ever ends, so this is the far end or a closed one): postMessage reaches the
     * far queue from here and the handle's state in parallel, two cache lines fewer in a row per
     * message than through the handle and its endpoint (see {@link PortHandle#post(Object, PortEndpoint)}).
     * It takes the 4 bytes EventTarget's writers' lock took: a port's listener list is guarded by its
     * handle ({@link #listenerLock}).
     */
    private final PortEndpoint farEnd;

    private MessagePort(EventLoop owner, PortEndpoint endpoint) {
        this.handle = new Handle(this, owner, endpoint);
        this.farEnd = handle.farEnd();
    }

    /** The writers of this port's listener list hold its handle, which user code never sees. */
    @Override
    Object listenerLock() {
        return handle;
    }

    /** Creates a port object owned by {@code owner} standing for {@code endpoint}. */
    static MessagePort bound(EventLoop owner, PortEndpoint endpoint) {
        MessagePort port = new MessagePort(owner, endpoint);
        port.handle.bind(); // the endpoint's volatile write publishes the port before any dispatch
        return port;
    }

    /** The dispatch half of the handle: called by the owner loop's drain. */
    private static final class Handle extends PortHandle {
        Handle(MessagePort port, EventLoop owner, PortEndpoint endpoint) {
            super(port, owner.core, endpoint);
        }

        /** The owner loop (a field would cost 8 bytes per port: benchmarks/README.md, footprint). */
        EventLoop owner() {
            return loop().facade();
        }

        /** The port; null only once it was collected (never while started: see PortHandle). */
        MessagePort port() {
            return (MessagePort) get();
        }

        @Override
        protected void deliver(Object payload, PortEndpoint[] endpoints) {
            EventLoop owner = owner();
            assert owner.inEventLoop() : "message dispatch off the port's owner loop";
            if (endpoints.length == 0) {
                port().dispatch(receivedEvent(owner, payload, List.of())); // started, hence not collected
                return;
            }
            // The received ports' objects are made on first use (a request's answered port: never).
            ReceivedPorts ports = new ReceivedPorts(owner, endpoints);
            try {
                port().dispatch(receivedEvent(owner, payload, ports));
            } finally {
                ports.bindUnclaimed();
            }
        }

        @Override
        protected boolean wantsMessages() {
            MessagePort port = port();
            return port != null && port.hasListeners("message");
        }

        @Override
        protected void deliverClose() {
            assert owner().inEventLoop() : "close dispatch off the port's owner loop";
            MessagePort port = port();
            if (port == null) {
                return; // collected while the close was processed: nobody can observe the event
            }
            Event event = new Event("close");
            event.setTrusted(true);
            port.dispatch(event);
        }
    }

    /**
     * The trusted event for a message received by a port of {@code owner}: a {@code message} event, or
     * a {@code messageerror} event if deserialization fails (HTML {@code #message-port-post-message-steps}, step "deserialize"; the ports
     * that came with it are then closed, so that their far sides get {@code close}). Whatever a codec
     * throws is contained here, an {@code Error} (a bug, such as an AssertionError) is also reported
     * to the loop's error handler, and a StackOverflowError is a failure like any other: the loop
     * survives every message its sender accepted. On {@code owner}'s loop.
     */
    static MessageEvent receivedEvent(EventLoop owner, Object payload, PortEndpoint[] endpoints) {
        return receivedEvent(owner, payload, adopt(owner, endpoints));
    }

    /** {@link #receivedEvent(EventLoop, Object, PortEndpoint[])} with the received ports' list. */
    private static MessageEvent receivedEvent(EventLoop owner, Object payload, List<MessagePort> ports) {
        MessageEvent event;
        try {
            event = new MessageEvent("message", StructuredSerialize.deserialize(payload, ports), ports);
        } catch (Throwable deserializationFailure) {
            if (!recoverable(deserializationFailure)) {
                throw deserializationFailure;
            }
            Jfr.messageError(owner.core, deserializationFailure); // JFR MessageError
            ports.forEach(MessagePort::close);
            if (deserializationFailure instanceof Error) {
                owner.core.reportError(deserializationFailure);
            }
            event = new MessageEvent("messageerror", null, List.of());
        }
        event.setTrusted(true);
        return event;
    }

    /**
     * Whether the thread can go on after {@code failure} from deserialization: everything except the
     * VirtualMachineErrors that leave the JVM in doubt; a StackOverflowError has unwound once caught.
     */
    static boolean recoverable(Throwable failure) {
        return !LoopCore.isFatal(failure);
    }

    /** New port objects, owned by {@code owner}, for endpoints that arrived with a message. */
    static List<MessagePort> adopt(EventLoop owner, PortEndpoint[] endpoints) {
        if (endpoints.length == 0) {
            return List.of();
        }
        if (endpoints.length == 1) {
            return List.of(bound(owner, endpoints[0])); // a request's reply port: no array to copy
        }
        return List.of(adoptAll(owner, endpoints));
    }

    /** {@link #adopt}'s port objects, in an array of their own. */
    static MessagePort[] adoptAll(EventLoop owner, PortEndpoint[] endpoints) {
        MessagePort[] ports = new MessagePort[endpoints.length];
        for (int i = 0; i < endpoints.length; i++) {
            ports[i] = bound(owner, endpoints[i]);
        }
        return ports;
    }

    /**
     * A closed port object of {@code owner} for {@code endpoint}, an endpoint that arrived with a
     * message and was answered through and closed without a port object ({@link ReceivedPorts}):
     * never bound, so neither registered with the loop nor standing for the endpoint.
     */
    static MessagePort closedOn(EventLoop owner, PortEndpoint endpoint) {
        MessagePort port = new MessagePort(owner, endpoint);
        port.handle.close(); // unbound: only the handle's state changes
        return port;
    }

    /** Whether this port is still open here: not closed, not transferred away. For PortPublisher. */
    boolean isOpenHere() {
        return handle.isOpen();
    }

    /** The handle behind a transfer-list entry, or null if it is not a port. */
    static PortHandle handleOf(Object transferable) {
        return transferable instanceof MessagePort ? ((MessagePort) transferable).handle : null;
    }

    /**
     * Posts {@code message} to the entangled port. Equivalent to {@code postMessage(message, List.of())}.
     *
     * @param message the value to send: its structured clone arrives
     * @throws DOMException DataCloneError if the message cannot be cloned; QuotaExceededError if the
     *     entangled port's {@linkplain MessageChannel#bounded(int) bounded} queue is full (nothing was
     *     posted: see {@link #offerMessage(Object)} for a non-throwing variant)
     */
    public void postMessage(Object message) {
        Object jfr = Jfr.postBegin(); // JFR MessagePosted
        handle.post(message, farEnd);
        Jfr.postEnd(jfr, handle, 0);
    }

    /**
     * Posts {@code message} unless the entangled port's {@linkplain MessageChannel#bounded(int) bounded}
     * queue is full; never blocks. On an unbounded channel this is {@link #postMessage(Object)} and
     * returns true.
     *
     * @param message the value to send: its structured clone arrives
     * @return false if the entangled port's queue is full (nothing was posted); true otherwise, also
     *     when the message is dropped because this port is closed, detached or disentangled (as
     *     {@code postMessage} drops it)
     * @throws DOMException DataCloneError if the message cannot be cloned
     */
    public boolean offerMessage(Object message) {
        return handle.offer(message);
    }

    /**
     * Posts {@code message}, waiting up to {@code timeout} for room in the entangled port's
     * {@linkplain MessageChannel#bounded(int) bounded} queue; for threads that are not event loops
     * (blocking a loop would stop every port and task it runs, and can deadlock two loops that feed
     * each other). Returns as soon as a slot frees, or at once if this port closes, is transferred away
     * or is disentangled meanwhile (the message is then dropped, as by {@code postMessage}). On an
     * unbounded channel this never waits.
     *
     * @param message the value to send: its structured clone arrives
     * @param timeout how long to wait at most
     * @return false if the time ran out with the queue still full (nothing was posted); true otherwise
     * @throws DOMException DataCloneError if the message cannot be cloned; InvalidStateError if called
     *     on an event loop thread
     * @throws InterruptedException if the thread is interrupted on entry or while waiting (nothing was
     *     posted)
     * @throws NullPointerException if {@code timeout} is null
     */
    public boolean offerMessage(Object message, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        if (EventLoop.current() != null) {
            throw DOMException.invalidStateError("offerMessage(Object, Duration) would block event loop "
                    + EventLoop.current().name() + "; use offerMessage(Object) there");
        }
        return handle.offer(message, timeout);
    }

    /**
     * {@link #postMessage(Object, List)}, waiting up to {@code timeout} for room in the entangled
     * port's {@linkplain MessageChannel#bounded(int) bounded} queue, as
     * {@link #offerMessage(Object, Duration)} does; for threads that are not event loops. The transfer
     * list is checked and detached only once a slot is held, so a timeout or an interrupt detaches
     * nothing. On an unbounded channel this never waits.
     *
     * @return false if the time ran out with the queue still full (nothing was posted or detached);
     *     true otherwise, also when the message is dropped as {@code postMessage} drops it
     *
     * @param message the message, cloned as by {@code postMessage}
     * @param transfer the ports and buffers to transfer
     * @param timeout how long to wait for room
     * @throws DOMException DataCloneError as {@link #postMessage(Object, List)}; InvalidStateError if
     *     called on an event loop thread
     * @throws InterruptedException if the thread is interrupted on entry or while waiting (nothing was
     *     posted or detached)
     * @throws NullPointerException if {@code transfer}, one of its entries, or {@code timeout} is null
     */
    public boolean offerMessage(Object message, List<?> transfer, Duration timeout)
            throws InterruptedException {
        Objects.requireNonNull(transfer, "transfer");
        Objects.requireNonNull(timeout, "timeout");
        if (EventLoop.current() != null) {
            throw DOMException.invalidStateError("offerMessage(Object, List, Duration) would block event loop "
                    + EventLoop.current().name() + "; use postMessage there");
        }
        if (transfer.isEmpty()) {
            return handle.offer(message, timeout);
        }
        return handle.offerTransferring(
                () -> TransferSteps.post(handle, message, transfer, MessagePort::handleOf), timeout);
    }

    /**
     * The number of messages waiting in this port's queue: posted to it and not yet dispatched or
     * received. 0 for a closed or transferred-away port. For monitoring: exact when no other thread is
     * posting to or consuming from this port, otherwise a recent value. Works for bounded and unbounded
     * channels alike; a port travelling inside a message keeps its queue and its count.
     *
     * @return the number of messages waiting in this port's queue: posted to it and not yet dispatched
     *     or received. 0 for a closed or transferred-away port
     */
    public int queuedMessageCount() {
        return handle.queuedCount();
    }

    /**
     * Posts {@code message} to the entangled port, transferring the ports and {@link ArrayBuffer}s in
     * {@code transfer} (HTML "message port post message steps"; the clone rules are in
     * {@link dev.entangle.StructuredClone}).
     *
     * <ul>
     * <li>{@code transfer} holds this port, a duplicate, a closed or already transferred port, a
     * detached {@link ArrayBuffer}, or an object that is not {@link Transferable}:
     * {@code DataCloneError}, nothing detached.</li>
     * <li>{@code transfer} holds the entangled port: the transfers happen and the message is dropped
     * (the standard's "doomed" message); the ports it carried are closed.</li>
     * <li>This port is closed, detached or disentangled: only clone errors are thrown; the message is
     * dropped and the ports it carried are closed.</li>
     * </ul>
     *
     * <p>On a {@linkplain MessageChannel#bounded(int) bounded} channel a full entangled port refuses
     * the message first, before anything is checked or detached.
     *
     * @param message the value to send: its structured clone arrives
     * @param transfer the ports and buffers to transfer, in order
     * @throws DOMException DataCloneError as above, or if the message cannot be cloned;
     *     QuotaExceededError if the entangled port's bounded queue is full
     * @throws NullPointerException if {@code transfer} or one of its entries is null
     */
    public void postMessage(Object message, List<?> transfer) {
        Objects.requireNonNull(transfer, "transfer");
        Object jfr = Jfr.postBegin(); // JFR MessagePosted
        Runnable steps = () -> TransferSteps.post(handle, message, transfer, MessagePort::handleOf);
        if (transfer.isEmpty()) {
            steps.run(); // posts through handle.post, which checks a bounded queue itself
        } else {
            handle.postTransferring(steps);
        }
        Jfr.postEnd(jfr, handle, transfer.size());
    }

    /**
     * {@link #postMessage(Object, List)} with one more port last in the transfer list, the port of
     * {@code reply}, an endpoint no port object stands for on this side ({@link Requests#ask}: the
     * port is made only at the receiver). If the post throws, {@code reply} was not sent.
     */
    void postRequest(Object message, List<?> transfer, PortEndpoint reply) {
        Object jfr = Jfr.postBegin(); // JFR MessagePosted
        // Always the transfer-list path: with the reply port the list is never empty. An unbounded
        // target holds no slot for the steps (postTransferring would only run them): called directly,
        // without the lambda postTransferring takes (issue 15: 32 of the bytes an ask allocated).
        if (handle.postsUnbounded()) {
            TransferSteps.post(handle, message, transfer, MessagePort::handleOf, reply);
        } else {
            handle.postTransferring(
                    () -> TransferSteps.post(handle, message, transfer, MessagePort::handleOf, reply));
        }
        Jfr.postEnd(jfr, handle, transfer.size() + 1);
    }

    /**
     * Posts {@code message} with {@code options.transfer()} as the transfer list; see
     * {@link #postMessage(Object, List)}.
     *
     * @param message the value to send: its structured clone arrives
     * @param options the options; their {@code transfer()} list is the transfer list
     */
    public void postMessage(Object message, StructuredSerializeOptions options) {
        Objects.requireNonNull(options, "options");
        postMessage(message, options.transfer());
    }

    /** Enables the port message queue: queued and later messages are dispatched. Idempotent. */
    public void start() {
        handle.start();
    }

    /**
     * Detaches this port and disentangles it (HTML "close()"). Idempotent; never throws. The other port
     * receives a {@code close} event after the messages this port posted before.
     */
    public void close() {
        handle.close();
    }

    /**
     * Sets the {@code message} event handler. The first call enables the port message queue, as
     * {@link #start()} does. Replacing the handler keeps its place among the listeners; null removes it.
     *
     * @param handler the handler, or null to remove it
     */
    public void onmessage(EventHandler<MessageEvent> handler) {
        setEventHandler("message", handler);
        handle.start();
        if (handler == null) {
            handle.owner().core.lifetimeChanged(); // a port nobody listens to no longer keeps a worker alive
        }
    }

    /** {@return the current {@code message} event handler, or null} */
    public EventHandler<MessageEvent> onmessage() {
        return getEventHandler("message");
    }

    /**
     * Sets the {@code messageerror} handler (fired when a message cannot be deserialized here).
     *
     * @param handler the handler, or null to remove it
     */
    public void onmessageerror(EventHandler<MessageEvent> handler) {
        setEventHandler("messageerror", handler);
    }

    /** {@return the current {@code messageerror} event handler, or null} */
    public EventHandler<MessageEvent> onmessageerror() {
        return getEventHandler("messageerror");
    }

    /**
     * Sets the {@code close} handler (fired when the entangled port closes or is collected).
     *
     * @param handler the handler, or null to remove it
     */
    public void onclose(EventHandler<Event> handler) {
        setEventHandler("close", handler);
    }

    /** {@return the current {@code close} event handler, or null} */
    public EventHandler<Event> onclose() {
        return getEventHandler("close");
    }

    /** {@return the loop this port belongs to: its listeners and handlers run there} */
    public EventLoop owner() {
        return handle.owner();
    }

    /**
     * Takes the next queued message without dispatching it (Node's {@code receiveMessageOnPort}), or
     * returns null if none is queued or the port is closed or detached; any thread; never blocks. Works
     * whether or not the queue is enabled; the {@code message} listeners are not invoked for it. Safe
     * alongside normal dispatch and other receivers: each message goes to exactly one of them, and
     * messages from one sender keep their order. If the owner loop is dispatching this port's messages
     * at that moment (a started port), or another receiver holds the queue past a short spin, this
     * returns null rather than wait for them: it can never deadlock. A message posted after the far
     * side's {@code close} is never returned; the {@code close} event itself stays for the loop. The
     * returned event is not dispatched: its {@code target} is null; its ports are owned by this port's
     * loop. On a bounded channel, taking a message frees its slot.
     *
     * @return the next queued message, or null
     * @throws RuntimeException whatever deserializing the message throws (the message is consumed)
     */
    public MessageEvent receiveMessage() {
        return toEvent(handle.receive());
    }

    /**
     * Waits up to {@code timeout} for the next message and takes it without dispatching it; for threads
     * that are not this port's loop (plain Java request/response code). Returns the message as soon as
     * one is queued; null when the timeout elapses; null at once when no message can come any more:
     * this port is closed or transferred away (also while the caller waits), or the far side closed
     * and every message it posted before has been taken. Any number of threads may wait on one port;
     * each message goes to exactly one of them (or to the loop, for a started port), and waiters sleep
     * (no polling) until a message, a close or a transfer wakes them. A zero or negative timeout makes
     * this {@link #receiveMessage()}.
     *
     * @param timeout how long to wait at most
     * @return the next message, or null if none came in time or none can come any more
     * @throws DOMException InvalidStateError if called on an event loop's thread: on this port's own
     *     loop it would block the loop that delivers the message, and on another loop it would block
     *     that loop (a loop never blocks; two loops waiting on each other's ports would deadlock), as
     *     {@link #offerMessage(Object, Duration)} refuses
     * @throws InterruptedException if the thread is interrupted on entry or while waiting, as the
     *     {@code java.util.concurrent} blocking methods do (no message is taken)
     * @throws NullPointerException if {@code timeout} is null
     */
    public MessageEvent receiveMessage(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        if (handle.owner().inEventLoop()) {
            throw DOMException.invalidStateError(
                    "receiveMessage(Duration) would block the port's own event loop");
        }
        EventLoop current = EventLoop.current();
        if (current != null) {
            throw DOMException.invalidStateError("receiveMessage(Duration) would block event loop "
                    + current.name() + "; use receiveMessage() or a message handler there");
        }
        return toEvent(handle.receive(timeout));
    }

    private MessageEvent toEvent(Object element) {
        if (element == null) {
            return null;
        }
        List<MessagePort> ports = adopt(handle.owner(), PortHandle.portsOf(element));
        Object data;
        try {
            data = StructuredSerialize.deserialize(PortHandle.payloadOf(element), ports);
        } catch (Throwable e) {
            if (recoverable(e)) {
                ports.forEach(MessagePort::close); // their far sides get close
            }
            throw e;
        }
        MessageEvent event = new MessageEvent("message", data, ports);
        event.setTrusted(true);
        return event;
    }

    /**
     * Node's {@code port.ref()}: marks this port as keeping its loop alive (the default). Only a
     * {@link Worker}'s loop ends by itself: it stays alive while it has work or one of its ports is
     * open, entangled, started, ref'ed and has a {@code message} listener or handler.
     */
    public void ref() {
        handle.ref(true);
    }

    /**
     * Node's {@code port.unref()}: this port no longer keeps its loop alive; a worker whose only
     * remaining port is unref'ed ends once idle (the port still receives messages until then).
     */
    public void unref() {
        handle.ref(false);
    }

    /**
     * Node's {@code port.hasRef()}: true if open and ref'ed.
     *
     * @return true if open and ref'ed
     */
    public boolean hasRef() {
        return handle.hasRef();
    }

    /**
     * Dispatches {@code event} at this port (DOM {@code dispatchEvent}). Listeners run on the owner
     * loop. On the owner's thread the dispatch runs at once; on a
     * thread that is no event loop's, it runs as a task on the owner and this call waits for it; on
     * another event loop's thread it is refused, because a loop never blocks on another (two loops
     * dispatching at each other's targets would deadlock): queue it with
     * {@code owner().execute(() -> target.dispatchEvent(event))} instead.
     *
     * @throws DOMException InvalidStateError if the event is being dispatched or not initialized, if
     *     called on another event loop's thread, if the owner loop is closed, or if it terminated
     *     without running the dispatch
     * @throws DOMException AbortError if the waiting thread is interrupted (its interrupt status is
     *     set again; the dispatch may still run)
     */
    @Override
    public boolean dispatchEvent(Event event) {
        Objects.requireNonNull(event, "event");
        return OwnerDispatch.dispatchOn(handle.owner(), event, MessagePort.super::dispatchEvent);
    }

    /**
     * {@inheritDoc} A port left without {@code message} listeners no longer keeps a worker's loop
     * alive (see {@link #unref()}).
     */
    @Override
    public void removeEventListener(String type, EventListener listener) {
        super.removeEventListener(type, listener);
        handle.owner().core.lifetimeChanged();
    }

    @Override
    void reportException(Throwable error) {
        handle.owner().core.reportError(error);
    }

    @Override
    public String toString() {
        return handle.toString();
    }
}
