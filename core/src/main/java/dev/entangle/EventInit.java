package dev.entangle;

/**
 * The options of {@link Event#Event(String, EventInit) new Event(type, init)} (DOM §2.2 dictionary
 * {@code EventInit}): whether the event bubbles, is cancelable, and is composed. Every member defaults
 * to false, as in the standard; start from {@link #DEFAULT} and change members with the
 * {@code with…} methods:
 *
 * <pre>{@code
 * Event event = new Event("ping", EventInit.DEFAULT.withCancelable(true));
 * }</pre>
 *
 * <p>Threads: any method may be called from any thread.
 *
 * <p>Memory consistency effects: instances are immutable and safe to share between threads.
 */
public final class EventInit {
    /** All members false. */
    public static final EventInit DEFAULT = new EventInit(false, false, false);

    private final boolean bubbles;
    private final boolean cancelable;
    private final boolean composed;

    private EventInit(boolean bubbles, boolean cancelable, boolean composed) {
        this.bubbles = bubbles;
        this.cancelable = cancelable;
        this.composed = composed;
    }

    /**
     * A copy of this with {@code bubbles} set to the given value.
     *
     * @param bubbles the new value
     * @return a copy of this with {@code bubbles} set to the given value
     */
    public EventInit withBubbles(boolean bubbles) {
        return new EventInit(bubbles, cancelable, composed);
    }

    /**
     * A copy of this with {@code cancelable} set to the given value.
     *
     * @param cancelable the new value
     * @return a copy of this with {@code cancelable} set to the given value
     */
    public EventInit withCancelable(boolean cancelable) {
        return new EventInit(bubbles, cancelable, composed);
    }

    /**
     * A copy of this with {@code composed} set to the given value.
     *
     * @param composed the new value
     * @return a copy of this with {@code composed} set to the given value
     */
    public EventInit withComposed(boolean composed) {
        return new EventInit(bubbles, cancelable, composed);
    }

    /** {@return whether the event goes through the bubbling phase (no effect on a target without parent)} */
    public boolean bubbles() {
        return bubbles;
    }

    /** {@return whether {@link Event#preventDefault()} can cancel the event} */
    public boolean cancelable() {
        return cancelable;
    }

    /** {@return whether the event crosses shadow-root boundaries (kept for fidelity; entangle has none)} */
    public boolean composed() {
        return composed;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof EventInit)) {
            return false;
        }
        EventInit other = (EventInit) o;
        return bubbles == other.bubbles && cancelable == other.cancelable && composed == other.composed;
    }

    @Override
    public int hashCode() {
        return (bubbles ? 1 : 0) | (cancelable ? 2 : 0) | (composed ? 4 : 0);
    }

    @Override
    public String toString() {
        return "EventInit[bubbles=" + bubbles + ", cancelable=" + cancelable + ", composed=" + composed
                + "]";
    }
}
