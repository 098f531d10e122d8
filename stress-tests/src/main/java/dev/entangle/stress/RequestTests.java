package dev.entangle.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.II_Result;

import dev.entangle.EventLoop;
import dev.entangle.MessageChannel;
import dev.entangle.MessageEvent;
import dev.entangle.MessagePort;
import dev.entangle.Requests;

/**
 * {@link Requests#ask} racing its answer (issue 15; {@code Requests}, "Outcomes"): the future completes
 * once, with the first of the answer, a cancel or the timeout; a {@code reply} after the requester gave
 * up is dropped and never throws; an answer to an ask made on a dedicated loop, which watches the reply
 * end from the ask on ({@code LoopCore}, "Watched reply end"), is never stranded by the loop's hand-back
 * of that end before it parks or runs something else.
 *
 * <p>The replier is an actor that takes the request from the unstarted port B with
 * {@code receiveMessage()} (bounded) and answers with {@code Requests.reply}; the arbiter waits (bounded,
 * {@link StressLoops#PATIENCE_NANOS}) for the future and records how it completed.
 */
public final class RequestTests {
    private RequestTests() {
    }

    /** Long enough never to fire within a sample: the scenarios where the timeout must not win. */
    private static final Duration NEVER = Duration.ofSeconds(60);

    /** The answer every replier sends. */
    static final int ANSWER = 7;

    /** Outcome codes of the future, beside the answer itself (7). */
    static final int NOT_DONE = 0;
    static final int CANCELLED = 8;
    static final int TIMED_OUT = 9;
    static final int OTHER_FAILURE = 6;

    /** Outcome codes of the replier actor. */
    static final int REPLIED = 1;
    static final int NO_REQUEST = 2;
    static final int REPLY_THREW = 3;

    /**
     * How the future that {@code future} supplies completed, waiting (bounded) for it to be there (a
     * loop task publishes it after ask() returns, which may be after the replier answered) and to
     * complete: the answer, or one of the codes above.
     */
    static int outcome(Supplier<CompletableFuture<Object>> future) {
        if (!StressLoops.await(() -> future.get() != null)) {
            return NOT_DONE;
        }
        CompletableFuture<Object> answer = future.get();
        if (!StressLoops.await(answer::isDone)) {
            return NOT_DONE;
        }
        try {
            Object value = answer.join();
            return value instanceof Integer ? (Integer) value : OTHER_FAILURE;
        } catch (CancellationException e) {
            return CANCELLED;
        } catch (CompletionException e) {
            return e.getCause() instanceof TimeoutException ? TIMED_OUT : OTHER_FAILURE;
        }
    }

    /** Takes the request from {@code b} (bounded) and answers it with {@link #ANSWER}. */
    static int takeAndReply(MessagePort b) {
        MessageEvent[] request = new MessageEvent[1];
        if (!StressLoops.await(() -> (request[0] = b.receiveMessage()) != null)) {
            return NO_REQUEST;
        }
        try {
            Requests.reply(request[0], ANSWER);
            return REPLIED;
        } catch (RuntimeException e) {
            return REPLY_THREW;
        }
    }

    /**
     * The asking side: a loop task that asks on {@code a} and publishes the future. Shared by the
     * scenarios that ask on a loop.
     */
    abstract static class AskOnLoop {
        final EventLoop loop;
        final MessagePort a;
        final MessagePort b;
        /** Written by the loop's task, read by the arbiter. */
        volatile CompletableFuture<Object> answer;

        AskOnLoop(EventLoop loop) {
            this.loop = loop;
            MessageChannel channel = new MessageChannel(loop);
            a = channel.port1();
            b = channel.port2();
        }

        void askOnTheLoop(Duration timeout) {
            loop.execute(() -> answer = Requests.ask(a, 1, timeout));
        }

        void closePorts() {
            a.close();
            b.close();
        }
    }

    /**
     * The {@code asker} has the spinning first loop ask on A (its reply end watched from the ask on);
     * the {@code replier} takes the request from B and answers at once, while that loop spins, yields or
     * hands the end back to park.
     */
    @JCStressTest
    @Description("An answer to an ask made on a spinning loop, racing the loop's idling: always delivered.")
    @Outcome(id = "7, 1", expect = ACCEPTABLE, desc = "The answer completed the future.")
    @Outcome(id = ".*", expect = FORBIDDEN,
            desc = "The answer stranded at the watched reply end (0), another outcome, or reply() threw.")
    @State
    public static class AnswerToWatchedAsk extends AskOnLoop {
        public AnswerToWatchedAsk() {
            super(StressLoops.first());
        }

        @Actor
        public void asker() {
            askOnTheLoop(NEVER);
        }

        @Actor
        public void replier(II_Result r) {
            r.r2 = takeAndReply(b);
        }

        @Arbiter
        public void arbiter(II_Result r) {
            r.r1 = outcome(() -> answer);
            closePorts();
        }
    }

    /**
     * As {@link AnswerToWatchedAsk}, on a loop that parks as soon as it is idle: after the ask's turn
     * it hands the watched reply end back (releases its lock, clears SCHEDULED, rechecks) and parks,
     * so every answer races that hand-back and the park handshake.
     */
    @JCStressTest
    @Description("An answer to an ask made on a loop that parks when idle, racing the hand-back of the"
            + " watched reply end before the park: always delivered.")
    @Outcome(id = "7, 1", expect = ACCEPTABLE, desc = "The answer completed the future.")
    @Outcome(id = ".*", expect = FORBIDDEN,
            desc = "The answer stranded (0: lost by the hand-back or the park), another outcome, or"
                    + " reply() threw.")
    @State
    public static class AnswerToWatchedAskParking extends AskOnLoop {
        public AnswerToWatchedAskParking() {
            super(StressLoops.parking());
        }

        @Actor
        public void asker() {
            askOnTheLoop(NEVER);
        }

        @Actor
        public void replier(II_Result r) {
            r.r2 = takeAndReply(b);
        }

        @Arbiter
        public void arbiter(II_Result r) {
            r.r1 = outcome(() -> answer);
            closePorts();
        }
    }

    /**
     * The ask is made off any loop in the state's constructor (its future completes on the common
     * loop); the {@code canceller} cancels the future while the {@code replier} answers. Whichever
     * completes the future first wins; the loser changes nothing.
     */
    @JCStressTest
    @Description("cancel() of an ask races its answer: cancelled and the answer dropped, or answered and"
            + " the cancel refused.")
    @Outcome(id = "1, 1, 8", expect = ACCEPTABLE,
            desc = "cancel() won: the future is cancelled; the reply, on a closed reply port, was dropped"
                    + " without an exception.")
    @Outcome(id = "0, 1, 7", expect = ACCEPTABLE,
            desc = "The answer completed the future first; cancel() returned false.")
    @Outcome(id = ".*", expect = FORBIDDEN,
            desc = "Both or neither won, the future never completed, or reply() threw.")
    @State
    public static class CancelVsAnswer {
        private final MessagePort a;
        private final MessagePort b;
        private final CompletableFuture<Object> answer;

        public CancelVsAnswer() {
            MessageChannel channel = new MessageChannel(StressLoops.first());
            a = channel.port1();
            b = channel.port2();
            answer = Requests.ask(a, 1, NEVER);
        }

        @Actor
        public void canceller(III_Result r) {
            r.r1 = answer.cancel(false) ? 1 : 0;
        }

        @Actor
        public void replier(III_Result r) {
            r.r2 = takeAndReply(b);
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r3 = outcome(() -> answer);
            a.close();
            b.close();
        }
    }

    /**
     * The first loop asks with a timeout of 50 µs while the {@code replier} answers: the timeout fires
     * on that loop (its timer heap), the answer arrives at its watched reply end. The first of the two
     * completes the future; a late answer is dropped.
     */
    @JCStressTest
    @Description("The timeout of an ask made on a loop races its answer: exactly one of them completes"
            + " the future.")
    @Outcome(id = "7, 1", expect = ACCEPTABLE, desc = "The answer came first.")
    @Outcome(id = "9, 1", expect = ACCEPTABLE,
            desc = "The timeout fired first: TimeoutException; the answer was dropped without an"
                    + " exception.")
    @Outcome(id = ".*", expect = FORBIDDEN,
            desc = "The future never completed, failed otherwise, or reply() threw.")
    @State
    public static class TimeoutVsAnswer extends AskOnLoop {
        private static final Duration SHORT = Duration.ofNanos(50_000);

        public TimeoutVsAnswer() {
            super(StressLoops.first());
        }

        @Actor
        public void asker() {
            askOnTheLoop(SHORT);
        }

        @Actor
        public void replier(II_Result r) {
            r.r2 = takeAndReply(b);
        }

        @Arbiter
        public void arbiter(II_Result r) {
            r.r1 = outcome(() -> answer);
            closePorts();
        }
    }

    /**
     * Two {@code askers} each have the first loop ask on A (the first ask of a turn may watch its reply
     * end, a second one takes the run-queue path); the replier is the second loop, whose B answers
     * each request with its own data through the reply port's endpoint ({@code Requests.reply} in the
     * handler). Each future gets its own answer.
     */
    @JCStressTest
    @Description("Two asks on one port at once, answered by a loop: each future completes with its own"
            + " answer.")
    @Outcome(id = "1, 2", expect = ACCEPTABLE, desc = "Each ask got the answer to its request.")
    @Outcome(id = ".*", expect = FORBIDDEN,
            desc = "An answer crossed to the other ask, was lost (0), or an ask failed (6).")
    @State
    public static class TwoAsksAnsweredByALoop {
        private final EventLoop loop = StressLoops.first();
        private final MessagePort a;
        private final MessagePort b;
        private final Carrier carrier = new Carrier(StressLoops.second());
        private volatile CompletableFuture<Object> first;
        private volatile CompletableFuture<Object> second;

        public TwoAsksAnsweredByALoop() {
            MessageChannel channel = new MessageChannel(loop);
            a = channel.port1();
            carrier.ship(channel.port2());
            b = carrier.take(); // B, now owned by the second loop
            b.onmessage(event -> Requests.reply(event, event.data()));
        }

        @Actor
        public void asker1() {
            loop.execute(() -> first = Requests.ask(a, 1, NEVER));
        }

        @Actor
        public void asker2() {
            loop.execute(() -> second = Requests.ask(a, 2, NEVER));
        }

        @Arbiter
        public void arbiter(II_Result r) {
            r.r1 = outcome(() -> first);
            r.r2 = outcome(() -> second);
            a.close();
            b.close();
        }
    }
}
