package dev.entangle;

/**
 * The value of an event handler attribute such as {@link MessagePort#onmessage(EventHandler)} (HTML
 * §8.1.8 "event handlers"); a lambda fits. Unlike an {@link EventListener}, a target holds at most one
 * handler per event type, and replacing it keeps its place among the listeners.
 *
 * <p>Threads: {@link #handle(Event)} is called on the thread that dispatches the event (for a port,
 * its owner loop).
 *
 * <p>Memory consistency effects: actions of a thread before it sets the handler happen-before each
 * call of that handler.
 *
 * @param <E> the event type the handler receives
 */
@FunctionalInterface
public interface EventHandler<E extends Event> {
    /**
     * Handles {@code event}. May throw any {@link RuntimeException}: it is reported like a listener's
     * and the other listeners still run.
     *
     * @param event the event being dispatched
     */
    void handle(E event);
}
