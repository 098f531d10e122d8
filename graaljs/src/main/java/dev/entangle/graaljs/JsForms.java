package dev.entangle.graaljs;

import java.util.Arrays;

/**
 * The serialized form of JavaScript values (HTML §2.7.3 "serialized" records), as {@link JsCodec}
 * builds them on the sender and reads them on the receiver. A form holds only Java values (strings,
 * doubles, booleans, {@code BigInteger}s, byte arrays, other forms, and the opaque forms core made
 * for transferred ports and buffers): nothing of the sender's context.
 *
 * <p>A primitive is its Java value ({@code null} for null, {@link Undefined#UNDEFINED}, {@code Boolean},
 * {@code Double}, {@code String}, {@code BigInteger} for a bigint). An object is one of the classes
 * below; the same object reached twice in a message is the same form instance twice, and the receiver
 * rebuilds one object per instance (identity, not equality: the container forms are plain final
 * classes, not records, because a cycle would make a record's {@code equals}/{@code hashCode} recurse).
 *
 * <p>Threads: built on the sender's thread, read on the receiving loop. Memory consistency effects:
 * the arrays inside container forms (and the fields holding them) are filled while the sender walks
 * the graph and never written after {@code serialize} returns; the message queue's happens-before edge publishes them.
 */
final class JsForms {
    private JsForms() {
    }

    /** JavaScript's undefined (null stands for null). */
    enum Undefined {
        UNDEFINED
    }

    /** A Boolean, Number, String or BigInt wrapper object around {@code primitive}. */
    record Boxed(Object primitive) {
    }

    /** A Date: its time value in milliseconds (NaN for an invalid date). */
    record DateForm(double time) {
    }

    /** A RegExp: its original source and flags ({@code lastIndex} is not kept, as the spec says). */
    record RegExpForm(String source, String flags) {
    }

    /**
     * A serializable platform object of the realm (a Blob, a File): its interface name and the form of
     * the data its serialization steps gave (HTML §2.7.3 step 22, [Serializable] interfaces).
     */
    record PlatformForm(String iface, Object data) {
    }

    /** A MessagePort in the transfer list: the form core made for the Java port. */
    record PortForm(Object embedded) {
    }

    /**
     * A Java value a script received from a Java sender (seen through {@link JavaValueView}) and
     * posts on: the form core's structured clone made for it.
     */
    record JavaForm(Object embedded) {
    }

    /**
     * An ordinary object: own enumerable string keys in order and their values. {@code shared}: the
     * message reaches it more than once (the serializer met it again), so a cycle may come back to it.
     */
    static final class ObjectForm {
        String[] keys;
        Object[] values;
        boolean shared;

        ObjectForm(int size) {
            keys = new String[size];
            values = new Object[size];
        }

        /** Keeps the first {@code size} properties (the others' keys were deleted while it was read). */
        void truncate(int size) {
            if (size < keys.length) {
                keys = Arrays.copyOf(keys, size);
                values = Arrays.copyOf(values, size);
            }
        }
    }

    /**
     * An Array: its length and own enumerable string-keyed properties (indices and others);
     * {@code shared} as above.
     */
    static final class ArrayForm {
        final long length;
        String[] keys;
        Object[] values;
        boolean shared;

        ArrayForm(long length, int size) {
            this.length = length;
            keys = new String[size];
            values = new Object[size];
        }

        /** Keeps the first {@code size} properties (the others' keys were deleted while it was read). */
        void truncate(int size) {
            if (size < keys.length) {
                keys = Arrays.copyOf(keys, size);
                values = Arrays.copyOf(values, size);
            }
        }
    }

    /** A Map: keys and values in insertion order. */
    static final class MapForm {
        final Object[] keys;
        final Object[] values;

        MapForm(int size) {
            keys = new Object[size];
            values = new Object[size];
        }
    }

    /** A Set: elements in insertion order. */
    static final class SetForm {
        final Object[] elements;

        SetForm(int size) {
            elements = new Object[size];
        }
    }

    /**
     * An ArrayBuffer: either {@code bytes} (a copy owned by the message) or {@code moved} (the form core
     * made for the Java buffer in the transfer list). {@code maxByteLength} is -1 unless the (copied or moved)
     * buffer is resizable.
     */
    static final class BufferForm {
        final byte[] bytes;
        final Object moved;
        final int maxByteLength;

        BufferForm(byte[] bytes, Object moved, int maxByteLength) {
            this.bytes = bytes;
            this.moved = moved;
            this.maxByteLength = maxByteLength;
        }
    }

    /**
     * A typed array or DataView: the constructor name ({@code "Uint16Array"}, {@code "DataView"}), its
     * buffer, byte offset and length (elements for a typed array, bytes for a DataView).
     */
    static final class ViewForm {
        final String type;
        final BufferForm buffer;
        final long byteOffset;
        final long length;
        /** HTML §2.7.3 step 14: its length is "auto" (it tracks its resizable buffer's length). */
        final boolean lengthTracking;

        ViewForm(String type, BufferForm buffer, long byteOffset, long length, boolean lengthTracking) {
            this.type = type;
            this.buffer = buffer;
            this.byteOffset = byteOffset;
            this.length = length;
            this.lengthTracking = lengthTracking;
        }
    }

    /**
     * An Error: its name (one of the spec's list, else "Error"), message (null if it had no own data
     * property "message"), stack (null unless an own string data property), and cause (V8's
     * "interesting accompanying data": kept when an own data property, {@link #hasCause}).
     */
    static final class ErrorForm {
        final String name;
        final String message;
        final String stack;
        final boolean hasCause;
        /** Set once, right after construction (the cause may reach this error again: a cycle). */
        Object cause;

        ErrorForm(String name, String message, String stack, boolean hasCause) {
            this.name = name;
            this.message = message;
            this.stack = stack;
            this.hasCause = hasCause;
        }
    }
}
