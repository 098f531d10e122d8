package dev.entangle;

import static dev.entangle.Loops.next;
import static dev.entangle.StructuredClone.structuredClone;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ArrayBuffer}: the ECMAScript API subset (ES2024 §25.1: constructor, byteLength, slice,
 * transfer, detached), and its structured clone (HTML §2.7.3: copied in the data) and transfer
 * (HTML §2.7.5 StructuredSerializeWithTransfer: moved, the sender's buffer detached; WPT
 * html/webappapis/structured-clone "transfer-arraybuffer" and webmessaging "postMessage with
 * transfer" cases).
 */
class ArrayBufferTest {
    private final Loops loops = new Loops();

    @AfterEach
    void closeLoops() throws InterruptedException {
        loops.close();
    }

    record Frame(int seq, ArrayBuffer data) { }

    private static void assertDetached(ArrayBuffer buffer) {
        assertTrue(buffer.detached());
        assertEquals(0, buffer.byteLength());
        assertThrows(IllegalStateException.class, () -> buffer.get(0));
        assertThrows(IllegalStateException.class, () -> buffer.put(0, (byte) 1));
        assertThrows(IllegalStateException.class, buffer::asByteBuffer);
        assertThrows(IllegalStateException.class, () -> buffer.slice(0));
        assertThrows(IllegalStateException.class, buffer::transfer);
        assertEquals("ArrayBuffer[detached]", buffer.toString());
    }

    private static DOMException assertDataCloneError(Runnable post) {
        DOMException e = assertThrows(DOMException.class, post::run);
        assertEquals("DataCloneError", e.name());
        return e;
    }

    @Test
    void newBufferIsZeroFilledAndBoundsChecked() {
        ArrayBuffer buffer = new ArrayBuffer(4);
        assertEquals(4, buffer.byteLength());
        assertFalse(buffer.detached());
        assertEquals(0, buffer.get(3));
        buffer.put(3, (byte) 7);
        assertEquals(7, buffer.get(3));
        assertThrows(IndexOutOfBoundsException.class, () -> buffer.get(4));
        assertThrows(IndexOutOfBoundsException.class, () -> buffer.put(-1, (byte) 0));
        assertThrows(IllegalArgumentException.class, () -> new ArrayBuffer(-1));
    }

    @Test
    void wrapAndByteBufferViewShareTheArray() {
        byte[] bytes = {1, 2, 3};
        ArrayBuffer buffer = ArrayBuffer.wrap(bytes);
        assertSame(bytes, buffer.asByteBuffer().array());
        buffer.asByteBuffer().put(0, (byte) 9);
        assertEquals(9, buffer.get(0));
        assertEquals(3, buffer.asByteBuffer().remaining());
    }

    /** ES2024 ArrayBuffer.prototype.slice: relative indices, clamped, a copy. */
    @Test
    void sliceCopiesWithRelativeClampedIndices() {
        ArrayBuffer buffer = ArrayBuffer.wrap(new byte[] {0, 1, 2, 3, 4});
        assertArrayEquals(new byte[] {1, 2}, buffer.slice(1, 3).asByteBuffer().array());
        assertArrayEquals(new byte[] {3, 4}, buffer.slice(-2).asByteBuffer().array());
        assertArrayEquals(new byte[] {}, buffer.slice(3, 1).asByteBuffer().array());
        assertArrayEquals(new byte[] {0, 1, 2, 3, 4}, buffer.slice(-100, 100).asByteBuffer().array());
        ArrayBuffer slice = buffer.slice(0);
        slice.put(0, (byte) 42);
        assertEquals(0, buffer.get(0), "a slice is a copy");
    }

    /** ES2024 ArrayBuffer.prototype.transfer: same bytes, no copy; the original detached. */
    @Test
    void transferMovesTheBytesAndDetaches() {
        byte[] bytes = {1, 2, 3};
        ArrayBuffer original = ArrayBuffer.wrap(bytes);
        ArrayBuffer moved = original.transfer();
        assertSame(bytes, moved.asByteBuffer().array());
        assertDetached(original);

        ArrayBuffer longer = moved.transfer(5);
        assertArrayEquals(new byte[] {1, 2, 3, 0, 0}, longer.asByteBuffer().array());
        ArrayBuffer shorter = longer.transfer(2);
        assertArrayEquals(new byte[] {1, 2}, shorter.asByteBuffer().array());
        assertDetached(moved);
    }

    @Test
    void aBufferOnlyInTheDataIsCopied() throws Exception {
        EventLoop loop = loops.start("copy");
        MessageChannel channel = new MessageChannel(loop);
        LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
        channel.port2().onmessage(e -> received.add(e.data()));
        ArrayBuffer buffer = ArrayBuffer.wrap(new byte[] {1, 2, 3});

        channel.port1().postMessage(List.of(buffer, buffer));
        buffer.put(0, (byte) 99); // after the post: must not reach the copy

        List<?> got = (List<?>) next(received);
        ArrayBuffer copy = (ArrayBuffer) got.get(0);
        assertSame(copy, got.get(1), "the same buffer twice arrives as one copy twice");
        assertNotSame(buffer.asByteBuffer().array(), copy.asByteBuffer().array());
        assertArrayEquals(new byte[] {1, 2, 3}, copy.asByteBuffer().array());
        assertFalse(buffer.detached());
    }

    /** 64 MiB moved without a copy: the receiver's buffer has the very same backing array. */
    @Test
    void a64MiBBufferIsTransferredWithoutCopying() throws Exception {
        EventLoop loop = loops.start("transfer-64m");
        MessageChannel channel = new MessageChannel(loop);
        LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
        channel.port2().onmessage(e -> received.add(e.data()));
        byte[] storage = new byte[64 << 20];
        storage[storage.length - 1] = 5;
        ArrayBuffer buffer = ArrayBuffer.wrap(storage);

        channel.port1().postMessage(new Frame(1, buffer), List.of(buffer));

        assertDetached(buffer);
        Frame got = (Frame) next(received);
        assertEquals(1, got.seq());
        assertSame(storage, got.data().asByteBuffer().array());
        assertEquals(64 << 20, got.data().byteLength());
        assertEquals(5, got.data().get(storage.length - 1));
    }

    @Test
    void aTransferredBufferReachedTwiceArrivesAsOneBuffer() throws Exception {
        ArrayBuffer buffer = new ArrayBuffer(8);
        List<Object> message = new ArrayList<>(List.of(buffer, new Frame(2, buffer)));
        List<Object> clone = structuredClone(message, StructuredSerializeOptions.transfer(buffer));
        assertNotSame(buffer, clone.get(0));
        assertSame(clone.get(0), ((Frame) clone.get(1)).data());
        assertDetached(buffer);
    }

    /** HTML §2.7.5: everything in the transfer list is transferred, referenced from the data or not. */
    @Test
    void aBufferInTheTransferListButNotInTheDataIsStillDetached() throws Exception {
        ArrayBuffer buffer = new ArrayBuffer(8);
        assertEquals("only text", structuredClone("only text", StructuredSerializeOptions.transfer(buffer)));
        assertDetached(buffer);
    }

    /** StructuredSerializeWithTransfer step 4: a detached ArrayBuffer in the list. */
    @Test
    void aDetachedBufferIsADataCloneErrorInTheListAndInTheData() {
        ArrayBuffer buffer = new ArrayBuffer(8);
        buffer.transfer();
        assertEquals("transfer[0]: ArrayBuffer is detached", assertDataCloneError(
                () -> structuredClone("m", StructuredSerializeOptions.transfer(buffer))).getMessage());
        assertEquals("data[0]: ArrayBuffer is detached",
                assertDataCloneError(() -> structuredClone(List.of(buffer))).getMessage());
    }

    /** StructuredSerializeWithTransfer step 2: a duplicate. */
    @Test
    void aDuplicateBufferIsADataCloneErrorAndNothingIsDetached() {
        ArrayBuffer buffer = new ArrayBuffer(8);
        assertEquals("transfer[1]: duplicate of transfer[0]", assertDataCloneError(
                () -> structuredClone(buffer, StructuredSerializeOptions.transfer(buffer, buffer))).getMessage());
        assertFalse(buffer.detached());
    }

    /** All-or-nothing (SPEC item 3): a bad port or an uncloneable value later in the steps. */
    @Test
    void aFailedPostDetachesNoBuffer() throws Exception {
        EventLoop loop = loops.start("all-or-nothing");
        MessageChannel channel = new MessageChannel(loop);
        MessageChannel closed = new MessageChannel(loop);
        closed.port1().close();
        ArrayBuffer buffer = new ArrayBuffer(8);

        DOMException closedPort = assertDataCloneError(
                () -> channel.port1().postMessage(buffer, List.of(buffer, closed.port1())));
        assertEquals("transfer[1]: MessagePort is closed", closedPort.getMessage());
        assertFalse(buffer.detached());

        DOMException uncloneable = assertDataCloneError(() -> channel.port1().postMessage(
                List.of(buffer, new Object()), List.of(buffer)));
        assertEquals("data[1]: java.lang.Object is not cloneable", uncloneable.getMessage());
        assertFalse(buffer.detached());
        assertEquals(8, buffer.byteLength());
    }

    /** Node markAsUntransferable: in a transfer list it is an error; copying still works. */
    @Test
    void anUntransferableBufferCannotBeTransferredButCanBeCopied() {
        ArrayBuffer buffer = ArrayBuffer.wrap(new byte[] {1});
        StructuredClone.markAsUntransferable(buffer);
        assertTrue(StructuredClone.isMarkedAsUntransferable(buffer));
        assertEquals("transfer[0]: dev.entangle.ArrayBuffer is marked as untransferable",
                assertDataCloneError(() -> structuredClone(buffer,
                        StructuredSerializeOptions.transfer(buffer))).getMessage());
        assertThrows(IllegalStateException.class, buffer::transfer);
        ArrayBuffer copy = structuredClone(buffer);
        assertNotSame(buffer, copy);
        assertEquals(1, copy.get(0));
        assertFalse(buffer.detached());
    }

    /** Two threads transfer the same buffer at once: exactly one succeeds, every time. */
    @Test
    void racingTransfersOfOneBufferMoveItExactlyOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 500; round++) {
                ArrayBuffer buffer = new ArrayBuffer(16);
                CyclicBarrier start = new CyclicBarrier(2);
                Future<Boolean> byMethod = pool.submit(() -> {
                    start.await();
                    try {
                        buffer.transfer();
                        return true;
                    } catch (IllegalStateException detached) {
                        return false;
                    }
                });
                Future<Boolean> byClone = pool.submit(() -> {
                    start.await();
                    try {
                        structuredClone(buffer, StructuredSerializeOptions.transfer(buffer));
                        return true;
                    } catch (DOMException detached) {
                        return false;
                    }
                });
                boolean a = byMethod.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                boolean b = byClone.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                assertTrue(a ^ b, "round " + round + ": transfer() " + a + ", structuredClone " + b);
                assertTrue(buffer.detached());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aTransferredBufferArrivesOnTheReceivingLoopWithItsContents() throws Exception {
        EventLoop loop = loops.start("receiver");
        MessageChannel channel = new MessageChannel(loop);
        CompletableFuture<String> seen = new CompletableFuture<>();
        channel.port2().onmessage(e -> {
            ArrayBuffer data = (ArrayBuffer) e.data();
            seen.complete(data.get(0) + "," + data.byteLength() + "," + loop.inEventLoop());
        });
        ArrayBuffer buffer = new ArrayBuffer(3);
        buffer.put(0, (byte) 4);
        channel.port1().postMessage(buffer, StructuredSerializeOptions.transfer(buffer));
        assertEquals("4,3,true", seen.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    }
}
