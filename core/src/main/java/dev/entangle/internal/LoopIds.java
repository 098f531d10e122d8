package dev.entangle.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Consumer ids of event loops (LoopCore#consumerId): positive ints, unique among the loops that have
 * not terminated. A terminated loop's id is reused; a loop collected without terminating keeps its
 * id out of use for good, which costs an id, never a collision. Any thread.
 *
 * <p>Memory consistency effects: the release of an id <i>happens-before</i> its next acquisition.
 */
final class LoopIds {
    private static final AtomicInteger NEXT = new AtomicInteger();
    private static final ConcurrentLinkedQueue<Integer> FREE = new ConcurrentLinkedQueue<>();

    private LoopIds() {
    }

    /** A positive id no live loop holds. */
    static int acquire() {
        Integer reused = FREE.poll();
        if (reused != null) {
            return reused;
        }
        int id = NEXT.incrementAndGet();
        if (id <= 0) {
            NEXT.decrementAndGet();
            throw new IllegalStateException("more than " + Integer.MAX_VALUE + " event loops alive");
        }
        return id;
    }

    /** Gives back the id of a loop that terminated; its drains are over. */
    static void release(int id) {
        FREE.offer(id);
    }
}
