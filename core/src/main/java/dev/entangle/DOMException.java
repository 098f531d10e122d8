package dev.entangle;

import java.util.Objects;

/**
 * An exception with a DOM error name, as WebIDL's {@code DOMException}: the
 * {@linkplain #name() name} says what went wrong ({@code "DataCloneError"}, {@code "InvalidStateError"},
 * …) and {@linkplain #code() code} is the legacy numeric code that older names carry.
 *
 * <p>entangle throws it where the HTML and DOM standards throw a {@code DOMException}: a message or
 * transfer list that cannot be cloned ({@link #dataCloneError(String) DataCloneError}), an event
 * dispatched twice or an operation on a closed loop ({@link #invalidStateError(String)
 * InvalidStateError}).
 *
 * <p>Threads: instances may be created, thrown and read on any thread.
 *
 * <p>Memory consistency effects: instances are immutable (apart from the stack trace and suppressed
 * exceptions inherited from {@link Throwable}) and safe to share between threads.
 */
public class DOMException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The error name, e.g. {@code "DataCloneError"}; never null. */
    private final String name;

    /**
     * Creates an exception with {@code message} and error {@code name}. The argument order is that of
     * the WebIDL constructor {@code new DOMException(message, name)}.
     *
     * @param message the human-readable description; not null
     * @param name the error name, e.g. {@code "DataCloneError"}; not null. Names outside the WebIDL
     *     table are allowed and have {@linkplain #code() code} 0.
     * @throws NullPointerException if {@code message} or {@code name} is null
     */
    public DOMException(String message, String name) {
        super(Objects.requireNonNull(message, "message"));
        this.name = Objects.requireNonNull(name, "name");
    }

    /**
     * Creates an exception with {@code message} and the WebIDL default name {@code "Error"}.
     *
     * @param message the description of the error
     * @throws NullPointerException if {@code message} is null
     */
    public DOMException(String message) {
        this(message, "Error");
    }

    /**
     * Returns a {@code DataCloneError}: a value or transfer list that structured serialization
     * rejects.
     *
     * @param message the description of the error
     * @return a new {@code DataCloneError} with {@code message}
     * @throws NullPointerException if {@code message} is null
     */
    public static DOMException dataCloneError(String message) {
        return new DOMException(message, "DataCloneError");
    }

    /**
     * Returns an {@code InvalidStateError}: the object is not in a state that allows the operation.
     *
     * @param message the description of the error
     * @return a new {@code InvalidStateError} with {@code message}
     * @throws NullPointerException if {@code message} is null
     */
    public static DOMException invalidStateError(String message) {
        return new DOMException(message, "InvalidStateError");
    }

    /** {@return the error name given at construction, e.g. {@code "DataCloneError"}} */
    public String name() {
        return name;
    }

    /**
     * The legacy code of {@linkplain #name() the name}, from the WebIDL error names table (for example
     * 25 for {@code DataCloneError}, 11 for {@code InvalidStateError}), or 0 for a name that has none.
     *
     * @return the legacy code, or 0 for a name without one
     */
    public int code() {
        return legacyCode(name);
    }

    /**
     * WebIDL "error names" table: the names that have a legacy code. The one copy of the table: the
     * GraalJS module's {@code DOMException.prototype.code} asks it too.
     */
    private static int legacyCode(String name) {
        switch (name) {
            case "IndexSizeError": return 1;
            case "HierarchyRequestError": return 3;
            case "WrongDocumentError": return 4;
            case "InvalidCharacterError": return 5;
            case "NoModificationAllowedError": return 7;
            case "NotFoundError": return 8;
            case "NotSupportedError": return 9;
            case "InUseAttributeError": return 10;
            case "InvalidStateError": return 11;
            case "SyntaxError": return 12;
            case "InvalidModificationError": return 13;
            case "NamespaceError": return 14;
            case "InvalidAccessError": return 15;
            case "TypeMismatchError": return 17;
            case "SecurityError": return 18;
            case "NetworkError": return 19;
            case "AbortError": return 20;
            case "URLMismatchError": return 21;
            case "QuotaExceededError": return 22;
            case "TimeoutError": return 23;
            case "InvalidNodeTypeError": return 24;
            case "DataCloneError": return 25;
            default: return 0;
        }
    }

    /** {@code "name: message"}, or only the name if the message is empty. */
    @Override
    public String toString() {
        String message = getMessage();
        return message.isEmpty() ? name : name + ": " + message;
    }
}
