package dev.entangle.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;

import dev.entangle.ArrayBuffer;

/**
 * The state behind one {@code ArrayBuffer} object (ECMAScript [[ArrayBufferData]] plus the detached
 * flag): its bytes, and a small state machine that makes detaching atomic, so a buffer named in two
 * racing transfers (or a transfer racing {@code transfer()}) is moved by exactly one of them.
 *
 * <p>Thread contract: the contents are not synchronized, like a {@code byte[]}: the owner reads and
 * writes them on its own thread, and a transfer's queue publishes them to the receiver. {@link #claim},
 * {@link #unclaim}, {@link #moveTo} may be called from any thread.
 *
 * <p>Memory consistency effects: a successful {@link #claim} <i>happens-after</i> any earlier
 * {@link #unclaim} or detach of the same slot.
 */
public final class BufferSlot {
    /*
     * Implementation overview.
     *
     * `bytes` is the backing array, or null once detached (a receiver's slot created by a transfer is
     * also null until the transfer commits, which happens before the message is queued). Plain field:
     * the owner thread is the only one that reads it for data access; other threads see it through
     * the happens-before edges of the queue that carries a transfer.
     *
     * `state` (VarHandle STATE) is OPEN -> CLAIMED -> DETACHED, or CLAIMED -> OPEN when a transfer is
     * abandoned (all-or-nothing, SPEC item 3). CAS moves a slot into CLAIMED; only the claim holder
     * writes it while it is CLAIMED. A claim is held for a few instructions with no user code inside,
     * so a competing claim spins. Transfers claim ports before buffers and each kind in `id` order, so
     * two transfers with overlapping lists cannot wait on each other.
     *
     * The public ArrayBuffer lives in the API package: it installs a Facade here (once, from its
     * static initializer) that maps between the two, so the clone and transfer steps can read a
     * buffer's slot and create new ArrayBuffer objects without widening the public API.
     */

    static final int OPEN = 0;
    static final int CLAIMED = 1;
    static final int DETACHED = 2;

    private static final AtomicLong IDS = new AtomicLong();
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(BufferSlot.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Maps between {@code ArrayBuffer} objects and their slots; implemented by the API package. */
    public interface Facade {
        /** The slot of {@code buffer}. */
        BufferSlot slotOf(ArrayBuffer buffer);

        /** A new {@code ArrayBuffer} object standing for {@code slot}. */
        ArrayBuffer newBuffer(BufferSlot slot);
    }

    private static volatile Facade facade;

    /** Installs the facade; called once by {@code ArrayBuffer}'s static initializer. */
    public static void install(Facade f) {
        if (facade != null) {
            throw new IllegalStateException("already installed");
        }
        facade = f;
    }

    static BufferSlot of(ArrayBuffer buffer) {
        return facade.slotOf(buffer); // non-null: an ArrayBuffer instance implies its class is initialized
    }

    static ArrayBuffer newBuffer(BufferSlot slot) {
        return facade.newBuffer(slot);
    }

    final long id = IDS.incrementAndGet();
    private byte[] bytes;
    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;

    /** A slot over {@code bytes} (not copied); null makes a slot that is filled by a transfer. */
    public BufferSlot(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The backing array; owner thread. */
    public byte[] bytes() {
        byte[] b = bytes;
        if (b == null) {
            throw detachedError();
        }
        return b;
    }

    /** The length, 0 when detached. */
    public int length() {
        byte[] b = bytes;
        return b == null ? 0 : b.length;
    }

    public boolean isDetached() {
        // volatile read: a transfer committed by another thread is seen once its claim is released
        return bytes == null || (int) STATE.getVolatile(this) == DETACHED;
    }

    /** The exception for any read or write of a detached buffer (ECMAScript throws a TypeError). */
    public static IllegalStateException detachedError() {
        return new IllegalStateException("ArrayBuffer is detached");
    }

    /** Claims this slot for a transfer; false if it is detached. */
    boolean claim() {
        while (true) {
            int s = (int) STATE.getVolatile(this); // volatile: see a competing claim or detach
            if (s == DETACHED || bytes == null) {
                return false;
            }
            if (s == CLAIMED) {
                Thread.onSpinWait(); // another transfer holds it for a few instructions
                continue;
            }
            // volatile CAS: the claim must be seen by every competing claimer before it proceeds
            if (STATE.compareAndSet(this, OPEN, CLAIMED)) {
                return true;
            }
        }
    }

    /** Releases a claim without detaching (the transfer was abandoned). */
    void unclaim() {
        STATE.setVolatile(this, OPEN); // volatile: publish the release to spinning claimers
    }

    /** Commits a claimed transfer: {@code target} takes the bytes; this slot is detached. */
    void moveTo(BufferSlot target) {
        target.bytes = bytes;
        bytes = null;
        STATE.setVolatile(this, DETACHED); // volatile: after the move, so a later claimer fails
    }

    /**
     * {@code ArrayBuffer.prototype.transfer}: detaches this slot and returns a new one holding the
     * same array (or a resized copy when {@code newLength} differs).
     *
     * @throws IllegalStateException if this slot is detached
     */
    public BufferSlot transfer(int newLength) {
        if (!claim()) {
            throw detachedError();
        }
        BufferSlot target = new BufferSlot(null);
        moveTo(target);
        if (newLength != target.bytes.length) {
            target.bytes = java.util.Arrays.copyOf(target.bytes, newLength);
        }
        return target;
    }
}
