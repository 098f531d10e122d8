package dev.entangle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Requests#ask} made in a task of a dedicated loop, the first ask of that task: the loop
 * watches the reply end, and the request is posted before the future is made, bound and armed
 * (Requests, "Post first"). Every outcome of {@code RequestsTest} that this order could change, each
 * checked on the asking loop, and the loop still asking afterwards.
 */
class AskFromAWatchingLoopTest {
    private final Loops loops = new Loops();

    @AfterEach
    void closeLoops() throws InterruptedException {
        loops.close();
    }

    /** What an ask's future completed with, and whether on the asking loop. */
    private record Outcome(Object value, Throwable failure, boolean onAskingLoop) {
    }

    /** Runs {@code ask} as a task of {@code requester} and waits for the outcome of its future. */
    private static Outcome askOn(EventLoop requester, Supplier<CompletableFuture<Object>> ask)
            throws Exception {
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        requester.execute(() -> ask.get().whenComplete((value, failure) ->
                outcome.complete(new Outcome(value, failure, EventLoop.current() == requester))));
        Outcome o = outcome.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue(o.onAskingLoop(), "completed off the asking loop");
        return o;
    }

    /** A port whose far end, on a replier loop, runs {@code handler}. */
    private MessagePort replier(EventHandler<MessageEvent> handler) throws Exception {
        EventLoop loop = loops.start("replier");
        MessageChannel channel = new MessageChannel(loop);
        Loops.on(loop, () -> {
            channel.port2().onmessage(handler);
            return null;
        });
        return channel.port1();
    }

    /** The failure as thrown: whenComplete on the future itself sees it unwrapped already. */
    private static Throwable unwrapped(Throwable failure) {
        return failure instanceof CompletionException ? failure.getCause() : failure;
    }

    @Test
    void theAnswerCompletesTheFutureOnTheAskingLoopAskAfterAsk() throws Exception {
        MessagePort port = replier(e -> Requests.reply(e, "re:" + e.data()));
        EventLoop requester = loops.start("requester");
        for (int i = 0; i < 50; i++) {
            String q = "q" + i;
            assertEquals("re:" + q, askOn(requester, () -> Requests.ask(port, q, Loops.TIMEOUT)).value());
        }
        assertTrue(loops.errors.isEmpty(), loops.errors.toString());
    }

    @Test
    void anErrorTheReplierSendsFailsTheFutureWithItsTypeAndMessage() throws Exception {
        MessagePort port = replier(e -> Requests.replyError(e, new IllegalStateException("frozen")));
        EventLoop requester = loops.start("requester");
        RemoteError error = assertInstanceOf(RemoteError.class,
                unwrapped(askOn(requester, () -> Requests.ask(port, "q", Loops.TIMEOUT)).failure()));
        assertEquals("java.lang.IllegalStateException", error.remoteName());
        assertEquals("frozen", error.getMessage());
    }

    @Test
    void anUncloneableRequestFailsWithDataCloneErrorAndTheNextAskOfThatLoopIsAnswered() throws Exception {
        // The refused post of "post first": the future is made after the refusal, and fails with it.
        LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
        MessagePort port = replier(e -> {
            received.add(e.data());
            Requests.reply(e, "re:" + e.data());
        });
        EventLoop requester = loops.start("requester");
        DOMException refused = assertInstanceOf(DOMException.class,
                unwrapped(askOn(requester, () -> Requests.ask(port, new Object(), Loops.TIMEOUT)).failure()));
        assertEquals("DataCloneError", refused.name());
        assertEquals("re:after", askOn(requester, () -> Requests.ask(port, "after", Loops.TIMEOUT)).value());
        // The sentinel: the replier's first request is the one after the refused one.
        assertEquals("after", Loops.next(received));
        assertTrue(loops.errors.isEmpty(), loops.errors.toString());
    }

    @Test
    void aReplyThroughThePortObjectTheReplierMadeIsTheAnswerAndClosesThatPort() throws Exception {
        // The replier reads the ports first: the reply goes through a bound port, whose post looks at
        // the requester's end's handle, which "post first" binds after the request was posted.
        LinkedBlockingQueue<Boolean> replyPortOpen = new LinkedBlockingQueue<>();
        MessagePort port = replier(e -> {
            MessagePort replyPort = e.ports().get(0);
            Requests.reply(e, List.of("through", e.data()));
            replyPortOpen.add(replyPort.isOpenHere());
        });
        EventLoop requester = loops.start("requester");
        for (int i = 0; i < 20; i++) {
            int n = i;
            Outcome outcome = askOn(requester, () -> Requests.ask(port, n, Loops.TIMEOUT));
            assertEquals(List.of("through", n), outcome.value());
            assertEquals(Boolean.FALSE, Loops.next(replyPortOpen));
        }
        assertTrue(loops.errors.isEmpty(), loops.errors.toString());
    }

    @Test
    void theReplierClosingTheReplyPortFailsWithAbortError() throws Exception {
        MessagePort port = replier(e -> Requests.replyPort(e).close());
        EventLoop requester = loops.start("requester");
        DOMException failure = assertInstanceOf(DOMException.class,
                unwrapped(askOn(requester, () -> Requests.ask(port, "dropped", Loops.TIMEOUT)).failure()));
        assertEquals("AbortError", failure.name());
    }

    @Test
    void noAnswerWithinTheTimeoutFailsWithTimeoutExceptionAndTheReplierSeesClose() throws Exception {
        // The timeout is armed after the post: it must still be armed.
        LinkedBlockingQueue<String> replierSide = new LinkedBlockingQueue<>();
        MessagePort port = replier(e -> Requests.replyPort(e).onclose(c -> replierSide.add("closed")));
        EventLoop requester = loops.start("requester");
        assertInstanceOf(TimeoutException.class, unwrapped(
                askOn(requester, () -> Requests.ask(port, "slow", Duration.ofMillis(30))).failure()));
        assertEquals("closed", Loops.next(replierSide));
    }

    @Test
    void twoAsksOfOneTaskAreEachAnsweredTheSecondUnwatched() throws Exception {
        MessagePort port = replier(e -> Requests.reply(e, "re:" + e.data()));
        EventLoop requester = loops.start("requester");
        CompletableFuture<List<Object>> both = new CompletableFuture<>();
        requester.execute(() -> {
            CompletableFuture<Object> first = Requests.ask(port, "a", Loops.TIMEOUT);
            CompletableFuture<Object> second = Requests.ask(port, "b", Loops.TIMEOUT);
            first.thenCombine(second, List::of).whenComplete((v, f) -> {
                if (f != null) {
                    both.completeExceptionally(f);
                } else {
                    both.complete(v);
                }
            });
        });
        assertEquals(List.of("re:a", "re:b"), both.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    }

    @Test
    void aReplyPortTransferredOnwardAnswersFromThere() throws Exception {
        // The reply end travels on to a third loop, which answers through a port object of its own.
        EventLoop third = loops.start("third");
        MessageChannel onward = new MessageChannel(third);
        Loops.on(third, () -> {
            onward.port2().onmessage(e -> Requests.reply(e, "from third:" + e.data()));
            return null;
        });
        MessagePort port = replier(e -> onward.port1().postMessage(e.data(), List.of(Requests.replyPort(e))));
        EventLoop requester = loops.start("requester");
        Outcome outcome = askOn(requester, () -> Requests.ask(port, "q", Loops.TIMEOUT));
        assertNull(outcome.failure());
        assertEquals("from third:q", outcome.value());
        assertTrue(loops.errors.isEmpty(), loops.errors.toString());
    }
}
