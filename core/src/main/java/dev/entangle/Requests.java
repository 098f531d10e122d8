package dev.entangle;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import dev.entangle.internal.Deadline;
import dev.entangle.internal.LoopCore;
import dev.entangle.internal.PortEndpoint;
import dev.entangle.internal.PortHandle;
import dev.entangle.internal.StructuredSerialize;
import dev.entangle.internal.WireValues;

/**
 * Request/reply over any {@link MessagePort} (the actor "ask"): {@link #ask} posts a request carrying a
 * fresh reply port and returns a future of the answer; the replier answers through that port with
 * {@link #reply} or {@link #replyError}.
 *
 * <pre>{@code
 * // replier, on its loop
 * accounts.onmessage(e -> Requests.reply(e, balances.get((String) e.data())));
 * // requester, any thread
 * Requests.ask(client, "alice", Duration.ofSeconds(1))
 *         .thenAccept(balance -> System.out.println("alice has " + balance));
 * }</pre>
 *
 * <h2>Wire</h2>
 * The request is the message itself, posted with its transfer list plus one more port, the reply port,
 * always <b>last</b> in {@link MessageEvent#ports()}. The answer is one message on the reply port in
 * Comlink's wire format: {@code {type: "RAW", value}} for a value, {@code {type: "HANDLER", name:
 * "throw", value: {isError: true, value: {message, name, stack}}}} for an error; any other message
 * there is taken as the value itself, so a replier that is not Java (a JavaScript worker doing
 * {@code e.ports.at(-1).postMessage(x)}) works too. {@link #reply} to an {@code ask} of the same
 * process sends the bare value that way (unless the value itself looks like a wire value), since both
 * forms mean the same to it.
 *
 * <h2>Outcomes</h2>
 * The future completes, on the reply port's loop (the caller's loop when {@code ask} is called on
 * one, else {@link EventLoop#common()}), with the first of: the answer; a {@link RemoteError} the
 * replier sent; a {@link TimeoutException} when {@code timeout} elapses (measured by
 * {@link EventLoop#schedule}, completed on that loop); a {@link DOMException} {@code AbortError}
 * when the reply port's far end is closed or collected before it answered (the replier dropped the
 * request, or its loop closed); a {@code DataCloneError} or {@code QuotaExceededError} when the
 * request could not be posted; a {@link java.util.concurrent.RejectedExecutionException} when that
 * loop closes first. {@link CompletableFuture#cancel cancel} (or any other completion of
 * the future) closes the reply port at once, so the replier's side sees {@code close} and a later
 * {@code reply} is dropped. While pending, an ask keeps a {@link Worker}'s loop alive, as a port with
 * a listener would. Nothing here blocks a thread.
 *
 * <p>Threads: every method may be called from any thread. Memory consistency effects: actions of the
 * replier before {@code reply} <i>happen-before</i> the completion of the requester's future with that
 * answer; actions before {@code ask} <i>happen-before</i> the dispatch of the request.
 */
public final class Requests {
    /*
     * Mechanics: a fresh entangled pair of port endpoints (PortEndpoint.requesterEnd, then
     * entangleReplierEnd; made next to each other: apart, with the Answer and its handle between
     * them, they measured no faster). The far end travels last in the request's ports
     * (MessagePort.postRequest): no MessagePort is made for it on this side, bound to this loop and detached again. The near
     * end, which no user ever sees, is no MessagePort at all but a ReplyHandle: the same handle
     * machinery (the loop's drain, binding, close, GC disentangling), started, whose deliver()
     * completes the future with the deserialized answer and whose deliverClose() fails it, without a
     * MessageEvent, event listeners or an EventTarget (measured by AskRoundTrip). It is not
     * registered with its loop (issue 15: a lock and two atomic updates to enter the registry, as
     * many to leave it, per ask): what the registry does for a port, the answer's timer does for it.
     * The future is an Answer, which is also the timeout: a Deadline, an entry of the same loop's
     * timer heap (LoopCore.arm: no hop, no JDK scheduler, no timer object of its own), which the heap
     * drops unfired once the future is done; armed on the asking loop, it is armed unstarted, and the
     * loop's next clock reading starts it (LoopTimers, "Unstarted entries": no clock read per ask, and
     * an ask answered before that reading never enters the heap);
     * when the loop closes, the heap refuses it (RejectedExecutionException, which closes the reply
     * end, as the registry's close of the loop's ports would), and while it is pending it keeps a
     * worker's loop alive (Deadline.keepsLoopAlive), as a port with a listener does. The Answer's
     * completion methods close the near end, whatever completed it (answer, error, timeout, close,
     * cancel from any thread): CompletableFuture decides the winner atomically, and close() is
     * idempotent. The near end closes itself on the first message it receives, so reply() to an ask
     * closes the far end without leaving it a close marker (PortHandle.closeAfterAnswer): the
     * requester's loop would only discard it. When the answer itself completes the future
     * (ReplyHandle.deliver), the near end closes as spent if the replier answered through its
     * endpoint and nothing else came (PortEndpoint, "Spent reply end": one atomic instead of the
     * usual close and the drain's hand-back, some six atomics and fences per ask).
     *
     * Post first (issue 15). On a dedicated loop that watches the requester's end from its creation
     * (the usual ask between two loops), the request is posted before the Answer and its handle are
     * made, bound and armed: the asking loop's share of a round trip is the critical one (with busy
     * work injected on either side, the asking loop had about 100 ns of slack per round, the
     * replier about 220 ns: benchmarks/README.md, AMD run of 2 December 2026), and the future cannot
     * be needed before this task ends, since answers, a close and the timer are all this loop's to
     * deliver, and the caller gets the future only when ask() returns. The handle's binding is then
     * written (plainly) after the pair is published, which is safe because no other thread reads
     * what it writes on any way an answer or a close takes: the replier's answer reads the
     * requester's end's queue, bounds and state only, and with SCHEDULED set before the post (the
     * watch) never its drain target; a close of the replier's end queues its marker the same way.
     * The one other reader of the binding, Requests.toAsk on a reply through a port object the
     * replier made, may find no handle yet, and then answers in the wire form and leaves a close
     * marker, as it does for any requester that is not an ask: the same outcome, a few steps longer.
     * Without a watch (a multiplexed loop, or an entry that asks twice) a post reads the drain target,
     * so the handle is bound before the post, as off any loop.
     *
     * The replier's side: the far end arrives as the lone port of the request, whose MessagePort the
     * replier's loop makes only on first use (ReceivedPorts: a read of ports(), or the end of the
     * dispatch). reply() in the handler, the usual case, finds it unmade and answers through the
     * endpoint itself (PortEndpoint.answerAndClose): no port object, binding or registration with the
     * replier's loop either (issue 15: that work was on the way of every answer, before its post).
     * Such an answer records no JFR MessagePosted event (it has no port; PortClosed is recorded).
     *
     * The answer's way back: an ask made on a dedicated loop has that loop watch the near end from
     * its creation (LoopCore.watchReply, "Watched reply end"), as the loop watches the port it last
     * drained, so that the replier's answer is an offer into the ReplyQueue that the idle asking
     * loop polls, with no run-queue entry (issue 15: the two-loop AskRoundTrip against two posts).
     */

    /**
     * The future {@code ask} returns, and its timeout: any completion of it (answer, error, timeout,
     * close, cancel, obtrude; on any thread) closes the reply port, so that no {@code whenComplete}
     * stage and its future are needed per ask (issue 15: 64 of the bytes an ask allocated), and
     * disarms the deadline, since the loop's timer heap drops a done entry (issue 15: the timer was
     * one object and one completion more per ask). Every public way to complete a CompletableFuture
     * ends in the overrides below; the JDK's {@code completeAsync} does not (it completes through an
     * internal method), hence its own.
     * Dependent stages are plain CompletableFutures ({@code newIncompleteFuture} is not overridden).
     */
    private static final class Answer extends Deadline<Object> {
        final ReplyHandle replies;
        private final Duration timeout;

        Answer(EventLoop owner, PortEndpoint endpoint, Duration timeout) {
            super(LoopCore.saturatedNanos(timeout), false); // started by ask() off a loop, else by the loop
            this.timeout = timeout;
            replies = new ReplyHandle(owner, endpoint, this); // final: safe on any thread
        }

        /**
         * Starts the timeout: it runs from now (Deadline.start); before the answer is armed from off
         * the loop. Armed on its loop, the answer is started by that loop (LoopTimers).
         */
        void startClock() {
            start();
        }

        /** The deadline passed with no answer: on the owner loop. */
        @Override
        protected void expire() {
            completeExceptionally(new TimeoutException("no answer within " + timeout));
        }

        /** A pending ask keeps a worker's loop alive, as its reply port would (see the mechanics). */
        @Override
        protected boolean keepsLoopAlive() {
            return true;
        }

        /**
         * The asking loop closed before the answer came: its timers are refused (this one with this
         * message), which closes the reply end; on that loop, as it closes.
         */
        @Override
        protected String closedBeforeDue(String loopName) {
            return "event loop " + loopName + " closed before the answer came";
        }

        /**
         * Completes the future with the answer its reply end just delivered; on the owner loop, in
         * that delivery. If this completed it, the end closes as spent when nothing more can come
         * (PortHandle.closeAnswered), rather than as every other completion closes it.
         */
        void completeAnswered(Object value) {
            if (super.complete(value)) {
                replies.closeAnswered();
            }
        }

        /** After a completion attempt: if it was the one that completed the future, let go of the port. */
        private boolean finishedIf(boolean won) {
            if (won) {
                replies.close();
            }
            return won;
        }

        @Override
        public boolean complete(Object value) {
            return finishedIf(super.complete(value));
        }

        @Override
        public boolean completeExceptionally(Throwable failure) {
            return finishedIf(super.completeExceptionally(failure));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return finishedIf(super.cancel(mayInterruptIfRunning));
        }

        @Override
        public void obtrudeValue(Object value) {
            super.obtrudeValue(value);
            replies.close(); // idempotent
        }

        @Override
        public void obtrudeException(Throwable failure) {
            super.obtrudeException(failure);
            replies.close();
        }

        @Override
        public CompletableFuture<Object> completeAsync(Supplier<?> supplier, Executor executor) {
            Objects.requireNonNull(supplier, "supplier");
            Objects.requireNonNull(executor, "executor");
            executor.execute(() -> {
                Object value;
                try {
                    value = supplier.get();
                } catch (Throwable failure) {
                    completeExceptionally(failure);
                    return;
                }
                complete(value);
            });
            return this;
        }

        @Override
        public CompletableFuture<Object> completeAsync(Supplier<?> supplier) {
            return completeAsync(supplier, defaultExecutor());
        }
    }

    /** The requester's end of the reply channel: completes {@code answer}; on its loop only. */
    private static final class ReplyHandle extends PortHandle {
        private final EventLoop owner;
        private final Answer answer;

        /** The future stands for the port (the handle's referent): the handle pins it once started. */
        ReplyHandle(EventLoop owner, PortEndpoint endpoint, Answer answer) {
            super(answer, owner.core, endpoint);
            this.owner = owner;
            this.answer = answer;
        }

        @Override
        protected void deliver(Object payload, PortEndpoint[] endpoints) {
            assert owner.inEventLoop() : "reply delivered off the requester's loop";
            Object data;
            try {
                data = StructuredSerialize.deserialize(payload, MessagePort.adopt(owner, endpoints));
                data = WireValues.isWireValue(data) ? WireValues.valueOf(data) : data;
            } catch (Throwable error) {
                // A malformed answer, or one that cannot arrive. Whatever it is, the future fails (the
                // replier's close left no marker to fail it later: Requests.reply), then a fatal error
                // goes on to the loop.
                answer.completeExceptionally(error);
                if (LoopCore.isFatal(error)) {
                    throw error;
                }
                return;
            }
            answer.completeAnswered(data);
        }

        @Override
        protected void deliverClose() {
            answer.completeExceptionally(new DOMException(
                    "the far side closed the reply port without answering", "AbortError"));
        }

    }

    private Requests() {
    }

    /**
     * Posts {@code request} on {@code port} with a fresh reply port and returns the future answer;
     * {@code ask(port, request, List.of(), timeout)}.
     *
     * @param port the port to post the request on
     * @param request the request, structured-cloned
     * @param timeout how long to wait for the answer
     * @return the future answer
     * @throws NullPointerException if {@code port} or {@code timeout} is null
     */
    public static CompletableFuture<Object> ask(MessagePort port, Object request, Duration timeout) {
        return ask(port, request, List.of(), timeout);
    }

    /**
     * Posts {@code request} on {@code port}, transferring {@code transfer} and then a fresh reply port,
     * and returns the future answer (see the class comment for every outcome).
     *
     * @param port the port to post the request on
     * @param request the request, structured-cloned
     * @param transfer ports and buffers to transfer before the reply port
     * @param timeout how long to wait for the answer
     * @return the future answer
     * @throws NullPointerException if {@code port}, {@code transfer} or {@code timeout} is null
     */
    public static CompletableFuture<Object> ask(MessagePort port, Object request, List<?> transfer,
            Duration timeout) {
        Objects.requireNonNull(port, "port");
        Objects.requireNonNull(transfer, "transfer");
        Objects.requireNonNull(timeout, "timeout");
        EventLoop current = EventLoop.current();
        EventLoop owner = current != null ? current : EventLoop.common();
        if (owner.isClosed()) {
            throw DOMException.invalidStateError("event loop " + owner.name() + " is closed");
        }
        PortEndpoint requesterEnd = PortEndpoint.requesterEnd();
        PortEndpoint replierEnd = requesterEnd.entangleReplierEnd();
        // Before the post publishes the pair: the asking loop polls for the answer itself while idle,
        // if it can (LoopCore, "Watched reply end"). Then the request goes first, and the future after
        // it (see "Post first" in the mechanics).
        if (current != null && owner.core.watchReply(requesterEnd)) {
            return postFirst(owner, port, request, transfer, timeout, requesterEnd, replierEnd);
        }
        Answer answer = answer(owner, requesterEnd, timeout);
        if (current == null) {
            // Off any loop: arm before the post, whose answer the common loop may deliver at once
            // (the Arm task also publishes the reply end's plain writes to that loop).
            answer.startClock();
            owner.core.arm(answer, false);
        }
        try {
            port.postRequest(request, transfer, replierEnd);
        } catch (RuntimeException refused) {
            return notPosted(answer, refused, replierEnd);
        }
        if (current != null) {
            // On the asking loop, after the post, off the request's way to the replier: until this task
            // ends nothing can complete the future (answers, a close and the timer are all this loop's
            // to deliver; the caller has not got the future yet). Armed unstarted: the timeout runs
            // from the loop's next clock reading, after this (LoopTimers, "Unstarted entries").
            owner.core.arm(answer, true);
        }
        return answer;
    }

    /** The future of an ask whose requester's end is {@code requesterEnd}, its handle bound and started. */
    private static Answer answer(EventLoop owner, PortEndpoint requesterEnd, Duration timeout) {
        Answer answer = new Answer(owner, requesterEnd, timeout);
        answer.replies.bindStartedUnpublished(); // see "Post first" for why plain writes do
        return answer;
    }

    /**
     * {@code ask} on a dedicated loop that watches {@code requesterEnd}: posts the request, then makes
     * the future and arms it (see "Post first" in the mechanics).
     */
    private static Answer postFirst(EventLoop owner, MessagePort port, Object request, List<?> transfer,
            Duration timeout, PortEndpoint requesterEnd, PortEndpoint replierEnd) {
        try {
            port.postRequest(request, transfer, replierEnd);
        } catch (RuntimeException refused) {
            return notPosted(answer(owner, requesterEnd, timeout), refused, replierEnd);
        }
        Answer answer = answer(owner, requesterEnd, timeout);
        owner.core.arm(answer, true); // unstarted, as in ask
        return answer;
    }

    /** The request was not posted: fails {@code answer} with {@code failure}, then drops the far end. */
    private static Answer notPosted(Answer answer, RuntimeException failure, PortEndpoint replierEnd) {
        answer.completeExceptionally(failure); // first: closing the far end fires AbortError here
        PortHandle.discard(new PortEndpoint[] {replierEnd});
        return answer;
    }

    /**
     * The reply port of a request {@code ask} sent: the last of {@code request.ports()}.
     *
     * @param request a received request
     * @return its reply port
     * @throws DOMException InvalidStateError if the event carries no port
     * @throws NullPointerException if {@code request} is null
     */
    public static MessagePort replyPort(MessageEvent request) {
        List<MessagePort> ports = portsOf(request);
        return ports.get(ports.size() - 1);
    }

    /** The request's ports, not empty (the reply port last), their objects not made by this call. */
    private static List<MessagePort> portsOf(MessageEvent request) {
        List<MessagePort> ports = Objects.requireNonNull(request, "request").ports();
        if (ports.isEmpty()) {
            throw DOMException.invalidStateError("the message carries no reply port");
        }
        return ports;
    }

    /**
     * Answers {@code request} with {@code value} (structured-cloned) and closes the reply port. An
     * answer to a requester that gave up (timeout, cancel) is dropped silently.
     *
     * @param request the received request
     * @param value the answer, structured-cloned
     * @throws DOMException DataCloneError if {@code value} cannot be cloned (the reply port stays
     *     open, so a {@link #replyError} may follow); InvalidStateError if the event has no reply port
     */
    public static void reply(MessageEvent request, Object value) {
        List<MessagePort> ports = portsOf(request);
        if (answeredThroughEndpoint(ports, value, false)) {
            return;
        }
        MessagePort replyPort = ports.get(ports.size() - 1);
        boolean toAsk = toAsk(replyPort); // before the post: the answer closes an ask's end
        replyPort.postMessage(answer(value, toAsk));
        close(replyPort, toAsk);
    }

    /**
     * The message that answers with {@code value}. The wire form is for repliers and requesters that
     * are not this class. When the far end is an ask() of this process ({@code toAsk}), the bare value
     * says the same (an ask takes a message that is not a wire value as the value itself) without a
     * map to build and clone (issue 15: half the bytes an ask allocated); a value that itself looks
     * like a wire value keeps its wrapping.
     */
    private static Object answer(Object value, boolean toAsk) {
        return toAsk && !WireValues.isWireValue(value) ? value : WireValues.raw(value);
    }

    /**
     * Answers through the endpoint of the request's lone port if no port object was made for it yet
     * (ReceivedPorts: the usual request, answered in its handler), and closes it; false, having done
     * nothing, if that port is not the request's alone, was made or used already, or is bounded (a
     * full queue would refuse the answer: the port path throws then). {@code message} is the answer
     * itself ({@code isError}, already in wire form), or the value to {@link #answer} with. The
     * replier's loop then makes, binds and registers no port (issue 15: the replier's share of what
     * an ask costs more across loops than on one).
     *
     * @throws DOMException DataCloneError if the answer cannot be cloned (nothing was taken)
     */
    private static boolean answeredThroughEndpoint(List<MessagePort> ports, Object message, boolean isError) {
        if (!(ports instanceof ReceivedPorts)) {
            return false;
        }
        ReceivedPorts received = (ReceivedPorts) ports;
        PortEndpoint lone = received.unclaimedLoneEndpoint();
        if (lone == null) {
            return false;
        }
        // An ask's reply port says so itself: no look at the requester's end, whose lines are the
        // asking loop's (its handle, its bounds), before the answer is on its way.
        boolean toAsk = lone.answersAsk();
        if (!toAsk && lone.isPeerBounded()) {
            return false;
        }
        Object payload = StructuredSerialize.serialize(isError ? message : answer(message, toAsk), null);
        if (!received.claimForReply()) {
            return false; // another thread read the ports meanwhile: answer through the port
        }
        lone.answerAndClose(payload, !toAsk); // no close marker for an ask, as close() below
        return true;
    }

    /** Whether the far end of {@code replyPort} is an {@link #ask} of this process (a ReplyHandle). */
    private static boolean toAsk(MessagePort replyPort) {
        return MessagePort.handleOf(replyPort).entangledHandle() instanceof ReplyHandle;
    }

    /**
     * Closes {@code replyPort} after its answer was posted; without a close marker for an ask's end
     * ({@code toAsk}), which closes itself on the answer (see ReplyHandle.deliver).
     */
    private static void close(MessagePort replyPort, boolean toAsk) {
        if (toAsk) {
            MessagePort.handleOf(replyPort).closeAfterAnswer();
        } else {
            replyPort.close();
        }
    }

    /**
     * Answers {@code request} with {@code error}: the requester's future fails with a
     * {@link RemoteError} carrying its class name, message and stack. Closes the reply port.
     *
     * @param request the received request
     * @param error the failure to send back
     * @throws DOMException InvalidStateError if the event has no reply port
     * @throws NullPointerException if {@code error} is null
     */
    public static void replyError(MessageEvent request, Throwable error) {
        Objects.requireNonNull(error, "error");
        List<MessagePort> ports = portsOf(request);
        Object thrown = WireValues.thrown(error);
        if (answeredThroughEndpoint(ports, thrown, true)) {
            return;
        }
        MessagePort replyPort = ports.get(ports.size() - 1);
        boolean toAsk = toAsk(replyPort);
        replyPort.postMessage(thrown);
        close(replyPort, toAsk);
    }
}
