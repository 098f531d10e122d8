package dev.entangle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Test fixture for "no thread leak": snapshots the live threads, and later waits (bounded, by joining)
 * for every thread started since to end. Process-wide daemon threads started once and kept are not
 * leaks and are ignored: entangle's ({@code entangle-common}, {@code entangle-port-cleaner}) and, on
 * Java 21+, the JVM's virtual-thread scheduler (carrier threads and {@code VirtualThread-unblocker}).
 */
final class LiveThreads {
    private static final Set<String> PROCESS_WIDE = Set.of("entangle-common", "entangle-port-cleaner",
            "VirtualThread-unblocker");
    private static final String CARRIER_THREAD = "jdk.internal.misc.CarrierThread";

    private final Set<Thread> before;

    private LiveThreads(Set<Thread> before) {
        this.before = before;
    }

    /** The threads alive now. */
    static LiveThreads snapshot() {
        return new LiveThreads(new HashSet<>(Thread.getAllStackTraces().keySet()));
    }

    /** Joins every thread started since the snapshot, then fails naming those still alive. */
    void assertNoneLeaked(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> alive = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (before.contains(t) || PROCESS_WIDE.contains(t.getName())
                    || t.getClass().getName().equals(CARRIER_THREAD) || t == Thread.currentThread()) {
                continue;
            }
            long remainingMillis = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            t.join(remainingMillis);
            if (t.isAlive()) {
                alive.add(t.getName() + " " + t.getState());
            }
        }
        assertEquals(List.of(), alive, "threads started during the test are still alive");
    }
}
