package dev.entangle.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.jctools.queues.MessagePassingQueue;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import dev.entangle.EventLoop;
import dev.entangle.MessageChannel;
import dev.entangle.MessagePort;
import dev.entangle.bench.support.Lifecycle;
import dev.entangle.bench.support.RawQueues;

/**
 * Benchmark 6: footprint, as heap used after a full GC ({@link MemoryMXBean}) before and after making
 * {@link #COUNT} items, divided by {@code COUNT}. The figures are the secondary results
 * {@code bytesPerItem} and {@code heapMiB} (the whole million); the primary score is only the time one
 * measurement took (GCs included) and means nothing.
 *
 * <p>{@code what}: {@code idle-channel}, a {@code MessageChannel} (both ports, never started, no
 * message: the queue is created lazily) owned by a loop, including the loop's registration of each
 * port; {@code queued-entangle}, one message waiting in a port message queue (a port never started);
 * baselines {@code queued-jctools}, one element in the raw JCTools port queue class, and
 * {@code queued-LinkedBlockingQueue}. Every message is the same object, so payloads cost nothing; the
 * array that keeps the items alive is allocated before the first reading and not counted.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Threads(1)
@State(Scope.Benchmark)
public class Footprint {
    static final int COUNT = 1_000_000;
    static final Object PAYLOAD = "m";

    @Param({"idle-channel", "queued-entangle", "queued-jctools", "queued-LinkedBlockingQueue"})
    public String what;

    /** The measured figures; JMH reports them per iteration as secondary results. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Bytes {
        /** Heap bytes per channel or per queued message. */
        public double bytesPerItem;
        /** Heap MiB for all {@code COUNT} items. */
        public double heapMiB;

        @Setup(Level.Iteration)
        public void clear() {
            bytesPerItem = 0;
            heapMiB = 0;
        }
    }

    @Benchmark
    public int measure(Bytes out) {
        Object[] keep = new Object[COUNT];
        EventLoop loop = EventLoop.start("owner");
        try {
            long before = usedAfterGc();
            switch (what) {
                case "idle-channel":
                    for (int i = 0; i < COUNT; i++) {
                        keep[i] = new MessageChannel(loop);
                    }
                    break;
                case "queued-entangle": {
                    MessageChannel channel = new MessageChannel(loop);
                    MessagePort sender = channel.port1();
                    for (int i = 0; i < COUNT; i++) {
                        sender.postMessage(PAYLOAD);
                    }
                    keep[0] = channel;
                    break;
                }
                case "queued-jctools": {
                    MessagePassingQueue<Object> queue = RawQueues.newPortQueue();
                    for (int i = 0; i < COUNT; i++) {
                        queue.offer(PAYLOAD);
                    }
                    keep[0] = queue;
                    break;
                }
                case "queued-LinkedBlockingQueue": {
                    LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
                    for (int i = 0; i < COUNT; i++) {
                        queue.offer(PAYLOAD);
                    }
                    keep[0] = queue;
                    break;
                }
                default:
                    throw new IllegalArgumentException("unknown what " + what);
            }
            long after = usedAfterGc();
            Reference.reachabilityFence(keep);
            out.bytesPerItem = (after - before) / (double) COUNT;
            out.heapMiB = (after - before) / (1024.0 * 1024.0);
            return keep.length;
        } finally {
            // Closes the ports, so that the next iteration starts from an empty heap. Closing 2,000,000
            // ports took more than 30 s on the loaded 2-core machine (load 20), hence the long wait.
            Lifecycle.close(loop, Duration.ofMinutes(5));
        }
    }

    private static long usedAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        // Several full GCs: the Cleaner and reference processing settle; keep the lowest reading.
        for (int i = 0; i < 4; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
