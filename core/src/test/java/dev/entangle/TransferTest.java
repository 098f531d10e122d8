package dev.entangle;

import static dev.entangle.Loops.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Transferring ports in a message's transfer list: the received port is a new object owned by the
 * receiving loop, and the port's queue moves with it (SPEC items 4 and 5). Mirrors web-platform-tests
 * webmessaging/message-channels (worker-post-after-close, close-event tests use the same shapes) and
 * webmessaging/with-ports/*, written against threads instead of windows.
 */
class TransferTest {
    private final Loops loops = new Loops();

    @AfterEach
    void closeLoops() throws InterruptedException {
        loops.close();
    }

    /** The received port is a new object, owned by the receiving loop, and talks to the far end. */
    @Test
    void receivedPortIsANewObjectAndMessagesFromItsFarEndReachIt() throws Exception {
        EventLoop a = loops.start("a");
        EventLoop b = loops.start("b");
        MessageChannel carrier = new MessageChannel(b);
        MessageChannel shipped = new MessageChannel(a);
        LinkedBlockingQueue<MessagePort> arrived = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<Object> atNewPort = new LinkedBlockingQueue<>();
        carrier.port2().onmessage(e -> {
            MessagePort port = e.ports().get(0);
            port.onmessage(m -> atNewPort.add(m.data() + "@" + Thread.currentThread().getName()));
            arrived.add(port);
        });

        carrier.port1().postMessage("here is a port", List.of(shipped.port2()));

        MessagePort received = next(arrived);
        assertNotSame(shipped.port2(), received);
        assertSame(b, received.owner());
        shipped.port1().postMessage("hello");
        assertEquals("hello@b", next(atNewPort));
    }

    /** A port that appears in data and in the transfer list arrives as the new port in data too. */
    @Test
    void portInDataArrivesAsTheNewPortObject() throws Exception {
        EventLoop loop = loops.start("data");
        MessageChannel carrier = new MessageChannel(loop);
        MessageChannel shipped = new MessageChannel(loop);
        LinkedBlockingQueue<MessageEvent> seen = new LinkedBlockingQueue<>();
        carrier.port2().onmessage(seen::add);

        carrier.port1().postMessage(shipped.port1(), List.of(shipped.port1()));

        MessageEvent e = next(seen);
        assertSame(e.ports().get(0), e.data());
        assertNotSame(shipped.port1(), e.data());
    }

    /**
     * Messages queued at a port when it is shipped, and those its far end posts while it travels, are
     * delivered at the new port, in order, exactly once. SPEC item 5.
     */
    @Test
    void queuedAndInFlightMessagesMoveWithThePort() throws Exception {
        EventLoop a = loops.start("a");
        EventLoop b = loops.start("b");
        MessageChannel carrier = new MessageChannel(b);
        MessageChannel shipped = new MessageChannel(a);
        shipped.port1().postMessage(1); // queued at port2 (not started) before shipping
        shipped.port1().postMessage(2);
        LinkedBlockingQueue<Object> atNewPort = new LinkedBlockingQueue<>();
        carrier.port2().onmessage(e -> {
            shipped.port1().postMessage(3); // posted while the port is in transit / just arrived
            e.ports().get(0).onmessage(m -> atNewPort.add(m.data()));
        });

        carrier.port1().postMessage("port", List.of(shipped.port2()));
        shipped.port1().postMessage(4);

        List<Object> got = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            got.add(next(atNewPort));
        }
        assertEquals(4, got.size());
        assertEquals(List.of(1, 2), got.subList(0, 2));
        assertEquals(List.of(3, 4), got.subList(2, 4).stream().sorted().toList(),
                "3 and 4 come from two threads; each arrives once after 1 and 2");
        shipped.port1().postMessage("sentinel");
        assertEquals("sentinel", next(atNewPort), "no copy of 1 to 4 is queued ahead of a later message");
        assertNull(Loops.pollSettled(atNewPort, a, b), "nor comes after it");
    }

    /** WPT-style: both ends transferred one after the other, messages 1, 2, 3 still in order. */
    @Test
    void bothEndsTransferredOneAfterTheOtherKeepOrder() throws Exception {
        EventLoop home = loops.start("home");
        EventLoop left = loops.start("left");
        EventLoop right = loops.start("right");
        MessageChannel toLeft = new MessageChannel(left);
        MessageChannel toRight = new MessageChannel(right);
        MessageChannel pair = new MessageChannel(home);
        LinkedBlockingQueue<MessagePort> leftGot = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<Object> rightReceived = new LinkedBlockingQueue<>();
        toLeft.port2().onmessage(e -> leftGot.add(e.ports().get(0)));
        toRight.port2().onmessage(e -> e.ports().get(0).onmessage(m -> rightReceived.add(m.data())));

        pair.port1().postMessage(1); // queued at port2 before either end moves
        toLeft.port1().postMessage("sender end", List.of(pair.port1()));
        MessagePort sender = next(leftGot);
        sender.postMessage(2); // queued at port2, now posted from the moved end
        toRight.port1().postMessage("receiver end", List.of(pair.port2()));
        sender.postMessage(3); // posted while port2 is in transit

        assertEquals(1, next(rightReceived));
        assertEquals(2, next(rightReceived));
        assertEquals(3, next(rightReceived));
    }

    /** A port transferred twice, with messages sent at each hop, delivers all in order. */
    @Test
    void portTransferredTwiceDeliversEveryMessageInOrder() throws Exception {
        EventLoop a = loops.start("a");
        EventLoop b = loops.start("b");
        EventLoop c = loops.start("c");
        MessageChannel toB = new MessageChannel(b);
        MessageChannel toC = new MessageChannel(c);
        MessageChannel pair = new MessageChannel(a);
        MessagePort sender = pair.port1();
        LinkedBlockingQueue<Object> atC = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<String> hops = new LinkedBlockingQueue<>();
        toB.port2().onmessage(e -> {
            MessagePort atB = e.ports().get(0);
            sender.postMessage("during hop 2"); // far end posts while the port is at b
            toC.port1().postMessage("forward", List.of(atB)); // b forwards it unstarted
            hops.add("b forwarded");
        });
        toC.port2().onmessage(e -> e.ports().get(0).onmessage(m -> atC.add(m.data())));

        sender.postMessage("before hop 1");
        toB.port1().postMessage("ship", List.of(pair.port2()));
        assertEquals("b forwarded", next(hops));
        sender.postMessage("after hop 2");

        assertEquals("before hop 1", next(atC));
        assertEquals("during hop 2", next(atC));
        assertEquals("after hop 2", next(atC));
    }

    /** Posting on a transferred-away port is a silent no-op (the old object is detached). */
    @Test
    void postingOnATransferredAwayPortIsSilentlyDropped() throws Exception {
        EventLoop loop = loops.start("detached");
        MessageChannel carrier = new MessageChannel(loop);
        MessageChannel shipped = new MessageChannel(loop);
        LinkedBlockingQueue<Object> atPort2 = new LinkedBlockingQueue<>();
        shipped.port2().onmessage(e -> atPort2.add(e.data()));
        LinkedBlockingQueue<MessagePort> arrived = new LinkedBlockingQueue<>();
        carrier.port2().onmessage(e -> arrived.add(e.ports().get(0)));

        carrier.port1().postMessage("port", List.of(shipped.port1()));
        MessagePort moved = next(arrived);
        shipped.port1().postMessage("from the detached object"); // no exception, no delivery
        moved.postMessage("from the new object");

        assertEquals("from the new object", next(atPort2));
        assertNull(Loops.pollSettled(atPort2, loop), "the detached object's message was dropped");
    }

    /** 100 ports transferred in one message each still talk to their own partner. */
    @Test
    void hundredPortsInOneMessageEachTalkToTheirOwnPartner() throws Exception {
        EventLoop a = loops.start("a");
        EventLoop b = loops.start("b");
        int n = 100;
        List<MessageChannel> channels = new ArrayList<>();
        List<MessagePort> shipped = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            MessageChannel ch = new MessageChannel(a);
            channels.add(ch);
            shipped.add(ch.port2());
        }
        MessageChannel carrier = new MessageChannel(b);
        LinkedBlockingQueue<String> echoes = new LinkedBlockingQueue<>();
        carrier.port2().onmessage(e -> {
            List<MessagePort> ports = e.ports();
            for (int i = 0; i < ports.size(); i++) {
                MessagePort p = ports.get(i);
                int index = i;
                p.onmessage(m -> p.postMessage(m.data() + "->" + index));
            }
        });
        for (int i = 0; i < n; i++) {
            int index = i;
            channels.get(i).port1().onmessage(m -> echoes.add(index + ":" + m.data()));
        }

        carrier.port1().postMessage("100 ports", shipped);
        for (int i = 0; i < n; i++) {
            channels.get(i).port1().postMessage(i);
        }

        List<String> got = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            got.add(next(echoes));
        }
        got.sort(null);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            expected.add(i + ":" + i + "->" + i);
        }
        expected.sort(null);
        assertEquals(expected, got);
    }

    /** Closing the far end while the port travels: the new port receives close on arrival. */
    @Test
    void farEndClosedWhileInTransitGivesCloseAtTheNewPort() throws Exception {
        EventLoop a = loops.start("a");
        EventLoop b = loops.start("b");
        MessageChannel carrier = new MessageChannel(b);
        MessageChannel shipped = new MessageChannel(a);
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        carrier.port2().onmessage(e -> {
            MessagePort p = e.ports().get(0);
            p.onclose(c -> events.add("close"));
            p.onmessage(m -> events.add("message:" + m.data()));
        });

        shipped.port1().postMessage("last words");
        shipped.port1().close();
        carrier.port1().postMessage("port", List.of(shipped.port2()));

        assertEquals("message:last words", next(events));
        assertEquals("close", next(events));
    }
}
