package dev.entangle;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Test fixture: starts named event loops whose errors are collected instead of printed, and closes them
 * all (waiting for termination) at the end of a test.
 */
final class Loops {
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** How long a negative check ("nothing arrives") waits. */
    static final Duration QUIET = Duration.ofMillis(200);

    final LinkedBlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
    private final List<EventLoop> started = new ArrayList<>();

    EventLoop start(String name) {
        EventLoop loop = EventLoop.start(name, (thread, error) -> errors.add(error));
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

    /** Returns what arrives within the bounded quiet period, or null. */
    static <T> T nothingWithinQuietPeriod(LinkedBlockingQueue<T> queue) throws InterruptedException {
        return queue.poll(QUIET.toMillis(), TimeUnit.MILLISECONDS);
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
