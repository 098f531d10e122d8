package dev.entangle;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Supervision of an actor: the state and message handler behind one inbox port, with a strategy that
 * decides what a failure does. It is what a {@link Worker} gets from its {@code error}/{@code exit}
 * events, for actors on {@linkplain EventLoop#on(java.util.concurrent.Executor, String) multiplexed
 * loops} (thousands of them on a few threads, none of their own).
 *
 * <pre>{@code
 * EventLoop actor = EventLoop.on(pool, "account-42");
 * MessageChannel inbox = MessageChannel.bounded(actor, 64);
 * Supervisor<Account> account = Supervisor.supervise(inbox.port2(), Account::new,
 *         (state, e) -> state.handle(e),                        // returns the next state
 *         Supervisor.Strategy.restart().withLimit(3, Duration.ofMinutes(1)));
 * }</pre>
 *
 * <h2>What a failure does</h2>
 * When the handler throws for a message, the strategy's {@link Decider} gets the failure and that
 * message (to log it, or answer it with {@link Requests#replyError}) and returns a {@link Directive}:
 * <ul>
 * <li>{@link Directive#RESUME}: the state is kept (as the handler left it), the next message is
 * handled.</li>
 * <li>{@link Directive#RESTART}: the state is replaced by a new one from the factory before the next
 * message; the failed message is not handled again (Erlang and Pekko drop it too). More than
 * {@code maxRestarts} restarts within {@code window} ({@link Strategy#withLimit}) escalate to
 * {@code STOP}, as an Erlang supervisor's restart intensity does.</li>
 * <li>{@link Directive#STOP}: the state is dropped; every message still queued in the inbox when it
 * stopped, and every one that arrives before the inbox is empty, goes to the dead-letter hook, in
 * order; then the inbox is closed, so its far side gets {@code close} and later posts are dropped as on
 * any closed port. The default hook closes each dead letter's ports, so a {@link Requests#ask} waiting
 * on one fails at once with {@code AbortError} instead of timing out.</li>
 * </ul>
 * A decider that throws (or returns null), or a factory that throws (or returns null), stops the actor
 * too, and what it threw then goes to the loop's error handler. {@link #whenStopped()} completes with the failure that
 * stopped the actor. Nothing is lost silently: each message is handled, given to the decider, or
 * given to the dead-letter hook. Failures never reach the loop's error handler otherwise, and the loop
 * and its other ports carry on.
 *
 * <h2>Cost</h2>
 * On the happy path one handler call per message inside a {@code try}: no allocation, no atomic
 * operation. A restart costs the factory call and a clock read.
 *
 * <p>Threads: {@link #supervise} and the accessors may be called from any thread. The factory, handler,
 * decider and dead-letter hook run on the inbox's owner loop, one at a time, so the state needs no
 * synchronization. Memory consistency effects: actions before {@code supervise} <i>happen-before</i>
 * the first factory call; actions before a {@code postMessage} to the inbox <i>happen-before</i> the
 * handler (or hook) call for that message; actions of the loop before the actor stops
 * <i>happen-before</i> the completion of {@link #whenStopped()}; {@link #restarts()} and
 * {@link #isStopped()} read the latest value (volatile).
 *
 * @param <S> the actor's state
 */
public final class Supervisor<S> {
    /*
     * Implementation: one onmessage handler on the inbox, owner-loop only. `state` is plain (loop
     * only): null until the first message, which calls the factory (so it runs on the loop, not on
     * the caller of supervise). `stopped` and `restarts` are volatile: written on the loop, read by the
     * accessors from any thread. The restart window is a ring of the last maxRestarts restart times
     * (System.nanoTime), allocated on the first restart: a restart that finds the ring full and its
     * oldest entry within the window escalates. After STOP the handler forwards to the dead-letter hook
     * and closes the inbox once no message is queued (queuedMessageCount() counts those not yet
     * dispatched); receiveMessage() cannot drain it from inside a dispatch, hence the count.
     */

    /** What the strategy decides after a failure. */
    public enum Directive {
        /** Keep the state and handle the next message. */
        RESUME,
        /** Replace the state with a new one from the factory, then handle the next message. */
        RESTART,
        /** Drop the state, give the queued messages to the dead-letter hook and close the inbox. */
        STOP
    }

    /**
     * The actor's behaviour: handles one message with the current state and returns the next state
     * (the same object for a mutable state). Runs on the inbox's owner loop.
     *
     * @param <S> the state
     */
    @FunctionalInterface
    public interface Handler<S> {
        /**
         * Handles {@code event}.
         *
         * @param state the current state
         * @param event the message
         * @return the next state, not null
         * @throws Exception a failure, given to the strategy
         */
        S onMessage(S state, MessageEvent event) throws Exception;
    }

    /** Chooses the directive for a failure. Runs on the inbox's owner loop. */
    @FunctionalInterface
    public interface Decider {
        /**
         * Decides what {@code failure} does.
         *
         * @param failure what the handler threw
         * @param failed the message it was handling
         * @return the directive, not null
         */
        Directive decide(Throwable failure, MessageEvent failed);
    }

    /**
     * A supervision strategy: a {@link Decider}, a restart limit and a dead-letter hook. Immutable;
     * any thread.
     */
    public static final class Strategy {
        private final Decider decider;
        private final int maxRestarts;
        private final Duration window;
        private final Consumer<? super MessageEvent> deadLetters;

        private Strategy(Decider decider, int maxRestarts, Duration window,
                Consumer<? super MessageEvent> deadLetters) {
            this.decider = decider;
            this.maxRestarts = maxRestarts;
            this.window = window;
            this.deadLetters = deadLetters;
        }

        /** {@return a strategy that resumes after every failure} */
        public static Strategy resume() {
            return deciding((failure, failed) -> Directive.RESUME);
        }

        /** {@return a strategy that restarts after every failure, without limit until {@link #withLimit}} */
        public static Strategy restart() {
            return deciding((failure, failed) -> Directive.RESTART);
        }

        /** {@return a strategy that stops at the first failure} */
        public static Strategy stop() {
            return deciding((failure, failed) -> Directive.STOP);
        }

        /**
         * A strategy whose directive {@code decider} chooses per failure (by the exception type, for
         * example), restarting without limit until {@link #withLimit}.
         *
         * @param decider chooses the directive
         * @return the strategy
         * @throws NullPointerException if {@code decider} is null
         */
        public static Strategy deciding(Decider decider) {
            return new Strategy(Objects.requireNonNull(decider, "decider"), -1, null,
                    Supervisor::closePorts);
        }

        /**
         * This strategy with restarts bounded: a restart that would be the {@code maxRestarts + 1}-th
         * within {@code window} stops the actor instead.
         *
         * @param maxRestarts restarts allowed within the window; 0 makes every restart a stop
         * @param window the window
         * @return the bounded strategy
         * @throws IllegalArgumentException if {@code maxRestarts} is negative or {@code window} is
         *     negative
         * @throws NullPointerException if {@code window} is null
         */
        public Strategy withLimit(int maxRestarts, Duration window) {
            Objects.requireNonNull(window, "window");
            if (maxRestarts < 0 || window.isNegative()) {
                throw new IllegalArgumentException("maxRestarts " + maxRestarts + " and window " + window
                        + " must not be negative");
            }
            return new Strategy(decider, maxRestarts, window, deadLetters);
        }

        /**
         * This strategy with {@code deadLetters} receiving the messages left when the actor stops,
         * instead of the default (which closes each one's ports, failing a waiting ask at once).
         *
         * @param deadLetters receives each message left, on the inbox's loop
         * @return the strategy
         * @throws NullPointerException if {@code deadLetters} is null
         */
        public Strategy withDeadLetters(Consumer<? super MessageEvent> deadLetters) {
            return new Strategy(decider, maxRestarts, window, Objects.requireNonNull(deadLetters, "deadLetters"));
        }
    }

    private final MessagePort inbox;
    private final Supplier<? extends S> factory;
    private final Handler<S> handler;
    private final Strategy strategy;
    private final CompletableFuture<Throwable> stoppedWith = new CompletableFuture<>();
    /** Loop only; null before the first message and after a stop. */
    private S state;
    /** Loop only: the times of the last restarts (a ring), or null before the first restart. */
    private long[] restartTimes;
    private volatile int restarts;
    private volatile boolean stopped;

    private Supervisor(MessagePort inbox, Supplier<? extends S> factory, Handler<S> handler, Strategy strategy) {
        this.inbox = inbox;
        this.factory = factory;
        this.handler = handler;
        this.strategy = strategy;
    }

    /**
     * Supervises an actor on {@code inbox}: sets the inbox's {@code onmessage} (which starts it) to a
     * handler that calls {@code handler} with the state {@code factory} made (before the first
     * message, and again at each restart), and applies {@code strategy} to its failures.
     *
     * @param <S> the state
     * @param inbox the actor's inbox; its owner loop runs the actor
     * @param factory makes the initial state, and the state after each restart
     * @param handler handles each message
     * @param strategy what a failure does
     * @return the supervisor
     * @throws NullPointerException if an argument is null
     */
    public static <S> Supervisor<S> supervise(MessagePort inbox, Supplier<? extends S> factory, Handler<S> handler,
            Strategy strategy) {
        Supervisor<S> supervisor = new Supervisor<>(Objects.requireNonNull(inbox, "inbox"),
                Objects.requireNonNull(factory, "factory"), Objects.requireNonNull(handler, "handler"),
                Objects.requireNonNull(strategy, "strategy"));
        inbox.onmessage(supervisor::onMessage);
        return supervisor;
    }

    /** {@return how many times the actor was restarted so far; any thread} */
    public int restarts() {
        return restarts;
    }

    /** {@return whether the actor stopped; any thread} */
    public boolean isStopped() {
        return stopped;
    }

    /**
     * A future completed, on the inbox's loop, with the failure that stopped the actor (what the
     * handler, decider or factory threw).
     *
     * @return the future; it never completes while the actor runs
     */
    public CompletableFuture<Throwable> whenStopped() {
        return stoppedWith.copy();
    }

    private void onMessage(MessageEvent event) {
        if (stopped) {
            deadLetter(event);
            return;
        }
        if (state == null) {
            try {
                state = Objects.requireNonNull(factory.get(), "the state factory returned null");
            } catch (RuntimeException | Error failure) {
                stop(failure);
                deadLetter(event);
                throw failure; // to the loop's error handler; the loop carries on
            }
        }
        try {
            state = Objects.requireNonNull(handler.onMessage(state, event), "the handler returned no state");
        } catch (Throwable failure) { // an Error in a handler too (StackOverflowError): the actor's failure
            Throwable escalated = onFailure(failure, event);
            if (escalated instanceof Error) {
                throw (Error) escalated; // to the loop's error handler; the loop carries on
            } else if (escalated != null) {
                throw (RuntimeException) escalated;
            }
        }
    }

    /**
     * Applies the strategy to {@code failure}; returns what the decider or factory threw (a
     * RuntimeException or an Error), if any.
     */
    private Throwable onFailure(Throwable failure, MessageEvent failed) {
        Directive directive;
        try {
            directive = Objects.requireNonNull(strategy.decider.decide(failure, failed),
                    "the decider returned no directive");
        } catch (RuntimeException | Error deciderFailure) {
            deciderFailure.addSuppressed(failure);
            stop(deciderFailure);
            return deciderFailure;
        }
        if (directive == Directive.RESTART && !mayRestart()) {
            directive = Directive.STOP; // restart intensity exceeded: escalate
        }
        switch (directive) {
            case RESUME:
                return null;
            case RESTART:
                try {
                    state = Objects.requireNonNull(factory.get(), "the state factory returned null");
                } catch (RuntimeException | Error factoryFailure) {
                    factoryFailure.addSuppressed(failure);
                    stop(factoryFailure);
                    return factoryFailure;
                }
                restarts++; // written on the loop only: a plain increment of the volatile suffices
                return null;
            default:
                stop(failure);
                return null;
        }
    }

    /** Records a restart now, or returns false if it would exceed the limit within the window. */
    private boolean mayRestart() {
        int max = strategy.maxRestarts;
        if (max < 0) {
            return true;
        }
        if (max == 0) {
            return false;
        }
        long now = System.nanoTime();
        if (restartTimes == null) {
            restartTimes = new long[max];
        }
        int slot = restarts % max; // the oldest of the last max restarts, once the ring is full
        if (restarts >= max && now - restartTimes[slot] < strategy.window.toNanos()) {
            return false;
        }
        restartTimes[slot] = now;
        return true;
    }

    private void stop(Throwable why) {
        stopped = true;
        state = null;
        if (inbox.queuedMessageCount() == 0) {
            inbox.close();
        }
        stoppedWith.complete(why);
    }

    private void deadLetter(MessageEvent event) {
        try {
            strategy.deadLetters.accept(event);
        } finally {
            if (inbox.queuedMessageCount() == 0) {
                inbox.close(); // idempotent
            }
        }
    }

    private static void closePorts(MessageEvent event) {
        event.ports().forEach(MessagePort::close);
    }
}
