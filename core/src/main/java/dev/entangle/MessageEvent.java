package dev.entangle;

import java.util.List;
import java.util.Objects;

/**
 * A message event (HTML §9.1 interface {@code MessageEvent}): the event a {@link MessagePort} fires
 * for each message it receives ({@code "message"}), or for one it could not deserialize
 * ({@code "messageerror"}).
 *
 * <p>An event received by a port has type {@code "message"}, {@linkplain #data() data} a structured
 * clone of the posted message, {@linkplain #ports() ports} the transferred ports (new objects owned by
 * the receiving loop), {@code origin} and {@code lastEventId} the empty string, {@code source} null; it
 * is trusted, does not bubble and is not cancelable. User code may also construct message events and
 * dispatch them with {@link EventTarget#dispatchEvent(Event)}; those are untrusted.
 *
 * <p>Threads: like every {@link Event}, a message event is not a thread-safe object: it is confined to
 * the thread that dispatches it, normally the owner event loop of the receiving port. Read it in the
 * listener; to use its data on another thread, hand the data over with a happens-before edge of its
 * own (for example by posting it on).
 *
 * <p>Memory consistency effects: for an event fired by a port, actions of the posting thread before
 * {@code postMessage} happen-before the dispatch of this event, so the data and ports are fully visible
 * to its listeners; otherwise as for {@link Event}.
 */
public class MessageEvent extends Event {
    /* Fields are plain: the event is confined to its dispatching thread (Event's javadoc). ports holds an
     * unmodifiable list that is returned as is on every read, so that ports() is the same object until
     * initMessageEvent replaces it: HTML's FrozenArray<MessagePort> attribute semantics. */

    private Object data;
    private String origin;
    private String lastEventId;
    private MessagePort source;
    private List<MessagePort> ports;

    /**
     * Creates an untrusted message event of {@code type} with every {@link MessageEventInit} member at
     * its default: data null, origin and lastEventId {@code ""}, source null, no ports, not bubbling,
     * not cancelable.
     *
     * @param type the event type, e.g. {@code "message"}
     * @throws NullPointerException if {@code type} is null
     */
    public MessageEvent(String type) {
        this(type, MessageEventInit.DEFAULT);
    }

    /**
     * Creates an untrusted message event of {@code type} with the members of {@code init}.
     *
     * @param type the event type, e.g. {@code "message"}
     * @param init the event's initial members
     * @throws NullPointerException if {@code type} or {@code init} is null
     */
    public MessageEvent(String type, MessageEventInit init) {
        super(type, Objects.requireNonNull(init, "init").bubbles(), init.cancelable(), init.composed());
        this.data = init.data();
        this.origin = init.origin();
        this.lastEventId = init.lastEventId();
        this.source = init.source();
        this.ports = init.ports(); // already an unmodifiable copy
    }

    /**
     * For the runtime: the event fired for a received message (HTML §9.4.4 "message port post message
     * steps", final step): origin and lastEventId {@code ""}, source null, not bubbling, not cancelable.
     * {@code ports} must already be unmodifiable (the runtime passes {@code List.of(...)}); it is stored
     * as is. The event is untrusted until the runtime calls {@link #setTrusted(boolean)}.
     */
    MessageEvent(String type, Object data, List<MessagePort> ports) {
        super(type, false, false, false);
        this.data = data;
        this.origin = "";
        this.lastEventId = "";
        this.source = null;
        this.ports = Objects.requireNonNull(ports, "ports");
    }

    /** {@return the message: for a received message, a structured clone of what was posted; may be null} */
    public Object data() {
        return data;
    }

    /** {@return the origin of the message; {@code ""} for channel messaging} */
    public String origin() {
        return origin;
    }

    /** {@return the last event ID (server-sent events); {@code ""} for channel messaging} */
    public String lastEventId() {
        return lastEventId;
    }

    /** {@return the source port; null for channel messaging} */
    public MessagePort source() {
        return source;
    }

    /**
     * The ports sent with the message, in transfer-list order: an unmodifiable list (mutators throw
     * {@link UnsupportedOperationException}), the same instance on every read until
     * {@link #initMessageEvent} replaces it.
     *
     * @return the transferred ports: unmodifiable, the same list on every read
     */
    public List<MessagePort> ports() {
        return ports;
    }

    /**
     * Legacy re-initialization (HTML §9.1 {@code initMessageEvent}, analogous to DOM
     * {@link #initEvent}). Does nothing while the event is being dispatched. Otherwise runs the DOM
     * "initialize" steps (initialized; stop-propagation and canceled flags cleared; {@code isTrusted}
     * false; {@code target} null; type, bubbles, cancelable set) and sets data, origin, lastEventId,
     * source, and ports to a new unmodifiable copy of {@code ports}.
     *
     * @param type the event type, e.g. {@code "message"}
     * @param bubbles whether the event bubbles
     * @param cancelable whether the event is cancelable
     * @param origin the origin
     * @param lastEventId the last event ID
     * @param data the message data; may be null
     * @param source the source port; may be null
     * @param ports the ports; use an empty list for none
     * @throws NullPointerException if {@code type}, {@code origin}, {@code lastEventId} or
     *     {@code ports} is null, or {@code ports} has a null element (the message names the index)
     */
    public void initMessageEvent(String type, boolean bubbles, boolean cancelable, Object data,
            String origin, String lastEventId, MessagePort source, List<MessagePort> ports) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(lastEventId, "lastEventId");
        List<MessagePort> copy = MessageEventInit.copyPorts(ports);
        if (isDispatching()) {
            return;
        }
        initialize(type, bubbles, cancelable);
        this.data = data;
        this.origin = origin;
        this.lastEventId = lastEventId;
        this.source = source;
        this.ports = copy;
    }

    @Override
    public String toString() {
        return "MessageEvent[type=" + type() + "]";
    }
}
