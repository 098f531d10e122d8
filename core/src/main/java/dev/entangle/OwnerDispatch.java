package dev.entangle;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Predicate;

/**
 * {@code dispatchEvent} for targets whose listeners must run on an owner {@link EventLoop} (ports,
 * broadcast channels): on the owner's thread the dispatch runs at once; from any other thread it runs
 * as a task on the owner and the caller waits for it, so listeners never run on two threads.
 *
 * <p>Any thread. Memory consistency effects: actions before the call happen-before the dispatch;
 * the dispatch happens-before the call returns.
 */
final class OwnerDispatch {
    private OwnerDispatch() {
    }

    /**
     * Runs {@code dispatch} on {@code owner} and returns its result.
     *
     * @throws DOMException InvalidStateError if called off-loop after the owner loop closed
     */
    static boolean dispatchOn(EventLoop owner, Event event, Predicate<Event> dispatch) {
        if (owner.inEventLoop()) {
            return dispatch.test(event);
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
        try {
            return result.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw e;
        }
    }
}
