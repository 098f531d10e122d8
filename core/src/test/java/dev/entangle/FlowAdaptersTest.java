package dev.entangle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link PortPublisher} and {@link PortSubscriber}: demand honoured, order kept, ends propagated. */
class FlowAdaptersTest {
    private final Loops loops = new Loops();

    @AfterEach
    void closeLoops() throws InterruptedException {
        loops.close();
    }

    /** Records every signal; requests only when told. */
    static final class Recorder implements Flow.Subscriber<MessageEvent> {
        final LinkedBlockingQueue<Object> signals = new LinkedBlockingQueue<>();
        final CompletableFuture<Flow.Subscription> subscription = new CompletableFuture<>();

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription.complete(s);
        }

        @Override
        public void onNext(MessageEvent item) {
            signals.add(item.data());
        }

        @Override
        public void onError(Throwable throwable) {
            signals.add(throwable);
        }

        @Override
        public void onComplete() {
            signals.add("COMPLETE");
        }

        Flow.Subscription subscription() throws Exception {
            return subscription.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Test
    void messagesWaitAtThePortUntilRequested() throws Exception {
        EventLoop loop = loops.start("owner");
        MessageChannel channel = new MessageChannel(loop);
        for (int i = 0; i < 5; i++) {
            channel.port1().postMessage(i);
        }
        Recorder recorder = new Recorder();
        CompletableFuture<Thread> pump = new CompletableFuture<>();
        PortPublisher.of(channel.port2(), task -> {
            Thread thread = new Thread(task, "pump");
            thread.setDaemon(true);
            pump.complete(thread);
            return thread;
        }).subscribe(recorder);
        Flow.Subscription subscription = recorder.subscription();
        subscription.request(2);
        assertEquals(0, Loops.next(recorder.signals));
        assertEquals(1, Loops.next(recorder.signals));
        // The pump waiting for demand (not for a message) has stopped taking: nothing beyond demand.
        awaitWaitingForDemand(pump.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        assertNull(recorder.signals.poll(), "delivered beyond demand");
        assertEquals(3, channel.port2().queuedMessageCount(), "unrequested messages stay at the port");
        subscription.request(10);
        assertEquals(List.of(2, 3, 4), List.of(Loops.next(recorder.signals), Loops.next(recorder.signals),
                Loops.next(recorder.signals)));
    }

    @Test
    void theFarSideClosingCompletesAfterItsLastMessage() throws Exception {
        EventLoop loop = loops.start("owner");
        MessageChannel channel = new MessageChannel(loop);
        channel.port1().postMessage("a");
        channel.port1().postMessage("b");
        channel.port1().close();
        Recorder recorder = new Recorder();
        PortPublisher.of(channel.port2()).subscribe(recorder);
        recorder.subscription().request(Long.MAX_VALUE);
        assertEquals("a", Loops.next(recorder.signals));
        assertEquals("b", Loops.next(recorder.signals));
        assertEquals("COMPLETE", Loops.next(recorder.signals));
    }

    @Test
    void theFarSideClosingCompletesWithoutDemand() throws Exception {
        EventLoop loop = loops.start("owner");
        MessageChannel channel = new MessageChannel(loop);
        Recorder recorder = new Recorder();
        PortPublisher.of(channel.port2()).subscribe(recorder);
        recorder.subscription();
        channel.port1().close();
        assertEquals("COMPLETE", Loops.next(recorder.signals));
    }

    @Test
    void closingThePortHereCompletesAndEndsThePump() throws Exception {
        EventLoop loop = loops.start("owner");
        MessageChannel channel = new MessageChannel(loop);
        Recorder recorder = new Recorder();
        PortPublisher publisher = PortPublisher.of(channel.port2());
        publisher.subscribe(recorder);
        recorder.subscription().request(5);
        channel.port2().close();
        assertEquals("COMPLETE", Loops.next(recorder.signals));
        Recorder next = subscribeOnceTheFirstHasEnded(publisher); // the pump ended: a new one is let in
        next.subscription().request(1);
        assertEquals("COMPLETE", Loops.next(next.signals));
    }

    @Test
    void aBoundedChannelPushesBackOnTheSenderWhileThereIsNoDemand() throws Exception {
        EventLoop loop = loops.start("owner");
        MessageChannel channel = MessageChannel.bounded(loop, 2);
        Recorder recorder = new Recorder();
        PortPublisher.of(channel.port2()).subscribe(recorder);
        Flow.Subscription subscription = recorder.subscription();
        assertTrue(channel.port1().offerMessage("m0"));
        assertTrue(channel.port1().offerMessage("m1"));
        assertTrue(!channel.port1().offerMessage("m2"), "the queue is full: no demand took anything");
        subscription.request(1);
        assertEquals("m0", Loops.next(recorder.signals));
        assertTrue(channel.port1().offerMessage("m2", Loops.TIMEOUT), "a slot freed by the request");
        subscription.request(2);
        assertEquals("m1", Loops.next(recorder.signals));
        assertEquals("m2", Loops.next(recorder.signals));
    }

    @Test
    void cancelStopsTakingAndLeavesTheRestForTheNextSubscriber() throws Exception {
        EventLoop loop = loops.start("owner");
        MessageChannel channel = new MessageChannel(loop);
        PortPublisher publisher = PortPublisher.of(channel.port2());
        Recorder first = new Recorder();
        publisher.subscribe(first);
        first.subscription().request(1);
        channel.port1().postMessage("one");
        assertEquals("one", Loops.next(first.signals));
        first.subscription().cancel();
        channel.port1().postMessage("two");
        Recorder second = subscribeOnceTheFirstHasEnded(publisher);
        second.subscription().request(1);
        assertEquals("two", Loops.next(second.signals));
        assertNull(first.signals.poll(), "the cancelled subscriber got more");
    }

    /** Waits until {@code pump} sleeps in PortPump.awaitDemand (polls the thread, bounded). */
    private static void awaitWaitingForDemand(Thread pump) {
        long deadline = System.nanoTime() + Loops.TIMEOUT.toNanos();
        while (!(java.util.concurrent.locks.LockSupport.getBlocker(pump) != null
                && java.util.Arrays.stream(pump.getStackTrace()).anyMatch(f -> f.getMethodName().equals("awaitDemand")))) {
            assertTrue(System.nanoTime() < deadline, "the pump never waited for demand");
            Thread.yield();
        }
    }

    /** The cancelled subscription ends on its own thread; until then a subscribe is refused. */
    private static Recorder subscribeOnceTheFirstHasEnded(PortPublisher publisher) throws Exception {
        long deadline = System.nanoTime() + Loops.TIMEOUT.toNanos();
        while (true) {
            Recorder candidate = new Recorder();
            publisher.subscribe(candidate);
            candidate.subscription();
            Object refusal = candidate.signals.peek();
            if (refusal == null) {
                return candidate; // refusals are signalled inside subscribe(): none came
            }
            assertInstanceOf(IllegalStateException.class, refusal);
            assertTrue(System.nanoTime() < deadline, "the cancelled subscription never ended");
            Thread.yield();
        }
    }

    @Test
    void aNonPositiveRequestIsAnError() throws Exception {
        EventLoop loop = loops.start("owner");
        MessageChannel channel = new MessageChannel(loop);
        Recorder recorder = new Recorder();
        PortPublisher.of(channel.port2()).subscribe(recorder);
        recorder.subscription().request(0);
        assertInstanceOf(IllegalArgumentException.class, Loops.next(recorder.signals));
    }

    @Test
    void submissionPublisherThroughAPortKeepsOrderAndCompletes() throws Exception {
        EventLoop loop = loops.start("owner");
        MessageChannel channel = MessageChannel.bounded(loop, 4);
        PortSubscriber<Integer> sink = new PortSubscriber<>(channel.port1(), Loops.TIMEOUT);
        List<Object> received = new ArrayList<>();
        CompletableFuture<List<Object>> done = new CompletableFuture<>();
        PortPublisher.of(channel.port2()).subscribe(new Flow.Subscriber<MessageEvent>() {
            private Flow.Subscription s;

            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                s = subscription;
                s.request(3);
            }

            @Override
            public void onNext(MessageEvent item) {
                received.add(item.data());
                s.request(1);
            }

            @Override
            public void onError(Throwable throwable) {
                done.completeExceptionally(throwable);
            }

            @Override
            public void onComplete() {
                done.complete(received);
            }
        });
        List<Integer> expected = new ArrayList<>();
        try (SubmissionPublisher<Integer> source = new SubmissionPublisher<>()) {
            source.subscribe(sink);
            for (int i = 0; i < 1_000; i++) {
                source.submit(i);
                expected.add(i);
            }
        } // close(): onComplete after the items, which closes the port
        assertEquals(expected, done.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        assertNull(sink.failure());
    }

    @Test
    void anUncloneableItemCancelsTheSourceAndClosesThePort() throws Exception {
        EventLoop loop = loops.start("owner");
        MessageChannel channel = new MessageChannel(loop);
        PortSubscriber<Object> sink = new PortSubscriber<>(channel.port1(), Duration.ofSeconds(1));
        Recorder recorder = new Recorder();
        PortPublisher.of(channel.port2()).subscribe(recorder);
        recorder.subscription().request(Long.MAX_VALUE);
        try (SubmissionPublisher<Object> source = new SubmissionPublisher<>()) {
            source.subscribe(sink);
            source.submit("fine");
            source.submit(new Object());
            assertEquals("fine", Loops.next(recorder.signals));
            assertEquals("COMPLETE", Loops.next(recorder.signals));
            assertEquals("DataCloneError", assertInstanceOf(DOMException.class, sink.failure()).name());
        }
    }
}
