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
     * The endpoint keeps its rarely used parts behind one field (issue 12, footprint): for a bounded
     * queue that is this object, so the threads blocked on the endpoint (PortWaiters, created at the
     * first blocking call) hang off it here.
     *
     * Fields:
     *   capacity  final                 maximum number of queued messages, > 0
     *   taken     volatile; CAS (reserve), getAndAdd (count, release)
     *   waiters   volatile; CAS once (lazy creation)   the endpoint's PortWaiters, or null
     */

    private static final VarHandle TAKEN;
    private static final VarHandle WAITERS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            TAKEN = l.findVarHandle(BoundedSlots.class, "taken", int.class);
            WAITERS = l.findVarHandle(BoundedSlots.class, "waiters", PortWaiters.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final int capacity;
    private volatile int taken;
    private volatile PortWaiters waiters;

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

    private boolean casWaiters(PortWaiters expect, PortWaiters update) {
        return WAITERS.compareAndSet(this, expect, update);
    }

    /** The endpoint's blocked threads, or null while none ever blocked on it. */
    PortWaiters waiters() {
        return waiters;
    }

    /** The endpoint's blocked threads, {@code created} if there were none yet. */
    PortWaiters waiters(PortWaiters created) {
        // CAS: two first waiters may race; the loser adopts the winner's.
        return casWaiters(null, created) ? created : waiters;
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
