package dev.entangle.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The slots of a bounded port message queue ({@code MessageChannel.bounded}): its capacity and the
 * count of slots taken. Only the endpoints of a bounded channel have one; the standard's unbounded
 * queue pays one null check per post and per message taken, and no bytes.
 *
 * <p>Thread contract: every method may be called from any thread.
 *
 * <p>Memory consistency effects: {@link #release} is an atomic read-modify-write, so a sender whose
 * {@link #reserve} succeeds after it sees the effects of the release that freed its slot.
 */
final class BoundedSlots {
    /*
     * Implementation overview.
     *
     * `taken` counts the messages in the queue plus the slots reserved by posts under way; the queue
     * itself stays the unbounded one. reserve() takes a slot by CAS below the capacity, or refuses;
     * every message taken or discarded gives its slot back (release()). count() is the transfer-list
     * path (PortEndpoint.enqueue), whose caller already holds a reservation taken before anything was
     * detached (PortHandle.postTransferring): it counts unconditionally and the caller then returns its
     * reservation, so the queue never holds more than `capacity` messages. CLOSE markers are never
     * counted and never refused: close must never fail.
     *
     * Fields:
     *   capacity  final                 maximum number of queued messages, > 0
     *   taken     volatile; CAS (reserve), getAndAdd (count, release)
     */

    private static final VarHandle TAKEN;

    static {
        try {
            TAKEN = MethodHandles.lookup().findVarHandle(BoundedSlots.class, "taken", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final int capacity;
    private volatile int taken;

    BoundedSlots(int capacity) {
        assert capacity > 0 : capacity;
        this.capacity = capacity;
    }

    private int lvTaken() {
        return taken;
    }

    private boolean casTaken(int expect, int update) {
        return TAKEN.compareAndSet(this, expect, update);
    }

    private void getAndAddTaken(int delta) {
        TAKEN.getAndAdd(this, delta);
    }

    /** Takes one slot if fewer than {@code capacity} are taken. */
    boolean reserve() {
        while (true) {
            int n = lvTaken();
            if (n >= capacity) {
                return false;
            }
            // CAS: producers race for the last slots; the consumer's getAndAdd may interleave.
            if (casTaken(n, n + 1)) {
                return true;
            }
        }
    }

    /** Takes one slot even beyond the capacity (the caller holds a reservation; see the overview). */
    void count() {
        getAndAddTaken(1); // atomic: concurrent reservers CAS the same counter
    }

    /**
     * Gives one slot back (a message left the queue, or a reservation ended). Atomic and sequentially
     * consistent: the consumer's half of the handshake with a sender that waits for a slot (it
     * registers as a waiter, then reserves; see PortWaiters); the caller signals the waiters after it.
     */
    void release() {
        getAndAddTaken(-1);
    }
}
