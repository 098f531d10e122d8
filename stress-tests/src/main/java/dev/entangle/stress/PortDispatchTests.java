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
import org.openjdk.jcstress.infra.results.I_Result;

import dev.entangle.MessageChannel;
import dev.entangle.MessageEvent;
import dev.entangle.MessagePort;

/**
 * Dispatch of messages at a {@link MessagePort} by its owner loop (SPEC items 1, 2 and 10): enabling
 * the port message queue, replacing the handler, and what a handler (or a {@code receiveMessage()}
 * caller) sees of the sender's memory.
 *
 * <p>Tests that need real dispatch start their port in the state constructor, on the shared first loop;
 * the arbiter waits a bounded time ({@link StressLoops#PATIENCE_NANOS}) for the dispatch, lets the loop
 * settle so that a duplicate would show, and closes the port (a started port is held by its loop until
 * closed).
 */
public final class PortDispatchTests {
    private PortDispatchTests() {
    }

    /**
     * A message listener is registered on B with {@code addEventListener}, which does not enable the
     * queue. The {@code starter} calls {@code start()} while the {@code sender} posts 1 on A. Whichever
     * comes first, the message must be dispatched exactly once: queued and then flushed by
     * {@code start()}, or posted to an enabled queue.
     */
    @JCStressTest
    @Description("start() racing a post: the message is dispatched exactly once.")
    @Outcome(id = "1", expect = ACCEPTABLE,
            desc = "Dispatched once: start() flushed the queued message, or the post found the queue"
                    + " enabled.")
    @Outcome(id = ".*", expect = FORBIDDEN,
            desc = "0: stranded (not dispatched within the bound); 2 or more: dispatched twice.")
    @State
    public static class StartVsPost {
        private final MessagePort a;
        private final MessagePort b;
        private volatile int dispatched;

        public StartVsPost() {
            MessageChannel channel = new MessageChannel(StressLoops.first());
            a = channel.port1();
            b = channel.port2();
            b.addEventListener("message", event -> dispatched++); // one writer: the first loop
        }

        @Actor
        public void starter() {
            b.start();
        }

        @Actor
        public void sender() {
            a.postMessage(1);
        }

        @Arbiter
        public void receiver(I_Result r) {
            StressLoops.await(() -> dispatched > 0);
            StressLoops.settle(StressLoops.first());
            r.r1 = dispatched;
            b.close();
        }
    }

    /** Handler ids recorded in {@link HandlerSwap}'s trace. */
    static final int OLD_HANDLER = 1;
    static final int NEW_HANDLER = 2;

    /**
     * B is started with handler h1. The {@code sender} posts 1 then 2 on A while the {@code swapper}
     * sets handler h2 with {@code onmessage(h2)}. Each dispatch appends the id of the handler that ran
     * (r1) and the message (r2). Each message must reach exactly one handler, in order, and once h2 has
     * run, h1 must never run again.
     */
    @JCStressTest
    @Description("onmessage(h2) racing delivery: each message reaches exactly one handler, old before"
            + " new.")
    @Outcome(id = "11, 12", expect = ACCEPTABLE, desc = "Both messages dispatched before the swap.")
    @Outcome(id = "12, 12", expect = ACCEPTABLE,
            desc = "The swap landed between the two dispatches: 1 at h1, 2 at h2.")
    @Outcome(id = "22, 12", expect = ACCEPTABLE, desc = "The swap landed before the first dispatch.")
    @Outcome(id = ".*", expect = FORBIDDEN,
            desc = "h1 ran after h2 (21), a message reached two handlers or none (within the bound), or"
                    + " the messages were reordered.")
    @State
    public static class HandlerSwap {
        private final MessagePort a;
        private final MessagePort b;
        /** Written on the first loop only, read by the arbiter. */
        private volatile int handlers;
        private volatile int messages;
        private volatile int dispatched;

        public HandlerSwap() {
            MessageChannel channel = new MessageChannel(StressLoops.first());
            a = channel.port1();
            b = channel.port2();
            b.onmessage(event -> record(OLD_HANDLER, event));
        }

        private void record(int handler, MessageEvent event) { // first loop only
            handlers = Received.append(handlers, handler);
            messages = Received.append(messages, (Integer) event.data());
            dispatched++;
        }

        @Actor
        public void sender() {
            a.postMessage(1);
            a.postMessage(2);
        }

        @Actor
        public void swapper() {
            b.onmessage(event -> record(NEW_HANDLER, event));
        }

        @Arbiter
        public void receiver(II_Result r) {
            StressLoops.await(() -> dispatched >= 2);
            StressLoops.settle(StressLoops.first());
            r.r1 = handlers;
            r.r2 = messages;
            b.close();
        }
    }

    /**
     * The {@code sender} writes two plain fields, then posts 1 on A. B's handler, on the first loop,
     * reads the fields. SPEC item 10: actions before {@code postMessage} happen-before the dispatch, so
     * the handler sees both writes.
     */
    @JCStressTest
    @Description("Plain writes made before postMessage are visible to the handler (SPEC item 10).")
    @Outcome(id = "1, 42, 43", expect = ACCEPTABLE,
            desc = "The handler ran after the post and saw both fields written before it.")
    @Outcome(id = ".*", expect = FORBIDDEN,
            desc = "The handler saw a stale field (0), or was not dispatched within the bound.")
    @State
    public static class VisibilityAtHandler {
        private final MessagePort a;
        private final MessagePort b;
        /** Plain on purpose: published only by the postMessage -> dispatch edge. */
        private int x;
        private int y;
        private int seenX;
        private int seenY;
        /** Volatile: the handler publishes seenX/seenY to the arbiter with it. */
        private volatile int dispatched;

        public VisibilityAtHandler() {
            MessageChannel channel = new MessageChannel(StressLoops.first());
            a = channel.port1();
            b = channel.port2();
            b.onmessage(event -> {
                seenX = x;
                seenY = y;
                dispatched++;
            });
        }

        @Actor
        public void sender() {
            x = 42;
            y = 43;
            a.postMessage(1);
        }

        @Arbiter
        public void receiver(III_Result r) {
            StressLoops.await(() -> dispatched > 0);
            r.r1 = dispatched;
            r.r2 = seenX;
            r.r3 = seenY;
            b.close();
        }
    }

    /**
     * The same property, in a tight race: the {@code sender} writes two plain fields and posts 1 on A
     * while the {@code receiver} takes from B with {@code receiveMessage()} and, if it got the message,
     * reads the fields. Taking the message must make both writes visible.
     */
    @JCStressTest
    @Description("Plain writes made before postMessage are visible to the thread that takes the message.")
    @Outcome(id = "0, -1, -1", expect = ACCEPTABLE,
            desc = "The receive ran before the post reached the queue (fields not read: -1).")
    @Outcome(id = "1, 42, 43", expect = ACCEPTABLE,
            desc = "The receive took the message and saw both fields written before the post.")
    @Outcome(id = ".*", expect = FORBIDDEN, desc = "The message was taken but a field read stale (0).")
    @State
    public static class VisibilityAtReceive {
        private final MessagePort a;
        private final MessagePort b;
        private int x;
        private int y;

        public VisibilityAtReceive() {
            MessageChannel channel = new MessageChannel(StressLoops.first());
            a = channel.port1();
            b = channel.port2();
        }

        @Actor
        public void sender() {
            x = 42;
            y = 43;
            a.postMessage(1);
        }

        @Actor
        public void receiver(III_Result r) {
            MessageEvent event = b.receiveMessage();
            if (event == null) {
                r.r1 = 0;
                r.r2 = -1;
                r.r3 = -1;
            } else {
                r.r1 = Received.data(event);
                r.r2 = x;
                r.r3 = y;
            }
        }
    }
}
