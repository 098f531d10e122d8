package dev.entangle.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.entangle.IdleStrategy;

/**
 * Idle strategies of dedicated loops (issue 4, item 1): what each factory strategy decides, and that the
 * park handshake loses no wake-up whatever the strategy.
 */
class IdleStrategyTest {
    private final LinkedBlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
    private final List<LoopCore> loops = new ArrayList<>();

    private LoopCore start(String name, IdleStrategy strategy) {
        LoopCore loop = LoopCore.dedicated(name, (t, e) -> errors.add(e), strategy);
        loops.add(loop);
        loop.start();
        return loop;
    }

    @AfterEach
    void closeLoops() throws InterruptedException {
        for (LoopCore loop : loops) {
            loop.close();
        }
        for (LoopCore loop : loops) {
            assertTrue(loop.awaitTermination(Duration.ofSeconds(10)), loop + " did not terminate");
        }
    }

    private static Thread threadOf(LoopCore loop) throws InterruptedException {
        Thread[] holder = new Thread[1];
        CountDownLatch ran = new CountDownLatch(1);
        loop.execute(() -> {
            holder[0] = Thread.currentThread();
            ran.countDown();
        });
        assertTrue(ran.await(10, TimeUnit.SECONDS));
        return holder[0];
    }

    /** Waits, bounded, until {@code thread} is parked (WAITING). */
    private static void awaitParked(Thread thread) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (thread.getState() != Thread.State.WAITING) {
            assertTrue(System.nanoTime() < deadline, "loop never parked while idle");
            Thread.onSpinWait();
        }
    }

    @Test
    void spinYieldParkSpinsThenYieldsThenParks() {
        IdleStrategy strategy = IdleStrategy.spinYieldPark(2, 1);
        assertFalse(strategy.idle(0), "spin");
        assertFalse(strategy.idle(1), "spin");
        assertFalse(strategy.idle(2), "yield");
        assertTrue(strategy.idle(3), "park");
        assertTrue(strategy.idle(Integer.MAX_VALUE), "park");
        assertTrue(IdleStrategy.spinYieldPark(0, 0).idle(0), "no spin, no yield: park at once");
        assertTrue(IdleStrategy.park().idle(0));
        assertFalse(IdleStrategy.busySpin().idle(Integer.MAX_VALUE));
        assertFalse(IdleStrategy.DEFAULT.idle(263), "default: 256 spins + 8 yields");
        assertTrue(IdleStrategy.DEFAULT.idle(264));
    }

    @Test
    void negativeSpinsOrYieldsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> IdleStrategy.spinYieldPark(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> IdleStrategy.spinYieldPark(0, -1));
    }

    @Test
    void turnsCountFromZeroAfterWorkAndAfterEachWakeUp() throws Exception {
        LinkedBlockingQueue<Integer> turns = new LinkedBlockingQueue<>();
        LoopCore loop = start("turns", turn -> {
            turns.add(turn);
            return turn == 2;
        });
        Thread thread = threadOf(loop);
        awaitParked(thread);
        List<Integer> first = new ArrayList<>();
        turns.drainTo(first);
        assertEquals(List.of(0, 1, 2), first.subList(first.size() - 3, first.size()));

        CountDownLatch ran = new CountDownLatch(1);
        loop.execute(ran::countDown);
        assertTrue(ran.await(10, TimeUnit.SECONDS));
        assertEquals(0, turns.poll(10, TimeUnit.SECONDS), "counting starts again after the wake-up");
    }

    @Test
    void parkStrategyParksAtOnceAndEachPostToTheParkedLoopWakesItOnce() throws Exception {
        LoopCore loop = start("parker", IdleStrategy.park());
        Thread thread = threadOf(loop);
        for (int i = 0; i < 100; i++) {
            awaitParked(thread);
            long before = loop.wakeups();
            CountDownLatch ran = new CountDownLatch(1);
            loop.execute(ran::countDown);
            assertTrue(ran.await(10, TimeUnit.SECONDS), "round " + i);
            assertEquals(before + 1, loop.wakeups(), "round " + i);
        }
    }

    @Test
    void busySpinNeverParksSoPostsNeverPayForAWakeUp() throws Exception {
        LoopCore loop = start("spinner", IdleStrategy.busySpin());
        Thread thread = threadOf(loop);
        for (int i = 0; i < 1_000; i++) {
            CountDownLatch ran = new CountDownLatch(1);
            loop.execute(ran::countDown);
            assertTrue(ran.await(10, TimeUnit.SECONDS));
            assertFalse(thread.getState() == Thread.State.WAITING, "a busy-spinning loop never parks");
        }
        assertEquals(0, loop.wakeups());
    }

    @Test
    void noWakeUpIsLostWhateverTheStrategy() throws Exception {
        // Two producers post with random gaps, so that posts land while the loop spins, yields, decides
        // or parks; every task must run. A custom strategy parks at random turns.
        Map<String, IdleStrategy> strategies = Map.of(
                "default", IdleStrategy.DEFAULT,
                "park", IdleStrategy.park(),
                "busySpin", IdleStrategy.busySpin(),
                "spin4yield1", IdleStrategy.spinYieldPark(4, 1),
                "random", turn -> ThreadLocalRandom.current().nextInt(4) == 0);
        for (Map.Entry<String, IdleStrategy> entry : strategies.entrySet()) {
            LoopCore loop = start(entry.getKey(), entry.getValue());
            int perProducer = 5_000;
            AtomicInteger ran = new AtomicInteger();
            CountDownLatch all = new CountDownLatch(2 * perProducer);
            List<Thread> producers = new ArrayList<>();
            for (int p = 0; p < 2; p++) {
                Thread producer = new Thread(() -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    for (int i = 0; i < perProducer; i++) {
                        loop.execute(() -> {
                            ran.incrementAndGet();
                            all.countDown();
                        });
                        for (int gap = random.nextInt(200); gap > 0; gap--) {
                            Thread.onSpinWait();
                        }
                    }
                });
                producers.add(producer);
                producer.start();
            }
            for (Thread producer : producers) {
                producer.join(10_000);
            }
            assertTrue(all.await(10, TimeUnit.SECONDS), entry.getKey() + ": lost a wake-up, "
                    + all.getCount() + " tasks never ran");
            assertEquals(2 * perProducer, ran.get(), entry.getKey());
        }
    }

    @Test
    void aStrategyThatThrowsIsReportedAndTheLoopParksAndGoesOn() throws Exception {
        IllegalStateException broken = new IllegalStateException("broken strategy");
        LoopCore loop = start("broken", turn -> {
            throw broken;
        });
        Thread thread = threadOf(loop);
        assertSame(broken, errors.poll(10, TimeUnit.SECONDS));
        awaitParked(thread);
        CountDownLatch ran = new CountDownLatch(1);
        loop.execute(ran::countDown);
        assertTrue(ran.await(10, TimeUnit.SECONDS), "the loop still runs tasks");
    }
}
