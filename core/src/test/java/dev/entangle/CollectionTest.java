package dev.entangle;

import static dev.entangle.Loops.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

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
    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach
    void close() throws InterruptedException {
        loops.close();
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
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

    /**
     * The collector thread disentangles a collected port on its own thread; if what it calls throws an
     * Error (here: the executor of the peer's multiplexed loop, asked to schedule the close), the
     * error is reported and the next collected port is still disentangled. Before the fix the Error
     * killed the thread: no collected port was disentangled any more, in the whole process.
     */
    @Test
    void theCollectorSurvivesAnErrorAndDisentanglesTheNextCollectedPort() throws Exception {
        TurnCountingExecutor executor = new TurnCountingExecutor(pool);
        LinkedBlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
        EventLoop fragile = EventLoop.on(executor, "fragile", (t, e) -> errors.add(e));
        EventLoop healthy = loops.start("healthy");
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        AtomicReference<MessagePort> partner = new AtomicReference<>();
        abandonPartnerOf(fragile, events, "fragile", partner);
        executor.awaitIdle(); // idle: the collector's close must call the executor itself
        executor.failWith(() -> {
            throw new AssertionError("executor bug");
        });
        partner.set(null); // only now may the GC take it
        awaitOrGc(errors);
        abandonPartnerOf(healthy, events, "healthy", partner);
        partner.set(null);
        String event = null;
        long deadline = System.nanoTime() + GC_TIMEOUT_NANOS;
        while (event == null && System.nanoTime() < deadline) {
            System.gc();
            event = events.poll(20, TimeUnit.MILLISECONDS);
        }
        assertEquals("healthy close", event);
    }

    /** A started port on {@code survivorLoop} whose partner (never started) is only in {@code partner}. */
    private static void abandonPartnerOf(EventLoop survivorLoop, LinkedBlockingQueue<String> events,
            String name, AtomicReference<MessagePort> partner) {
        MessageChannel channel = new MessageChannel(EventLoop.common());
        partner.set(channel.port2()); // held until the caller lets go
        MessageChannel carrier = new MessageChannel(survivorLoop);
        // Move port1 to survivorLoop, started there; port2 stays behind unreferenced.
        carrier.port2().onmessage(e -> {
            MessagePort survivor = e.ports().get(0);
            survivor.onclose(c -> events.add(name + " close"));
            survivor.start();
            events.add(name + " ready");
        });
        carrier.port1().postMessage("take", List.of(channel.port1()));
        try {
            assertEquals(name + " ready", next(events));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Prods the GC until the fragile executor's error is reported. */
    private static void awaitOrGc(LinkedBlockingQueue<Throwable> errors) throws InterruptedException {
        Throwable error = null;
        long deadline = System.nanoTime() + GC_TIMEOUT_NANOS;
        while (error == null && System.nanoTime() < deadline) {
            System.gc();
            error = errors.poll(20, TimeUnit.MILLISECONDS);
        }
        assertTrue(error instanceof AssertionError, "the executor's error is reported: " + error);
    }
}
