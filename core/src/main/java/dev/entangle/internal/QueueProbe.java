package dev.entangle.internal;

import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscUnboundedArrayQueue;
import org.jctools.queues.unpadded.MpscUnboundedUnpaddedArrayQueue;

/**
 * Emptiness as the wake-up handshakes need it: the port drain's "scheduled" flag, a dedicated loop's
 * park and a multiplexed loop's turn. Each is a Dekker pair: the producer offers, then reads a flag;
 * the consumer clears the flag, then asks whether the queue is empty. That is sound only if every offer
 * the producer completed before its flag read is seen by the consumer's emptiness check.
 *
 * <p>JCTools' {@code isEmpty()} does not give that for its linked-array queues. An offer that has to
 * link a new chunk moves the producer index to an odd value by CAS ("resize in progress"), and only
 * after the element is stored does it move the index on with a release store, which a later load (the
 * producer's flag read) may overtake. {@code isEmpty()} halves the index difference, so an odd producer
 * index one ahead of the consumer's reads as empty: the consumer clears its flag, finds "empty", and
 * the producer, whose flag read saw the flag still set, leaves the wake-up to it. The message then waits
 * for the next post (seen once: the last message of a burst in benchmark 1 never arrived). Here the
 * queue is empty only when both indices are equal: the CAS of the odd index is sequentially
 * consistent, so the consumer's read after its own flag write sees it.
 *
 * <p>Thread contract: any thread; the answer is exact only for the queue's consumer (others may see
 * an offer in flight as not empty, which costs at most one needless drain or turn).
 */
final class QueueProbe {
    private QueueProbe() {
    }

    /** True if nothing is queued and no offer has begun that is not yet consumed. */
    static boolean isEmpty(MessagePassingQueue<?> q) {
        if (q instanceof MpscUnboundedUnpaddedArrayQueue) {
            MpscUnboundedUnpaddedArrayQueue<?> u = (MpscUnboundedUnpaddedArrayQueue<?>) q;
            return u.lvConsumerIndex() == u.lvProducerIndex();
        }
        if (q instanceof MpscUnboundedArrayQueue) {
            MpscUnboundedArrayQueue<?> p = (MpscUnboundedArrayQueue<?>) q;
            return p.lvConsumerIndex() == p.lvProducerIndex();
        }
        return q.isEmpty(); // other queue kinds publish an element with the index CAS itself
    }
}
