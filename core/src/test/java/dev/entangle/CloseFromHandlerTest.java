package dev.entangle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link EventLoop#close()} called by a handler running on that loop: once it returns, nothing more of
 * the loop's ports is dispatched, not even the rest of the batch the handler was part of (before the
 * fix, 11 messages before the close were followed by dozens after it). Tasks queued before the close
 * still run (HTML §8.1.7: queued tasks run; entangle's close() decision, README).
 */
class CloseFromHandlerTest {
    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }

    @Test
    void closeFromAHandlerOfADedicatedLoopStopsItsDispatchAtOnce() throws Exception {
        closeFromHandler(name -> EventLoop.start(name));
    }

    @Test
    void closeFromAHandlerOfAMultiplexedLoopStopsItsDispatchAtOnce() throws Exception {
        closeFromHandler(name -> EventLoop.on(pool, name));
    }

    private static void closeFromHandler(Function<String, EventLoop> loops) throws Exception {
        EventLoop loop = loops.apply("self-closing");
        MessageChannel channel = new MessageChannel(loop);
        MessageChannel other = new MessageChannel(loop); // a second port of the same loop
        List<String> dispatched = new ArrayList<>(); // loop-confined until termination
        boolean[] closed = {false};
        List<String> afterClose = new ArrayList<>();
        channel.port2().onmessage(e -> {
            if (closed[0]) {
                afterClose.add("port2:" + e.data());
            }
            dispatched.add("port2:" + e.data());
            if (Integer.valueOf(10).equals(e.data())) {
                loop.close();
                closed[0] = true;
            }
        });
        other.port2().onmessage(e -> {
            if (closed[0]) {
                afterClose.add("other:" + e.data());
            }
        });
        // Everything is queued before the loop gets to run any of it, so the close lands mid-batch.
        loop.execute(() -> {
            for (int i = 0; i < 100; i++) {
                channel.port1().postMessage(i);
                other.port1().postMessage(i);
            }
        });
        assertTrue(loop.awaitTermination(Loops.TIMEOUT));
        assertEquals(List.of(), afterClose, "dispatched after close() returned on the loop");
        assertEquals(11, dispatched.size(), dispatched.toString());
        assertEquals("port2:10", dispatched.get(10));
    }

    /** Tasks queued before the close still run after it, on the loop. */
    @Test
    void tasksQueuedBeforeACloseFromAHandlerStillRun() throws Exception {
        EventLoop loop = EventLoop.start("tasks-after-close");
        List<String> ran = new ArrayList<>();
        loop.execute(() -> {
            loop.execute(() -> ran.add("queued before close"));
            loop.close();
            ran.add("closer");
        });
        assertTrue(loop.awaitTermination(Loops.TIMEOUT));
        assertEquals(List.of("closer", "queued before close"), ran);
    }
}
