package dev.entangle;

import static dev.entangle.Loops.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Multiplexed loops ({@code EventLoop.on(Executor, name)}): one loop at a time per thread, fairness
 * across loops sharing threads, {@code current()} / {@code inEventLoop()} while a turn runs, close, and
 * 10,000 loops in a ring on two threads (issue 4, item 1).
 */
class MultiplexedLoopTest {
    private final LinkedBlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
    private final List<EventLoop> loops = new ArrayList<>();
    private final List<ExecutorService> executors = new ArrayList<>();
    private LiveThreads threads;
    private ExecutorService pool;

    @BeforeEach
    void snapshotThreads() {
        threads = LiveThreads.snapshot();
        pool = shutDownAfterTest(Executors.newFixedThreadPool(2));
    }

    /** Shuts {@code executor} down after the test, once its loops have terminated. */
    private ExecutorService shutDownAfterTest(ExecutorService executor) {
        executors.add(executor);
        return executor;
    }

    @AfterEach
    void closeEverything() throws InterruptedException {
        for (EventLoop loop : loops) {
            loop.close();
        }
        for (EventLoop loop : loops) {
            assertTrue(loop.awaitTermination(Loops.TIMEOUT), loop + " did not terminate");
        }
        for (ExecutorService executor : executors) {
            executor.shutdown();
            assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS), executor + " did not end");
        }
        threads.assertNoneLeaked(Loops.TIMEOUT);
        assertNull(errors.poll(), "no unexpected error was reported");
    }

    private EventLoop loop(Executor executor, String name) {
        EventLoop loop = EventLoop.on(executor, name, (t, e) -> errors.add(e));
        loops.add(loop);
        return loop;
    }

    @Test
    void tasksRunInOrderWithCurrentAndInEventLoopSetOnlyDuringTheTurn() throws Exception {
        EventLoop loop = loop(pool, "m");
        LinkedBlockingQueue<String> ran = new LinkedBlockingQueue<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            loop.execute(() -> ran.add(n + ":" + (EventLoop.current() == loop) + ":" + loop.inEventLoop()
                    + ":" + Thread.currentThread().getName().startsWith("pool-")));
        }
        for (int i = 0; i < 5; i++) {
            assertEquals(i + ":true:true:true", next(ran));
        }
        // The same pool threads, outside a turn, are not in the loop.
        CompletableFuture<String> outside = CompletableFuture.supplyAsync(
                () -> EventLoop.current() + ":" + loop.inEventLoop(), pool);
        assertEquals("null:false", outside.get(10, TimeUnit.SECONDS));
        assertFalse(loop.inEventLoop());
    }

    @Test
    void neverRunsOnTwoThreadsAtOnce() throws Exception {
        ExecutorService wide = shutDownAfterTest(Executors.newFixedThreadPool(4));
        EventLoop loop = loop(wide, "exclusive");
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        int perSender = 5_000;
        CountDownLatch done = new CountDownLatch(4 * perSender);
        Runnable task = () -> {
            if (inside.incrementAndGet() != 1) {
                overlaps.incrementAndGet();
            }
            Thread.onSpinWait();
            inside.decrementAndGet();
            done.countDown();
        };
        List<Thread> senders = new ArrayList<>();
        for (int s = 0; s < 4; s++) {
            Thread sender = new Thread(() -> {
                for (int i = 0; i < perSender; i++) {
                    loop.execute(task);
                }
            });
            senders.add(sender);
            sender.start();
        }
        assertTrue(done.await(10, TimeUnit.SECONDS));
        for (Thread sender : senders) {
            sender.join();
        }
        assertEquals(0, overlaps.get(), "two threads ran the loop at once");
    }

    @Test
    void aBusyLoopYieldsItsThreadToAnotherLoopAfterABatch() throws Exception {
        // One thread, two loops: a loop whose task requeues itself forever must still let the other
        // loop run (a turn runs a bounded batch, then goes to the back of the executor's queue).
        ExecutorService single = shutDownAfterTest(Executors.newSingleThreadExecutor());
        EventLoop busy = loop(single, "busy");
        EventLoop other = loop(single, "other");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong spins = new AtomicLong();
        CountDownLatch stopped = new CountDownLatch(1);
        busy.execute(new Runnable() {
            @Override
            public void run() {
                spins.incrementAndGet();
                if (!stop.get()) {
                    busy.execute(this);
                } else {
                    stopped.countDown();
                }
            }
        });
        CountDownLatch otherRan = new CountDownLatch(1);
        other.execute(otherRan::countDown);

        assertTrue(otherRan.await(10, TimeUnit.SECONDS), "the other loop was starved");
        stop.set(true);
        assertTrue(stopped.await(10, TimeUnit.SECONDS), "the busy loop kept running");
        assertTrue(spins.get() > 1);
    }

    @Test
    void aTurnHandedToAnIdleLoopOfTheSameExecutorRunsOnTheSameThreadOnceTheHandingTurnEnds()
            throws Exception {
        // LoopCore's "Next turn on the same thread": a post from a turn to an idle loop of the same
        // executor keeps that loop's turn for the posting thread, which runs it after its own turn,
        // instead of passing it through the executor (where the other pool thread could take it).
        EventLoop a = loop(pool, "a");
        EventLoop b = loop(pool, "b");
        MessageChannel toA = new MessageChannel(a);
        MessageChannel toB = new MessageChannel(b);
        AtomicBoolean aTurnOver = new AtomicBoolean();
        CompletableFuture<Thread> aThread = new CompletableFuture<>();
        CompletableFuture<String> bSaw = new CompletableFuture<>();
        toA.port2().onmessage(e -> {
            aThread.complete(Thread.currentThread());
            toB.port1().postMessage("from a");
            // The rest of a's turn, long enough for the pool's idle thread to wake up and take b's
            // turn if it were in the executor's queue: b must not start meanwhile.
            long start = System.nanoTime();
            while (System.nanoTime() - start < 20_000_000L) {
                Thread.onSpinWait();
            }
            aTurnOver.set(true);
        });
        toB.port2().onmessage(e -> bSaw.complete(e.data() + ", a's turn over: " + aTurnOver.get()
                + ", same thread: " + (Thread.currentThread() == aThread.getNow(null))));
        toA.port1().postMessage("go");
        assertEquals("from a, a's turn over: true, same thread: true", bSaw.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aChainOfHandOffsStillLetsATurnWaitingInTheExecutorRun() throws Exception {
        // Two loops posting to each other forever on one thread: each post finds the other loop idle,
        // so its turn is kept for the thread; after a bounded chain of such turns the next one goes
        // through the executor, behind the third loop's turn that waits there. Unbounded, the third
        // loop would never run.
        assertAChainOfHandOffsLetsAQueuedTurnRun(shutDownAfterTest(Executors.newSingleThreadExecutor()));
    }

    @Test
    void onAThreadPoolExecutorTheChainStopsForATurnWaitingInItsQueue() throws Exception {
        // The same on a ThreadPoolExecutor, where the chain goes on beyond its bound while the pool's
        // queue is empty: the third loop's turn in the queue ends the chain.
        ExecutorService single = shutDownAfterTest(Executors.newFixedThreadPool(1));
        assertTrue(single instanceof ThreadPoolExecutor);
        assertAChainOfHandOffsLetsAQueuedTurnRun(single);
    }

    private void assertAChainOfHandOffsLetsAQueuedTurnRun(ExecutorService single) throws Exception {
        EventLoop ping = loop(single, "ping");
        EventLoop pong = loop(single, "pong");
        EventLoop other = loop(single, "other");
        MessageChannel toPing = new MessageChannel(ping);
        MessageChannel toPong = new MessageChannel(pong);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong rounds = new AtomicLong();
        CountDownLatch stopped = new CountDownLatch(1);
        toPing.port2().onmessage(e -> {
            rounds.incrementAndGet();
            if (stop.get()) {
                stopped.countDown();
            } else {
                toPong.port1().postMessage("ball");
            }
        });
        toPong.port2().onmessage(e -> toPing.port1().postMessage("ball"));
        toPing.port1().postMessage("ball");
        CountDownLatch otherRan = new CountDownLatch(1);
        other.execute(otherRan::countDown);

        assertTrue(otherRan.await(10, TimeUnit.SECONDS), "the loop waiting in the executor was starved");
        stop.set(true);
        assertTrue(stopped.await(10, TimeUnit.SECONDS), "the ping-pong kept going");
        assertTrue(rounds.get() > 1);
    }

    @Test
    void onAThreadPoolExecutorWithNothingQueuedAChainOfHandOffsStaysInOneTask() throws Exception {
        // 2,000 hops between two idle loops of a one-thread pool whose queue stays empty: no hand-off
        // to the pool after the first (one every 64 hops would be 31 tasks more).
        ThreadPoolExecutor single = (ThreadPoolExecutor) shutDownAfterTest(Executors.newFixedThreadPool(1));
        EventLoop ping = loop(single, "ping");
        EventLoop pong = loop(single, "pong");
        MessageChannel toPing = new MessageChannel(ping);
        MessageChannel toPong = new MessageChannel(pong);
        CompletableFuture<Integer> done = new CompletableFuture<>();
        toPing.port2().onmessage(e -> {
            int left = (Integer) e.data();
            if (left == 0) {
                done.complete(left);
            } else {
                toPong.port1().postMessage(left - 1);
            }
        });
        toPong.port2().onmessage(e -> toPing.port1().postMessage(e.data()));
        long tasksBefore = single.getTaskCount();
        toPing.port1().postMessage(1_000);

        assertEquals(0, done.get(10, TimeUnit.SECONDS));
        long tasks = single.getTaskCount() - tasksBefore;
        assertTrue(tasks <= 2, "executor tasks for 2,000 hops: " + tasks);
    }

    @Test
    void aHandlerAwaitingTheEndOfALoopItHandedATurnToIsNotDeadlocked() throws Exception {
        // A handler posts to an idle loop of its executor, so that loop's turn is kept for its thread,
        // then closes that loop and waits for it to terminate (a wait entangle allows on a loop, for
        // another loop): before blocking, the kept turn goes to the executor, whose other thread runs
        // it, and the closing loop terminates. Kept, it would wait for the blocked thread.
        EventLoop closer = loop(pool, "closer");
        EventLoop closed = loop(pool, "closed");
        MessageChannel toCloser = new MessageChannel(closer);
        MessageChannel toClosed = new MessageChannel(closed);
        toClosed.port2().onmessage(e -> { });
        CompletableFuture<Boolean> terminated = new CompletableFuture<>();
        toCloser.port2().onmessage(e -> {
            toClosed.port1().postMessage("last words");
            closed.close();
            try {
                terminated.complete(closed.awaitTermination(Duration.ofSeconds(10)));
            } catch (InterruptedException interrupted) {
                terminated.completeExceptionally(interrupted);
            }
        });
        toCloser.port1().postMessage("go");
        assertTrue(terminated.get(20, TimeUnit.SECONDS), "the closed loop terminated while awaited");
    }

    @Test
    void portsOfAMultiplexedLoopDispatchOnItAndTheThrowingHandlerDoesNotStopIt() throws Exception {
        EventLoop loop = loop(pool, "ports");
        MessageChannel channel = new MessageChannel(loop);
        LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
        channel.port2().onmessage(e -> {
            got.add(e.data() + ":" + (EventLoop.current() == loop));
            if ("boom".equals(e.data())) {
                throw new IllegalStateException("boom");
            }
        });
        channel.port1().postMessage("a");
        channel.port1().postMessage("boom");
        channel.port1().postMessage("b");

        assertEquals("a:true", next(got));
        assertEquals("boom:true", next(got));
        assertEquals("b:true", next(got));
        assertEquals("boom", assertInstanceOf(IllegalStateException.class, next(errors)).getMessage());
    }

    @Test
    void closeClosesPortsRunsQueuedTasksRefusesNewOnesAndTerminates() throws Exception {
        EventLoop owner = loop(pool, "closing");
        EventLoop peerLoop = loop(pool, "peer");
        // split.port1 belongs to the closing loop; split.port2 is shipped to peerLoop.
        MessageChannel split = new MessageChannel(owner);
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        MessageChannel carrier = new MessageChannel(peerLoop);
        carrier.port2().onmessage(e -> {
            MessagePort moved = e.ports().get(0);
            moved.onclose(c -> events.add("close at peer"));
            moved.start();
            events.add("adopted");
        });
        carrier.port1().postMessage(null, List.of(split.port2()));
        assertEquals("adopted", next(events));
        split.port1().start();
        CountDownLatch gate = new CountDownLatch(1);
        owner.execute(() -> {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            events.add("first task");
        });
        owner.execute(() -> events.add("queued before close"));

        owner.close();
        assertTrue(owner.isClosed());
        assertThrows(RejectedExecutionException.class, () -> owner.execute(() -> events.add("late")));
        gate.countDown();

        assertTrue(owner.awaitTermination(Loops.TIMEOUT));
        List<String> seen = List.of(next(events), next(events), next(events));
        assertTrue(seen.containsAll(List.of("first task", "queued before close", "close at peer")), seen::toString);
        assertTrue(seen.indexOf("first task") < seen.indexOf("queued before close"), seen::toString);
        assertFalse(split.port1().hasRef(), "closing the loop closed its ports");
        assertTrue(carrier.port2().hasRef(), "a port of another loop is untouched");
    }

    @Test
    void aLoopCanRunOnAnotherEventLoopAndCurrentIsRestoredAfterItsTurn() throws Exception {
        EventLoop outer = EventLoop.start("outer", (t, e) -> errors.add(e));
        loops.add(outer);
        EventLoop inner = loop(outer, "inner");
        CompletableFuture<String> seen = new CompletableFuture<>();
        outer.execute(() -> {
            inner.execute(() -> seen.complete("inner sees " + EventLoop.current().name() + ", "
                    + inner.inEventLoop() + ", " + outer.inEventLoop()));
        });
        assertEquals("inner sees inner, true, false", seen.get(10, TimeUnit.SECONDS));
        assertEquals("outer", Loops.on(outer, () -> EventLoop.current().name()),
                "after the inner turn the outer loop is current again");
        inner.close(); // before its executor, the outer loop
        assertTrue(inner.awaitTermination(Loops.TIMEOUT));
    }

    @Test
    void aRefusedTurnReportsTheErrorClosesThePortsAndTerminates() throws Exception {
        AtomicBoolean refuse = new AtomicBoolean();
        LinkedBlockingQueue<String> turnsEnded = new LinkedBlockingQueue<>();
        Executor fickle = task -> {
            if (refuse.get()) {
                throw new RejectedExecutionException("no more");
            }
            pool.execute(() -> {
                task.run();
                turnsEnded.add("turn ended");
            });
        };
        EventLoop loop = loop(fickle, "refused");
        MessageChannel channel = new MessageChannel(loop);
        channel.port2().start();
        assertEquals("ok", Loops.on(loop, () -> "ok"));
        assertEquals("turn ended", next(turnsEnded), "the loop is idle: the next post submits a turn");
        refuse.set(true);

        AtomicBoolean ran = new AtomicBoolean();
        // Its own turn is refused, so the loop is abandoned and the task can never run: execute() says
        // so (every task execute() accepts runs; see AcceptedTaskTest).
        assertThrows(RejectedExecutionException.class, () -> loop.execute(() -> ran.set(true)));

        assertTrue(loop.awaitTermination(Loops.TIMEOUT));
        assertFalse(ran.get(), "a task whose turn was refused never runs");
        assertThrows(RejectedExecutionException.class, () -> loop.execute(() -> { }));
        assertEquals("no more", assertInstanceOf(RejectedExecutionException.class, next(errors)).getMessage());
        assertFalse(channel.port2().hasRef(), "its ports were closed");
    }

    @Test
    void tenThousandLoopsInARingOnTwoThreadsAccountForEveryMessage() throws Exception {
        ring(pool, 10_000);
    }

    @Test
    void tenThousandLoopsInARingOnVirtualThreadsWhenTheJvmHasThem() throws Exception {
        ExecutorService virtual;
        try {
            virtual = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor")
                    .invoke(null);
        } catch (NoSuchMethodException before21) {
            assumeTrue(false, "virtual threads need Java 21+");
            return;
        }
        ring(shutDownAfterTest(virtual), 10_000);
    }

    /**
     * n loops in a ring; loop i receives on the port2 of channel i and forwards to loop i+1 through the
     * port1 of channel i+1 (posting is legal from any thread; port1 never receives). One token starts
     * at each loop and travels HOPS hops; each must end, exactly once, HOPS loops further on.
     */
    private void ring(Executor executor, int n) throws Exception {
        final int hops = 10;
        EventLoop[] ring = new EventLoop[n];
        MessageChannel[] channels = new MessageChannel[n];
        for (int i = 0; i < n; i++) {
            ring[i] = loop(executor, "ring-" + i);
            channels[i] = new MessageChannel(ring[i]);
        }
        AtomicLong deliveries = new AtomicLong();
        AtomicIntegerArray arrivals = new AtomicIntegerArray(n);
        AtomicInteger misrouted = new AtomicInteger();
        CountDownLatch finished = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            int self = i;
            EventLoop me = ring[i];
            MessagePort next = channels[(i + 1) % n].port1();
            channels[i].port2().onmessage(e -> {
                deliveries.incrementAndGet();
                if (EventLoop.current() != me) {
                    misrouted.incrementAndGet();
                }
                long token = (Long) e.data();
                int origin = (int) (token >>> 8);
                int left = (int) (token & 0xFF);
                if (left > 0) {
                    next.postMessage(((long) origin << 8) | (left - 1));
                } else {
                    if (self != (origin + hops) % n) {
                        misrouted.incrementAndGet();
                    }
                    arrivals.incrementAndGet(origin);
                    finished.countDown();
                }
            });
        }
        for (int i = 0; i < n; i++) {
            channels[i].port1().postMessage(((long) i << 8) | hops);
        }

        assertTrue(finished.await(30, TimeUnit.SECONDS), "tokens still travelling: " + finished.getCount());
        assertEquals(0, misrouted.get());
        assertEquals((long) n * (hops + 1), deliveries.get(), "every hop delivered exactly once");
        for (int i = 0; i < n; i++) {
            assertEquals(1, arrivals.get(i), "token " + i);
        }
        for (EventLoop loop : ring) {
            loop.close();
        }
        for (EventLoop loop : ring) {
            assertTrue(loop.awaitTermination(Loops.TIMEOUT));
        }
        assertNull(errors.poll());
    }
}
