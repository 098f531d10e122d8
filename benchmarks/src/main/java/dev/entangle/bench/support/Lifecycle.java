package dev.entangle.bench.support;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.entangle.EventLoop;
import dev.entangle.MessageChannel;
import dev.entangle.MessagePort;

/** Thread helpers shared by the benchmarks' setup and teardown code (never on a measured path). */
public final class Lifecycle {
    private Lifecycle() {
    }

    /** Starts a daemon thread running {@code body}. */
    public static Thread startDaemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The thread of {@code loop}, asked for through a task. */
    public static Thread threadOf(EventLoop loop) {
        CompletableFuture<Thread> thread = new CompletableFuture<>();
        loop.execute(() -> thread.complete(Thread.currentThread()));
        return join(thread);
    }

    /**
     * Waits until {@code t} is parked without a timeout ({@link Thread.State#WAITING}); an entangle loop
     * gets there after its short spin-then-yield phase. Setup code only: it busy-polls.
     */
    public static void awaitParked(Thread t) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.getState() != Thread.State.WAITING) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(t.getName() + " did not park within 10 s: " + t.getState());
            }
            Thread.onSpinWait();
        }
    }

    /** Closes {@code loop} and waits for its thread to end. */
    public static void close(EventLoop loop) {
        close(loop, Duration.ofSeconds(30));
    }

    /** Closes {@code loop} and waits up to {@code timeout} for its thread to end. */
    public static void close(EventLoop loop, Duration timeout) {
        loop.close();
        try {
            if (!loop.awaitTermination(timeout)) {
                throw new IllegalStateException(loop.name() + " did not terminate within " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Interrupts {@code t} and waits for it to end. */
    public static void stop(Thread t) {
        t.interrupt();
        try {
            t.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (t.isAlive()) {
            throw new IllegalStateException(t.getName() + " did not stop within 30 s");
        }
    }

    /** Waits up to 30 s for {@code future}. */
    public static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A channel owned by loop {@code a} whose {@code port2} has been moved to loop {@code b} through a
     * carrier channel, the way ports reach other loops: {@code {port at a, port at b}}. Setup only.
     */
    public static MessagePort[] entangledAcross(EventLoop a, EventLoop b) {
        MessageChannel channel = new MessageChannel(a);
        MessageChannel carrier = new MessageChannel(b);
        CompletableFuture<MessagePort> atB = new CompletableFuture<>();
        carrier.port2().onmessage(e -> atB.complete(e.ports().get(0)));
        carrier.port1().postMessage(null, List.of(channel.port2()));
        return new MessagePort[] {channel.port1(), join(atB)};
    }
}
