package dev.entangle;

import java.util.List;
import java.util.Objects;

/**
 * The options of {@link MessageEvent#MessageEvent(String, MessageEventInit) new MessageEvent(type,
 * init)} (HTML §9.1 dictionary {@code MessageEventInit}, which extends {@link EventInit}). Defaults,
 * as in the standard: {@code bubbles}, {@code cancelable}, {@code composed} false; {@code data} null;
 * {@code origin} and {@code lastEventId} the empty string; {@code source} null; {@code ports} empty.
 * Start from {@link #DEFAULT} and change members with the {@code with…} methods:
 *
 * <pre>{@code
 * MessageEvent event = new MessageEvent("message", MessageEventInit.DEFAULT.withData("hello"));
 * }</pre>
 *
 * <p>Threads: any method may be called from any thread.
 *
 * <p>Memory consistency effects: instances are immutable (the ports list is an unmodifiable copy;
 * {@code data} and the ports are the caller's objects, shared, not copied) and safe to share between
 * threads.
 */
public final class MessageEventInit {
    /** Every member at its default. */
    public static final MessageEventInit DEFAULT =
            new MessageEventInit(false, false, false, null, "", "", null, List.of());

    private final boolean bubbles;
    private final boolean cancelable;
    private final boolean composed;
    private final Object data;
    private final String origin;
    private final String lastEventId;
    private final MessagePort source;
    private final List<MessagePort> ports;

    private MessageEventInit(boolean bubbles, boolean cancelable, boolean composed, Object data,
            String origin, String lastEventId, MessagePort source, List<MessagePort> ports) {
        this.bubbles = bubbles;
        this.cancelable = cancelable;
        this.composed = composed;
        this.data = data;
        this.origin = origin;
        this.lastEventId = lastEventId;
        this.source = source;
        this.ports = ports;
    }

    /**
     * An unmodifiable copy of {@code ports}.
     *
     * @throws NullPointerException if {@code ports} or one of its elements is null; the message names
     *     the index
     */
    static List<MessagePort> copyPorts(List<MessagePort> ports) {
        Objects.requireNonNull(ports, "ports");
        MessagePort[] copy = ports.toArray(new MessagePort[0]);
        for (int i = 0; i < copy.length; i++) {
            if (copy[i] == null) {
                throw new NullPointerException("ports[" + i + "] is null");
            }
        }
        return List.of(copy);
    }

    /**
     * A copy of this with {@code bubbles} set to the given value.
     *
     * @param bubbles the new value
     * @return a copy of this with {@code bubbles} set to the given value
     */
    public MessageEventInit withBubbles(boolean bubbles) {
        return new MessageEventInit(bubbles, cancelable, composed, data, origin, lastEventId, source, ports);
    }

    /**
     * A copy of this with {@code cancelable} set to the given value.
     *
     * @param cancelable the new value
     * @return a copy of this with {@code cancelable} set to the given value
     */
    public MessageEventInit withCancelable(boolean cancelable) {
        return new MessageEventInit(bubbles, cancelable, composed, data, origin, lastEventId, source, ports);
    }

    /**
     * A copy of this with {@code composed} set to the given value.
     *
     * @param composed the new value
     * @return a copy of this with {@code composed} set to the given value
     */
    public MessageEventInit withComposed(boolean composed) {
        return new MessageEventInit(bubbles, cancelable, composed, data, origin, lastEventId, source, ports);
    }

    /**
     * A copy of this with {@code data} set to the given value, which may be null.
     *
     * @param data the new value
     * @return a copy of this with {@code data} set to the given value, which may be null
     */
    public MessageEventInit withData(Object data) {
        return new MessageEventInit(bubbles, cancelable, composed, data, origin, lastEventId, source, ports);
    }

    /**
     * A copy of this with {@code origin} set to the given value.
     *
     * @param origin the new value
     * @return a copy of this with {@code origin} set to the given value
     * @throws NullPointerException if {@code origin} is null
     */
    public MessageEventInit withOrigin(String origin) {
        Objects.requireNonNull(origin, "origin");
        return new MessageEventInit(bubbles, cancelable, composed, data, origin, lastEventId, source, ports);
    }

    /**
     * A copy of this with {@code lastEventId} set to the given value.
     *
     * @param lastEventId the new value
     * @return a copy of this with {@code lastEventId} set to the given value
     * @throws NullPointerException if {@code lastEventId} is null
     */
    public MessageEventInit withLastEventId(String lastEventId) {
        Objects.requireNonNull(lastEventId, "lastEventId");
        return new MessageEventInit(bubbles, cancelable, composed, data, origin, lastEventId, source, ports);
    }

    /**
     * A copy of this with {@code source} set to the given port, which may be null.
     *
     * @param source the new value
     * @return a copy of this with {@code source} set to the given port, which may be null
     */
    public MessageEventInit withSource(MessagePort source) {
        return new MessageEventInit(bubbles, cancelable, composed, data, origin, lastEventId, source, ports);
    }

    /**
     * A copy of this whose {@code ports} is an unmodifiable copy of the given list, in order.
     *
     * @param ports the new value
     * @return a copy of this whose {@code ports} is an unmodifiable copy of the given list, in order
     * @throws NullPointerException if {@code ports} or one of its elements is null; the message names
     *     the index
     */
    public MessageEventInit withPorts(List<MessagePort> ports) {
        return new MessageEventInit(bubbles, cancelable, composed, data, origin, lastEventId, source,
                copyPorts(ports));
    }

    /** {@return whether the event bubbles; default false} */
    public boolean bubbles() {
        return bubbles;
    }

    /** {@return whether the event is cancelable; default false} */
    public boolean cancelable() {
        return cancelable;
    }

    /** {@return whether the event is composed; default false} */
    public boolean composed() {
        return composed;
    }

    /** {@return the message data; default null} */
    public Object data() {
        return data;
    }

    /** {@return the origin of the message; default {@code ""}} */
    public String origin() {
        return origin;
    }

    /** {@return the last event ID (server-sent events); default {@code ""}} */
    public String lastEventId() {
        return lastEventId;
    }

    /** {@return the source port; default null} */
    public MessagePort source() {
        return source;
    }

    /** {@return the ports: unmodifiable, never null, without null elements; default empty} */
    public List<MessagePort> ports() {
        return ports;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof MessageEventInit)) {
            return false;
        }
        MessageEventInit other = (MessageEventInit) o;
        return bubbles == other.bubbles && cancelable == other.cancelable && composed == other.composed
                && Objects.equals(data, other.data) && origin.equals(other.origin)
                && lastEventId.equals(other.lastEventId) && source == other.source
                && ports.equals(other.ports);
    }

    @Override
    public int hashCode() {
        return Objects.hash(bubbles, cancelable, composed, data, origin, lastEventId,
                System.identityHashCode(source), ports);
    }

    @Override
    public String toString() {
        return "MessageEventInit[bubbles=" + bubbles + ", cancelable=" + cancelable + ", composed="
                + composed + ", data=" + data + ", origin=" + origin + ", lastEventId=" + lastEventId
                + ", source=" + source + ", ports=" + ports + "]";
    }
}
