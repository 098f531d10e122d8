package dev.entangle.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;
import org.openjdk.jcstress.infra.results.I_Result;

import dev.entangle.MessageChannel;
import dev.entangle.MessagePort;

/**
 * Ordering of the messages at one {@link MessagePort} (SPEC item 2: messages posted by one thread
 * arrive in that thread's order, each exactly once).
 */
public final class PortOrderingTests {
    private PortOrderingTests() {
    }

    /**
     * One sender posts 1 then 2 on port1 while a receiver takes from port2, twice, with the
     * non-dispatching {@code receiveMessage()}. The receiver may run ahead of the sender and see
     * nothing, but what it sees must be a prefix of 1, 2: never 2 before (or without) 1, never a
     * message twice. Port2 is never started, so the loop never dispatches: the receiver is the only
     * consumer.
     */
    @JCStressTest
    @Description("Messages posted by one thread on a port are received at its peer in order, once.")
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "Both receives ran before the first post.")
    @Outcome(id = "0, 1", expect = ACCEPTABLE,
            desc = "The first receive ran before the first post, the second saw message 1.")
    @Outcome(id = "1, 0", expect = ACCEPTABLE,
            desc = "The first receive saw message 1, the second ran before message 2 arrived.")
    @Outcome(id = "1, 2", expect = ACCEPTABLE, desc = "Both posts happened before the receives took them.")
    @Outcome(id = ".*", expect = FORBIDDEN,
            desc = "Message 2 seen before or without message 1, a message seen twice, or a foreign value.")
    @State
    public static class PerSenderFifo {
        private final MessagePort port1;
        private final MessagePort port2;

        public PerSenderFifo() {
            MessageChannel channel = new MessageChannel(StressLoops.first());
            port1 = channel.port1();
            port2 = channel.port2();
        }

        @Actor
        public void sender() {
            port1.postMessage(1);
            port1.postMessage(2);
        }

        @Actor
        public void receiver(II_Result r) {
            r.r1 = Received.data(port2.receiveMessage());
            r.r2 = Received.data(port2.receiveMessage());
        }
    }

    /**
     * Two threads post on the same port object: the first 1 then 2, the second 3 then 4. After both,
     * the arbiter drains the peer with {@code receiveMessage()} and records the arrival order as one
     * number (digits in order). Every interleaving of the two sequences is fine; each sender's order must
     * hold, and all four messages must arrive exactly once. Port2 is never started: the arbiter is the
     * only consumer.
     */
    @JCStressTest
    @Description("Two senders on one port: each sender's order kept, nothing lost or duplicated.")
    @Outcome(id = "1234", expect = ACCEPTABLE, desc = "Sender 1 posted both before sender 2 posted.")
    @Outcome(id = "1324", expect = ACCEPTABLE, desc = "Posts alternated, sender 1 first: 1, 3, 2, 4.")
    @Outcome(id = "1342", expect = ACCEPTABLE, desc = "Sender 2 posted both between sender 1's posts.")
    @Outcome(id = "3124", expect = ACCEPTABLE, desc = "Sender 1 posted both between sender 2's posts.")
    @Outcome(id = "3142", expect = ACCEPTABLE, desc = "Posts alternated, sender 2 first: 3, 1, 4, 2.")
    @Outcome(id = "3412", expect = ACCEPTABLE, desc = "Sender 2 posted both before sender 1 posted.")
    @Outcome(id = ".*", expect = FORBIDDEN,
            desc = "A sender's messages out of order, a message lost or duplicated, or a foreign value.")
    @State
    public static class TwoSenders {
        private final MessagePort port1;
        private final MessagePort port2;

        public TwoSenders() {
            MessageChannel channel = new MessageChannel(StressLoops.first());
            port1 = channel.port1();
            port2 = channel.port2();
        }

        @Actor
        public void sender1() {
            port1.postMessage(1);
            port1.postMessage(2);
        }

        @Actor
        public void sender2() {
            port1.postMessage(3);
            port1.postMessage(4);
        }

        @Arbiter
        public void receiver(I_Result r) {
            r.r1 = Received.digits(port2);
        }
    }
}
