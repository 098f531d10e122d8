package dev.entangle.bench;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;

import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
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
import org.openjdk.jmh.infra.BenchmarkParams;

import dev.entangle.EventLoop;
import dev.entangle.IdleStrategy;
import dev.entangle.MessageChannel;
import dev.entangle.MessageEvent;
import dev.entangle.MessagePort;
import dev.entangle.bench.support.Lifecycle;
import dev.entangle.remote.RemoteNode;

/**
 * Benchmark 8 (issue 17): ports across processes ({@code entangle-remote}) against raw Aeron, the
 * limit of that design, in one run, over shared-memory IPC and loopback UDP, one embedded media
 * driver for both ends (as two processes on one host share one).
 *
 * <ul>
 * <li>{@code roundTrip} ({@code SampleTime}): one message in flight. {@code entangle}: the benchmark
 * thread posts an {@code Integer} on a port got from {@code RemoteNode.connect} and spins on
 * {@code receiveMessage()}, running node a's duty cycle meanwhile (its {@code idleStrategy}); the
 * accepted port's loop echoes it, running node b's duty cycle when idle. {@code aeron}: the benchmark
 * thread offers on an exclusive publication and polls the reply subscription; an echo thread polls
 * and offers back.</li>
 * <li>{@code oneWay} ({@code Throughput}, messages/s): a burst of {@value #BURST} messages, one
 * turn of the sending thread's idle work (node a's duty cycle; raw Aeron's driver and client
 * invokers, or a spin hint), as a loop driving a node runs it between two turns, then a wait, doing
 * the same, until the receiver has counted all but {@value #WINDOW} of those sent so far (so the
 * pipeline stays full and nothing grows without bound).</li>
 * </ul>
 * The same on both sides: the media drivers (over IPC one for both ends, over UDP one per end, as
 * two processes on one host have), the term length (1 MiB), the frame length (raw frames are 31
 * bytes: the DATA frame that carries an {@code Integer}), the waiting threads' strategy (busy spin:
 * the benchmark thread and the echo or counting thread / loop). The nodes' own threads back off
 * (their default) and leave Aeron to the loops that drive them. {@code driver} says how the media
 * drivers run:
 * <ul>
 * <li>{@code invoker} (the default): no threads of their own ({@code ThreadingMode.INVOKER}, and so
 * the Aeron clients' conductors too); each end's waiting thread runs its driver's and client's duty
 * cycle in its wait loop: raw Aeron calls the invokers, a node runs them in its duty cycle
 * ({@code RemoteNode.Options.driverInNode}), called by the loop or thread driving it. Over IPC the
 * one driver is run by the benchmark thread's end.</li>
 * <li>{@code spin}: a thread each ({@code SHARED}), busy spinning (one more spinning thread per driver
 * than the ends: on 2 cores, they take turns).</li>
 * <li>{@code backoff}: a thread each ({@code SHARED}), Agrona's backoff (parks up to 1 ms).</li>
 * </ul>
 *
 * <p>JVM flags of Aeron's (Agrona reads {@code jdk.internal.misc.Unsafe}, the driver's UDP transport
 * reaches into {@code sun.nio.ch}) are in {@code @Fork}: run with forks ({@code -f 1} or more).
 */
@Fork(value = 3, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
@State(Scope.Benchmark)
public class RemoteAeron {
    /** Messages per {@code oneWay} operation. */
    static final int BURST = 1000;
    /** Messages that may be in flight (sent, not yet counted) after a {@code oneWay} burst. */
    static final int WINDOW = 16_000;
    static final int TERM_LENGTH = 1 << 20;
    /** A DATA frame carrying an Integer: header 12, link 8, flags 1, port count 4, version 1, tag 1, int 4. */
    static final int FRAME_LENGTH = 31;

    /**
     * {@code entangle} (remote ports), {@code aeron} (raw Aeron), or {@code local}: the same two
     * loops and port calls on an in-process {@code MessageChannel} (no node, no Aeron; the
     * {@code transport} and {@code driver} params do not apply), the core's share of a remote round trip.
     */
    @Param({"entangle", "aeron", "local"})
    public String impl;

    @Param({"ipc", "udp"})
    public String transport;

    /** How the media drivers run: {@code invoker}, {@code spin} or {@code backoff} (see above). */
    @Param({"invoker"})
    public String driver;

    private Side side;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) throws Exception {
        boolean echo = params.getBenchmark().endsWith(".roundTrip");
        side = impl.equals("entangle") ? new EntangleSide(transport, driver, echo)
                : impl.equals("local") ? new LocalSide(echo) : new AeronSide(transport, driver, echo);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        side.close();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public int roundTrip() {
        return side.roundTrip();
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(BURST)
    public long oneWay() {
        return side.burst();
    }

    /** IPC, or loopback UDP on a port the driver picks. */
    static String channel(String transport) {
        return transport.equals("ipc") ? "aeron:ipc" : "aeron:udp?endpoint=127.0.0.1:0";
    }

    /**
     * The media drivers of one implementation's two ends, when they run threads ({@code spin},
     * {@code backoff}): one for both over IPC, one each over UDP; or, for {@code invoker}, launched
     * without threads for raw Aeron (a node launches its own, {@code driverInNode}).
     */
    static final class Drivers implements AutoCloseable {
        final MediaDriver first;
        final MediaDriver second;

        Drivers(String transport, String mode) {
            first = launch(mode);
            second = transport.equals("ipc") ? null : launch(mode);
        }

        private static MediaDriver launch(String mode) {
            MediaDriver.Context context = new MediaDriver.Context().dirDeleteOnStart(true).dirDeleteOnShutdown(true)
                    .termBufferSparseFile(true).publicationTermBufferLength(TERM_LENGTH)
                    .ipcTermBufferLength(TERM_LENGTH);
            switch (mode) {
                case "invoker":
                    context.threadingMode(ThreadingMode.INVOKER);
                    break;
                case "spin":
                    context.threadingMode(ThreadingMode.SHARED).sharedIdleStrategy(new BusySpinIdleStrategy());
                    break;
                case "backoff":
                    context.threadingMode(ThreadingMode.SHARED).sharedIdleStrategy(new BackoffIdleStrategy(64, 16,
                            TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1)));
                    break;
                default:
                    throw new IllegalArgumentException("driver must be invoker, spin or backoff: " + mode);
            }
            return MediaDriver.launchEmbedded(context);
        }

        /** The driver of end 1 (the benchmark thread's) or 2 (the echo's). */
        MediaDriver of(int end) {
            return end == 2 && second != null ? second : first;
        }

        /** True if end {@code end} runs its driver (its own, without threads). */
        boolean runs(int end) {
            return of(end).sharedAgentInvoker() != null && (end == 1 || second != null);
        }

        @Override
        public void close() {
            if (second != null) {
                second.close();
            }
            first.close();
        }
    }

    /** One implementation's two ends. */
    abstract static class Side implements AutoCloseable {
        int next;

        /** One round trip; returns the reply. */
        abstract int roundTrip();

        /**
         * Sends {@link #BURST} messages and waits until at most {@link #WINDOW} are unreceived; returns
         * the count sent so far.
         */
        abstract long burst();

        @Override
        public abstract void close();

        static void spinUntil(AtomicLong counter, long target, Runnable meanwhile) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (counter.get() < target) {
                meanwhile.run();
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("receiver stuck at " + counter.get() + " of " + target);
                }
            }
        }
    }

    /** The port calls of {@code entangle} and {@code local}: post on {@link #port}, spin on receiveMessage(). */
    abstract static class PortSide extends Side {
        final AtomicLong received = new AtomicLong();
        /** The benchmark thread's port (set by the constructor). */
        MessagePort port;
        long sent;

        /** What the benchmark thread does while it waits. */
        abstract void meanwhile();

        @Override
        final int roundTrip() {
            port.postMessage(next++);
            MessageEvent reply;
            while ((reply = port.receiveMessage()) == null) {
                meanwhile();
            }
            return (Integer) reply.data();
        }

        @Override
        final long burst() {
            for (int i = 0; i < BURST; i++) {
                port.postMessage(i);
            }
            sent += BURST;
            meanwhile(); // once between bursts, as AeronSide runs its idle once (see the class javadoc)
            spinUntil(received, sent - WINDOW, this::meanwhile);
            return sent;
        }
    }

    /**
     * Two nodes (over IPC on one driver, over UDP one each), a connected port here, an echoing (or
     * counting) loop at the far node.
     */
    static final class EntangleSide extends PortSide {
        final RemoteNode a;
        final RemoteNode b;
        final EventLoop owner = EventLoop.start("remote-pinger-owner");
        final EventLoop far;
        final MessagePort accepted;
        final IdleStrategy drive;
        /** The drivers with threads ({@code spin}, {@code backoff}), or null: the nodes run theirs. */
        final Drivers drivers;

        EntangleSide(String transport, String driver, boolean echo) throws InterruptedException {
            boolean inNode = driver.equals("invoker");
            drivers = inNode ? null : new Drivers(transport, driver);
            RemoteNode.Options first = RemoteNode.options().termLength(TERM_LENGTH).channel(channel(transport))
                    .streamId(3001).livenessTimeout(Duration.ofSeconds(10)).driverInNode(inNode);
            a = RemoteNode.start(inNode ? first : first.aeronDirectory(drivers.of(1).aeronDirectoryName()));
            RemoteNode.Options second = RemoteNode.options().termLength(TERM_LENGTH).channel(channel(transport))
                    .streamId(3002).livenessTimeout(Duration.ofSeconds(10)).driverInNode(inNode);
            if (transport.equals("ipc")) {
                second.aeronDirectory(a.aeronDirectory()); // IPC: one driver, node a's (or the first)
            } else if (!inNode) {
                second.aeronDirectory(drivers.of(2).aeronDirectoryName());
            }
            b = RemoteNode.start(second);
            far = EventLoop.start("remote-echo", b.idleStrategy(IdleStrategy.busySpin()));
            drive = a.idleStrategy(IdleStrategy.busySpin());
            port = a.connect(b.address(), "bench", owner);
            accepted = b.accept("bench", far);
            if (echo) {
                accepted.onmessage(e -> accepted.postMessage(e.data()));
                if (roundTrip() != 0) { // the handshake: connected both ways before measuring
                    throw new IllegalStateException("echo out of step");
                }
            } else {
                accepted.onmessage(e -> received.lazySet(received.get() + 1));
                port.postMessage(-1);
                spinUntil(received, 1, this::meanwhile);
                sent = 1;
            }
        }

        @Override
        void meanwhile() {
            drive.idle(0); // runs node a's duty cycle
        }

        @Override
        public void close() {
            far.close();
            owner.close();
            b.close();
            a.close();
            if (drivers != null) {
                drivers.close();
            }
        }
    }

    /**
     * In one process: a {@code MessageChannel} of a busy-spinning loop, whose port2 echoes (or counts)
     * there, whose port1 the benchmark thread posts on and receives from ({@code receiveMessage()}); the same
     * port calls as {@link EntangleSide} without its node. A remote round trip crosses the core twice
     * as often (user port to bridge port, and bridge port to user port, at each end).
     */
    static final class LocalSide extends PortSide {
        final EventLoop far = EventLoop.start("local-echo", IdleStrategy.busySpin());

        LocalSide(boolean echo) {
            MessageChannel channel = new MessageChannel(far); // port1 is never started: only received from
            port = channel.port1();
            MessagePort accepted = channel.port2();
            if (echo) {
                accepted.onmessage(e -> accepted.postMessage(e.data()));
            } else {
                accepted.onmessage(e -> received.lazySet(received.get() + 1));
            }
        }

        @Override
        void meanwhile() {
            Thread.onSpinWait();
        }

        @Override
        public void close() {
            far.close();
        }
    }

    /**
     * Raw Aeron: an Aeron client per end (as two processes have), an exclusive publication and a
     * subscription each way, an echo (or counting) thread at end 2.
     */
    static final class AeronSide extends Side {
        final Drivers drivers;
        final End here;
        final End there;
        final Subscription pongs;
        final ExclusivePublication pings;
        final Subscription farIn;
        final ExclusivePublication farOut;
        final AtomicLong received = new AtomicLong();
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[FRAME_LENGTH]);
        final int[] got = new int[1];
        final FragmentHandler onPong = (buffer, offset, length, header) -> got[0] = buffer.getInt(offset);
        final Thread farThread;
        volatile boolean running = true;
        long sent;

        /**
         * One end's Aeron client, and the duty cycle its waiting thread runs (its driver's and
         * client's, if without threads). Over IPC the two ends share end 1's client: a second
         * client of a driver without threads would wait for it in vain during the set-up.
         */
        static final class End implements AutoCloseable {
            final Aeron aeron;
            final AgentInvoker driver;
            final AgentInvoker client;
            final boolean owner;

            End(Drivers drivers, int end) {
                driver = drivers.runs(end) ? drivers.of(end).sharedAgentInvoker() : null;
                aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(drivers.of(end).aeronDirectoryName())
                        .driverAgentInvoker(driver).useConductorAgentInvoker(driver != null));
                client = driver == null ? null : aeron.conductorAgentInvoker();
                owner = true;
            }

            /** End 2 over IPC: end 1's client, run by end 1's thread. */
            End(End shared) {
                aeron = shared.aeron;
                driver = null;
                client = null;
                owner = false;
            }

            /** What a waiting thread of this end does each turn: the driver's and client's work, or a spin hint. */
            void idle() {
                if (driver == null) {
                    Thread.onSpinWait();
                } else {
                    driver.invoke();
                    client.invoke();
                }
            }

            @Override
            public void close() {
                if (owner) {
                    aeron.close();
                }
            }
        }

        AeronSide(String transport, String driver, boolean echo) {
            drivers = new Drivers(transport, driver);
            here = new End(drivers, 1);
            there = transport.equals("ipc") ? new End(here) : new End(drivers, 2);
            farIn = there.aeron.addSubscription(channel(transport), 2001);
            pongs = here.aeron.addSubscription(channel(transport), 2002);
            pings = here.aeron.addExclusivePublication(resolved(farIn), 2001);
            farOut = there.aeron.addExclusivePublication(resolved(pongs), 2002);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!pings.isConnected() || !farOut.isConnected() || !farIn.isConnected() || !pongs.isConnected()) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("raw Aeron publications did not connect");
                }
                here.idle(); // both ends' drivers run here until the echo thread starts
                there.idle();
            }
            farThread = Lifecycle.startDaemon(echo ? "raw-echo" : "raw-counter", echo ? this::echo : this::count);
        }

        /** The channel to publish to {@code s} on (a UDP port 0 resolved to the one the driver bound). */
        private String resolved(Subscription s) {
            if (!s.channel().startsWith("aeron:udp")) {
                return s.channel();
            }
            String endpoint;
            while ((endpoint = s.tryResolveChannelEndpointPort()) == null) {
                here.idle();
                there.idle();
            }
            return endpoint;
        }

        private void echo() {
            UnsafeBuffer out = new UnsafeBuffer(new byte[FRAME_LENGTH]);
            FragmentHandler back = (buffer, offset, length, header) -> {
                buffer.getBytes(offset, out, 0, length);
                while (farOut.offer(out, 0, length) < 0) {
                    there.idle();
                }
            };
            while (running) {
                if (farIn.poll(back, 16) == 0) {
                    there.idle();
                }
            }
        }

        private void count() {
            FragmentHandler count = (buffer, offset, length, header) -> received.lazySet(received.get() + 1);
            while (running) {
                if (farIn.poll(count, 64) == 0) {
                    there.idle();
                }
            }
        }

        @Override
        int roundTrip() {
            int ping = next++;
            frame.putInt(0, ping);
            while (pings.offer(frame) < 0) {
                here.idle();
            }
            got[0] = -1;
            while (got[0] != ping) {
                if (pongs.poll(onPong, 1) == 0) {
                    here.idle();
                }
            }
            return got[0];
        }

        @Override
        long burst() {
            for (int i = 0; i < BURST; i++) {
                frame.putInt(0, i);
                while (pings.offer(frame) < 0) {
                    here.idle();
                }
            }
            sent += BURST;
            here.idle(); // once between bursts, as the port side runs its meanwhile once
            spinUntil(received, sent - WINDOW, here::idle);
            return sent;
        }

        @Override
        public void close() {
            running = false;
            try {
                farThread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            there.close();
            here.close();
            drivers.close();
        }
    }
}
