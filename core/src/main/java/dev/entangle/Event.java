package dev.entangle;

import java.util.Objects;

/**
 * An event (DOM §2.2 interface {@code Event}): a type such as {@code "message"} or {@code "close"},
 * the flags that steer its dispatch, and, while it is dispatched, its target. Subclasses such as
 * {@link MessageEvent} add data.
 *
 * <p>Events created with a constructor are <i>untrusted</i> ({@link #isTrusted()} false); events that
 * entangle itself fires at a {@link MessagePort} (incoming messages, {@code close}) are trusted.
 * {@link EventTarget#dispatchEvent(Event)} resets {@code isTrusted} to false, as in the standard.
 *
 * <p>An entangle {@link EventTarget} has no parent, so its event path is the target alone: while
 * dispatched, an event's {@linkplain #eventPhase() phase} is {@link #AT_TARGET}, and its
 * {@linkplain #target() target} and {@linkplain #currentTarget() current target} are that target;
 * {@link #stopPropagation()} therefore only matters before dispatch (an event whose propagation was
 * stopped reaches no listener) and {@code bubbles} has no effect.
 *
 * <p>Threads: an event is not a thread-safe object. It is confined to the thread that dispatches it,
 * normally the owner event loop of its target: call its methods from listeners, or before handing it
 * to {@code dispatchEvent}, or after that returns, never concurrently with a dispatch on another thread.
 * Handing an event from one thread to another needs a happens-before edge of its own (for example
 * {@code dispatchEvent} on a {@code MessagePort}, which passes it to the owner loop through that
 * loop's task queue).
 *
 * <p>Memory consistency effects: none beyond those of the thread hand-off that carries the event; an
 * event's state is published to another thread only by such a hand-off.
 */
public class Event {
    /* Implementation notes (DOM §2.2 "flags" and §2.9 "dispatching events").
     *
     * Each DOM flag is a bit of the plain int `flags`, beside the phase in its two low bits (ten boolean
     * fields cost a MessageEvent, allocated per message, 16 bytes: 72 instead of 56); plain, since the
     * object is confined to one thread at a time (class javadoc). The dispatch algorithm lives in EventTarget.dispatch and drives this object through the
     * package-private hooks below: beginDispatch (dispatch flag, target), enterTarget (phase, current
     * target), inPassiveListener, endDispatch (phase NONE, current target null, dispatch and
     * stop-propagation flags cleared; target kept, as the last steps of DOM §2.9 "dispatch" do when
     * there is no shadow tree).
     */

    /** {@link #eventPhase()}: the event is not being dispatched. */
    public static final int NONE = 0;
    /** {@link #eventPhase()}: capturing phase (never used: entangle targets have no parent). */
    public static final int CAPTURING_PHASE = 1;
    /** {@link #eventPhase()}: the event is at its target (every entangle dispatch). */
    public static final int AT_TARGET = 2;
    /** {@link #eventPhase()}: bubbling phase (never used: entangle targets have no parent). */
    public static final int BUBBLING_PHASE = 3;

    /**
     * The time origin of {@link #timeStamp()}: read once, when this class is initialised, and shared by
     * every event in the process (the JVM's stand-in for a global's time origin, HR-TIME §4).
     */
    private static final long TIME_ORIGIN_NANOS = System.nanoTime();

    // The bits of `flags` (see the implementation notes).
    private static final int PHASE = 0b11; // the eventPhase value, NONE to BUBBLING_PHASE
    private static final int BUBBLES = 1 << 2;
    private static final int CANCELABLE = 1 << 3;
    private static final int COMPOSED = 1 << 4;
    private static final int TRUSTED = 1 << 5;
    private static final int INITIALIZED = 1 << 6;
    private static final int DISPATCHING = 1 << 7;
    private static final int STOP_PROPAGATION = 1 << 8;
    private static final int STOP_IMMEDIATE_PROPAGATION = 1 << 9;
    private static final int CANCELED = 1 << 10;
    private static final int IN_PASSIVE_LISTENER = 1 << 11;

    private String type;
    private final double timeStamp;
    private EventTarget target;
    private EventTarget currentTarget;
    /** The bits above; the phase starts as NONE (0). */
    private int flags;

    /**
     * Creates an untrusted event of {@code type} that does not bubble, is not cancelable, and is not
     * composed: {@code new Event(type)}.
     *
     * @param type the event type, e.g. {@code "message"}
     * @throws NullPointerException if {@code type} is null
     */
    public Event(String type) {
        this(type, EventInit.DEFAULT);
    }

    /**
     * Creates an untrusted event of {@code type} with the flags of {@code init} (DOM "inner event
     * creation steps": initialized, time stamp taken now, {@code isTrusted} false).
     *
     * @param type the event type, e.g. {@code "message"}
     * @param init the event's initial members
     * @throws NullPointerException if {@code type} or {@code init} is null
     */
    public Event(String type, EventInit init) {
        this(type, Objects.requireNonNull(init, "init").bubbles(), init.cancelable(), init.composed());
    }

    /** The inner event creation steps, for subclasses whose init dictionaries extend EventInit. */
    Event(String type, boolean bubbles, boolean cancelable, boolean composed) {
        this.type = Objects.requireNonNull(type, "type");
        this.flags = (bubbles ? BUBBLES : 0) | (cancelable ? CANCELABLE : 0) | (composed ? COMPOSED : 0)
                | INITIALIZED;
        this.timeStamp = (System.nanoTime() - TIME_ORIGIN_NANOS) / 1_000_000.0;
    }

    /** {@return the event type, e.g. {@code "message"}} */
    public String type() {
        return type;
    }

    /**
     * The target the event was last dispatched to, or null if it was never dispatched (or was
     * re-initialized since). Stays set after dispatch.
     *
     * @return the target the event was last dispatched to, or null if it was never dispatched (or was
     *     re-initialized since)
     */
    public EventTarget target() {
        return target;
    }

    /** {@return the target whose listeners are being invoked, or null outside dispatch} */
    public EventTarget currentTarget() {
        return currentTarget;
    }

    /**
     * {@link #NONE} outside dispatch, {@link #AT_TARGET} during it (entangle targets have no parent, so
     * {@link #CAPTURING_PHASE} and {@link #BUBBLING_PHASE} do not occur).
     *
     * @return {@link #NONE} or {@link #AT_TARGET}
     */
    public int eventPhase() {
        return flags & PHASE;
    }

    /** {@return whether the event bubbles (no effect on a target without parent)} */
    public boolean bubbles() {
        return has(BUBBLES);
    }

    /** {@return whether {@link #preventDefault()} can cancel the event} */
    public boolean cancelable() {
        return has(CANCELABLE);
    }

    /** {@return whether the event is composed (kept for fidelity; entangle has no shadow trees)} */
    public boolean composed() {
        return has(COMPOSED);
    }

    /**
     * True if entangle itself fired the event (a received message, a {@code close}); false for events
     * created by user code and for any event passed to {@link EventTarget#dispatchEvent(Event)}.
     *
     * @return true if entangle itself fired the event
     */
    public boolean isTrusted() {
        return has(TRUSTED);
    }

    /**
     * When the event was created, in milliseconds (fractional) since a time origin taken once per
     * process when this class was initialised (a {@code DOMHighResTimeStamp}); monotonic, from
     * {@link System#nanoTime()}.
     *
     * @return the creation time in milliseconds since the process's time origin
     */
    public double timeStamp() {
        return timeStamp;
    }

    /** {@return whether the event was canceled: {@link #preventDefault()} took effect} */
    public boolean defaultPrevented() {
        return has(CANCELED);
    }

    /**
     * Cancels the event if it is {@linkplain #cancelable() cancelable} and no passive listener is
     * running (DOM "set the canceled flag"); otherwise does nothing.
     */
    public void preventDefault() {
        if (has(CANCELABLE) && !has(IN_PASSIVE_LISTENER)) {
            set(CANCELED, true);
        }
    }

    /**
     * Sets the stop-propagation flag. An entangle target has no parent, so during dispatch this
     * changes nothing; before dispatch it keeps the next dispatch from invoking any listener (DOM §2.9
     * "invoke" returns early when the flag is set).
     */
    public void stopPropagation() {
        set(STOP_PROPAGATION, true);
    }

    /**
     * Sets the stop-propagation and stop-immediate-propagation flags: no further listener is invoked
     * in the current (or next) dispatch.
     */
    public void stopImmediatePropagation() {
        set(STOP_PROPAGATION | STOP_IMMEDIATE_PROPAGATION, true);
    }

    /**
     * Legacy re-initialization (DOM §2.2 {@code initEvent}). Does nothing while the event is being
     * dispatched. Otherwise runs the DOM "initialize" steps: sets the initialized flag, clears the
     * stop-propagation, stop-immediate-propagation and canceled flags, sets {@code isTrusted} false
     * and {@code target} null, and sets {@code type}, {@code bubbles} and {@code cancelable}
     * ({@code composed} and the time stamp are kept).
     *
     * @param type the event type, e.g. {@code "message"}
     * @param bubbles whether the event bubbles
     * @param cancelable whether the event is cancelable
     * @throws NullPointerException if {@code type} is null
     */
    public void initEvent(String type, boolean bubbles, boolean cancelable) {
        Objects.requireNonNull(type, "type");
        if (has(DISPATCHING)) {
            return;
        }
        initialize(type, bubbles, cancelable);
    }

    /** DOM "initialize an event"; the caller has checked the dispatch flag. */
    final void initialize(String type, boolean bubbles, boolean cancelable) {
        set(INITIALIZED, true);
        set(STOP_PROPAGATION | STOP_IMMEDIATE_PROPAGATION | CANCELED | TRUSTED, false);
        this.target = null;
        this.type = type;
        set(BUBBLES, bubbles);
        set(CANCELABLE, cancelable);
    }

    @Override
    public String toString() {
        return "Event[type=" + type + "]";
    }

    private boolean has(int bit) {
        return (flags & bit) != 0;
    }

    private void set(int bits, boolean on) {
        flags = on ? flags | bits : flags & ~bits;
    }

    // ---------------------------------------------------------------------------------------------
    // Package-private hooks for EventTarget's dispatch and for the runtime (MessagePort).

    /** Sets {@code isTrusted}: the runtime marks the events it fires trusted before dispatching them. */
    void setTrusted(boolean trusted) {
        set(TRUSTED, trusted);
    }

    /** Whether the dispatch flag is set: the event is being dispatched. */
    boolean isDispatching() {
        return has(DISPATCHING);
    }

    /** Whether the initialized flag is set (always, for events made by a constructor). */
    boolean isInitialized() {
        return has(INITIALIZED);
    }

    /** Start of DOM §2.9 "dispatch" for a target without parent: set the dispatch flag and the target. */
    final void beginDispatch(EventTarget target) {
        set(DISPATCHING, true);
        this.target = target;
    }

    /** DOM §2.9 "invoke": phase and current target for the listeners of {@code target}. */
    final void enterTarget(EventTarget target, int phase) {
        this.flags = (flags & ~PHASE) | phase;
        this.currentTarget = target;
    }

    /** Whether the stop-propagation flag is set. */
    final boolean propagationStopped() {
        return has(STOP_PROPAGATION);
    }

    /** Whether the stop-immediate-propagation flag is set. */
    final boolean immediatePropagationStopped() {
        return has(STOP_IMMEDIATE_PROPAGATION);
    }

    /** Sets or clears the in-passive-listener flag (DOM §2.9 "inner invoke", around a passive listener). */
    final void inPassiveListener(boolean passive) {
        set(IN_PASSIVE_LISTENER, passive);
    }

    /**
     * End of DOM §2.9 "dispatch" without shadow trees: phase NONE, current target null, dispatch,
     * stop-propagation, stop-immediate-propagation and in-passive-listener flags cleared; the target
     * stays.
     */
    final void endDispatch() {
        this.flags &= ~(PHASE | DISPATCHING | STOP_PROPAGATION | STOP_IMMEDIATE_PROPAGATION
                | IN_PASSIVE_LISTENER); // phase NONE
        this.currentTarget = null;
    }
}
