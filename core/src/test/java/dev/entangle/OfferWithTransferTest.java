package dev.entangle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link MessagePort#offerMessage(Object, List, Duration)}: a timed, back-pressured send with transfers. */
class OfferWithTransferTest {
    private final Loops loops = new Loops();

    @AfterEach
    void closeLoops() throws InterruptedException {
        loops.close();
    }

    @Test
    void waitsForASlotThenTransfers() throws Exception {
        MessageChannel channel = MessageChannel.bounded(loops.start("owner"), 1);
        channel.port1().postMessage("filler");
        MessageChannel carried = new MessageChannel();
        CompletableFuture<Boolean> offered = CompletableFuture.supplyAsync(() -> {
            try {
                return channel.port1().offerMessage("with port", List.of(carried.port2()), Loops.TIMEOUT);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals("filler", channel.port2().receiveMessage(Loops.TIMEOUT).data()); // frees the slot
        assertTrue(offered.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        MessageEvent event = channel.port2().receiveMessage(Loops.TIMEOUT);
        assertEquals("with port", event.data());
        event.ports().get(0).postMessage("through the transferred port");
        assertEquals("through the transferred port", carried.port1().receiveMessage(Loops.TIMEOUT).data());
    }

    @Test
    void aTimeoutPostsAndDetachesNothing() throws Exception {
        MessageChannel channel = MessageChannel.bounded(loops.start("owner"), 1);
        channel.port1().postMessage("filler");
        MessageChannel carried = new MessageChannel();
        assertFalse(channel.port1().offerMessage("late", List.of(carried.port2()), Duration.ofMillis(20)));
        carried.port2().postMessage("still mine"); // not detached: it still posts
        assertEquals("still mine", carried.port1().receiveMessage(Loops.TIMEOUT).data());
        assertEquals(1, channel.port2().queuedMessageCount());
    }

    @Test
    void aBadTransferListIsADataCloneErrorAtOnce() {
        MessageChannel channel = MessageChannel.bounded(loops.start("owner"), 1);
        DOMException e = assertThrows(DOMException.class,
                () -> channel.port1().offerMessage("x", List.of(channel.port1()), Loops.TIMEOUT));
        assertEquals("DataCloneError", e.name());
    }

    @Test
    void onAnEventLoopItIsRefused() throws Exception {
        EventLoop loop = loops.start("owner");
        MessageChannel channel = MessageChannel.bounded(loop, 1);
        MessageChannel carried = new MessageChannel();
        ExecutionException e = assertThrows(ExecutionException.class, () -> Loops.on(loop,
                () -> channel.port1().offerMessage("x", List.of(carried.port2()), Loops.TIMEOUT)));
        assertEquals("InvalidStateError", assertInstanceOf(DOMException.class, e.getCause()).name());
    }
}
