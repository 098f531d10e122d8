package dev.entangle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;

/** The README's actor example ("Request/reply and typed calls"), kept compiling and correct. */
class ReadmeActorExampleTest {
    record Deposit(long amount) { }

    record Balance() { }

    record Freeze() { }

    @Test
    void tenThousandAccountActorsOnTwoThreadsAnswerAsks() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<EventLoop> loops = new ArrayList<>();
        try {
            // --- README: begin
            List<MessagePort> accounts = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                EventLoop actor = EventLoop.on(pool, "account-" + i);   // no thread of its own
                MessageChannel inbox = MessageChannel.bounded(actor, 64); // bounded inbox
                long[] balance = {0};                                   // state: touched on `actor` only
                inbox.port2().onmessage(e -> {
                    if (e.data() instanceof Deposit) {
                        balance[0] += ((Deposit) e.data()).amount();
                    }
                    if (!(e.data() instanceof Freeze)) {                // Freeze: never answered
                        Requests.reply(e, balance[0]);                  // through the reply port
                    }
                });
                accounts.add(inbox.port1());
                loops.add(actor);
            }
            List<CompletableFuture<Object>> deposits = new ArrayList<>();
            for (int i = 0; i < accounts.size(); i++) {
                deposits.add(Requests.ask(accounts.get(i), new Deposit(i), Duration.ofSeconds(5)));
            }
            long total = 0;
            for (CompletableFuture<Object> deposit : deposits) {
                total += (Long) deposit.get(10, TimeUnit.SECONDS);
            }
            // total == 49_995_000
            CompletableFuture<Object> frozen =
                    Requests.ask(accounts.get(7), new Freeze(), Duration.ofMillis(50)); // fails: TimeoutException
            // --- README: end
            assertEquals(49_995_000L, total);
            assertEquals(7L, Requests.ask(accounts.get(7), new Balance(), Duration.ofSeconds(5))
                    .get(10, TimeUnit.SECONDS));
            ExecutionException timedOut = assertThrows(ExecutionException.class,
                    () -> frozen.get(10, TimeUnit.SECONDS));
            assertInstanceOf(TimeoutException.class, timedOut.getCause());
        } finally {
            loops.forEach(EventLoop::close);
            for (EventLoop loop : loops) {
                assertTrue(loop.awaitTermination(Duration.ofSeconds(10)), loop + " did not end");
            }
            pool.shutdown();
        }
    }

    @Test
    void aFullBoundedInboxFailsTheAskAtOnce() throws Exception {
        try (EventLoop actor = EventLoop.start("busy")) {
            MessageChannel inbox = MessageChannel.bounded(actor, 1); // never started: nothing is taken
            Requests.ask(inbox.port1(), "first", Duration.ofSeconds(5));
            CompletableFuture<Object> second = Requests.ask(inbox.port1(), "second", Duration.ofSeconds(5));
            ExecutionException refused = assertThrows(ExecutionException.class,
                    () -> second.get(10, TimeUnit.SECONDS));
            assertEquals("QuotaExceededError", assertInstanceOf(DOMException.class, refused.getCause()).name());
        }
    }
}
