package dev.entangle.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.II_Result;

import dev.entangle.MessageChannel;
import dev.entangle.MessagePort;

/**
 * Transfer of a {@link MessagePort} to another loop while messages are in flight (SPEC item 5: the
 * port's queue moves with it; messages queued at it, and messages its far side posts while it travels,
 * arrive at the new port object in order, exactly once; the old object is detached).
 *
 * <p>The ports are never started: the arbiter takes the shipped port out of the carrier's queue with
 * {@code receiveMessage()} and drains it the same way, so every outcome is read deterministically after
 * the race, without waiting for a loop.
 */
public final class PortTransferTests {
    private PortTransferTests() {
    }

    /**
     * Port B (entangled with A) holds message 1 when the {@code shipper} ships B through a carrier
     * channel to the second loop, while the {@code sender} posts 2 then 3 on A. Whether the posts land
     * before the transfer (queued at B, moved with it), during it (B unbound, in transit) or after it
     * (the new B bound), the new B must hold 1, 2, 3 in order, and the old B object must yield nothing.
     */
    @JCStressTest
    @Description("Shipping port B while its far side posts: every message once, in order, at the new B.")
    @Outcome(id = "123, 0, 1", expect = ACCEPTABLE,
            desc = "Posts before, during or after the transfer all moved with B: the new B holds 1, 2, 3"
                    + " in order; the old B object yields nothing.")
    @Outcome(id = ".*", expect = FORBIDDEN,
            desc = "A message lost, duplicated, reordered, left at the old B object, or B did not arrive"
                    + " as a new port of the second loop.")
    @State
    public static class TransferWhileFarSidePosts {
        private final MessagePort a;
        private final MessagePort b;
        private final Carrier carrier = new Carrier(StressLoops.second());

        public TransferWhileFarSidePosts() {
            MessageChannel channel = new MessageChannel(StressLoops.first());
            a = channel.port1();
            b = channel.port2();
            a.postMessage(1); // already queued at B when it is shipped
        }

        @Actor
        public void sender() {
            a.postMessage(2);
            a.postMessage(3);
        }

        @Actor
        public void shipper() {
            carrier.ship(b);
        }

        @Arbiter
        public void receiver(III_Result r) {
            MessagePort newB = carrier.take();
            r.r1 = newB == null ? -1 : Received.digits(newB);
            r.r2 = Received.digits(b);
            r.r3 = newB != null && newB != b && newB.owner() == StressLoops.second() ? 1 : 0;
        }
    }

    /**
     * Both ends of one channel are shipped at once, A to the second loop and B to a new object on the
     * first loop, while each side posts: each {@code shipper} posts 1 and 2 on its port, ships it, then
     * posts 9 on the old (now detached) object. The arbiter then posts 3 on each new port. Each new port
     * must hold exactly 1, 2, 3 from the other side: no loss, no duplicate, per-direction order, and
     * nothing posted on a detached object.
     */
    @JCStressTest
    @Description("Both ends shipped concurrently with posts in flight both ways: no loss, per-direction"
            + " order.")
    @Outcome(id = "123, 123, 0", expect = ACCEPTABLE,
            desc = "In any interleaving of the two shipments, each new port holds 1, 2, 3 from the other"
                    + " side, and the old objects yield nothing.")
    @Outcome(id = ".*", expect = FORBIDDEN,
            desc = "A message lost, duplicated or reordered in one direction, a post on a detached object"
                    + " delivered (9), or a message left at an old object.")
    @State
    public static class BothEndsShipped {
        private final MessagePort a;
        private final MessagePort b;
        private final Carrier carrierA = new Carrier(StressLoops.second());
        private final Carrier carrierB = new Carrier(StressLoops.first());

        public BothEndsShipped() {
            MessageChannel channel = new MessageChannel(StressLoops.first());
            a = channel.port1();
            b = channel.port2();
        }

        @Actor
        public void shipperA() {
            a.postMessage(1);
            a.postMessage(2);
            carrierA.ship(a);
            a.postMessage(9); // detached: a silent no-op
        }

        @Actor
        public void shipperB() {
            b.postMessage(1);
            b.postMessage(2);
            carrierB.ship(b);
            b.postMessage(9);
        }

        @Arbiter
        public void receiver(III_Result r) {
            MessagePort newA = carrierA.take();
            MessagePort newB = carrierB.take();
            if (newA == null || newB == null) {
                r.r1 = -1;
                return;
            }
            newA.postMessage(3);
            newB.postMessage(3);
            r.r1 = Received.digits(newB);
            r.r2 = Received.digits(newA);
            r.r3 = Received.digits(a) + Received.digits(b);
        }
    }

    /**
     * The old B object races its own transfer as a consumer: the {@code receiver} takes one message
     * from the old B with {@code receiveMessage()} while the {@code shipper} ships B, with 1, 2, 3
     * queued at B. What the old object got before the transfer committed and what the new B holds must
     * together be 1, 2, 3, each once, the old object's share first.
     */
    @JCStressTest
    @Description("receiveMessage() on the old B races shipping B: each message once, order kept across"
            + " old and new.")
    @Outcome(id = "0, 123", expect = ACCEPTABLE,
            desc = "The transfer committed before the receive: the old object yields nothing.")
    @Outcome(id = "1, 23", expect = ACCEPTABLE,
            desc = "The receive took message 1 before the transfer committed; 2, 3 moved with B.")
    @Outcome(id = ".*", expect = FORBIDDEN,
            desc = "A message at both objects or at neither, or the order broken across the move.")
    @State
    public static class TransferVsReceive {
        /**
         * Kept reachable: a collected A disentangles B (its close queued behind 1, 2, 3 asks B's loop
         * to look at the disabled queue), and the arbiter's receiveMessage() then answers null while
         * that drain holds the queue, as documented: a message "at neither" that is no lost message.
         */
        @SuppressWarnings("unused")
        private final MessagePort a;
        private final MessagePort b;
        private final Carrier carrier = new Carrier(StressLoops.second());

        public TransferVsReceive() {
            MessageChannel channel = new MessageChannel(StressLoops.first());
            a = channel.port1();
            b = channel.port2();
            a.postMessage(1);
            a.postMessage(2);
            a.postMessage(3);
        }

        @Actor
        public void receiver(II_Result r) {
            r.r1 = Received.data(b.receiveMessage());
        }

        @Actor
        public void shipper() {
            carrier.ship(b);
        }

        @Arbiter
        public void arbiter(II_Result r) {
            MessagePort newB = carrier.take();
            r.r2 = newB == null ? -1 : Received.digits(newB);
        }
    }

    /**
     * Transfer during real dispatch: B is started on the first loop with a handler recording what the
     * old object dispatched. The {@code sender} posts 1, 2, 3 on A while the {@code shipper} ships B to
     * the second loop. The arbiter starts the new B with a handler of its own, waits (bounded) until the
     * three messages were dispatched in total, and lets both loops settle. SPEC item 5 plus the decision
     * documented on {@code MessagePort}: the old object may dispatch a prefix (what its loop had taken
     * before the transfer committed), the new one the rest; none twice, none lost, order kept.
     */
    @JCStressTest
    @Description("Shipping a started port while its loop dispatches: old prefix + new suffix = 1, 2, 3.")
    @Outcome(id = "0, 123", expect = ACCEPTABLE,
            desc = "The transfer committed before the old loop dispatched anything.")
    @Outcome(id = "1, 23", expect = ACCEPTABLE, desc = "The old loop dispatched 1 before the transfer.")
    @Outcome(id = "12, 3", expect = ACCEPTABLE, desc = "The old loop dispatched 1, 2 before the transfer.")
    @Outcome(id = "123, 0", expect = ACCEPTABLE,
            desc = "The old loop dispatched all three before the transfer committed.")
    @Outcome(id = ".*", expect = FORBIDDEN,
            desc = "A message dispatched twice or never (within the bound), or out of order across the"
                    + " move.")
    @State
    public static class TransferWhileDispatching {
        private final MessagePort a;
        private final MessagePort b;
        private final Carrier carrier = new Carrier(StressLoops.second());
        /** Each written by one loop only (old: first loop; new: second loop); read by the arbiter. */
        private volatile int atOld;
        private volatile int atNew;
        private volatile int dispatched;

        public TransferWhileDispatching() {
            MessageChannel channel = new MessageChannel(StressLoops.first());
            a = channel.port1();
            b = channel.port2();
            b.onmessage(event -> {
                atOld = Received.append(atOld, (Integer) event.data());
                countDispatch();
            });
        }

        /** Called by both loops: the count is bumped atomically. */
        private void countDispatch() {
            synchronized (this) {
                dispatched++;
            }
        }

        @Actor
        public void sender() {
            a.postMessage(1);
            a.postMessage(2);
            a.postMessage(3);
        }

        @Actor
        public void shipper() {
            carrier.ship(b);
        }

        @Arbiter
        public void arbiter(II_Result r) {
            MessagePort newB = carrier.take();
            if (newB == null) {
                r.r1 = -1;
                return;
            }
            newB.onmessage(event -> {
                atNew = Received.append(atNew, (Integer) event.data());
                countDispatch();
            });
            StressLoops.await(() -> dispatched >= 3);
            StressLoops.settle(StressLoops.first());
            StressLoops.settle(StressLoops.second());
            r.r1 = atOld;
            r.r2 = atNew;
            newB.close();
        }
    }

    /**
     * {@code start()} on B races shipping B, with nothing queued yet. Then the arbiter starts the new B
     * (with {@code onmessage}) and A posts 1. Whichever of start and transfer came first, the message is
     * posted after the transfer, so it must be dispatched once, at the new B; the old object's listener
     * must never run.
     */
    @JCStressTest
    @Description("start() on B races shipping B: a message posted afterwards is dispatched at the new B.")
    @Outcome(id = "0, 1", expect = ACCEPTABLE,
            desc = "start() ran before or after the transfer committed; either way the new B was enabled"
                    + " by its own onmessage and dispatched the message once.")
    @Outcome(id = ".*", expect = FORBIDDEN,
            desc = "0, 0: the message stranded at the started new B (not dispatched within the bound);"
                    + " or dispatched at the detached old object, or twice.")
    @State
    public static class StartVsTransfer {
        private final MessagePort a;
        private final MessagePort b;
        private final Carrier carrier = new Carrier(StressLoops.second());
        /** Each written by one loop only; read by the arbiter. */
        private volatile int atOld;
        private volatile int atNew;

        public StartVsTransfer() {
            MessageChannel channel = new MessageChannel(StressLoops.first());
            a = channel.port1();
            b = channel.port2();
            b.addEventListener("message", event -> atOld++); // does not enable the queue
        }

        @Actor
        public void starter() {
            b.start();
        }

        @Actor
        public void shipper() {
            carrier.ship(b);
        }

        @Arbiter
        public void arbiter(II_Result r) {
            MessagePort newB = carrier.take();
            if (newB == null) {
                r.r1 = -1;
                return;
            }
            newB.onmessage(event -> atNew++);
            a.postMessage(1);
            StressLoops.await(() -> atNew + atOld > 0);
            StressLoops.settle(StressLoops.first());
            StressLoops.settle(StressLoops.second());
            r.r1 = atOld;
            r.r2 = atNew;
            newB.close();
        }
    }
}
