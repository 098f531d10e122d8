package dev.entangle.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.entangle.IdleStrategy;

/** The idle strategy: an idle loop parks, a post wakes it, a busy loop is not woken per message. */
class LoopCoreWakeupTest {
    private final LoopCore loop = LoopCore.dedicated("wakeup-test", null, IdleStrategy.DEFAULT);

    LoopCoreWakeupTest() {
        loop.start();
    }

    @AfterEach
    void close() throws InterruptedException {
        loop.close();
        assertTrue(loop.awaitTermination(Duration.ofSeconds(10)));
    }

    /** Waits, bounded, until the loop thread is parked. */
    private void awaitParked() throws InterruptedException {
        Thread thread = loopThread();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (thread.getState() != Thread.State.WAITING) {
            assertTrue(System.nanoTime() < deadline, "loop never parked while idle");
            Thread.onSpinWait();
        }
    }

    private Thread loopThread() throws InterruptedException {
        Thread[] holder = new Thread[1];
        CountDownLatch ran = new CountDownLatch(1);
        loop.execute(() -> {
            holder[0] = Thread.currentThread();
            ran.countDown();
        });
        assertTrue(ran.await(10, TimeUnit.SECONDS));
        return holder[0];
    }

    @Test
    void idleLoopParksAndAPostWakesIt() throws Exception {
        awaitParked();
        long before = loop.wakeups();
        CountDownLatch ran = new CountDownLatch(1);

        loop.execute(ran::countDown);

        assertTrue(ran.await(10, TimeUnit.SECONDS), "the parked loop ran the task");
        assertEquals(before + 1, loop.wakeups(), "exactly one unpark for one post to a parked loop");
    }

    @Test
    void busyLoopIsNotWokenPerMessage() throws Exception {
        awaitParked();
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(() -> {
            busy.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(busy.await(10, TimeUnit.SECONDS));
        long before = loop.wakeups();
        AtomicInteger ran = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(10_000);

        for (int i = 0; i < 10_000; i++) {
            loop.execute(() -> {
                ran.incrementAndGet();
                all.countDown();
            });
        }
        release.countDown();

        assertTrue(all.await(10, TimeUnit.SECONDS));
        assertEquals(10_000, ran.get());
        assertEquals(before, loop.wakeups(), "no unpark while the loop was running");
    }

    @Test
    void postsToABusyLoopsPortCauseNoWakeup() throws Exception {
        // A port's drain enters the run queue once per batch, and a running loop is never unparked:
        // 10,000 messages posted while the loop is held busy cost no wake-up.
        PortEndpoint[] pair = PortEndpoint.entangledPair();
        CountDownLatch delivered = new CountDownLatch(10_000);
        // Each handle's public object is its endpoint, which it holds: never collected first.
        PortHandle receiver = new PortHandle(pair[1], loop, pair[1]) {
            @Override
            protected void deliver(Object payload, PortEndpoint[] ports) {
                delivered.countDown();
            }

            @Override
            protected void deliverClose() {
            }
        };
        receiver.bind();
        receiver.start();
        PortHandle sender = new PortHandle(pair[0], loop, pair[0]) {
            @Override
            protected void deliver(Object payload, PortEndpoint[] ports) {
            }

            @Override
            protected void deliverClose() {
            }
        };
        sender.bind();
        awaitParked();
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(() -> {
            busy.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(busy.await(10, TimeUnit.SECONDS));
        long before = loop.wakeups();

        for (int i = 0; i < 10_000; i++) {
            sender.post(i);
        }
        release.countDown();

        assertTrue(delivered.await(10, TimeUnit.SECONDS));
        assertEquals(before, loop.wakeups());
    }
}
