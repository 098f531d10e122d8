package dev.entangle;

import java.nio.ByteBuffer;
import java.util.Objects;

import dev.entangle.internal.BufferSlot;
import dev.entangle.internal.Marks;

/**
 * Detachable bytes, as ECMAScript's {@code ArrayBuffer}: in a message's data it is copied; in the
 * transfer list as well, it is <b>moved</b>: the receiver's new {@code ArrayBuffer} holds the same
 * backing array (no copy, whatever the size) and this object is detached.
 *
 * <pre>{@code
 * ArrayBuffer frame = ArrayBuffer.wrap(pixels);
 * port.postMessage(frame, List.of(frame));    // moved: frame.detached() is now true
 * }</pre>
 *
 * <p>A detached buffer has {@link #byteLength()} 0, and {@link #get}, {@link #put},
 * {@link #asByteBuffer()}, {@link #slice} and {@link #transfer()} throw {@link IllegalStateException}
 * (ECMAScript throws a {@code TypeError}, which has no Java twin). Posting a detached buffer, in the data
 * or the transfer list, is a {@code DataCloneError}.
 *
 * <p>Decision where Java differs from JavaScript: a {@code ByteBuffer} from {@link #asByteBuffer()} (or
 * the array given to {@link #wrap}) cannot be detached; one kept across a transfer still reaches the
 * bytes that now belong to the receiver. Drop views before transferring, as you would stop using an
 * array handed to another thread.
 *
 * <p>Threads: like a {@code byte[]}, the contents are not synchronized: use a buffer from one thread at a
 * time (the owner); a transfer hands it over with a happens-before edge. Detaching is atomic: when two
 * threads transfer the same buffer at once, exactly one succeeds and the other gets a
 * {@code DataCloneError} (or {@code IllegalStateException} from {@link #transfer()}).
 *
 * <p>Memory consistency effects: writes to the contents before the buffer is posted <i>happen-before</i>
 * the receiver reads its copy or its transferred buffer.
 */
public final class ArrayBuffer implements Transferable {
    static {
        BufferSlot.install(new BufferSlot.Facade() {
            @Override
            public BufferSlot slotOf(ArrayBuffer buffer) {
                return buffer.slot;
            }

            @Override
            public ArrayBuffer newBuffer(BufferSlot slot) {
                return new ArrayBuffer(slot);
            }
        });
    }

    private final BufferSlot slot;

    /**
     * A buffer of {@code byteLength} zero bytes.
     *
     * @param byteLength the length in bytes
     * @throws IllegalArgumentException if {@code byteLength} is negative (ECMAScript: RangeError)
     */
    public ArrayBuffer(int byteLength) {
        if (byteLength < 0) {
            throw new IllegalArgumentException("byteLength " + byteLength + " < 0");
        }
        this.slot = new BufferSlot(new byte[byteLength]);
    }

    private ArrayBuffer(BufferSlot slot) {
        this.slot = slot;
    }

    /**
     * A buffer over {@code bytes}, without copying: the caller hands the array over and should not
     * touch it afterwards (it moves with the buffer when the buffer is transferred).
     *
     * @param bytes the bytes, handed over to the buffer
     * @return a buffer over {@code bytes}
     * @throws NullPointerException if {@code bytes} is null
     */
    public static ArrayBuffer wrap(byte[] bytes) {
        return new ArrayBuffer(new BufferSlot(Objects.requireNonNull(bytes, "bytes")));
    }

    /** {@return the length in bytes; 0 once detached} */
    public int byteLength() {
        return slot.length();
    }

    /** {@return true once transferred away (by a message or {@link #transfer()})} */
    public boolean detached() {
        return slot.isDetached();
    }

    /**
     * The byte at {@code index}.
     *
     * @param index the byte's index
     * @return the byte at {@code index}
     * @throws IndexOutOfBoundsException if {@code index} is outside {@code [0, byteLength())}
     * @throws IllegalStateException if detached
     */
    public byte get(int index) {
        byte[] b = slot.bytes();
        Objects.checkIndex(index, b.length);
        return b[index];
    }

    /**
     * Sets the byte at {@code index}.
     *
     * @param index the byte's index
     * @param value the byte to store
     * @throws IndexOutOfBoundsException if {@code index} is outside {@code [0, byteLength())}
     * @throws IllegalStateException if detached
     */
    public void put(int index, byte value) {
        byte[] b = slot.bytes();
        Objects.checkIndex(index, b.length);
        b[index] = value;
    }

    /**
     * A read-write {@code ByteBuffer} over the whole buffer (position 0, limit {@link #byteLength()},
     * big-endian, backed by the same array: {@code array()} is the backing store). See the class
     * comment about views and transfers.
     *
     * @return a read-write view of the whole buffer
     * @throws IllegalStateException if detached
     */
    public ByteBuffer asByteBuffer() {
        return ByteBuffer.wrap(slot.bytes());
    }

    /**
     * A copy of the bytes from {@code begin} to the end; see {@link #slice(int, int)}.
     *
     * @param begin the index of the first byte (negative: from the end)
     * @return a new buffer with a copy of those bytes
     */
    public ArrayBuffer slice(int begin) {
        return slice(begin, Integer.MAX_VALUE);
    }

    /**
     * A new buffer with a copy of the bytes from {@code begin} (inclusive) to {@code end} (exclusive),
     * with ECMAScript's {@code ArrayBuffer.prototype.slice} rules: a negative index counts from the end,
     * indices are clamped to {@code [0, byteLength()]}, and an empty range gives an empty buffer.
     *
     * @param begin the index of the first byte (negative: from the end)
     * @param end the index after the last byte (negative: from the end)
     * @return a new buffer with a copy of those bytes
     * @throws IllegalStateException if detached
     */
    public ArrayBuffer slice(int begin, int end) {
        byte[] b = slot.bytes();
        int from = clamp(begin, b.length);
        int to = clamp(end, b.length);
        byte[] copy = new byte[Math.max(to - from, 0)];
        System.arraycopy(b, from, copy, 0, copy.length);
        return new ArrayBuffer(new BufferSlot(copy));
    }

    private static int clamp(int relative, int length) {
        long index = relative < 0 ? (long) length + relative : relative;
        return (int) Math.max(0, Math.min(index, length));
    }

    /**
     * {@code ArrayBuffer.prototype.transfer()}: a new buffer that takes over these bytes without
     * copying; this buffer is detached.
     *
     * @return the new buffer, owning these bytes
     * @throws IllegalStateException if detached, or marked with
     *     {@link StructuredClone#markAsUntransferable} (our decision: a buffer that must not move
     *     cannot move this way either)
     */
    public ArrayBuffer transfer() {
        return transfer(byteLength());
    }

    /**
     * {@code ArrayBuffer.prototype.transfer(newLength)}: as {@link #transfer()}, with the new buffer
     * truncated or zero-extended to {@code newLength} (a copy only when the length changes).
     *
     * @param newLength the new buffer's length in bytes
     * @return the new buffer, of {@code newLength} bytes
     * @throws IllegalArgumentException if {@code newLength} is negative
     * @throws IllegalStateException as for {@link #transfer()}
     */
    public ArrayBuffer transfer(int newLength) {
        if (newLength < 0) {
            throw new IllegalArgumentException("newLength " + newLength + " < 0");
        }
        if (Marks.isUntransferable(this)) {
            throw new IllegalStateException("ArrayBuffer is marked as untransferable");
        }
        return new ArrayBuffer(slot.transfer(newLength));
    }

    /** {@code ArrayBuffer[byteLength=n]} or {@code ArrayBuffer[detached]}. */
    @Override
    public String toString() {
        return detached() ? "ArrayBuffer[detached]" : "ArrayBuffer[byteLength=" + byteLength() + "]";
    }
}
