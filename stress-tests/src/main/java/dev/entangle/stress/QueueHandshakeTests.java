package dev.entangle.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.jctools.queues.unpadded.MpscUnboundedUnpaddedArrayQueue;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZZ_Result;

/**
 * The emptiness check behind every wake-up handshake of core (internal {@code QueueProbe}: port drain
 * scheduling, a dedicated loop's park, a multiplexed loop's turn), on the queue class core uses, at the
 * moment that broke it: an offer that must link a new chunk. A chunk of 2 holds one element, so the
 * producer's offer, made while the queue still holds the one element the constructor put there, takes
 * JCTools' resize path whenever it reads the consumer index before the consumer's poll.
 *
 * <p>The handshake: the producer offers, then reads the flag ({@code r1}: it saw the flag still set, so
 * it leaves the wake-up to the consumer); the consumer polls what it had, clears the flag, then decides
 * whether the queue is empty: {@code r2} by JCTools' {@code isEmpty()}, {@code r3} by equal indices, as
 * {@code QueueProbe} does. {@code r1 && r3} would strand the element: forbidden. {@code r1 && r2} is
 * what {@code isEmpty()} allows (it halves the odd "resize in progress" index), the lost wake-up that
 * benchmark 1 showed once before {@code QueueProbe}: interesting.
 */
public final class QueueHandshakeTests {
    private QueueHandshakeTests() {
    }

    @JCStressTest
    @Description("Offer-then-read-flag against clear-flag-then-check-empty, the offer linking a new chunk.")
    @Outcome(id = {"false, false, false", "false, true, true", "false, false, true", "false, true, false"},
            expect = ACCEPTABLE, desc = "The producer saw the flag cleared: it schedules the wake-up itself.")
    @Outcome(id = {"true, false, false"}, expect = ACCEPTABLE,
            desc = "The consumer sees the element (both checks): it reschedules.")
    @Outcome(id = {"true, true, false"}, expect = ACCEPTABLE_INTERESTING,
            desc = "isEmpty() says empty while equal-index says not: isEmpty() alone loses this wake-up.")
    @Outcome(id = {"true, true, true", "true, false, true"}, expect = FORBIDDEN,
            desc = "Equal-index check says empty though the producer relies on the consumer: stranded.")
    @State
    public static class ResizingOffer {
        private final MpscUnboundedUnpaddedArrayQueue<Integer> queue = new MpscUnboundedUnpaddedArrayQueue<>(2);
        private volatile boolean scheduled = true;

        public ResizingOffer() {
            queue.offer(1); // fills the first chunk: the next offer links a new one
        }

        @Actor
        public void producer(ZZZ_Result r) {
            queue.offer(2);
            r.r1 = scheduled;
        }

        @Actor
        public void consumer(ZZZ_Result r) {
            queue.poll();
            scheduled = false;
            r.r2 = queue.isEmpty();
            r.r3 = queue.lvConsumerIndex() == queue.lvProducerIndex();
        }
    }
}
