package dev.entangle;

import static dev.entangle.Loops.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An ask made on a dedicated loop has that loop watch the requester's end of its reply channel from
 * the start (issue 15, LoopCore's "Watched reply end"): the answer is then only an offer, which the
 * idle loop polls. What must not change, as for any watched port (WatchedPortTest): the answer is
 * delivered once, on the asking loop, whatever that loop does meanwhile (spin, park, run tasks,
 * close), in the place of the run queue a drain scheduled at its arrival would have had, and a
 * timeout still fires.
 */
class WatchedReplyEndTest {
    private static final Duration LONG = Duration.ofSeconds(60);

    private final Loops loops = new Loops();

    @AfterEach
    void closeLoops() throws InterruptedException {
        loops.close();
    }

    /** A replier loop whose port keeps every request in {@code requests}, unanswered; returns port1. */
    private MessagePort keeper(LinkedBlockingQueue<MessageEvent> requests) throws Exception {
        EventLoop loop = loops.start("replier");
        MessageChannel channel = new MessageChannel(loop);
        Loops.on(loop, () -> {
            channel.port2().onmessage(requests::add);
            return null;
        });
        return channel.port1();
    }

    /** A replier loop echoing {@code "re:" + data}; returns port1. */
    private MessagePort echo() throws Exception {
        EventLoop loop = loops.start("echo");
        MessageChannel channel = new MessageChannel(loop);
        Loops.on(loop, () -> {
            channel.port2().onmessage(e -> Requests.reply(e, "re:" + e.data()));
            return null;
        });
        return channel.port1();
    }

    /**
     * The asking loop parks with the answer outstanding: it hands the reply end back first, so the
     * answer schedules a drain and wakes it. Were the end still marked scheduled, the answer would be
     * only an offer nobody polls, and the future would wait for its 60 s timeout.
     */
    @Test
    void anAnswerToAnAskingLoopThatParkedWakesIt() throws Exception {
        LinkedBlockingQueue<MessageEvent> requests = new LinkedBlockingQueue<>();
        MessagePort port = keeper(requests);
        EventLoop requester = loops.start("spins-then-parks", IdleStrategy.spinYieldPark(64, 0));
        Thread thread = Loops.on(requester, Thread::currentThread);
        for (int round = 0; round < 10; round++) {
            int n = round;
            CompletableFuture<Object> answer = Loops.on(requester, () -> Requests.ask(port, n, LONG));
            MessageEvent request = next(requests);
            Loops.awaitIdle(thread); // parked, after spinning with the reply end watched
            Requests.reply(request, "re:" + request.data());
            assertEquals("re:" + n, answer.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        }
    }

    /**
     * A loop that spins and never parks takes the answer from the watched reply end itself: no other
     * entry, no park, nothing but its idle poll brings it in.
     */
    @Test
    void aSpinningAskingLoopTakesTheAnswerFromTheWatchedEnd() throws Exception {
        MessagePort port = echo();
        EventLoop requester = loops.start("spins", IdleStrategy.busySpin());
        for (int round = 0; round < 100; round++) {
            int n = round;
            CompletableFuture<Boolean> onRequester = new CompletableFuture<>();
            requester.execute(() -> Requests.ask(port, n, LONG).thenAccept(
                    v -> onRequester.complete(v.equals("re:" + n) && EventLoop.current() == requester)));
            assertEquals(Boolean.TRUE, onRequester.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        }
    }

    /**
     * The asking loop runs a task with the answer outstanding, during which the answer arrives, and
     * the task queues another one: the answer is delivered between the two, where the drain it
     * scheduled on arrival belongs. The loop hands the reply end back before it runs the first task;
     * had it kept it watched, it would poll the answer only once its run queue was empty, after the
     * second task.
     */
    @Test
    void anAnswerArrivingWhileATaskRunsIsDeliveredBeforeTheTasksQueuedAfterIt() throws Exception {
        for (IdleStrategy idle : List.of(IdleStrategy.busySpin(), IdleStrategy.DEFAULT)) {
            EventLoop replier = loops.start("replier");
            MessageChannel channel = new MessageChannel(replier);
            CountDownLatch answered = new CountDownLatch(1);
            Loops.on(replier, () -> {
                channel.port2().onmessage(e -> {
                    Requests.reply(e, "answer"); // offered (and its drain scheduled, if due) on return
                    answered.countDown();
                });
                return null;
            });
            EventLoop requester = loops.start("requester", idle);
            LinkedBlockingQueue<String> order = new LinkedBlockingQueue<>();
            requester.execute(() -> {
                Requests.ask(channel.port1(), "q", LONG).thenAccept(v -> order.add((String) v));
                // Queued before this entry ends: the loop runs it before any idle look at the reply end.
                requester.execute(() -> {
                    try {
                        boolean wasAnswered = answered.await(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                        order.add(wasAnswered ? "task" : "no answer");
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    requester.execute(() -> order.add("task queued after the answer"));
                });
            });
            assertEquals("task", next(order));
            assertEquals("answer", next(order));
            assertEquals("task queued after the answer", next(order));
        }
        assertTrue(loops.errors.isEmpty(), loops.errors.toString());
    }

    /** A busy-spinning loop that watches the reply end still runs the ask's timeout. */
    @Test
    void theTimeoutOfAWatchedAskFiresOnASpinningLoop() throws Exception {
        LinkedBlockingQueue<MessageEvent> requests = new LinkedBlockingQueue<>();
        MessagePort port = keeper(requests);
        EventLoop requester = loops.start("spins", IdleStrategy.busySpin());
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        requester.execute(() -> Requests.ask(port, "never answered", Duration.ofMillis(30)).whenComplete(
                (v, t) -> failure.complete(EventLoop.current() == requester ? t : new AssertionError("off loop"))));
        assertInstanceOf(TimeoutException.class,
                failure.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        next(requests); // the request did arrive
    }

    /**
     * The asking loop closes with the answer outstanding while it watches the reply end: the future
     * fails with RejectedExecutionException, the replier's reply port gets {@code close}, and the
     * replier's late answer is dropped without an error.
     */
    @Test
    void anAskingLoopClosingWhileItWatchesTheReplyEndFailsTheAsk() throws Exception {
        LinkedBlockingQueue<MessageEvent> requests = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<String> replierSide = new LinkedBlockingQueue<>();
        EventLoop replier = loops.start("replier");
        MessageChannel channel = new MessageChannel(replier);
        Loops.on(replier, () -> {
            channel.port2().onmessage(e -> {
                Requests.replyPort(e).onclose(c -> replierSide.add("closed"));
                requests.add(e);
            });
            return null;
        });
        EventLoop requester = loops.start("requester", IdleStrategy.busySpin());
        CompletableFuture<Object> answer =
                Loops.on(requester, () -> Requests.ask(channel.port1(), "q", LONG));
        MessageEvent request = next(requests);
        requester.close();
        Throwable failure = assertThrows(ExecutionException.class,
                () -> answer.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).getCause();
        assertInstanceOf(RejectedExecutionException.class, failure);
        assertTrue(requester.awaitTermination(Loops.TIMEOUT));
        assertEquals("closed", next(replierSide));
        Loops.on(replier, () -> {
            Requests.reply(request, "too late");
            return null;
        });
        assertNull(Loops.pollSettled(replierSide, replier));
        assertTrue(loops.errors.isEmpty(), loops.errors.toString());
    }

    /**
     * Asks in chains from a loop that also receives plain messages from another thread and runs
     * tasks, with two asks per turn (the second one takes the run queue: one watched endpoint per
     * loop), under several idle strategies: every answer is its own request's, every plain message
     * arrives once and in order.
     */
    @Test
    void noAnswerOrMessageIsLostOrMixedUpWhateverTheAskingLoopDoes() throws Exception {
        MessagePort port = echo();
        Map<String, IdleStrategy> strategies = Loops.idleStrategies();
        for (Map.Entry<String, IdleStrategy> entry : strategies.entrySet()) {
            String name = entry.getKey();
            EventLoop requester = loops.start(name, entry.getValue());
            MessageChannel inbox = new MessageChannel(requester);
            LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
            Loops.on(requester, () -> {
                inbox.port2().onmessage(e -> received.add("message:" + e.data()));
                return null;
            });
            int rounds = 2_000;
            CompletableFuture<String> chains = new CompletableFuture<>();
            requester.execute(() -> askInChain(port, 0, rounds, chains));
            int messages = 2_000;
            Thread sender = new Thread(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                for (int i = 0; i < messages; i++) {
                    inbox.port1().postMessage(i);
                    if (random.nextInt(8) == 0) {
                        requester.execute(() -> { });
                    }
                    for (int gap = random.nextInt(300); gap > 0; gap--) {
                        Thread.onSpinWait();
                    }
                }
            });
            sender.start();
            assertEquals("done", chains.get(Loops.TIMEOUT.toMillis() * 3, TimeUnit.MILLISECONDS), name);
            sender.join(Loops.TIMEOUT.toMillis());
            List<String> got = new ArrayList<>();
            for (int i = 0; i < messages; i++) {
                got.add(next(received));
            }
            for (int i = 0; i < messages; i++) {
                assertEquals("message:" + i, got.get(i), name);
            }
            assertNull(Loops.pollSettled(received, requester), name + ": nothing twice");
        }
        assertTrue(loops.errors.isEmpty(), loops.errors.toString());
    }

    /** On the asking loop: two asks, and the next round once both answered right. */
    private static void askInChain(MessagePort port, int round, int rounds, CompletableFuture<String> done) {
        if (round == rounds) {
            done.complete("done");
            return;
        }
        CompletableFuture<Object> first = Requests.ask(port, "a" + round, LONG);
        CompletableFuture<Object> second = Requests.ask(port, "b" + round, LONG);
        first.thenCombine(second, (a, b) -> a.equals("re:a" + round) && b.equals("re:b" + round))
                .whenComplete((right, failure) -> {
                    if (failure != null || !right) {
                        done.completeExceptionally(new AssertionError("round " + round + ": " + failure));
                    } else {
                        askInChain(port, round + 1, rounds, done);
                    }
                });
    }
}
