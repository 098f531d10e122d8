package dev.entangle;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * {@code dispatchEvent} for targets whose listeners must run on an owner {@link EventLoop} (ports,
 * broadcast channels), so that listeners never run on two threads:
 * <ul>
 *   <li>on the owner's thread the dispatch runs at once (the standard's synchronous dispatch);
 *   <li>on a thread that is no event loop's, it runs as a task on the owner, and the caller waits
 *       for it: until the dispatch has run, the owner has terminated without running it (an
 *       abandoned loop), or the caller is interrupted;
 *   <li>on <em>another</em> event loop's thread it is refused with {@code InvalidStateError}: a loop
 *       that waited for another could deadlock with it (two handlers dispatching at each other's
 *       targets), and a loop must never block. Such a caller hands the dispatch over itself, e.g.
 *       {@code owner.execute(() -> target.dispatchEvent(event))}.
 * </ul>
 *
 * <p>Any thread. Memory consistency effects: actions before the call happen-before the dispatch;
 * the dispatch happens-before the call returns.
 */
final class OwnerDispatch {
    /** How often a waiting caller looks whether the owner was abandoned (it never is, normally). */
    private static final long ABANDON_CHECK_MILLIS = 50;

    private OwnerDispatch() {
    }

    /**
     * Runs {@code dispatch} on {@code owner} and returns its result.
     *
     * @throws DOMException InvalidStateError if called on another event loop's thread, if the owner
     *     loop is closed, or if it terminated before running the dispatch
     * @throws DOMException AbortError if the calling thread is interrupted while it waits (its
     *     interrupt status is set again; the dispatch may still run later)
     */
    static boolean dispatchOn(EventLoop owner, Event event, Predicate<Event> dispatch) {
        if (owner.inEventLoop()) {
            return dispatch.test(event);
        }
        EventLoop caller = EventLoop.current();
        if (caller != null) {
            throw DOMException.invalidStateError("dispatchEvent called on event loop " + caller.name()
                    + " for a target owned by event loop " + owner.name() + ": a loop never waits for"
                    + " another; queue it there with " + owner.name() + ".execute(...)");
        }
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        try {
            owner.execute(() -> {
                try {
                    result.complete(dispatch.test(event));
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            });
        } catch (RejectedExecutionException closed) {
            throw DOMException.invalidStateError("event loop " + owner.name() + " is closed");
        }
        return await(owner, result);
    }

    private static boolean await(EventLoop owner, CompletableFuture<Boolean> result) {
        while (true) {
            try {
                return result.get(ABANDON_CHECK_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException notYet) {
                // An accepted task runs before its loop terminates, unless the loop was abandoned.
                if (owner.core.isTerminated() && !result.isDone()) {
                    throw DOMException.invalidStateError("event loop " + owner.name()
                            + " terminated before it could dispatch the event");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DOMException("interrupted while waiting for event loop " + owner.name()
                        + " to dispatch the event", "AbortError");
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException) {
                    throw (RuntimeException) cause;
                }
                if (cause instanceof Error) {
                    throw (Error) cause;
                }
                throw new IllegalStateException(cause);
            }
        }
    }
}
