package dev.entangle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;

import dev.entangle.Supervisor.Directive;

/** The README's actor example and reply-to idioms ("Request/reply, typed calls and Flow"), kept compiling and correct. */
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
                EventLoop actor = EventLoop.on(pool, "account-" + i);      // no thread of its own
                MessageChannel inbox = MessageChannel.bounded(actor, 64);   // bounded inbox
                Supervisor.supervise(inbox.port2(), () -> 0L, (balance, e) -> { // state: the balance
                    if (e.data() instanceof Deposit) {
                        long amount = ((Deposit) e.data()).amount();
                        if (amount < 0) {
                            throw new IllegalArgumentException("negative deposit");
                        }
                        balance += amount;
                    }
                    if (!(e.data() instanceof Freeze)) {                   // Freeze: never answered
                        Requests.reply(e, balance);                        // through the reply port
                    }
                    return balance;                                        // the next state
                }, Supervisor.Strategy.deciding((failure, failed) ->       // a bad deposit: keep going
                        failure instanceof IllegalArgumentException ? Directive.RESUME : Directive.STOP));
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
            CompletableFuture<Object> refused =
                    Requests.ask(accounts.get(8), new Deposit(-1), Duration.ofMillis(50)); // TimeoutException too
            // --- README: end
            assertEquals(49_995_000L, total);
            assertEquals(7L, Requests.ask(accounts.get(7), new Balance(), Duration.ofSeconds(5))
                    .get(10, TimeUnit.SECONDS));
            ExecutionException timedOut = assertThrows(ExecutionException.class,
                    () -> frozen.get(10, TimeUnit.SECONDS));
            assertInstanceOf(TimeoutException.class, timedOut.getCause());
            ExecutionException notAnswered = assertThrows(ExecutionException.class,
                    () -> refused.get(10, TimeUnit.SECONDS));
            assertInstanceOf(TimeoutException.class, notAnswered.getCause());
            assertEquals(8L, Requests.ask(accounts.get(8), new Balance(), Duration.ofSeconds(5))
                    .get(10, TimeUnit.SECONDS), "resumed with its balance after the bad deposit");
        } finally {
            loops.forEach(EventLoop::close);
            for (EventLoop loop : loops) {
                assertTrue(loop.awaitTermination(Duration.ofSeconds(10)), loop + " did not end");
            }
            pool.shutdown();
        }
    }

    record Subscribe(String account, MessagePort replyTo) { }

    @Test
    void replyToIdiomsForwardTheAsksReplyPortOrCarryAPortInTheMessage() throws Exception {
        try (EventLoop teller = EventLoop.start("teller"); EventLoop ledger = EventLoop.start("ledger")) {
            MessageChannel accountInbox = new MessageChannel(ledger);
            MessageChannel tellerInbox = new MessageChannel(teller);
            // --- README reply-to: begin
            MessagePort account = accountInbox.port1();                     // the teller forwards to it
            // 1. Forward a request: the asker's reply port goes along, the last actor answers the asker.
            tellerInbox.port2().onmessage(e -> account.postMessage(e.data(), List.of(Requests.replyPort(e))));
            accountInbox.port2().onmessage(e -> {
                if (e.data() instanceof Subscribe) {
                    // 2. A reply-to address in the message: a port of the message, kept and posted to.
                    MessagePort replyTo = ((Subscribe) e.data()).replyTo();
                    replyTo.postMessage("alice: 100");
                    replyTo.postMessage("alice: 90");
                } else {
                    Requests.reply(e, "balance of " + e.data() + ": 100"); // to whoever asked the teller
                }
            });
            CompletableFuture<Object> answer = Requests.ask(tellerInbox.port1(), "alice", Duration.ofSeconds(5));

            MessageChannel updates = new MessageChannel();                 // the subscriber keeps port1
            List<Object> seen = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> two = new CompletableFuture<>();
            updates.port1().onmessage(u -> {
                seen.add(u.data());
                if (seen.size() == 2) {
                    two.complete(null);
                }
            });
            accountInbox.port1().postMessage(new Subscribe("alice", updates.port2()), List.of(updates.port2()));
            // --- README reply-to: end
            assertEquals("balance of alice: 100", answer.get(10, TimeUnit.SECONDS));
            two.get(10, TimeUnit.SECONDS);
            assertEquals(List.of("alice: 100", "alice: 90"), seen);
            updates.port1().close();
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
