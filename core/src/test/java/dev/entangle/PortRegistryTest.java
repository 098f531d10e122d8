package dev.entangle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A loop's port registry (the ports a closing loop closes, {@code LoopCore.register}: a list through
 * the endpoints since issue 12's footprint work) and the claim order of transfers (identity hashes,
 * no per-port id).
 */
class PortRegistryTest {
    private final Loops loops = new Loops();

    @AfterEach
    void closeLoops() throws InterruptedException {
        loops.close();
    }

    private static CountDownLatch closeSeenAt(MessagePort port) {
        CountDownLatch closed = new CountDownLatch(1);
        port.addEventListener("close", e -> closed.countDown());
        return closed;
    }

    private static void await(CountDownLatch latch) throws InterruptedException {
        assertTrue(latch.await(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), "not within " + Loops.TIMEOUT);
    }

    @Test
    void registryFollowsBindingsThroughCloseTransferAndLoopClose() throws Exception {
        EventLoop a = loops.start("a");
        EventLoop b = loops.start("b");
        MessageChannel first = new MessageChannel(a);
        MessageChannel middle = new MessageChannel(a);
        MessageChannel last = new MessageChannel(a);
        assertEquals(6, a.core.portCount());

        // A node inside the list, then its peer (the far side's close, processed at a disabled queue).
        CountDownLatch peerClosed = closeSeenAt(middle.port2());
        middle.port1().close(); // unregistered at once; its peer once loop a processed the close
        await(peerClosed);
        assertEquals(4, a.core.portCount());

        // The oldest node (the list's tail) moves to loop b: unregistered here, registered there.
        MessageChannel carrier = new MessageChannel(b);
        carrier.port1().postMessage("move", List.of(first.port1()));
        assertEquals(3, a.core.portCount());
        MessagePort moved = carrier.port2().receiveMessage(Loops.TIMEOUT).ports().get(0);
        assertEquals(3, b.core.portCount()); // the carrier's two ports and the moved one
        CountDownLatch movedClosed = closeSeenAt(moved);
        moved.start();

        // Closing a closes the three left (both of `last`, first's port2), and so the moved port's peer.
        a.close();
        assertTrue(a.awaitTermination(Loops.TIMEOUT));
        await(movedClosed);
        assertEquals(0, a.core.portCount());
        assertEquals(2, b.core.portCount()); // the moved port let go once its peer closed
    }

    @Test
    void transfersOfTheSamePortsInOppositeOrdersNeverDeadlockAndOneWins() throws Exception {
        EventLoop a = loops.start("a");
        MessageChannel left = new MessageChannel(a);
        MessageChannel right = new MessageChannel(a);
        CyclicBarrier start = new CyclicBarrier(2);
        for (int round = 0; round < 300; round++) {
            MessagePort x = new MessageChannel(a).port1();
            MessagePort y = new MessageChannel(a).port1();
            AtomicInteger shipped = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            Thread[] shippers = {
                new Thread(() -> ship(start, left.port1(), List.of(x, y), shipped, refused)),
                new Thread(() -> ship(start, right.port1(), List.of(y, x), shipped, refused)),
            };
            for (Thread t : shippers) {
                t.start();
            }
            for (Thread t : shippers) {
                t.join(Loops.TIMEOUT.toMillis());
                assertFalse(t.isAlive(), "a transfer is stuck claiming its ports (round " + round + ")");
            }
            assertEquals(1, shipped.get(), "round " + round);
            assertEquals(1, refused.get(), "round " + round);
            // The winner's message was queued before its post returned; the loser's never was.
            MessageEvent viaLeft = left.port2().receiveMessage();
            MessageEvent viaRight = right.port2().receiveMessage();
            assertTrue(viaLeft == null ^ viaRight == null, "round " + round);
            MessageEvent arrived = viaLeft != null ? viaLeft : viaRight;
            assertEquals(2, arrived.ports().size());
            arrived.ports().forEach(MessagePort::close);
        }
    }

    private static void ship(CyclicBarrier start, MessagePort via, List<MessagePort> transfer,
            AtomicInteger shipped, AtomicInteger refused) {
        try {
            start.await(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            via.postMessage("ports", transfer);
            shipped.incrementAndGet();
        } catch (DOMException e) {
            if (e.name().equals("DataCloneError")) {
                refused.incrementAndGet();
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
