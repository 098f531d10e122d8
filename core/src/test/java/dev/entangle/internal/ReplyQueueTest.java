package dev.entangle.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** {@link ReplyQueue}: a reply end's queue, one slot and an overflow behind it, FIFO for any producers. */
class ReplyQueueTest {
    @Test
    void theSlotComesFirstThenTheOverflowInOrder() {
        ReplyQueue q = new ReplyQueue();
        assertTrue(q.isEmpty());
        assertNull(q.peek());
        assertNull(q.poll());
        q.offer("answer");
        assertFalse(q.isEmpty());
        assertEquals(1, q.size());
        q.offer("second");
        q.offer("third");
        assertEquals(3, q.size());
        assertEquals("answer", q.peek());
        assertEquals("answer", q.poll());
        assertEquals("second", q.peek());
        assertEquals(2, q.size());
        q.offer("fourth"); // the slot is used for good: a late element goes behind the others
        assertEquals("second", q.poll());
        assertEquals("third", q.poll());
        assertEquals("fourth", q.poll());
        assertNull(q.poll());
        assertTrue(q.isEmpty());
        assertEquals(0, q.size());
    }

    @Test
    void anElementAfterTheSlotWasTakenGoesToTheOverflow() {
        ReplyQueue q = new ReplyQueue();
        q.offer(1);
        assertEquals(1, q.poll());
        assertTrue(q.isEmpty());
        q.offer(2);
        assertFalse(q.isEmpty());
        assertEquals(2, q.poll());
        assertTrue(q.isEmpty());
    }

    @Test
    void nullIsRefused() {
        assertThrows(NullPointerException.class, () -> new ReplyQueue().offer(null));
    }

    @Test
    void concurrentProducersKeepTheirOrderAndLoseNothing() throws Exception {
        int producers = 4;
        int each = 20_000;
        for (int round = 0; round < 20; round++) {
            ReplyQueue q = new ReplyQueue();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int producer = p;
                Thread t = new Thread(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < each; i++) {
                        q.offer(new long[] {producer, i});
                    }
                });
                t.start();
                threads.add(t);
            }
            start.countDown();
            int[] next = new int[producers];
            int received = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (received < producers * each) {
                long[] element = (long[]) q.poll();
                if (element == null) {
                    assertTrue(System.nanoTime() < deadline, "elements lost: " + received + " received");
                    Thread.onSpinWait();
                    continue;
                }
                int producer = (int) element[0];
                assertEquals(next[producer], element[1], "order of producer " + producer);
                next[producer]++;
                received++;
            }
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(10));
                assertFalse(t.isAlive());
            }
            assertNull(q.poll());
            assertTrue(q.isEmpty());
        }
    }
}
