package dev.entangle;

import static dev.entangle.Loops.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Bounded channels and queuedMessageCount() (beyond the standard, whose port message queues are
 * unbounded; see MessageChannel.bounded for the contract these tests pin down).
 */
class BoundedChannelTest {
    private final Loops loops = new Loops();

    @AfterEach
    void closeLoops() throws InterruptedException {
        loops.close();
    }

    /** A full port: postMessage throws QuotaExceededError (code 22), queues nothing, loses nothing. */
    @Test
    void postMessageOnAFullPortThrowsQuotaExceededErrorAndLosesNothing() {
        EventLoop loop = loops.start("bounded-full");
        MessageChannel channel = MessageChannel.bounded(loop, 2);
        MessagePort sender = channel.port1();
        MessagePort receiver = channel.port2();
        sender.postMessage("a");
        sender.postMessage("b");

        DOMException full = assertThrows(DOMException.class, () -> sender.postMessage("c"));

        assertEquals("QuotaExceededError", full.name());
        assertEquals(22, full.code());
        assertTrue(full.getMessage().contains("capacity 2"), full.getMessage());
        assertEquals(2, receiver.queuedMessageCount());
        assertEquals("a", receiver.receiveMessage().data());
        sender.postMessage("c"); // the slot "a" left is free again
        assertEquals("b", receiver.receiveMessage().data());
        assertEquals("c", receiver.receiveMessage().data());
        assertNull(receiver.receiveMessage());
        assertEquals(0, receiver.queuedMessageCount());
    }

    /** offerMessage returns false on a full port, true otherwise; each direction has its own queue. */
    @Test
    void offerMessageReturnsFalseWhenFullAndEachDirectionCountsApart() {
        EventLoop loop = loops.start("bounded-offer");
        MessageChannel channel = MessageChannel.bounded(loop, 1);

        assertTrue(channel.port1().offerMessage("to port2"));
        assertFalse(channel.port1().offerMessage("refused"));
        assertTrue(channel.port2().offerMessage("to port1"));

        assertEquals(1, channel.port2().queuedMessageCount());
        assertEquals(1, channel.port1().queuedMessageCount());
        assertEquals("to port2", channel.port2().receiveMessage().data());
        assertNull(channel.port2().receiveMessage(), "the refused message was not queued");
        assertEquals("to port1", channel.port1().receiveMessage().data());
    }

    /**
     * Starts a thread in offerMessage(data, timeout) on {@code port} and returns once that thread sleeps
     * on the port's condition: it has found the port full and waits for a slot.
     */
    private static CompletableFuture<Boolean> offerInAThread(MessagePort port, Object data, Duration timeout) {
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                result.complete(port.offerMessage(data, timeout));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, "offerer");
        t.setDaemon(true);
        t.start();
        Loops.awaitParked(t, "java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject",
                "dev.entangle.internal.PortWaiters");
        return result;
    }

    /** The timed offer waits while full and returns true as soon as a slot frees. */
    @Test
    void timedOfferWaitsForAFreeSlot() throws Exception {
        EventLoop loop = loops.start("bounded-wait");
        MessageChannel channel = MessageChannel.bounded(loop, 1);
        channel.port1().postMessage("first");
        CompletableFuture<Boolean> offered = offerInAThread(channel.port1(), "second", Loops.TIMEOUT);
        assertFalse(offered.isDone(), "the offer sleeps while the port is full");

        assertEquals("first", channel.port2().receiveMessage().data());

        assertTrue(offered.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        assertEquals("second", channel.port2().receiveMessage().data());
    }

    /** The timed offer gives up after its timeout (and well before a generous bound). */
    @Test
    void timedOfferReturnsFalseOnTimeout() throws Exception {
        EventLoop loop = loops.start("bounded-timeout");
        MessageChannel channel = MessageChannel.bounded(loop, 1);
        channel.port1().postMessage("fills it");

        long start = System.nanoTime();
        boolean offered = channel.port1().offerMessage("too many", Duration.ofMillis(100));
        long elapsed = System.nanoTime() - start;

        assertFalse(offered);
        assertTrue(elapsed >= TimeUnit.MILLISECONDS.toNanos(100), "returned early: " + elapsed);
        assertTrue(elapsed < TimeUnit.SECONDS.toNanos(5), "returned late: " + elapsed);
        assertEquals(1, channel.port2().queuedMessageCount());
    }

    /** A timed offer blocked on a full port returns when the receiving port closes (message dropped). */
    @Test
    void timedOfferReturnsWhenTheReceivingPortCloses() throws Exception {
        EventLoop loop = loops.start("bounded-close-wakes");
        MessageChannel channel = MessageChannel.bounded(loop, 1);
        channel.port1().postMessage("fills it");
        CompletableFuture<Boolean> offered = offerInAThread(channel.port1(), "dropped", Duration.ofMinutes(5));
        assertFalse(offered.isDone(), "the offer sleeps while the port is full");

        channel.port2().close();

        assertTrue(offered.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** Blocking an event loop is refused: InvalidStateError, nothing posted. */
    @Test
    void timedOfferOnAnEventLoopThreadIsInvalidStateError() throws Exception {
        EventLoop loop = loops.start("bounded-on-loop");
        MessageChannel channel = MessageChannel.bounded(loop, 1);

        String name = Loops.on(loop, () -> assertThrows(DOMException.class,
                () -> channel.port1().offerMessage("x", Duration.ofSeconds(1))).name());

        assertEquals("InvalidStateError", name);
        assertEquals(0, channel.port2().queuedMessageCount());
    }

    /** A port keeps its capacity and its queue when it is transferred, also while in transit. */
    @Test
    void transferredPortKeepsItsCapacity() throws Exception {
        EventLoop home = loops.start("bounded-home");
        EventLoop away = loops.start("bounded-away");
        MessageChannel channel = MessageChannel.bounded(home, 1);
        MessageChannel carrier = new MessageChannel(away);
        channel.port1().postMessage("queued before the move");

        carrier.port1().postMessage("take this", List.of(channel.port2()));
        DOMException inTransit = assertThrows(DOMException.class, () -> channel.port1().postMessage("x"));
        MessagePort moved = carrier.port2().receiveMessage().ports().get(0);

        assertEquals("QuotaExceededError", inTransit.name());
        assertEquals(away, moved.owner());
        assertEquals(1, moved.queuedMessageCount());
        assertFalse(channel.port1().offerMessage("still full at the new owner"));
        assertEquals("queued before the move", moved.receiveMessage().data());
        assertTrue(channel.port1().offerMessage("now there is room"));
        assertFalse(channel.port1().offerMessage("full again"));
        assertEquals("now there is room", moved.receiveMessage().data());
    }

    /** close() on either side of a full channel never fails; the close event still arrives, last. */
    @Test
    void closeIsNeverRefusedByAFullPort() throws Exception {
        EventLoop loop = loops.start("bounded-close");
        MessageChannel channel = MessageChannel.bounded(loop, 1);
        channel.port1().postMessage("only slot");
        channel.port2().postMessage("other direction");
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        channel.port2().onclose(e -> events.add("close"));

        channel.port1().close(); // port2's queue is full: the close marker must still get in

        channel.port2().onmessage(e -> events.add("message " + e.data()));
        assertEquals("message only slot", next(events));
        assertEquals("close", next(events));
        assertNull(Loops.pollSettled(events, loop), "nothing after the close event");
        channel.port2().postMessage("to a closed port: dropped silently, not refused");
    }

    /** A full port refuses a message with a transfer list before anything is detached. */
    @Test
    void fullPortRefusesATransferListAndDetachesNothing() throws Exception {
        EventLoop loop = loops.start("bounded-transfer");
        MessageChannel channel = MessageChannel.bounded(loop, 1);
        MessageChannel cargo = new MessageChannel(loop);
        channel.port1().postMessage("fills it");

        DOMException full = assertThrows(DOMException.class,
                () -> channel.port1().postMessage("with a port", List.of(cargo.port1())));

        assertEquals("QuotaExceededError", full.name());
        cargo.port1().postMessage("cargo port still attached");
        assertEquals("cargo port still attached", cargo.port2().receiveMessage().data());
        assertEquals("fills it", channel.port2().receiveMessage().data());
        channel.port1().postMessage("with a port", List.of(cargo.port1())); // room now: detached
        MessageEvent event = channel.port2().receiveMessage();
        assertEquals("with a port", event.data());
        assertEquals(1, event.ports().size());
        assertEquals(0, channel.port2().queuedMessageCount());
        assertTrue(channel.port1().offerMessage("x"), "the transfer's reservation was given back");
        assertFalse(channel.port1().offerMessage("y"), "... exactly once: capacity 1");
    }

    /** A producer throttled by a started port: each message delivered once, in order, within capacity. */
    @Test
    void throttledProducerDeliversEverythingInOrderWithinCapacity() throws Exception {
        int capacity = 8;
        int count = 20_000;
        EventLoop loop = loops.start("bounded-stream");
        MessageChannel channel = MessageChannel.bounded(loop, capacity);
        List<Integer> received = new ArrayList<>(); // confined to the loop until `done`
        AtomicInteger maxQueued = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(1);
        channel.port2().onmessage(e -> {
            received.add((Integer) e.data());
            maxQueued.accumulateAndGet(channel.port2().queuedMessageCount(), Math::max);
            if (received.size() == count) {
                done.countDown();
            }
        });

        int refusals = 0;
        for (int i = 0; i < count; i++) {
            while (!channel.port1().offerMessage(i, Loops.TIMEOUT)) {
                refusals++;
            }
        }

        assertTrue(done.await(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        assertEquals(0, refusals, "a timed offer never timed out");
        for (int i = 0; i < count; i++) {
            assertEquals(i, received.get(i));
        }
        assertTrue(maxQueued.get() <= capacity, "queued " + maxQueued.get());
    }

    /** Several producers on a tiny queue: nothing lost, nothing duplicated. */
    @Test
    void concurrentProducersOnATinyQueueLoseNothing() throws Exception {
        int perProducer = 5_000;
        EventLoop loop = loops.start("bounded-mpsc");
        MessageChannel channel = MessageChannel.bounded(loop, 2);
        LinkedBlockingQueue<Integer> received = new LinkedBlockingQueue<>();
        channel.port2().onmessage(e -> received.add((Integer) e.data()));
        List<Thread> producers = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            int base = p * perProducer;
            Thread t = new Thread(() -> {
                for (int i = 0; i < perProducer; i++) {
                    while (!channel.port1().offerMessage(base + i)) {
                        Thread.yield(); // full: retry (the fail-fast variant); yield, not spin: 3 producers share 2 cores with the loop
                    }
                }
            });
            producers.add(t);
            t.start();
        }
        // Read while the producers run: next() fails only when no message arrives for Loops.TIMEOUT,
        // so the check is one of progress (a lost wake-up stalls it), not of total time, which grows
        // with the machine's load (1.5-8.8 s measured for the 15,000 hand-offs at load 19).
        boolean[] seen = new boolean[3 * perProducer];
        for (int i = 0; i < seen.length; i++) {
            int m = next(received);
            assertFalse(seen[m], "duplicate " + m);
            seen[m] = true;
        }
        for (Thread t : producers) {
            t.join(Loops.TIMEOUT.toMillis()); // every message it offered has arrived: it is past its loop
            assertFalse(t.isAlive(), "a producer is stuck");
        }
        assertNull(Loops.pollSettled(received, loop), "nothing beyond the 3 x " + perProducer + " messages");
    }

    /** queuedMessageCount on an unbounded channel: messages only, never the close marker; 0 when gone. */
    @Test
    void queuedMessageCountCountsMessagesOnly() throws Exception {
        EventLoop loop = loops.start("count");
        MessageChannel channel = new MessageChannel(loop);
        MessageChannel carrier = new MessageChannel(loop);
        assertEquals(0, channel.port2().queuedMessageCount());
        channel.port1().postMessage(1);
        channel.port1().postMessage(2);
        channel.port1().postMessage(3);
        assertEquals(3, channel.port2().queuedMessageCount());
        assertEquals(0, channel.port1().queuedMessageCount());

        channel.port2().receiveMessage();
        channel.port1().close();
        assertEquals(2, channel.port2().queuedMessageCount(), "the close marker is not a message");

        carrier.port1().postMessage("move", List.of(channel.port2()));
        assertEquals(0, channel.port2().queuedMessageCount(), "transferred away");
        MessagePort moved = carrier.port2().receiveMessage().ports().get(0);
        assertEquals(2, moved.queuedMessageCount());
        moved.close();
        assertEquals(0, moved.queuedMessageCount(), "closed");
    }

    @Test
    void capacityMustBePositive() {
        EventLoop loop = loops.start("bad-capacity");
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> MessageChannel.bounded(loop, 0));
        assertTrue(zero.getMessage().contains("0"));
        assertThrows(IllegalArgumentException.class, () -> MessageChannel.bounded(-1));
        assertThrows(NullPointerException.class, () -> MessageChannel.bounded(null, 1));
    }

    /** An unbounded channel never refuses: offerMessage is always true. */
    @Test
    void unboundedChannelNeverRefuses() throws Exception {
        EventLoop loop = loops.start("unbounded");
        MessageChannel channel = new MessageChannel(loop);
        for (int i = 0; i < 10_000; i++) {
            assertTrue(channel.port1().offerMessage(i));
        }
        assertTrue(channel.port1().offerMessage("timed", Duration.ofMillis(1)));
        assertEquals(10_001, channel.port2().queuedMessageCount());
    }

    /** Two senders racing for the last slot, 2,000 times: exactly one wins, the count is 1. */
    @Test
    void twoSendersRacingForTheLastSlotExactlyOneWins() throws Exception {
        EventLoop loop = loops.start("last-slot");
        ExecutorService racers = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < 2_000; i++) {
                MessageChannel channel = MessageChannel.bounded(loop, 1);
                CyclicBarrier start = new CyclicBarrier(2);
                Future<Boolean> first = racers.submit(() -> {
                    start.await();
                    return channel.port1().offerMessage(1);
                });
                Future<Boolean> second = racers.submit(() -> {
                    start.await();
                    return channel.port1().offerMessage(2);
                });
                boolean a = first.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                boolean b = second.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                assertTrue(a ^ b, "both or neither accepted at iteration " + i);
                assertEquals(1, channel.port2().queuedMessageCount());
                assertEquals(a ? 1 : 2, channel.port2().receiveMessage().data());
                channel.port1().close();
            }
        } finally {
            racers.shutdownNow();
        }
    }
}
