package dev.entangle;

import java.util.List;
import java.util.Objects;

import dev.entangle.internal.BroadcastRegistry;
import dev.entangle.internal.Jfr;
import dev.entangle.internal.LoopCore;
import dev.entangle.internal.StructuredSerialize;

/**
 * A named channel to every other {@code BroadcastChannel} of the same name in this process (HTML §9.5):
 * what one posts, each of the others receives as a {@link MessageEvent} on its own owner
 * {@link EventLoop}.
 *
 * <pre>{@code
 * BroadcastChannel listener = new BroadcastChannel("prices", loop);
 * listener.onmessage(e -> System.out.println(e.data()));      // runs on loop
 * BroadcastChannel ticker = new BroadcastChannel("prices");
 * ticker.postMessage("EUR 1.09");                             // every other "prices" channel gets it
 * ticker.close();                                             // an open channel lives until closed
 * }</pre>
 *
 * <h2>Delivery</h2>
 * {@link #postMessage(Object)} clones the message on the calling thread (as {@code MessagePort} does;
 * a value that cannot be cloned throws {@code DataCloneError} and nothing is sent), then queues it for
 * every <b>other</b> open channel of that name that exists at that moment, never for the sender itself
 * and never for channels created afterwards. Each receiver gets it as a task on its owner loop: a
 * trusted {@code message} event with {@code data} a clone of the message, {@code origin} and
 * {@code lastEventId} {@code ""}, {@code source} null and no ports; if the clone cannot be
 * deserialized there, a {@code messageerror} event instead. Receivers on one loop get it in the order
 * the channels were created; messages posted by one thread arrive at every receiver in that thread's
 * order. A receiver closed after the post and before its turn (also by an earlier receiver's handler)
 * receives nothing (§9.5 step 8.1). There is no transfer list: the standard's BroadcastChannel has none.
 * Unlike a {@code MessagePort}, a channel has no queue to start: messages are dispatched to whatever
 * listeners it has at that moment, and are lost for it if it has none.
 *
 * <h2>Closing and lifetime</h2>
 * {@link #close()} stops delivery to this channel at once, including messages already queued for it;
 * posting on a closed channel throws {@code InvalidStateError}. An open channel is held by the
 * process-wide registry until it is closed, whatever listeners it has (as in Node, where an open
 * channel is a live handle): close the channels you no longer need. When its owner loop closes, a
 * channel stops receiving (it is no longer "eligible for messaging"), posting on it does nothing
 * (§9.5 postMessage step 1), and the registry drops it on the next post to its name.
 *
 * <h2>Threads</h2>
 * Every method may be called from any thread; listeners and handlers always run on the owner loop
 * ({@link #dispatchEvent} from another thread runs there and waits). Sending costs one task per
 * receiving loop, not one per receiving channel.
 *
 * <p>Memory consistency effects: actions in a thread prior to {@code postMessage} <i>happen-before</i>
 * the dispatch of the matching {@code MessageEvent} at each receiving channel. A channel whose
 * constructor returned before a {@code postMessage} call began (in happens-before order) receives that
 * message unless it is closed first.
 */
public final class BroadcastChannel extends EventTarget {
    /* Registry, ordering and delivery mechanics: internal.BroadcastRegistry. `closed` is volatile: set by
     * close() on any thread, read by postMessage() on any thread and by deliveries on the owner loop. */

    private final String name;
    private final EventLoop owner;
    private final Member member = new Member();
    private final BroadcastRegistry.Topic topic;
    private volatile boolean closed;

    /**
     * Creates a channel named {@code name}, owned by the loop running on the calling thread, or by
     * {@link EventLoop#common()} when called off any loop (as {@code new MessageChannel()}).
     *
     * @param name the channel name; channels of one name talk to each other
     * @throws NullPointerException if {@code name} is null
     */
    public BroadcastChannel(String name) {
        this(name, defaultOwner());
    }

    /**
     * Creates a channel named {@code name} whose listeners run on {@code owner}. It receives the
     * messages posted on other channels of that name from now on.
     *
     * @param name the channel name; channels of one name talk to each other
     * @param owner the loop its listeners and handlers run on
     * @throws NullPointerException if an argument is null
     * @throws DOMException InvalidStateError if {@code owner} is closed
     */
    public BroadcastChannel(String name, EventLoop owner) {
        this.name = Objects.requireNonNull(name, "name");
        this.owner = Objects.requireNonNull(owner, "owner");
        if (owner.isClosed()) {
            throw DOMException.invalidStateError("event loop " + owner.name() + " is closed");
        }
        this.topic = BroadcastRegistry.join(name, member);
    }

    private static EventLoop defaultOwner() {
        EventLoop current = EventLoop.current();
        return current != null ? current : EventLoop.common();
    }

    /** {@return the channel name given to the constructor} */
    public String name() {
        return name;
    }

    /** {@return the loop this channel belongs to: its listeners and handlers run there} */
    public EventLoop owner() {
        return owner;
    }

    /**
     * Sends {@code message} to every other open channel of this name (HTML §9.5 {@code postMessage}).
     * Does nothing if the owner loop is closed (the channel is not "eligible for messaging").
     *
     * @param message the value to send: its structured clone arrives
     * @throws DOMException InvalidStateError if this channel is closed; DataCloneError if the message
     *     cannot be cloned (nothing is sent)
     */
    public void postMessage(Object message) {
        if (owner.isClosed()) {
            return; // step 1
        }
        if (closed) {
            throw DOMException.invalidStateError("BroadcastChannel \"" + name + "\" is closed"); // step 2
        }
        Object firstForm = StructuredSerialize.serialize(message, null); // step 3: throws before sending
        topic.post(member, message, firstForm); // steps 5-8, one serialized form per destination
    }

    /**
     * Closes this channel: it receives nothing from now on, not even messages already queued for it,
     * and leaves the registry. Idempotent; never throws; any thread.
     */
    public void close() {
        closed = true; // before leaving: a delivery already queued sees it (step 8.1)
        topic.leave(member);
    }

    /** {@return true once {@link #close()} has been called} */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Sets the {@code message} event handler; replacing it keeps its place; null removes it.
     *
     * @param handler the handler, or null to remove it
     */
    public void onmessage(EventHandler<MessageEvent> handler) {
        setEventHandler("message", handler);
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
     * Dispatches {@code event} at this channel (DOM {@code dispatchEvent}). Listeners run on the owner
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
        return OwnerDispatch.dispatchOn(owner, event, BroadcastChannel.super::dispatchEvent);
    }

    @Override
    void reportException(Throwable error) {
        owner.core.reportError(error);
    }

    @Override
    public String toString() {
        return "BroadcastChannel[" + name + ", " + (closed ? "closed" : "open") + ", " + owner.name() + "]";
    }

    /** The registry's view of this channel; delivery runs on the owner loop. */
    private final class Member implements BroadcastRegistry.Member {
        @Override
        public LoopCore loop() {
            return owner.core;
        }

        @Override
        public void deliver(Object payload) {
            assert owner.inEventLoop() : "BroadcastChannel delivery off its owner loop";
            if (closed || owner.isClosed()) {
                return; // step 8.1; a closing loop's channels are not eligible for messaging
            }
            Object data;
            try {
                data = StructuredSerialize.deserialize(payload, List.of());
            } catch (Throwable deserializationFailure) {
                if (!MessagePort.recoverable(deserializationFailure)) {
                    throw deserializationFailure;
                }
                Jfr.broadcastMessageError(owner.core, name, deserializationFailure); // JFR MessageError
                if (deserializationFailure instanceof Error) {
                    owner.core.reportError(deserializationFailure); // a codec's bug: contained, reported
                }
                fire("messageerror", null); // step 8.3
                return;
            }
            fire("message", data); // step 8.4
        }

        private void fire(String type, Object data) {
            MessageEvent event = new MessageEvent(type, data, List.of());
            event.setTrusted(true);
            dispatch(event);
        }
    }
}
