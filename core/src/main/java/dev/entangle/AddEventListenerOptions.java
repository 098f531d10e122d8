package dev.entangle;

/**
 * The options of {@link EventTarget#addEventListener(String, EventListener, AddEventListenerOptions)}
 * (DOM §2.7 dictionary {@code AddEventListenerOptions}): {@code once} (remove the listener before its
 * first invocation) and {@code passive} (the listener cannot cancel the event). Both default to false.
 * The DOM's {@code capture} and {@code signal} members are not offered: an entangle target has no
 * parent, so capture changes nothing, and there is no {@code AbortSignal} yet.
 *
 * <pre>{@code
 * port.addEventListener("message", listener, AddEventListenerOptions.ONCE);
 * }</pre>
 *
 * <p>Threads: any method may be called from any thread.
 *
 * <p>Memory consistency effects: instances are immutable and safe to share between threads.
 */
public final class AddEventListenerOptions {
    /** {@code once} and {@code passive} both false: what the two-argument {@code addEventListener} uses. */
    public static final AddEventListenerOptions DEFAULT = new AddEventListenerOptions(false, false);

    /**
     * {@code once} true, {@code passive} false. (A constant rather than a static {@code once()} method,
     * which would clash with the accessor {@link #once()}.)
     */
    public static final AddEventListenerOptions ONCE = new AddEventListenerOptions(true, false);

    private final boolean once;
    private final boolean passive;

    private AddEventListenerOptions(boolean once, boolean passive) {
        this.once = once;
        this.passive = passive;
    }

    /**
     * A copy of this with {@code once} set to the given value.
     *
     * @param once the new value
     * @return a copy of this with {@code once} set to the given value
     */
    public AddEventListenerOptions withOnce(boolean once) {
        return new AddEventListenerOptions(once, passive);
    }

    /**
     * A copy of this with {@code passive} set to the given value.
     *
     * @param passive the new value
     * @return a copy of this with {@code passive} set to the given value
     */
    public AddEventListenerOptions withPassive(boolean passive) {
        return new AddEventListenerOptions(once, passive);
    }

    /** {@return whether the listener is removed just before it is first invoked} */
    public boolean once() {
        return once;
    }

    /** {@return whether {@link Event#preventDefault()} is ignored while this listener runs} */
    public boolean passive() {
        return passive;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof AddEventListenerOptions)) {
            return false;
        }
        AddEventListenerOptions other = (AddEventListenerOptions) o;
        return once == other.once && passive == other.passive;
    }

    @Override
    public int hashCode() {
        return (once ? 1 : 0) | (passive ? 2 : 0);
    }

    @Override
    public String toString() {
        return "AddEventListenerOptions[once=" + once + ", passive=" + passive + "]";
    }
}
