package dev.entangle.internal;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.entangle.IdleStrategy;

/**
 * Loop-only internals assert that they run on their loop (as Netty asserts inEventLoop()): the tests
 * run with assertions enabled, so a call from the wrong thread fails there instead of corrupting a
 * single-consumer queue in production.
 */
class LoopConfinementTest {
    private final LoopCore loop = LoopCore.dedicated("confined", null, IdleStrategy.DEFAULT);

    @AfterEach
    void close() throws InterruptedException {
        loop.close();
        assertTrue(loop.awaitTermination(Duration.ofSeconds(10)));
    }

    /** Not confinement, but the same fixture: close() of a loop never started still terminates it. */
    @Test
    void aNeverStartedLoopTerminatesOnCloseAndRunsWhatWasQueued() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            LoopCore idle = LoopCore.multiplexed("never-started-idle", null, pool);
            idle.close();
            assertTrue(idle.awaitTermination(Duration.ofSeconds(10)), "an empty multiplexed loop");
            LoopCore busy = LoopCore.multiplexed("never-started-busy", null, pool);
            java.util.concurrent.atomic.AtomicBoolean ran = new java.util.concurrent.atomic.AtomicBoolean();
            busy.execute(() -> ran.set(true));
            busy.close();
            assertTrue(busy.awaitTermination(Duration.ofSeconds(10)));
            assertTrue(ran.get(), "the task queued while NEW ran");
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aPortDrainOffItsLoopFailsItsAssertion() {
        loop.start();
        PortEndpoint endpoint = PortEndpoint.entangledPair()[0];
        AssertionError e = assertThrows(AssertionError.class, () -> endpoint.drain(loop));
        assertTrue(e.getMessage().contains("port drain off its loop"), e.getMessage());
    }
}
