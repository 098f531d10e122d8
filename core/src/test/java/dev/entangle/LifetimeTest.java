package dev.entangle;

import static dev.entangle.Loops.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Lifetime (issue 4, item 3; Node's rule, see its {@code port.ref()} / {@code unref()} /
 * {@code hasRef()}): a worker's loop lives while it has work or a ref'ed, open, entangled, started port
 * with a message listener, and ends by itself otherwise; dedicated loops live until closed; no thread
 * outlives its loop.
 */
class LifetimeTest {
    private final Loops loops = new Loops();
    private final LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
    private LiveThreads threads;
    private EventLoop parent;

    @BeforeEach
    void startParent() {
        threads = LiveThreads.snapshot();
        parent = loops.start("parent");
    }

    @AfterEach
    void noLeaks() throws InterruptedException {
        loops.close();
        threads.assertNoneLeaked(Loops.TIMEOUT);
        assertNull(loops.errors.poll(), "no error reported on the parent loop");
    }

    private Worker spawn(Worker.Body body) throws Exception {
        return Loops.on(parent, () -> {
            Worker worker = new Worker("lifetime", body);
            worker.onmessage(e -> events.add("message " + e.data()));
            worker.addEventListener("error", e -> events.add("error " + ((ErrorEvent) e).error()));
            worker.addEventListener("exit", e -> events.add("exit " + ((Worker.ExitEvent) e).exitCode()));
            return worker;
        });
    }

    @Test
    void anUnrefedPortLetsTheWorkerEnd() throws Exception {
        CompletableFuture<Boolean> hasRef = new CompletableFuture<>();
        spawn(scope -> {
            scope.parentPort().onmessage(e -> events.add("handled " + e.data()));
            scope.parentPort().unref();
            hasRef.complete(scope.parentPort().hasRef());
        });
        assertEquals("exit 0", next(events), "the handler alone would have kept it alive");
        assertFalse(hasRef.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aRefedPortWithAHandlerKeepsTheWorkerAliveUntilItCloses() throws Exception {
        CompletableFuture<Thread> workerThread = new CompletableFuture<>();
        Worker worker = spawn(scope -> {
            workerThread.complete(Thread.currentThread());
            scope.parentPort().onmessage(e -> scope.parentPort().close());
            scope.parentPort().unref();
            scope.parentPort().ref(); // ref again: keeps it alive
        });
        Loops.awaitIdle(workerThread.get(10, TimeUnit.SECONDS)); // idle, and its lifetime check kept it
        assertNull(Loops.pollSettled(events, parent), "still alive");
        worker.postMessage("close yourself");
        assertEquals("exit 0", next(events));
    }

    @Test
    void unrefFromAnotherThreadWakesAnIdleWorkerSoThatItEnds() throws Exception {
        CompletableFuture<MessagePort> port = new CompletableFuture<>();
        CompletableFuture<Thread> workerThread = new CompletableFuture<>();
        spawn(scope -> {
            workerThread.complete(Thread.currentThread());
            scope.parentPort().onmessage(e -> { });
            port.complete(scope.parentPort());
        });
        Loops.awaitIdle(workerThread.get(10, TimeUnit.SECONDS)); // parked: the unref() below must wake it
        assertNull(Loops.pollSettled(events, parent), "alive and idle");
        port.get(10, TimeUnit.SECONDS).unref(); // from the test thread
        assertEquals("exit 0", next(events));
    }

    @Test
    void removingTheLastMessageListenerFromAnotherThreadLetsTheWorkerEnd() throws Exception {
        CompletableFuture<MessagePort> port = new CompletableFuture<>();
        EventListener listener = e -> { };
        CompletableFuture<Thread> workerThread = new CompletableFuture<>();
        spawn(scope -> {
            workerThread.complete(Thread.currentThread());
            scope.parentPort().addEventListener("message", listener);
            scope.parentPort().start();
            port.complete(scope.parentPort());
        });
        Loops.awaitIdle(workerThread.get(10, TimeUnit.SECONDS));
        assertNull(Loops.pollSettled(events, parent), "a listener on a started port keeps it alive");
        port.get(10, TimeUnit.SECONDS).removeEventListener("message", listener);
        assertEquals("exit 0", next(events));
    }

    @Test
    void aStartedPortWithoutMessageListenerDoesNotKeepTheWorkerAlive() throws Exception {
        spawn(scope -> {
            MessageChannel own = new MessageChannel(); // owned by the worker's loop
            own.port1().onclose(e -> { });
            own.port1().start();
            scope.parentPort().postMessage("owner is the worker: " + (own.port1().owner() == scope.loop()));
        });
        assertEquals("message owner is the worker: true", next(events));
        assertEquals("exit 0", next(events));
    }

    @Test
    void aWorkerLivesWhileAnyOfItsPortsListensAndEndsWhenThatPortsPeerCloses() throws Exception {
        CompletableFuture<MessagePort> shipped = new CompletableFuture<>();
        CompletableFuture<Thread> workerThread = new CompletableFuture<>();
        Loops.on(parent, () -> {
            Worker worker = new Worker("holder", scope -> {
                workerThread.complete(Thread.currentThread());
                MessageChannel own = new MessageChannel(scope.loop());
                own.port2().onmessage(e -> { });
                own.port2().onclose(e -> scope.parentPort().postMessage("port2 got close"));
                scope.parentPort().postMessage(null, List.of(own.port1()));
            });
            worker.onmessage(e -> {
                if (e.ports().isEmpty()) {
                    events.add("message " + e.data());
                } else {
                    shipped.complete(e.ports().get(0));
                }
            });
            worker.addEventListener("exit", e -> events.add("exit " + ((Worker.ExitEvent) e).exitCode()));
            return worker;
        });
        MessagePort port1 = shipped.get(10, TimeUnit.SECONDS);
        Loops.awaitIdle(workerThread.get(10, TimeUnit.SECONDS)); // idle, and its lifetime check kept it
        assertNull(Loops.pollSettled(events, parent), "port2 keeps the worker alive");

        port1.close(); // port2 is disentangled: it can never receive again

        assertEquals("message port2 got close", next(events));
        assertEquals("exit 0", next(events));
    }

    @Test
    void queuedTasksKeepTheWorkerAliveUntilTheyHaveRun() throws Exception {
        spawn(scope -> scope.loop().execute(() -> scope.loop().execute(
                () -> scope.parentPort().postMessage("second task ran"))));
        assertEquals("message second task ran", next(events));
        assertEquals("exit 0", next(events));
    }

    @Test
    void aWorkerCreatedInsideAWorkerKeepsItAliveUntilTheInnerOneExits() throws Exception {
        spawn(scope -> {
            Worker inner = new Worker("inner", innerScope ->
                    innerScope.parentPort().onmessage(e -> innerScope.exit((Integer) e.data())));
            inner.addEventListener("exit", e -> scope.parentPort().postMessage(
                    "inner exit " + ((Worker.ExitEvent) e).exitCode()));
            inner.postMessage(5);
        });
        assertEquals("message inner exit 5", next(events), "the outer worker lived to see it");
        assertEquals("exit 0", next(events));
    }

    /**
     * The same, many times: the outer worker must see every inner exit. The inner worker's channel
     * closes before its thread reports the exit, so the outer loop may process that close first; the
     * outer worker's inbox must then still keep it alive until the exit is dispatched (a disentangled
     * port otherwise lets its loop go, see CollectionTest).
     */
    @Test
    void everyInnerWorkerExitReachesItsOuterWorker() throws Exception {
        for (int round = 0; round < 100; round++) {
            spawn(scope -> {
                Worker inner = new Worker("inner", innerScope -> { }); // ends at once
                inner.addEventListener("exit", e -> scope.parentPort().postMessage("inner exit"));
            });
            assertEquals("message inner exit", next(events), "round " + round);
            assertEquals("exit 0", next(events), "round " + round);
        }
    }

    @Test
    void anUnrefedInnerWorkerDoesNotKeepItsParentWorkerAliveAndEndsWithIt() throws Exception {
        CompletableFuture<Boolean> hasRef = new CompletableFuture<>();
        spawn(scope -> {
            Worker inner = new Worker("inner", innerScope ->
                    innerScope.parentPort().onmessage(e -> { })); // alive while its parent port is
            inner.unref();
            hasRef.complete(inner.hasRef());
        });
        assertEquals("exit 0", next(events), "the outer worker ended in spite of the inner one");
        assertFalse(hasRef.get(10, TimeUnit.SECONDS));
        // The outer worker's end closed its ports, so the inner one's parentPort was disentangled and
        // it ended too: the thread check after the test fails otherwise.
    }

    @Test
    void closingTheWorkersLoopEndsItWithCode0() throws Exception {
        spawn(scope -> {
            scope.parentPort().onmessage(e -> { });
            scope.loop().close();
        });
        assertEquals("exit 0", next(events));
    }

    @Test
    void aDedicatedLoopWithNothingToDoDoesNotEndByItself() throws Exception {
        EventLoop idle = loops.start("idle");
        Loops.awaitIdle(Loops.on(idle, Thread::currentThread)); // ran a task, looked again, parked
        assertNull(Loops.pollSettled(events, parent, idle), "no work and no port, yet no end");
        assertEquals("still running", Loops.on(idle, () -> "still running"));
        assertFalse(idle.isClosed());
    }
}
