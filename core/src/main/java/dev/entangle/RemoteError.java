package dev.entangle;

import java.util.Objects;

/**
 * An error that the far side of a port sent back in answer to a request ({@link Requests#ask}) or a
 * typed call ({@link Remote#wrap}): its type name, message and stack as text, as Comlink's
 * {@code throw} handler carries them ({@code {message, name, stack}}). The far side may be another
 * loop of this JVM or a JavaScript worker, so the original exception object is never recreated: a
 * Java replier sends the class name (for example {@code java.lang.IllegalArgumentException}) as
 * {@link #remoteName()}, and its stack trace, one frame a line, as {@link #remoteStack()}.
 *
 * <p>{@link #getMessage()} is the remote message; the local stack trace is that of the place where
 * the answer was received.
 *
 * <p>Threads: immutable; any thread. Memory consistency effects: none beyond those of the future the
 * error completes.
 */
public final class RemoteError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The far side's error type name. */
    private final String remoteName;
    /** The far side's stack as text, or null. */
    private final String remoteStack;

    /**
     * Creates an error as received from the far side.
     *
     * @param remoteName the far side's error type, e.g. {@code "java.lang.IllegalStateException"} or
     *     {@code "TypeError"}; not null
     * @param message the far side's message; may be null
     * @param remoteStack the far side's stack as text; may be null
     * @throws NullPointerException if {@code remoteName} is null
     */
    public RemoteError(String remoteName, String message, String remoteStack) {
        super(message);
        this.remoteName = Objects.requireNonNull(remoteName, "remoteName");
        this.remoteStack = remoteStack;
    }

        /**
     * The far side's error type name (Java class name, or JavaScript {@code error.name}).
     *
     * @return the type name
     */
    public String remoteName() {
        return remoteName;
    }

        /**
     * The far side's stack as text, or null if it sent none.
     *
     * @return the stack text, or null
     */
    public String remoteStack() {
        return remoteStack;
    }

    @Override
    public String toString() {
        String message = getMessage();
        return "RemoteError[" + remoteName + "]" + (message != null ? ": " + message : "");
    }
}
