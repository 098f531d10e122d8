package dev.entangle.bench;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
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
import dev.entangle.bench.support.RawQueues;
import dev.entangle.bench.support.Tally;
import dev.entangle.bench.support.Lifecycle;

/**
 * Benchmark 1: one-way throughput, one sender thread into one receiver, in bursts.
 *
 * <p>One operation is one burst: the benchmark thread posts {@code burst} messages, then waits (spin,
 * then yield) until the receiver has <i>consumed</i> all of them, so the score counts messages that
 * reached the receiving side, and no queue grows without bound. Messages per second = score x burst
 * (the chart script does the multiplication). Burst 1 is a one-way latency; burst 10,000 is bulk
 * throughput.
 *
 * <p>{@code impl}: {@code entangle} posts on {@code port1} from the benchmark thread (a plain sender
 * thread) and counts in {@code port2}'s {@code onmessage} handler on the receiving loop, so each
 * message pays the full path: clone check, port queue, run-queue scheduling, {@code MessageEvent},
 * dispatch. Baselines in the same run: {@code jctools}, the port message queue's own JCTools class with
 * a consumer thread spinning on {@code poll} (the physical limit of this design); the JDK hand-offs
 * {@code ArrayBlockingQueue}, {@code LinkedBlockingQueue}, {@code LinkedTransferQueue} (a consumer
 * thread blocked in {@code take}); {@code SubmissionPublisher} (a subscriber on a one-thread executor,
 * default buffer); and the peer {@code pekko} (benchmark 7: {@code tell} to a typed actor on Pekko's
 * default dispatcher).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(3)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
@State(Scope.Benchmark)
public class OneWayThroughput {
    @Param({"entangle", "jctools", "ArrayBlockingQueue", "LinkedBlockingQueue", "LinkedTransferQueue",
            "SubmissionPublisher", "pekko"})
    public String impl;

    @Param({"1", "100", "10000"})
    public int burst;

    /** The message: one immutable object, so that no benchmark pays for allocating payloads. */
    static final Object PAYLOAD = "m";

    private final Tally consumed = new Tally();
    private Receiver receiver;
    private long sent;

    @Setup(Level.Trial)
    public void setUp() {
        receiver = open(impl, consumed);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        receiver.close();
    }

    @Benchmark
    public long burst() throws InterruptedException {
        Receiver r = receiver;
        for (int i = 0; i < burst; i++) {
            r.send(PAYLOAD);
        }
        sent += burst;
        consumed.awaitSpinning(sent);
        return sent;
    }

    /** One receiving side: the sender calls {@link #send}; the receiver advances the tally. */
    interface Receiver {
        void send(Object message) throws InterruptedException;

        void close();
    }

    static Receiver open(String impl, Tally consumed) {
        switch (impl) {
            case "entangle":
                return new EntangleReceiver(consumed);
            case "jctools":
                return new SpinningQueueReceiver(consumed);
            case "ArrayBlockingQueue":
                return new BlockingQueueReceiver(new ArrayBlockingQueue<>(16_384), consumed);
            case "LinkedBlockingQueue":
                return new BlockingQueueReceiver(new LinkedBlockingQueue<>(), consumed);
            case "LinkedTransferQueue":
                return new BlockingQueueReceiver(new LinkedTransferQueue<>(), consumed);
            case "SubmissionPublisher":
                return new PublisherReceiver(consumed);
            case "pekko":
                return new PekkoReceiver(consumed);
            default:
                throw new IllegalArgumentException("unknown impl " + impl);
        }
    }

    /** port1 to port2, both owned by one receiving loop; the benchmark thread only posts. */
    static final class EntangleReceiver implements Receiver {
        private final EventLoop loop = EventLoop.start("receiver");
        private final MessagePort sender;

        EntangleReceiver(Tally consumed) {
            MessageChannel channel = new MessageChannel(loop);
            channel.port2().onmessage(e -> consumed.advance());
            sender = channel.port1();
        }

        @Override
        public void send(Object message) {
            sender.postMessage(message);
        }

        @Override
        public void close() {
            Lifecycle.close(loop);
        }
    }

    /** The raw port queue with a consumer thread spinning on poll: no scheduling, no events. */
    static final class SpinningQueueReceiver implements Receiver {
        private final MessagePassingQueue<Object> queue = RawQueues.newPortQueue();
        private final Thread consumer;

        SpinningQueueReceiver(Tally consumed) {
            consumer = Lifecycle.startDaemon("spinning-consumer", () -> {
                Thread me = Thread.currentThread();
                while (!me.isInterrupted()) {
                    if (queue.poll() != null) {
                        consumed.advance();
                    } else {
                        Thread.onSpinWait();
                    }
                }
            });
        }

        @Override
        public void send(Object message) {
            queue.offer(message);
        }

        @Override
        public void close() {
            Lifecycle.stop(consumer);
        }
    }

    /** A JDK blocking queue with a consumer thread blocked in take(). */
    static final class BlockingQueueReceiver implements Receiver {
        private final BlockingQueue<Object> queue;
        private final Thread consumer;

        BlockingQueueReceiver(BlockingQueue<Object> queue, Tally consumed) {
            this.queue = queue;
            consumer = Lifecycle.startDaemon("blocking-consumer", () -> {
                try {
                    while (true) {
                        queue.take();
                        consumed.advance();
                    }
                } catch (InterruptedException stop) {
                    // close()
                }
            });
        }

        @Override
        public void send(Object message) throws InterruptedException {
            queue.put(message);
        }

        @Override
        public void close() {
            Lifecycle.stop(consumer);
        }
    }

    /** A SubmissionPublisher whose one subscriber runs on a one-thread executor. */
    static final class PublisherReceiver implements Receiver {
        private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "publisher-consumer");
            t.setDaemon(true);
            return t;
        });
        private final SubmissionPublisher<Object> publisher =
                new SubmissionPublisher<>(executor, Flow.defaultBufferSize());

        PublisherReceiver(Tally consumed) {
            publisher.subscribe(new Flow.Subscriber<Object>() {
                @Override
                public void onSubscribe(Flow.Subscription subscription) {
                    subscription.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(Object item) {
                    consumed.advance();
                }

                @Override
                public void onError(Throwable throwable) {
                    throwable.printStackTrace();
                }

                @Override
                public void onComplete() {
                }
            });
        }

        @Override
        public void send(Object message) {
            publisher.submit(message);
        }

        @Override
        public void close() {
            publisher.close();
            executor.shutdown();
            try {
                executor.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The peer: tell to a typed actor (the system's guardian) that counts. */
    static final class PekkoReceiver implements Receiver {
        private final ActorSystem<Object> system;

        PekkoReceiver(Tally consumed) {
            system = ActorSystem.create(Behaviors.receiveMessage(m -> {
                consumed.advance();
                return Behaviors.same();
            }), "oneway");
        }

        @Override
        public void send(Object message) {
            system.tell(message);
        }

        @Override
        public void close() {
            Pekko.terminate(system);
        }
    }
}
