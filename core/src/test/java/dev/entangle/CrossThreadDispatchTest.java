package dev.entangle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code dispatchEvent} on a port from a thread other than its owner's (DOM "dispatch" runs listeners
 * synchronously; entangle runs them on the owner loop, see {@code OwnerDispatch}): a plain thread
 * waits for the dispatch, bounded by the owner's termination; another loop's thread is refused with
 * InvalidStateError instead of blocking (two loops doing so at each other used to deadlock).
 */
class CrossThreadDispatchTest {
    private final Loops loops = new Loops();
    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach
    void close() throws InterruptedException {
        loops.close();
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }

    @Test
    void aPlainThreadWaitsForTheDispatchOnTheOwnerLoop() throws Exception {
        EventLoop loop = loops.start("owner");
        MessagePort port = new MessageChannel(loop).port1();
        LinkedBlockingQueue<String> ranOn = new LinkedBlockingQueue<>();
        port.addEventListener("custom", e -> {
            ranOn.add(Thread.currentThread().getName());
            e.preventDefault();
        });
        Event event = new Event("custom", EventInit.DEFAULT.withCancelable(true));
        assertFalse(port.dispatchEvent(event), "the listener's preventDefault is seen by the caller");
        assertEquals("owner", ranOn.poll()); // already there: the call waited for the dispatch
    }

    /** Two handlers on two loops dispatching at each other's ports: refused, no deadlock. */
    @Test
    void twoLoopsDispatchingAtEachOthersPortsAreRefusedInsteadOfDeadlocking() throws Exception {
        EventLoop a = loops.start("a");
        EventLoop b = loops.start("b");
        MessagePort onA = new MessageChannel(a).port1();
        MessagePort onB = new MessageChannel(b).port1();
        CountDownLatch bothInside = new CountDownLatch(2);
        LinkedBlockingQueue<String> outcomes = new LinkedBlockingQueue<>();
        a.execute(() -> dispatchAcross(bothInside, onB, outcomes));
        b.execute(() -> dispatchAcross(bothInside, onA, outcomes));
        String first = Loops.next(outcomes);
        String second = Loops.next(outcomes);
        assertEquals("InvalidStateError", first);
        assertEquals("InvalidStateError", second);
        assertEquals("a alive", Loops.on(a, () -> "a alive"));
        assertEquals("b alive", Loops.on(b, () -> "b alive"));
    }

    private static void dispatchAcross(CountDownLatch bothInside, MessagePort target,
            LinkedBlockingQueue<String> outcomes) {
        bothInside.countDown();
        try {
            bothInside.await(10, TimeUnit.SECONDS);
            target.dispatchEvent(new Event("ping"));
            outcomes.add("dispatched");
        } catch (DOMException e) {
            outcomes.add(e.name());
        } catch (InterruptedException e) {
            outcomes.add("interrupted");
        }
    }

    /** What a loop does instead: queue the dispatch on the owner. */
    @Test
    void aLoopHandsTheDispatchToTheOwnerWithExecute() throws Exception {
        EventLoop a = loops.start("a");
        EventLoop b = loops.start("b");
        MessagePort onB = new MessageChannel(b).port1();
        LinkedBlockingQueue<String> ranOn = new LinkedBlockingQueue<>();
        onB.addEventListener("ping", e -> ranOn.add(Thread.currentThread().getName()));
        a.execute(() -> onB.owner().execute(() -> onB.dispatchEvent(new Event("ping"))));
        assertEquals("b", Loops.next(ranOn));
    }

    /**
     * dispatchEvent racing loop.close() from a plain thread: every call returns (dispatched, or
     * InvalidStateError once the loop is closed). Before the fix an accepted dispatch task could be
     * stranded by the close and its caller waited for ever.
     */
    @Test
    void dispatchRacingCloseAlwaysReturns() throws Exception {
        for (int round = 0; round < 300; round++) {
            EventLoop loop = EventLoop.start("closing-" + round);
            MessagePort port = new MessageChannel(loop).port1();
            CompletableFuture<Integer> dispatcher = CompletableFuture.supplyAsync(() -> {
                int dispatched = 0;
                while (true) {
                    try {
                        port.dispatchEvent(new Event("ping"));
                        dispatched++;
                    } catch (DOMException e) {
                        assertEquals("InvalidStateError", e.name());
                        return dispatched;
                    }
                }
            }, pool);
            if (round % 2 == 0) {
                Thread.onSpinWait();
            }
            loop.close();
            int dispatched = dispatcher.get(10, TimeUnit.SECONDS); // never hangs
            assertTrue(dispatched >= 0);
            assertTrue(loop.awaitTermination(Loops.TIMEOUT));
        }
    }

    /**
     * A multiplexed loop whose executor refuses its turn is abandoned: a dispatch waiting for it ends
     * with InvalidStateError instead of waiting for ever, and execute() says the task was refused.
     */
    @Test
    void aDispatchOnALoopWhoseExecutorRefusesEndsWithInvalidStateError() throws Exception {
        TurnCountingExecutor executor = new TurnCountingExecutor(pool);
        LinkedBlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
        EventLoop loop = EventLoop.on(executor, "refused", (thread, error) -> errors.add(error));
        MessagePort port = new MessageChannel(loop).port1();
        assertTrue(port.dispatchEvent(new Event("ping"))); // works while the executor accepts
        executor.awaitIdle(); // else a turn still running could take the next dispatch itself
        executor.refuse();
        CompletableFuture<String> outcome = CompletableFuture.supplyAsync(() -> {
            try {
                port.dispatchEvent(new Event("ping"));
                return "dispatched";
            } catch (DOMException e) {
                return e.name();
            }
        }, pool);
        assertEquals("InvalidStateError", outcome.get(10, TimeUnit.SECONDS));
        assertTrue(Loops.next(errors) instanceof RejectedExecutionException);
        assertTrue(loop.awaitTermination(Loops.TIMEOUT));
        assertThrows(RejectedExecutionException.class, () -> loop.execute(() -> { }));
    }

    /** An interrupted waiter stops waiting with AbortError and keeps its interrupt status. */
    @Test
    void anInterruptedWaiterGetsAbortError() throws Exception {
        EventLoop loop = loops.start("busy");
        MessagePort port = new MessageChannel(loop).port1();
        CountDownLatch blocking = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(() -> {
            blocking.countDown();
            try {
                release.await(10, TimeUnit.SECONDS); // holds the loop so that the dispatch waits
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(blocking.await(10, TimeUnit.SECONDS));
        Thread.currentThread().interrupt();
        DOMException e = assertThrows(DOMException.class, () -> port.dispatchEvent(new Event("ping")));
        assertEquals("AbortError", e.name());
        assertTrue(Thread.interrupted(), "interrupt status kept");
        release.countDown();
    }
}
