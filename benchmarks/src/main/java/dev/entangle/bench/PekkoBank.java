package dev.entangle.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.MailboxSelector;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import com.typesafe.config.ConfigFactory;

/**
 * The README's actor example (10,000 supervised accounts on 2 threads, bounded inboxes, asks with a
 * timeout) written in Pekko typed, for its line-for-line comparison: the part between the markers is
 * the README's Pekko listing. {@code main} runs it and checks the same outcomes as core's
 * {@code ReadmeActorExampleTest}; exit code 0 when they hold.
 */
public final class PekkoBank {
    private PekkoBank() {
    }

    // --- README Pekko: begin
    interface Command { }                                               // messages
    record Deposit(long amount, ActorRef<Long> replyTo) implements Command { }
    record Freeze(ActorRef<Long> replyTo) implements Command { }

    static Behavior<Command> account(long balance) {                   // state: the balance
        return Behaviors.receive(Command.class)
                .onMessage(Deposit.class, d -> {
                    if (d.amount() < 0) {
                        throw new IllegalArgumentException("negative deposit");
                    }
                    d.replyTo().tell(balance + d.amount());            // through the replyTo ref
                    return account(balance + d.amount());              // the next state
                })
                .onMessage(Freeze.class, f -> Behaviors.same())        // Freeze: never answered
                .build();
    }
    // --- README Pekko: end

    public static void main(String[] args) throws Exception {
        // --- README Pekko main: begin
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bank", ConfigFactory.parseString(
                "pekko.actor.default-dispatcher.fork-join-executor { parallelism-min = 2, parallelism-max = 2 }"));
        List<ActorRef<Command>> accounts = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            accounts.add(system.systemActorOf(Behaviors.supervise(account(0))       // a bad deposit: keep going
                    .onFailure(IllegalArgumentException.class, SupervisorStrategy.resume()),
                    "account-" + i, MailboxSelector.bounded(64)));                  // bounded inbox
        }
        List<CompletionStage<Long>> deposits = new ArrayList<>();
        for (int i = 0; i < accounts.size(); i++) {
            long amount = i;
            deposits.add(AskPattern.ask(accounts.get(i), replyTo -> new Deposit(amount, replyTo),
                    Duration.ofSeconds(5), system.scheduler()));
        }
        long total = 0;
        for (CompletionStage<Long> deposit : deposits) {
            total += deposit.toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        // total == 49_995_000
        CompletionStage<Long> frozen = AskPattern.ask(accounts.get(7), Freeze::new,
                Duration.ofMillis(50), system.scheduler());                          // fails: TimeoutException
        CompletionStage<Long> refused = AskPattern.ask(accounts.get(8), replyTo -> new Deposit(-1, replyTo),
                Duration.ofMillis(50), system.scheduler());                          // TimeoutException too
        // --- README Pekko main: end
        try {
            check(total == 49_995_000L, "total " + total);
            check(timedOut(frozen), "frozen answered");
            check(timedOut(refused), "the bad deposit answered");
            long after = AskPattern.<Command, Long>ask(accounts.get(8), replyTo -> new Deposit(0, replyTo),
                    Duration.ofSeconds(5), system.scheduler()).toCompletableFuture().get(10, TimeUnit.SECONDS);
            check(after == 8L, "resumed with balance " + after);
            System.out.println("PekkoBank: total " + total + ", frozen and bad deposit timed out, balance kept " + after);
        } finally {
            Pekko.terminate(system);
        }
    }

    private static boolean timedOut(CompletionStage<Long> answer) throws InterruptedException {
        CompletableFuture<Long> future = answer.toCompletableFuture();
        try {
            future.get(10, TimeUnit.SECONDS);
            return false;
        } catch (ExecutionException failed) {
            return failed.getCause() instanceof TimeoutException;
        } catch (TimeoutException notEvenThat) {
            return false;
        }
    }

    private static void check(boolean holds, String what) {
        if (!holds) {
            throw new AssertionError(what);
        }
    }
}
