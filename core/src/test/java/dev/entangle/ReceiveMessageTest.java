package dev.entangle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Synchronous receive, Node's receiveMessageOnPort (minimal here; completed with workers). */
class ReceiveMessageTest {
    private final Loops loops = new Loops();

    @AfterEach
    void closeLoops() throws InterruptedException {
        loops.close();
    }

    @Test
    void receiveMessageTakesQueuedMessagesInOrderWithoutDispatch() {
        EventLoop loop = loops.start("sync");
        MessageChannel channel = new MessageChannel(loop);
        channel.port1().postMessage("a");
        channel.port1().postMessage("b");

        MessageEvent first = channel.port2().receiveMessage();
        MessageEvent second = channel.port2().receiveMessage();

        assertEquals("a", first.data());
        assertEquals("message", first.type());
        assertNull(first.target(), "not dispatched");
        assertEquals("b", second.data());
        assertNull(channel.port2().receiveMessage());
    }

    @Test
    void receiveMessageCarriesTransferredPorts() throws Exception {
        EventLoop loop = loops.start("sync-ports");
        MessageChannel channel = new MessageChannel(loop);
        MessageChannel shipped = new MessageChannel(loop);
        channel.port1().postMessage("port", List.of(shipped.port1()));

        MessageEvent event = channel.port2().receiveMessage();

        MessagePort moved = event.ports().get(0);
        moved.postMessage("through the moved port");
        assertEquals("through the moved port", shipped.port2().receiveMessage().data());
    }

    @Test
    void timedReceiveReturnsNullOnTimeoutAndTheMessageWhenOneComes() throws Exception {
        EventLoop loop = loops.start("timed");
        MessageChannel channel = new MessageChannel(loop);

        long start = System.nanoTime();
        assertNull(channel.port2().receiveMessage(Duration.ofMillis(100)));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(100));

        CompletableFuture<MessageEvent> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return channel.port2().receiveMessage(Loops.TIMEOUT);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        loop.execute(() -> channel.port1().postMessage("reply"));
        assertEquals("reply", waiting.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).data());
    }

    @Test
    void timedReceiveReturnsAtOnceWhenNoMessageCanCome() throws Exception {
        EventLoop loop = loops.start("hopeless");
        MessageChannel channel = new MessageChannel(loop);
        channel.port1().close();
        CompletableFuture<MessageEvent> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return channel.port2().receiveMessage(Duration.ofMinutes(5));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertNull(waiting.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    }

    @Test
    void timedReceiveOnTheOwnerLoopIsRefused() throws Exception {
        EventLoop loop = loops.start("own-loop");
        MessageChannel channel = new MessageChannel(loop);
        String name = Loops.on(loop, () -> assertThrows(DOMException.class,
                () -> channel.port2().receiveMessage(Duration.ofSeconds(1))).name());
        assertEquals("InvalidStateError", name);
    }
}
