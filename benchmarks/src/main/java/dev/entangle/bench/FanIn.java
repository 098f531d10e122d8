package dev.entangle.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

import org.jctools.queues.MessagePassingQueue;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import dev.entangle.EventLoop;
import dev.entangle.MessageChannel;
import dev.entangle.MessagePort;
import dev.entangle.bench.support.Lifecycle;
import dev.entangle.bench.support.RawQueues;

/**
 * Benchmark 3: fan-in, 1, 2 or 4 sender threads into one receiving loop (methods {@code senders1},
 * {@code senders2}, {@code senders4}; JMH sums the threads' scores, so the score is messages per second
 * into the loop).
 *
 * <p>Each sender posts one message per operation and keeps at most {@link #WINDOW} messages in flight:
 * past that it waits (spin, then yield) for the loop to catch up, so the score counts messages
 * consumed, within {@code WINDOW} per sender, and no queue grows without bound. The receiver counts per
 * sender (the message is the sender's index), on padded counters.
 *
 * <p>{@code impl}: {@code entangle-1port}, every sender posts on the same {@code port1} (one MPSC port
 * queue); {@code entangle-1000ports}, 1,000 channels owned by the loop, each sender posting round-robin
 * over all of them (1,000 port queues scheduled through the loop's run queue); baseline {@code jctools},
 * every sender offering to one port-queue-class JCTools queue drained by a consumer thread spinning on
 * {@code poll}. With 4 senders the 2-core machine is oversubscribed: that is the point of the case.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(3)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class FanIn {
    /** Messages one sender may have posted and not yet seen consumed. */
    static final int WINDOW = 1_000;
    /** Longs between two senders' counters: 128 bytes, so no two share a cache line. */
    private static final int STRIDE = 16;
    private static final int MAX_SENDERS = 64;

    @State(Scope.Benchmark)
    public static class Hub {
        @Param({"entangle-1port", "entangle-1000ports", "jctools"})
        public String impl;

        final AtomicLongArray consumed = new AtomicLongArray(MAX_SENDERS * STRIDE);
        final AtomicInteger senders = new AtomicInteger();
        private EventLoop loop;
        MessagePort[] ports;
        MessagePassingQueue<Object> queue;
        private Thread consumer;

        @Setup(Level.Trial)
        public void setUp() {
            switch (impl) {
                case "entangle-1port":
                    openLoop(1);
                    break;
                case "entangle-1000ports":
                    openLoop(1_000);
                    break;
                case "jctools":
                    queue = RawQueues.newPortQueue();
                    consumer = Lifecycle.startDaemon("spinning-consumer", () -> {
                        Thread me = Thread.currentThread();
                        while (!me.isInterrupted()) {
                            Object m = queue.poll();
                            if (m != null) {
                                count(m);
                            } else {
                                Thread.onSpinWait();
                            }
                        }
                    });
                    break;
                default:
                    throw new IllegalArgumentException("unknown impl " + impl);
            }
        }

        private void openLoop(int portCount) {
            loop = EventLoop.start("fan-in");
            ports = new MessagePort[portCount];
            for (int i = 0; i < portCount; i++) {
                MessageChannel channel = new MessageChannel(loop);
                channel.port2().onmessage(e -> count(e.data()));
                ports[i] = channel.port1();
            }
        }

        /** Receiver only (one thread): one more message from the sender whose index it carries. */
        void count(Object senderIndex) {
            int slot = (Integer) senderIndex * STRIDE;
            // Release: single writer per slot; the sender's acquire read pairs with it.
            consumed.setRelease(slot, consumed.getPlain(slot) + 1);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (loop != null) {
                Lifecycle.close(loop);
            }
            if (consumer != null) {
                Lifecycle.stop(consumer);
            }
        }
    }

    @State(Scope.Thread)
    public static class Sender {
        Integer index;
        int slot;
        long sent;
        int cursor;

        @Setup(Level.Trial)
        public void setUp(Hub hub) {
            int i = hub.senders.getAndIncrement();
            if (i >= MAX_SENDERS) {
                throw new IllegalStateException("more than " + MAX_SENDERS + " sender threads");
            }
            index = i; // boxed once: Integer.valueOf caches small values, the message allocates nothing
            slot = i * STRIDE;
        }
    }

    @Benchmark
    @Threads(1)
    public long senders1(Hub hub, Sender s) {
        return send(hub, s);
    }

    @Benchmark
    @Threads(2)
    public long senders2(Hub hub, Sender s) {
        return send(hub, s);
    }

    @Benchmark
    @Threads(4)
    public long senders4(Hub hub, Sender s) {
        return send(hub, s);
    }

    private static long send(Hub hub, Sender s) {
        if (hub.queue != null) {
            hub.queue.offer(s.index);
        } else {
            MessagePort[] ports = hub.ports;
            ports[s.cursor].postMessage(s.index);
            s.cursor = s.cursor + 1 == ports.length ? 0 : s.cursor + 1;
        }
        long sent = ++s.sent;
        for (int i = 0; sent - hub.consumed.getAcquire(s.slot) > WINDOW; i++) {
            if (i < 1_000) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        return sent;
    }
}
