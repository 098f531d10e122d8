package dev.entangle;

import static dev.entangle.Loops.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The far end of every closed port gets exactly one {@code close} event, whether its messages are
 * dispatched or taken with {@code receiveMessage()} (SPEC item 6; HTML §9.4.4 "disentangle": fire
 * close at the other port; Node fires it even on a port whose queue was never enabled, once no
 * message is ahead of it). Before the fix, taking the last message ahead of the close with
 * {@code receiveMessage()} left the close waiting for a second receive nobody made. Each test proves
 * "exactly one" by a sentinel task queued on the loop after the close event must have fired.
 */
class PolledCloseTest {
    private final Loops loops = new Loops();

    @AfterEach
    void closeLoops() throws InterruptedException {
        loops.close();
    }

    @Test
    void anUnstartedPortGetsCloseAfterItsLastMessageIsReceived() throws Exception {
        EventLoop loop = loops.start("polled");
        MessageChannel channel = new MessageChannel(loop);
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        channel.port2().onclose(e -> events.add("close")); // onclose does not start the port
        channel.port1().postMessage("last");
        channel.port1().close();
        Loops.on(loop, () -> null); // the loop has looked at the queue: a message is ahead of close

        assertEquals("last", channel.port2().receiveMessage().data());
        assertEquals("close", next(events));
        Loops.on(loop, () -> events.add("sentinel"));
        assertEquals("sentinel", next(events)); // exactly one close
        assertNull(channel.port2().receiveMessage());
    }

    @Test
    void anUnstartedPortGetsCloseAfterATimedReceiveOffTheLoop() throws Exception {
        EventLoop loop = loops.start("timed");
        MessageChannel channel = new MessageChannel(loop);
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        channel.port2().onclose(e -> events.add("close"));
        channel.port1().postMessage(1);
        channel.port1().postMessage(2);
        channel.port1().close();
        Loops.on(loop, () -> null);

        assertEquals(1, channel.port2().receiveMessage(Duration.ofSeconds(10)).data());
        assertEquals(2, channel.port2().receiveMessage(Duration.ofSeconds(10)).data());
        assertEquals("close", next(events));
        Loops.on(loop, () -> events.add("sentinel"));
        assertEquals("sentinel", next(events));
    }

    /**
     * A port that arrived in a message taken with receiveMessage(), whose partner posted and then
     * closed while it was in transit: its message is taken off the loop (the test thread), then close.
     * The port is taken and given its listener in one task of its loop: from another thread the close
     * could fire before the listener is there (Node has one thread, entangle cannot promise that).
     */
    @Test
    void aPortReceivedOffTheLoopGetsCloseFromAPartnerThatClosedInTransit() throws Exception {
        EventLoop loop = loops.start("owner");
        EventLoop far = loops.start("far");
        MessageChannel carrier = new MessageChannel(loop);
        MessageChannel travelling = new MessageChannel(far);
        travelling.port1().postMessage("posted in transit");
        carrier.port1().postMessage("here", List.of(travelling.port2()));
        travelling.port1().close(); // while port2 travels inside the queued message

        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        MessagePort port = receivedWithCloseListener(loop, carrier.port2(), events);
        Loops.on(loop, () -> null);

        assertEquals("posted in transit", port.receiveMessage().data());
        assertEquals("close", next(events));
        Loops.on(loop, () -> events.add("sentinel"));
        assertEquals("sentinel", next(events));
    }

    /** Same, with nothing queued ahead of the close. */
    @Test
    void aPortReceivedOffTheLoopWithNothingQueuedGetsClose() throws Exception {
        EventLoop loop = loops.start("owner");
        EventLoop far = loops.start("far");
        MessageChannel carrier = new MessageChannel(loop);
        MessageChannel travelling = new MessageChannel(far);
        carrier.port1().postMessage("here", List.of(travelling.port2()));
        travelling.port1().close();

        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        receivedWithCloseListener(loop, carrier.port2(), events);
        assertEquals("close", next(events));
        Loops.on(loop, () -> events.add("sentinel"));
        assertEquals("sentinel", next(events));
    }

    /** Takes the message queued at {@code carrier} on its loop and listens for close at its port. */
    private static MessagePort receivedWithCloseListener(EventLoop loop, MessagePort carrier,
            LinkedBlockingQueue<String> events) throws Exception {
        return Loops.on(loop, () -> {
            MessagePort port = carrier.receiveMessage().ports().get(0);
            port.onclose(e -> events.add("close"));
            return port;
        });
    }
}
