package dev.entangle.remote;

import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import dev.entangle.ArrayBuffer;
import dev.entangle.MessagePort;

/**
 * The wire form of structured clone, version {@value #VERSION}: the Java values the core clones
 * (the table of {@link dev.entangle.StructuredClone}), written as bytes that another process reads back.
 *
 * <p>Layout of an encoded value: one byte, the format version, then one value. A value is a tag byte
 * followed by its body; numbers are little-endian; a length or count is an {@code int}; a string is
 * its UTF-8 length and bytes; a class is its binary name as a string.
 *
 * <table>
 * <caption>Tags of format version 1</caption>
 * <tr><th>tag</th><th>value</th><th>body</th></tr>
 * <tr><td>0</td><td>null</td><td>none</td></tr>
 * <tr><td>1, 2</td><td>{@code true}, {@code false}</td><td>none</td></tr>
 * <tr><td>3-9</td><td>{@code Byte}, {@code Short}, {@code Character}, {@code Integer}, {@code Long},
 * {@code Float}, {@code Double}</td><td>the primitive, 1, 2, 2, 4, 8, 4, 8 bytes</td></tr>
 * <tr><td>10</td><td>{@code String}</td><td>string</td></tr>
 * <tr><td>11</td><td>{@code BigInteger}</td><td>length, two's-complement big-endian bytes</td></tr>
 * <tr><td>12</td><td>{@code BigDecimal}</td><td>string ({@code toString}, exact)</td></tr>
 * <tr><td>13</td><td>{@code UUID}</td><td>two longs (most, least significant)</td></tr>
 * <tr><td>14</td><td>enum constant</td><td>class, constant name</td></tr>
 * <tr><td>15</td><td>{@code java.time} value</td><td>kind byte (0 Instant … 12 ZoneId, in the order of
 * {@link #TIME_KINDS}), its ISO-8601 {@code toString}</td></tr>
 * <tr><td>16-18</td><td>{@code OptionalInt}, {@code OptionalLong}, {@code OptionalDouble}</td>
 * <td>present byte, then the primitive if present</td></tr>
 * <tr><td>19</td><td>{@code Optional}</td><td>present byte, then a value if present</td></tr>
 * <tr><td>20</td><td>record</td><td>class, component count, component values</td></tr>
 * <tr><td>21</td><td>object array</td><td>component class, length, values</td></tr>
 * <tr><td>22</td><td>primitive array</td><td>kind byte (boolean, byte, short, char, int, long, float,
 * double), length, elements</td></tr>
 * <tr><td>23</td><td>list</td><td>kind byte ({@link #LIST_KINDS}), size, values</td></tr>
 * <tr><td>24</td><td>set</td><td>kind byte ({@link #SET_KINDS}), for an {@code EnumSet} its element
 * class, size, values</td></tr>
 * <tr><td>25</td><td>map</td><td>kind byte ({@link #MAP_KINDS}), for an {@code EnumMap} its key class,
 * size, key and value pairs</td></tr>
 * <tr><td>26</td><td>{@link ArrayBuffer}</td><td>length, bytes</td></tr>
 * <tr><td>27</td><td>{@link MessagePort}</td><td>index in the message's port table</td></tr>
 * <tr><td>28</td><td>a value met before in this message</td><td>its reference number</td></tr>
 * <tr><td>29</td><td>a value of a type registered with {@link RemoteNode#registerWireForm}</td><td>the
 * registered name, then the value its {@code toWire} made</td></tr>
 * </table>
 *
 * <p>The graph is kept: every array, collection, map and buffer gets the next reference number when
 * its tag is written (before its elements, so cycles survive), every record when its components are
 * done (a cycle through a record is rejected, as the core rejects it); a later occurrence is tag 28.
 * Sorted collections must use natural ordering (a comparator cannot cross processes); an empty
 * {@code EnumMap} cannot name its key type. Other types (the core's registered cloner, codec and
 * shareable types) need a {@linkplain RemoteNode#registerWireForm wire form registration}.
 *
 * <p>Decoding checks every length against the bytes left and every tag, kind and class; anything
 * wrong is an {@link IllegalArgumentException} ("malformed") and the receiving port fires
 * {@code messageerror}. Classes are resolved with the class loader given to the reader.
 *
 * <p>Threads: stateless; each call uses its own state. Memory consistency effects: none.
 */
final class WireFormat {
    static final byte VERSION = 1;

    private static final int MAX_DEPTH = 1_000;

    static final byte NULL = 0, TRUE = 1, FALSE = 2, BYTE = 3, SHORT = 4, CHAR = 5, INT = 6, LONG = 7,
            FLOAT = 8, DOUBLE = 9, STRING = 10, BIG_INTEGER = 11, BIG_DECIMAL = 12, UUID_TAG = 13,
            ENUM = 14, TIME = 15, OPTIONAL_INT = 16, OPTIONAL_LONG = 17, OPTIONAL_DOUBLE = 18,
            OPTIONAL = 19, RECORD = 20, OBJECT_ARRAY = 21, PRIMITIVE_ARRAY = 22, LIST = 23, SET = 24,
            MAP = 25, ARRAY_BUFFER = 26, PORT = 27, BACK_REFERENCE = 28, REGISTERED = 29;

    static final List<Class<?>> TIME_KINDS = List.of(Instant.class, LocalDate.class, LocalTime.class,
            LocalDateTime.class, OffsetDateTime.class, OffsetTime.class, ZonedDateTime.class,
            Duration.class, Period.class, Year.class, YearMonth.class, MonthDay.class, ZoneId.class);

    /** 0 ArrayList, 1 LinkedList, 2 unmodifiable (any other JDK list arrives as ArrayList: 0). */
    static final byte LIST_ARRAY = 0, LIST_LINKED = 1, LIST_UNMODIFIABLE = 2;
    /** Set kinds. */
    static final byte SET_HASH = 0, SET_LINKED = 1, SET_TREE = 2, SET_ENUM = 3, SET_UNMODIFIABLE = 4,
            SET_UNMODIFIABLE_SORTED = 5;
    /** Map kinds. */
    static final byte MAP_HASH = 0, MAP_LINKED = 1, MAP_TREE = 2, MAP_ENUM = 3, MAP_CONCURRENT = 4,
            MAP_UNMODIFIABLE = 5, MAP_UNMODIFIABLE_SORTED = 6;
    static final String LIST_KINDS = "ArrayList, LinkedList, unmodifiable";
    static final String SET_KINDS = "HashSet, LinkedHashSet, TreeSet, EnumSet, unmodifiable, unmodifiable sorted";
    static final String MAP_KINDS = "HashMap, LinkedHashMap, TreeMap, EnumMap, ConcurrentHashMap, unmodifiable,"
            + " unmodifiable sorted";

    private static final List<Class<?>> PRIMITIVES = List.of(boolean.class, byte.class, short.class,
            char.class, int.class, long.class, float.class, double.class);

    private WireFormat() {
    }

    /** A registration of {@link RemoteNode#registerWireForm}. */
    static final class Registered {
        final Class<?> type;
        final String name;
        final Function<Object, Object> toWire;
        final Function<Object, Object> fromWire;

        Registered(Class<?> type, String name, Function<Object, Object> toWire, Function<Object, Object> fromWire) {
            this.type = type;
            this.name = name;
            this.toWire = toWire;
            this.fromWire = fromWire;
        }
    }

    private static final Map<Class<?>, Registered> REGISTERED_BY_CLASS = new ConcurrentHashMap<>();
    private static final Map<String, Registered> REGISTERED_BY_NAME = new ConcurrentHashMap<>();

    static void register(Registered registration) {
        REGISTERED_BY_NAME.put(registration.name, registration);
        REGISTERED_BY_CLASS.put(registration.type, registration);
    }

    /** The registration for {@code type} or its nearest registered superclass, or null. */
    private static Registered registeredFor(Class<?> type) {
        if (REGISTERED_BY_CLASS.isEmpty()) {
            return null;
        }
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            Registered r = REGISTERED_BY_CLASS.get(c);
            if (r != null) {
                return r;
            }
        }
        return null;
    }

    /** A value the wire form cannot carry; the far side then gets {@code messageerror}. */
    static final class NotEncodable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotEncodable(String message) {
            super(message);
        }
    }

    // ---------------------------------------------------------------------------------------- writing

    /**
     * Writes {@code value} at {@code offset} of {@code out}; {@code ports} are the message's ports, in
     * port-table order. Returns the number of bytes written.
     *
     * @throws NotEncodable if the value (or something in it) has no wire form
     */
    static int encode(Object value, List<MessagePort> ports, ExpandableArrayBuffer out, int offset) {
        int fixed = encodeFixedWidth(value, out, offset);
        if (fixed > 0) {
            return fixed;
        }
        Writer w = new Writer(out, offset, ports);
        w.putByte(VERSION);
        w.value(value, 0, "data");
        return w.position - offset;
    }

    /**
     * Writes the version and a value of fixed width ({@code null}, {@code Boolean}, {@code Integer},
     * {@code Long}, {@code Double}: what most messages are) as {@link Writer#value} does, without the
     * writer's state; returns the bytes written, or 0 if {@code v} is none of these.
     */
    private static int encodeFixedWidth(Object v, ExpandableArrayBuffer out, int at) {
        out.putByte(at, VERSION);
        if (v == null) {
            out.putByte(at + 1, NULL);
            return 2;
        } else if (v instanceof Integer) {
            out.putByte(at + 1, INT);
            out.putInt(at + 2, (Integer) v);
            return 6;
        } else if (v instanceof Long) {
            out.putByte(at + 1, LONG);
            out.putLong(at + 2, (Long) v);
            return 10;
        } else if (v instanceof Double) {
            out.putByte(at + 1, DOUBLE);
            out.putLong(at + 2, Double.doubleToRawLongBits((Double) v));
            return 10;
        } else if (v instanceof Boolean) {
            out.putByte(at + 1, (Boolean) v ? TRUE : FALSE);
            return 2;
        }
        return 0;
    }

    private static final class Writer {
        private final ExpandableArrayBuffer out;
        private final List<MessagePort> ports;
        /** Objects written so far, numbered for back references; made on first use (a scalar needs none). */
        private IdentityHashMap<Object, Integer> seen;
        private IdentityHashMap<Object, Boolean> recordsInProgress;
        int position;

        Writer(ExpandableArrayBuffer out, int offset, List<MessagePort> ports) {
            this.out = out;
            this.position = offset;
            this.ports = ports;
        }

        void putByte(int b) {
            out.putByte(position, (byte) b);
            position += 1;
        }

        void putShort(short v) {
            out.putShort(position, v);
            position += 2;
        }

        void putInt(int v) {
            out.putInt(position, v);
            position += 4;
        }

        void putLong(long v) {
            out.putLong(position, v);
            position += 8;
        }

        void putBytes(byte[] bytes) {
            putInt(bytes.length);
            out.putBytes(position, bytes);
            position += bytes.length;
        }

        void putString(String s) {
            putBytes(s.getBytes(StandardCharsets.UTF_8));
        }

        private IdentityHashMap<Object, Integer> seen() {
            if (seen == null) {
                seen = new IdentityHashMap<>();
            }
            return seen;
        }

        private IdentityHashMap<Object, Boolean> recordsInProgress() {
            if (recordsInProgress == null) {
                recordsInProgress = new IdentityHashMap<>();
            }
            return recordsInProgress;
        }

        /** Writes a back reference and returns true if {@code o} was written before; else numbers it. */
        boolean reference(Object o) {
            Integer id = seen().get(o);
            if (id != null) {
                putByte(BACK_REFERENCE);
                putInt(id);
                return true;
            }
            seen().put(o, seen().size());
            return false;
        }

        void value(Object v, int depth, String path) {
            if (depth > MAX_DEPTH) {
                throw new NotEncodable(path + ": nested deeper than " + MAX_DEPTH);
            }
            if (v == null) {
                putByte(NULL);
            } else if (v instanceof String) {
                putByte(STRING);
                putString((String) v);
            } else if (v instanceof Integer) {
                putByte(INT);
                putInt((Integer) v);
            } else if (v instanceof Long) {
                putByte(LONG);
                putLong((Long) v);
            } else if (v instanceof Double) {
                putByte(DOUBLE);
                putLong(Double.doubleToRawLongBits((Double) v));
            } else if (v instanceof Boolean) {
                putByte((Boolean) v ? TRUE : FALSE);
            } else if (v instanceof Byte) {
                putByte(BYTE);
                putByte((Byte) v);
            } else if (v instanceof Short) {
                putByte(SHORT);
                putShort((Short) v);
            } else if (v instanceof Character) {
                putByte(CHAR);
                putShort((short) ((Character) v).charValue());
            } else if (v instanceof Float) {
                putByte(FLOAT);
                putInt(Float.floatToRawIntBits((Float) v));
            } else if (v instanceof BigInteger) {
                putByte(BIG_INTEGER);
                putBytes(((BigInteger) v).toByteArray());
            } else if (v instanceof BigDecimal) {
                putByte(BIG_DECIMAL);
                putString(v.toString());
            } else if (v instanceof UUID) {
                putByte(UUID_TAG);
                putLong(((UUID) v).getMostSignificantBits());
                putLong(((UUID) v).getLeastSignificantBits());
            } else if (v instanceof Enum) {
                putByte(ENUM);
                putString(((Enum<?>) v).getDeclaringClass().getName());
                putString(((Enum<?>) v).name());
            } else if (timeKind(v) >= 0) {
                putByte(TIME);
                putByte(timeKind(v));
                putString(v.toString());
            } else if (v instanceof OptionalInt) {
                OptionalInt o = (OptionalInt) v;
                putByte(OPTIONAL_INT);
                putByte(o.isPresent() ? 1 : 0);
                if (o.isPresent()) {
                    putInt(o.getAsInt());
                }
            } else if (v instanceof OptionalLong) {
                OptionalLong o = (OptionalLong) v;
                putByte(OPTIONAL_LONG);
                putByte(o.isPresent() ? 1 : 0);
                if (o.isPresent()) {
                    putLong(o.getAsLong());
                }
            } else if (v instanceof OptionalDouble) {
                OptionalDouble o = (OptionalDouble) v;
                putByte(OPTIONAL_DOUBLE);
                putByte(o.isPresent() ? 1 : 0);
                if (o.isPresent()) {
                    putLong(Double.doubleToRawLongBits(o.getAsDouble()));
                }
            } else if (v instanceof Optional) {
                Optional<?> o = (Optional<?>) v;
                putByte(OPTIONAL);
                putByte(o.isPresent() ? 1 : 0);
                if (o.isPresent()) {
                    value(o.get(), depth + 1, path + ".get()");
                }
            } else if (v instanceof MessagePort) {
                int index = indexOf(ports, v);
                if (index < 0) {
                    throw new NotEncodable(path + ": a MessagePort that is not in the transfer list");
                }
                putByte(PORT);
                putInt(index);
            } else if (v instanceof ArrayBuffer) {
                if (!reference(v)) {
                    ArrayBuffer b = (ArrayBuffer) v;
                    putByte(ARRAY_BUFFER);
                    ByteBuffer bytes = b.asByteBuffer(); // over the buffer's own array: no copy here
                    int n = bytes.remaining();
                    putInt(n);
                    out.putBytes(position, bytes.array(), bytes.arrayOffset() + bytes.position(), n);
                    position += n;
                }
            } else if (registeredFor(v.getClass()) != null) {
                Registered r = registeredFor(v.getClass());
                Object form;
                try {
                    form = r.toWire.apply(v);
                } catch (RuntimeException e) {
                    throw new NotEncodable(path + ": the wire form of " + r.name + " failed: " + e);
                }
                putByte(REGISTERED);
                putString(r.name);
                value(form, depth + 1, path + "<" + r.name + ">");
            } else if (v.getClass().isRecord()) {
                record(v, depth, path);
            } else if (v.getClass().isArray()) {
                array(v, depth, path);
            } else if (v instanceof List) {
                list((List<?>) v, depth, path);
            } else if (v instanceof Set) {
                set((Set<?>) v, depth, path);
            } else if (v instanceof Map) {
                map((Map<?, ?>) v, depth, path);
            } else {
                throw new NotEncodable(path + ": " + v.getClass().getName() + " has no wire form");
            }
        }

        private void record(Object v, int depth, String path) {
            Integer id = seen().get(v);
            if (id != null) {
                putByte(BACK_REFERENCE);
                putInt(id);
                return;
            }
            if (recordsInProgress().put(v, Boolean.TRUE) != null) {
                throw new NotEncodable(path + ": a cycle through record " + v.getClass().getName());
            }
            RecordComponent[] components = v.getClass().getRecordComponents();
            putByte(RECORD);
            putString(v.getClass().getName());
            putInt(components.length);
            for (RecordComponent c : components) {
                Object component;
                try {
                    java.lang.reflect.Method accessor = c.getAccessor();
                    accessor.setAccessible(true);
                    component = accessor.invoke(v);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    throw new NotEncodable(path + "." + c.getName() + ": cannot read the component: " + e);
                }
                value(component, depth + 1, path + "." + c.getName());
            }
            recordsInProgress().remove(v);
            seen().put(v, seen().size()); // after its components, as the reader numbers it
        }

        private void array(Object v, int depth, String path) {
            if (reference(v)) {
                return;
            }
            Class<?> component = v.getClass().getComponentType();
            int length = Array.getLength(v);
            if (component.isPrimitive()) {
                putByte(PRIMITIVE_ARRAY);
                putByte(PRIMITIVES.indexOf(component));
                putInt(length);
                for (int i = 0; i < length; i++) {
                    Object e = Array.get(v, i);
                    if (component == boolean.class) {
                        putByte((Boolean) e ? 1 : 0);
                    } else if (component == byte.class) {
                        putByte((Byte) e);
                    } else if (component == short.class) {
                        putShort((Short) e);
                    } else if (component == char.class) {
                        putShort((short) ((Character) e).charValue());
                    } else if (component == int.class) {
                        putInt((Integer) e);
                    } else if (component == long.class) {
                        putLong((Long) e);
                    } else if (component == float.class) {
                        putInt(Float.floatToRawIntBits((Float) e));
                    } else {
                        putLong(Double.doubleToRawLongBits((Double) e));
                    }
                }
                return;
            }
            putByte(OBJECT_ARRAY);
            putString(component.getName());
            putInt(length);
            Object[] elements = (Object[]) v;
            for (int i = 0; i < length; i++) {
                value(elements[i], depth + 1, path + "[" + i + "]");
            }
        }

        private void list(List<?> v, int depth, String path) {
            if (reference(v)) {
                return;
            }
            putByte(LIST);
            Class<?> c = v.getClass();
            putByte(c == LinkedList.class ? LIST_LINKED : isUnmodifiable(c) ? LIST_UNMODIFIABLE : LIST_ARRAY);
            elements(v, depth, path);
        }

        private void set(Set<?> v, int depth, String path) {
            if (reference(v)) {
                return;
            }
            putByte(SET);
            Class<?> c = v.getClass();
            if (v instanceof EnumSet) {
                putByte(SET_ENUM);
                EnumSet<?> all = v.isEmpty() ? complementOf((EnumSet<?>) v) : (EnumSet<?>) v;
                if (all.isEmpty()) {
                    throw new NotEncodable(path + ": an EnumSet of an enum without constants");
                }
                putString(((Enum<?>) all.iterator().next()).getDeclaringClass().getName());
            } else if (c == HashSet.class) {
                putByte(SET_HASH);
            } else if (c == TreeSet.class) {
                naturalOrder(((TreeSet<?>) v).comparator(), path);
                putByte(SET_TREE);
            } else if (isUnmodifiable(c)) {
                if (v instanceof SortedSet) {
                    naturalOrder(((SortedSet<?>) v).comparator(), path);
                }
                putByte(v instanceof SortedSet ? SET_UNMODIFIABLE_SORTED : SET_UNMODIFIABLE);
            } else if (v instanceof SortedSet) {
                naturalOrder(((SortedSet<?>) v).comparator(), path);
                putByte(SET_TREE);
            } else {
                putByte(SET_LINKED);
            }
            elements(v, depth, path);
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private static EnumSet<?> complementOf(EnumSet<?> empty) {
            return EnumSet.complementOf((EnumSet) empty);
        }

        private void elements(Collection<?> v, int depth, String path) {
            putInt(v.size());
            int i = 0;
            for (Object e : v) {
                value(e, depth + 1, path + "[" + (v instanceof List ? "" : "#") + i + "]");
                i++;
            }
        }

        private void map(Map<?, ?> v, int depth, String path) {
            if (reference(v)) {
                return;
            }
            putByte(MAP);
            Class<?> c = v.getClass();
            if (v instanceof EnumMap) {
                if (v.isEmpty()) {
                    throw new NotEncodable(path + ": an empty EnumMap cannot name its key type");
                }
                putByte(MAP_ENUM);
                putString(((Enum<?>) v.keySet().iterator().next()).getDeclaringClass().getName());
            } else if (c == HashMap.class) {
                putByte(MAP_HASH);
            } else if (c == ConcurrentHashMap.class) {
                putByte(MAP_CONCURRENT);
            } else if (c == TreeMap.class) {
                naturalOrder(((TreeMap<?, ?>) v).comparator(), path);
                putByte(MAP_TREE);
            } else if (isUnmodifiable(c)) {
                if (v instanceof SortedMap) {
                    naturalOrder(((SortedMap<?, ?>) v).comparator(), path);
                }
                putByte(v instanceof SortedMap ? MAP_UNMODIFIABLE_SORTED : MAP_UNMODIFIABLE);
            } else if (v instanceof SortedMap) {
                naturalOrder(((SortedMap<?, ?>) v).comparator(), path);
                putByte(MAP_TREE);
            } else {
                putByte(MAP_LINKED);
            }
            putInt(v.size());
            int i = 0;
            for (Map.Entry<?, ?> e : v.entrySet()) {
                value(e.getKey(), depth + 1, path + "[key #" + i + "]");
                value(e.getValue(), depth + 1, path + "[#" + i + "]");
                i++;
            }
        }

        private static void naturalOrder(Object comparator, String path) {
            if (comparator != null) {
                throw new NotEncodable(path + ": a sorted collection with a comparator ("
                        + comparator.getClass().getName() + ") cannot cross processes");
            }
        }
    }

    private static boolean isUnmodifiable(Class<?> c) {
        String name = c.getName();
        return name.startsWith("java.util.ImmutableCollections$")
                || name.startsWith("java.util.Collections$Unmodifiable")
                || name.startsWith("java.util.Collections$Empty")
                || name.startsWith("java.util.Collections$Singleton");
    }

    private static int timeKind(Object v) {
        for (int i = 0; i < TIME_KINDS.size(); i++) {
            if (TIME_KINDS.get(i).isInstance(v)) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOf(List<MessagePort> ports, Object port) {
        for (int i = 0; i < ports.size(); i++) {
            if (ports.get(i) == port) {
                return i;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------------------------------- reading

    /** What {@link #decodeScalar} returns for a value that is not a scalar, or does not decode. */
    static final Object NOT_SCALAR = new Object();

    /**
     * Decodes a value of version {@link #VERSION} if it is a scalar: {@code null}, a boxed primitive or
     * a {@code String} (immutable values the core passes without copying); else, or if the bytes are
     * malformed, returns {@link #NOT_SCALAR} (the caller then hands them to {@link #decode} on the
     * receiving loop, where a malformed value is a {@code messageerror}).
     */
    static Object decodeScalar(DirectBuffer in, int offset, int length) {
        if (length < 2 || in.getByte(offset) != VERSION || in.getByte(offset + 1) < NULL
                || in.getByte(offset + 1) > STRING) {
            return NOT_SCALAR;
        }
        byte tag = in.getByte(offset + 1);
        int body = offset + 2;
        switch (tag) { // the fixed-width ones without a reader, as Reader.value reads them
            case NULL:
                return length == 2 ? null : NOT_SCALAR;
            case INT:
                return length == 6 ? (Object) in.getInt(body) : NOT_SCALAR;
            case LONG:
                return length == 10 ? (Object) in.getLong(body) : NOT_SCALAR;
            case DOUBLE:
                return length == 10 ? (Object) Double.longBitsToDouble(in.getLong(body)) : NOT_SCALAR;
            default:
                break;
        }
        try {
            return decode(in, offset, length, List.of(), null); // a scalar loads no class
        } catch (IllegalArgumentException malformed) {
            return NOT_SCALAR;
        }
    }

    /**
     * Reads the value encoded in {@code length} bytes at {@code offset} of {@code in}, with
     * {@code ports} standing for the port table and classes from {@code loader}.
     *
     * @throws IllegalArgumentException if the bytes are not a well-formed value of a known version
     */
    static Object decode(DirectBuffer in, int offset, int length, List<MessagePort> ports, ClassLoader loader) {
        Reader r = new Reader(in, offset, length, ports, loader);
        int version = r.getByte();
        if (version != VERSION) {
            throw new IllegalArgumentException("malformed: wire format version " + version + ", this reads "
                    + VERSION);
        }
        Object value = r.value(0);
        if (r.position != r.end) {
            throw new IllegalArgumentException("malformed: " + (r.end - r.position) + " bytes after the value");
        }
        return value;
    }

    private static final class Reader extends BoundedReader {
        private final List<MessagePort> ports;
        private final ClassLoader loader;
        /** Objects read so far, numbered for back references; made on first use (a scalar needs none). */
        private List<Object> seen;

        Reader(DirectBuffer in, int offset, int length, List<MessagePort> ports, ClassLoader loader) {
            super(in, offset, length);
            this.ports = ports;
            this.loader = loader;
        }

        Class<?> getClassNamed() {
            String name = getString();
            try {
                return Class.forName(name, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                throw new IllegalArgumentException("class " + name + " not found here", e);
            }
        }

        <T> T register(T o) {
            if (seen == null) {
                seen = new ArrayList<>();
            }
            seen.add(o);
            return o;
        }

        Object value(int depth) {
            if (depth > MAX_DEPTH) {
                throw new IllegalArgumentException("malformed: nested deeper than " + MAX_DEPTH);
            }
            int tag = getByte();
            switch (tag) {
                case NULL:
                    return null;
                case TRUE:
                    return Boolean.TRUE;
                case FALSE:
                    return Boolean.FALSE;
                case BYTE:
                    return (byte) getByte();
                case SHORT:
                    return getShort();
                case CHAR:
                    return (char) getShort();
                case INT:
                    return getInt();
                case LONG:
                    return getLong();
                case FLOAT:
                    return Float.intBitsToFloat(getInt());
                case DOUBLE:
                    return Double.longBitsToDouble(getLong());
                case STRING:
                    return getString();
                case BIG_INTEGER:
                    byte[] magnitude = getBytes();
                    if (magnitude.length == 0) {
                        throw new IllegalArgumentException("malformed: empty BigInteger");
                    }
                    return new BigInteger(magnitude);
                case BIG_DECIMAL:
                    return new BigDecimal(getString());
                case UUID_TAG:
                    return new UUID(getLong(), getLong());
                case ENUM:
                    return enumConstant(getClassNamed(), getString());
                case TIME:
                    return time(getByte(), getString());
                case OPTIONAL_INT:
                    return getByte() != 0 ? OptionalInt.of(getInt()) : OptionalInt.empty();
                case OPTIONAL_LONG:
                    return getByte() != 0 ? OptionalLong.of(getLong()) : OptionalLong.empty();
                case OPTIONAL_DOUBLE:
                    return getByte() != 0 ? OptionalDouble.of(Double.longBitsToDouble(getLong()))
                            : OptionalDouble.empty();
                case OPTIONAL:
                    return getByte() != 0 ? Optional.ofNullable(value(depth + 1)) : Optional.empty();
                case RECORD:
                    return record(depth);
                case OBJECT_ARRAY:
                    return objectArray(depth);
                case PRIMITIVE_ARRAY:
                    return primitiveArray();
                case LIST:
                    return list(depth);
                case SET:
                    return set(depth);
                case MAP:
                    return map(depth);
                case ARRAY_BUFFER:
                    return register(ArrayBuffer.wrap(getBytes()));
                case PORT:
                    int index = getInt();
                    if (index < 0 || index >= ports.size()) {
                        throw new IllegalArgumentException("malformed: port " + index + " of " + ports.size());
                    }
                    return ports.get(index);
                case REGISTERED: {
                    String name = getString();
                    Registered r = REGISTERED_BY_NAME.get(name);
                    if (r == null) {
                        throw new IllegalArgumentException("no wire form registered here for " + name);
                    }
                    Object form = value(depth + 1);
                    try {
                        return r.fromWire.apply(form);
                    } catch (RuntimeException e) {
                        throw new IllegalArgumentException("the wire form of " + name + " was refused: " + e, e);
                    }
                }
                case BACK_REFERENCE:
                    int id = getInt();
                    int count = seen == null ? 0 : seen.size();
                    if (id < 0 || id >= count) {
                        throw new IllegalArgumentException("malformed: reference " + id + " of " + count);
                    }
                    return seen.get(id);
                default:
                    throw new IllegalArgumentException("malformed: unknown tag " + tag);
            }
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private static Object enumConstant(Class<?> type, String name) {
            if (!type.isEnum()) {
                throw new IllegalArgumentException("malformed: " + type.getName() + " is not an enum");
            }
            return Enum.valueOf((Class) type, name);
        }

        private static Object time(int kind, String text) {
            switch (kind) {
                case 0: return Instant.parse(text);
                case 1: return LocalDate.parse(text);
                case 2: return LocalTime.parse(text);
                case 3: return LocalDateTime.parse(text);
                case 4: return OffsetDateTime.parse(text);
                case 5: return OffsetTime.parse(text);
                case 6: return ZonedDateTime.parse(text);
                case 7: return Duration.parse(text);
                case 8: return Period.parse(text);
                case 9: return Year.parse(text);
                case 10: return YearMonth.parse(text);
                case 11: return MonthDay.parse(text);
                case 12: return ZoneId.of(text);
                default: throw new IllegalArgumentException("malformed: unknown time kind " + kind);
            }
        }

        private Object record(int depth) {
            Class<?> type = getClassNamed();
            if (!type.isRecord()) {
                throw new IllegalArgumentException("malformed: " + type.getName() + " is not a record");
            }
            RecordComponent[] components = type.getRecordComponents();
            int count = getInt();
            if (count != components.length) {
                throw new IllegalArgumentException("record " + type.getName() + " has " + components.length
                        + " components here, " + count + " on the wire");
            }
            Class<?>[] types = new Class<?>[count];
            Object[] values = new Object[count];
            for (int i = 0; i < count; i++) {
                types[i] = components[i].getType();
                values[i] = value(depth + 1);
            }
            try {
                Constructor<?> canonical = type.getDeclaredConstructor(types);
                canonical.setAccessible(true);
                return register(canonical.newInstance(values));
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalArgumentException("cannot rebuild record " + type.getName() + ": " + e, e);
            }
        }

        private Object objectArray(int depth) {
            Class<?> component = getClassNamed();
            if (component.isPrimitive()) {
                throw new IllegalArgumentException("malformed: object array of " + component);
            }
            int length = getCount(1);
            Object[] array = (Object[]) register(Array.newInstance(component, length));
            for (int i = 0; i < length; i++) {
                Object e = value(depth + 1);
                if (e != null && !component.isInstance(e)) {
                    throw new IllegalArgumentException("malformed: " + e.getClass().getName() + " in a "
                            + component.getName() + "[]");
                }
                array[i] = e;
            }
            return array;
        }

        private Object primitiveArray() {
            int kind = getByte();
            if (kind < 0 || kind >= PRIMITIVES.size()) {
                throw new IllegalArgumentException("malformed: primitive kind " + kind);
            }
            Class<?> component = PRIMITIVES.get(kind);
            int width = component == boolean.class || component == byte.class ? 1
                    : component == short.class || component == char.class ? 2
                    : component == int.class || component == float.class ? 4 : 8;
            int length = getCount(width);
            Object array = register(Array.newInstance(component, length));
            for (int i = 0; i < length; i++) {
                if (component == boolean.class) {
                    ((boolean[]) array)[i] = getByte() != 0;
                } else if (component == byte.class) {
                    ((byte[]) array)[i] = (byte) getByte();
                } else if (component == short.class) {
                    ((short[]) array)[i] = getShort();
                } else if (component == char.class) {
                    ((char[]) array)[i] = (char) getShort();
                } else if (component == int.class) {
                    ((int[]) array)[i] = getInt();
                } else if (component == long.class) {
                    ((long[]) array)[i] = getLong();
                } else if (component == float.class) {
                    ((float[]) array)[i] = Float.intBitsToFloat(getInt());
                } else {
                    ((double[]) array)[i] = Double.longBitsToDouble(getLong());
                }
            }
            return array;
        }

        private Object list(int depth) {
            int kind = getByte();
            int size;
            switch (kind) {
                case LIST_ARRAY: {
                    size = getCount(1);
                    List<Object> list = register(new ArrayList<>(size));
                    fill(list, size, depth);
                    return list;
                }
                case LIST_LINKED: {
                    size = getCount(1);
                    List<Object> list = register(new LinkedList<>());
                    fill(list, size, depth);
                    return list;
                }
                case LIST_UNMODIFIABLE: {
                    size = getCount(1);
                    List<Object> inner = new ArrayList<>(size);
                    List<Object> view = register(Collections.unmodifiableList(inner));
                    fill(inner, size, depth); // the view is numbered first, so cycles reach it
                    return view;
                }
                default:
                    throw new IllegalArgumentException("malformed: list kind " + kind);
            }
        }

        private void fill(Collection<Object> c, int size, int depth) {
            for (int i = 0; i < size; i++) {
                c.add(value(depth + 1));
            }
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private Object set(int depth) {
            int kind = getByte();
            Set<Object> set;
            Set<Object> result;
            switch (kind) {
                case SET_HASH:
                    result = set = new HashSet<>();
                    break;
                case SET_LINKED:
                    result = set = new LinkedHashSet<>();
                    break;
                case SET_TREE:
                    result = set = new TreeSet<>();
                    break;
                case SET_ENUM: {
                    Class<?> type = getClassNamed();
                    if (!type.isEnum()) {
                        throw new IllegalArgumentException("malformed: EnumSet of " + type.getName());
                    }
                    result = set = EnumSet.noneOf((Class) type);
                    break;
                }
                case SET_UNMODIFIABLE:
                    set = new LinkedHashSet<>();
                    result = Collections.unmodifiableSet(set);
                    break;
                case SET_UNMODIFIABLE_SORTED: {
                    TreeSet<Object> tree = new TreeSet<>();
                    set = tree;
                    result = Collections.unmodifiableSortedSet(tree);
                    break;
                }
                default:
                    throw new IllegalArgumentException("malformed: set kind " + kind);
            }
            register(result);
            int size = getCount(1);
            try {
                fill(set, size, depth);
            } catch (ClassCastException e) {
                throw new IllegalArgumentException("malformed: set element of a wrong type: " + e.getMessage(), e);
            }
            return result;
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private Object map(int depth) {
            int kind = getByte();
            Map<Object, Object> map;
            Map<Object, Object> result;
            switch (kind) {
                case MAP_HASH:
                    result = map = new HashMap<>();
                    break;
                case MAP_LINKED:
                    result = map = new LinkedHashMap<>();
                    break;
                case MAP_TREE:
                    result = map = new TreeMap<>();
                    break;
                case MAP_ENUM: {
                    Class<?> type = getClassNamed();
                    if (!type.isEnum()) {
                        throw new IllegalArgumentException("malformed: EnumMap of " + type.getName());
                    }
                    result = map = new EnumMap(type);
                    break;
                }
                case MAP_CONCURRENT:
                    result = map = new ConcurrentHashMap<>();
                    break;
                case MAP_UNMODIFIABLE:
                    map = new LinkedHashMap<>();
                    result = Collections.unmodifiableMap(map);
                    break;
                case MAP_UNMODIFIABLE_SORTED: {
                    TreeMap<Object, Object> tree = new TreeMap<>();
                    map = tree;
                    result = Collections.unmodifiableSortedMap(tree);
                    break;
                }
                default:
                    throw new IllegalArgumentException("malformed: map kind " + kind);
            }
            register(result);
            int size = getCount(2);
            try {
                for (int i = 0; i < size; i++) {
                    Object key = value(depth + 1);
                    map.put(key, value(depth + 1));
                }
            } catch (ClassCastException | NullPointerException e) {
                throw new IllegalArgumentException("malformed: map entry not accepted: " + e, e);
            }
            return result;
        }
    }
}
