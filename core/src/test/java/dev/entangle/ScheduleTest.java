package dev.entangle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link EventLoop#schedule}: delayed tasks run on their loop, in deadline order, cancellable. */
class ScheduleTest {
    private static final Duration LONG = Duration.ofSeconds(60);

    private final Loops loops = new Loops();
    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach
    void closeLoops() throws InterruptedException {
        loops.close();
        pool.shutdown();
        assertTrue(pool.awaitTermination(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** A loop of either kind: the deadlines are the loop's own for both, woken differently. */
    private EventLoop loop(String kind) {
        if (kind.equals("dedicated")) {
            return loops.start("timers");
        }
        if (kind.equals("busy-spin")) {
            // Never parks: it looks at its timers once in a number of idle spins (LoopCore.run).
            EventLoop loop = EventLoop.start("timers", IdleStrategy.busySpin());
            loops.adopt(loop);
            return loop;
        }
        EventLoop loop = EventLoop.on(pool, "timers", (thread, error) -> loops.errors.add(error));
        loops.adopt(loop);
        return loop;
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dedicated", "multiplexed", "busy-spin"})
    void equalDelaysRunInSchedulingOrderOnAndOffTheLoop(String kind) throws Exception {
        EventLoop loop = loop(kind);
        List<Integer> ran = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Void>> timers = new ArrayList<>();
        Duration delay = Duration.ofMillis(20);
        // 0..99 from the loop itself (straight into its heap), 100..199 from this thread (through its
        // run queue), each batch with one delay: equal or later deadlines, in scheduling order.
        Loops.on(loop, () -> {
            for (int i = 0; i < 100; i++) {
                int n = i;
                timers.add(loop.schedule(() -> ran.add(n), delay));
            }
            return null;
        });
        for (int i = 100; i < 200; i++) {
            int n = i;
            timers.add(loop.schedule(() -> ran.add(n), delay));
        }
        await(CompletableFuture.allOf(timers.toArray(new CompletableFuture<?>[0])));
        assertEquals(IntStream.range(0, 200).boxed().collect(Collectors.toList()), ran);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dedicated", "multiplexed", "busy-spin"})
    void aShortTimerScheduledAfterALongOneWakesTheIdleLoopInTime(String kind) throws Exception {
        // The idle loop first waits for LONG (a dedicated loop parked until then, a multiplexed one
        // with its wake-up registered for then); the short timer must not wait for it.
        EventLoop loop = loop(kind);
        CompletableFuture<Void> longOne = loop.schedule(() -> { }, LONG);
        Loops.on(loop, () -> null); // the long timer is armed and the loop has gone idle after it
        AtomicBoolean onLoop = new AtomicBoolean();
        await(loop.schedule(() -> onLoop.set(loop.inEventLoop()), Duration.ofMillis(30)));
        assertTrue(onLoop.get(), "the task ran off its loop");
        assertFalse(longOne.isDone(), "the long timer fired early");
        assertTrue(longOne.cancel(false));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dedicated", "multiplexed"})
    void cancelledTimersNeverRunAndTheOthersKeepTheirOrder(String kind) throws Exception {
        // 1,000 timers, every even one cancelled before it is due, enough to make the loop sweep its
        // heap of cancelled timers several times: 0..499 from this thread while a task holds the loop
        // (so that none can fall due before its cancel, however slow this thread is), 500..999 from
        // one task on the loop (armed in the heap at once, cancelled there).
        EventLoop loop = loop(kind);
        List<Integer> ran = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Void>> kept = new CopyOnWriteArrayList<>();
        Duration delay = Duration.ofMillis(1);
        CountDownLatch hold = new CountDownLatch(1);
        loop.execute(() -> {
            try {
                assertTrue(hold.await(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        for (int i = 0; i < 500; i++) {
            scheduleAndCancelEvens(loop, i, delay, ran, kept);
        }
        hold.countDown();
        CompletableFuture<Void> sentinel = Loops.on(loop, () -> {
            for (int i = 500; i < 1000; i++) {
                scheduleAndCancelEvens(loop, i, delay, ran, kept);
            }
            // Due after all of them: once it ran, every cancelled one had its chance.
            return loop.schedule(() -> ran.add(-1), delay.multipliedBy(20));
        });
        await(CompletableFuture.allOf(kept.toArray(new CompletableFuture<?>[0])));
        await(sentinel);
        List<Integer> expected = IntStream.range(0, 1000).filter(i -> i % 2 == 1).boxed()
                .collect(Collectors.toList());
        expected.add(-1);
        assertEquals(expected, ran);
    }

    private static void scheduleAndCancelEvens(EventLoop loop, int n, Duration delay, List<Integer> ran,
            List<CompletableFuture<Void>> kept) {
        CompletableFuture<Void> timer = loop.schedule(() -> ran.add(n), delay);
        if (n % 2 == 0) {
            assertTrue(timer.cancel(false), "timer " + n + " was done before its cancel");
        } else {
            kept.add(timer);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dedicated", "multiplexed"})
    void closeFailsEveryPendingTimerWithRejectedExecutionAtOnce(String kind) throws Exception {
        EventLoop loop = loop(kind);
        AtomicInteger ran = new AtomicInteger();
        CompletableFuture<Void> offLoop = loop.schedule(ran::incrementAndGet, LONG);
        CompletableFuture<Void> onLoop = Loops.on(loop, () -> loop.schedule(ran::incrementAndGet, LONG));
        loop.close();
        // Long before the deadlines: the close itself fails them.
        for (CompletableFuture<Void> pending : List.of(offLoop, onLoop)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> await(pending));
            assertInstanceOf(RejectedExecutionException.class, e.getCause());
        }
        assertTrue(loop.awaitTermination(Loops.TIMEOUT));
        assertEquals(0, ran.get());
        ExecutionException late = assertThrows(ExecutionException.class,
                () -> await(loop.schedule(ran::incrementAndGet, Duration.ofMillis(1))));
        assertInstanceOf(RejectedExecutionException.class, late.getCause(), "scheduled on a closed loop");
    }

    @Test
    void aTimerAlreadyDueWhenAHandlerClosesItsLoopNeverRuns() throws Exception {
        EventLoop loop = loops.start("timers");
        AtomicBoolean ran = new AtomicBoolean();
        CompletableFuture<CompletableFuture<Void>> scheduled = new CompletableFuture<>();
        loop.execute(() -> {
            CompletableFuture<Void> timer = loop.schedule(() -> ran.set(true), Duration.ofNanos(1));
            long due = System.nanoTime() + Duration.ofMillis(2).toNanos();
            while (System.nanoTime() - due < 0) {
                Thread.onSpinWait(); // let the deadline pass while this task holds the loop
            }
            loop.close(); // on the loop: nothing of it runs after this, not even a due timer
            scheduled.complete(timer);
        });
        ExecutionException e = assertThrows(ExecutionException.class, () -> await(await(scheduled)));
        assertInstanceOf(RejectedExecutionException.class, e.getCause());
        assertTrue(loop.awaitTermination(Loops.TIMEOUT));
        assertFalse(ran.get());
    }

    @Test
    void scheduledTaskRunsOnItsLoopNoEarlierThanTheDelay() throws Exception {
        EventLoop loop = loops.start("timers");
        long start = System.nanoTime();
        AtomicBoolean onLoop = new AtomicBoolean();
        loop.schedule(() -> onLoop.set(EventLoop.current() == loop), Duration.ofMillis(30))
                .get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(30).toNanos(), "ran before its delay");
        assertTrue(onLoop.get(), "the task ran off its loop");
    }

    @Test
    void tasksRunInDeadlineOrderNotSchedulingOrder() throws Exception {
        EventLoop loop = loops.start("timers");
        List<String> ran = new CopyOnWriteArrayList<>();
        var late = loop.schedule(() -> ran.add("late"), Duration.ofMillis(300));
        loop.schedule(() -> ran.add("early"), Duration.ofMillis(100));
        loop.schedule(() -> ran.add("now"), Duration.ZERO);
        late.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(List.of("now", "early", "late"), ran);
    }

    @Test
    void cancelledTaskNeverRunsProvedByALaterSentinel() throws Exception {
        EventLoop loop = loops.start("timers");
        AtomicBoolean ran = new AtomicBoolean();
        var cancelled = loop.schedule(() -> ran.set(true), Duration.ofMillis(20));
        assertTrue(cancelled.cancel(false));
        loop.schedule(() -> { }, Duration.ofMillis(60)).get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertFalse(ran.get(), "a cancelled task ran");
    }

    @Test
    void throwingTaskFailsItsFutureAndTheLoopGoesOn() throws Exception {
        EventLoop loop = loops.start("timers");
        var failing = loop.schedule(() -> {
            throw new IllegalStateException("boom");
        }, Duration.ZERO);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> failing.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        assertEquals("boom", e.getCause().getMessage());
        assertEquals("after", Loops.on(loop, () -> "after"));
        assertTrue(loops.errors.isEmpty(), "the failure went to the future only: " + loops.errors);
    }

    @Test
    void loopClosedBeforeTheDeadlineFailsTheFutureWithRejectedExecution() throws Exception {
        EventLoop loop = loops.start("timers");
        AtomicBoolean ran = new AtomicBoolean();
        var pending = loop.schedule(() -> ran.set(true), Duration.ofMillis(50));
        loop.close();
        assertTrue(loop.awaitTermination(Loops.TIMEOUT));
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> pending.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        assertInstanceOf(RejectedExecutionException.class, e.getCause());
        assertFalse(ran.get());
    }

    @Test
    void nullArgumentsAreRejected() {
        EventLoop loop = loops.start("timers");
        assertSame("task", assertThrows(NullPointerException.class,
                () -> loop.schedule(null, Duration.ZERO)).getMessage());
        assertSame("delay", assertThrows(NullPointerException.class,
                () -> loop.schedule(() -> { }, null)).getMessage());
    }
}
