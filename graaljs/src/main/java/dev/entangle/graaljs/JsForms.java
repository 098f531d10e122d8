package dev.entangle.graaljs;

import java.util.Arrays;

import org.graalvm.polyglot.Value;

/**
 * The serialized form of JavaScript values (HTML §2.7.3 "serialized" records), as {@link JsCodec}
 * builds them on the sender and reads them on the receiver. A form holds only Java values (strings,
 * doubles, booleans, {@code BigInteger}s, byte arrays, other forms, and the opaque forms core made
 * for transferred ports and buffers): nothing of the sender's context, but for a transferred buffer
 * its JS object ({@link SameRealm}), which only a receiver in the sender's own realm touches.
 *
 * <p>A primitive is its Java value ({@code null} for null, {@link Undefined#UNDEFINED}, {@code Boolean},
 * {@code Double}, {@code String}, {@code BigInteger} for a bigint). An object is one of the classes
 * below; the same object reached twice in a message is the same form instance twice, and the receiver
 * rebuilds one object per instance (identity, not equality: the container forms are plain final
 * classes, not records, because a cycle would make a record's {@code equals}/{@code hashCode} recurse).
 *
 * <p>Threads: built on the sender's thread, read on the receiving loop. Memory consistency effects:
 * the arrays inside container forms (and the fields holding them) are filled while the sender walks
 * the graph and never written after {@code serialize} returns (except {@link SameRealm}'s, see there); the message
 * queue's happens-before edge publishes them.
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
        /** For a moved buffer: its JS object, for a receiver in the sender's own realm; else null. */
        final SameRealm sameRealm;

        BufferForm(byte[] bytes, Object moved, int maxByteLength, SameRealm sameRealm) {
            this.bytes = bytes;
            this.moved = moved;
            this.maxByteLength = maxByteLength;
            this.sameRealm = sameRealm;
        }
    }

    /**
     * A transferred JS buffer as its own realm can take it without a copy: a receiver in that realm gets
     * the bytes as a new JS buffer over the same memory ({@code ArrayBuffer.prototype.transfer}), any
     * other receiver the moved Java bytes. Made by {@link JsCodec#post} for each buffer of its transfer
     * list.
     *
     * <p>Threads: {@link #take} and {@link #detach} run only on the realm's own thread (a receiver
     * elsewhere compares {@link #helpers} and stops there, touching no other field), so the mutable
     * fields need no synchronization. Memory consistency effects: none of its own.
     */
    static final class SameRealm {
        /** The sender's realm, told by its helpers (one per context). */
        final JsCodecHelpers helpers;
        /** The sender's buffer, detached by the post. */
        private final Value original;
        /** What the post's detach gave: the bytes as a new buffer of the realm; null before it, or if none. */
        private Value moved;
        /** Whether a receiver took the bytes (or the post detached a buffer that cannot be). */
        private boolean done;

        SameRealm(JsCodecHelpers helpers, Value original) {
            this.helpers = helpers;
            this.original = original;
        }

        /**
         * The post's detach step, once it has posted: detaches the sender's buffer (unless a receiver
         * already took it, a structuredClone in the same realm) and keeps its bytes for the receiver.
         */
        void detach() {
            if (!done) {
                Value v = helpers.detach.execute(original);
                moved = v.isNull() ? null : v;
                done = moved == null; // a buffer over Java memory stays attached; receivers copy the bytes
            }
        }

        /**
         * A receiver in the sender's realm: the buffer as a new JS buffer of the realm over the same
         * bytes, or null if it cannot have it without a copy (taken before, or over Java memory). Before
         * the post's detach step (structuredClone), it detaches the sender's buffer itself.
         */
        Value take() {
            Value v = moved;
            if (v == null && !done) {
                Value t = helpers.detach.execute(original);
                v = t.isNull() ? null : t;
            }
            moved = null;
            done = true;
            return v;
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
