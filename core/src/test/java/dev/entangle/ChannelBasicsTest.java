package dev.entangle;

import static dev.entangle.Loops.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Channel basics: entanglement, the disabled-until-started port message queue, handler attributes, and
 * the properties of a received MessageEvent. Mirrors web-platform-tests webmessaging/message-channels
 * (basics.any.js, implied-start.any.js, no-start.any.js, user-activation and event-property checks).
 */
class ChannelBasicsTest {
    private final Loops loops = new Loops();

    @AfterEach
    void closeLoops() throws InterruptedException {
        loops.close();
    }

    /** WPT basics.any.js: a message posted on port1 arrives at port2. SPEC item 1. */
    @Test
    void messagePostedOnPort1ArrivesAtPort2() throws Exception {
        EventLoop loop = loops.start("basics");
        MessageChannel channel = new MessageChannel(loop);
        LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
        channel.port2().onmessage(e -> received.add(e.data()));

        channel.port1().postMessage("ping");

        assertEquals("ping", next(received));
        assertTrue(loops.errors.isEmpty());
    }

    /** The ports are the same objects on every read (IDL [SameObject]). */
    @Test
    void channelReturnsTheSamePortObjects() {
        EventLoop loop = loops.start("same");
        MessageChannel channel = new MessageChannel(loop);
        assertSame(channel.port1(), channel.port1());
        assertSame(channel.port2(), channel.port2());
        assertSame(loop, channel.port1().owner());
    }

    /** Messages go both ways. */
    @Test
    void messagesFlowInBothDirections() throws Exception {
        EventLoop loop = loops.start("both");
        MessageChannel channel = new MessageChannel(loop);
        LinkedBlockingQueue<Object> at1 = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<Object> at2 = new LinkedBlockingQueue<>();
        channel.port1().onmessage(e -> at1.add(e.data()));
        channel.port2().onmessage(e -> at2.add(e.data()));

        channel.port1().postMessage(1);
        channel.port2().postMessage(2);

        assertEquals(2, next(at1));
        assertEquals(1, next(at2));
    }

    /**
     * WPT no-start.any.js: addEventListener("message") alone does not enable the port message queue
     * (HTML §9.4.4: only start() and the onmessage setter do); the messages wait and arrive on start().
     */
    @Test
    void addEventListenerWithoutStartDeliversNothingUntilStart() throws Exception {
        EventLoop loop = loops.start("no-start");
        MessageChannel channel = new MessageChannel(loop);
        LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
        channel.port2().addEventListener("message", e -> received.add(((MessageEvent) e).data()));

        channel.port1().postMessage("first");
        channel.port1().postMessage("second");

        // A started port would have a drain queued on the loop by now; settling runs it.
        assertNull(Loops.pollSettled(received, loop), "nothing dispatched before start()");
        channel.port2().start();
        assertEquals("first", next(received));
        assertEquals("second", next(received));
    }

    /** WPT implied-start.any.js: setting onmessage enables the queue, as start() would. */
    @Test
    void settingOnmessageStartsThePort() throws Exception {
        EventLoop loop = loops.start("implied-start");
        MessageChannel channel = new MessageChannel(loop);
        channel.port1().postMessage("queued before the handler");
        LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();

        channel.port2().onmessage(e -> received.add(e.data()));

        assertEquals("queued before the handler", next(received));
    }

    /**
     * Replacing the onmessage handler keeps one listener: each message reaches exactly one handler,
     * and the new one from the swap on (HTML §8.1.8.1 event handler attributes).
     */
    @Test
    void swappingTheHandlerGivesNoDuplicate() throws Exception {
        EventLoop loop = loops.start("swap");
        MessageChannel channel = new MessageChannel(loop);
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        MessagePort port2 = channel.port2();
        EventHandler<MessageEvent> second = e -> received.add("second:" + e.data());
        port2.onmessage(e -> {
            received.add("first:" + e.data());
            port2.onmessage(second); // swap from inside the dispatch, on the loop
        });

        channel.port1().postMessage(1);
        channel.port1().postMessage(2);
        channel.port1().postMessage(3);

        assertEquals("first:1", next(received));
        assertEquals("second:2", next(received));
        assertEquals("second:3", next(received));
        assertNull(Loops.pollSettled(received, loop), "no message reached both handlers");
        assertSame(second, port2.onmessage());
    }

    /** The handler keeps its place among listeners when it is replaced (HTML §8.1.8.1). */
    @Test
    void handlerKeepsItsPlaceInListenerOrder() throws Exception {
        EventLoop loop = loops.start("order");
        MessageChannel channel = new MessageChannel(loop);
        LinkedBlockingQueue<String> calls = new LinkedBlockingQueue<>();
        MessagePort port2 = channel.port2();
        port2.addEventListener("message", e -> calls.add("listener-a"));
        port2.onmessage(e -> calls.add("handler-1"));
        port2.addEventListener("message", e -> calls.add("listener-b"));
        port2.onmessage(e -> calls.add("handler-2"));

        channel.port1().postMessage("x");

        List<String> order = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            order.add(next(calls));
        }
        assertEquals(List.of("listener-a", "handler-2", "listener-b"), order);
    }

    /**
     * The received event's properties (HTML §9.4.4 post message steps: "fire an event named message
     * ... using MessageEvent, with the data attribute initialized to ... and the ports attribute
     * initialized to newPorts"; origin, lastEventId, source keep their defaults; trusted, not bubbling,
     * not cancelable). SPEC item 4.
     */
    @Test
    void receivedEventHasTheStandardProperties() throws Exception {
        EventLoop loop = loops.start("props");
        MessageChannel channel = new MessageChannel(loop);
        LinkedBlockingQueue<Object[]> seen = new LinkedBlockingQueue<>();
        MessagePort port2 = channel.port2();
        port2.onmessage(e -> seen.add(new Object[] {
            e.type(), e.target(), e.currentTarget(), e.origin(), e.lastEventId(), e.source(),
            e.isTrusted(), e.bubbles(), e.cancelable(), e.ports(), e.data(),
            Thread.currentThread(), EventLoop.current()}));

        channel.port1().postMessage(42);

        Object[] p = next(seen);
        assertEquals("message", p[0]);
        assertSame(port2, p[1], "target is the receiving port");
        assertSame(port2, p[2], "currentTarget is the receiving port during dispatch");
        assertEquals("", p[3], "origin");
        assertEquals("", p[4], "lastEventId");
        assertNull(p[5], "source");
        assertEquals(true, p[6], "isTrusted");
        assertEquals(false, p[7], "bubbles");
        assertEquals(false, p[8], "cancelable");
        assertEquals(List.of(), p[9]);
        assertEquals(42, p[10]);
        assertEquals(loop.name(), ((Thread) p[11]).getName(), "dispatched on the owner loop thread");
        assertSame(loop, p[12]);
    }

    /** The ports attribute is a frozen array: the same unmodifiable list on every read. */
    @Test
    void portsListIsUnmodifiableAndTheSameInstanceOnEveryRead() throws Exception {
        EventLoop loop = loops.start("ports-list");
        MessageChannel channel = new MessageChannel(loop);
        MessageChannel carried = new MessageChannel(loop);
        LinkedBlockingQueue<MessageEvent> seen = new LinkedBlockingQueue<>();
        channel.port2().onmessage(seen::add);

        channel.port1().postMessage("with a port", List.of(carried.port1()));

        MessageEvent event = next(seen);
        List<MessagePort> first = event.ports();
        assertSame(first, event.ports());
        assertEquals(1, first.size());
        assertThrows(UnsupportedOperationException.class, () -> first.add(carried.port2()));
        assertThrows(UnsupportedOperationException.class, () -> first.remove(0));
    }

    /** SPEC item 2: messages from one sender are dispatched in posting order, one at a time. */
    @Test
    void messagesFromOneSenderArriveInOrder() throws Exception {
        EventLoop loop = loops.start("fifo");
        MessageChannel channel = new MessageChannel(loop);
        int count = 10_000;
        LinkedBlockingQueue<Integer> received = new LinkedBlockingQueue<>();
        channel.port2().onmessage(e -> received.add((Integer) e.data()));

        for (int i = 0; i < count; i++) {
            channel.port1().postMessage(i);
        }

        for (int i = 0; i < count; i++) {
            assertEquals(i, next(received));
        }
    }

    /** new MessageChannel() off any loop gives ports owned by the common loop; on a loop, that loop. */
    @Test
    void defaultOwnerIsTheCurrentLoopOrTheCommonLoop() throws Exception {
        assertSame(EventLoop.common(), new MessageChannel().port1().owner());
        EventLoop loop = loops.start("owner");
        MessagePort made = Loops.on(loop, () -> new MessageChannel().port2());
        assertSame(loop, made.owner());
        assertFalse(loop.inEventLoop());
        assertTrue(Loops.on(loop, loop::inEventLoop));
    }

    /** SPEC item 11: bad input gets a clear exception naming what is wrong. */
    @Test
    void nullArgumentsAreRejectedWithTheirName() {
        EventLoop loop = loops.start("nulls");
        MessageChannel channel = new MessageChannel(loop);
        MessagePort port = channel.port1();
        assertEquals("transfer", assertThrows(NullPointerException.class,
                () -> port.postMessage("x", (List<?>) null)).getMessage());
        assertEquals("owner", assertThrows(NullPointerException.class,
                () -> new MessageChannel(null)).getMessage());
        assertTrue(assertThrows(NullPointerException.class,
                () -> port.addEventListener(null, e -> { })).getMessage().contains("type"));
        assertTrue(assertThrows(NullPointerException.class,
                () -> port.addEventListener("message", null)).getMessage().contains("listener"));
    }

    /** A port whose owner loop is closed cannot be created (InvalidStateError). */
    @Test
    void channelOnAClosedLoopIsAnInvalidStateError() throws Exception {
        EventLoop loop = loops.start("closed");
        loop.close();
        assertTrue(loop.awaitTermination(Loops.TIMEOUT));
        DOMException e = assertThrows(DOMException.class, () -> new MessageChannel(loop));
        assertEquals("InvalidStateError", e.name());
    }
}
