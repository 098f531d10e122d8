package dev.entangle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The README's "Workers and multiplexed loops" example, kept compiling and correct. */
class ReadmeWorkerExampleTest {

    @Test
    void readmeWorkerExampleDoublesAndExitsWith0AndTheActorRunsOnThePool() throws Exception {
        CompletableFuture<Object> got = new CompletableFuture<>();
        try (EventLoop main = EventLoop.start("main")) {
            CompletableFuture<Integer> exitCode = new CompletableFuture<>();
            main.execute(() -> {
                Worker doubler = new Worker("doubler", 21, List.of(), scope ->
                        scope.parentPort().postMessage((Integer) scope.workerData() * 2));
                doubler.onmessage(e -> got.complete(e.data()));
                doubler.addEventListener("exit", e -> exitCode.complete(((Worker.ExitEvent) e).exitCode()));
            });
            assertEquals(0, exitCode.get(10, TimeUnit.SECONDS));
        }
        assertEquals(42, got.get());

        ExecutorService pool = Executors.newFixedThreadPool(2);
        EventLoop actor = EventLoop.on(pool, "actor-1");
        CompletableFuture<String> ran = new CompletableFuture<>();
        actor.execute(() -> ran.complete(EventLoop.current().name()));
        assertEquals("actor-1", ran.get(10, TimeUnit.SECONDS));
        actor.close();
        assertTrue(actor.awaitTermination(Loops.TIMEOUT));
        pool.shutdown();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }
}
