package dev.entangle.demo;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.entangle.EventLoop;
import dev.entangle.MessageChannel;
import dev.entangle.MessagePort;

/**
 * The demo: three event loops, a conversation over one channel, and a port handed over mid-way.
 *
 * <p>Alice plays ping-pong with Bob over a channel. Half-way, Bob transfers his end of the channel to
 * Carol while Alice's next ping is already on its way; the ping is delivered to Carol, who carries on.
 * At the end Carol closes her end and Alice receives {@code close} after the last pong. Every message
 * carries a sequence number, and each side checks that it gets exactly the one it expects.
 *
 * <p>Run: {@code mvn -B -q -pl core test-compile exec:java} (optionally {@code -Dexec.args=1000} for
 * the number of messages).
 */
public final class Demo {
    private Demo() {
    }

    private static final long START = System.nanoTime();

    private static void trace(String who, String what) {
        double micros = (System.nanoTime() - START) / 1_000.0;
        System.out.printf("%10.1f µs  %-6s %s%n", micros, who, what);
    }

    public static void main(String[] args) throws Exception {
        int total = args.length > 0 ? Integer.parseInt(args[0]) : 12;
        if (total < 4 || total % 2 != 0) {
            throw new IllegalArgumentException("the number of messages must be even and at least 4");
        }
        int handoverAfter = total / 4 * 2; // Bob hands over after sending this (even) number
        boolean verbose = total <= 40;
        AtomicInteger delivered = new AtomicInteger();
        AtomicInteger violations = new AtomicInteger();
        CountDownLatch closeSeen = new CountDownLatch(1);
        long started = System.nanoTime();

        try (EventLoop alice = EventLoop.start("alice");
                EventLoop bob = EventLoop.start("bob");
                EventLoop carol = EventLoop.start("carol")) {
            // One inbox per loop; main keeps port1 of each to hand things over.
            MessageChannel toAlice = new MessageChannel(alice);
            MessageChannel toBob = new MessageChannel(bob);
            MessageChannel toCarol = new MessageChannel(carol);

            // Alice: sends odd numbers, expects even ones, and waits for `close` after the last.
            toAlice.port2().onmessage(inbox -> {
                MessagePort conversation = inbox.ports().get(0);
                trace("alice", "got her end of the conversation; sends 1");
                int[] expected = {2};
                conversation.onmessage(m -> {
                    int n = (Integer) m.data();
                    delivered.incrementAndGet();
                    if (n != expected[0]) {
                        violations.incrementAndGet();
                        trace("alice", "!! expected " + expected[0] + " but got " + n);
                    }
                    expected[0] = n + 2;
                    if (n >= total) {
                        trace("alice", "got " + n + ", the last pong");
                        return;
                    }
                    if (verbose) {
                        trace("alice", "got " + n + ", sends " + (n + 1));
                    }
                    conversation.postMessage(n + 1);
                });
                conversation.onclose(e -> {
                    trace("alice", "received `close`: her partner closed the conversation");
                    closeSeen.countDown();
                });
                conversation.postMessage(1);
            });

            // The partner role, played by Bob and then by Carol.
            toBob.port2().onmessage(inbox -> {
                MessagePort conversation = inbox.ports().get(0);
                MessagePort carolsInbox = inbox.ports().get(1);
                trace("bob", "got his end of the conversation and a port to Carol's inbox");
                int[] expected = {1};
                conversation.onmessage(m -> {
                    int n = (Integer) m.data();
                    delivered.incrementAndGet();
                    if (n != expected[0]) {
                        violations.incrementAndGet();
                        trace("bob", "!! expected " + expected[0] + " but got " + n);
                    }
                    expected[0] = n + 2;
                    if (verbose) {
                        trace("bob", "got " + n + ", sends " + (n + 1));
                    }
                    conversation.postMessage(n + 1);
                    if (n + 1 == handoverAfter) {
                        trace("bob", "hands his end to Carol while ping " + (n + 2) + " is on its way");
                        carolsInbox.postMessage(n + 2, List.of(conversation));
                        conversation.postMessage("from the detached port: dropped");
                        trace("bob", "posting on his old port object now does nothing (detached)");
                    }
                });
            });

            toCarol.port2().onmessage(inbox -> {
                MessagePort conversation = inbox.ports().get(0);
                int[] expected = {(Integer) inbox.data()};
                trace("carol", "took over the conversation; expects " + expected[0] + " next");
                conversation.onmessage(m -> {
                    int n = (Integer) m.data();
                    delivered.incrementAndGet();
                    if (n != expected[0]) {
                        violations.incrementAndGet();
                        trace("carol", "!! expected " + expected[0] + " but got " + n);
                    }
                    expected[0] = n + 2;
                    if (verbose || n + 1 >= total) {
                        trace("carol", "got " + n + ", sends " + (n + 1));
                    }
                    conversation.postMessage(n + 1);
                    if (n + 1 >= total) {
                        trace("carol", "closes the conversation");
                        conversation.close();
                    }
                });
            });

            MessageChannel conversation = new MessageChannel();
            toBob.port1().postMessage("your end", List.of(conversation.port2(), toCarol.port1()));
            toAlice.port1().postMessage("your end", List.of(conversation.port1()));

            if (!closeSeen.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the conversation did not finish");
            }
        }
        double elapsedMs = (System.nanoTime() - started) / 1_000_000.0;
        System.out.printf("summary: %d messages delivered of %d, order %s, port moved bob -> carol "
                + "after message %d, close after the last message, %.1f ms%n",
                delivered.get(), total, violations.get() == 0 ? "verified" : "VIOLATED (" + violations
                        + ")", handoverAfter, elapsedMs);
        if (violations.get() != 0 || delivered.get() != total) {
            System.exit(1);
        }
    }
}
