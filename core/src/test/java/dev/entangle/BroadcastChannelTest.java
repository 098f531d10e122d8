package dev.entangle;

import static dev.entangle.Loops.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.entangle.internal.BroadcastRegistry;

/**
 * BroadcastChannel (HTML §9.5), mirroring web-platform-tests webmessaging/broadcastchannel/basics.any.js
 * where a test names one. Channel names are unique per test: the registry is process-wide.
 */
class BroadcastChannelTest {
    private final Loops loops = new Loops();
    private final List<BroadcastChannel> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws InterruptedException {
        opened.forEach(BroadcastChannel::close);
        loops.close();
    }

    private BroadcastChannel open(String name, EventLoop owner) {
        BroadcastChannel channel = new BroadcastChannel(name, owner);
        opened.add(channel);
        return channel;
    }

    /** WPT "postMessage results in correct event"; §9.5 step 8.4 (origin "" here: no origins). */
    @Test
    void postMessageResultsInTheStandardEvent() throws Exception {
        EventLoop loop = loops.start("bc-event");
        BroadcastChannel c1 = open("event-type", loop);
        BroadcastChannel c2 = open("event-type", loop);
        CompletableFuture<String> seen = new CompletableFuture<>();
        c2.onmessage(e -> seen.complete(e.type() + "|" + e.data() + "|" + (e.target() == c2) + "|"
                + (e.currentTarget() == c2) + "|" + e.origin().isEmpty() + "|" + e.lastEventId().isEmpty()
                + "|" + e.source() + "|" + e.ports().isEmpty() + "|" + e.isTrusted() + "|" + e.bubbles()
                + "|" + e.cancelable() + "|" + loop.inEventLoop()));

        c1.postMessage("hello world");

        assertEquals("message|hello world|true|true|true|true|null|true|true|false|false|true",
                seen.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        assertEquals("event-type", c1.name());
        assertSame(loop, c1.owner());
    }

    /**
     * HTML §9.5 postMessage: the message is serialized once and StructuredDeserialize runs for each
     * destination, so every receiver gets its own copy of a mutable value, none shared with the sender
     * or with another receiver.
     */
    @Test
    void everyReceiverGetsItsOwnCopyOfAMutableMessage() throws Exception {
        EventLoop loop = loops.start("bc-copies");
        EventLoop other = loops.start("bc-copies-2");
        BroadcastChannel sender = open("copies", loop);
        BroadcastChannel r1 = open("copies", loop);
        BroadcastChannel r2 = open("copies", loop);
        BroadcastChannel r3 = open("copies", other);
        LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
        for (BroadcastChannel r : List.of(r1, r2, r3)) {
            r.onmessage(e -> received.add(e.data()));
        }
        List<Integer> message = new ArrayList<>(List.of(1, 2, 3));

        sender.postMessage(message);

        Object a = next(received);
        Object b = next(received);
        Object c = next(received);
        for (Object copy : List.of(a, b, c)) {
            assertEquals(message, copy);
            assertNotSame(message, copy);
        }
        assertNotSame(a, b);
        assertNotSame(b, c);
        assertNotSame(a, c);
    }

    /** WPT "messages are delivered in port creation order": one task per destination, in order. */
    @Test
    void messagesAreDeliveredInChannelCreationOrder() throws Exception {
        EventLoop loop = loops.start("bc-order");
        BroadcastChannel c1 = open("order", loop);
        BroadcastChannel c2 = open("order", loop);
        BroadcastChannel c3 = open("order", loop);
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        c1.onmessage(e -> events.add("c1 " + e.data()));
        c2.onmessage(e -> events.add("c2 " + e.data()));
        c3.onmessage(e -> events.add("c3 " + e.data()));

        Loops.on(loop, () -> {
            c1.postMessage("from c1");
            c3.postMessage("from c3");
            c2.postMessage("done");
            return null;
        });

        List<String> order = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            order.add(next(events));
        }
        assertEquals(List.of("c2 from c1", "c3 from c1", "c1 from c3", "c2 from c3", "c1 done", "c3 done"),
                order);
        assertNull(Loops.pollSettled(events, loop), "nothing to the senders themselves");
    }

    /** §9.5 step 6: the source is removed from the destinations. */
    @Test
    void senderDoesNotReceiveItsOwnMessage() throws Exception {
        EventLoop loop = loops.start("bc-self");
        BroadcastChannel c1 = open("self", loop);
        BroadcastChannel c2 = open("self", loop);
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        c1.onmessage(e -> events.add("c1 " + e.data()));
        c2.onmessage(e -> events.add("c2 " + e.data()));

        c1.postMessage("ping");

        assertEquals("c2 ping", next(events));
        assertNull(Loops.pollSettled(events, loop), "no delivery task for c1 ran before the settling ones");
    }

    /** WPT "messages aren't delivered to a closed port". */
    @Test
    void messagesAreNotDeliveredToAClosedChannel() throws Exception {
        EventLoop loop = loops.start("bc-closed");
        BroadcastChannel c1 = open("closed", loop);
        BroadcastChannel c2 = open("closed", loop);
        BroadcastChannel c3 = open("closed", loop);
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        c2.onmessage(e -> events.add("c2 " + e.data()));
        c3.onmessage(e -> events.add("c3 " + e.data()));
        c2.close();

        c1.postMessage("test");

        assertEquals("c3 test", next(events));
        assertNull(Loops.pollSettled(events, loop));
    }

    /** WPT "messages aren't delivered to a port closed after calling postMessage" (§9.5 step 8.1). */
    @Test
    void messagesAreNotDeliveredToAChannelClosedAfterThePost() throws Exception {
        EventLoop loop = loops.start("bc-closed-after");
        BroadcastChannel c1 = open("closed-after", loop);
        BroadcastChannel c2 = open("closed-after", loop);
        BroadcastChannel c3 = open("closed-after", loop);
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        c2.onmessage(e -> events.add("c2 " + e.data()));
        c3.onmessage(e -> events.add("c3 " + e.data()));

        Loops.on(loop, () -> {
            c1.postMessage("test"); // queued as a task behind this one
            c2.close();
            return null;
        });

        assertEquals("c3 test", next(events));
        assertNull(Loops.pollSettled(events, loop));
    }

    /** The same with the close coming from another thread while the delivery waits in the loop. */
    @Test
    void closeFromAnotherThreadStopsADeliveryAlreadyQueued() throws Exception {
        EventLoop loop = loops.start("bc-closed-elsewhere");
        BroadcastChannel c1 = open("closed-elsewhere", EventLoop.common());
        BroadcastChannel c2 = open("closed-elsewhere", loop);
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        c2.onmessage(e -> events.add("c2 " + e.data()));
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        c1.postMessage("queued");
        c2.close();
        release.countDown();

        // The delivery task waits behind the blocker on `loop`; settling runs both.
        assertNull(Loops.pollSettled(events, loop));
        assertTrue(c2.isClosed());
    }

    /** WPT "closing and creating channels during message delivery works correctly". */
    @Test
    void closingAndCreatingChannelsDuringDeliveryWorks() throws Exception {
        EventLoop loop = loops.start("bc-create");
        BroadcastChannel c1 = open("create-in-onmessage", loop);
        BroadcastChannel c2 = open("create-in-onmessage", loop);
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        c2.onmessage(e -> {
            events.add("c2 " + e.data());
            c2.close();
            BroadcastChannel c3 = open("create-in-onmessage", loop);
            c3.onmessage(e3 -> events.add("c3 " + e3.data()));
            c1.postMessage("done");
        });

        Loops.on(loop, () -> {
            c1.postMessage("first");
            c2.postMessage("second"); // c1 has no listener; c2 never sees its own
            return null;
        });

        assertEquals("c2 first", next(events));
        assertEquals("c3 done", next(events));
        assertNull(Loops.pollSettled(events, loop));
    }

    /** WPT "Closing a channel in onmessage prevents already queued tasks from firing onmessage events". */
    @Test
    void closingInOnmessageStopsDeliveriesAlreadyQueued() throws Exception {
        EventLoop loop = loops.start("bc-close-in-handler");
        BroadcastChannel c1 = open("close-in-onmessage", loop);
        BroadcastChannel c2 = open("close-in-onmessage", loop);
        BroadcastChannel c3 = open("close-in-onmessage", loop);
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        c1.onmessage(e -> events.add("c1 " + e.data()));
        c2.onmessage(e -> events.add("c2 " + e.data()));
        c3.onmessage(e -> events.add("c3 " + e.data()));
        c2.addEventListener("message", e -> c2.close());

        Loops.on(loop, () -> {
            c1.postMessage("first");
            c1.postMessage("done");
            return null;
        });

        assertEquals("c2 first", next(events));
        assertEquals("c3 first", next(events));
        assertEquals("c3 done", next(events));
        assertNull(Loops.pollSettled(events, loop));
    }

    /** §9.5 postMessage step 2; close() is idempotent and never throws. */
    @Test
    void postingOnAClosedChannelIsInvalidStateError() {
        BroadcastChannel channel = open("post-after-close", EventLoop.common());
        channel.close();
        channel.close();

        DOMException error = assertThrows(DOMException.class, () -> channel.postMessage("late"));

        assertEquals("InvalidStateError", error.name());
        assertEquals(11, error.code());
        assertTrue(channel.isClosed());
    }

    /** §9.5 step 3: a clone error is thrown to the sender and nothing is sent. */
    @Test
    void uncloneableMessageIsDataCloneErrorAndNothingIsSent() throws Exception {
        EventLoop loop = loops.start("bc-clone");
        BroadcastChannel c1 = open("clone", loop);
        BroadcastChannel c2 = open("clone", loop);
        LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
        c2.onmessage(e -> events.add(e.data()));

        DOMException error = assertThrows(DOMException.class, () -> c1.postMessage(new Object()));
        c1.postMessage("after");

        assertEquals("DataCloneError", error.name());
        assertEquals("after", next(events));
    }

    /** Messages posted before a channel exists never reach it; channels of other names get nothing. */
    @Test
    void onlyChannelsOfThatNameThatExistAtThePostReceive() throws Exception {
        EventLoop loop = loops.start("bc-late");
        BroadcastChannel c1 = open("late", loop);
        BroadcastChannel other = open("late-other-name", loop);
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        other.onmessage(e -> events.add("other " + e.data()));

        Loops.on(loop, () -> {
            c1.postMessage("before");
            BroadcastChannel c2 = open("late", loop);
            c2.onmessage(e -> events.add("c2 " + e.data()));
            c1.postMessage("after");
            return null;
        });

        assertEquals("c2 after", next(events));
        assertNull(Loops.pollSettled(events, loop));
    }

    /** Fan-out across loops: every receiver gets every message, each sender's in order. */
    @Test
    void fanOutAcrossLoopsKeepsEachSendersOrderAtEveryReceiver() throws Exception {
        int perSender = 2_000;
        EventLoop[] owners = {loops.start("bc-fan-1"), loops.start("bc-fan-2"), loops.start("bc-fan-3")};
        List<List<String>> received = new ArrayList<>();
        CountDownLatch all = new CountDownLatch(6);
        for (int i = 0; i < 6; i++) {
            List<String> log = new ArrayList<>(); // confined to the owner loop until the latch
            received.add(log);
            BroadcastChannel receiver = open("fan-out", owners[i % owners.length]);
            receiver.onmessage(e -> {
                log.add((String) e.data());
                if (log.size() == 2 * perSender) {
                    all.countDown();
                }
            });
        }
        BroadcastChannel a = open("fan-out", EventLoop.common());
        BroadcastChannel b = open("fan-out", EventLoop.common());
        Thread senderA = new Thread(() -> sendNumbered(a, "a", perSender));
        Thread senderB = new Thread(() -> sendNumbered(b, "b", perSender));
        senderA.start();
        senderB.start();
        senderA.join();
        senderB.join();

        assertTrue(all.await(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), "every receiver got all");
        for (List<String> log : received) {
            assertEquals(2 * perSender, log.size());
            assertInOrder(log, "a", perSender);
            assertInOrder(log, "b", perSender);
        }
    }

    private static void sendNumbered(BroadcastChannel channel, String sender, int count) {
        for (int i = 0; i < count; i++) {
            channel.postMessage(sender + i);
        }
    }

    private static void assertInOrder(List<String> log, String sender, int count) {
        int expected = 0;
        for (String m : log) {
            if (m.startsWith(sender)) {
                assertEquals(sender + expected, m);
                expected++;
            }
        }
        assertEquals(count, expected);
    }

    /** A throwing listener goes to the loop's error handler; the next receiver still gets the message. */
    @Test
    void throwingListenerDoesNotStopOtherReceivers() throws Exception {
        EventLoop loop = loops.start("bc-throw");
        BroadcastChannel c1 = open("throw", loop);
        BroadcastChannel c2 = open("throw", loop);
        BroadcastChannel c3 = open("throw", loop);
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        c2.onmessage(e -> {
            throw new IllegalStateException("boom in c2");
        });
        c3.onmessage(e -> events.add("c3 " + e.data()));

        c1.postMessage("m");

        assertEquals("c3 m", next(events));
        assertEquals("boom in c2", next(loops.errors).getMessage());
    }

    /** A channel whose loop closed is no longer eligible for messaging (§9.5): dropped, posting ignored. */
    @Test
    void channelOfAClosedLoopReceivesNothingAndIsDroppedFromTheRegistry() throws Exception {
        EventLoop doomed = loops.start("bc-doomed");
        EventLoop alive = loops.start("bc-alive");
        BroadcastChannel onDoomed = open("loop-closed", doomed);
        BroadcastChannel onAlive = open("loop-closed", alive);
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        onDoomed.onmessage(e -> events.add("doomed " + e.data()));
        onAlive.onmessage(e -> events.add("alive " + e.data()));
        doomed.close();
        assertTrue(doomed.awaitTermination(Loops.TIMEOUT));
        assertEquals(2, BroadcastRegistry.size("loop-closed"));

        onDoomed.postMessage("ignored, no exception"); // step 1: not eligible, silently nothing
        BroadcastChannel sender = open("loop-closed", EventLoop.common());
        sender.postMessage("m");

        assertEquals("alive m", next(events));
        // `doomed` has terminated and runs nothing; the live loops have run what was queued on them.
        assertNull(Loops.pollSettled(events, alive, EventLoop.common()));
        assertEquals(2, BroadcastRegistry.size("loop-closed"), "sender and onAlive only");
    }

    /** Registry lifetime: an open channel with a listener keeps receiving though nothing references it. */
    @Test
    void unreferencedOpenChannelKeepsReceivingUntilClosed() throws Exception {
        EventLoop loop = loops.start("bc-gc");
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        listenAndForget("gc", loop, events);
        System.gc();
        BroadcastChannel sender = open("gc", EventLoop.common());

        sender.postMessage("still here");

        assertEquals("forgotten still here", next(events));
        assertEquals(1, BroadcastRegistry.size("gc"), "closed by its handler, before it reported");
    }

    private static void listenAndForget(String name, EventLoop loop, LinkedBlockingQueue<String> events) {
        BroadcastChannel forgotten = new BroadcastChannel(name, loop);
        forgotten.onmessage(e -> {
            forgotten.close();
            events.add("forgotten " + e.data());
        });
    }

    /** Closed channels leave the registry; the name disappears with its last channel. */
    @Test
    void closeRemovesTheChannelFromTheRegistry() {
        BroadcastChannel c1 = open("registry", EventLoop.common());
        BroadcastChannel c2 = open("registry", EventLoop.common());
        assertEquals(2, BroadcastRegistry.size("registry"));
        c1.close();
        assertEquals(1, BroadcastRegistry.size("registry"));
        c2.close();
        c2.close();
        assertEquals(0, BroadcastRegistry.size("registry"));
        BroadcastChannel c3 = open("registry", EventLoop.common());
        assertFalse(c3.isClosed());
        assertEquals(1, BroadcastRegistry.size("registry"));
    }

    /** dispatchEvent from another thread runs the listeners on the owner loop, untrusted. */
    @Test
    void dispatchEventFromAnotherThreadRunsOnTheOwnerLoop() throws Exception {
        EventLoop loop = loops.start("bc-dispatch");
        BroadcastChannel channel = open("dispatch", loop);
        CompletableFuture<String> seen = new CompletableFuture<>();
        channel.addEventListener("custom", e -> seen.complete(
                Thread.currentThread().getName() + "|" + e.isTrusted()));

        assertTrue(channel.dispatchEvent(new Event("custom")));

        assertEquals("bc-dispatch|false", seen.getNow("not dispatched"));
    }

    @Test
    void nullNameOrOwnerIsRefused() {
        assertThrows(NullPointerException.class, () -> new BroadcastChannel(null));
        assertThrows(NullPointerException.class, () -> new BroadcastChannel("x", null));
    }
}
