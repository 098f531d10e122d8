package dev.entangle;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.entangle.internal.PortPump;

/**
 * A {@link MessagePort} as a {@link Flow.Publisher} of its messages, honouring demand: a message is
 * taken from the port only when the subscriber has requested it; the others stay queued at the port,
 * so a {@linkplain MessageChannel#bounded(int) bounded} channel pushes back on its sender. The
 * subscription completes when the far side closes (after every message it posted before; with or
 * without outstanding demand), or when the port is closed or transferred away on this side, and fails
 * with whatever deserializing a message threw.
 *
 * <pre>{@code
 * PortPublisher.of(channel.port2()).subscribe(subscriber); // e.g. a SubmissionPublisher-fed stage
 * }</pre>
 *
 * <p>The port must not be started ({@link MessagePort#start()}, {@code onmessage}): a started port's
 * messages go to its listeners instead. One subscriber at a time: a second {@code subscribe} while
 * one is active gets {@code onError(IllegalStateException)}. Cancelling stops taking messages and
 * leaves the port open, with what is still queued, for a later subscriber.
 *
 * <p>Cost: each active subscription has a thread (from the given {@link ThreadFactory}; by default a
 * daemon platform thread; on Java 21+ pass {@code Thread.ofVirtual().factory()}) that waits for a
 * message with {@link MessagePort#receiveMessage(Duration)} while there is demand, and for demand
 * otherwise; it never polls and is never an event loop's thread. The subscriber's signals come from
 * that thread, one at a time.
 *
 * <p>Threads: {@code subscribe} from any thread; the subscription's {@code request} and
 * {@code cancel} from any thread. Memory consistency effects: actions of a sender before
 * {@code postMessage} <i>happen-before</i> the {@code onNext} of that message.
 */
public final class PortPublisher implements Flow.Publisher<MessageEvent> {
    private final MessagePort port;
    private final ThreadFactory threads;
    private final CompletableFuture<Void> farSideClosed = new CompletableFuture<>();
    private final AtomicBoolean active = new AtomicBoolean();
    /** The active subscription's pump, or null: volatile, so that the close listener wakes the live one. */
    private volatile PortPump current;

    private PortPublisher(MessagePort port, ThreadFactory threads) {
        this.port = port;
        this.threads = threads;
        port.addEventListener("close", e -> {
            farSideClosed.complete(null);
            PortPump pump = current;
            if (pump != null) {
                pump.wake(); // a pump waiting for demand completes now
            }
        });
    }

    /**
     * A publisher of {@code port}'s messages whose subscriptions run on daemon platform threads.
     *
     * @param port a port that is not started
     * @return the publisher
     * @throws NullPointerException if {@code port} is null
     */
    public static PortPublisher of(MessagePort port) {
        return of(port, task -> {
            Thread thread = new Thread(task, "entangle-publisher-" + port.owner().name());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * A publisher of {@code port}'s messages whose subscriptions run on threads of {@code threads}.
     *
     * @param port a port that is not started
     * @param threads makes the thread of each subscription
     * @return the publisher
     * @throws NullPointerException if an argument is null
     */
    public static PortPublisher of(MessagePort port, ThreadFactory threads) {
        Objects.requireNonNull(port, "port");
        Objects.requireNonNull(threads, "threads");
        return new PortPublisher(port, threads);
    }

    /**
     * Subscribes {@code subscriber}: {@code onSubscribe} is called on the subscription's thread, then
     * a message is signalled for each unit of demand.
     *
     * @throws NullPointerException if {@code subscriber} is null (rule 1.9)
     */
    @Override
    public void subscribe(Flow.Subscriber<? super MessageEvent> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        if (!active.compareAndSet(false, true)) {
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                }

                @Override
                public void cancel() {
                }
            });
            subscriber.onError(new IllegalStateException("this port publisher already has a subscriber"));
            return;
        }
        // Rule 3.13: once the pump ended, nothing here refers to it or to its subscriber.
        PortPump pump = new PortPump(port, subscriber, farSideClosed, port::isOpenHere, () -> {
            current = null;
            active.set(false);
        });
        current = pump;
        if (farSideClosed.isDone()) {
            pump.wake(); // the close came before `current` was set
        }
        threads.newThread(pump).start();
    }
}
