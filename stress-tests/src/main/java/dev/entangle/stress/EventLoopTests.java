package dev.entangle.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;

import dev.entangle.DOMException;
import dev.entangle.Event;
import dev.entangle.EventLoop;
import dev.entangle.MessageChannel;
import dev.entangle.MessagePort;

/**
 * Liveness of the {@link EventLoop}: a post wakes a parked loop or a parked receiver, and closing a
 * loop that is receiving terminates it and closes its ports. {@code Mode.Termination}: the actor must
 * finish after the signal; jcstress reports STALE if it does not within its own timeout. The actors
 * ignore interrupts on purpose, so that a stranded message shows as STALE rather than as an early
 * return.
 */
public final class EventLoopTests {
    private EventLoopTests() {
    }

    /**
     * B is started with a handler on the first loop, which is idle between samples and so parks. The
     * {@code receiver} spins until the handler has run; the signal posts 1 on A. The post must wake the
     * loop (the park/unpark handshake of LoopCore) and the handler must run.
     */
    @JCStressTest(Mode.Termination)
    @Description("A post to a parking loop wakes it: the handler runs and the receiver terminates.")
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The loop woke up and dispatched the message.")
    @Outcome(id = ".*", expect = FORBIDDEN, desc = "STALE: the message is stranded on a parked loop.")
    @State
    public static class WakeUpLoop {
        private final MessagePort a;
        private final MessagePort b;
        private volatile boolean dispatched;

        public WakeUpLoop() {
            MessageChannel channel = new MessageChannel(StressLoops.first());
            a = channel.port1();
            b = channel.port2();
            b.onmessage(event -> dispatched = true);
        }

        @Actor
        public void receiver() {
            while (!dispatched) {
                Thread.onSpinWait();
            }
            b.close();
        }

        @Signal
        public void sender() {
            a.postMessage(1);
        }
    }

    /**
     * The {@code receiver} blocks in {@code receiveMessage(Duration)} on B (never started), which parks
     * it as the port's waiter; the signal posts 1 on A. The post must unpark the receiver.
     */
    @JCStressTest(Mode.Termination)
    @Description("A post wakes a thread blocked in receiveMessage(Duration).")
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The receiver woke up and took the message.")
    @Outcome(id = ".*", expect = FORBIDDEN, desc = "STALE: the receiver stayed parked with a message queued.")
    @State
    public static class WakeUpReceiver {
        private final MessagePort a;
        private final MessagePort b;

        public WakeUpReceiver() {
            MessageChannel channel = new MessageChannel(StressLoops.first());
            a = channel.port1();
            b = channel.port2();
        }

        @Actor
        public void receiver() {
            while (true) {
                try {
                    if (b.receiveMessage(Duration.ofDays(1)) != null) {
                        return;
                    }
                } catch (InterruptedException e) {
                    // keep waiting: only the message may end this actor (see the class comment)
                }
            }
        }

        @Signal
        public void sender() {
            a.postMessage(1);
        }
    }

    /**
     * A loop of its own per sample (termination samples run one at a time, so this is one extra thread
     * at a time) owns a started port B that is receiving: the {@code receiver} keeps posting on A, B's
     * peer on the shared first loop, until A gets its {@code close} event; then it waits for the loop to
     * terminate. The signal closes the loop. Closing must terminate the loop, close B, and deliver
     * {@code close} at A.
     */
    @JCStressTest(Mode.Termination)
    @Description("Closing a loop whose port is receiving terminates it, and the peer sees close.")
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE,
            desc = "The loop closed its port (A got close) and terminated.")
    @Outcome(id = ".*", expect = FORBIDDEN,
            desc = "STALE: A never got close, or the loop never terminated.")
    @State
    public static class LoopClose {
        /** Posts the receiver makes at most, so that a slow close cannot grow B's queue without bound. */
        private static final int MAX_POSTS = 10_000;

        private final EventLoop loop;
        private final MessagePort a;
        private final MessagePort b;
        private volatile boolean peerClosed;

        public LoopClose() {
            loop = EventLoop.start("stress-closing-loop");
            MessageChannel channel = new MessageChannel(StressLoops.first());
            a = channel.port1();
            Carrier carrier = new Carrier(loop);
            carrier.ship(channel.port2());
            b = carrier.take(); // B, now owned by `loop`
            b.onmessage(event -> { }); // started: B receives on `loop`
            a.onclose(event -> peerClosed = true);
            a.start();
        }

        @Actor
        public void receiver() {
            for (int n = 0; !peerClosed; n++) {
                if (n < MAX_POSTS) {
                    a.postMessage(1);
                }
                Thread.onSpinWait();
            }
            boolean terminated = false;
            while (!terminated) {
                try {
                    terminated = loop.awaitTermination(Duration.ofDays(1));
                } catch (InterruptedException e) {
                    // keep waiting: only termination may end this actor
                }
            }
            a.close();
        }

        @Signal
        public void closer() {
            loop.close();
        }
    }

    /** Runs the turns of the multiplexed loops below: one daemon thread, shared by every sample. */
    private static final ExecutorService TURNS = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "stress-turns");
        t.setDaemon(true);
        return t;
    });

    /**
     * The {@code submitter} calls {@code execute} until it is refused, counting what was accepted;
     * then it waits until every accepted task has run. The signal closes the loop meanwhile. If close()
     * let the loop terminate between a submitter's state check and its offer, that task would never
     * run and the actor would never end (STALE). Found by AcceptedTaskTest: about 1 round in 150.
     * Shared by the dedicated and the multiplexed variant.
     */
    static final class Submissions {
        private final EventLoop loop;
        private final AtomicInteger ran = new AtomicInteger();

        Submissions(EventLoop loop) {
            this.loop = loop;
        }

        void submitUntilRefusedThenAwaitTheAccepted() {
            int accepted = 0;
            try {
                while (true) {
                    loop.execute(ran::incrementAndGet);
                    accepted++;
                }
            } catch (RejectedExecutionException closed) {
                // from here on the loop refuses; everything before must run
            }
            while (ran.get() != accepted) {
                Thread.onSpinWait();
            }
        }

        void close() {
            loop.close();
        }
    }

    @JCStressTest(Mode.Termination)
    @Description("Every task a dedicated loop's execute() accepted runs, however close() interleaves.")
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "Refused after the close; every accepted task ran.")
    @Outcome(id = ".*", expect = FORBIDDEN, desc = "STALE: an accepted task never ran.")
    @State
    public static class ExecuteVsClose {
        private final Submissions submissions =
                new Submissions(EventLoop.start("stress-execute-vs-close"));

        @Actor
        public void submitter() {
            submissions.submitUntilRefusedThenAwaitTheAccepted();
        }

        @Signal
        public void closer() {
            submissions.close();
        }
    }

    @JCStressTest(Mode.Termination)
    @Description("Every task a multiplexed loop's execute() accepted runs, however close() interleaves.")
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "Refused after the close; every accepted task ran.")
    @Outcome(id = ".*", expect = FORBIDDEN, desc = "STALE: an accepted task never ran.")
    @State
    public static class ExecuteVsCloseMultiplexed {
        private final Submissions submissions =
                new Submissions(EventLoop.on(TURNS, "stress-execute-vs-close-multiplexed"));

        @Actor
        public void submitter() {
            submissions.submitUntilRefusedThenAwaitTheAccepted();
        }

        @Signal
        public void closer() {
            submissions.close();
        }
    }

    /**
     * The {@code scheduler} (a plain thread) schedules timers on a loop, alternately due at once (1 ns)
     * and in an hour, until one comes back already failed (the loop refuses from its close on), then
     * waits until every timer it scheduled is done; the signal closes the loop meanwhile. Each timer
     * must end: run, or fail with RejectedExecutionException when the loop closes (the one-hour ones
     * always so). A timer armed in the loop's heap, or still on its way there through the run queue,
     * that the close forgot would leave its future pending for an hour (STALE). Shared by the dedicated
     * and the multiplexed variant.
     */
    static final class Timers {
        private static final Duration SOON = Duration.ofNanos(1);
        private static final Duration LATE = Duration.ofHours(1);
        private final EventLoop loop;
        private final AtomicInteger done = new AtomicInteger();

        Timers(EventLoop loop) {
            this.loop = loop;
        }

        void scheduleUntilRefusedThenAwaitAll() {
            int scheduled = 0;
            while (true) {
                var timer = loop.schedule(() -> { }, scheduled % 2 == 0 ? SOON : LATE);
                scheduled++;
                timer.whenComplete((ignored, failure) -> done.incrementAndGet());
                if (timer.isCompletedExceptionally()) {
                    break; // refused on the spot: the loop is closed
                }
            }
            while (done.get() != scheduled) {
                Thread.onSpinWait();
            }
        }

        void close() {
            loop.close();
        }
    }

    @JCStressTest(Mode.Termination)
    @Description("Every timer of a dedicated loop runs or is refused, however close() interleaves.")
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "Each timer ran, or failed at the close.")
    @Outcome(id = ".*", expect = FORBIDDEN, desc = "STALE: a timer was left pending by the close.")
    @State
    public static class ScheduleVsClose {
        private final Timers timers = new Timers(EventLoop.start("stress-schedule-vs-close"));

        @Actor
        public void scheduler() {
            timers.scheduleUntilRefusedThenAwaitAll();
        }

        @Signal
        public void closer() {
            timers.close();
        }
    }

    @JCStressTest(Mode.Termination)
    @Description("Every timer of a multiplexed loop runs or is refused, however close() interleaves.")
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "Each timer ran, or failed at the close.")
    @Outcome(id = ".*", expect = FORBIDDEN, desc = "STALE: a timer was left pending by the close.")
    @State
    public static class ScheduleVsCloseMultiplexed {
        private final Timers timers = new Timers(EventLoop.on(TURNS, "stress-schedule-vs-close-multiplexed"));

        @Actor
        public void scheduler() {
            timers.scheduleUntilRefusedThenAwaitAll();
        }

        @Signal
        public void closer() {
            timers.close();
        }
    }

    /**
     * The {@code dispatcher} (a plain thread) calls {@code dispatchEvent} on a port of a loop until it
     * is refused with InvalidStateError; the signal closes the loop. Each call must return: the
     * dispatch ran on the loop, or the loop was closed. Before the fix an accepted dispatch task could
     * be stranded by the close and its caller waited in join() for ever (STALE).
     */
    @JCStressTest(Mode.Termination)
    @Description("dispatchEvent from another thread always returns while the owner loop closes.")
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE,
            desc = "Every call returned: dispatched on the loop, or InvalidStateError once it closed.")
    @Outcome(id = ".*", expect = FORBIDDEN, desc = "STALE: a dispatchEvent call never returned.")
    @State
    public static class DispatchEventVsClose {
        private final EventLoop loop = EventLoop.start("stress-dispatch-vs-close");
        private final MessagePort port = new MessageChannel(loop).port1();

        @Actor
        public void dispatcher() {
            while (true) {
                try {
                    port.dispatchEvent(new Event("ping"));
                } catch (DOMException closed) {
                    return; // InvalidStateError: the loop is closed
                }
            }
        }

        @Signal
        public void closer() {
            loop.close();
        }
    }
}
