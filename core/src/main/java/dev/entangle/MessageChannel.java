package dev.entangle;

import java.util.Objects;

import dev.entangle.internal.PortEndpoint;

/**
 * A pair of entangled ports (HTML {@code #message-channels}): what one posts on {@link #port1()}, the other receives on
 * {@link #port2()}, and back.
 *
 * <pre>{@code
 * MessageChannel channel = new MessageChannel(loop);
 * channel.port2().onmessage(e -> System.out.println(e.data()));   // enables port2's queue
 * channel.port1().postMessage("hello");
 * }</pre>
 *
 * <p>Both ports start owned by the same loop; hand one to another loop by transferring it in a
 * message's transfer list. Each port's queue starts disabled: messages wait until {@code start()} or
 * the first {@code onmessage(handler)}.
 *
 * <p>Threads: constructors and accessors may be called from any thread. Memory consistency effects:
 * the ports are fully constructed and entangled before the constructor returns; publishing the channel
 * or a port to another thread needs the usual safe publication, as for any object.
 */
public final class MessageChannel {
    private final MessagePort port1;
    private final MessagePort port2;

    /**
     * Creates a channel whose ports are owned by the loop running on the calling thread, or by
     * {@link EventLoop#common()} when called off any loop.
     */
    public MessageChannel() {
        this(defaultOwner());
    }

    /**
     * Creates a channel whose ports are owned by {@code owner}.
     *
     * @param owner the loop that owns the ports: their listeners and handlers run there
     * @throws NullPointerException if {@code owner} is null
     * @throws DOMException InvalidStateError if {@code owner} is closed
     */
    public MessageChannel(EventLoop owner) {
        this(owner, 0);
    }

    private MessageChannel(EventLoop owner, int capacity) {
        Objects.requireNonNull(owner, "owner");
        if (owner.isClosed()) {
            throw DOMException.invalidStateError("event loop " + owner.name() + " is closed");
        }
        PortEndpoint[] pair = PortEndpoint.entangledPair(capacity);
        this.port1 = MessagePort.bound(owner, pair[0]);
        this.port2 = MessagePort.bound(owner, pair[1]);
    }

    /**
     * Creates a bounded channel (beyond the standard, whose queues are unbounded): each port's queue
     * holds at most {@code capacity} messages, owned like {@link #MessageChannel()}. See
     * {@link #bounded(EventLoop, int)}.
     *
     * @param capacity the most messages each port's queue holds
     * @return the new channel
     * @throws IllegalArgumentException if {@code capacity} is not positive
     */
    public static MessageChannel bounded(int capacity) {
        return bounded(defaultOwner(), capacity);
    }

    /**
     * Creates a bounded channel whose ports are owned by {@code owner}: each port's queue holds at most
     * {@code capacity} messages that were posted to it and not yet dispatched or received (the message
     * being dispatched no longer counts). When the receiving port's queue is full:
     * <ul>
     * <li>{@link MessagePort#postMessage(Object)} (and with a transfer list) fails fast with a
     * {@link DOMException} named {@code QuotaExceededError}; nothing is posted or detached;</li>
     * <li>{@link MessagePort#offerMessage(Object)} returns false instead;</li>
     * <li>{@link MessagePort#offerMessage(Object, java.time.Duration)} waits, off any event loop, until a
     * slot frees or the timeout elapses.</li>
     * </ul>
     * A port keeps its capacity when it is transferred (its queue travels with it). Closing never fails
     * and never waits: the {@code close} event is not counted against the capacity. Monitor with
     * {@link MessagePort#queuedMessageCount()}.
     *
     * @param owner the loop that owns the ports: their listeners and handlers run there
     * @param capacity the most messages each port's queue holds
     * @return the new channel
     * @throws NullPointerException if {@code owner} is null
     * @throws IllegalArgumentException if {@code capacity} is not positive
     * @throws DOMException InvalidStateError if {@code owner} is closed
     */
    public static MessageChannel bounded(EventLoop owner, int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        return new MessageChannel(owner, capacity);
    }

    private static EventLoop defaultOwner() {
        EventLoop current = EventLoop.current();
        return current != null ? current : EventLoop.common();
    }

    /** {@return the first port; the same object on every call} */
    public MessagePort port1() {
        return port1;
    }

    /** {@return the second port; the same object on every call} */
    public MessagePort port2() {
        return port2;
    }

    @Override
    public String toString() {
        return "MessageChannel[" + port1 + ", " + port2 + "]";
    }
}
