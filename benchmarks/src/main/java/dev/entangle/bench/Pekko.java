package dev.entangle.bench;

import java.util.concurrent.TimeUnit;

import org.apache.pekko.actor.typed.ActorSystem;

/** Pekko lifecycle helpers for the peer benchmarks (setup and teardown only). */
final class Pekko {
    private Pekko() {
    }

    static void terminate(ActorSystem<?> system) {
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Pekko did not terminate", e);
        }
    }
}
