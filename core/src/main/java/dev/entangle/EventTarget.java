package dev.entangle;

import java.util.Arrays;
import java.util.Objects;

import dev.entangle.internal.LoopCore;


/**
 * An object that receives events (DOM §2.7 interface {@code EventTarget}): listeners are registered
 * per event type and invoked, in registration order, when an event of that type is dispatched to it.
 * {@link MessagePort} is the main one; {@code new EventTarget()} makes a plain one, as in the DOM.
 *
 * <p>An entangle target has no parent, so dispatch is the DOM algorithm with a one-element event path:
 * the event is {@linkplain Event#AT_TARGET at target} and this target is both its target and current
 * target.
 *
 * <p>Listener errors: a listener (or event handler) that throws does not stop the others. The
 * throwable is reported (for a plain target, to the dispatching thread's uncaught-exception handler;
 * for a port, to its loop's), and dispatch goes on, a {@link StackOverflowError} included (runaway
 * recursion in a listener has unwound once caught), except for any other {@link VirtualMachineError}
 * (such as {@link OutOfMemoryError}), which is not reported here and propagates out of the dispatch
 * after the event's state has been reset: the JVM may be unable to go on, and the event loop above
 * decides (it rethrows it too).
 *
 * <p>Threads: {@link #addEventListener} and {@link #removeEventListener} are safe to call from any
 * thread, at any time, including from a listener during dispatch (writers of a plain target's
 * listener list synchronize on the target itself, a port's on an internal object: a thread holding
 * a plain target's monitor delays other threads' registrations). Dispatch runs on one thread at a
 * time: for a {@code MessagePort}, always its owner loop ({@code dispatchEvent} called elsewhere is
 * routed there); for a plain target, the calling thread, and callers must not dispatch to the same
 * target from two threads at once (events are not thread-safe objects).
 *
 * <p>Memory consistency effects: actions in a thread prior to adding a listener <i>happen-before</i>
 * any invocation of that listener on another thread; a listener removed before a dispatch starts is
 * not invoked by it.
 */
public class EventTarget {
    /* Implementation overview.
     *
     * The DOM's "event listener list" is one array of Entry objects, all types mixed, in registration
     * order. It is copy-on-write: writers (add, remove, event handler set) build a new array holding
     * listenerLock() (the target itself; a MessagePort's internal handle, so that a port pays no
     * field for a lock: issue 12's footprint) and publish it with a volatile write to `listeners`;
     * dispatch reads the field once, with no lock. A list of one entry is published as the Entry
     * itself and an empty list as null; a list whose one entry is a `message` event handler is
     * published as the handler itself (its EventHandler object), so the usual port, with one
     * onmessage handler, reaches the user's code through two objects fewer (two cache lines fewer
     * per message in a ring of thousands of loops: benchmarks' Scale). Why:
     *  - the DOM's "inner invoke" iterates over a clone of the list taken when invocation starts
     *    (listeners added during dispatch are not invoked, §2.9); the published array is that clone,
     *    for free, and it never changes;
     *  - registration may come from any thread while the owner loop dispatches; the volatile read
     *    pairs with the volatile write so that the loop sees a fully built array and fully built
     *    entries (happens-before from the registering thread), and dispatch never blocks on writers;
     *  - writers are rare; a lock keeps the event handler's find-then-update atomic (two threads setting
     *    onmessage must not append two internal listeners), which a lone CAS could not do simply.
     *
     * Entry.removed is volatile: "remove an event listener" sets it so that a dispatch already holding
     * an older array skips the entry (DOM §2.7 "removed" flag); it may be set by any thread.
     *
     * Event handlers (HTML §8.1.8.1): an event handler is a HandlerEntry, holding the current handler
     * value in a volatile field (and no listener). Setting a non-null value when that entry exists
     * only replaces the value (the entry keeps its place); the first non-null value appends the
     * entry; null removes it. The entry reads the value when invoked, so a handler replaced during a
     * dispatch takes effect for that dispatch, as in HTML ("get the current value of the event
     * handler"). HandlerEntry is private, so user code can never add or remove it directly.
     *
     * A handler published as itself has no entry object in the list: writers rebuild one (entries())
     * and publish the new value after each replacement. Only a handler whose entry no dispatch can
     * hold is published so (one set on an empty list, and its replacements); an entry that was listed
     * beside others stays published as an entry, since a dispatch holding that older list must see
     * the handler a listener before it nulled or replaced. Dispatch invokes the handler it read, so a
     * handler replaced by another thread during that dispatch takes effect from the next one (the DOM
     * gives no order between two threads; on the dispatching thread a lone handler has no listener
     * before it that could replace it).
     */

    private static final Entry[] NO_ENTRIES = new Entry[0];

    /** The one event type whose lone handler is published as itself (see the overview). */
    private static final String MESSAGE = "message";

    /**
     * Copy-on-write listener list: null (empty), one Entry, the EventHandler of a lone {@code message}
     * handler, or an Entry[] of two or more; volatile: see the overview. Written only holding
     * {@link #listenerLock()}, through {@link #publish}.
     */
    private volatile Object listeners;

    /** Creates a target without listeners ({@code new EventTarget()}). */
    public EventTarget() {
    }

    /**
     * The monitor writers of the listener list hold; never held while a listener runs. This target
     * itself; {@code MessagePort} returns an object of its own that user code cannot reach.
     */
    Object listenerLock() {
        return this;
    }

    /** An event listener (DOM §2.7): type, callback, once, passive, removed. */
    private static class Entry {
        final String type;
        /** The callback; null for an event handler's entry (a HandlerEntry). */
        final EventListener listener;
        final boolean once;
        final boolean passive;
        /** Volatile: set by the removing thread, read by the dispatching one. */
        volatile boolean removed;

        Entry(String type, EventListener listener, boolean once, boolean passive) {
            this.type = type;
            this.listener = listener;
            this.once = once;
            this.passive = passive;
        }

        /** Calls the callback (DOM "inner invoke", the call step). */
        void invoke(Event event) {
            listener.handleEvent(event);
        }
    }

    /** The entry of an event handler attribute; invokes the handler current at that moment. */
    private static final class HandlerEntry extends Entry {
        /** Volatile: set by any thread, read by the dispatching one. Null only after removal. */
        volatile EventHandler<? extends Event> handler;

        HandlerEntry(String type, EventHandler<? extends Event> handler) {
            super(type, null, false, false);
            this.handler = handler;
        }

        @Override
        @SuppressWarnings("unchecked")
        void invoke(Event event) {
            EventHandler<? extends Event> current = handler;
            if (current != null) {
                // The owner sets a handler for a type whose events all have the handler's event class
                // (MessagePort: "message" → MessageEvent), so this cast does not fail in practice.
                ((EventHandler<Event>) current).handle(event);
            }
        }
    }

    /**
     * Adds {@code listener} for events of {@code type}, with default options. Does nothing if the same
     * listener object (compared by identity) is already registered for {@code type}.
     *
     * <p>May be called from any thread, also during dispatch; a listener added while an event of its
     * type is being dispatched is first invoked for a later event.
     *
     * @param type the event type, e.g. {@code "message"}
     * @param listener the listener
     * @throws NullPointerException if {@code type} or {@code listener} is null
     */
    public void addEventListener(String type, EventListener listener) {
        addEventListener(type, listener, AddEventListenerOptions.DEFAULT);
    }

    /**
     * Adds {@code listener} for events of {@code type} with {@code options} (DOM "add an event
     * listener"): {@code once} removes it just before its first invocation; {@code passive} makes
     * {@link Event#preventDefault()} ineffective while it runs. Does nothing if the same listener object
     * (compared by identity) is already registered for {@code type}, whatever its options.
     *
     * <p>May be called from any thread, also during dispatch.
     *
     * @param type the event type, e.g. {@code "message"}
     * @param listener the listener
     * @param options the options; their {@code transfer()} list is the transfer list
     * @throws NullPointerException if {@code type}, {@code listener} or {@code options} is null
     */
    public void addEventListener(String type, EventListener listener, AddEventListenerOptions options) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(options, "options");
        synchronized (listenerLock()) {
            Entry[] current = entries(listeners);
            if (indexOf(current, type, listener) >= 0) {
                return;
            }
            append(current, new Entry(type, listener, options.once(), options.passive()));
        }
    }

    /**
     * Removes {@code listener} for events of {@code type}, if registered (DOM "remove an event
     * listener"). A dispatch in progress on another thread or further up this thread's stack no
     * longer invokes it.
     *
     * <p>May be called from any thread, also during dispatch.
     *
     * @param type the event type, e.g. {@code "message"}
     * @param listener the listener
     * @throws NullPointerException if {@code type} or {@code listener} is null
     */
    public void removeEventListener(String type, EventListener listener) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(listener, "listener");
        synchronized (listenerLock()) {
            Entry[] current = entries(listeners);
            int index = indexOf(current, type, listener);
            if (index >= 0) {
                removeAt(current, index);
            }
        }
    }

    /**
     * Dispatches {@code event} to this target (DOM {@code dispatchEvent}): sets
     * {@link Event#isTrusted()} to false, then invokes this target's listeners for the event's type
     * synchronously, in registration order, from a snapshot taken when dispatch starts. A listener
     * added meanwhile is not invoked; one removed meanwhile is skipped; {@code once} listeners are
     * removed before they run; {@link Event#stopImmediatePropagation()} skips the rest. A listener that
     * throws does not stop the others (see the class javadoc).
     *
     * <p>During dispatch the event's {@code target} and {@code currentTarget} are this target and its
     * phase is {@link Event#AT_TARGET}; afterwards its phase is {@link Event#NONE}, its
     * {@code currentTarget} null, and its {@code target} still this target.
     *
     * <p>Threads: on a plain target, runs on the calling thread. {@code MessagePort} overrides this to
     * run the dispatch on its owner loop.
     *
     * @param event the event to dispatch
     * @return false if the event is cancelable and a listener called {@link Event#preventDefault()},
     *     true otherwise
     * @throws NullPointerException if {@code event} is null
     * @throws DOMException InvalidStateError if {@code event} is being dispatched or is not initialized
     * @throws VirtualMachineError if a listener throws one other than StackOverflowError (see the class
     *     javadoc)
     */
    public boolean dispatchEvent(Event event) {
        Objects.requireNonNull(event, "event");
        if (event.isDispatching()) {
            throw DOMException.invalidStateError(
                    "the " + event.type() + " event is already being dispatched");
        }
        if (!event.isInitialized()) {
            throw DOMException.invalidStateError("the " + event.type() + " event is not initialized");
        }
        event.setTrusted(false);
        return dispatch(event);
    }

    /**
     * DOM §2.9 "dispatch" of {@code event} to this target, which has no parent, leaving
     * {@code isTrusted} as it is: the runtime's entry point for trusted events. Call on the thread that
     * dispatches to this target (for a port, its owner loop). The caller makes sure the event is not
     * being dispatched ({@code dispatchEvent} throws InvalidStateError; a fresh runtime event never is).
     *
     * @return !defaultPrevented
     */
    boolean dispatch(Event event) {
        assert !event.isDispatching() : "event already being dispatched";
        event.beginDispatch(this);
        try {
            // The path is [this]: the capturing pass "invoke"s only capture listeners (we have none);
            // the bubbling pass invokes the others, at target.
            if (!event.propagationStopped()) {
                event.enterTarget(this, Event.AT_TARGET);
                Object snapshot = listeners; // volatile read: the DOM's clone of the listener list
                if (snapshot instanceof Entry) {
                    invokeEntry(event, (Entry) snapshot, event.type());
                } else if (snapshot instanceof Entry[]) {
                    innerInvoke(event, (Entry[]) snapshot);
                } else if (snapshot != null && MESSAGE.equals(event.type())) {
                    invokeHandler(event, (EventHandler<?>) snapshot);
                }
            }
        } finally {
            event.endDispatch();
        }
        return !event.defaultPrevented();
    }

    /** DOM §2.9 "inner invoke" over the snapshot {@code snapshot}. */
    private void innerInvoke(Event event, Entry[] snapshot) {
        String type = event.type();
        for (Entry entry : snapshot) {
            if (invokeEntry(event, entry, type)) {
                return;
            }
        }
    }

    /**
     * One entry's step of "inner invoke": skipped if removed or of another type; a once entry is
     * removed first. Returns true if the rest must be skipped (stopImmediatePropagation).
     */
    private boolean invokeEntry(Event event, Entry entry, String type) {
        if (entry.removed || !entry.type.equals(type)) {
            return false;
        }
        if (entry.once) {
            remove(entry);
        }
        if (entry.passive) {
            event.inPassiveListener(true);
        }
        try {
            entry.invoke(event);
        } catch (Throwable t) {
            if (LoopCore.isFatal(t)) {
                throw t; // the JVM is in doubt; a StackOverflowError is not: it has unwound
            }
            reportException(t);
        } finally {
            event.inPassiveListener(false);
        }
        return event.immediatePropagationStopped();
    }

    /** "Inner invoke" of a lone message handler published as itself (not once, not passive). */
    @SuppressWarnings("unchecked")
    private void invokeHandler(Event event, EventHandler<?> handler) {
        try {
            // Only MessagePort, Worker and BroadcastChannel set "message" handlers, all of MessageEvent.
            ((EventHandler<Event>) handler).handle(event);
        } catch (Throwable t) {
            if (LoopCore.isFatal(t)) {
                throw t; // the JVM is in doubt; a StackOverflowError is not: it has unwound
            }
            reportException(t);
        }
    }

    /**
     * Reports a throwable thrown by a listener or event handler (HTML "report an exception"). This
     * default passes it to the current thread's {@linkplain Thread#getUncaughtExceptionHandler()
     * uncaught-exception handler} and never throws; if that handler itself throws, both are printed to
     * {@code System.err}. {@code MessagePort} overrides it to use its loop's error handler. Called on
     * the dispatching thread.
     */
    void reportException(Throwable t) {
        Thread thread = Thread.currentThread();
        Thread.UncaughtExceptionHandler handler = thread.getUncaughtExceptionHandler();
        if (handler == null) {
            handler = Thread.getDefaultUncaughtExceptionHandler();
        }
        try {
            if (handler != null) {
                handler.uncaughtException(thread, t);
                return;
            }
        } catch (Throwable secondary) {
            if (LoopCore.isFatal(secondary)) {
                throw secondary; // the JVM is in doubt; a StackOverflowError is not: it has unwound
            }
            t.addSuppressed(secondary);
        }
        System.err.println("entangle: exception in an event listener on " + thread.getName());
        t.printStackTrace();
    }

    /**
     * Sets the event handler for {@code type} (HTML §8.1.8.1, the setter of an event handler IDL
     * attribute such as {@code onmessage}). The first non-null value appends one internal listener at
     * the end of the listener list; later non-null values replace the handler and keep that listener's
     * place; null removes the listener, so a later non-null value appends it at the end again. Safe
     * from any thread.
     *
     * @throws NullPointerException if {@code type} is null
     */
    void setEventHandler(String type, EventHandler<? extends Event> handler) {
        Objects.requireNonNull(type, "type");
        synchronized (listenerLock()) {
            Entry[] current = entries(listeners);
            int index = handlerIndex(current, type);
            if (handler == null) {
                if (index >= 0) {
                    ((HandlerEntry) current[index]).handler = null;
                    removeAt(current, index);
                }
            } else if (index >= 0) {
                ((HandlerEntry) current[index]).handler = handler;
                if (isBareHandler(listeners)) {
                    listeners = handler; // published as itself: the entry above is a copy (entries())
                }
            } else {
                append(current, new HandlerEntry(type, handler));
            }
        }
    }

    /**
     * The event handler for {@code type} (the getter of an event handler IDL attribute), or null.
     * Safe from any thread. Typed as the caller's attribute declares it: the owner sets a handler of that
     * event type for {@code type} (the setters of this package take {@code EventHandler<E>} for the
     * same {@code E}), so the unchecked cast is the one place that relies on it.
     *
     * @throws NullPointerException if {@code type} is null
     */
    @SuppressWarnings("unchecked")
    <E extends Event> EventHandler<E> getEventHandler(String type) {
        Objects.requireNonNull(type, "type");
        Entry[] current = entries(listeners);
        int index = handlerIndex(current, type);
        return index < 0 ? null : (EventHandler<E>) ((HandlerEntry) current[index]).handler;
    }

    /**
     * Whether a listener or event handler is registered for {@code type}. Safe from any thread; the
     * answer may be stale by the time it is used if other threads add or remove listeners.
     */
    boolean hasListeners(String type) {
        Objects.requireNonNull(type, "type");
        Object snapshot = listeners;
        if (snapshot instanceof Entry) {
            return listens((Entry) snapshot, type);
        }
        if (snapshot instanceof Entry[]) {
            for (Entry entry : (Entry[]) snapshot) {
                if (listens(entry, type)) {
                    return true;
                }
            }
            return false;
        }
        return snapshot != null && MESSAGE.equals(type);
    }

    private static boolean listens(Entry entry, String type) {
        return entry.type.equals(type) && !entry.removed;
    }

    // ---------------------------------------------------------------------------------------------
    // Copy-on-write helpers. Callers of append/removeAt hold listenerLock() and pass the array they read.

    /** The list {@code published} (a value of {@link #listeners}) as an array, for writers and the getter. */
    private static Entry[] entries(Object published) {
        if (published == null) {
            return NO_ENTRIES;
        }
        if (published instanceof Entry[]) {
            return (Entry[]) published;
        }
        return new Entry[] {published instanceof Entry ? (Entry) published
                : new HandlerEntry(MESSAGE, (EventHandler<?>) published)};
    }

    /**
     * Publishes {@code next} (volatile write): null if empty; the handler itself if it is a lone
     * {@code message} handler's entry that no dispatch can hold (the list was empty or such a handler
     * until now: the entry was made by this write); else the entry itself if only one.
     */
    private void publish(Entry[] next) {
        Object before = listeners;
        if (next.length == 0) {
            listeners = null;
        } else if (next.length > 1) {
            listeners = next;
        } else if (next[0] instanceof HandlerEntry && next[0].type.equals(MESSAGE)
                && (before == null || isBareHandler(before))) {
            listeners = ((HandlerEntry) next[0]).handler;
        } else {
            // An entry once listed beside others keeps its identity: a dispatch holding that older
            // list must see this entry's handler set to null by a listener before it.
            listeners = next[0];
        }
    }

    /** Whether {@code published} (a value of {@link #listeners}) is a handler published as itself. */
    private static boolean isBareHandler(Object published) {
        return published != null && !(published instanceof Entry) && !(published instanceof Entry[]);
    }

    private static int indexOf(Entry[] entries, String type, EventListener listener) {
        for (int i = 0; i < entries.length; i++) {
            if (entries[i].listener == listener && entries[i].type.equals(type)) {
                return i;
            }
        }
        return -1;
    }

    private static int handlerIndex(Entry[] entries, String type) {
        for (int i = 0; i < entries.length; i++) {
            if (entries[i] instanceof HandlerEntry && entries[i].type.equals(type)) {
                return i;
            }
        }
        return -1;
    }

    private void append(Entry[] current, Entry entry) {
        Entry[] next = Arrays.copyOf(current, current.length + 1);
        next[current.length] = entry;
        publish(next); // publishes the entry and the array
    }

    private void removeAt(Entry[] current, int index) {
        current[index].removed = true; // before unpublishing: a dispatch holding `current` skips it
        Entry[] next = new Entry[current.length - 1];
        System.arraycopy(current, 0, next, 0, index);
        System.arraycopy(current, index + 1, next, index, current.length - index - 1);
        publish(next);
    }

    /** Removes {@code entry} if still listed (a once listener about to run). */
    private void remove(Entry entry) {
        synchronized (listenerLock()) {
            Entry[] current = entries(listeners);
            for (int i = 0; i < current.length; i++) {
                if (current[i] == entry) {
                    removeAt(current, i);
                    return;
                }
            }
            entry.removed = true;
        }
    }
}
