package dev.entangle;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The options of {@link MessagePort#postMessage(Object, StructuredSerializeOptions)} (HTML §2.7
 * dictionary {@code StructuredSerializeOptions}): the {@code transfer} list, empty by default.
 *
 * <pre>{@code
 * port.postMessage(message, StructuredSerializeOptions.transfer(channel.port2()));
 * }</pre>
 *
 * <p>The list is copied; its entries are only checked for null here. Whether each entry may be
 * transferred (a {@link Transferable}, not detached, not duplicated, not the sending port) is decided
 * by {@code postMessage}, which throws a {@code DataCloneError} {@link DOMException} for a bad entry,
 * as the standard does.
 *
 * <p>Threads: any method may be called from any thread.
 *
 * <p>Memory consistency effects: instances are immutable (the list is an unmodifiable copy; its
 * entries are the caller's objects) and safe to share between threads.
 */
public final class StructuredSerializeOptions {
    /** An empty transfer list. */
    public static final StructuredSerializeOptions DEFAULT = new StructuredSerializeOptions(List.of());

    private final List<Object> transfer;

    private StructuredSerializeOptions(List<Object> transfer) {
        this.transfer = transfer;
    }

    /**
     * Options whose transfer list holds {@code items}, in order.
     *
     * @param items the transfer list's entries
     * @return options whose transfer list holds {@code items}, in order
     * @throws NullPointerException if {@code items} or one of its elements is null (the message names
     *     the index)
     */
    public static StructuredSerializeOptions transfer(Object... items) {
        Objects.requireNonNull(items, "transfer");
        return transfer(Arrays.asList(items));
    }

    /**
     * Options whose transfer list is a copy of {@code items}, in order.
     *
     * @param items the transfer list's entries
     * @return options whose transfer list is a copy of {@code items}, in order
     * @throws NullPointerException if {@code items} or one of its elements is null (the message names
     *     the index)
     */
    public static StructuredSerializeOptions transfer(List<?> items) {
        Objects.requireNonNull(items, "transfer");
        Object[] copy = items.toArray();
        for (int i = 0; i < copy.length; i++) {
            if (copy[i] == null) {
                throw new NullPointerException("transfer[" + i + "] is null");
            }
        }
        return copy.length == 0 ? DEFAULT : new StructuredSerializeOptions(List.of(copy));
    }

    /** {@return the transfer list: unmodifiable, never null, without null elements} */
    public List<Object> transfer() {
        return transfer;
    }

    @Override
    public boolean equals(Object o) {
        return this == o
                || o instanceof StructuredSerializeOptions
                        && transfer.equals(((StructuredSerializeOptions) o).transfer);
    }

    @Override
    public int hashCode() {
        return transfer.hashCode();
    }

    @Override
    public String toString() {
        return "StructuredSerializeOptions[transfer=" + transfer + "]";
    }
}
