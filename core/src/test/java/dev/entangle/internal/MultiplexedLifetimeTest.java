package dev.entangle.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.Reference;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The lifetime rule (end when idle unless a port keeps the loop alive) is shared by both loop kinds:
 * here on a multiplexed loop, which the public API does not yet create with it.
 */
class MultiplexedLifetimeTest {
    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach
    void shutdown() throws InterruptedException {
        pool.shutdown();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }

    private static PortHandle handle(LoopCore loop, PortEndpoint endpoint) {
        // The public object is the endpoint itself, which the handle holds: never collected first.
        return new PortHandle(endpoint, loop, endpoint) {
            @Override
            protected void deliver(Object payload, PortEndpoint[] ports) {
            }

            @Override
            protected void deliverClose() {
            }
        };
    }

    @Test
    void aLoopWithoutPortsEndsAfterItsWork() throws Exception {
        LoopCore loop = LoopCore.multiplexedWorker("ends", null, pool);
        CountDownLatch ran = new CountDownLatch(1);
        loop.execute(ran::countDown);
        loop.start();
        assertTrue(ran.await(10, TimeUnit.SECONDS));
        assertTrue(loop.awaitTermination(Duration.ofSeconds(10)), "ended by itself");
    }

    @Test
    void aStartedRefedPortKeepsItAliveUntilUnrefedFromAnotherThread() throws Exception {
        // Each turn of the loop runs as one task of this executor; the lifetime check runs at the end
        // of a turn that ran something, before the task returns. So once the turn that ran `probe`
        // has returned, the check after it is done: no fixed wait is needed to see its verdict.
        ThreadLocal<Object> turn = new ThreadLocal<>();
        AtomicReference<Object> probeTurn = new AtomicReference<>();
        CountDownLatch probeTurnEnded = new CountDownLatch(1);
        Executor turns = r -> pool.execute(() -> {
            Object me = new Object();
            turn.set(me);
            try {
                r.run();
            } finally {
                turn.remove();
                if (probeTurn.get() == me) {
                    probeTurnEnded.countDown();
                }
            }
        });
        LoopCore loop = LoopCore.multiplexedWorker("kept", null, turns);
        PortEndpoint[] pair = PortEndpoint.entangledPair();
        PortHandle port = handle(loop, pair[0]);
        port.bind();
        port.start();
        loop.execute(() -> probeTurn.set(turn.get()));
        loop.start();
        assertTrue(probeTurnEnded.await(10, TimeUnit.SECONDS), "the probe's turn ended");
        // A loop that had ended itself would refuse this task (execute() refuses from CLOSING on).
        CountDownLatch sentinel = new CountDownLatch(1);
        loop.execute(sentinel::countDown);
        assertTrue(sentinel.await(10, TimeUnit.SECONDS), "kept alive: a later task still runs");

        port.ref(false);

        assertTrue(loop.awaitTermination(Duration.ofSeconds(10)), "ended once unref'ed");
        assertTrue(port.isClosed(), "its ports were closed");
        assertFalse(pair[0].isEntangled(), "and disentangled");
        Reference.reachabilityFence(port); // an unreachable handle would be collected and closed
    }
}
