package dev.entangle;

/**
 * A callback registered with {@link EventTarget#addEventListener(String, EventListener)} (DOM §2.7
 * {@code EventListener}); a lambda fits.
 *
 * <p>Threads: {@link #handleEvent(Event)} is called on the thread that dispatches the event: for a
 * {@link MessagePort}, always its owner {@link EventLoop}; for a plain {@link EventTarget}, the thread
 * that calls {@link EventTarget#dispatchEvent(Event)}.
 *
 * <p>Memory consistency effects: for a {@code MessagePort}, actions of the posting thread before
 * {@code postMessage} happen-before the call of {@code handleEvent} with the matching event; actions
 * of a thread before it adds the listener happen-before each call of the listener that the addition
 * makes possible.
 */
@FunctionalInterface
public interface EventListener {
    /**
     * Handles {@code event}. May throw any {@link RuntimeException} (or {@link Error}): the exception
     * is reported (for a port, to its loop's uncaught-exception handler) and the other listeners still
     * run.
     *
     * @param event the event being dispatched; valid to inspect until this method returns
     */
    void handleEvent(Event event);
}
