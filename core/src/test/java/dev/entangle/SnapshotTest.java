package dev.entangle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link EventLoop#snapshot()} (issue 13, item 8): the live loops, their ports and queued counts, and
 * why a worker is still alive (what Node users ask {@code why-is-node-running}).
 */
class SnapshotTest {
    private final Loops loops = new Loops();

    @AfterEach
    void closeLoops() throws InterruptedException {
        loops.close();
    }

    private static LoopSnapshot loop(String name) {
        return EventLoop.snapshot().stream().filter(l -> l.name().equals(name)).findFirst().orElse(null);
    }

    @Test
    void liveLoopsAreListedInStartOrderWithTheirKindAndThreadUntilTheyTerminate() throws Exception {
        EventLoop first = loops.start("snap-first");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        EventLoop second = EventLoop.on(pool, "snap-second");
        try {
            List<String> names = EventLoop.snapshot().stream().map(LoopSnapshot::name)
                    .filter(n -> n.startsWith("snap-")).toList();
            assertEquals(List.of("snap-first", "snap-second"), names);
            LoopSnapshot dedicated = loop("snap-first");
            assertEquals("dedicated", dedicated.kind());
            assertEquals("snap-first", dedicated.thread());
            assertEquals("running", dedicated.state());
            assertFalse(dedicated.endsWhenIdle());
            assertEquals(List.of("lives until close()"), dedicated.aliveBecause());
            LoopSnapshot multiplexed = loop("snap-second");
            assertEquals("multiplexed", multiplexed.kind());
            assertNull(multiplexed.thread());
            assertThrows(UnsupportedOperationException.class, () -> multiplexed.ports().add(null));

            second.close();
            assertTrue(second.awaitTermination(Loops.TIMEOUT));
            assertNull(loop("snap-second"), "a terminated loop is not listed");
            String common = EventLoop.common().name();             // started on first use
            assertEquals("common", loop(common).kind());
            assertEquals("the common loop lives as long as the process", loop(common).aliveBecause().get(0));
        } finally {
            second.close();
            pool.shutdown();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
        assertEquals("snap-first", loop(first.name()).name());
    }

    @Test
    void portsShowStartedRefAndQueuedMessages() throws Exception {
        EventLoop loop = loops.start("snap-ports");
        MessageChannel channel = new MessageChannel(loop);
        channel.port1().postMessage(1);
        channel.port1().postMessage(2);
        channel.port1().postMessage(3);                       // port2 is not started: they wait there
        channel.port1().unref();
        List<PortSnapshot> ports = loop("snap-ports").ports();
        assertEquals(2, ports.size(), ports.toString());
        PortSnapshot waiting = ports.stream().filter(p -> p.queuedMessages() == 3).findFirst().orElseThrow();
        assertFalse(waiting.started());
        assertTrue(waiting.refed());
        assertTrue(waiting.entangled());
        assertFalse(waiting.keepsLoopAlive(), "not started");
        assertEquals("MessagePort", waiting.kind());
        PortSnapshot unrefed = ports.stream().filter(p -> p != waiting).findFirst().orElseThrow();
        assertFalse(unrefed.refed());
        assertEquals(0, unrefed.queuedMessages());

        channel.port1().close();
        channel.port2().close();
        assertEquals(List.of(), loop("snap-ports").ports(), "closed ports are not listed");
    }

    @Test
    void aWorkerKeptAliveByAListeningPortSaysSoAndEndsWhenItIsUnrefed() throws Exception {
        EventLoop parent = loops.start("snap-parent");
        CompletableFuture<MessagePort> held = new CompletableFuture<>();
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        CompletableFuture<Void> created = new CompletableFuture<>();
        parent.execute(() -> {
            new Worker("snap-worker", scope -> {
                MessageChannel channel = new MessageChannel();    // owned by the worker's loop
                channel.port2().onmessage(e -> { });              // started, with a listener: keeps it alive
                held.complete(channel.port2());
            }).addEventListener("exit", e -> exit.complete(((Worker.ExitEvent) e).exitCode()));
            created.complete(null);                               // the inbox starts in the next parent task
        });
        MessagePort port = held.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        created.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

        LoopSnapshot worker = loop("snap-worker");
        assertTrue(worker.endsWhenIdle());
        assertEquals(1, worker.keptAliveBy().size(), worker.toString());
        PortSnapshot keeper = worker.keptAliveBy().get(0);
        assertTrue(keeper.started() && keeper.refed() && keeper.entangled() && keeper.keepsLoopAlive());
        assertTrue(worker.aliveBecause().contains("port " + keeper.id() + ": started, ref'ed, entangled, with a"
                + " message listener (close() or unref() releases it)"), worker.aliveBecause().toString());
        assertTrue(worker.toString().startsWith("EventLoop snap-worker (dedicated, thread snap-worker, running"),
                worker.toString());
        // The creating loop holds the Worker's end of the implicit channel until `exit`.
        PortSnapshot inbox = Loops.on(parent, () -> loop("snap-parent")).ports().stream()
                .filter(p -> p.kind().equals("Worker")).findFirst().orElseThrow();
        assertTrue(inbox.keepsLoopAlive());

        port.unref();                                             // from another thread: the worker looks again
        assertEquals(0, exit.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        assertNull(loop("snap-worker"), "an ended worker's loop is not listed");
        // The inbox closes right after the exit listeners ran: a task queued now on the parent runs later.
        LoopSnapshot parentAfterExit = Loops.on(parent, () -> loop("snap-parent"));
        assertTrue(parentAfterExit.ports().stream().noneMatch(p -> p.kind().equals("Worker")),
                "the inbox is closed after exit");
    }
}
