package dev.entangle;

import static dev.entangle.Loops.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The event loop: tasks, lifecycle, error isolation and fairness (SPEC items 2, 8, 9). */
class EventLoopTest {
    private final Loops loops = new Loops();

    @AfterEach
    void closeLoops() throws InterruptedException {
        loops.close();
    }

    @Test
    void tasksRunOnTheLoopThreadInSubmissionOrder() throws Exception {
        EventLoop loop = loops.start("tasks");
        LinkedBlockingQueue<String> ran = new LinkedBlockingQueue<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            loop.execute(() -> ran.add(n + ":" + Thread.currentThread().getName() + ":"
                    + (EventLoop.current() == loop) + ":" + loop.inEventLoop()));
        }
        for (int i = 0; i < 5; i++) {
            assertEquals(i + ":tasks:true:true", next(ran));
        }
        assertNull(EventLoop.current(), "the test thread is not a loop");
        assertFalse(loop.inEventLoop());
    }

    @Test
    void closeRunsQueuedTasksThenRefusesNewOnesAndTerminates() throws Exception {
        EventLoop loop = loops.start("lifecycle");
        CountDownLatch gate = new CountDownLatch(1);
        LinkedBlockingQueue<String> ran = new LinkedBlockingQueue<>();
        loop.execute(() -> {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ran.add("first");
        });
        loop.execute(() -> ran.add("queued before close"));

        loop.close();
        assertTrue(loop.isClosed());
        assertThrows(RejectedExecutionException.class, () -> loop.execute(() -> ran.add("late")));
        gate.countDown();

        assertTrue(loop.awaitTermination(Loops.TIMEOUT));
        assertEquals(List.of("first", "queued before close"), new ArrayList<>(ran));
        loop.close(); // idempotent
    }

    @Test
    void loopThreadIsGoneAfterClose() throws Exception {
        EventLoop loop = loops.start("gone");
        Thread thread = Loops.on(loop, Thread::currentThread);
        loop.close();
        assertTrue(loop.awaitTermination(Loops.TIMEOUT));
        thread.join(Loops.TIMEOUT.toMillis());
        assertFalse(thread.isAlive());
    }

    @Test
    void closeFromInsideTheLoopWorks() throws Exception {
        EventLoop loop = loops.start("self-close");
        loop.execute(loop::close);
        assertTrue(loop.awaitTermination(Loops.TIMEOUT));
    }

    @Test
    void awaitingOwnTerminationOnTheLoopIsRefused() throws Exception {
        EventLoop loop = loops.start("self-await");
        String outcome = Loops.on(loop, () -> {
            try {
                loop.awaitTermination(Loops.TIMEOUT);
                return "waited";
            } catch (IllegalStateException e) {
                return "refused";
            }
        });
        assertEquals("refused", outcome);
    }

    @Test
    void commonLoopIgnoresClose() throws Exception {
        EventLoop common = EventLoop.common();
        common.close();
        assertFalse(common.isClosed());
        assertEquals("entangle-common", Loops.on(common, () -> Thread.currentThread().getName()));
        assertTrue(Loops.on(common, () -> Thread.currentThread().isDaemon()));
    }

    /** SPEC item 8: a throwing listener goes to the error handler; later messages still arrive. */
    @Test
    void handlerThatThrowsDoesNotStopLaterMessages() throws Exception {
        EventLoop loop = loops.start("throws");
        MessageChannel channel = new MessageChannel(loop);
        LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
        RuntimeException boom = new IllegalStateException("boom");
        channel.port2().addEventListener("message", e -> {
            throw boom;
        });
        channel.port2().onmessage(e -> received.add(e.data()));

        channel.port1().postMessage(1);
        channel.port1().postMessage(2);

        assertEquals(1, next(received), "the listener after the throwing one still ran");
        assertEquals(2, next(received));
        assertSame(boom, next(loops.errors));
        assertSame(boom, next(loops.errors));
    }

    /** A task that throws goes to the error handler; the loop runs the next task. */
    @Test
    void taskThatThrowsDoesNotKillTheLoop() throws Exception {
        EventLoop loop = loops.start("task-throws");
        loop.execute(() -> {
            throw new IllegalArgumentException("task failed");
        });
        assertEquals("next", Loops.on(loop, () -> "next"));
        assertEquals("task failed", next(loops.errors).getMessage());
    }

    /**
     * SPEC item 9: a handler that posts to its own port forever does not starve a task queued on the
     * same loop (each port gets a bounded batch per turn).
     */
    @Test
    void selfPostingHandlerDoesNotStarveATaskOnTheSameLoop() throws Exception {
        EventLoop loop = loops.start("fair");
        MessageChannel channel = new MessageChannel(loop);
        AtomicBoolean stop = new AtomicBoolean();
        long[] echoes = new long[1];
        channel.port2().onmessage(e -> {
            echoes[0]++;
            if (!stop.get()) {
                channel.port1().postMessage("again");
            }
        });
        channel.port1().postMessage("go");
        // Wait until the ping-pong is running on the loop, then queue a task behind it.
        assertTrue(Loops.on(loop, () -> true));
        CountDownLatch taskRan = new CountDownLatch(1);
        loop.execute(taskRan::countDown);

        assertTrue(taskRan.await(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS),
                "the task ran while the port kept itself busy");
        stop.set(true);
        assertTrue(Loops.on(loop, () -> echoes[0] > 0));
    }

    /** A message to another port on the same loop is not starved by a self-posting port either. */
    @Test
    void selfPostingPortDoesNotStarveAnotherPort() throws Exception {
        EventLoop loop = loops.start("fair-ports");
        MessageChannel busy = new MessageChannel(loop);
        MessageChannel quiet = new MessageChannel(loop);
        AtomicBoolean stop = new AtomicBoolean();
        busy.port2().onmessage(e -> {
            if (!stop.get()) {
                busy.port1().postMessage("again");
            }
        });
        LinkedBlockingQueue<Object> quietGot = new LinkedBlockingQueue<>();
        quiet.port2().onmessage(e -> quietGot.add(e.data()));

        busy.port1().postMessage("go");
        quiet.port1().postMessage("hello");

        assertEquals("hello", next(quietGot));
        stop.set(true);
    }
}
