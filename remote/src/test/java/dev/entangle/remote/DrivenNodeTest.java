package dev.entangle.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.entangle.EventLoop;
import dev.entangle.IdleStrategy;
import dev.entangle.MessagePort;

/**
 * The node's work run by other threads than its own: a bridge-loop turn on the posting thread
 * (encode and offer there), and the duty cycle run by loops through {@link RemoteNode#idleStrategy}
 * or by any thread calling it. One thread at a time runs the node's work; order and exactly-once
 * hold whoever runs it.
 */
class DrivenNodeTest {
    static List<String> kinds() {
        return Nodes.kinds();
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void loopsThatDriveTheNodesExchangeMessagesInOrderWhileOtherThreadsDriveThemToo(String kind)
            throws Exception {
        int rounds = 5_000;
        try (Nodes nodes = Nodes.of(kind);
                EventLoop client = EventLoop.start("driving-client", nodes.a.idleStrategy(IdleStrategy.DEFAULT));
                EventLoop server = EventLoop.start("driving-server", nodes.b.idleStrategy(IdleStrategy.DEFAULT))) {
            AtomicBoolean running = new AtomicBoolean(true);
            List<Thread> drivers = new ArrayList<>();
            for (RemoteNode node : List.of(nodes.a, nodes.b)) {
                IdleStrategy drive = node.idleStrategy(IdleStrategy.busySpin());
                Thread t = new Thread(() -> {
                    while (running.get()) {
                        drive.idle(0); // contends with the loops and the node's thread for the node's work
                        Thread.yield();
                    }
                }, "driver of " + node.address());
                t.setDaemon(true);
                t.start();
                drivers.add(t);
            }
            MessagePort echo = nodes.b.accept("echo", server);
            echo.onmessage(e -> echo.postMessage(e.data()));
            MessagePort port = nodes.a.connect(nodes.b.address(), "echo", client);
            List<Object> replies = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> done = new CompletableFuture<>();
            port.onmessage(e -> {
                replies.add(e.data());
                int next = replies.size();
                if (next < rounds) {
                    port.postMessage(next); // the next round from the loop that drives node a
                } else if (next == rounds) {
                    port.postMessage("end"); // the sentinel: nothing extra arrives before it
                } else {
                    done.complete(null);
                }
            });
            port.postMessage(0);
            done.get(Inbox.TIMEOUT_SECONDS, TimeUnit.SECONDS);
            running.set(false);
            for (Thread t : drivers) {
                t.join(5_000);
            }
            assertEquals(rounds + 1, replies.size());
            for (int i = 0; i < rounds; i++) {
                assertEquals(i, replies.get(i), "reply " + i);
            }
            assertEquals("end", replies.get(rounds));
        }
    }

    @Test
    void portsPostedToFromManyThreadsAtOnceKeepEachPortsOrder() throws Exception {
        int senders = 4;
        int count = 5_000;
        try (Nodes nodes = Nodes.ipc()) {
            List<Inbox> inboxes = new ArrayList<>();
            List<MessagePort> ports = new ArrayList<>();
            for (int s = 0; s < senders; s++) {
                inboxes.add(Inbox.of(nodes.server("sink" + s)));
                ports.add(nodes.client("sink" + s));
            }
            List<Thread> threads = new ArrayList<>();
            for (int s = 0; s < senders; s++) {
                MessagePort port = ports.get(s);
                // Each post runs the node's turn on this thread, or hands it to whoever runs the node.
                Thread t = new Thread(() -> {
                    for (int i = 0; i < count; i++) {
                        port.postMessage(i);
                    }
                    port.postMessage("end");
                }, "sender " + s);
                t.start();
                threads.add(t);
            }
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(Inbox.TIMEOUT_SECONDS));
            }
            for (int s = 0; s < senders; s++) {
                Inbox inbox = inboxes.get(s);
                for (int i = 0; i < count; i++) {
                    assertEquals(i, inbox.data(), "port " + s + ", message " + i);
                }
                assertEquals("end", inbox.data(), "port " + s);
            }
        }
    }

    /**
     * A thread that drives node a posts a burst: the first post's turn runs at once, the later ones
     * wait for the thread's next duty cycle (one turn for the rest of the burst, its small frames
     * offered in BATCH frames); another thread's posts made meanwhile queue behind them. Everything
     * arrives in order, exactly once.
     */
    @ParameterizedTest
    @MethodSource("kinds")
    void aBurstFromTheThreadThatDrivesTheNodeWaitsForItsCycleAndKeepsOrder(String kind) throws Exception {
        int burst = 1_000;
        int rounds = 3;
        try (Nodes nodes = Nodes.of(kind)) {
            Driven driven = new Driven(nodes, "burst");
            long deferred = 0;
            for (int round = 0; round < rounds; round++) {
                int first = round * 2 * burst;
                CompletableFuture<Long> driver = CompletableFuture.supplyAsync(() -> {
                    driven.becomeDriver();
                    long during = driven.post(first, burst);
                    Thread other = new Thread(() -> driven.post(first + burst, burst), "other poster");
                    other.start(); // behind the burst, whoever runs its turn
                    try {
                        other.join();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    driven.drive.idle(0); // the driver's next cycle: the waiting turn goes
                    return during;
                });
                deferred += driver.get(Inbox.TIMEOUT_SECONDS, TimeUnit.SECONDS);
                driven.expect(first, 2 * burst);
            }
            driven.port.postMessage("end");
            assertEquals("end", driven.inbox.data()); // nothing extra before the sentinel
            assertTrue(deferred > 0, "no burst's turn waited for the driver's cycle");
            assertTrue(driven.core.batchesSent() > 0, "the bursts' small frames went one transport frame each");
        }
    }

    static List<Arguments> kindsAndEndings() {
        List<Arguments> all = new ArrayList<>();
        for (String kind : kinds()) {
            all.add(Arguments.of(kind, "stops"));
            all.add(Arguments.of(kind, "closes the node"));
        }
        return all;
    }

    /**
     * A driving thread posts a burst and then never runs the node's cycle again: it stops (the turn
     * that waited for its cycle is run by the node's own thread), or it closes the node at once (the
     * close runs that turn before the ports close). Nothing is stranded; order holds; after a close
     * the far port gets {@code close} after every message.
     */
    @ParameterizedTest
    @MethodSource("kindsAndEndings")
    void aBurstFromADriverThatStopsOrClosesTheNodeRightAfterArrivesInOrder(String kind, String ending)
            throws Exception {
        int burst = 1_000;
        try (Nodes nodes = Nodes.of(kind)) {
            Driven driven = new Driven(nodes, "last words");
            Thread driver = new Thread(() -> {
                driven.becomeDriver();
                driven.post(0, burst);
                if (ending.equals("stops")) {
                    driven.port.postMessage("end"); // and this thread ends without another cycle
                } else {
                    nodes.a.close(); // no duty cycle of this thread's in between
                }
            }, "driver that " + ending);
            driver.start();
            driver.join(TimeUnit.SECONDS.toMillis(Inbox.TIMEOUT_SECONDS));
            assertFalse(driver.isAlive());
            driven.expect(0, burst);
            if (ending.equals("stops")) {
                assertEquals("end", driven.inbox.data());
            } else {
                driven.inbox.expect("close");
            }
        }
    }

    /** A port of node a linked with an inbox at node b (a first message crossed), and node a's driving strategy. */
    private static final class Driven {
        final Inbox inbox;
        final MessagePort port;
        final NodeCore core;
        final IdleStrategy drive;

        Driven(Nodes nodes, String name) throws InterruptedException {
            inbox = Inbox.of(nodes.server(name));
            port = nodes.client(name);
            port.postMessage("hello");
            assertEquals("hello", inbox.data()); // linked both ways
            core = nodes.a.core();
            drive = nodes.a.idleStrategy(IdleStrategy.busySpin());
        }

        /** Runs node a's duty cycle on the calling thread until this thread is the one that drove it last. */
        void becomeDriver() {
            while (!core.drivenBy(Thread.currentThread())) {
                drive.idle(0);
            }
        }

        /** Posts {@code first}, {@code first + 1}, ... ({@code count} of them); returns the turns that waited meanwhile. */
        long post(int first, int count) {
            long before = core.deferredTurns();
            for (int i = 0; i < count; i++) {
                port.postMessage(first + i);
            }
            return core.deferredTurns() - before;
        }

        /** Asserts that the inbox gets {@code first}, {@code first + 1}, ... ({@code count} of them), in order. */
        void expect(int first, int count) throws InterruptedException {
            for (int i = 0; i < count; i++) {
                assertEquals(first + i, inbox.data(), "message " + (first + i));
            }
        }
    }

    @Test
    void theStrategyFallsBackToThenWhenTheNodeHasNoWork() {
        RemoteNode node = RemoteNode.start(Nodes.options().streamId(1003));
        List<Integer> turns = new ArrayList<>();
        IdleStrategy parkFromTurnTwo = node.idleStrategy(turn -> {
            turns.add(turn);
            return turn >= 2;
        });
        node.close(); // a closed node has no work: every idle turn is then's
        assertFalse(parkFromTurnTwo.idle(0));
        assertFalse(parkFromTurnTwo.idle(1));
        assertTrue(parkFromTurnTwo.idle(2));
        assertEquals(List.of(0, 1, 2), turns);
        assertThrows(NullPointerException.class, () -> node.idleStrategy(null));
    }
}
