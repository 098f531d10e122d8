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
import org.openjdk.jcstress.infra.results.II_Result;
import org.openjdk.jcstress.infra.results.ZII_Result;
import org.openjdk.jcstress.infra.results.ZZI_Result;

import dev.entangle.MessageChannel;
import dev.entangle.MessagePort;

/**
 * Bounded port queues (MessageChannel.bounded: never more than the capacity, a taken message frees its
 * slot) and the synchronous receive racing a transfer (each message exactly once).
 */
public final class BoundedAndReceiveTests {
    private BoundedAndReceiveTests() {
    }

    /** Two senders race for the only slot of an empty capacity-1 queue. */
    @JCStressTest
    @Description("Of two concurrent offers on a capacity-1 port, exactly one is accepted.")
    @Outcome(id = "true, false, 1", expect = ACCEPTABLE, desc = "The first sender took the slot.")
    @Outcome(id = "false, true, 1", expect = ACCEPTABLE, desc = "The second sender took the slot.")
    @Outcome(id = ".*", expect = FORBIDDEN,
            desc = "Both accepted (over capacity), none accepted (slot lost), or a wrong count.")
    @State
    public static class LastSlot {
        private final MessagePort port1;
        private final MessagePort port2;

        public LastSlot() {
            MessageChannel channel = MessageChannel.bounded(StressLoops.first(), 1);
            port1 = channel.port1();
            port2 = channel.port2();
        }

        @Actor
        public void sender1(ZZI_Result r) {
            r.r1 = port1.offerMessage(1);
        }

        @Actor
        public void sender2(ZZI_Result r) {
            r.r2 = port1.offerMessage(2);
        }

        @Arbiter
        public void count(ZZI_Result r) {
            r.r3 = port2.queuedMessageCount();
            port1.close();
        }
    }

    /** A receiver takes the only message of a full capacity-1 queue while a sender offers. */
    @JCStressTest
    @Description("Taking a message frees its slot: an offer racing the take is accepted iff it comes after.")
    @Outcome(id = "true, 1, 1", expect = ACCEPTABLE,
            desc = "The take came first; the offer found the freed slot; message 2 waits.")
    @Outcome(id = "false, 1, 0", expect = ACCEPTABLE,
            desc = "The offer came first and found the queue full; the take emptied it.")
    @Outcome(id = ".*", expect = FORBIDDEN,
            desc = "Message 1 not taken, an offer accepted over capacity, or a freed slot lost.")
    @State
    public static class TakeFreesTheSlot {
        private final MessagePort port1;
        private final MessagePort port2;

        public TakeFreesTheSlot() {
            MessageChannel channel = MessageChannel.bounded(StressLoops.first(), 1);
            port1 = channel.port1();
            port2 = channel.port2();
            port1.postMessage(1);
        }

        @Actor
        public void sender(ZII_Result r) {
            r.r1 = port1.offerMessage(2);
        }

        @Actor
        public void receiver(ZII_Result r) {
            r.r2 = Received.data(port2.receiveMessage());
        }

        @Arbiter
        public void count(ZII_Result r) {
            r.r3 = port2.queuedMessageCount();
            port1.close();
        }
    }

    /**
     * A receiver polls a port while another thread ships it away: the queued message is taken exactly
     * once, by the receiver at the old object or at the new port.
     */
    @JCStressTest
    @Description("receiveMessage() racing a transfer of the same port: the message goes exactly once.")
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "The receive took it before the transfer committed.")
    @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "The transfer came first; the new port has it.")
    @Outcome(id = ".*", expect = FORBIDDEN, desc = "Taken twice, or lost.")
    @State
    public static class ReceiveVersusTransfer {
        private final MessageChannel channel;
        private final MessageChannel carrier;

        public ReceiveVersusTransfer() {
            channel = new MessageChannel(StressLoops.first());
            carrier = new MessageChannel(StressLoops.first());
            channel.port1().postMessage(1);
        }

        @Actor
        public void shipper() {
            carrier.port1().postMessage("port", List.of(channel.port2()));
        }

        @Actor
        public void receiver(II_Result r) {
            r.r1 = Received.data(channel.port2().receiveMessage());
        }

        @Arbiter
        public void atTheNewPort(II_Result r) {
            MessagePort moved = carrier.port2().receiveMessage().ports().get(0);
            r.r2 = Received.data(moved.receiveMessage());
            moved.close();
            channel.port1().close();
            carrier.port1().close();
        }
    }
}
