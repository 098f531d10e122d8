package dev.entangle.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.List;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import dev.entangle.MessageChannel;
import dev.entangle.MessageEvent;
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
        private final MessagePort carrierIn;
        private final MessagePort carrierOut;

        public TransferWhileFarSidePosts() {
            MessageChannel channel = new MessageChannel(StressLoops.first());
            a = channel.port1();
            b = channel.port2();
            MessageChannel carrier = new MessageChannel(StressLoops.second());
            carrierIn = carrier.port1();
            carrierOut = carrier.port2();
            a.postMessage(1); // already queued at B when it is shipped
        }

        @Actor
        public void sender() {
            a.postMessage(2);
            a.postMessage(3);
        }

        @Actor
        public void shipper() {
            carrierIn.postMessage("b", List.of(b));
        }

        @Arbiter
        public void receiver(III_Result r) {
            MessagePort newB = shippedPort(carrierOut);
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
        private final MessagePort carrierAIn;
        private final MessagePort carrierAOut;
        private final MessagePort carrierBIn;
        private final MessagePort carrierBOut;

        public BothEndsShipped() {
            MessageChannel channel = new MessageChannel(StressLoops.first());
            a = channel.port1();
            b = channel.port2();
            MessageChannel carrierA = new MessageChannel(StressLoops.second());
            carrierAIn = carrierA.port1();
            carrierAOut = carrierA.port2();
            MessageChannel carrierB = new MessageChannel(StressLoops.first());
            carrierBIn = carrierB.port1();
            carrierBOut = carrierB.port2();
        }

        @Actor
        public void shipperA() {
            a.postMessage(1);
            a.postMessage(2);
            carrierAIn.postMessage("a", List.of(a));
            a.postMessage(9); // detached: a silent no-op
        }

        @Actor
        public void shipperB() {
            b.postMessage(1);
            b.postMessage(2);
            carrierBIn.postMessage("b", List.of(b));
            b.postMessage(9);
        }

        @Arbiter
        public void receiver(III_Result r) {
            MessagePort newA = shippedPort(carrierAOut);
            MessagePort newB = shippedPort(carrierBOut);
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

    /** The single port carried by the next message queued at {@code carrierOut}, or null. */
    static MessagePort shippedPort(MessagePort carrierOut) {
        MessageEvent event = carrierOut.receiveMessage();
        return event == null || event.ports().size() != 1 ? null : event.ports().get(0);
    }
}
