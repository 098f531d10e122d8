package dev.entangle;

import static dev.entangle.Loops.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Worker (issue 4, item 2): scope and workerData, the implicit channel both ways, the event order
 * online → messages → error → exit, exit codes (Node: 0 normal, 1 uncaught error or terminate), and
 * terminate() of a worker busy in a handler. Every test ends with no thread left behind.
 */
class WorkerTest {
    private final Loops loops = new Loops();
    private final LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<Throwable> reported = new LinkedBlockingQueue<>();
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
        assertNull(loops.errors.poll(), "no listener error on the parent loop");
    }

    /** Creates a worker inside a task of the parent loop and records its events there. */
    private Worker spawn(String name, Object data, List<?> transfer, Worker.Body body) throws Exception {
        return Loops.on(parent, () -> record(new Worker(name, data, transfer, body)));
    }

    private Worker spawn(String name, Worker.Body body) throws Exception {
        return spawn(name, null, List.of(), body);
    }

    private Worker record(Worker worker) {
        worker.addEventListener("online", e -> events.add("online" + onParent()));
        worker.addEventListener("message", e -> events.add("message " + ((MessageEvent) e).data() + onParent()));
        worker.addEventListener("messageerror", e -> events.add("messageerror"));
        worker.addEventListener("error", e -> {
            ErrorEvent error = (ErrorEvent) e;
            reported.add(error.error());
            events.add("error " + error.message() + (error.cancelable() ? " cancelable" : ""));
        });
        worker.addEventListener("exit", e -> events.add("exit " + ((Worker.ExitEvent) e).exitCode()
                + onParent()));
        return worker;
    }

    private String onParent() {
        return parent.inEventLoop() ? "" : " (on " + EventLoop.current().name() + ")";
    }

    private static int exitCode(CompletionStage<Integer> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void bodyRunsOnItsOwnLoopWithClonedWorkerDataAndTransferredPorts() throws Exception {
        MessageChannel line = new MessageChannel(parent);
        LinkedBlockingQueue<Object> overTheLine = new LinkedBlockingQueue<>();
        line.port1().onmessage(e -> overTheLine.add(e.data()));
        Worker worker = spawn("scoped", line.port2(), List.of(line.port2()), scope -> {
            MessagePort port = (MessagePort) scope.workerData();
            port.postMessage(scope.name() + " on " + Thread.currentThread().getName() + ", current "
                    + (EventLoop.current() == scope.loop()) + ", port owned " + (port.owner() == scope.loop()));
        });

        assertEquals("scoped on scoped, current true, port owned true", next(overTheLine));
        assertEquals("online", next(events));
        assertEquals("exit 0", next(events), "the worker ended once its body returned");
        assertEquals(0, exitCode(worker.terminate()), "terminate() after exit returns the exit code");
        assertThrows(DOMException.class, () -> line.port1().postMessage(null, List.of(line.port2())),
                "the transferred port was detached at the parent");
    }

    @Test
    void uncloneableWorkerDataThrowsDataCloneErrorAndStartsNothing() {
        MessageChannel channel = new MessageChannel(parent);
        DOMException e = assertThrows(DOMException.class,
                () -> new Worker("bad", new Object(), List.of(channel.port1()), scope -> { }));
        assertEquals("DataCloneError", e.name());
        channel.port1().postMessage("still usable: nothing was detached");
        // No worker thread: checked by the leak check after the test.
    }

    @Test
    void creatingAWorkerOnAClosingLoopIsInvalidStateErrorAndStartsNothing() throws Exception {
        EventLoop closing = loops.start("closing");
        CountDownLatch gate = new CountDownLatch(1);
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        closing.execute(() -> {
            try {
                gate.await();
                new Worker("late", scope -> { });
                thrown.complete(null);
            } catch (Throwable t) {
                thrown.complete(t);
            }
        });
        closing.close(); // the queued task still runs, on a closing loop
        gate.countDown();
        DOMException e = assertInstanceOf(DOMException.class, thrown.get(10, TimeUnit.SECONDS));
        assertEquals("InvalidStateError", e.name());
    }

    @Test
    void eventsArriveOnlineThenMessagesThenExitOnTheParentLoop() throws Exception {
        spawn("poster", scope -> {
            for (int i = 1; i <= 3; i++) {
                scope.parentPort().postMessage(i);
            }
        });
        assertEquals(List.of("online", "message 1", "message 2", "message 3", "exit 0"),
                List.of(next(events), next(events), next(events), next(events), next(events)));
    }

    @Test
    void messagesFlowBothWaysOverTheImplicitChannel() throws Exception {
        CompletableFuture<Thread> workerThread = new CompletableFuture<>();
        Worker worker = spawn("echo", scope -> {
            workerThread.complete(Thread.currentThread());
            scope.parentPort().onmessage(e -> {
                if ("bye".equals(e.data())) {
                    scope.parentPort().close(); // nothing keeps the worker alive any more
                } else {
                    scope.parentPort().postMessage("echo " + e.data());
                }
            });
        });
        worker.postMessage("a");
        worker.postMessage("b", List.of());
        worker.postMessage("c", StructuredSerializeOptions.DEFAULT);
        assertEquals("online", next(events));
        assertEquals("message echo a", next(events));
        assertEquals("message echo b", next(events));
        assertEquals("message echo c", next(events));
        Loops.awaitIdle(workerThread.get(10, TimeUnit.SECONDS)); // idle, and its lifetime check kept it
        assertNull(Loops.pollSettled(events, parent), "a port with a handler keeps the worker alive");
        worker.postMessage("bye");
        assertEquals("exit 0", next(events));
        worker.postMessage("after exit: silently dropped");
    }

    @Test
    void aWorkerWhoseBodyThrowsReportsErrorThenExitWithCode1() throws Exception {
        IllegalStateException boom = new IllegalStateException("boom");
        Worker worker = spawn("thrower", scope -> {
            scope.parentPort().postMessage("before");
            throw boom;
        });
        assertEquals("online", next(events));
        assertEquals("message before", next(events), "messages posted before the throw come first");
        assertEquals("error Uncaught java.lang.IllegalStateException: boom cancelable", next(events));
        assertSame(boom, next(reported), "the throwable itself, by reference");
        assertEquals("exit 1", next(events));
        assertEquals(1, exitCode(worker.terminate()));
    }

    @Test
    void aCheckedExceptionFromTheBodyIsReportedAsIs() throws Exception {
        spawn("checked", scope -> {
            throw new java.io.IOException("disk");
        });
        assertEquals("online", next(events));
        assertEquals("error Uncaught java.io.IOException: disk cancelable", next(events));
        assertInstanceOf(java.io.IOException.class, next(reported));
        assertEquals("exit 1", next(events));
    }

    @Test
    void aHandlerThatThrowsInTheWorkerStopsItBeforeLaterMessages() throws Exception {
        Worker worker = spawn("fragile", scope -> scope.parentPort().onmessage(e -> {
            if ("boom".equals(e.data())) {
                throw new IllegalArgumentException("bad message");
            }
            scope.parentPort().postMessage("ok " + e.data());
        }));
        worker.postMessage("a");
        worker.postMessage("boom");
        worker.postMessage("c");
        assertEquals("online", next(events));
        assertEquals("message ok a", next(events));
        assertEquals("error Uncaught java.lang.IllegalArgumentException: bad message cancelable",
                next(events));
        assertEquals("exit 1", next(events));
        // What the worker posts before it ends arrives before its exit (see the test below); after the
        // exit, the parent loop has run whatever was queued for it.
        assertNull(Loops.pollSettled(events, parent), "'c' is never handled: the worker stopped");
    }

    @Test
    void messagesPostedRightBeforeAWorkerExitsAllArriveBeforeExitRepeated1000Times() throws Exception {
        int messages = 5;
        for (int round = 0; round < 1_000; round++) {
            int r = round;
            LinkedBlockingQueue<String> seen = new LinkedBlockingQueue<>();
            CompletableFuture<Integer> exit = new CompletableFuture<>();
            Loops.on(parent, () -> {
                Worker worker = new Worker("w" + r, scope -> {
                    for (int i = 0; i < messages; i++) {
                        scope.parentPort().postMessage(i);
                    }
                    if (r % 2 == 1) {
                        scope.exit(7); // the other half end by themselves
                    }
                });
                worker.onmessage(e -> seen.add(String.valueOf(e.data())));
                worker.addEventListener("exit", e -> exit.complete(((Worker.ExitEvent) e).exitCode()));
                return worker;
            });
            assertEquals(r % 2 == 1 ? 7 : 0, exit.get(10, TimeUnit.SECONDS), "round " + r);
            assertEquals(List.of("0", "1", "2", "3", "4"), new ArrayList<>(seen), "round " + r);
        }
    }

    @Test
    void terminateOfAWorkerSpinningInAHandlerInterruptsItAndCompletesWithCode1() throws Exception {
        MessageChannel line = new MessageChannel(parent);
        line.port1().onclose(e -> events.add("close at the far end"));
        Worker worker = spawn("spinner", line.port2(), List.of(line.port2()), scope -> {
            MessagePort port = (MessagePort) scope.workerData();
            port.start();
            scope.parentPort().onmessage(e -> {
                scope.parentPort().postMessage("spinning");
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.onSpinWait();
                }
                scope.parentPort().postMessage("after terminate: dropped, the port is closed");
            });
        });
        worker.postMessage("go");
        assertEquals("online", next(events));
        assertEquals("message spinning", next(events));

        CompletionStage<Integer> stage = worker.terminate();

        assertEquals(1, exitCode(stage));
        List<String> rest = List.of(next(events), next(events));
        assertTrue(rest.containsAll(List.of("close at the far end", "exit 1")), rest::toString);
        assertNull(Loops.pollSettled(events, parent), "nothing after exit");
        assertEquals(1, exitCode(worker.terminate()), "terminate() again: the same code");
    }

    @Test
    void terminateOfAWorkerThatIgnoresInterruptsClosesItsPortsAtOnceAndCompletesWhenTheHandlerReturns()
            throws Exception {
        AtomicBoolean release = new AtomicBoolean();
        MessageChannel line = new MessageChannel(parent);
        line.port1().onclose(e -> events.add("close at the far end"));
        Worker worker = spawn("stubborn", line.port2(), List.of(line.port2()), scope -> {
            ((MessagePort) scope.workerData()).start();
            scope.parentPort().onmessage(e -> {
                scope.parentPort().postMessage("spinning");
                while (!release.get()) {
                    Thread.interrupted(); // ignores interrupts on purpose
                    Thread.onSpinWait();
                }
            });
        });
        worker.postMessage("go");
        assertEquals("online", next(events));
        assertEquals("message spinning", next(events));

        CompletableFuture<Integer> stage = worker.terminate().toCompletableFuture();

        assertEquals("close at the far end", next(events), "ports closed while the handler still runs");
        // The exit is queued on the parent by the worker's thread once its loop ends, and that thread
        // spins in the handler until `release`; terminate() has returned. So the parent loop, settled,
        // has run all there is: no exit yet.
        assertNull(Loops.pollSettled(events, parent), "no exit while the handler spins");
        assertFalse(stage.isDone(), "the stage waits for the handler to return");
        release.set(true);
        assertEquals(1, stage.get(10, TimeUnit.SECONDS));
        assertEquals("exit 1", next(events));
    }

    @Test
    void terminateRightAfterCreationAlwaysEndsWithExit1AndNoError() throws Exception {
        // Races terminate() against the worker's start: the body may or may not have run.
        for (int round = 0; round < 50; round++) {
            LinkedBlockingQueue<String> seen = new LinkedBlockingQueue<>();
            CompletionStage<Integer> stage = Loops.on(parent, () -> {
                Worker worker = new Worker("short-lived", scope -> scope.parentPort().onmessage(e -> { }));
                worker.addEventListener("error", e -> seen.add("error"));
                worker.addEventListener("exit", e -> seen.add("exit " + ((Worker.ExitEvent) e).exitCode()));
                return worker.terminate();
            });
            assertEquals(1, exitCode(stage), "round " + round);
            assertEquals("exit 1", next(seen), "round " + round);
        }
    }

    @Test
    void eventsOfAWorkerCreatedOffAnyLoopWaitForStart() throws Exception {
        CompletableFuture<Thread> workerThread = new CompletableFuture<>();
        Worker worker = record(new Worker("detached", scope -> {
            workerThread.complete(Thread.currentThread());
            scope.parentPort().postMessage("hi");
        }));
        // Nothing keeps the worker alive: its thread ends, having queued all it ever queues (the exit
        // included, were it not held until start()); then the common loop runs what is queued there.
        Thread thread = workerThread.get(10, TimeUnit.SECONDS);
        thread.join(Loops.TIMEOUT.toMillis());
        assertFalse(thread.isAlive(), "the worker's thread ended");
        assertNull(Loops.pollSettled(events, EventLoop.common()), "nothing before start()");
        worker.start();
        assertEquals("online (on entangle-common)", next(events), "dispatched on the common loop");
        assertEquals("message hi (on entangle-common)", next(events));
        assertEquals("exit 0 (on entangle-common)", next(events));
    }

    @Test
    void scopeExitEndsTheWorkerWithThatCodeAndClosesItsPorts() throws Exception {
        MessageChannel line = new MessageChannel(parent);
        line.port1().onclose(e -> events.add("close at the far end"));
        Worker worker = spawn("exiter", line.port2(), List.of(line.port2()), scope -> {
            MessagePort port = (MessagePort) scope.workerData();
            port.onmessage(e -> { }); // would keep the worker alive
            scope.parentPort().onmessage(e -> scope.exit((Integer) e.data()));
        });
        assertEquals("online", next(events));
        worker.postMessage(42);
        List<String> rest = List.of(next(events), next(events));
        assertTrue(rest.containsAll(List.of("close at the far end", "exit 42")), rest::toString);
        assertEquals(42, exitCode(worker.terminate()));
    }
}
