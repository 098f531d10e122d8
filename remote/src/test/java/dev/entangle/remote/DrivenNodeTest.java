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
            Inbox inbox = Inbox.of(nodes.server("burst"));
            MessagePort port = nodes.client("burst");
            port.postMessage("hello");
            assertEquals("hello", inbox.data()); // linked both ways before the bursts
            NodeCore core = nodes.a.core();
            IdleStrategy drive = nodes.a.idleStrategy(IdleStrategy.busySpin());
            long deferred = 0;
            for (int round = 0; round < rounds; round++) {
                int first = round * 2 * burst;
                CompletableFuture<Long> driver = CompletableFuture.supplyAsync(() -> {
                    while (!core.drivenBy(Thread.currentThread())) {
                        drive.idle(0); // until this thread has run a duty cycle of node a
                    }
                    long before = core.deferredTurns();
                    for (int i = 0; i < burst; i++) {
                        port.postMessage(first + i);
                    }
                    long during = core.deferredTurns() - before;
                    Thread other = new Thread(() -> {
                        for (int i = burst; i < 2 * burst; i++) {
                            port.postMessage(first + i); // behind the burst, whoever runs its turn
                        }
                    }, "other poster");
                    other.start();
                    try {
                        other.join();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    drive.idle(0); // the driver's next cycle: the waiting turn goes
                    return during;
                });
                deferred += driver.get(Inbox.TIMEOUT_SECONDS, TimeUnit.SECONDS);
                for (int i = 0; i < 2 * burst; i++) {
                    assertEquals(first + i, inbox.data(), "round " + round + ", message " + i);
                }
            }
            port.postMessage("end");
            assertEquals("end", inbox.data()); // nothing extra before the sentinel
            assertTrue(deferred > 0, "no burst's turn waited for the driver's cycle");
            assertTrue(core.batchesSent() > 0, "the bursts' small frames went one transport frame each");
        }
    }

    /**
     * A driving thread that posts a burst and then never runs the node again: the turn that waited
     * for its cycle is run by the node's own thread; nothing is stranded, order holds.
     */
    @ParameterizedTest
    @MethodSource("kinds")
    void aBurstFromADriverThatStopsDrivingIsSentByTheNodesThread(String kind) throws Exception {
        int burst = 1_000;
        try (Nodes nodes = Nodes.of(kind)) {
            Inbox inbox = Inbox.of(nodes.server("stranded"));
            MessagePort port = nodes.client("stranded");
            port.postMessage("hello");
            assertEquals("hello", inbox.data());
            NodeCore core = nodes.a.core();
            IdleStrategy drive = nodes.a.idleStrategy(IdleStrategy.busySpin());
            Thread driver = new Thread(() -> {
                while (!core.drivenBy(Thread.currentThread())) {
                    drive.idle(0);
                }
                for (int i = 0; i < burst; i++) {
                    port.postMessage(i);
                }
                port.postMessage("end"); // and this thread ends without another cycle
            }, "driver that stops");
            driver.start();
            driver.join(TimeUnit.SECONDS.toMillis(Inbox.TIMEOUT_SECONDS));
            assertFalse(driver.isAlive());
            for (int i = 0; i < burst; i++) {
                assertEquals(i, inbox.data(), "message " + i);
            }
            assertEquals("end", inbox.data());
        }
    }

    /**
     * The thread that drives node a posts a burst and closes the node at once, before another duty
     * cycle: the turn that waited for that cycle is run by the close, so the far port gets every
     * message, in order, then {@code close}.
     */
    @ParameterizedTest
    @MethodSource("kinds")
    void aBurstPostedJustBeforeTheNodeClosesArrivesBeforeTheClose(String kind) throws Exception {
        int burst = 1_000;
        try (Nodes nodes = Nodes.of(kind)) {
            Inbox inbox = Inbox.of(nodes.server("last words"));
            MessagePort port = nodes.client("last words");
            port.postMessage("hello");
            assertEquals("hello", inbox.data());
            NodeCore core = nodes.a.core();
            IdleStrategy drive = nodes.a.idleStrategy(IdleStrategy.busySpin());
            CompletableFuture<Long> closer = CompletableFuture.supplyAsync(() -> {
                while (!core.drivenBy(Thread.currentThread())) {
                    drive.idle(0);
                }
                long before = core.deferredTurns();
                for (int i = 0; i < burst; i++) {
                    port.postMessage(i);
                }
                long deferred = core.deferredTurns() - before;
                nodes.a.close(); // no duty cycle of this thread's in between
                return deferred;
            });
            long deferred = closer.get(Inbox.TIMEOUT_SECONDS, TimeUnit.SECONDS);
            for (int i = 0; i < burst; i++) {
                assertEquals(i, inbox.data(), "message " + i + " (a turn waited for the driver: " + deferred + ")");
            }
            inbox.expect("close");
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
