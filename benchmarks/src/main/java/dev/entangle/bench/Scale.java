package dev.entangle.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.jctools.queues.MessagePassingQueue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
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
import dev.entangle.bench.support.Tally;

/**
 * Benchmark 5: scale. {@code loops} (10,000) multiplexed loops in a ring on one fixed pool of 2
 * threads; tokens travel round the ring, each hop a message from one loop to the next.
 *
 * <p>One operation is {@link #HOPS} (10,000) hops in all: {@code tokens} tokens (1 or 100) start at
 * evenly spaced loops and each travels {@code HOPS / tokens} hops, so {@code tokens = 1} is one full lap
 * with one message in flight, and {@code tokens = 100} keeps 100 in flight. The benchmark thread posts
 * the first message of each token, then waits parked (so only the 2 pool threads compete for the 2
 * cores) until the last token has arrived. {@link #hops} ({@code Throughput}, normalised with
 * {@code @OperationsPerInvocation(HOPS)}) scores messages per second; {@link #lap} ({@code SampleTime},
 * not normalised) gives the distribution of the time of one operation, whose p99 is the figure
 * reported (with {@code tokens = 1}, the latency of a full lap of 10,000 sequential hops).
 *
 * <p>{@code impl}: {@code entangle}: loop {@code i} is {@code EventLoop.on(pool, name)} and owns the
 * receiving {@code port2} of channel {@code i}; its {@code onmessage} forwards the token through
 * {@code port1} of channel {@code i + 1} (whose {@code port2} is owned by loop {@code i + 1}; posting is
 * legal from any loop), so every hop is a real cross-loop message: clone check, port queue, scheduling
 * of the port on the next loop, a turn of that loop submitted to the pool, a {@code MessageEvent},
 * dispatch.
 *
 * <p>Baseline {@code mailbox}: the same ring on the same 2-thread pool without entangle, each loop
 * replaced by the least an actor-style multiplexer can do: a JCTools MPSC queue (the class and chunk
 * size of a port's message queue), a "scheduled" flag set by CAS, and one pool task per idle-to-busy
 * transition that drains at most 64 messages (a multiplexed loop's batch bound) and resubmits itself if
 * messages remain, calling the handler directly. It answers "what does entangle's multiplexing cost":
 * both sides pay the same pool hand-off per hop, so the ratio is the price of entangle's loop and port
 * machinery (ports, run queue, event dispatch, spec checks) on top of a minimal mailbox. A Pekko ring
 * would measure a different library's overheads as well; a ring of 10,000 ports on one loop would not
 * multiplex at all.
 */
@Fork(3)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
@State(Scope.Benchmark)
public class Scale {
    /** Hops (messages delivered) per operation, across all tokens. */
    static final int HOPS = 10_000;

    /** A multiplexed loop's bound per turn, reused for the baseline mailbox's drain. */
    static final int BATCH = 64;

    @Param({"entangle", "mailbox"})
    public String impl;

    @Param({"10000"})
    public int loops;

    @Param({"1", "100"})
    public int tokens;

    private final Tally done = new Tally();
    /** Tokens of the current operation still travelling; the last one to arrive signals {@link #done}. */
    private final AtomicInteger travelling = new AtomicInteger();
    private ExecutorService pool;
    private Ring ring;
    private int[] starts;
    private Integer hopsPerToken;
    private long expected;

    @Setup(Level.Trial)
    public void setUp() {
        if (HOPS % tokens != 0 || tokens > loops) {
            throw new IllegalArgumentException("tokens must divide " + HOPS + " and be at most loops");
        }
        AtomicInteger threads = new AtomicInteger();
        // 2 pool threads, as issue 6 asks; -jvmArgs -Dscale.threads=1 is the diagnostic run that takes
        // thread wake-ups out of a hop and leaves its CPU and cache cost.
        pool = Executors.newFixedThreadPool(Integer.getInteger("scale.threads", 2), r -> {
            Thread t = new Thread(r, "scale-pool-" + threads.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        switch (impl) {
            case "entangle":
                ring = new EntangleRing(pool, loops, this::arrived);
                break;
            case "mailbox":
                ring = new MailboxRing(pool, loops, this::arrived);
                break;
            default:
                throw new IllegalArgumentException("unknown impl " + impl);
        }
        starts = new int[tokens];
        for (int t = 0; t < tokens; t++) {
            starts[t] = (int) ((long) t * loops / tokens);
        }
        hopsPerToken = HOPS / tokens;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        ring.close();
        pool.shutdown();
        if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the 2-thread pool did not terminate within 30 s");
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(HOPS)
    public long hops() {
        return run();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public long lap() {
        return run();
    }

    private long run() {
        travelling.set(tokens);
        for (int start : starts) {
            ring.inject(start, hopsPerToken);
        }
        done.awaitParked(++expected);
        return expected;
    }

    /**
     * A token has made its last hop. Runs on a pool thread; only the last token of an operation
     * signals, and the next operation starts after the benchmark thread has seen that signal, so the
     * signals are sequential as {@link Tally} requires (each happens-before the next).
     */
    private void arrived() {
        if (travelling.decrementAndGet() == 0) {
            done.signal();
        }
    }

    /** The ring under test: {@link #inject} posts a token to a loop from the benchmark thread. */
    interface Ring {
        void inject(int loop, Integer hopsLeft);

        void close();
    }

    /** Forwards {@code hopsLeft - 1} to the next loop, or reports the token's arrival. */
    static void hop(Object data, Post next, Runnable arrived) {
        int left = (Integer) data - 1;
        if (left == 0) {
            arrived.run();
        } else {
            next.post(left);
        }
    }

    /** Posting a token's remaining hops to the next loop of a ring. */
    interface Post {
        void post(Integer hopsLeft);
    }

    /** {@code loops} multiplexed entangle loops on the pool, linked by one channel each. */
    static final class EntangleRing implements Ring {
        private final EventLoop[] ring;
        private final MessagePort[] inbound;

        EntangleRing(ExecutorService pool, int n, Runnable arrived) {
            ring = new EventLoop[n];
            MessageChannel[] channels = new MessageChannel[n];
            inbound = new MessagePort[n];
            for (int i = 0; i < n; i++) {
                ring[i] = EventLoop.on(pool, "ring-" + i);
                channels[i] = new MessageChannel(ring[i]);
                inbound[i] = channels[i].port1();
            }
            for (int i = 0; i < n; i++) {
                MessagePort next = channels[(i + 1) % n].port1();
                Post post = next::postMessage;
                channels[i].port2().onmessage(e -> hop(e.data(), post, arrived));
            }
        }

        @Override
        public void inject(int loop, Integer hopsLeft) {
            inbound[loop].postMessage(hopsLeft);
        }

        @Override
        public void close() {
            // Close all first (their pool turns overlap), then wait for each (close is idempotent).
            for (EventLoop loop : ring) {
                loop.close();
            }
            for (EventLoop loop : ring) {
                Lifecycle.close(loop);
            }
        }
    }

    /** The baseline: {@code loops} minimal mailboxes on the pool, no entangle. */
    static final class MailboxRing implements Ring {
        private final Mailbox[] ring;

        MailboxRing(ExecutorService pool, int n, Runnable arrived) {
            ring = new Mailbox[n];
            for (int i = 0; i < n; i++) {
                ring[i] = new Mailbox(pool);
            }
            for (int i = 0; i < n; i++) {
                Mailbox next = ring[(i + 1) % n];
                Post post = next::post;
                ring[i].handler = data -> hop(data, post, arrived);
            }
        }

        @Override
        public void inject(int loop, Integer hopsLeft) {
            ring[loop].post(hopsLeft);
        }

        @Override
        public void close() {
            // Nothing to stop: a mailbox owns no thread, and every token has arrived.
        }
    }

    /**
     * An actor-style mailbox: an MPSC queue drained by at most one pool task at a time.
     *
     * <p>Threads: {@link #post} from any thread; {@link #run} on the pool only, never twice at once.
     *
     * <p>Memory consistency effects: actions prior to {@link #post} <i>happen-before</i> the handler
     * runs for that message.
     */
    static final class Mailbox implements Runnable {
        /*
         * `scheduled` is 1 from the CAS that submits a drain task until that task clears it. The drain
         * clears it with a volatile store and then re-checks the queue, so that a post that saw 1 (and
         * did not submit) after the drain's last poll is picked up: either the drain sees its message
         * and resubmits, or the poster sees 0 and submits.
         */
        private static final VarHandle SCHEDULED;

        static {
            try {
                SCHEDULED = MethodHandles.lookup().findVarHandle(Mailbox.class, "scheduled", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final MessagePassingQueue<Object> queue = RawQueues.newPortQueue();
        private final ExecutorService pool;
        /** Set once in setup, before any message; read by the drain task (published by the pool). */
        Consumer<Object> handler;
        @SuppressWarnings("unused") // accessed through SCHEDULED
        private int scheduled;

        Mailbox(ExecutorService pool) {
            this.pool = pool;
        }

        void post(Object message) {
            queue.offer(message);
            // Volatile read, then CAS: submit a drain only on the idle-to-scheduled transition.
            if ((int) SCHEDULED.getVolatile(this) == 0 && SCHEDULED.compareAndSet(this, 0, 1)) {
                pool.execute(this);
            }
        }

        @Override
        public void run() {
            for (int i = 0; i < BATCH; i++) {
                Object m = queue.poll();
                if (m == null) {
                    break;
                }
                handler.accept(m);
            }
            // Volatile store: the drain is over; then re-check the queue (see the comment above).
            SCHEDULED.setVolatile(this, 0);
            if (!queue.isEmpty() && SCHEDULED.compareAndSet(this, 0, 1)) {
                pool.execute(this);
            }
        }
    }
}
