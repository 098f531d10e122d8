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

import dev.entangle.DOMException;
import dev.entangle.MessageChannel;
import dev.entangle.MessagePort;

/**
 * {@link MessagePort#close()} racing the other operations on the same port (SPEC item 6: close is
 * idempotent and never throws; messages posted before it are delivered, none after; the other port gets
 * exactly one {@code close} event, after those messages; SPEC item 3: transferring a closed port is a
 * {@code DataCloneError} with nothing detached).
 */
public final class PortCloseTests {
    private PortCloseTests() {
    }

    /** Trace digit for a {@code close} event (messages record their own payload, 1..8). */
    static final int CLOSE_EVENT = 9;

    /**
     * The {@code closer} closes A while the {@code sender} posts 1 on A. B is started with a message
     * handler and a close handler; both append to B's trace on the first loop, in dispatch order. The
     * arbiter waits (bounded, {@link StressLoops#PATIENCE_NANOS}) for the {@code close} event, lets the
     * loop settle so that a duplicate event would show, then closes B.
     */
    @JCStressTest
    @Description("close() on A races postMessage on A: message delivered before close, or dropped; one"
            + " close event at B.")
    @Outcome(id = "19, 1", expect = ACCEPTABLE,
            desc = "The post reached B's queue before the close marker: message 1, then close.")
    @Outcome(id = "9, 1", expect = ACCEPTABLE,
            desc = "close() disentangled A first (or the message landed behind the close marker): the"
                    + " message is dropped; close only.")
    @Outcome(id = ".*", expect = FORBIDDEN,
            desc = "The message dispatched after close (91), close dispatched twice or never within the"
                    + " bound, or the message twice.")
    @State
    public static class CloseVsPost {
        private final MessagePort a;
        private final MessagePort b;
        /** B's dispatches as digits; written on the first loop only, read by the arbiter. */
        private volatile int trace;
        private volatile int closeEvents;

        public CloseVsPost() {
            MessageChannel channel = new MessageChannel(StressLoops.first());
            a = channel.port1();
            b = channel.port2();
            b.onclose(event -> {
                trace = Received.append(trace, CLOSE_EVENT); // one writer: the first loop
                closeEvents++;
            });
            b.onmessage(event -> trace = Received.append(trace, (Integer) event.data()));
        }

        @Actor
        public void closer() {
            a.close();
        }

        @Actor
        public void sender() {
            a.postMessage(1);
        }

        @Arbiter
        public void receiver(II_Result r) {
            StressLoops.await(() -> closeEvents > 0);
            StressLoops.settle(StressLoops.first());
            r.r1 = trace;
            r.r2 = closeEvents;
            b.close(); // a started port is held by its loop until closed
        }
    }

    /**
     * The {@code closer} closes B while the {@code shipper} ships B through a carrier channel. Then the
     * arbiter takes the shipped port, if any, and checks the entanglement both ways: A posts 7 (must
     * reach the new B), the new B posts 8 (must reach A). Either the close won (the transfer throws
     * DataCloneError, nothing is shipped, A is disentangled) or the transfer won (close() on the
     * detached object is a no-op and the new B is entangled with A).
     */
    @JCStressTest
    @Description("close() on B races shipping B: DataCloneError and B closed, or shipped and still"
            + " entangled with A.")
    @Outcome(id = "1, 7, 8", expect = ACCEPTABLE,
            desc = "The transfer committed first; close() then found a detached object and did nothing:"
                    + " the new B and A are entangled both ways.")
    @Outcome(id = "2, 0, 0", expect = ACCEPTABLE,
            desc = "close() won: the transfer threw DataCloneError, no port was shipped, A is"
                    + " disentangled (its post goes nowhere, it receives nothing).")
    @Outcome(id = ".*", expect = FORBIDDEN,
            desc = "A port shipped but closed or half entangled, a port shipped although the transfer"
                    + " threw, another exception (3), or a message at the wrong port.")
    @State
    public static class CloseVsTransfer {
        private final MessagePort a;
        private final MessagePort b;
        private final Carrier carrier = new Carrier(StressLoops.second());

        public CloseVsTransfer() {
            MessageChannel channel = new MessageChannel(StressLoops.first());
            a = channel.port1();
            b = channel.port2();
        }

        @Actor
        public void closer() {
            b.close();
        }

        @Actor
        public void shipper(III_Result r) {
            try {
                carrier.ship(b);
                r.r1 = 1;
            } catch (DOMException e) {
                r.r1 = "DataCloneError".equals(e.name()) ? 2 : 3;
            } catch (RuntimeException e) {
                r.r1 = 3;
            }
        }

        @Arbiter
        public void receiver(III_Result r) {
            MessagePort newB = carrier.take();
            a.postMessage(7);
            r.r2 = newB == null ? 0 : Received.data(newB.receiveMessage());
            if (newB != null) {
                newB.postMessage(8);
            }
            r.r3 = Received.data(a.receiveMessage());
        }
    }
}
