package dev.entangle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link Requests}: ask with a fresh reply port, every outcome, and the wire of the answer. */
class RequestsTest {
    private final Loops loops = new Loops();

    @AfterEach
    void closeLoops() throws InterruptedException {
        loops.close();
    }

    private static Object await(CompletableFuture<?> future) throws Exception {
        return future.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Throwable failureOf(CompletableFuture<?> future) {
        return assertThrows(ExecutionException.class,
                () -> future.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).getCause();
    }

    /** A channel whose port2 lives on a replier loop running {@code handler}; returns port1. */
    private MessagePort replier(EventHandler<MessageEvent> handler) throws Exception {
        return channelOn(loops.start("replier"), handler).port1();
    }

    /** A channel of {@code loop} whose port2 runs {@code handler}. */
    private static MessageChannel channelOn(EventLoop loop, EventHandler<MessageEvent> handler) throws Exception {
        MessageChannel channel = new MessageChannel(loop);
        Loops.on(loop, () -> {
            channel.port2().onmessage(handler);
            return null;
        });
        return channel;
    }

    @Test
    void askCompletesWithTheReplyEachCallItsOwn() throws Exception {
        MessagePort port = replier(e -> Requests.reply(e, "re:" + e.data()));
        List<CompletableFuture<Object>> answers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            answers.add(Requests.ask(port, "q" + i, Loops.TIMEOUT));
        }
        for (int i = 0; i < 20; i++) {
            assertEquals("re:q" + i, await(answers.get(i)));
        }
    }

    @Test
    void askFromALoopCompletesOnThatLoop() throws Exception {
        MessagePort port = replier(e -> Requests.reply(e, 42));
        EventLoop requester = loops.start("requester");
        CompletableFuture<Boolean> onRequester = new CompletableFuture<>();
        requester.execute(() -> Requests.ask(port, "x", Loops.TIMEOUT)
                .thenAccept(v -> onRequester.complete(v.equals(42) && EventLoop.current() == requester)));
        assertEquals(Boolean.TRUE, await(onRequester));
    }

    @Test
    void replyErrorFailsWithRemoteErrorCarryingTypeMessageAndStack() throws Exception {
        MessagePort port = replier(e -> Requests.replyError(e, new IllegalArgumentException("no such account")));
        Throwable failure = failureOf(Requests.ask(port, "bob", Loops.TIMEOUT));
        RemoteError error = assertInstanceOf(RemoteError.class, failure);
        assertEquals("java.lang.IllegalArgumentException", error.remoteName());
        assertEquals("no such account", error.getMessage());
        assertTrue(error.remoteStack().contains("RequestsTest"), error.remoteStack());
    }

    @Test
    void noReplyWithinTheTimeoutFailsAndClosesTheReplyPort() throws Exception {
        LinkedBlockingQueue<String> replierSide = new LinkedBlockingQueue<>();
        MessagePort port = replier(e -> Requests.replyPort(e).onclose(c -> replierSide.add("closed")));
        Throwable failure = failureOf(Requests.ask(port, "slow", Duration.ofMillis(30)));
        assertInstanceOf(TimeoutException.class, failure);
        assertEquals("closed", Loops.next(replierSide));
    }

    @Test
    void anAskFromALoopTimesOutOnThatLoopAndAZeroTimeoutAtOnce() throws Exception {
        // The answer is the loop's timer entry itself (armed straight into the heap on the loop, or
        // through the run queue for a zero timeout): both expire on the asking loop.
        MessagePort port = replier(e -> { }); // never answers
        EventLoop requester = loops.start("requester");
        for (Duration timeout : List.of(Duration.ofMillis(30), Duration.ZERO)) {
            CompletableFuture<Boolean> onRequester = new CompletableFuture<>();
            requester.execute(() -> Requests.ask(port, "slow", timeout).whenComplete((v, failure) ->
                    onRequester.complete(failure instanceof TimeoutException
                            && failure.getMessage().equals("no answer within " + timeout)
                            && EventLoop.current() == requester)));
            assertEquals(Boolean.TRUE, await(onRequester), "timeout " + timeout);
        }
    }

    @Test
    void answeredAsksAheadInTheTimerHeapNeitherFireNorHoldBackALaterTimer() throws Exception {
        // Answered asks stay in their loop's timer heap, done, until due or swept; a timer due after
        // them still runs, and their deadlines passing changes nothing. The deadline leaves the
        // answers time on a loaded machine (at 20 ms, CI under load saw an ask time out, which this
        // test then reported only as its own 10 s timeout); an ask that times out all the same shows
        // in the list as its failure.
        MessagePort port = replier(e -> Requests.reply(e, e.data()));
        EventLoop requester = loops.start("requester");
        CompletableFuture<List<Object>> answered = new CompletableFuture<>();
        CompletableFuture<Void> later = new CompletableFuture<>();
        Duration deadline = Duration.ofMillis(250);
        requester.execute(() -> {
            List<CompletableFuture<Object>> asks = new ArrayList<>();
            for (int i = 0; i < 100; i++) { // more than the sweep's threshold
                asks.add(Requests.ask(port, i, deadline));
            }
            CompletableFuture.allOf(asks.toArray(new CompletableFuture<?>[0])).whenComplete((v, failure) -> {
                // Due after every ask's deadline: by then each of those has come and gone.
                requester.schedule(() -> {
                    List<Object> values = new ArrayList<>();
                    asks.forEach(a -> values.add(a.handle((value, t) -> t == null ? value : t.toString()).join()));
                    answered.complete(values);
                }, deadline.plusMillis(50)).thenRun(() -> later.complete(null));
            });
        });
        List<Object> expected = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            expected.add(i);
        }
        assertEquals(expected, await(answered));
        await(later);
        assertTrue(loops.errors.isEmpty(), loops.errors.toString());
    }

    @Test
    void replierClosingTheReplyPortFailsWithAbortError() throws Exception {
        MessagePort port = replier(e -> Requests.replyPort(e).close());
        DOMException failure = assertInstanceOf(DOMException.class,
                failureOf(Requests.ask(port, "dropped", Loops.TIMEOUT)));
        assertEquals("AbortError", failure.name());
    }

    @Test
    void replierLoopClosingFailsWithAbortError() throws Exception {
        EventLoop loop = loops.start("replier");
        MessageChannel channel = new MessageChannel(loop);
        CompletableFuture<Void> received = new CompletableFuture<>();
        Loops.on(loop, () -> {
            channel.port2().onmessage(e -> received.complete(null)); // keeps the request unanswered
            return null;
        });
        CompletableFuture<Object> answer = Requests.ask(channel.port1(), "q", Loops.TIMEOUT);
        await(received);
        loop.close();
        assertEquals("AbortError", assertInstanceOf(DOMException.class, failureOf(answer)).name());
    }

    @Test
    void requesterLoopClosingFailsTheAskAndClosesTheReplyPort() throws Exception {
        // The asking loop closes with the answer outstanding: its timer is refused and nothing would
        // ever deliver to its reply end, so the future fails (it stayed pending before).
        LinkedBlockingQueue<String> replierSide = new LinkedBlockingQueue<>();
        MessagePort port = replier(e -> {
            Requests.replyPort(e).onclose(c -> replierSide.add("closed"));
            replierSide.add("received");
        });
        EventLoop requester = loops.start("requester");
        CompletableFuture<Object> answer = Loops.on(requester, () -> Requests.ask(port, "q", Loops.TIMEOUT));
        assertEquals("received", Loops.next(replierSide));
        requester.close();
        Throwable failure = failureOf(answer);
        assertInstanceOf(java.util.concurrent.RejectedExecutionException.class, failure);
        assertTrue(failure.getMessage().contains("requester"), failure.getMessage());
        assertEquals("closed", Loops.next(replierSide));
    }

    @Test
    void anAskFromALoopOnAClosedPortFailsWithAbortErrorAndLeavesNoPortBehind() throws Exception {
        // The request is dropped, which closes the reply port's far end at once, before the asking
        // loop registers its end (it does so after the post): the close must still arrive, and the
        // registration must not outlive it.
        EventLoop requester = loops.start("requester");
        int before = requester.core.portCount();
        CompletableFuture<Object> answer = Loops.on(requester, () -> {
            MessageChannel channel = new MessageChannel();
            channel.port1().close();
            return Requests.ask(channel.port1(), "nobody hears", Loops.TIMEOUT);
        });
        assertEquals("AbortError", assertInstanceOf(DOMException.class, failureOf(answer)).name());
        Loops.settle(requester);
        assertEquals(before, requester.core.portCount());
    }

    @Test
    void cancelClosesTheReplyPortAndALaterReplyIsDropped() throws Exception {
        LinkedBlockingQueue<MessageEvent> requests = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<String> replierSide = new LinkedBlockingQueue<>();
        MessagePort port = replier(e -> {
            Requests.replyPort(e).onclose(c -> {
                replierSide.add("closed");
                Requests.reply(e, "too late"); // dropped silently: no exception
                replierSide.add("replied");
            });
            requests.add(e);
        });
        CompletableFuture<Object> answer = Requests.ask(port, "q", Loops.TIMEOUT);
        Loops.next(requests);
        assertTrue(answer.cancel(false));
        assertEquals("closed", Loops.next(replierSide));
        assertEquals("replied", Loops.next(replierSide));
        assertTrue(loops.errors.isEmpty(), loops.errors.toString());
    }

    @Test
    void transferredPortsComeFirstAndTheReplyPortLast() throws Exception {
        MessagePort port = replier(e -> {
            e.ports().get(0).postMessage("via carried port");
            Requests.reply(e, e.ports().size());
        });
        MessageChannel carried = new MessageChannel();
        assertEquals(2, await(Requests.ask(port, "q", List.of(carried.port2()), Loops.TIMEOUT)));
        assertEquals("via carried port", carried.port1().receiveMessage(Loops.TIMEOUT).data());
    }

    @Test
    void anUncloneableRequestFailsTheFutureWithDataCloneError() throws Exception {
        MessagePort port = replier(e -> Requests.reply(e, "unexpected"));
        DOMException failure = assertInstanceOf(DOMException.class,
                failureOf(Requests.ask(port, new Object(), Loops.TIMEOUT)));
        assertEquals("DataCloneError", failure.name());
    }

    @Test
    void aPlainMessageOnTheReplyPortIsTheAnswer() throws Exception {
        // What a replier that is not Requests (a JavaScript worker) does: post the value itself.
        MessagePort port = replier(e -> Requests.replyPort(e).postMessage(List.of("plain", 1)));
        assertEquals(List.of("plain", 1), await(Requests.ask(port, "q", Loops.TIMEOUT)));
    }

    @Test
    void aReplyThatLooksLikeAWireValueArrivesAsItIs() throws Exception {
        // reply() to an ask of this process sends bare values; one shaped like Comlink's wire value
        // must not be unwrapped by the requester.
        Map<String, Object> lookalike = Map.of("type", "RAW", "value", "inner");
        Map<String, Object> answers = new HashMap<>();
        answers.put("wire", lookalike);
        answers.put("list", List.of(1, 2));
        answers.put("null", null);
        MessagePort port = replier(e -> Requests.reply(e, answers.get((String) e.data())));
        assertEquals(lookalike, await(Requests.ask(port, "wire", Loops.TIMEOUT)));
        assertEquals(List.of(1, 2), await(Requests.ask(port, "list", Loops.TIMEOUT)));
        assertNull(await(Requests.ask(port, "null", Loops.TIMEOUT)));
    }

    @Test
    void answersUseComlinkWireValues() throws Exception {
        MessageChannel channel = new MessageChannel();
        MessageChannel reply = new MessageChannel();
        channel.port1().postMessage("q", List.of(reply.port2()));
        MessageEvent request = channel.port2().receiveMessage(Loops.TIMEOUT);
        Requests.reply(request, "v");
        assertEquals(Map.of("type", "RAW", "value", "v"), reply.port1().receiveMessage(Loops.TIMEOUT).data());
        MessageChannel second = new MessageChannel();
        channel.port1().postMessage("q", List.of(second.port2()));
        Requests.replyError(channel.port2().receiveMessage(Loops.TIMEOUT), new IllegalStateException("bad"));
        Map<?, ?> thrown = (Map<?, ?>) second.port1().receiveMessage(Loops.TIMEOUT).data();
        assertEquals("HANDLER", thrown.get("type"));
        assertEquals("throw", thrown.get("name"));
        Map<?, ?> serialized = (Map<?, ?>) thrown.get("value");
        assertEquals(Boolean.TRUE, serialized.get("isError"));
        Map<?, ?> error = (Map<?, ?>) serialized.get("value");
        assertEquals("bad", error.get("message"));
        assertEquals("java.lang.IllegalStateException", error.get("name"));
    }

    @Test
    void everyWayOfCompletingTheFutureClosesTheReplyPort() throws Exception {
        // The future itself closes the reply port (no whenComplete stage): each public completion
        // path must reach it, completeAsync and obtrude included.
        List<java.util.function.Consumer<CompletableFuture<Object>>> completions = List.of(
                f -> f.complete("by the caller"),
                f -> f.completeExceptionally(new IllegalStateException("by the caller")),
                f -> f.completeAsync(() -> "async"),
                f -> f.completeAsync(() -> {
                    throw new IllegalStateException("async failure");
                }, Runnable::run),
                f -> f.obtrudeValue("obtruded"),
                f -> f.obtrudeException(new IllegalStateException("obtruded")),
                f -> f.orTimeout(1, TimeUnit.MILLISECONDS),
                f -> f.completeOnTimeout("late default", 1, TimeUnit.MILLISECONDS));
        LinkedBlockingQueue<MessageEvent> requests = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<String> replierSide = new LinkedBlockingQueue<>();
        MessagePort port = replier(e -> {
            Requests.replyPort(e).onclose(c -> replierSide.add("closed " + e.data()));
            requests.add(e);
        });
        for (int i = 0; i < completions.size(); i++) {
            CompletableFuture<Object> answer = Requests.ask(port, i, Loops.TIMEOUT);
            Loops.next(requests);
            completions.get(i).accept(answer);
            assertEquals("closed " + i, Loops.next(replierSide));
            assertTrue(answer.isDone(), "completion " + i);
        }
    }

    @Test
    void theFirstOfSeveralMessagesOnTheReplyPortIsTheAnswer() throws Exception {
        // A replier that posts more than its answer: the requester's one-slot queue takes the first,
        // the rest go behind it (ReplyQueue's overflow) and are discarded; order decides.
        MessagePort port = replier(e -> {
            MessagePort reply = Requests.replyPort(e);
            for (int i = 0; i < 5; i++) {
                reply.postMessage(e.data() + "#" + i);
            }
            reply.close();
        });
        for (int i = 0; i < 20; i++) {
            assertEquals("q" + i + "#0", await(Requests.ask(port, "q" + i, Loops.TIMEOUT)));
        }
        assertTrue(loops.errors.isEmpty(), loops.errors.toString());
    }

    @Test
    void aReplyPortTransferredOnwardAnswersFromThere() throws Exception {
        // The replier hands the reply port to a second loop, which answers with reply(): the
        // requester's end is found across the transfer (and closes itself on the answer); messages
        // the first replier posted before the transfer come first.
        EventLoop worker = loops.start("worker");
        MessageChannel toWorker = new MessageChannel(worker);
        Loops.on(worker, () -> {
            toWorker.port2().onmessage(e -> Requests.reply(e, "from the worker: " + e.data()));
            return null;
        });
        MessagePort port = replier(e -> {
            MessagePort reply = Requests.replyPort(e);
            if ("forward".equals(e.data())) {
                toWorker.port1().postMessage(e.data(), List.of(reply));
            } else {
                reply.postMessage("before the transfer");
                toWorker.port1().postMessage(e.data(), List.of(reply));
            }
        });
        assertEquals("from the worker: forward", await(Requests.ask(port, "forward", Loops.TIMEOUT)));
        assertEquals("before the transfer", await(Requests.ask(port, "post first", Loops.TIMEOUT)));
        assertTrue(loops.errors.isEmpty(), loops.errors.toString());
    }

    @Test
    void replyingClosesTheRepliersPortAndAskingAgainWorks() throws Exception {
        // reply() closes the replier's port without leaving the requester a close marker: the
        // replier's port is closed (posting there does nothing), the requester completed once.
        LinkedBlockingQueue<MessagePort> replyPorts = new LinkedBlockingQueue<>();
        MessagePort port = replier(e -> {
            Requests.reply(e, "answer " + e.data());
            replyPorts.add(Requests.replyPort(e));
        });
        for (int i = 0; i < 3; i++) {
            assertEquals("answer " + i, await(Requests.ask(port, i, Loops.TIMEOUT)));
            MessagePort used = Loops.next(replyPorts);
            assertTrue(used.toString().contains("closed"), used.toString());
        }
        assertTrue(loops.errors.isEmpty(), loops.errors.toString());
    }

    @Test
    void aReplyThroughAPlainPortSentAsTheLonePortAnswersThenClosesIt() throws Exception {
        // Not an ask: the request carries a port of the requester's own channel as its lone port.
        // reply() answers through that port's endpoint (no port object on the replier's loop) and
        // closes it with a close marker: the requester's port gets the wire value, then close.
        MessagePort port = replier(e -> Requests.reply(e, "answer " + e.data()));
        EventLoop requester = loops.start("requester");
        MessageChannel back = new MessageChannel(requester);
        LinkedBlockingQueue<Object> seen = new LinkedBlockingQueue<>();
        Loops.on(requester, () -> {
            back.port1().onmessage(e -> seen.add(e.data()));
            back.port1().onclose(e -> seen.add("close"));
            return null;
        });
        port.postMessage(1, List.of(back.port2()));
        assertEquals(Map.of("type", "RAW", "value", "answer 1"), Loops.next(seen));
        assertEquals("close", Loops.next(seen));
        assertNull(Loops.pollSettled(seen, requester));
        assertTrue(loops.errors.isEmpty(), loops.errors.toString());
    }

    @Test
    void messagesBehindTheAnswerOfAnEndAnsweredThroughAreStillDiscardedWithTheirPorts() throws Exception {
        // The replier posts the answer and a message carrying a port, then hands the reply port to a
        // worker that answers through its endpoint (its end is then closed by that answer). The
        // asking loop takes the answer only after all of it arrived: its end must not close as spent
        // (nothing left to come), since a message waits behind the answer; discarded, it closes the
        // port it carries, whose far side gets close.
        EventLoop worker = loops.start("worker");
        MessageChannel toWorker = new MessageChannel(worker);
        CountDownLatch workerAnswered = new CountDownLatch(1);
        Loops.on(worker, () -> {
            toWorker.port2().onmessage(e -> {
                Requests.reply(e, "from the worker");
                workerAnswered.countDown();
            });
            return null;
        });
        EventLoop observer = loops.start("observer");
        MessageChannel carried = new MessageChannel(observer);
        LinkedBlockingQueue<String> observed = new LinkedBlockingQueue<>();
        Loops.on(observer, () -> {
            carried.port1().onclose(e -> observed.add("closed"));
            return null;
        });
        MessagePort port = replier(e -> {
            MessagePort reply = Requests.replyPort(e);
            reply.postMessage("answer");
            reply.postMessage("extra", List.of(carried.port2()));
            toWorker.port1().postMessage(e.data(), List.of(reply));
        });
        EventLoop requester = loops.start("requester");
        LinkedBlockingQueue<Boolean> waited = new LinkedBlockingQueue<>();
        CompletableFuture<CompletableFuture<Object>> asked = new CompletableFuture<>();
        requester.execute(() -> {
            asked.complete(Requests.ask(port, "q", Loops.TIMEOUT));
            requester.execute(() -> {
                try {
                    // Everything is queued at the reply end before this loop looks at it again.
                    waited.add(workerAnswered.await(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
            });
        });
        assertEquals(Boolean.TRUE, Loops.next(waited), "the worker answered");
        assertEquals("answer", await((CompletableFuture<?>) await(asked)));
        assertEquals("closed", Loops.next(observed), "the port in the discarded message was closed");
        assertTrue(loops.errors.isEmpty(), loops.errors.toString());
    }

    @Test
    void aRequestAnsweredInItsHandlerBindsNoPortOnTheRepliersLoop() throws Exception {
        // ReceivedPorts: the reply port's object is made on first use, and reply() in the handler
        // answers through its endpoint, so the replier's loop never registers it (it did: one more
        // port during every handler). A port read after the reply is made closed.
        EventLoop loop = loops.start("replier");
        LinkedBlockingQueue<Object> seen = new LinkedBlockingQueue<>();
        MessageChannel channel = channelOn(loop, e -> {
            seen.add(loop.core.portCount());
            Requests.reply(e, "answer " + e.data());
            Requests.reply(e, "a second answer"); // dropped: the port is closed
            seen.add(Requests.replyPort(e).toString().contains("closed"));
            seen.add(loop.core.portCount());
        });
        int base = loop.core.portCount();
        assertEquals("answer 1", await(Requests.ask(channel.port1(), 1, Loops.TIMEOUT)));
        assertEquals(base, Loops.next(seen), "no port bound for the request in its handler");
        assertEquals(Boolean.TRUE, Loops.next(seen), "the reply port, read after the reply, is closed");
        assertEquals(base, Loops.next(seen));
        Loops.settle(loop);
        assertEquals(base, loop.core.portCount());
        assertTrue(loops.errors.isEmpty(), loops.errors.toString());
    }

    @Test
    void aRequestsPortMadeOnAnotherThreadDuringItsHandlerIsTheOneTheReplyAnswersThrough() throws Exception {
        LinkedBlockingQueue<Object> seen = new LinkedBlockingQueue<>();
        MessagePort port = replier(e -> {
            try {
                // Another thread reads the ports first: it makes (and binds) the port object.
                MessagePort made = CompletableFuture.supplyAsync(() -> e.ports().get(0))
                        .get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                seen.add(made.isOpenHere());
                Requests.reply(e, "through the port");
                seen.add(made == Requests.replyPort(e));
                seen.add(made.isOpenHere());
            } catch (Exception failure) {
                seen.add(failure);
            }
        });
        assertEquals("through the port", await(Requests.ask(port, "q", Loops.TIMEOUT)));
        assertEquals(Boolean.TRUE, Loops.next(seen), "made open and bound");
        assertEquals(Boolean.TRUE, Loops.next(seen), "the same object on every read");
        assertEquals(Boolean.FALSE, Loops.next(seen), "closed by the reply");
        assertTrue(loops.errors.isEmpty(), loops.errors.toString());
    }

    @Test
    void aRequestKeptPastItsHandlerIsBoundThenAndAnsweredLaterFromAnotherThread() throws Exception {
        EventLoop loop = loops.start("replier");
        LinkedBlockingQueue<MessageEvent> kept = new LinkedBlockingQueue<>();
        MessageChannel channel = channelOn(loop, kept::add); // the ports are not read in the handler
        int base = loop.core.portCount();
        CompletableFuture<Object> answer = Requests.ask(channel.port1(), "q", Loops.TIMEOUT);
        MessageEvent request = Loops.next(kept);
        Loops.settle(loop);
        assertEquals(base + 1, loop.core.portCount(), "bound to the replier's loop when the dispatch ended");
        assertTrue(Requests.replyPort(request).isOpenHere());
        Requests.reply(request, "later"); // on the test thread
        assertEquals("later", await(answer));
        Loops.settle(loop);
        assertEquals(base, loop.core.portCount());
    }

    @Test
    void anUnansweredRequestWhoseEventIsDroppedFailsWithAbortErrorOnceCollected() throws Exception {
        // The port the dispatch bound at its end is only weakly held: collected with the event, it is
        // disentangled (HTML #ports-and-garbage-collection), and the requester learns of it.
        MessagePort port = replier(e -> { });
        CompletableFuture<Object> answer = Requests.ask(port, "ignored", Loops.TIMEOUT);
        long end = System.nanoTime() + Loops.TIMEOUT.toNanos();
        while (!answer.isDone() && System.nanoTime() - end < 0L) {
            System.gc();
            try {
                answer.get(20, TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException notYet) {
                // prod the GC again, or done
            }
        }
        assertEquals("AbortError", assertInstanceOf(DOMException.class, failureOf(answer)).name());
    }

    @Test
    void aPendingAskKeepsAWorkersLoopAliveUntilTheAnswerComes() throws Exception {
        // Its reply end is no registered port: the answer's timer keeps the loop alive instead.
        LinkedBlockingQueue<MessageEvent> requests = new LinkedBlockingQueue<>();
        MessageChannel channel = channelOn(loops.start("replier"), requests::add);
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        CompletableFuture<Thread> workerThread = new CompletableFuture<>();
        EventLoop parent = loops.start("parent");
        Loops.on(parent, () -> {
            Worker worker = new Worker("asker", scope -> {
                workerThread.complete(Thread.currentThread());
                Requests.ask(channel.port1(), "q", Loops.TIMEOUT)
                        .thenAccept(v -> scope.parentPort().postMessage("answer " + v));
            });
            worker.onmessage(e -> events.add("message " + e.data()));
            worker.addEventListener("exit", e -> events.add("exit " + ((Worker.ExitEvent) e).exitCode()));
            return worker;
        });
        MessageEvent request = Loops.next(requests);
        Loops.awaitIdle(workerThread.get(10, TimeUnit.SECONDS)); // idle, and its lifetime check kept it
        assertNull(Loops.pollSettled(events, parent), "still alive while the answer is pending");
        Requests.reply(request, 42);
        assertEquals("message answer 42", Loops.next(events));
        assertEquals("exit 0", Loops.next(events));
    }

    @Test
    void anAnswerInItsHandlerToAnAskThatTimedOutMeanwhileIsDroppedQuietly() throws Exception {
        // The reply port of an ask says so itself (PortEndpoint.answersAsk): the answer through its
        // endpoint takes the requester's end for open without looking, and the closed end drops it.
        EventLoop loop = loops.start("replier");
        java.util.concurrent.CountDownLatch timedOut = new java.util.concurrent.CountDownLatch(1);
        LinkedBlockingQueue<Object> seen = new LinkedBlockingQueue<>();
        MessageChannel channel = channelOn(loop, e -> {
            if (e.data().equals("slow")) {
                try {
                    seen.add(timedOut.await(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            Requests.reply(e, "re:" + e.data());
            seen.add(loop.core.portCount());
        });
        int base = loop.core.portCount();
        CompletableFuture<Object> slow = Requests.ask(channel.port1(), "slow", Duration.ofMillis(30));
        assertInstanceOf(TimeoutException.class, failureOf(slow));
        timedOut.countDown();
        assertEquals(Boolean.TRUE, Loops.next(seen));
        assertEquals(base, Loops.next(seen), "answered through the endpoint: no port bound");
        assertEquals("re:next", await(Requests.ask(channel.port1(), "next", Loops.TIMEOUT)));
        assertEquals(base, Loops.next(seen));
        assertTrue(loops.errors.isEmpty(), loops.errors.toString());
    }

    @Test
    void aLoneReplyPortWhosePeerIsAFullBoundedPortRefusesTheAnswerInTheHandler() throws Exception {
        // Not an ask's reply port: its peer may be bounded, and then the answer in the handler takes
        // the port's way, which refuses it while the peer's queue is full (straight through the
        // endpoint it would have been queued past the bound).
        java.util.concurrent.CountDownLatch drained = new java.util.concurrent.CountDownLatch(1);
        LinkedBlockingQueue<Object> seen = new LinkedBlockingQueue<>();
        MessagePort port = replier(e -> {
            try {
                Requests.reply(e, "v");
                seen.add("accepted");
            } catch (DOMException refused) {
                seen.add(refused.name());
            }
            try {
                seen.add(drained.await(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            Requests.reply(e, "v");
        });
        MessageChannel reply = MessageChannel.bounded(1);
        reply.port2().postMessage("fills port1's queue");
        port.postMessage("q", List.of(reply.port2()));
        assertEquals("QuotaExceededError", Loops.next(seen));
        assertEquals("fills port1's queue", reply.port1().receiveMessage(Loops.TIMEOUT).data());
        drained.countDown();
        assertEquals(Boolean.TRUE, Loops.next(seen));
        assertEquals(Map.of("type", "RAW", "value", "v"), reply.port1().receiveMessage(Loops.TIMEOUT).data());
    }

    @Test
    void aRequestWithoutPortsHasNoReplyPort() {
        MessageEvent plain = new MessageEvent("message");
        assertEquals("InvalidStateError",
                assertThrows(DOMException.class, () -> Requests.reply(plain, 1)).name());
        assertSame("port", assertThrows(NullPointerException.class,
                () -> Requests.ask(null, 1, Loops.TIMEOUT)).getMessage());
    }
}
