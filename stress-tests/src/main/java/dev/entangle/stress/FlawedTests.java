package dev.entangle.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.II_Result;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * Deliberately broken mechanisms, put through the same scenarios as the real port, to show that the
 * scenarios can fail: jcstress must report FORBIDDEN outcomes here (recorded in
 * {@code stress-tests/README.md}). Nothing here touches entangle; each toy stands for one mistake the
 * real {@code PortEndpoint} avoids. Excluded from CI (the CI filter drops every test whose name
 * contains {@code Flawed}).
 */
public final class FlawedTests {
    private FlawedTests() {
    }

    /**
     * Visibility with a plain, non-volatile hand-off slot instead of the port queue's release/acquire:
     * the shape of {@link PortDispatchTests.VisibilityAtReceive}. Nothing orders the field writes before
     * the slot write, or the field reads after the slot read, so the receiver may take the message and
     * still read stale fields.
     */
    @JCStressTest
    @Description("FLAWED: plain hand-off; the receiver may see the message but stale fields.")
    @Outcome(id = "0, -1, -1", expect = ACCEPTABLE, desc = "The receiver ran before the hand-off.")
    @Outcome(id = "1, 42, 43", expect = ACCEPTABLE, desc = "Message and both fields seen.")
    @Outcome(id = ".*", expect = FORBIDDEN,
            desc = "Message seen with a stale field: what the real port's queue rules out.")
    @State
    public static class FlawedPlainHandOff {
        private int x;
        private int y;
        /** The flaw: a plain field as the hand-off slot. */
        private Integer slot;

        @Actor
        public void sender() {
            x = 42;
            y = 43;
            slot = 1;
        }

        @Actor
        public void receiver(III_Result r) {
            Integer message = slot;
            if (message == null) {
                r.r1 = 0;
                r.r2 = -1;
                r.r3 = -1;
            } else {
                r.r1 = message;
                r.r2 = x;
                r.r3 = y;
            }
        }
    }

    /**
     * A toy endpoint whose "transfer" builds a fresh queue, copies what is queued into it and rebinds
     * the far side to the new queue, instead of moving the queue itself: a message the far side posts
     * between the copy and the rebind lands in the abandoned queue and is lost. The shape of
     * {@link PortTransferTests.TransferWhileFarSidePosts}.
     */
    static final class CopyingEndpoint {
        /** Where the far side posts; volatile, so the flaw is the copy, not visibility. */
        private volatile Queue<Integer> queue = new ConcurrentLinkedQueue<>();

        void post(int message) {
            queue.offer(message);
        }

        /** The flaw: a fresh queue instead of moving the old one. */
        void transfer() {
            Queue<Integer> fresh = new ConcurrentLinkedQueue<>(queue);
            queue = fresh;
        }

        int drainDigits() {
            int digits = 0;
            Integer m;
            while ((m = queue.poll()) != null) {
                digits = Received.append(digits, m);
            }
            return digits;
        }
    }

    @JCStressTest
    @Description("FLAWED: a transfer that copies into a fresh queue loses messages posted meanwhile.")
    @Outcome(id = "123", expect = ACCEPTABLE, desc = "Every message once, in order, at the new end.")
    @Outcome(id = ".*", expect = FORBIDDEN,
            desc = "A message posted during the copy was left in the abandoned queue.")
    @State
    public static class FlawedFreshQueueTransfer {
        private final CopyingEndpoint b = new CopyingEndpoint();

        public FlawedFreshQueueTransfer() {
            b.post(1); // queued before the transfer
        }

        @Actor
        public void sender() {
            b.post(2);
            b.post(3);
        }

        @Actor
        public void shipper() {
            b.transfer();
        }

        @Arbiter
        public void receiver(I_Result r) {
            r.r1 = b.drainDigits();
        }
    }

    /**
     * Two senders into one queue that is a plain array and a plain index (no CAS): the shape of
     * {@link PortOrderingTests.TwoSenders}. Concurrent offers overwrite each other's slot.
     */
    @JCStressTest
    @Description("FLAWED: a plain array queue loses messages from two concurrent senders.")
    @Outcome(id = "4, 10", expect = ACCEPTABLE,
            desc = "All four messages (1+2+3+4 = 10) kept: the senders did not collide.")
    @Outcome(id = ".*", expect = FORBIDDEN, desc = "A colliding offer overwrote or skipped a slot.")
    @State
    public static class FlawedPlainQueueTwoSenders {
        private final int[] slots = new int[8];
        private int size;

        /** The flaw: read-modify-write of a plain index by two threads. */
        private void offer(int message) {
            int i = size;
            slots[i] = message;
            size = i + 1;
        }

        @Actor
        public void sender1() {
            offer(1);
            offer(2);
        }

        @Actor
        public void sender2() {
            offer(3);
            offer(4);
        }

        @Arbiter
        public void receiver(II_Result r) {
            int sum = 0;
            for (int i = 0; i < size; i++) {
                sum += slots[i];
            }
            r.r1 = size;
            r.r2 = sum;
        }
    }
}
