package dev.entangle.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.entangle.Event;
import dev.entangle.MessageEvent;
import dev.entangle.MessagePort;

/** Records what a port dispatches (message, messageerror, close), in order, for a test thread to take. */
final class Inbox {
    static final long TIMEOUT_SECONDS = 20;

    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();

    /** Listens to {@code port} and starts it. */
    static Inbox of(MessagePort port) {
        Inbox inbox = new Inbox();
        port.addEventListener("messageerror", inbox.events::add);
        port.addEventListener("close", inbox.events::add);
        port.onmessage(inbox.events::add);
        return inbox;
    }

    /** The next event, failing after the timeout. */
    Event next() throws InterruptedException {
        Event e = events.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(e, "no event within " + TIMEOUT_SECONDS + " s");
        return e;
    }

    /** The next event, which must be a message; its data. */
    Object data() throws InterruptedException {
        Event e = next();
        assertEquals("message", e.type(), "expected a message, got " + e);
        return ((MessageEvent) e).data();
    }

    /** The next event, which must be a message; the event. */
    MessageEvent message() throws InterruptedException {
        Event e = next();
        assertEquals("message", e.type(), "expected a message, got " + e);
        return (MessageEvent) e;
    }

    /** True if nothing was recorded yet (or everything was taken). */
    boolean isEmpty() {
        return events.isEmpty();
    }

    /** Asserts that the next event is of {@code type}. */
    void expect(String type) throws InterruptedException {
        assertEquals(type, next().type());
    }
}
