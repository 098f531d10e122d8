package dev.entangle.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.jctools.queues.unpadded.MpscUnboundedUnpaddedArrayQueue;

/**
 * The port message queue of a requester's end of a reply channel ({@link PortEndpoint#requesterEnd}):
 * multi-producer, single-consumer and unbounded like every port's queue, but built for the one
 * message it nearly always receives, the answer. The first element goes into one slot; only a second
 * one (a replier that posts more than its answer, or the far side's close marker behind an answer of
 * a replier that is no {@code Requests.reply}) makes the overflow queue, a JCTools queue as any other
 * port has. An ask pays 24 bytes and one CAS for its queue instead of a JCTools queue's 104 bytes,
 * constructor and offer (issue 15, measured by {@code AskRoundTrip}).
 *
 * <p>Thread contract: {@link #offer} from any thread; everything that takes or looks at elements on
 * the consumer's thread only (PortEndpoint's consumer lock), {@link #size()} and {@link #isEmpty()} from
 * any thread, exact for the consumer.
 *
 * <p>Memory consistency effects: actions of a producer before {@link #offer} <i>happen-before</i> the
 * consumer takes that element.
 */
final class ReplyQueue implements PortQueue {
    /*
     * `first` goes null -> element (a producer's CAS) -> TAKEN (the consumer's store): it is never null
     * again, so no later element can take the slot and overtake those in the overflow. A producer
     * that loses the slot's CAS (or finds it used) appends to `overflow`, created by CAS on first use.
     * Order: the producer that won the slot did so before any other producer found it used, so the
     * slot's element is first; the overflow keeps its producers' order. The consumer takes the slot
     * while it holds an element, then the overflow; it sees the overflow empty while the slot is
     * null (a producer goes to the overflow only after seeing the slot used).
     *
     * Emptiness for the wake-up handshakes (QueueProbe): the slot's CAS publishes its element with
     * the CAS itself (sequentially consistent); the overflow is probed the way QueueProbe probes any
     * JCTools queue, by equal indices, so an offer under way counts as not empty.
     *
     * Fields: `first` volatile read, CAS by producers, release store (TAKEN) by the consumer;
     * `overflow` volatile read, CAS once; `consumer` through its VarHandle only: volatile read and
     * store, release store, CAS (the consumer lock, PortQueue).
     */

    /** What the slot holds once the consumer took its element. */
    private static final Object TAKEN = new Object() {
        @Override
        public String toString() {
            return "TAKEN";
        }
    };
    /** Chunk of the overflow queue: rarely made, and then for a few messages. */
    private static final int OVERFLOW_CHUNK = 8;

    private static final VarHandle FIRST;
    private static final VarHandle OVERFLOW;
    private static final VarHandle CONSUMER;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            FIRST = l.findVarHandle(ReplyQueue.class, "first", Object.class);
            OVERFLOW = l.findVarHandle(ReplyQueue.class, "overflow", MpscUnboundedUnpaddedArrayQueue.class);
            CONSUMER = l.findVarHandle(ReplyQueue.class, "consumer", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile Object first;
    private volatile MpscUnboundedUnpaddedArrayQueue<Object> overflow;
    /** The consumer lock (PortQueue), in the 4 bytes the layout leaves free: 24 bytes as without it. */
    @SuppressWarnings("unused") // accessed through CONSUMER
    private int consumer;

    private Object lvFirst() {
        return first;
    }

    private boolean casFirst(Object expect, Object update) {
        return FIRST.compareAndSet(this, expect, update);
    }

    private void soFirst(Object value) {
        FIRST.setRelease(this, value);
    }

    private MpscUnboundedUnpaddedArrayQueue<Object> lvOverflow() {
        return overflow;
    }

    private boolean casOverflow(MpscUnboundedUnpaddedArrayQueue<Object> expect,
            MpscUnboundedUnpaddedArrayQueue<Object> update) {
        return OVERFLOW.compareAndSet(this, expect, update);
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

    /** The overflow queue, made by the first producer that needs it. */
    private MpscUnboundedUnpaddedArrayQueue<Object> overflow() {
        MpscUnboundedUnpaddedArrayQueue<Object> q = lvOverflow();
        if (q != null) {
            return q;
        }
        MpscUnboundedUnpaddedArrayQueue<Object> created = new MpscUnboundedUnpaddedArrayQueue<>(OVERFLOW_CHUNK);
        // CAS: two producers may race; the loser adopts the winner's.
        return casOverflow(null, created) ? created : lvOverflow();
    }

    @Override
    public boolean offer(Object element) {
        if (element == null) {
            throw new NullPointerException("element");
        }
        if (lvFirst() == null && casFirst(null, element)) {
            return true;
        }
        return overflow().offer(element);
    }

    @Override
    public Object poll() {
        Object head = lvFirst();
        if (head == null) {
            return null; // nothing yet, and so nothing in the overflow either
        }
        if (head != TAKEN) {
            soFirst(TAKEN); // only the consumer writes a used slot
            return head;
        }
        MpscUnboundedUnpaddedArrayQueue<Object> q = lvOverflow();
        return q == null ? null : q.poll();
    }

    @Override
    public Object peek() {
        Object head = lvFirst();
        if (head == null) {
            return null;
        }
        if (head != TAKEN) {
            return head;
        }
        MpscUnboundedUnpaddedArrayQueue<Object> q = lvOverflow();
        return q == null ? null : q.peek();
    }

    @Override
    public int size() {
        Object head = lvFirst();
        MpscUnboundedUnpaddedArrayQueue<Object> q = lvOverflow();
        return (head == null || head == TAKEN ? 0 : 1) + (q == null ? 0 : q.size());
    }

    /** True if nothing is queued and no offer has begun that is not yet consumed (see QueueProbe). */
    @Override
    public boolean isEmpty() {
        Object head = lvFirst();
        if (head == null) {
            return true;
        }
        if (head != TAKEN) {
            return false;
        }
        MpscUnboundedUnpaddedArrayQueue<Object> q = lvOverflow();
        return q == null || QueueProbe.isEmpty(q);
    }

    @Override
    public void clear() {
        while (poll() != null) {
            // drop
        }
    }

    @Override
    public int capacity() {
        return UNBOUNDED_CAPACITY;
    }

    @Override
    public boolean relaxedOffer(Object element) {
        return offer(element);
    }

    @Override
    public Object relaxedPoll() {
        return poll();
    }

    @Override
    public Object relaxedPeek() {
        return peek();
    }

    @Override
    public int drain(Consumer<Object> consumer, int limit) {
        int n = 0;
        Object element;
        while (n < limit && (element = poll()) != null) {
            consumer.accept(element);
            n++;
        }
        return n;
    }

    @Override
    public int fill(Supplier<Object> supplier, int limit) {
        for (int i = 0; i < limit; i++) {
            offer(supplier.get());
        }
        return limit;
    }

    @Override
    public int drain(Consumer<Object> consumer) {
        return drain(consumer, Integer.MAX_VALUE);
    }

    @Override
    public int fill(Supplier<Object> supplier) {
        return fill(supplier, OVERFLOW_CHUNK); // unbounded: JCTools' queues fill one chunk's worth
    }

    @Override
    public void drain(Consumer<Object> consumer, WaitStrategy wait, ExitCondition exit) {
        int idle = 0;
        while (exit.keepRunning()) {
            Object element = poll();
            if (element == null) {
                idle = wait.idle(idle);
            } else {
                idle = 0;
                consumer.accept(element);
            }
        }
    }

    @Override
    public void fill(Supplier<Object> supplier, WaitStrategy wait, ExitCondition exit) {
        while (exit.keepRunning()) {
            offer(supplier.get());
        }
    }
}
