package dev.entangle;

import java.util.Objects;

/**
 * An event reporting an uncaught exception (HTML §8.1.4.7 interface {@code ErrorEvent}): a
 * {@link Worker} fires one named {@code error} at itself, on the parent's loop, when its body or one of
 * its handlers throws; the worker has stopped by then and its {@code exit} event follows.
 *
 * <p>Of the IDL attributes, {@link #message()} and {@link #error()} are kept; {@code filename},
 * {@code lineno} and {@code colno} have no JVM counterpart (the throwable's stack trace has them).
 *
 * <p>Threads: like every {@link Event}, confined to the thread that dispatches it. Memory consistency
 * effects: actions of the worker before the throwable was thrown <i>happen-before</i> the dispatch of
 * the event that carries it.
 */
public class ErrorEvent extends Event {
    private final String message;
    private final Throwable error;

    /**
     * Creates an untrusted error event that does not bubble and is not cancelable.
     *
     * @param type the event type, e.g. {@code "error"}
     * @param message the message; null is taken as ""
     * @param error the throwable, or null
     * @throws NullPointerException if {@code type} is null
     */
    public ErrorEvent(String type, String message, Throwable error) {
        this(type, message, error, false);
    }

    ErrorEvent(String type, String message, Throwable error, boolean cancelable) {
        super(Objects.requireNonNull(type, "type"), false, cancelable, false);
        this.message = message == null ? "" : message;
        this.error = error;
    }

    /** The worker's report of an uncaught throwable: cancelable, as HTML fires it at a Worker. */
    static ErrorEvent uncaught(Throwable error) {
        ErrorEvent event = new ErrorEvent("error", "Uncaught " + error, error, true);
        event.setTrusted(true);
        return event;
    }

    /**
     * {@return a description of the error: for a worker's uncaught throwable, "Uncaught " + its
     * toString()}
     */
    public String message() {
        return message;
    }

    /** {@return the throwable itself (passed by reference, not cloned), or null} */
    public Throwable error() {
        return error;
    }

    @Override
    public String toString() {
        return "ErrorEvent[type=" + type() + ", message=" + message + "]";
    }
}
