package dev.entangle.graaljs;

import java.math.BigInteger;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.entangle.ArrayBuffer;
import dev.entangle.StructuredClone.DeserializeContext;
import dev.entangle.graaljs.JsForms.ArrayForm;
import dev.entangle.graaljs.JsForms.BufferForm;
import dev.entangle.graaljs.JsForms.Boxed;
import dev.entangle.graaljs.JsForms.DateForm;
import dev.entangle.graaljs.JsForms.ErrorForm;
import dev.entangle.graaljs.JsForms.MapForm;
import dev.entangle.graaljs.JsForms.ObjectForm;
import dev.entangle.graaljs.JsForms.PlatformForm;
import dev.entangle.graaljs.JsForms.JavaForm;
import dev.entangle.graaljs.JsForms.PortForm;
import dev.entangle.graaljs.JsForms.RegExpForm;
import dev.entangle.graaljs.JsForms.SetForm;
import dev.entangle.graaljs.JsForms.Undefined;
import dev.entangle.graaljs.JsForms.ViewForm;

/**
 * Rebuilds a {@link JsForms form} as plain Java values, for a receiver whose loop runs no JavaScript
 * (the mapping is the table in {@link JsCodec}'s javadoc). The graph keeps its shape: an object reached
 * twice arrives as one Java object reached twice, cycles included (a map or list is remembered before
 * it is filled).
 *
 * <p>Threads: the receiving loop. Memory consistency effects: none of its own.
 */
final class JavaDeserializer {
    private static final Object MEMORY = new Object();
    /**
     * Holes a received array may have beyond twice its elements: a longer sparse array (length 1e9, a
     * few elements) would be a list of nulls too large for the heap, so it is a messageerror instead.
     */
    static final long SPARSE_SLACK = 1_000_000;

    private final DeserializeContext context;
    /** Form (by identity) to the Java value made for it. */
    private final Map<Object, Object> memory;

    @SuppressWarnings("unchecked")
    JavaDeserializer(DeserializeContext context) {
        this.context = context;
        this.memory = (Map<Object, Object>) context.messageState()
                .computeIfAbsent(MEMORY, k -> new IdentityHashMap<>());
    }

    Object deserialize(Object form) {
        if (form == null || form == Undefined.UNDEFINED) {
            return null;
        }
        if (form instanceof String || form instanceof Double || form instanceof Boolean
                || form instanceof BigInteger) {
            return form;
        }
        Object known = memory.get(form);
        return known != null ? known : object(form);
    }

    private Object object(Object form) {
        if (form instanceof ObjectForm o) {
            Map<String, Object> map = new LinkedHashMap<>();
            memory.put(form, map);
            for (int i = 0; i < o.keys.length; i++) {
                map.put(o.keys[i], deserialize(o.values[i]));
            }
            return map;
        }
        if (form instanceof ArrayForm a) {
            if (a.length > SPARSE_SLACK + 2L * a.keys.length || a.length > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("a sparse JavaScript array of length " + a.length + " with "
                        + a.keys.length + " properties is not received as a Java list");
            }
            List<Object> list = new ArrayList<>(Collections.nCopies((int) a.length, null));
            memory.put(form, list);
            for (int i = 0; i < a.keys.length; i++) {
                long index = JsCodec.arrayIndex(a.keys[i]);
                if (index >= 0 && index < list.size()) {
                    list.set((int) index, deserialize(a.values[i]));
                }
            }
            return list;
        }
        if (form instanceof MapForm m) {
            Map<Object, Object> map = new LinkedHashMap<>();
            memory.put(form, map);
            for (int i = 0; i < m.keys.length; i++) {
                Object key = deserialize(m.keys[i]);
                Object value = deserialize(m.values[i]);
                if (!insert(map, key, value, null)) {
                    throw collision("Map", "keys", key);
                }
            }
            return map;
        }
        if (form instanceof SetForm s) {
            Set<Object> set = new LinkedHashSet<>();
            memory.put(form, set);
            for (Object e : s.elements) {
                Object element = deserialize(e);
                if (!insert(null, element, null, set)) {
                    throw collision("Set", "elements", element);
                }
            }
            return set;
        }
        if (form instanceof Boxed b) {
            return remember(form, deserialize(b.primitive()));
        }
        if (form instanceof DateForm d) {
            return remember(form, Double.isNaN(d.time()) ? null : Instant.ofEpochMilli((long) d.time()));
        }
        if (form instanceof RegExpForm r) {
            return remember(form, "/" + r.source() + "/" + r.flags());
        }
        if (form instanceof BufferForm b) {
            return remember(form, b.bytes == null ? context.deserialize(b.moved) : ArrayBuffer.wrap(b.bytes));
        }
        if (form instanceof ViewForm v) {
            return remember(form, view(v, (ArrayBuffer) deserialize(v.buffer)));
        }
        if (form instanceof ErrorForm e) {
            Map<String, Object> map = new LinkedHashMap<>();
            memory.put(form, map);
            map.put("name", e.name);
            if (e.message != null) {
                map.put("message", e.message);
            }
            if (e.stack != null) {
                map.put("stack", e.stack);
            }
            if (e.hasCause) {
                map.put("cause", deserialize(e.cause));
            }
            return map;
        }
        if (form instanceof PortForm p) {
            return remember(form, context.deserialize(p.embedded()));
        }
        if (form instanceof JavaForm j) {
            return remember(form, context.deserialize(j.embedded()));
        }
        if (form instanceof PlatformForm p) { // a Blob or File: its data (bytes, type, name, ...)
            return remember(form, deserialize(p.data()));
        }
        throw new IllegalStateException("not a JavaScript value form: " + form.getClass().getName());
    }

    /**
     * Adds {@code key} to {@code map} (with {@code value}) or to {@code set}: false if an equal key is
     * there already. JavaScript compares Map keys and Set elements by identity (objects) or SameValueZero;
     * Java by {@code equals}, so two JS keys can meet as one Java key: {undefined, null}, two empty
     * objects, a String object and its string. Losing an entry silently would be worse than a
     * {@code messageerror}.
     */
    private static boolean insert(Map<Object, Object> map, Object key, Object value, Set<Object> set) {
        try {
            if (map != null) {
                return !map.containsKey(key) && map.put(key, value) == null;
            }
            return set.add(key);
        } catch (StackOverflowError e) { // hashCode of a key that contains itself
            throw new IllegalArgumentException("a JavaScript Map key or Set element that contains itself has no"
                    + " Java hash code: not received as a java.util collection");
        }
    }

    private static IllegalArgumentException collision(String what, String parts, Object key) {
        return new IllegalArgumentException("a JavaScript " + what + " whose " + parts + " are distinct in"
                + " JavaScript but equal as Java values (" + key + ") is not received as a java.util collection");
    }

    private Object remember(Object form, Object made) {
        if (made != null) {
            memory.put(form, made);
        }
        return made;
    }

    /** A NIO view over the view's window of {@code buffer}: shares its bytes, as the JS view did. */
    private static Buffer view(ViewForm v, ArrayBuffer buffer) {
        int elementSize = elementSize(v.type);
        int offset = (int) v.byteOffset;
        ByteBuffer bytes = buffer.asByteBuffer().position(offset).limit(offset + (int) v.length * elementSize)
                .slice();
        if (v.type.equals("DataView")) {
            return bytes; // big-endian, as DataView's accessors default to
        }
        bytes.order(ByteOrder.LITTLE_ENDIAN); // typed arrays use the platform's order: little-endian here
        switch (v.type) {
            case "Int16Array": case "Uint16Array": case "Float16Array":
                return bytes.asShortBuffer();
            case "Int32Array": case "Uint32Array":
                return bytes.asIntBuffer();
            case "Float32Array":
                return bytes.asFloatBuffer();
            case "Float64Array":
                return bytes.asDoubleBuffer();
            case "BigInt64Array": case "BigUint64Array":
                return bytes.asLongBuffer();
            default:
                return bytes;
        }
    }

    private static int elementSize(String type) {
        switch (type) {
            case "Int16Array": case "Uint16Array": case "Float16Array":
                return 2;
            case "Int32Array": case "Uint32Array": case "Float32Array":
                return 4;
            case "Float64Array": case "BigInt64Array": case "BigUint64Array":
                return 8;
            default:
                return 1; // bytes, and a DataView's length is in bytes
        }
    }
}
