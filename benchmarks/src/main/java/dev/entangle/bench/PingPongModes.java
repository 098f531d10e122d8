package dev.entangle.bench;

import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

import org.jctools.queues.MessagePassingQueue;

import dev.entangle.EventLoop;
import dev.entangle.MessageChannel;
import dev.entangle.MessageEvent;
import dev.entangle.MessagePort;
import dev.entangle.bench.support.Lifecycle;
import dev.entangle.bench.support.RawQueues;

/**
 * A probe for the busy {@link PingPong}'s modes (issue 12): the busy entangle echo and the raw JCTools
 * echo in one JVM, timed in alternating blocks, the idle one parked, so that each block's ratio to the
 * raw block beside it is measured in the same minute of the machine (whose speed of a cache line between
 * the two cores changes over time on this VM). Not a JMH benchmark; run it with {@code java -cp
 * benchmarks/target/benchmarks.jar dev.entangle.bench.PingPongModes [pairs] [roundTripsPerBlock]}.
 */
public final class PingPongModes {
    private static final Object PING = "ping";
    private static volatile boolean entangleActive;
    private static volatile boolean rawActive;

    private PingPongModes() {
    }

    public static void main(String[] args) {
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int perBlock = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        EventLoop loop = EventLoop.start("echo", turn -> {
            if (entangleActive) {
                Thread.onSpinWait();
                return false;
            }
            return true;
        });
        MessageChannel channel = new MessageChannel(loop);
        MessagePort theirs = channel.port2();
        theirs.onmessage(e -> theirs.postMessage(e.data()));
        MessagePort mine = channel.port1();

        MessagePassingQueue<Object> pings = RawQueues.newPortQueue();
        MessagePassingQueue<Object> pongs = RawQueues.newPortQueue();
        Thread raw = Lifecycle.startDaemon("raw-echo", () -> {
            while (true) {
                if (!rawActive) {
                    LockSupport.park();
                    continue;
                }
                Object m = pings.poll();
                if (m != null) {
                    pongs.offer(m);
                } else {
                    Thread.onSpinWait();
                }
            }
        });

        double[] ratios = new double[pairs];
        long[] e = new long[pairs];
        long[] r = new long[pairs];
        for (int round = -3; round < pairs; round++) {
            entangleActive = true;
            long te = block(perBlock, () -> entangle(mine));
            entangleActive = false;
            mine.postMessage(PING); // the loop's last idle turn parks it; drain the echo
            awaitEntangle(mine);
            rawActive = true;
            LockSupport.unpark(raw);
            long tr = block(perBlock, () -> raw(pings, pongs));
            rawActive = false;
            if (round >= 0) {
                e[round] = te;
                r[round] = tr;
                ratios[round] = te / (double) tr;
                System.out.printf("pair %2d: entangle %5d ns, raw %5d ns, ratio %.2f%n", round, te, tr, ratios[round]);
            }
        }
        Arrays.sort(ratios);
        Arrays.sort(e);
        Arrays.sort(r);
        System.out.printf("median: entangle %d ns, raw %d ns, ratio of pairs %.2f (min %.2f, max %.2f)%n",
                e[pairs / 2], r[pairs / 2], ratios[pairs / 2], ratios[0], ratios[pairs - 1]);
        Lifecycle.close(loop);
    }

    private static long block(int n, Runnable roundTrip) {
        for (int i = 0; i < n / 10; i++) {
            roundTrip.run(); // the echo side is spinning again
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            roundTrip.run();
        }
        return (System.nanoTime() - t0) / n;
    }

    private static void entangle(MessagePort mine) {
        mine.postMessage(PING);
        awaitEntangle(mine);
    }

    private static void awaitEntangle(MessagePort mine) {
        MessageEvent reply;
        while ((reply = mine.receiveMessage()) == null) {
            Thread.onSpinWait();
        }
        if (reply.data() != PING) {
            throw new AssertionError(reply.data());
        }
    }

    private static void raw(MessagePassingQueue<Object> pings, MessagePassingQueue<Object> pongs) {
        pings.offer(PING);
        Object m;
        while ((m = pongs.poll()) == null) {
            Thread.onSpinWait();
        }
        if (m != PING) {
            throw new AssertionError(m);
        }
    }
}
