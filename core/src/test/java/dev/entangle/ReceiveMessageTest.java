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
 * Synchronous receive: Node's {@code receiveMessageOnPort} (test/parallel/test-worker-message-port-receive-
 * message.js: FIFO, no 'message' event, undefined when empty) and its blocking variant with a timeout,
 * including the races with close, transfer, a second receiver, interrupts and the owner loop's drain.
 */
class ReceiveMessageTest {
    private final Loops loops = new Loops();

    @AfterEach
    void closeLoops() throws InterruptedException {
        loops.close();
    }

    @Test
    void receiveMessageTakesQueuedMessagesInOrderWithoutDispatch() {
        EventLoop loop = loops.start("sync");
        MessageChannel channel = new MessageChannel(loop);
        channel.port1().postMessage("a");
        channel.port1().postMessage("b");

        MessageEvent first = channel.port2().receiveMessage();
        MessageEvent second = channel.port2().receiveMessage();

        assertEquals("a", first.data());
        assertEquals("message", first.type());
        assertNull(first.target(), "not dispatched");
        assertEquals("b", second.data());
        assertNull(channel.port2().receiveMessage());
    }

    @Test
    void receiveMessageCarriesTransferredPorts() throws Exception {
        EventLoop loop = loops.start("sync-ports");
        MessageChannel channel = new MessageChannel(loop);
        MessageChannel shipped = new MessageChannel(loop);
        channel.port1().postMessage("port", List.of(shipped.port1()));

        MessageEvent event = channel.port2().receiveMessage();

        MessagePort moved = event.ports().get(0);
        moved.postMessage("through the moved port");
        assertEquals("through the moved port", shipped.port2().receiveMessage().data());
    }

    @Test
    void timedReceiveReturnsNullOnTimeoutAndTheMessageWhenOneComes() throws Exception {
        EventLoop loop = loops.start("timed");
        MessageChannel channel = new MessageChannel(loop);

        long start = System.nanoTime();
        assertNull(channel.port2().receiveMessage(Duration.ofMillis(100)));
        long elapsed = System.nanoTime() - start;
        assertTrue(elapsed >= TimeUnit.MILLISECONDS.toNanos(100), "returned early: " + elapsed);
        assertTrue(elapsed < TimeUnit.SECONDS.toNanos(5), "returned late: " + elapsed);

        CompletableFuture<MessageEvent> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return channel.port2().receiveMessage(Loops.TIMEOUT);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        loop.execute(() -> channel.port1().postMessage("reply"));
        assertEquals("reply", waiting.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).data());
    }

    @Test
    void timedReceiveReturnsAtOnceWhenNoMessageCanCome() throws Exception {
        EventLoop loop = loops.start("hopeless");
        MessageChannel channel = new MessageChannel(loop);
        channel.port1().close();
        CompletableFuture<MessageEvent> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return channel.port2().receiveMessage(Duration.ofMinutes(5));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertNull(waiting.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    }

    @Test
    void timedReceiveOnTheOwnerLoopIsRefused() throws Exception {
        EventLoop loop = loops.start("own-loop");
        MessageChannel channel = new MessageChannel(loop);
        String name = Loops.on(loop, () -> assertThrows(DOMException.class,
                () -> channel.port2().receiveMessage(Duration.ofSeconds(1))).name());
        assertEquals("InvalidStateError", name);
    }

    /** Another loop's thread may not block either: a loop never waits (two would deadlock). */
    @Test
    void timedReceiveOnAnotherLoopIsRefused() throws Exception {
        EventLoop owner = loops.start("owner");
        EventLoop other = loops.start("other");
        MessageChannel channel = new MessageChannel(owner);
        channel.port1().postMessage("still queued");
        String name = Loops.on(other, () -> assertThrows(DOMException.class,
                () -> channel.port2().receiveMessage(Duration.ofSeconds(1))).name());
        assertEquals("InvalidStateError", name);
        assertEquals("still queued", channel.port2().receiveMessage().data(), "nothing was taken");
    }

    /** Where a receiver sleeps: on the port's condition (not while queuing for its lock). */
    private static final String CONDITION = "java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject";
    private static final String WAITERS = "dev.entangle.internal.PortWaiters";

    /** A thread in receiveMessage(timeout) and what that call returns or throws. */
    private record Receiver(Thread thread, CompletableFuture<MessageEvent> result) { }

    /** Starts a thread in receiveMessage(timeout) on {@code port}. */
    private static Receiver receiveInAThread(MessagePort port, Duration timeout) {
        CompletableFuture<MessageEvent> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                result.complete(port.receiveMessage(timeout));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, "receiver");
        t.setDaemon(true);
        t.start();
        return new Receiver(t, result);
    }

    /**
     * Starts a thread in receiveMessage(timeout) on {@code port} and returns once that thread sleeps on
     * the port's condition: it has looked, found nothing, and waits.
     */
    private static CompletableFuture<MessageEvent> waitOn(MessagePort port, Duration timeout) {
        Receiver receiver = receiveInAThread(port, timeout);
        Loops.awaitParked(receiver.thread(), CONDITION, WAITERS);
        return receiver.result();
    }

    private static <T> T within(CompletableFuture<T> future) throws Exception {
        return future.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The receiver, seen asleep in the port's wait by waitOn, has not returned. */
    private static void stillWaiting(CompletableFuture<?> future) {
        assertFalse(future.isDone(), () -> "returned while it should wait: " + future);
    }

    /** The message is returned as soon as it comes, not at the timeout. */
    @Test
    void blockedReceiverGetsTheMessageAsSoonAsItIsPosted() throws Exception {
        EventLoop loop = loops.start("prompt");
        MessageChannel channel = new MessageChannel(loop);
        CompletableFuture<MessageEvent> waiting = waitOn(channel.port2(), Duration.ofMinutes(5));
        stillWaiting(waiting);

        long posted = System.nanoTime();
        channel.port1().postMessage("now");
        MessageEvent event = within(waiting);

        assertEquals("now", event.data());
        assertTrue(System.nanoTime() - posted < TimeUnit.SECONDS.toNanos(5), "not promptly");
    }

    /** A receiver blocked on a port that another thread closes returns null at once. */
    @Test
    void blockedReceiverReturnsNullWhenItsPortIsClosed() throws Exception {
        EventLoop loop = loops.start("closed-under");
        MessageChannel channel = new MessageChannel(loop);
        CompletableFuture<MessageEvent> waiting = waitOn(channel.port2(), Duration.ofMinutes(5));
        stillWaiting(waiting);

        channel.port2().close();

        assertNull(within(waiting));
    }

    /** The far side closes: queued messages first, then null at once (nothing can come any more). */
    @Test
    void blockedReceiverDrainsThenReturnsNullWhenThePeerCloses() throws Exception {
        EventLoop loop = loops.start("peer-closes");
        MessageChannel channel = new MessageChannel(loop);
        CompletableFuture<MessageEvent> waiting = waitOn(channel.port2(), Duration.ofMinutes(5));
        stillWaiting(waiting);

        channel.port1().postMessage("last words");
        channel.port1().close();

        assertEquals("last words", within(waiting).data());
        assertNull(within(receiveInAThread(channel.port2(), Duration.ofMinutes(5)).result()), "at once");
    }

    /** A port transferred away while a thread waits on it: null at once; the message goes to the new port. */
    @Test
    void blockedReceiverReturnsNullWhenItsPortIsTransferredAway() throws Exception {
        EventLoop loop = loops.start("moved-under");
        MessageChannel channel = new MessageChannel(loop);
        MessageChannel carrier = new MessageChannel(loop);
        CompletableFuture<MessageEvent> waiting = waitOn(channel.port2(), Duration.ofMinutes(5));
        stillWaiting(waiting);

        carrier.port1().postMessage("move", List.of(channel.port2()));

        assertNull(within(waiting));
        channel.port1().postMessage("for the new port");
        MessagePort moved = carrier.port2().receiveMessage().ports().get(0);
        assertEquals("for the new port", moved.receiveMessage(Loops.TIMEOUT).data());
        assertNull(channel.port2().receiveMessage(Duration.ofMillis(1)), "the old object is detached");
    }

    /** Two blocked receivers both sleep; two messages wake them, one message each. */
    @Test
    void twoBlockedReceiversEachTakeOneMessage() throws Exception {
        EventLoop loop = loops.start("two-waiters");
        MessageChannel channel = new MessageChannel(loop);
        CompletableFuture<MessageEvent> first = waitOn(channel.port2(), Duration.ofMinutes(5));
        CompletableFuture<MessageEvent> second = waitOn(channel.port2(), Duration.ofMinutes(5));
        stillWaiting(first);
        stillWaiting(second);

        channel.port1().postMessage("x");
        channel.port1().postMessage("y");

        List<Object> got = new ArrayList<>(List.of(within(first).data(), within(second).data()));
        got.sort(null);
        assertEquals(List.of("x", "y"), got);
        assertNull(channel.port2().receiveMessage());
    }

    /**
     * Receivers racing for one port's queue, two blocked in {@code receiveMessage(Duration)} and two
     * spinning on {@code receiveMessage()}, while a sender posts: every message is taken exactly once,
     * each receiver sees the sender's order, and once the sender's port closes the blocked receivers
     * return null. A receive that finds another one holding the queue waits for it (it holds it for
     * one poll and signals nobody: PortEndpoint.releaseHeld); a wait that missed that release would
     * end in a timeout and a missing message.
     */
    @Test
    void racingReceiversTakeEveryMessageOnceInTheSendersOrder() throws Exception {
        EventLoop loop = loops.start("racing-receivers");
        MessageChannel channel = new MessageChannel(loop);
        int messages = 20_000;
        int receivers = 4;
        ExecutorService pool = Executors.newFixedThreadPool(receivers);
        try {
            List<Future<List<Integer>>> taken = new ArrayList<>();
            for (int r = 0; r < receivers; r++) {
                boolean blocking = r % 2 == 0;
                taken.add(pool.submit(() -> {
                    List<Integer> mine = new ArrayList<>();
                    while (true) {
                        MessageEvent e = blocking ? channel.port2().receiveMessage(Loops.TIMEOUT)
                                : channel.port2().receiveMessage();
                        if (e != null && e.data() == null) {
                            return mine; // the end marker; each receiver gets one
                        }
                        if (e != null) {
                            mine.add((Integer) e.data());
                        } else if (blocking) {
                            throw new AssertionError("a blocked receive timed out after " + mine.size());
                        } else {
                            Thread.onSpinWait();
                        }
                    }
                }));
            }
            for (int i = 0; i < messages; i++) {
                channel.port1().postMessage(i);
            }
            for (int r = 0; r < receivers; r++) {
                channel.port1().postMessage(null);
            }
            boolean[] seen = new boolean[messages];
            int total = 0;
            for (Future<List<Integer>> f : taken) {
                List<Integer> mine = f.get(1, TimeUnit.MINUTES);
                for (int k = 1; k < mine.size(); k++) {
                    assertTrue(mine.get(k - 1) < mine.get(k), "each receiver sees the sender's order");
                }
                for (int m : mine) {
                    assertFalse(seen[m], "message " + m + " taken twice");
                    seen[m] = true;
                }
                total += mine.size();
            }
            assertEquals(messages, total, "every message taken");
            channel.port1().close();
            assertNull(channel.port2().receiveMessage(Loops.TIMEOUT), "nothing can come any more");
        } finally {
            pool.shutdownNow();
        }
    }

    /** Interrupt while waiting: InterruptedException, status cleared, no message taken. */
    @Test
    void interruptWhileWaitingThrowsAndTakesNothing() throws Exception {
        EventLoop loop = loops.start("interrupt");
        MessageChannel channel = new MessageChannel(loop);
        CompletableFuture<String> outcome = new CompletableFuture<>();
        CountDownLatch aboutToWait = new CountDownLatch(1);
        Thread receiver = new Thread(() -> {
            aboutToWait.countDown();
            try {
                outcome.complete("returned " + channel.port2().receiveMessage(Duration.ofMinutes(5)));
            } catch (InterruptedException e) {
                outcome.complete("interrupted, flag " + Thread.currentThread().isInterrupted());
            }
        });
        receiver.start();
        aboutToWait.await();
        Loops.awaitParked(receiver, CONDITION, WAITERS);
        stillWaiting(outcome);

        receiver.interrupt();

        assertEquals("interrupted, flag false", within(outcome));
        channel.port1().postMessage("kept");
        assertEquals("kept", channel.port2().receiveMessage().data());
    }

    /** Interrupted on entry: throws even though a message is queued (java.util.concurrent convention). */
    @Test
    void interruptedOnEntryThrowsAndLeavesTheMessageQueued() throws Exception {
        EventLoop loop = loops.start("interrupted-entry");
        MessageChannel channel = new MessageChannel(loop);
        channel.port1().postMessage("kept");

        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> channel.port2().receiveMessage(Loops.TIMEOUT));

        assertFalse(Thread.currentThread().isInterrupted());
        assertEquals("kept", channel.port2().receiveMessage().data());
    }

    /** A zero timeout is a plain receiveMessage(); a huge one does not overflow. */
    @Test
    void zeroAndHugeTimeouts() throws Exception {
        EventLoop loop = loops.start("timeouts");
        MessageChannel channel = new MessageChannel(loop);
        assertNull(channel.port2().receiveMessage(Duration.ZERO));
        assertNull(channel.port2().receiveMessage(Duration.ofMillis(-5)));
        channel.port1().postMessage("a");
        assertEquals("a", channel.port2().receiveMessage(Duration.ZERO).data());

        CompletableFuture<MessageEvent> forever = waitOn(channel.port2(), Duration.ofSeconds(Long.MAX_VALUE));
        stillWaiting(forever);
        channel.port1().postMessage("b");
        assertEquals("b", within(forever).data());
    }

    /** Receivers racing the loop's drain of a started port: every message exactly once, each in order. */
    @Test
    void receiveRacingTheDrainOfAStartedPortTakesEachMessageOnce() throws Exception {
        int count = 10_000;
        EventLoop loop = loops.start("race");
        MessageChannel channel = new MessageChannel(loop);
        List<Integer> dispatched = new ArrayList<>(); // confined to the loop until `done`
        AtomicInteger total = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(1);
        channel.port2().onmessage(e -> {
            dispatched.add((Integer) e.data());
            if (total.incrementAndGet() == count) {
                done.countDown();
            }
        });
        List<List<Integer>> taken = new ArrayList<>();
        List<Thread> receivers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            List<Integer> mine = new ArrayList<>();
            taken.add(mine);
            Thread t = new Thread(() -> {
                while (total.get() < count) {
                    MessageEvent e = channel.port2().receiveMessage();
                    if (e != null) {
                        mine.add((Integer) e.data());
                        if (total.incrementAndGet() == count) {
                            done.countDown();
                        }
                    }
                }
            });
            receivers.add(t);
            t.start();
        }

        for (int i = 0; i < count; i++) {
            channel.port1().postMessage(i);
        }

        assertTrue(done.await(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        for (Thread t : receivers) {
            t.join(Loops.TIMEOUT.toMillis());
            assertFalse(t.isAlive());
        }
        Loops.on(loop, () -> null); // the loop's writes to `dispatched` happen-before this read
        boolean[] seen = new boolean[count];
        for (List<Integer> part : List.of(dispatched, taken.get(0), taken.get(1))) {
            int previous = -1;
            for (int m : part) {
                assertFalse(seen[m], "delivered twice: " + m);
                seen[m] = true;
                assertTrue(m > previous, "out of order: " + m + " after " + previous);
                previous = m;
            }
        }
        assertEquals(count, dispatched.size() + taken.get(0).size() + taken.get(1).size());
    }

    /** While the loop dispatches this port's messages, receiveMessage() returns null instead of blocking. */
    @Test
    void receiveDuringADispatchOfTheSamePortDoesNotBlock() throws Exception {
        EventLoop loop = loops.start("busy");
        MessageChannel channel = new MessageChannel(loop);
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        LinkedBlockingQueue<Object> dispatched = new LinkedBlockingQueue<>();
        channel.port2().onmessage(e -> {
            inHandler.countDown();
            try {
                release.await();
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            dispatched.add(e.data());
        });
        channel.port1().postMessage(1);
        channel.port1().postMessage(2);
        assertTrue(inHandler.await(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));

        CompletableFuture<MessageEvent> meanwhile =
                CompletableFuture.supplyAsync(channel.port2()::receiveMessage);
        assertNull(within(meanwhile), "the drain holds the queue: null, no blocking");

        release.countDown();
        assertEquals(1, next(dispatched));
        assertEquals(2, next(dispatched));
    }

    /** A handler may take the next queued message of its own port; it is then not dispatched. */
    @Test
    void handlerMayReceiveFromItsOwnPort() throws Exception {
        EventLoop loop = loops.start("reentrant");
        MessageChannel channel = new MessageChannel(loop);
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        channel.port1().postMessage("request");
        channel.port1().postMessage("its payload");
        channel.port1().postMessage("next request");
        channel.port2().onmessage(e -> {
            MessageEvent payload = "request".equals(e.data()) ? channel.port2().receiveMessage() : null;
            events.add(e.data() + (payload == null ? "" : " + " + payload.data()));
        });

        assertEquals("request + its payload", next(events));
        assertEquals("next request", next(events));
        assertNull(Loops.pollSettled(events, loop), "the taken payload is not dispatched as well");
    }

    /**
     * The same on a multiplexed loop, whose turns move between the pool's threads: the drain's lock is
     * marked with the loop, not with a thread, and the handler's receive still finds it its own.
     */
    @Test
    void handlerMayReceiveFromItsOwnPortOnAMultiplexedLoop() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        EventLoop loop = EventLoop.on(pool, "reentrant-multiplexed");
        try {
            MessageChannel channel = new MessageChannel(loop);
            LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
            for (int i = 0; i < 50; i++) {
                channel.port1().postMessage("request " + i);
                channel.port1().postMessage("payload " + i);
            }
            channel.port1().postMessage("end");
            channel.port2().onmessage(e -> {
                MessageEvent payload = ((String) e.data()).startsWith("request")
                        ? channel.port2().receiveMessage() : null;
                events.add(e.data() + (payload == null ? "" : " + " + payload.data()));
            });
            for (int i = 0; i < 50; i++) {
                assertEquals("request " + i + " + payload " + i, next(events));
            }
            assertEquals("end", next(events), "no payload dispatched as well, none lost");
        } finally {
            loop.close();
            assertTrue(loop.awaitTermination(Loops.TIMEOUT));
            pool.shutdown();
        }
    }

    /** A receive racing a transfer of the same port, 2,000 times: the message is taken exactly once. */
    @Test
    void receiveRacingATransferTakesTheMessageExactlyOnce() throws Exception {
        EventLoop loop = loops.start("receive-vs-transfer");
        ExecutorService racers = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < 2_000; i++) {
                MessageChannel channel = new MessageChannel(loop);
                MessageChannel carrier = new MessageChannel(loop);
                channel.port1().postMessage(i);
                CyclicBarrier start = new CyclicBarrier(2);
                Future<?> shipped = racers.submit(() -> {
                    start.await();
                    carrier.port1().postMessage("port", List.of(channel.port2()));
                    return null;
                });
                Future<MessageEvent> received = racers.submit(() -> {
                    start.await();
                    return channel.port2().receiveMessage();
                });
                shipped.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                MessageEvent old = received.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                MessagePort moved = carrier.port2().receiveMessage().ports().get(0);
                MessageEvent atNew = moved.receiveMessage();
                assertTrue(old == null ^ atNew == null, "taken twice or lost at iteration " + i);
                assertEquals(i, (old != null ? old : atNew).data());
                moved.close();
                channel.port1().close();
                carrier.port1().close();
            }
        } finally {
            racers.shutdownNow();
        }
    }
}
