package dev.entangle;

import static dev.entangle.Loops.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the garbage collector may take (HTML §9.4.6 "Ports and garbage collection": a port that can
 * never receive another message may be collected), and the collector thread that disentangles
 * collected ports surviving whatever the code it calls throws. The GC is prodded until the expected
 * reference is cleared or the timeout passes.
 */
class CollectionTest {
    private static final long GC_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(20);

    private final Loops loops = new Loops();

    @AfterEach
    void close() throws InterruptedException {
        loops.close();
    }

    /**
     * Started ports whose partner closed, dropped by the user, are collected although their loop is
     * still running (before the fix each stayed reachable from the loop until it closed: 575 B each).
     */
    @Test
    void startedPortsWhosePartnerClosedAreCollectable() throws Exception {
        EventLoop loop = loops.start("keeps-running");
        ReferenceQueue<MessagePort> collected = new ReferenceQueue<>();
        List<WeakReference<MessagePort>> refs = new ArrayList<>();
        LinkedBlockingQueue<String> closes = new LinkedBlockingQueue<>();
        int ports = 1_000;
        for (int i = 0; i < ports; i++) {
            refs.add(startedPortWhosePartnerClosed(loop, collected, closes));
        }
        for (int i = 0; i < ports; i++) {
            assertEquals("close", next(closes));
        }
        int cleared = 0;
        long deadline = System.nanoTime() + GC_TIMEOUT_NANOS;
        while (cleared < ports && System.nanoTime() < deadline) {
            System.gc();
            while (collected.remove(20) != null) {
                cleared++;
            }
        }
        assertEquals(ports, cleared, "disentangled, unreferenced ports still reachable");
        assertEquals("alive", Loops.on(loop, () -> "alive"));
    }

    private static WeakReference<MessagePort> startedPortWhosePartnerClosed(EventLoop loop,
            ReferenceQueue<MessagePort> collected, LinkedBlockingQueue<String> closes) {
        MessageChannel channel = new MessageChannel(loop);
        MessagePort port = channel.port2();
        port.onmessage(e -> { });
        port.onclose(e -> closes.add("close"));
        channel.port1().close();
        return new WeakReference<>(port, collected);
    }
}
