package dev.entangle.internal;

import org.jctools.queues.MessagePassingQueue;

/**
 * A port message queue and its consumer lock (PortEndpoint, "Consumer lock"): the lock word lives in
 * the queue object, beside the consumer's own index, instead of in the endpoint. Every post reads the
 * receiving endpoint's state right after its offer (the Dekker check of SCHEDULED), so a lock word in
 * the endpoint made each message move that endpoint's cache line to the consumer, whose lock CAS writes
 * it, and back to the next sender: one cross-core miss more per message than the queue itself costs
 * (benchmarks' busy PingPong). In the queue object the lock shares the lines that the consumer's poll
 * writes anyway. A queue exists from an endpoint's first message on, and so does its lock: nothing is
 * consumed from an endpoint without a queue.
 *
 * <p>Thread contract: as {@link MessagePassingQueue} for the elements (any producer, one consumer at a
 * time: the lock's holder); the lock methods from any thread.
 *
 * <p>Memory consistency effects: a {@link #casConsumer} that takes the lock <i>happens-after</i> the
 * {@link #svConsumer} that last released it, so what one consumer did under the lock is visible to the
 * next.
 */
interface PortQueue extends MessagePassingQueue<Object> {
    /** The lock's holder: PortEndpoint's FREE, HELD or a loop's consumer id. Volatile. */
    int lvConsumer();

    /** Releases (or hands) the lock. Volatile: see PortEndpoint.releaseConsumer for the Dekker pair. */
    void svConsumer(int value);

    /** Releases the lock with a release store only (PortEndpoint.releaseHeld: nobody waits for a signal). */
    void soConsumer(int value);

    /** Compare-and-set of the lock word. */
    boolean casConsumer(int expect, int update);
}
