package dev.entangle;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Flow;

/**
 * A {@link Flow.Subscriber} that posts each item to a {@link MessagePort} (structured-cloned), and
 * closes the port when the stream ends, so the far side receives {@code close} after the last item.
 *
 * <p>Back-pressure: items are requested one at a time. On a {@linkplain MessageChannel#bounded(int)
 * bounded} channel a full queue makes {@code onNext} wait up to the given timeout for room (with
 * {@link MessagePort#offerMessage(Object, Duration)}); that holds the publisher's delivery thread,
 * which is the point. If the time runs out, or an item cannot be cloned, the subscription is cancelled
 * and the port closed; {@link #failure()} tells why. Signals that come from an event loop's thread
 * never wait (a loop never blocks): there a full queue ends the stream at once.
 *
 * <p>Threads: the {@code on…} methods are called by the publisher, serially (Reactive Streams rule
 * 1.3); {@link #failure()} from any thread. Memory consistency effects: actions of the publisher
 * before {@code onNext} <i>happen-before</i> the dispatch of the posted message.
 *
 * @param <T> the type of the items, each posted as a message
 */
public final class PortSubscriber<T> implements Flow.Subscriber<T> {
    private final MessagePort port;
    private final Duration timeout;
    private Flow.Subscription subscription; // publisher's thread only (rule 1.3 orders the signals)
    private volatile Throwable failure;

    /**
     * A subscriber posting to {@code port}, waiting up to {@code timeout} for room in a bounded queue.
     *
     * @param port the port to post the items to
     * @param timeout how long {@code onNext} waits for room in a bounded queue
     * @throws NullPointerException if an argument is null
     */
    public PortSubscriber(MessagePort port, Duration timeout) {
        this.port = Objects.requireNonNull(port, "port");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        Objects.requireNonNull(subscription, "subscription");
        if (this.subscription != null) {
            subscription.cancel(); // rule 2.5: one subscription only
            return;
        }
        this.subscription = subscription;
        subscription.request(1);
    }

    @Override
    public void onNext(T item) {
        Objects.requireNonNull(item, "item"); // rule 2.13
        boolean posted;
        try {
            if (EventLoop.current() != null) {
                port.postMessage(item); // a loop never waits: a full bounded queue throws
                posted = true;
            } else {
                posted = port.offerMessage(item, timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop(e);
            return;
        } catch (RuntimeException refused) {
            stop(refused);
            return;
        }
        if (!posted) {
            stop(new DOMException("no room in the bounded queue within " + timeout, "QuotaExceededError"));
            return;
        }
        subscription.request(1);
    }

    @Override
    public void onError(Throwable throwable) {
        failure = Objects.requireNonNull(throwable, "throwable");
        port.close();
    }

    @Override
    public void onComplete() {
        port.close();
    }

        /**
     * Why the stream ended other than by {@code onComplete}: the publisher's error or ours; or null.
     *
     * @return the failure, or null
     */
    public Throwable failure() {
        return failure;
    }

    private void stop(Throwable why) {
        failure = why;
        subscription.cancel();
        port.close();
    }
}
