package dev.entangle.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

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
import dev.entangle.IdleStrategy;
import dev.entangle.MessageChannel;
import dev.entangle.MessageEvent;
import dev.entangle.MessagePort;
import dev.entangle.bench.support.Lifecycle;
import dev.entangle.bench.support.RawQueues;

/**
 * Benchmark 2: round-trip latency, ping-pong between the benchmark thread and an echoing loop, one
 * message in flight ({@code SampleTime}: the JSON keeps p50, p90, p99, p99.9 per implementation).
 *
 * <p>One operation is one round trip: the benchmark thread posts a ping; the echo side receives it
 * and posts it back; the benchmark thread takes the reply. Two threads only, so that on the 2-core
 * machine nobody waits for a core.
 *
 * <p>{@code impl}, in two pairs, each an entangle variant and its baseline:
 * <ul>
 * <li>busy: {@code entangle-busy} pings on {@code port1}; the echo loop's {@code port2.onmessage}
 * posts the data back; the benchmark thread spins on {@code port1.receiveMessage()} (Node's
 * {@code receiveMessageOnPort}: {@code port1} is never started, so the loop never dispatches it).
 * The echo loop runs with {@code IdleStrategy.busySpin()}. Baseline {@code jctools-busy}: the
 * same JCTools queue class in each direction, an echo thread spinning on {@code poll}.</li>
 * <li>parked: before every round trip the benchmark waits (outside the measured time) until the
 * echo thread is parked; the benchmark thread waits parked too. {@code entangle-parked} waits in
 * {@code port1.receiveMessage(Duration)}. Baseline {@code park-unpark}: a bare
 * {@code LockSupport.park}/{@code unpark} ping-pong through two volatile slots.</li>
 * </ul>
 * Where the entangle side departs from "two loops": the return leg is taken by {@code receiveMessage}
 * on a plain thread, not dispatched on a second loop (benchmark 7's {@code ActorPingPong} has loops at
 * both ends).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(3)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
@State(Scope.Benchmark)
public class PingPong {
    @Param({"entangle-busy", "jctools-busy", "entangle-parked", "park-unpark"})
    public String impl;

    static final Object PING = "ping";

    private Echo echo;
    private boolean parked;

    @Setup(Level.Trial)
    public void setUp() {
        parked = impl.endsWith("-parked") || impl.equals("park-unpark");
        switch (impl) {
            case "entangle-busy":
            case "entangle-parked":
                echo = new EntangleEcho(parked);
                break;
            case "jctools-busy":
                echo = new SpinningQueueEcho();
                break;
            case "park-unpark":
                echo = new ParkingEcho();
                break;
            default:
                throw new IllegalArgumentException("unknown impl " + impl);
        }
    }

    /** Parked variants: the echo thread must be parked when the ping arrives (not measured). */
    @Setup(Level.Invocation)
    public void awaitEchoParked() {
        if (parked) {
            Lifecycle.awaitParked(echo.thread());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        echo.close();
    }

    @Benchmark
    public Object roundTrip() throws InterruptedException {
        return echo.roundTrip(PING);
    }

    interface Echo {
        Object roundTrip(Object ping) throws InterruptedException;

        Thread thread();

        void close();
    }

    static final class EntangleEcho implements Echo {
        private final EventLoop loop;
        private final Thread loopThread;
        private final MessagePort mine;
        private final boolean parked;

        EntangleEcho(boolean parked) {
            this.parked = parked;
            // The idle strategy each pair compares: a spinning loop against a spinning thread, a
            // parking loop against a parking thread.
            loop = EventLoop.start("echo", parked ? IdleStrategy.park() : IdleStrategy.busySpin());
            loopThread = Lifecycle.threadOf(loop);
            MessageChannel channel = new MessageChannel(loop);
            MessagePort theirs = channel.port2();
            theirs.onmessage(e -> theirs.postMessage(e.data()));
            mine = channel.port1();
        }

        @Override
        public Object roundTrip(Object ping) throws InterruptedException {
            mine.postMessage(ping);
            MessageEvent reply;
            if (parked) {
                reply = mine.receiveMessage(Duration.ofSeconds(10));
                if (reply == null) {
                    throw new IllegalStateException("no reply within 10 s");
                }
            } else {
                while ((reply = mine.receiveMessage()) == null) {
                    Thread.onSpinWait();
                }
            }
            return reply.data();
        }

        @Override
        public Thread thread() {
            return loopThread;
        }

        @Override
        public void close() {
            Lifecycle.close(loop);
        }
    }

    /** A baseline whose echo side is a plain daemon thread, stopped by interruption. */
    abstract static class ThreadEcho implements Echo {
        private Thread echoThread;

        /** Call once, at the end of the subclass constructor (the body reads subclass fields). */
        final void startEcho(String name, Runnable body) {
            echoThread = Lifecycle.startDaemon(name, body);
        }

        @Override
        public final Thread thread() {
            return echoThread;
        }

        @Override
        public final void close() {
            Lifecycle.stop(echoThread);
        }
    }

    static final class SpinningQueueEcho extends ThreadEcho {
        private final MessagePassingQueue<Object> pings = RawQueues.newPortQueue();
        private final MessagePassingQueue<Object> pongs = RawQueues.newPortQueue();

        SpinningQueueEcho() {
            startEcho("spinning-echo", () -> {
                Thread me = Thread.currentThread();
                while (!me.isInterrupted()) {
                    Object m = pings.poll();
                    if (m != null) {
                        pongs.offer(m);
                    } else {
                        Thread.onSpinWait();
                    }
                }
            });
        }

        @Override
        public Object roundTrip(Object ping) {
            pings.offer(ping);
            Object reply;
            while ((reply = pongs.poll()) == null) {
                Thread.onSpinWait();
            }
            return reply;
        }
    }

    /** Two single-slot mailboxes; each side parks until its slot is filled, then empties it. */
    static final class ParkingEcho extends ThreadEcho {
        private static final VarHandle PING_SLOT;
        private static final VarHandle PONG_SLOT;

        static {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                PING_SLOT = lookup.findVarHandle(ParkingEcho.class, "pingSlot", Object.class);
                PONG_SLOT = lookup.findVarHandle(ParkingEcho.class, "pongSlot", Object.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        @SuppressWarnings("unused") // accessed through PING_SLOT
        private volatile Object pingSlot;
        @SuppressWarnings("unused") // accessed through PONG_SLOT
        private volatile Object pongSlot;
        private volatile Thread pinger;

        ParkingEcho() {
            startEcho("parking-echo", this::echoLoop);
        }

        private void echoLoop() {
            Thread me = Thread.currentThread();
            while (!me.isInterrupted()) {
                // getAndSet (volatile): take the ping; the volatile accesses order it against unpark.
                Object m = PING_SLOT.getAndSet(this, null);
                if (m == null) {
                    LockSupport.park(this);
                    continue;
                }
                PONG_SLOT.setVolatile(this, m);
                LockSupport.unpark(pinger);
            }
        }

        @Override
        public Object roundTrip(Object ping) {
            Thread me = Thread.currentThread();
            if (pinger != me) {
                pinger = me; // once: a volatile write per round trip would tax the baseline
            }
            PING_SLOT.setVolatile(this, ping);
            LockSupport.unpark(thread());
            Object reply;
            while ((reply = PONG_SLOT.getAndSet(this, null)) == null) {
                LockSupport.park(this);
            }
            return reply;
        }
    }
}
