package dev.entangle.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.function.BooleanSupplier;
import java.util.concurrent.locks.ReentrantLock;

import dev.entangle.MessageEvent;
import dev.entangle.MessagePort;

/**
 * One subscription of a port publisher: a thread that takes messages from a port that is never
 * started, with {@code receiveMessage(Duration)}, only while the subscriber has demand, and hands
 * them to {@code onNext}. Messages nobody requested stay queued at the port (so a bounded channel
 * pushes back on its sender).
 *
 * <p>Thread contract: {@link #request} and {@link #cancel} from any thread (the subscriber's calls);
 * every signal to the subscriber comes from the pump thread, one at a time.
 */
public final class PortPump implements Flow.Subscription, Runnable {
    /*
     * State: `demand` (guarded by `lock`, long, saturating at Long.MAX_VALUE), `cancelled` (volatile,
     * set once), `failure` (volatile: a bad request() for the pump to signal), `farSideClosed` completed by the port's close listener on the port's loop. The pump
     * waits on `wakeUp` while demand is 0; request() and cancel() signal it. While demand > 0 it blocks
     * in receiveMessage(RECEIVE_WAIT) (no polling: the port's waiters wake it when a message comes).
     * receiveMessage returns null both on timeout and when nothing can come any more; the second case
     * is told by the close event, which the loop fires once every message ahead of it was taken (the
     * port is never started, so that is Node's rule for unstarted ports): the pump then waits a bounded
     * time for it and signals onComplete; the close event also wakes a pump waiting for demand, which
     * then completes at once. A port closed or transferred away on this side (portOpen false) ends the
     * stream with onComplete too. Rule 3.3 of Reactive Streams (no unbounded recursion) holds
     * because request() only adds demand and signals; onNext is never called from request(). cancel()
     * also interrupts the pump thread (ours: made for this subscription) so that it leaves
     * receiveMessage at once; `pumpThread` is volatile, written once when the pump starts.
     */

    private static final Duration RECEIVE_WAIT = Duration.ofSeconds(1);
    private static final long CLOSE_WAIT_MILLIS = 50;

    private final MessagePort port;
    private final Flow.Subscriber<? super MessageEvent> subscriber;
    private final CompletableFuture<Void> farSideClosed;
    private final BooleanSupplier portOpen;
    private final Runnable onEnd;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wakeUp = lock.newCondition();
    private long demand;
    private volatile boolean cancelled;
    private volatile Throwable failure;
    private volatile Thread pumpThread;

    /**
     * A pump of {@code port}'s messages to {@code subscriber}; {@code farSideClosed} completes when the
     * port's {@code close} event fired, {@code portOpen} tells whether this port is still open here
     * (not closed, not transferred away), {@code onEnd} runs once the pump has ended.
     */
    public PortPump(MessagePort port, Flow.Subscriber<? super MessageEvent> subscriber,
            CompletableFuture<Void> farSideClosed, BooleanSupplier portOpen, Runnable onEnd) {
        this.port = port;
        this.subscriber = subscriber;
        this.farSideClosed = farSideClosed;
        this.portOpen = portOpen;
        this.onEnd = onEnd;
    }

    /**
     * Wakes a pump waiting for demand, to look at the far side's close again (it then completes
     * without demand). Any thread; the publisher calls it from the port's close listener.
     */
    public void wake() {
        lock.lock();
        try {
            wakeUp.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void request(long n) {
        if (n <= 0) {
            // Rule 3.9: signal onError, from the pump thread; the failure is published by the lock.
            failure = new IllegalArgumentException("request(" + n + "): demand must be positive (rule 3.9)");
            cancel();
            return;
        }
        lock.lock();
        try {
            demand = demand + n < 0 ? Long.MAX_VALUE : demand + n; // rule 3.17: saturate
            wakeUp.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void cancel() {
        cancelled = true;
        wake();
        Thread pump = pumpThread;
        if (pump != null && pump != Thread.currentThread()) {
            pump.interrupt(); // out of receiveMessage at once; it takes no message when interrupted
        }
    }

    @Override
    public void run() {
        pumpThread = Thread.currentThread();
        try {
            subscriber.onSubscribe(this);
            pump();
        } catch (InterruptedException e) {
            if (!cancelled) {
                end(e); // interrupted by someone else: the stream cannot go on
            }
        } catch (Throwable t) {
            end(t); // a subscriber that throws breaks rule 2.13; treat it as cancelled, with the error
        } finally {
            onEnd.run();
        }
    }

    private void pump() throws InterruptedException {
        while (true) {
            if (!awaitDemand()) {
                return;
            }
            MessageEvent event;
            try {
                event = port.receiveMessage(RECEIVE_WAIT);
            } catch (InterruptedException e) {
                throw e;
            } catch (RuntimeException undeserializable) {
                end(undeserializable);
                return;
            }
            if (event != null) {
                // A message taken while cancel() raced goes to the cancelled subscriber (rule 3.6
                // allows signals after cancel), never back to the port: it is not lost silently.
                lock.lock();
                try {
                    if (demand != Long.MAX_VALUE) {
                        demand--;
                    }
                } finally {
                    lock.unlock();
                }
                subscriber.onNext(event);
            } else if (!portOpen.getAsBoolean() || closedSoon()) {
                // closed or transferred away here, or the far side's close was reached: the end
                if (!cancelled) {
                    subscriber.onComplete();
                }
                return;
            }
        }
    }

    /** Waits until there is demand (true) or the subscription is cancelled (false). */
    private boolean awaitDemand() throws InterruptedException {
        lock.lock();
        try {
            while (demand == 0 && !cancelled && !farSideClosed.isDone()) {
                wakeUp.await();
            }
        } finally {
            lock.unlock();
        }
        if (demand == 0 && !cancelled && failure == null) {
            // The close event fired: every message ahead of it was taken; nothing can come.
            subscriber.onComplete();
            return false;
        }
        if (failure != null) {
            Throwable why = failure;
            failure = null;
            subscriber.onError(why);
            return false;
        }
        return !cancelled;
    }

    private boolean closedSoon() throws InterruptedException {
        try {
            farSideClosed.get(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException notYet) {
            return false;
        } catch (java.util.concurrent.ExecutionException impossible) {
            return true;
        }
    }

    private void end(Throwable error) {
        if (!cancelled) {
            cancelled = true;
            subscriber.onError(error);
        }
    }
}
