package dev.entangle;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Test fixture: starts named event loops whose errors are collected instead of printed, and closes them
 * all (waiting for termination) at the end of a test.
 */
final class Loops {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    /**
     * Idle strategies that make a dedicated loop spin, yield or park at different moments, by name:
     * for tests that a loop's handling of a watched port holds whatever it does while idle.
     */
    static Map<String, IdleStrategy> idleStrategies() {
        return Map.of(
                "busySpin", IdleStrategy.busySpin(),
                "default", IdleStrategy.DEFAULT,
                "spin8", IdleStrategy.spinYieldPark(8, 0),
                "random", turn -> ThreadLocalRandom.current().nextInt(16) == 0);
    }

    final LinkedBlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
    private final List<EventLoop> started = new ArrayList<>();

    EventLoop start(String name) {
        EventLoop loop = EventLoop.start(name, (thread, error) -> errors.add(error));
        started.add(loop);
        return loop;
    }

    EventLoop start(String name, IdleStrategy idleStrategy) {
        EventLoop loop = EventLoop.start(name, idleStrategy, (thread, error) -> errors.add(error));
        started.add(loop);
        return loop;
    }

    /** Closes {@code loop} with the loops started here (for a loop made otherwise, e.g. multiplexed). */
    EventLoop adopt(EventLoop loop) {
        started.add(loop);
        return loop;
    }

    /** Runs {@code task} on {@code loop} and waits for it. */
    static <T> T on(EventLoop loop, java.util.concurrent.Callable<T> task) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Takes the next item, failing the test if none comes within the timeout. */
    static <T> T next(LinkedBlockingQueue<T> queue) throws InterruptedException {
        T item = queue.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (item == null) {
            throw new AssertionError("nothing arrived within " + TIMEOUT);
        }
        return item;
    }

    /**
     * Runs a no-op task through each loop in turn, twice over, waiting for each. What it proves: every
     * entry queued on those loops before the call has run (a task, a port's drain, a BroadcastChannel
     * delivery), and so has what such an entry queued in turn on a loop later in the list or on the next
     * pass (a drain requeued for its next 64 messages, a handler's post to a port of the next loop).
     * A negative check after it is then exact: an event that such work would have produced is already in
     * the test's queue, so an empty queue means it never comes. It says nothing of work started later by
     * another thread (a blocked thread, a timer); those checks need a sentinel of their own.
     */
    static void settle(EventLoop... loops) throws Exception {
        for (int pass = 0; pass < 2; pass++) {
            for (EventLoop loop : loops) {
                on(loop, () -> null);
            }
        }
    }

    /**
     * {@link #settle}s the loops, then returns what is in {@code queue} (null when empty) without
     * waiting: the negative check "nothing arrives" proven by the loops having run all the work that
     * could have produced it.
     */
    static <T> T pollSettled(LinkedBlockingQueue<T> queue, EventLoop... loops) throws Exception {
        settle(loops);
        return queue.poll();
    }

    /**
     * Waits until {@code thread} is parked by {@link LockSupport} on a blocker of class
     * {@code blockerClass} with a frame of {@code frameClass} on its stack, failing if it ends first or
     * does not get there within the timeout. What it proves: the thread has reached that blocking point
     * and was waiting there when looked at, for example a receiver that looked, found nothing and
     * sleeps on its condition (not one still queuing for the lock). It polls the thread; it is not a
     * fixed wait.
     */
    static void awaitParked(Thread thread, String blockerClass, String frameClass) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            Object blocker = LockSupport.getBlocker(thread);
            if (blocker != null && blocker.getClass().getName().equals(blockerClass)
                    && Arrays.stream(thread.getStackTrace()).anyMatch(f -> f.getClassName().equals(frameClass))) {
                return;
            }
            if (thread.getState() == Thread.State.TERMINATED) {
                throw new AssertionError(thread + " ended instead of parking in " + frameClass);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(thread + " did not park in " + frameClass + " within " + TIMEOUT);
            }
            Thread.yield();
        }
    }

    /**
     * Waits until the dedicated loop running on {@code loopThread} parks idle (see
     * {@link #awaitParked}). What it proves: the loop found its run queue empty and went to sleep
     * without ending. A loop that ends when idle (a worker's) makes its lifetime check at the first
     * empty look after work, before it parks, and closes itself instead of parking when nothing keeps
     * it alive; so a parked worker loop was kept alive, and does not end until something changes.
     * Only for loops whose idle strategy parks (the default one does, after spinning and yielding).
     */
    static void awaitIdle(Thread loopThread) {
        awaitParked(loopThread, "dev.entangle.internal.LoopCore", "dev.entangle.internal.LoopCore");
    }

    /** Closes every loop started here and waits for each to terminate. */
    void close() throws InterruptedException {
        for (EventLoop loop : started) {
            loop.close();
        }
        for (EventLoop loop : started) {
            assertTrue(loop.awaitTermination(TIMEOUT), loop + " did not terminate");
        }
    }
}
