package dev.entangle.internal;

import java.util.List;
import java.util.Map;

import dev.entangle.DOMException;
import dev.entangle.MessagePort;

/**
 * StructuredSerializeWithTransfer and StructuredDeserializeWithTransfer (HTML §2.7), the one seam every
 * message crosses: {@link #serialize} runs on the sender's thread inside {@code postMessage};
 * {@link #deserialize} runs on the receiving loop just before dispatch (a failure there becomes a
 * {@code messageerror} event).
 *
 * <p>Current rules (the structured-clone work extends them behind this same seam): values that are
 * immutable pass by reference (null, {@code String}, boxed primitives, enums); a {@code MessagePort}
 * passes only if it is in the transfer list, and arrives as the new port object; anything else is a
 * {@code DataCloneError} naming its class.
 *
 * <p>Stateless; safe from any thread. Memory consistency effects: none beyond those of the queue the
 * serialized form travels in.
 */
public final class StructuredClone {
    private StructuredClone() {
    }

    /** Placeholder for "the transferred object at this index of the transfer list". */
    static final class TransferRef {
        final int index;

        TransferRef(int index) {
            this.index = index;
        }
    }

    /**
     * Serializes {@code value} on the sender's thread.
     *
     * @param transferIndex identity map from each transfer-list entry to its index, or null if the list
     *     is empty
     * @throws DOMException DataCloneError for a value that cannot be cloned
     */
    public static Object serialize(Object value, Map<Object, Integer> transferIndex) {
        if (value == null || isImmutable(value)) {
            return value;
        }
        if (value instanceof MessagePort) {
            Integer index = transferIndex == null ? null : transferIndex.get(value);
            if (index == null) {
                throw DOMException.dataCloneError(
                        "data: a MessagePort can only be sent in the transfer list");
            }
            return new TransferRef(index);
        }
        throw DOMException.dataCloneError("data: " + value.getClass().getName() + " is not cloneable");
    }

    /**
     * Deserializes on the receiving loop.
     *
     * @param transferred the received transferables (new port objects) in transfer-list order
     */
    public static Object deserialize(Object payload, List<?> transferred) {
        if (payload instanceof TransferRef) {
            return transferred.get(((TransferRef) payload).index);
        }
        return payload;
    }

    private static boolean isImmutable(Object value) {
        Class<?> c = value.getClass();
        return c == String.class || c == Integer.class || c == Long.class || c == Boolean.class
                || c == Double.class || c == Float.class || c == Short.class || c == Byte.class
                || c == Character.class || value instanceof Enum;
    }
}
