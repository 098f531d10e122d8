package dev.entangle;

import static dev.entangle.Loops.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * close(), disentanglement and the close event (SPEC item 6; HTML §9.4.4 "close()" and "disentangle";
 * WPT webmessaging/message-channels/close-event/explicitly-closed.tentative.window.js and
 * historical.any.js "No close event should be fired on a port when it is closed").
 */
class CloseTest {
    private final Loops loops = new Loops();

    @AfterEach
    void closeLoops() throws InterruptedException {
        loops.close();
    }

    /** Messages posted before close() are delivered, then one close event; nothing posted after. */
    @Test
    void messagesInFlightBeforeCloseAreDeliveredThenCloseThenNothing() throws Exception {
        EventLoop sender = loops.start("sender");
        EventLoop receiver = loops.start("receiver");
        MessageChannel carrier = new MessageChannel(receiver);
        MessageChannel channel = new MessageChannel(sender);
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        channel.port2().onmessage(e -> events.add("message:" + e.data()));
        channel.port2().onclose(e -> events.add("close:" + e.getClass().getSimpleName()
                + ":" + e.isTrusted() + ":" + (e.target() == channel.port2())));

        for (int i = 0; i < 100; i++) {
            channel.port1().postMessage(i);
        }
        channel.port1().close();
        channel.port1().postMessage("after close");

        for (int i = 0; i < 100; i++) {
            assertEquals("message:" + i, next(events));
        }
        assertEquals("close:Event:true:true", next(events));
        assertNull(Loops.pollSettled(events, sender, receiver), "nothing after the close event");
        assertFalse(carrier.port1().hasRef() && channel.port1().hasRef(), "closed port has no ref");
    }

    /** The closing port gets no close event; the other port gets exactly one. */
    @Test
    void closeEventOnTheOtherSideOnlyAndOnce() throws Exception {
        EventLoop loop = loops.start("once");
        MessageChannel channel = new MessageChannel(loop);
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        channel.port1().onclose(e -> events.add("port1 close"));
        channel.port2().onclose(e -> events.add("port2 close"));
        channel.port1().start();
        channel.port2().start();

        channel.port1().close();
        channel.port1().close(); // idempotent

        assertEquals("port2 close", next(events));
        channel.port2().close(); // already disentangled: no event anywhere
        assertNull(Loops.pollSettled(events, loop), "no second close, none at port1");
    }

    /** close() is idempotent and never throws, whatever the state. */
    @Test
    void closeIsIdempotentOnEveryState() throws Exception {
        EventLoop loop = loops.start("idempotent");
        MessageChannel channel = new MessageChannel(loop);
        MessageChannel carrier = new MessageChannel(loop);
        carrier.port1().postMessage("ship", java.util.List.of(channel.port1()));
        channel.port1().close(); // detached object: no-op
        channel.port2().close();
        channel.port2().close();
        assertFalse(channel.port2().hasRef());
        assertTrue(carrier.port1().hasRef());
    }

    /** Messages posted towards a closed port are dropped silently; posting does not throw. */
    @Test
    void closedPortDropsLaterMessages() throws Exception {
        EventLoop loop = loops.start("drop");
        MessageChannel channel = new MessageChannel(loop);
        LinkedBlockingQueue<Object> at2 = new LinkedBlockingQueue<>();
        channel.port2().onmessage(e -> at2.add(e.data()));
        channel.port2().close();

        channel.port1().postMessage("to a closed port");

        assertNull(Loops.pollSettled(at2, loop), "dropped, not dispatched");
        assertNull(channel.port2().receiveMessage());
    }

    /** A port never started still gets close when nothing is queued ahead of it (Node's rule). */
    @Test
    void unstartedPortReceivesCloseWhenNothingIsQueuedAhead() throws Exception {
        EventLoop loop = loops.start("unstarted");
        MessageChannel channel = new MessageChannel(loop);
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        channel.port2().addEventListener("close", e -> events.add("close"));

        channel.port1().close();

        assertEquals("close", next(events));
    }

    /** Unstarted with messages ahead: close waits behind them until start(). */
    @Test
    void unstartedPortGetsCloseAfterItsQueuedMessagesOnceStarted() throws Exception {
        EventLoop loop = loops.start("behind");
        MessageChannel channel = new MessageChannel(loop);
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        channel.port2().addEventListener("close", e -> events.add("close"));
        channel.port2().addEventListener("message", e -> events.add("message"));

        channel.port1().postMessage("queued");
        channel.port1().close();
        assertNull(Loops.pollSettled(events, loop), "neither the message nor the close before start()");
        channel.port2().start();

        assertEquals("message", next(events));
        assertEquals("close", next(events));
    }

    /**
     * A port collected by the GC while entangled disentangles (HTML §9.4.6): the other side gets close.
     * The GC is prodded until the event arrives or the timeout passes.
     */
    @Test
    void collectedPortDisentanglesAndTheOtherSideGetsClose() throws Exception {
        EventLoop loop = loops.start("gc");
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        MessagePort survivor = survivorOfAnAbandonedChannel(loop, events);
        String event = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (event == null && System.nanoTime() < deadline) {
            System.gc();
            event = events.poll(50, TimeUnit.MILLISECONDS);
        }
        assertEquals("close", event);
        assertSame(loop, survivor.owner());
    }

    private static MessagePort survivorOfAnAbandonedChannel(EventLoop loop,
            LinkedBlockingQueue<String> events) {
        MessageChannel channel = new MessageChannel(loop);
        channel.port1().onclose(e -> events.add("close"));
        channel.port1().start();
        channel.port1().postMessage("never read"); // queued at port2, which nobody will ever start
        return channel.port1();
    }

    /** Closing a loop closes its ports: their peers on other loops receive close. */
    @Test
    void closingALoopClosesItsPorts() throws Exception {
        EventLoop doomed = loops.start("doomed");
        EventLoop survivor = loops.start("survivor");
        MessageChannel carrier = new MessageChannel(doomed);
        MessageChannel channel = new MessageChannel(survivor);
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<MessagePort> arrived = new LinkedBlockingQueue<>();
        carrier.port2().onmessage(e -> arrived.add(e.ports().get(0)));
        channel.port1().onclose(e -> events.add("close"));
        channel.port1().start();
        carrier.port1().postMessage("take port2", java.util.List.of(channel.port2()));
        MessagePort moved = next(arrived);
        assertSame(doomed, moved.owner());

        doomed.close();

        assertEquals("close", next(events));
        assertTrue(doomed.awaitTermination(Loops.TIMEOUT));
        assertFalse(moved.hasRef());
    }
}
