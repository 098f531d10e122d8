package dev.entangle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Collections;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.junit.jupiter.api.Test;

/**
 * A randomised soak of the public API with an oracle. Dedicated and multiplexed loops own the two
 * sides of a set of channels; driver threads pick a side at random and post to it, ship it to another
 * loop (a side is re-shipped again and again, wherever it was received), close it, take a message with
 * {@code receiveMessage()} or a timed {@code receiveMessage(Duration)}, or start it. Every message is
 * tagged (channel, side, sequence). At the end every living side is started and drained, and the
 * oracle checks SPEC items 2, 5 and 6:
 * <ul>
 *   <li>each message arrives at most once, and each sender's messages arrive in the order posted;
 *   <li>a side that is still open at the end received everything its partner posted, and, if the
 *       partner closed, exactly one {@code close}, after the last message; a side that closed received
 *       a prefix of what was posted to it and at most one {@code close};
 *   <li>a side whose partner never closed gets no {@code close}; nothing is reported as an error.
 * </ul>
 *
 * <p>Ops on one side are serialised by that side's lock, whoever runs them (as one agent owns a port
 * in a browser), so "the order posted" is well defined; sides differ freely. A started side is shipped
 * from a task on its owner loop, so that no dispatch of it is under way meanwhile (a ship from another
 * thread may legally dispatch one message at the old object while the next is dispatched at the new
 * one, on another loop, so the order in which two loops record them would be a race of the test).
 *
 * <p>{@code -Dentangle.soak.seconds=N} (default 10, the CI run) and {@code -Dentangle.soak.seed=S}
 * (default: random); the seed is in every failure message. Long run: {@code mvn -pl core test
 * -Dtest=SoakTest -Dentangle.soak.seconds=600}.
 */
class SoakTest {
    private static final int CHANNELS = 24;
    private static final int DRIVERS = 3;
    private static final Duration SETTLE = Duration.ofSeconds(30);
    private static final String CLOSE = "close";
    /** Notified on every delivery; settle() waits on it for the oracle's condition. */
    private static final Object PROGRESS = new Object();

    /** One end of a channel as the test sees it: its current port object and what happened to it. */
    private static final class Side {
        final int channel;
        final int index;
        Side partner;
        /** Current port object; null while it travels inside a message. Guarded by this. */
        MessagePort current;
        boolean started;
        boolean closed;
        /** Next sequence number to post; guarded by this. */
        long posted;
        /** What arrived here, in arrival order: tags, and CLOSE for each close event. */
        final List<Object> received = new ArrayList<>();

        Side(int channel, int index) {
            this.channel = channel;
            this.index = index;
        }

        long tag(long seq) {
            return ((long) (channel * 2 + index) << 32) | seq;
        }

        void record(Object what) {
            synchronized (this) {
                received.add(what);
            }
            synchronized (PROGRESS) { // not inside the side's lock: settle() holds PROGRESS, then locks sides
                PROGRESS.notifyAll();
            }
        }

        synchronized List<Object> receivedSnapshot() {
            return new ArrayList<>(received);
        }

        @Override
        public String toString() {
            return "channel " + channel + " side " + index;
        }
    }

    private final long seed = Long.getLong("entangle.soak.seed", System.nanoTime());
    private final long seconds = Long.getLong("entangle.soak.seconds", 10);
    private final LinkedBlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
    private final List<EventLoop> loops = new ArrayList<>();
    private final List<MessagePort> carriers = new ArrayList<>();
    /** The sides drivers pick from: a channel with a closed side is replaced by a fresh channel. */
    private final AtomicReferenceArray<Side> slots = new AtomicReferenceArray<>(CHANNELS * 2);
    /** Every side ever made, retired ones included; the oracle checks them all. */
    private final List<Side> sides = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger channels = new AtomicInteger();
    private final AtomicLong ops = new AtomicLong();

    @Test
    void randomisedPostShipCloseReceiveAndStartLoseNothingAndKeepOrder() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            run(pool);
        } catch (Throwable t) {
            throw new AssertionError("soak failed with seed " + seed + " (rerun: -Dentangle.soak.seed="
                    + seed + "): " + t.getMessage(), t);
        } finally {
            for (EventLoop loop : loops) {
                loop.close();
            }
            for (EventLoop loop : loops) {
                assertTrue(loop.awaitTermination(Loops.TIMEOUT), loop + " did not terminate");
            }
            pool.shutdownNow();
        }
    }

    private void run(ExecutorService pool) throws Exception {
        for (int i = 0; i < 2; i++) {
            loops.add(EventLoop.start("soak-dedicated-" + i, (t, e) -> errors.add(e)));
            loops.add(EventLoop.on(pool, "soak-multiplexed-" + i, (t, e) -> errors.add(e)));
        }
        for (EventLoop loop : loops) {
            MessageChannel carrier = new MessageChannel(loop);
            carrier.port2().onmessage(this::arrived);
            carriers.add(carrier.port1());
        }
        SplittableRandom setup = new SplittableRandom(seed);
        for (int slot = 0; slot < CHANNELS; slot++) {
            renew(slot, setup.nextInt(loops.size()));
        }

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<Thread> drivers = new ArrayList<>();
        for (int d = 0; d < DRIVERS; d++) {
            SplittableRandom random = new SplittableRandom(seed + 1 + d);
            Thread t = new Thread(() -> drive(random, deadline), "soak-driver-" + d);
            t.setUncaughtExceptionHandler((thread, e) -> errors.add(e));
            drivers.add(t);
            t.start();
        }
        for (Thread t : drivers) {
            t.join(TimeUnit.SECONDS.toMillis(seconds) + Loops.TIMEOUT.toMillis());
            assertTrue(!t.isAlive(), t.getName() + " is stuck");
        }
        settle();
        check();
    }

    /** Puts a fresh channel, owned by loop {@code loop}, into channel slot {@code slot}. */
    private void renew(int slot, int loop) {
        MessageChannel channel = new MessageChannel(loops.get(loop));
        Side a;
        Side b;
        synchronized (sides) { // numbered and added together: side 2c + i sits at index 2c + i
            int c = channels.getAndIncrement();
            a = new Side(c, 0);
            b = new Side(c, 1);
            sides.add(a);
            sides.add(b);
        }
        a.partner = b;
        b.partner = a;
        install(a, channel.port1());
        install(b, channel.port2());
        slots.set(slot * 2, a);
        slots.set(slot * 2 + 1, b);
    }

    /** Sets up a port object for {@code side}: a close listener always, the handler if started. */
    private void install(Side side, MessagePort port) {
        synchronized (side) {
            side.current = port;
            port.addEventListener("close", e -> side.record(CLOSE)); // does not start the port
            if (side.started) {
                port.onmessage(e -> side.record(e.data()));
            }
        }
    }

    /** A shipped side arriving at a carrier's loop. */
    private void arrived(MessageEvent e) {
        install(sides.get((Integer) e.data()), e.ports().get(0)); // index 2 * channel + side
    }

    private void drive(SplittableRandom random, long deadline) {
        while (System.nanoTime() < deadline) {
            int slot = random.nextInt(slots.length());
            Side side = slots.get(slot);
            int op = random.nextInt(1000);
            boolean done;
            try {
                if (op < 550) {
                    done = post(side, 1 + random.nextInt(4));
                } else if (op < 750) {
                    done = ship(side, random.nextInt(carriers.size()));
                } else if (op < 900) {
                    done = receive(side, random.nextBoolean());
                } else if (op < 995) {
                    done = start(side);
                } else {
                    done = close(side);
                    if (done) {
                        renew(slot / 2, random.nextInt(loops.size())); // the partner lives on, retired
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (done) {
                ops.incrementAndGet();
            }
        }
    }

    private boolean post(Side side, int count) {
        synchronized (side) {
            if (side.current == null || side.closed) {
                return false;
            }
            for (int i = 0; i < count; i++) {
                side.current.postMessage(side.tag(side.posted++));
            }
            return true;
        }
    }

    /** Ships the side to carrier {@code to}'s loop; a started side from a task on its owner loop. */
    private boolean ship(Side side, int to) {
        MessagePort port;
        synchronized (side) {
            if (side.current == null || side.closed) {
                return false;
            }
            port = side.current;
            if (!side.started) {
                shipNow(side, port, to);
                return true;
            }
        }
        port.owner().execute(() -> {
            synchronized (side) {
                if (side.current == port && !side.closed) {
                    shipNow(side, port, to);
                }
            }
        });
        return true;
    }

    /** Holds the side's lock. */
    private void shipNow(Side side, MessagePort port, int to) {
        side.current = null;
        carriers.get(to).postMessage(side.channel * 2 + side.index, List.of(port));
    }

    /**
     * Takes one message off an unstarted side on this driver thread (never its loop), and records it
     * holding the side's lock: the loop's close listener records under the same lock, so a close that
     * the loop fires as soon as this receive took the last message ahead of it is recorded after it.
     */
    private boolean receive(Side side, boolean timed) throws InterruptedException {
        synchronized (side) {
            if (side.current == null || side.closed || side.started) {
                return false;
            }
            MessageEvent e = timed ? side.current.receiveMessage(Duration.ofMillis(1))
                    : side.current.receiveMessage();
            if (e != null) {
                side.record(e.data());
            }
            return true;
        }
    }

    private boolean start(Side side) {
        synchronized (side) {
            if (side.current == null || side.closed || side.started) {
                return false;
            }
            side.started = true;
            Side s = side;
            side.current.onmessage(e -> s.record(e.data()));
            return true;
        }
    }

    private boolean close(Side side) {
        synchronized (side) {
            if (side.current == null || side.closed) {
                return false;
            }
            side.closed = true;
            side.current.close();
            return true;
        }
    }

    /**
     * Waits for every shipped side to land, then drains every living side: half of the unstarted ones
     * (chosen by the seed) by {@code receiveMessage()} on this thread, never started, so that their
     * {@code close} must come without a start (Node's rule, SPEC item 6); the others by starting them.
     * Then waits for every delivery.
     */
    private void settle() throws Exception {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        List<Side> sides = List.copyOf(this.sides); // the drivers are done: no more sides
        SplittableRandom modes = new SplittableRandom(seed - 1);
        List<Side> polled = new ArrayList<>();
        for (Side side : sides) {
            while (true) {
                synchronized (side) {
                    if (side.current != null) {
                        break;
                    }
                }
                if (System.nanoTime() > deadline) {
                    fail(side + " never arrived after its last shipment");
                }
                Thread.onSpinWait();
            }
            boolean poll;
            synchronized (side) {
                poll = !side.started && !side.closed && modes.nextBoolean();
            }
            if (poll) {
                polled.add(side);
            } else {
                start(side);
            }
        }
        for (Side side : polled) {
            while (receivedMessages(side) < expected(side)) {
                MessageEvent e;
                synchronized (side) { // recorded under the lock, as in receive(): see there
                    e = side.current.receiveMessage(Duration.ofMillis(10));
                    if (e != null) {
                        side.record(e.data());
                    }
                }
                if (e == null && System.nanoTime() > deadline) {
                    break; // check() says what is missing
                }
            }
        }
        for (Side side : sides) {
            synchronized (PROGRESS) {
                while (!complete(side)) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return; // check() says what is missing
                    }
                    PROGRESS.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                }
            }
        }
        // A sentinel through every loop: whatever was queued there before it has been dispatched, so
        // a second close event or a duplicate would be recorded by now.
        for (EventLoop loop : loops) {
            assertEquals("sentinel", Loops.on(loop, () -> "sentinel"));
        }
    }

    private static long receivedMessages(Side side) {
        return side.receivedSnapshot().stream().filter(o -> o != CLOSE).count();
    }

    private static long expected(Side side) {
        synchronized (side.partner) {
            return side.partner.posted;
        }
    }

    /** True if a living side has everything its partner posted (and the close, if it closed). */
    private boolean complete(Side side) {
        boolean closed;
        long expected;
        boolean partnerClosed;
        synchronized (side) {
            closed = side.closed;
        }
        synchronized (side.partner) {
            expected = side.partner.posted;
            partnerClosed = side.partner.closed;
        }
        if (closed) {
            return true;
        }
        List<Object> got = side.receivedSnapshot();
        long messages = got.stream().filter(o -> o != CLOSE).count();
        return messages == expected && (!partnerClosed || got.contains(CLOSE));
    }

    private void check() {
        assertTrue(errors.isEmpty(), "errors reported by loops or drivers: " + errors);
        long messages = 0;
        for (Side side : sides) {
            Side from = side.partner;
            List<Object> got = side.receivedSnapshot();
            long next = 0;
            int closes = 0;
            for (Object o : got) {
                if (o == CLOSE) {
                    closes++;
                    continue;
                }
                assertEquals(0, closes, side + ": a message after the close event: " + o);
                long tag = (Long) o;
                assertEquals(from.tag(0) >>> 32, tag >>> 32, side + ": a message from another channel");
                long seq = tag & 0xffffffffL;
                assertEquals(next, seq, side + ": out of order, lost or duplicated (expected seq "
                        + next + ", got " + seq + ")");
                next++;
                messages++;
            }
            if (!side.closed) {
                assertEquals(from.posted, next, side + ": living side missed messages");
                assertEquals(from.closed ? 1 : 0, closes, side + ": close events (partner closed: "
                        + from.closed + ")");
            } else {
                assertTrue(next <= from.posted, side + ": more than was posted");
                assertTrue(closes <= 1, side + ": " + closes + " close events");
                if (!from.closed) {
                    assertEquals(0, closes, side + ": a close event although its partner never closed");
                }
            }
        }
        assertTrue(ops.get() > 1000, "the soak ran too few operations: " + ops.get());
        System.out.println("soak: seed " + seed + ", " + seconds + " s, " + ops.get() + " operations, "
                + channels.get() + " channels, " + messages + " messages checked");
    }
}
