package dev.entangle.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.Test;

/**
 * The consumer ids that loops store in the consumer lock of the endpoints they drain (instead of the
 * draining Thread): unique among live loops, and a terminated loop's id is given out again.
 */
class LoopIdsTest {
    @Test
    void liveLoopsHaveDistinctPositiveIds() throws InterruptedException {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        List<LoopCore> loops = new ArrayList<>();
        try {
            Set<Integer> ids = new HashSet<>();
            for (int i = 0; i < 500; i++) {
                LoopCore loop = LoopCore.multiplexed("ids-" + i, null, pool);
                loops.add(loop);
                assertTrue(loop.consumerId() > 0, "positive: 0 is the free lock, -1 a receive");
                assertTrue(ids.add(loop.consumerId()), "id " + loop.consumerId() + " given twice");
            }
            LoopCore dedicated = LoopCore.dedicated("ids-dedicated", null, dev.entangle.IdleStrategy.DEFAULT);
            loops.add(dedicated);
            assertTrue(ids.add(dedicated.consumerId()), "a dedicated loop's id is distinct too");
        } finally {
            for (LoopCore loop : loops) {
                loop.close();
                assertTrue(loop.awaitTermination(Duration.ofSeconds(10)));
            }
            pool.shutdown();
        }
    }

    @Test
    void aTerminatedLoopsIdIsGivenOutAgain() throws InterruptedException {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            LoopCore loop = LoopCore.multiplexed("ids-reused", null, pool);
            int id = loop.consumerId();
            loop.close();
            assertTrue(loop.awaitTermination(Duration.ofSeconds(10)));
            // Freed ids wait in a queue: the terminated loop's comes out among the next ones taken.
            List<Integer> taken = new ArrayList<>();
            try {
                int again = 0;
                for (int i = 0; i < 100_000 && again == 0; i++) {
                    int next = LoopIds.acquire();
                    taken.add(next);
                    again = next == id ? next : 0;
                }
                assertEquals(id, again, "the id of the terminated loop was not reused");
            } finally {
                taken.forEach(LoopIds::release);
            }
        } finally {
            pool.shutdown();
        }
    }
}
