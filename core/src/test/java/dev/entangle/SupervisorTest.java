package dev.entangle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.entangle.Supervisor.Directive;
import dev.entangle.Supervisor.Strategy;

/**
 * {@link Supervisor}: an actor on a multiplexed loop whose handler throws; which messages the
 * restarted (or resumed) actor sees, in order; what the decider and the dead-letter hook get; bounded
 * restarts escalating to a stop; the loop carrying on. The messages are queued before the actor is
 * supervised, so the order of everything the actor does is fixed.
 */
class SupervisorTest {
    private ExecutorService pool;
    private EventLoop actor;
    /** What the loop's error handler got. */
    private final LinkedBlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
    /** What the actor, decider and hooks did, in order (all on the actor's loop). */
    private final LinkedBlockingQueue<String> log = new LinkedBlockingQueue<>();
    private final AtomicInteger generations = new AtomicInteger();

    /** An actor's state: which incarnation it is and what it has handled. */
    private static final class Seen {
        final int generation;
        final List<Object> handled = new ArrayList<>();

        Seen(int generation) {
            this.generation = generation;
        }
    }

    @BeforeEach
    void startTheActorsLoop() {
        pool = Executors.newFixedThreadPool(2);
        actor = EventLoop.on(pool, "actor", (thread, error) -> errors.add(error));
    }

    @AfterEach
    void stop() throws InterruptedException {
        actor.close();
        assertTrue(actor.awaitTermination(Loops.TIMEOUT));
        pool.shutdown();
        assertTrue(pool.awaitTermination(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    }

    private Seen newState() {
        return new Seen(generations.incrementAndGet());
    }

    /** Handles a number by logging "g<generation>:<handled so far>"; "boom" throws. */
    private Seen handle(Seen state, MessageEvent e) {
        if ("boom".equals(e.data())) {
            throw new IllegalStateException("boom after " + state.handled);
        }
        state.handled.add(e.data());
        log.add("g" + state.generation + ":" + state.handled);
        return state;
    }

    private Supervisor.Decider logging(Directive directive) {
        return (failure, failed) -> {
            log.add("failed " + failed.data() + ": " + failure.getMessage());
            return directive;
        };
    }

    /** A channel whose port2 is the actor's inbox; {@code messages} are queued there first. */
    private static MessageChannel inboxWith(EventLoop owner, Object... messages) {
        MessageChannel channel = new MessageChannel(owner);
        for (Object m : messages) {
            channel.port1().postMessage(m);
        }
        return channel;
    }

    private List<String> take(int count) throws InterruptedException {
        List<String> taken = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            taken.add(Loops.next(log));
        }
        return taken;
    }

    /** Nothing more in the log or the error handler: the loop ran everything queued (settled). */
    private void assertNothingMore() throws Exception {
        assertNull(Loops.pollSettled(log, actor), "more in the log");
        assertNull(errors.poll(), "an error reached the loop's handler");
    }

    @Test
    void restartGivesTheFailedMessageToTheDeciderAndAFreshStateSeesEveryLaterMessageInOrder() throws Exception {
        MessageChannel inbox = inboxWith(actor, 1, 2, "boom", 3, 4);
        Supervisor<Seen> s = Supervisor.supervise(inbox.port2(), this::newState, this::handle,
                Strategy.deciding(logging(Directive.RESTART)));
        assertEquals(List.of("g1:[1]", "g1:[1, 2]", "failed boom: boom after [1, 2]", "g2:[3]", "g2:[3, 4]"),
                take(5));
        assertNothingMore();
        assertEquals(1, s.restarts());
        assertFalse(s.isStopped());
    }

    @Test
    void resumeKeepsTheStateAndHandlesTheNextMessage() throws Exception {
        MessageChannel inbox = inboxWith(actor, 1, "boom", 2);
        Supervisor<Seen> s = Supervisor.supervise(inbox.port2(), this::newState, this::handle,
                Strategy.deciding(logging(Directive.RESUME)));
        assertEquals(List.of("g1:[1]", "failed boom: boom after [1]", "g1:[1, 2]"), take(3));
        assertNothingMore();
        assertEquals(0, s.restarts());
    }

    @Test
    void moreRestartsThanTheLimitWithinTheWindowStopTheActorAndItsQueuedMessagesBecomeDeadLettersInOrder()
            throws Exception {
        MessageChannel inbox = inboxWith(actor, 1, "boom", 2, "boom", 3, "boom", 4, 5);
        CompletableFuture<String> closed = new CompletableFuture<>();
        inbox.port1().onclose(e -> closed.complete("far side closed"));
        inbox.port1().start();
        Supervisor<Seen> s = Supervisor.supervise(inbox.port2(), this::newState, this::handle,
                Strategy.deciding(logging(Directive.RESTART)).withLimit(2, Duration.ofHours(1))
                        .withDeadLetters(e -> log.add("dead " + e.data())));
        assertEquals(List.of("g1:[1]", "failed boom: boom after [1]", "g2:[2]", "failed boom: boom after [2]",
                "g3:[3]", "failed boom: boom after [3]", "dead 4", "dead 5"), take(8));
        Throwable why = s.whenStopped().get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals("boom after [3]", why.getMessage(), "the third failure escalated");
        assertEquals("far side closed", closed.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        assertEquals(2, s.restarts());
        assertTrue(s.isStopped());
        assertEquals(3, generations.get(), "no state made after the stop");
        assertNothingMore();
    }

    @Test
    void restartsFartherApartThanTheWindowNeverEscalate() throws Exception {
        MessageChannel inbox = inboxWith(actor, "boom", "boom", "boom", 1);
        Supervisor<Seen> s = Supervisor.supervise(inbox.port2(), this::newState, this::handle,
                Strategy.restart().withLimit(1, Duration.ZERO)); // no two restarts within an empty window
        assertEquals("g4:[1]", Loops.next(log));
        assertEquals(3, s.restarts());
        assertFalse(s.isStopped());
    }

    @Test
    void aLimitOfZeroRestartsStopsAtTheFirstFailure() throws Exception {
        MessageChannel inbox = inboxWith(actor, 1, "boom", 2);
        Supervisor<Seen> s = Supervisor.supervise(inbox.port2(), this::newState, this::handle,
                Strategy.restart().withLimit(0, Duration.ofHours(1)).withDeadLetters(e -> log.add("dead " + e.data())));
        assertEquals(List.of("g1:[1]", "dead 2"), take(2));
        assertEquals("boom after [1]", s.whenStopped().get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .getMessage());
        assertEquals(0, s.restarts());
    }

    @Test
    void byDefaultADeadLetterHasItsPortsClosedSoAWaitingAskFailsAtOnceWithAbortError() throws Exception {
        MessageChannel inbox = inboxWith(actor, "boom");
        CompletableFuture<Object> ask = Requests.ask(inbox.port1(), 7, Duration.ofHours(1)); // queued after boom
        Supervisor<Seen> s = Supervisor.supervise(inbox.port2(), this::newState, this::handle, Strategy.stop());
        ExecutionException failed = assertThrows(ExecutionException.class,
                () -> ask.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        assertEquals("AbortError", assertInstanceOf(DOMException.class, failed.getCause()).name());
        assertTrue(s.isStopped());
        assertNothingMore();
    }

    @Test
    void aThrowingDeciderStopsTheActorReportsToTheLoopAndTheLoopCarriesOn() throws Exception {
        MessageChannel inbox = inboxWith(actor, "boom", 1);
        IllegalArgumentException deciderFailure = new IllegalArgumentException("decider failed");
        Supervisor<Seen> s = Supervisor.supervise(inbox.port2(), this::newState, this::handle,
                Strategy.deciding((failure, failed) -> {
                    throw deciderFailure;
                }).withDeadLetters(e -> log.add("dead " + e.data())));
        assertEquals("dead 1", Loops.next(log));
        Throwable reported = Loops.next(errors);
        assertSame(deciderFailure, reported);
        assertEquals("boom after []", reported.getSuppressed()[0].getMessage(), "the handler's failure kept");
        assertSame(deciderFailure, s.whenStopped().get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        assertEquals("still running", Loops.on(actor, () -> "still running"));
    }

    @Test
    void aFactoryThatThrowsAtARestartStopsTheActor() throws Exception {
        MessageChannel inbox = inboxWith(actor, 1, "boom", 2);
        Supervisor<Seen> s = Supervisor.supervise(inbox.port2(), () -> {
            if (generations.get() > 0) {
                throw new IllegalStateException("no second state");
            }
            return newState();
        }, this::handle, Strategy.restart().withDeadLetters(e -> log.add("dead " + e.data())));
        assertEquals(List.of("g1:[1]", "dead 2"), take(2));
        Throwable reported = Loops.next(errors);
        assertEquals("no second state", reported.getMessage());
        assertSame(reported, s.whenStopped().get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        assertEquals(0, s.restarts());
    }

    @Test
    void badArgumentsAreRefused() {
        MessageChannel inbox = new MessageChannel(actor);
        assertThrows(NullPointerException.class,
                () -> Supervisor.supervise(null, this::newState, this::handle, Strategy.stop()));
        assertThrows(NullPointerException.class,
                () -> Supervisor.supervise(inbox.port2(), this::newState, this::handle, null));
        assertThrows(IllegalArgumentException.class, () -> Strategy.restart().withLimit(-1, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> Strategy.restart().withLimit(1, Duration.ofSeconds(-1)));
        assertThrows(NullPointerException.class, () -> Strategy.deciding(null));
    }
}
