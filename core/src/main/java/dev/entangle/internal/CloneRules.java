package dev.entangle.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
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

import dev.entangle.ArrayBuffer;
import dev.entangle.MessagePort;
import dev.entangle.StructuredClone.Cloner;
import dev.entangle.StructuredClone.Codec;

/**
 * The clone rule of each class, decided once per class and cached in a {@link ClassValue}: the table in
 * the javadoc of {@code dev.entangle.StructuredClone}, as code. Each {@link Rule} copies one kind of
 * value through a {@link StructuredSerialize.Serializer}.
 *
 * <p>Any thread. Memory consistency effects: a registration <i>happens-before</i> every lookup that
 * starts after it returns (the cache is replaced through a volatile field).
 */
public final class CloneRules {
    /*
     * Implementation overview.
     *
     * `rules` is a ClassValue<Rule>: the JIT turns get() into a couple of loads, so the pass-by-reference
     * path costs one volatile read of `rules` plus that. A registration (rare, usually at start-up)
     * replaces the whole ClassValue, because a registration for one class can change the decision for
     * its subclasses and for every record with a component of that type; a lookup racing a
     * registration may still use the old decisions for the message it is cloning.
     *
     * Record decisions follow the declared component types; a record type that mentions itself
     * (record Node(int v, Node next)) is decided coinductively: the record under decision counts as
     * immutable while its own components are checked.
     */
    private CloneRules() {
    }

    /** The built-in pass-by-reference values: never marked, never registered. */
    static final Rule VALUE = new Share();
    /** Records of immutables and registered shareable types: by reference unless marked uncloneable. */
    static final Rule SHARED = new Share();

    private static final Set<Class<?>> VALUE_TYPES = Set.of(String.class, Integer.class, Long.class,
            Short.class, Byte.class, Character.class, Boolean.class, Float.class, Double.class,
            BigInteger.class, BigDecimal.class, UUID.class, Instant.class, LocalDate.class,
            LocalTime.class, LocalDateTime.class, OffsetDateTime.class, OffsetTime.class,
            ZonedDateTime.class, Duration.class, Period.class, Year.class, YearMonth.class,
            MonthDay.class, OptionalInt.class, OptionalLong.class, OptionalDouble.class);

    private static final Object SHAREABLE = new Object();
    private static final ConcurrentHashMap<Class<?>, Object> REGISTERED = new ConcurrentHashMap<>();
    private static volatile ClassValue<Rule> rules = newCache();

    private static ClassValue<Rule> newCache() {
        return new ClassValue<>() {
            @Override
            protected Rule computeValue(Class<?> type) {
                return decide(type);
            }
        };
    }

    /** The rule for values of exactly {@code type}. */
    static Rule of(Class<?> type) {
        // The commonest message classes without the ClassValue probe (a hash lookup, which was 15% of
        // a hop of the Scale ring): decide() answers VALUE for them before it looks at registrations.
        if (type == String.class || type == Integer.class || type == Long.class || type == Double.class
                || type == Boolean.class) {
            return VALUE;
        }
        return rules.get(type);
    }

    /** Built-in pass-by-reference classes (marks have no effect on them). */
    public static boolean isValueType(Class<?> type) {
        return VALUE_TYPES.contains(type) || Enum.class.isAssignableFrom(type)
                || ZoneId.class.isAssignableFrom(type);
    }

    /** Registers a {@link Cloner} or {@link Codec} for {@code type}. */
    public static void register(Class<?> type, Object handler) {
        checkRegistrable(type);
        REGISTERED.put(type, handler);
        rules = newCache();
    }

    public static void registerShareable(Class<?> type) {
        checkRegistrable(type);
        REGISTERED.put(type, SHAREABLE);
        rules = newCache();
    }

    private static void checkRegistrable(Class<?> type) {
        if (isValueType(type) || type == MessagePort.class || type == ArrayBuffer.class
                || type.isPrimitive() || type == Object.class) {
            throw new IllegalArgumentException(type.getName() + " has a built-in rule");
        }
    }

    private static Rule decide(Class<?> type) {
        if (isValueType(type)) {
            return VALUE;
        }
        if (type == MessagePort.class) {
            return new PortRule();
        }
        if (type == ArrayBuffer.class) {
            return new BufferRule();
        }
        Object registered = registration(type);
        if (registered == SHAREABLE) {
            return SHARED;
        }
        if (registered instanceof Cloner) {
            return new ClonerRule(type, (Cloner<?>) registered);
        }
        if (registered instanceof Codec) {
            return new CodecRule((Codec<?>) registered);
        }
        if (type.isRecord()) {
            return immutable(type, new ArrayDeque<>()) ? SHARED : RecordRule.of(type);
        }
        if (type.isArray()) {
            Class<?> component = type.getComponentType();
            return component.isPrimitive() ? new PrimitiveArrayRule()
                    : new ArrayRule(immutable(component, new ArrayDeque<>()));
        }
        if (type == Optional.class) {
            return new OptionalRule();
        }
        Rule collection = CollectionRule.of(type);
        return collection != null ? collection : new Reject(type.getName() + " is not cloneable");
    }

    /** The registration for {@code type}: its own, a superclass's, or an interface's (breadth first). */
    private static Object registration(Class<?> type) {
        if (REGISTERED.isEmpty()) {
            return null;
        }
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            Object r = REGISTERED.get(c);
            if (r != null) {
                return r;
            }
        }
        ArrayDeque<Class<?>> queue = new ArrayDeque<>();
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            Collections.addAll(queue, c.getInterfaces());
        }
        Set<Class<?>> seen = new HashSet<>();
        while (!queue.isEmpty()) {
            Class<?> i = queue.poll();
            if (seen.add(i)) {
                Object r = REGISTERED.get(i);
                if (r != null) {
                    return r;
                }
                Collections.addAll(queue, i.getInterfaces());
            }
        }
        return null;
    }

    /**
     * Whether every value of declared type {@code type} passes by reference: primitives, final value
     * types, enums, {@code ZoneId}, shareable registrations, and records of such components.
     * {@code BigInteger} and {@code BigDecimal} count although not final (a mutable subclass of them
     * would be perverse).
     */
    private static boolean immutable(Class<?> type, ArrayDeque<Class<?>> deciding) {
        if (type.isPrimitive() || isValueType(type)) {
            return true;
        }
        Object registered = registration(type);
        if (registered != null) {
            return registered == SHAREABLE;
        }
        if (!type.isRecord()) {
            return false;
        }
        if (deciding.contains(type)) {
            return true; // coinductive: the record under decision is assumed immutable
        }
        deciding.push(type);
        try {
            for (RecordComponent c : type.getRecordComponents()) {
                if (!immutable(c.getType(), deciding)) {
                    return false;
                }
            }
            return true;
        } finally {
            deciding.pop();
        }
    }

    /** How one kind of value is cloned. */
    abstract static class Rule {
        /**
         * Clones {@code value} (not null, not yet reached in this message). Whether the result needs
         * work on the receiver follows from the result itself ({@code s.needsReceiver}): a Deferred
         * placeholder, or a container copy left for the receiver to fill.
         */
        abstract Object serialize(Object value, StructuredSerialize.Serializer s);
    }

    private static final class Share extends Rule {
        @Override
        Object serialize(Object value, StructuredSerialize.Serializer s) {
            return value;
        }
    }

    private static final class Reject extends Rule {
        private final String reason;

        Reject(String reason) {
            this.reason = reason;
        }

        @Override
        Object serialize(Object value, StructuredSerialize.Serializer s) {
            throw new StructuredSerialize.CloneFailure(reason, null);
        }
    }

    private static final class PortRule extends Rule {
        @Override
        Object serialize(Object value, StructuredSerialize.Serializer s) {
            Object ref = s.transferred(value);
            if (ref == null) {
                throw new StructuredSerialize.CloneFailure(
                        "a MessagePort can only be sent in the transfer list", null);
            }
            return ref; // a PortRef: Deferred, the port object is made on the receiver
        }
    }

    private static final class BufferRule extends Rule {
        @Override
        Object serialize(Object value, StructuredSerialize.Serializer s) {
            Object moved = s.transferred(value);
            if (moved != null) {
                return moved; // complete: the receiver's buffer, filled when the transfer commits
            }
            BufferSlot slot = BufferSlot.of((ArrayBuffer) value);
            if (slot.isDetached()) {
                throw new StructuredSerialize.CloneFailure("ArrayBuffer is detached", null);
            }
            ArrayBuffer copy = BufferSlot.newBuffer(new BufferSlot(slot.bytes().clone()));
            s.remember(value, copy);
            return copy;
        }
    }

    private static final class PrimitiveArrayRule extends Rule {
        @Override
        Object serialize(Object value, StructuredSerialize.Serializer s) {
            Object copy;
            if (value instanceof byte[]) {
                copy = ((byte[]) value).clone();
            } else if (value instanceof int[]) {
                copy = ((int[]) value).clone();
            } else if (value instanceof long[]) {
                copy = ((long[]) value).clone();
            } else if (value instanceof double[]) {
                copy = ((double[]) value).clone();
            } else if (value instanceof char[]) {
                copy = ((char[]) value).clone();
            } else if (value instanceof float[]) {
                copy = ((float[]) value).clone();
            } else if (value instanceof short[]) {
                copy = ((short[]) value).clone();
            } else {
                copy = ((boolean[]) value).clone();
            }
            s.remember(value, copy);
            return copy;
        }
    }

    private static final class ArrayRule extends Rule {
        /** The component type passes by reference: a shallow copy is a deep one. */
        private final boolean shallow;

        ArrayRule(boolean shallow) {
            this.shallow = shallow;
        }

        @Override
        Object serialize(Object value, StructuredSerialize.Serializer s) {
            Object[] source = (Object[]) value;
            Object[] copy = source.clone();
            s.remember(value, copy);
            if (shallow && !s.marks) {
                return copy;
            }
            Object[] kids = new Object[source.length];
            boolean incomplete = false;
            for (int i = 0; i < source.length; i++) {
                try {
                    kids[i] = s.child(source[i]);
                } catch (StructuredSerialize.CloneFailure f) {
                    throw f.at("[" + i + "]");
                }
                incomplete |= s.needsReceiver(kids[i]);
            }
            if (incomplete) {
                Arrays.fill(copy, null); // filled on the receiver; keep no sender object reachable
            }
            s.finish(copy, copy, kids, StructuredSerialize.Fill.ARRAY, incomplete);
            return copy;
        }
    }

    private static final class OptionalRule extends Rule {
        @Override
        Object serialize(Object value, StructuredSerialize.Serializer s) {
            Optional<?> optional = (Optional<?>) value;
            if (optional.isEmpty()) {
                return value;
            }
            Object inner = optional.get();
            Object copy;
            try {
                copy = s.child(inner);
            } catch (StructuredSerialize.CloneFailure f) {
                throw f.at(".get()");
            }
            if (s.needsReceiver(copy)) {
                return new StructuredSerialize.DeferredOptional(copy);
            }
            return copy == inner ? value : Optional.of(copy);
        }
    }

    private static final class ClonerRule extends Rule {
        private final Class<?> type;
        private final Cloner<Object> cloner;

        @SuppressWarnings("unchecked")
        ClonerRule(Class<?> type, Cloner<?> cloner) {
            this.type = type;
            this.cloner = (Cloner<Object>) cloner;
        }

        @Override
        Object serialize(Object value, StructuredSerialize.Serializer s) {
            Object copy;
            try {
                copy = cloner.clone(value, s);
            } catch (StructuredSerialize.CloneFailure f) {
                throw f;
            } catch (RuntimeException | Error e) {
                throw new StructuredSerialize.CloneFailure("the cloner of " + type.getName()
                        + " failed: " + e, userFailure(e));
            }
            s.remember(value, copy); // complete: a Cloner's value cannot hold a Deferred (Serializer.clone)
            return copy;
        }
    }

    /**
     * What a cloner or codec threw on the sender, as the cause of the DataCloneError it becomes: any
     * exception or Error (an AssertionError is a bug in the callback, not in the sender), except the
     * VirtualMachineErrors that leave the JVM in doubt, which propagate as they are.
     */
    static Throwable userFailure(Throwable e) {
        if (LoopCore.isFatal(e)) {
            throw (VirtualMachineError) e;
        }
        return e;
    }

    private static final class CodecRule extends Rule {
        private final Codec<Object> codec;

        @SuppressWarnings("unchecked")
        CodecRule(Codec<?> codec) {
            this.codec = (Codec<Object>) codec;
        }

        @Override
        Object serialize(Object value, StructuredSerialize.Serializer s) {
            Object form;
            try {
                form = codec.serialize(value, s);
            } catch (StructuredSerialize.CloneFailure f) {
                throw f;
            } catch (dev.entangle.DOMException e) {
                throw new StructuredSerialize.CloneFailure(e.getMessage(), e);
            } catch (RuntimeException | Error e) {
                throw new StructuredSerialize.CloneFailure("the codec of " + value.getClass().getName()
                        + " failed: " + e, userFailure(e));
            }
            Object deferred = new StructuredSerialize.CodecForm(codec, form);
            s.remember(value, deferred);
            return deferred;
        }
    }

    /** Records: read through accessors, rebuilt through the canonical constructor. */
    static final class RecordRule extends Rule {
        private final Class<?> type;
        private final String[] names;
        private final MethodHandle[] getters; // (Object)Object
        /** Components whose declared type passes by reference: never cloned, only read to rebuild. */
        private final boolean[] fixed;
        private final MethodHandle constructor; // (Object[])Object

        private RecordRule(Class<?> type, String[] names, MethodHandle[] getters, boolean[] fixed,
                MethodHandle constructor) {
            this.type = type;
            this.names = names;
            this.getters = getters;
            this.fixed = fixed;
            this.constructor = constructor;
        }

        static Rule of(Class<?> type) {
            RecordComponent[] components = type.getRecordComponents();
            int n = components.length;
            String[] names = new String[n];
            MethodHandle[] getters = new MethodHandle[n];
            boolean[] fixed = new boolean[n];
            Class<?>[] types = new Class<?>[n];
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            try {
                for (int i = 0; i < n; i++) {
                    names[i] = "." + components[i].getName();
                    types[i] = components[i].getType();
                    fixed[i] = immutable(types[i], new ArrayDeque<>());
                    Method accessor = components[i].getAccessor();
                    if (!accessor.trySetAccessible()) {
                        return inaccessible(type);
                    }
                    getters[i] = lookup.unreflect(accessor)
                            .asType(MethodType.methodType(Object.class, Object.class));
                }
                Constructor<?> canonical = type.getDeclaredConstructor(types);
                if (!canonical.trySetAccessible()) {
                    return inaccessible(type);
                }
                MethodHandle constructor = lookup.unreflectConstructor(canonical)
                        .asType(MethodType.genericMethodType(n))
                        .asSpreader(Object[].class, n);
                return new RecordRule(type, names, getters, fixed, constructor);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return new Reject("record " + type.getName() + " cannot be reflected: " + e);
            }
        }

        private static Rule inaccessible(Class<?> type) {
            return new Reject("record " + type.getName() + " is not accessible to module dev.entangle"
                    + " (make it public in an exported package, or open its package to dev.entangle)");
        }

        @Override
        Object serialize(Object value, StructuredSerialize.Serializer s) {
            s.remember(value, StructuredSerialize.Serializer.IN_PROGRESS);
            int n = getters.length;
            Object[] values = new Object[n];
            boolean changed = false;
            boolean incomplete = false;
            for (int i = 0; i < n; i++) {
                Object component = read(i, value);
                values[i] = component;
                if (!fixed[i]) {
                    Object copy;
                    try {
                        copy = s.child(component);
                    } catch (StructuredSerialize.CloneFailure f) {
                        throw f.at(names[i]);
                    }
                    incomplete |= s.needsReceiver(copy);
                    changed |= copy != component;
                    values[i] = copy;
                }
            }
            Object result;
            if (!changed) {
                result = value;
            } else if (incomplete) {
                result = new StructuredSerialize.DeferredRecord(this, values);
            } else {
                result = construct(values);
            }
            s.remember(value, result);
            return result;
        }

        private Object read(int i, Object record) {
            try {
                return (Object) getters[i].invokeExact(record);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new StructuredSerialize.CloneFailure("accessor " + names[i] + " of " + type.getName()
                        + " failed: " + t, t);
            }
        }

        /** Builds the record; on the sender (a failure is a DataCloneError) or the receiver. */
        Object construct(Object[] values) {
            try {
                return (Object) constructor.invokeExact(values);
            } catch (Throwable t) {
                throw new StructuredSerialize.CloneFailure("the canonical constructor of " + type.getName()
                        + " failed: " + t, t);
            }
        }
    }

    /** Lists, sets and maps of the JDK. */
    static final class CollectionRule extends Rule {
        private enum Kind {
            ARRAY_LIST, LINKED_LIST, UNMODIFIABLE_LIST,
            HASH_SET, LINKED_SET, TREE_SET, UNMODIFIABLE_SET, UNMODIFIABLE_SORTED_SET, ENUM_SET,
            HASH_MAP, LINKED_MAP, TREE_MAP, UNMODIFIABLE_MAP, UNMODIFIABLE_SORTED_MAP, ENUM_MAP,
            CONCURRENT_MAP
        }

        /**
         * The JDK's unmodifiable collection classes, exactly (they are not public, so they are taken
         * from instances of every factory that makes them): their clones are unmodifiable too. Any
         * other non-public JDK collection (a view: Arrays.asList, subList, keySet, a synchronized or
         * checked wrapper) arrives as a plain mutable copy of its kind.
         */
        private static final Set<Class<?>> UNMODIFIABLE = unmodifiableTypes();

        private static Set<Class<?>> unmodifiableTypes() {
            List<Object> samples = List.of(
                    List.of(), List.of(1), List.of(1, 2, 3), List.of(1, 2, 3).subList(0, 2),
                    Collections.unmodifiableList(new ArrayList<>()),
                    Collections.unmodifiableList(new LinkedList<>()),
                    Collections.emptyList(), Collections.singletonList(1),
                    Set.of(), Set.of(1), Set.of(1, 2, 3),
                    Collections.unmodifiableSet(new HashSet<>()),
                    Collections.unmodifiableSortedSet(new TreeSet<>()),
                    Collections.unmodifiableNavigableSet(new TreeSet<>()),
                    Collections.emptySet(), Collections.emptySortedSet(), Collections.emptyNavigableSet(),
                    Collections.singleton(1),
                    Collections.unmodifiableMap(new HashMap<>()).entrySet(),
                    Map.of(), Map.of(1, 1), Map.of(1, 1, 2, 2, 3, 3),
                    Collections.unmodifiableMap(new HashMap<>()),
                    Collections.unmodifiableSortedMap(new TreeMap<>()),
                    Collections.unmodifiableNavigableMap(new TreeMap<>()),
                    Collections.emptyMap(), Collections.emptySortedMap(), Collections.emptyNavigableMap(),
                    Collections.singletonMap(1, 1));
            Set<Class<?>> types = new HashSet<>();
            for (Object sample : samples) {
                types.add(sample.getClass());
            }
            return Set.copyOf(types);
        }

        private final Kind kind;

        private CollectionRule(Kind kind) {
            this.kind = kind;
        }

        static Rule of(Class<?> type) {
            Kind kind = kindOf(type);
            return kind == null ? null : new CollectionRule(kind);
        }

        private static Kind kindOf(Class<?> type) {
            if (type.getModule() != Object.class.getModule()) {
                return null; // not a java.base class: user implementations need a registration
            }
            boolean listed = Modifier.isPublic(type.getModifiers());
            boolean unmodifiable = !listed && UNMODIFIABLE.contains(type);
            if (List.class.isAssignableFrom(type)) {
                if (type == ArrayList.class) {
                    return Kind.ARRAY_LIST;
                }
                if (type == LinkedList.class) {
                    return Kind.LINKED_LIST;
                }
                return listed ? null : unmodifiable ? Kind.UNMODIFIABLE_LIST : Kind.ARRAY_LIST;
            }
            if (Set.class.isAssignableFrom(type)) {
                if (type == HashSet.class) {
                    return Kind.HASH_SET;
                }
                if (type == LinkedHashSet.class) {
                    return Kind.LINKED_SET;
                }
                if (type == TreeSet.class) {
                    return Kind.TREE_SET;
                }
                if (EnumSet.class.isAssignableFrom(type)) {
                    return Kind.ENUM_SET;
                }
                if (listed) {
                    return null;
                }
                boolean sorted = SortedSet.class.isAssignableFrom(type);
                return unmodifiable ? (sorted ? Kind.UNMODIFIABLE_SORTED_SET : Kind.UNMODIFIABLE_SET)
                        : (sorted ? Kind.TREE_SET : Kind.LINKED_SET);
            }
            if (Map.class.isAssignableFrom(type)) {
                if (type == HashMap.class) {
                    return Kind.HASH_MAP;
                }
                if (type == LinkedHashMap.class) {
                    return Kind.LINKED_MAP;
                }
                if (type == TreeMap.class) {
                    return Kind.TREE_MAP;
                }
                if (type == EnumMap.class) {
                    return Kind.ENUM_MAP;
                }
                if (type == ConcurrentHashMap.class) {
                    return Kind.CONCURRENT_MAP;
                }
                if (listed) {
                    return null;
                }
                boolean sorted = SortedMap.class.isAssignableFrom(type);
                return unmodifiable ? (sorted ? Kind.UNMODIFIABLE_SORTED_MAP : Kind.UNMODIFIABLE_MAP)
                        : (sorted ? Kind.TREE_MAP : Kind.LINKED_MAP);
            }
            return null;
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        Object serialize(Object value, StructuredSerialize.Serializer s) {
            // The copy is made (empty) and remembered before its elements, so cycles reach it.
            Object inner;
            Object outer;
            switch (kind) {
                case ARRAY_LIST:
                case UNMODIFIABLE_LIST:
                    inner = new ArrayList<>(((Collection<?>) value).size());
                    outer = kind == Kind.ARRAY_LIST ? inner : Collections.unmodifiableList((List) inner);
                    break;
                case LINKED_LIST:
                    inner = outer = new LinkedList<>();
                    break;
                case HASH_SET:
                    inner = outer = new HashSet<>(capacity(((Collection<?>) value).size()));
                    break;
                case LINKED_SET:
                case UNMODIFIABLE_SET:
                    inner = new LinkedHashSet<>(capacity(((Collection<?>) value).size()));
                    outer = kind == Kind.LINKED_SET ? inner : Collections.unmodifiableSet((Set) inner);
                    break;
                case TREE_SET:
                case UNMODIFIABLE_SORTED_SET:
                    inner = new TreeSet<>(((SortedSet) value).comparator());
                    outer = kind == Kind.TREE_SET ? inner
                            : Collections.unmodifiableSortedSet((SortedSet) inner);
                    break;
                case ENUM_SET:
                    // Elements are enum constants (never marked, never copied): complete at once.
                    Object set = ((EnumSet) value).clone();
                    s.remember(value, set);
                    return set;
                case HASH_MAP:
                    inner = outer = new HashMap<>(capacity(((Map<?, ?>) value).size()));
                    break;
                case LINKED_MAP:
                case UNMODIFIABLE_MAP:
                    inner = new LinkedHashMap<>(capacity(((Map<?, ?>) value).size()));
                    outer = kind == Kind.LINKED_MAP ? inner : Collections.unmodifiableMap((Map) inner);
                    break;
                case TREE_MAP:
                case UNMODIFIABLE_SORTED_MAP:
                    inner = new TreeMap<>(((SortedMap) value).comparator());
                    outer = kind == Kind.TREE_MAP ? inner
                            : Collections.unmodifiableSortedMap((SortedMap) inner);
                    break;
                case ENUM_MAP:
                    EnumMap enumMap = new EnumMap((EnumMap) value);
                    enumMap.clear(); // keeps the key type, which an empty EnumMap cannot give
                    inner = outer = enumMap;
                    break;
                case CONCURRENT_MAP:
                    inner = outer = new ConcurrentHashMap<>(capacity(((Map<?, ?>) value).size()));
                    break;
                default:
                    throw new AssertionError(kind);
            }
            s.remember(value, outer);
            if (value instanceof Map) {
                serializeMap((Map<?, ?>) value, inner, outer, s);
            } else {
                serializeCollection((Collection<?>) value, inner, outer, s);
            }
            return outer;
        }

        private static void serializeCollection(Collection<?> source, Object inner, Object outer,
                StructuredSerialize.Serializer s) {
            Object[] kids = source.toArray();
            boolean incomplete = false;
            boolean list = source instanceof List;
            for (int i = 0; i < kids.length; i++) {
                try {
                    kids[i] = s.child(kids[i]);
                } catch (StructuredSerialize.CloneFailure f) {
                    throw f.at(list ? "[" + i + "]" : "[#" + i + "]");
                }
                incomplete |= s.needsReceiver(kids[i]);
            }
            s.finish(inner, outer, kids, StructuredSerialize.Fill.COLLECTION, incomplete);
        }

        private static void serializeMap(Map<?, ?> source, Object inner, Object outer,
                StructuredSerialize.Serializer s) {
            Object[] kids = new Object[source.size() * 2];
            int n = 0;
            boolean incomplete = false;
            for (Map.Entry<?, ?> e : source.entrySet()) {
                if (n == kids.length) {
                    kids = Arrays.copyOf(kids, n * 2 + 2); // a concurrent map grew meanwhile
                }
                Object key = e.getKey();
                try {
                    kids[n] = s.child(key);
                } catch (StructuredSerialize.CloneFailure f) {
                    throw f.at("[key #" + n / 2 + "]");
                }
                incomplete |= s.needsReceiver(kids[n]);
                try {
                    kids[n + 1] = s.child(e.getValue());
                } catch (StructuredSerialize.CloneFailure f) {
                    throw f.at(valueSegment(key, n / 2));
                }
                incomplete |= s.needsReceiver(kids[n + 1]);
                n += 2;
            }
            if (n != kids.length) {
                kids = Arrays.copyOf(kids, n);
            }
            s.finish(inner, outer, kids, StructuredSerialize.Fill.MAP, incomplete);
        }

        /**
         * The path segment of a map value: {@code ["key"]} for a string key, {@code [key]} for a
         * number, boolean, character or enum key, {@code [#i]} (the entry's position) otherwise.
         */
        private static String valueSegment(Object key, int index) {
            if (key instanceof String) {
                return "[\"" + key + "\"]";
            }
            if (key instanceof Number || key instanceof Boolean || key instanceof Character
                    || key instanceof Enum) {
                return "[" + key + "]";
            }
            return "[#" + index + "]";
        }

        private static int capacity(int size) {
            return size < 3 ? 4 : (int) (size / 0.75f) + 1;
        }
    }
}
