package dev.entangle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link EventLoop#schedule}: delayed tasks run on their loop, in deadline order, cancellable. */
class ScheduleTest {
    private final Loops loops = new Loops();

    @AfterEach
    void closeLoops() throws InterruptedException {
        loops.close();
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
