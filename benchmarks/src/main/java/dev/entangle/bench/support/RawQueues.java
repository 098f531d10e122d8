package dev.entangle.bench.support;

import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.unpadded.MpscUnboundedUnpaddedArrayQueue;

/** The raw JCTools queue behind every entangle port, for the "physical limit" baselines. */
public final class RawQueues {
    /**
     * The chunk size entangle's port message queue uses (core's {@code PortEndpoint.QUEUE_CHUNK}); keep
     * the two equal so that the baseline is the same queue, configured the same way.
     */
    public static final int PORT_QUEUE_CHUNK = 32;

    private RawQueues() {
    }

    /** A new queue of the class and chunk size an entangle port message queue uses. */
    public static <E> MessagePassingQueue<E> newPortQueue() {
        return new MpscUnboundedUnpaddedArrayQueue<>(PORT_QUEUE_CHUNK);
    }
}
