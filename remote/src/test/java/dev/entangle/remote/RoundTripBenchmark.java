package dev.entangle.remote;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import dev.entangle.EventLoop;
import dev.entangle.MessageEvent;
import dev.entangle.MessagePort;

/**
 * Remote ports against raw Aeron, in one run, over IPC and loopback UDP: round-trip latency (one
 * message in flight; p50, p90, p99) and one-way throughput. Not JMH (the nodes' threads and the media
 * driver are the system under test, and JMH's forks would need Aeron's JVM flags threaded through);
 * a plain harness with warm-up rounds, reporting entangle / raw ratios.
 *
 * <p>Both sides use one embedded media driver (shared threading mode, a backing-off idle strategy),
 * the same term length, and the same frame size: raw Aeron sends frames as long as the DATA frame
 * that carries an {@code Integer} through a remote port (31 bytes). Raw Aeron: a pinger thread offers
 * on an exclusive publication and polls the reply; an echo thread (Agrona backoff idle) polls and
 * offers back. Remote ports: the pinger posts an {@code Integer} on a connected port and spins on
 * {@code receiveMessage()}; an event loop echoes it from the accepted port; each node's thread (the
 * same backoff idle strategy) bridges to Aeron.
 *
 * <p>Run: {@code mvn -B -q -pl remote -am process-test-classes -Dbench} (arguments: {@code
 * -Dbench.args="rounds messages"}, default 50000 200000).
 */
public final class RoundTripBenchmark {
    private static final int TERM_LENGTH = 1 << 20;
    /** A DATA frame carrying an Integer: header 12, link 8, flags 1, port count 4, version 1, tag 1, int 4. */
    private static final int FRAME_LENGTH = 31;
    private static final IdleStrategy SPIN = new org.agrona.concurrent.BusySpinIdleStrategy();

    /** Idle strategy of every thread that waits (nodes, echo threads, driver): spin, or back off (default). */
    private static boolean busySpin;

    private RoundTripBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        int messages = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        busySpin = args.length > 2 && args[2].equals("spin");
        System.out.printf(Locale.ROOT, "rounds %d (after %d warm-up), one-way messages %d, frame %d bytes, idle %s, cores %d%n",
                rounds, rounds, messages, FRAME_LENGTH, busySpin ? "busy-spin" : "backoff", Runtime.getRuntime().availableProcessors());
        System.out.println("| transport | measure | remote ports | raw Aeron | ratio |");
        System.out.println("| --- | --- | ---: | ---: | ---: |");
        String[] transports = args.length > 3 ? args[3].split(",") : new String[] {"ipc", "udp"};
        for (String transport : transports) {
            long[] raw = rawRoundTrips(transport, rounds);
            long[] remote = remoteRoundTrips(transport, rounds);
            for (double q : new double[] {0.5, 0.9, 0.99}) {
                long r = quantile(remote, q);
                long b = quantile(raw, q);
                System.out.printf(Locale.ROOT, "| %s | RTT p%d | %.1f µs | %.1f µs | %.2f× |%n", transport,
                        (int) (q * 100), r / 1e3, b / 1e3, (double) r / b);
            }
            double rawRate = rawThroughput(transport, messages);
            double remoteRate = remoteThroughput(transport, messages);
            System.out.printf(Locale.ROOT, "| %s | one-way | %.2f Mmsg/s | %.2f Mmsg/s | %.2f× |%n", transport,
                    remoteRate / 1e6, rawRate / 1e6, remoteRate / rawRate);
        }
    }

    private static long quantile(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))];
    }

    private static MediaDriver driver() {
        return MediaDriver.launchEmbedded(new MediaDriver.Context().dirDeleteOnStart(true).dirDeleteOnShutdown(true)
                .threadingMode(ThreadingMode.SHARED).sharedIdleStrategy(backoff()).termBufferSparseFile(true)
                .publicationTermBufferLength(TERM_LENGTH).ipcTermBufferLength(TERM_LENGTH));
    }

    private static IdleStrategy backoff() {
        if (busySpin) {
            return new org.agrona.concurrent.BusySpinIdleStrategy();
        }
        return new BackoffIdleStrategy(64, 16, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
    }

    /** IPC, or loopback UDP on a port the driver picks. */
    private static String channel(String transport) {
        return transport.equals("ipc") ? "aeron:ipc" : "aeron:udp?endpoint=127.0.0.1:0";
    }

    private static Subscription subscribe(Aeron aeron, String transport, int stream) {
        Subscription s = aeron.addSubscription(channel(transport), stream);
        return s;
    }

    /** The channel to publish to {@code s} on. */
    private static String resolved(Subscription s) {
        if (!s.channel().startsWith("aeron:udp")) {
            return s.channel();
        }
        String endpoint;
        while ((endpoint = s.tryResolveChannelEndpointPort()) == null) {
            Thread.onSpinWait();
        }
        return endpoint;
    }

    // ------------------------------------------------------------------------------------ raw Aeron

    /** A raw ping-pong: two streams, an echo thread. */
    private static final class RawPair implements AutoCloseable {
        final MediaDriver driver = driver();
        final Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        final Subscription pongs;
        final ExclusivePublication pings;
        final Subscription echoIn;
        final ExclusivePublication echoOut;
        volatile boolean running = true;

        RawPair(String transport) {
            echoIn = subscribe(aeron, transport, 2001);
            pongs = subscribe(aeron, transport, 2002);
            pings = aeron.addExclusivePublication(resolved(echoIn), 2001);
            echoOut = aeron.addExclusivePublication(resolved(pongs), 2002);
            while (!pings.isConnected() || !echoOut.isConnected()) {
                Thread.onSpinWait();
            }
        }

        @Override
        public void close() {
            running = false;
            aeron.close();
            driver.close();
        }
    }

    private static long[] rawRoundTrips(String transport, int rounds) throws InterruptedException {
        try (RawPair pair = new RawPair(transport)) {
            Thread echo = new Thread(() -> {
                UnsafeBuffer out = new UnsafeBuffer(new byte[FRAME_LENGTH]);
                FragmentHandler back = (buffer, offset, length, header) -> {
                    buffer.getBytes(offset, out, 0, length);
                    while (pair.echoOut.offer(out, 0, length) < 0) {
                        Thread.onSpinWait();
                    }
                };
                IdleStrategy idle = backoff();
                while (pair.running) {
                    idle.idle(pair.echoIn.poll(back, 16));
                }
            }, "raw-echo");
            echo.setDaemon(true);
            echo.start();
            UnsafeBuffer ping = new UnsafeBuffer(new byte[FRAME_LENGTH]);
            int[] got = new int[1];
            FragmentHandler onPong = (buffer, offset, length, header) -> got[0]++;
            long[] times = new long[rounds];
            for (int i = -rounds; i < rounds; i++) {
                long start = System.nanoTime();
                ping.putInt(0, i);
                while (pair.pings.offer(ping) < 0) {
                    Thread.onSpinWait();
                }
                got[0] = 0;
                while (got[0] == 0) {
                    SPIN.idle(pair.pongs.poll(onPong, 1));
                }
                if (i >= 0) {
                    times[i] = System.nanoTime() - start;
                }
            }
            pair.running = false;
            echo.join(5_000);
            Arrays.sort(times);
            return times;
        }
    }

    private static double rawThroughput(String transport, int messages) throws InterruptedException {
        try (RawPair pair = new RawPair(transport)) {
            AtomicLong received = new AtomicLong();
            CountDownLatch done = new CountDownLatch(1);
            Thread receiver = new Thread(() -> {
                long[] n = {0};
                FragmentHandler count = (buffer, offset, length, header) -> n[0]++;
                IdleStrategy idle = backoff();
                while (pair.running && n[0] < 2L * messages) {
                    idle.idle(pair.echoIn.poll(count, 64));
                    if (n[0] == messages) {
                        done.countDown(); // warm-up half seen
                    }
                }
                received.set(n[0]);
            }, "raw-receiver");
            receiver.start();
            UnsafeBuffer frame = new UnsafeBuffer(new byte[FRAME_LENGTH]);
            sendRaw(pair, frame, messages); // warm-up
            done.await();
            long start = System.nanoTime();
            sendRaw(pair, frame, messages);
            receiver.join(60_000);
            long elapsed = System.nanoTime() - start;
            if (received.get() != 2L * messages) {
                throw new IllegalStateException("raw receiver got " + received.get());
            }
            return messages * 1e9 / elapsed;
        }
    }

    private static void sendRaw(RawPair pair, UnsafeBuffer frame, int messages) {
        for (int i = 0; i < messages; i++) {
            frame.putInt(0, i);
            while (pair.pings.offer(frame) < 0) {
                Thread.onSpinWait();
            }
        }
    }

    // ------------------------------------------------------------------------------- remote ports

    /** Two nodes on one driver, an echo (or counting) loop at b, a connected port at a. */
    private static final class RemotePair implements AutoCloseable {
        final RemoteNode a;
        final RemoteNode b;
        final EventLoop owner = EventLoop.start("pinger-owner");
        final EventLoop far;
        final MessagePort port;
        final MessagePort accepted;
        /** What the pinger calls while it waits: runs node a's duty cycle. */
        final dev.entangle.IdleStrategy pingerIdle;

        RemotePair(String transport) throws InterruptedException {
            RemoteNode.Options options = RemoteNode.options().termLength(TERM_LENGTH).busySpin(busySpin)
                    .heartbeatInterval(Duration.ofMillis(100)).livenessTimeout(Duration.ofSeconds(5));
            a = RemoteNode.start(options.channel(channel(transport)).streamId(3001));
            b = RemoteNode.start(RemoteNode.options().termLength(TERM_LENGTH).busySpin(busySpin).aeronDirectory(a.aeronDirectory())
                    .channel(channel(transport)).streamId(3002));
            far = EventLoop.start("echo", b.idleStrategy(busySpin ? dev.entangle.IdleStrategy.busySpin()
                    : dev.entangle.IdleStrategy.spinYieldPark(64, 16)));
            pingerIdle = a.idleStrategy(dev.entangle.IdleStrategy.busySpin());
            port = a.connect(b.address(), "bench", owner);
            accepted = b.accept("bench", far);
        }

        @Override
        public void close() {
            far.close();
            owner.close();
            b.close();
            a.close();
        }
    }

    private static long[] remoteRoundTrips(String transport, int rounds) throws InterruptedException {
        try (RemotePair pair = new RemotePair(transport)) {
            pair.accepted.onmessage(e -> pair.accepted.postMessage(e.data()));
            long[] times = new long[rounds];
            for (int i = -rounds; i < rounds; i++) {
                long start = System.nanoTime();
                pair.port.postMessage(i);
                MessageEvent reply;
                while ((reply = pair.port.receiveMessage()) == null) {
                    pair.pingerIdle.idle(0);
                }
                if (!Integer.valueOf(i).equals(reply.data())) {
                    throw new IllegalStateException("expected " + i + ", got " + reply.data());
                }
                if (i >= 0) {
                    times[i] = System.nanoTime() - start;
                }
            }
            Arrays.sort(times);
            return times;
        }
    }

    private static double remoteThroughput(String transport, int messages) throws InterruptedException {
        try (RemotePair pair = new RemotePair(transport)) {
            CountDownLatch warm = new CountDownLatch(1);
            CountDownLatch done = new CountDownLatch(1);
            long[] n = {0};
            pair.accepted.onmessage(e -> {
                n[0]++;
                if (n[0] == messages) {
                    warm.countDown();
                } else if (n[0] == 2L * messages) {
                    done.countDown();
                }
            });
            for (int i = 0; i < messages; i++) {
                pair.port.postMessage(i);
            }
            warm.await();
            long start = System.nanoTime();
            for (int i = 0; i < messages; i++) {
                pair.port.postMessage(i);
            }
            if (!done.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("remote receiver stuck at " + n[0]);
            }
            return messages * 1e9 / (System.nanoTime() - start);
        }
    }
}
