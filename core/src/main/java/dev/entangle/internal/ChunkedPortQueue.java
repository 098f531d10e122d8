package dev.entangle.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.jctools.queues.unpadded.MpscUnboundedUnpaddedArrayQueue;

/**
 * The port message queue of an ordinary endpoint: JCTools' unpadded MPSC unbounded array queue (see
 * PortEndpoint, "Queue", for the choice) with the consumer lock in the 4 bytes its layout leaves free
 * (64 bytes with compressed oops, as without it: benchmarks/README.md, "Footprint layout").
 *
 * <p>Thread contract: as {@link PortQueue}.
 *
 * <p>Memory consistency effects: as {@link PortQueue} and JCTools' queue (an offer <i>happens-before</i>
 * the poll that takes its element).
 */
final class ChunkedPortQueue extends MpscUnboundedUnpaddedArrayQueue<Object> implements PortQueue {
    /*
     * Fields: `consumer` through its VarHandle only: volatile read and store, release store, CAS (the
     * lock; PortEndpoint, "Consumer lock").
     */
    private static final VarHandle CONSUMER;

    static {
        try {
            CONSUMER = MethodHandles.lookup().findVarHandle(ChunkedPortQueue.class, "consumer", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through CONSUMER
    private int consumer;

    ChunkedPortQueue(int chunkSize) {
        super(chunkSize);
    }

    @Override
    public int lvConsumer() {
        return (int) CONSUMER.getVolatile(this);
    }

    @Override
    public void svConsumer(int value) {
        CONSUMER.setVolatile(this, value);
    }

    @Override
    public void soConsumer(int value) {
        CONSUMER.setRelease(this, value);
    }

    @Override
    public boolean casConsumer(int expect, int update) {
        return CONSUMER.compareAndSet(this, expect, update);
    }
}
