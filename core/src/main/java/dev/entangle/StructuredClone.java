package dev.entangle;

import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.entangle.internal.CloneRules;
import dev.entangle.internal.Marks;
import dev.entangle.internal.TransferSteps;

/**
 * Structured clone of Java values (HTML {@code #structuredserializewithtransfer} and
 * StructuredDeserializeWithTransfer, made for Java): the rules every {@code postMessage} applies to its
 * message, {@link #structuredClone(Object)} like the JavaScript global, and the SPI through which user
 * types and foreign value models (a JavaScript engine) take part.
 *
 * <p>A receiver never shares mutable state with the sender by accident: a value is either passed by
 * reference because it cannot change, or copied (deeply, on the sender's thread, inside
 * {@code postMessage}), or moved (an {@link ArrayBuffer} or {@link MessagePort} in the transfer list),
 * or rejected with a {@code DataCloneError} {@link DOMException}. Java serialization is never used.
 * Values nested deeper than 1,000 levels (containers, records, optionals, codec forms) are a
 * {@code DataCloneError} on the sender, whatever its stack, so that the receiving loop can always
 * rebuild what its sender accepted.
 *
 * <h2>The rules</h2>
 * <table>
 * <caption>How each kind of value crosses</caption>
 * <tr><th>value</th><th>arrives as</th></tr>
 * <tr><td>{@code null}, {@code String}, boxed primitives, {@code BigInteger}, {@code BigDecimal}, enums,
 * {@code UUID}, immutable {@code java.time} values ({@code Instant}, {@code LocalDate}, {@code LocalTime},
 * {@code LocalDateTime}, {@code OffsetDateTime}, {@code OffsetTime}, {@code ZonedDateTime},
 * {@code Duration}, {@code Period}, {@code Year}, {@code YearMonth}, {@code MonthDay}, {@code ZoneId}),
 * {@code OptionalInt} / {@code OptionalLong} / {@code OptionalDouble}</td>
 * <td>the same object (zero copy)</td></tr>
 * <tr><td>a record whose component types are all of the kinds above, primitives, enums, shareable types
 * or such records (decided once per record class, from the declared component types)</td>
 * <td>the same object</td></tr>
 * <tr><td>a record with other components</td><td>the same object if every component value passes by
 * reference; otherwise a new record built with its canonical constructor from the cloned components</td></tr>
 * <tr><td>arrays (primitive and object)</td><td>a copy of the same array class</td></tr>
 * <tr><td>{@code ArrayList}, {@code LinkedList}, {@code HashSet}, {@code LinkedHashSet},
 * {@code TreeSet}, {@code EnumSet}, {@code HashMap}, {@code LinkedHashMap}, {@code TreeMap},
 * {@code EnumMap}, {@code ConcurrentHashMap}</td><td>a copy of the same class; iteration order kept;
 * sorted ones keep their comparator (the comparator object itself is shared: comparators are expected
 * to be stateless)</td></tr>
 * <tr><td>the JDK's unmodifiable collections ({@code List.of}, {@code Set.copyOf},
 * {@code Collections.unmodifiableMap}, empty and singleton ones)</td><td>an unmodifiable copy (nulls
 * allowed, iteration order kept; sorted stays sorted)</td></tr>
 * <tr><td>other non-public JDK lists, sets and maps (views, {@code Arrays.asList}, synchronized and
 * checked wrappers)</td><td>a copy as {@code ArrayList}, {@code LinkedHashSet} / {@code TreeSet},
 * {@code LinkedHashMap} / {@code TreeMap}</td></tr>
 * <tr><td>{@code Optional}</td><td>the same object, or {@code Optional.of} the cloned value</td></tr>
 * <tr><td>{@link ArrayBuffer} only in the data</td><td>a new buffer with a copy of the bytes</td></tr>
 * <tr><td>{@link ArrayBuffer} also in the transfer list</td><td>a new buffer over the same bytes (no
 * copy); the sender's buffer is detached</td></tr>
 * <tr><td>{@link MessagePort} in the transfer list</td><td>a new port owned by the receiving loop</td></tr>
 * <tr><td>a type with a {@link #registerCloner registered cloner}</td><td>what the cloner returns</td></tr>
 * <tr><td>a type with a {@link #registerCodec registered codec}</td><td>what the codec's
 * {@code deserialize} returns, on the receiving loop</td></tr>
 * <tr><td>a {@link #registerShareable shareable} type</td><td>the same object</td></tr>
 * <tr><td>anything else (other classes, other public collection classes, user subclasses of
 * collections, a port not in the transfer list, a detached buffer, an object
 * {@linkplain #markAsUncloneable marked uncloneable})</td><td>{@code DataCloneError}, naming the class
 * and its path: {@code data.items[3].owner: java.lang.Thread is not cloneable}</td></tr>
 * </table>
 *
 * <p>The object graph is preserved: an object reached twice in one message arrives as one copy reached
 * twice, and cycles are allowed (except a cycle through a record, which a canonical constructor cannot
 * build: {@code DataCloneError}). Registrations apply to the registered class and its subclasses (and
 * implementations, for an interface); the most specific registration wins, a class before its
 * interfaces. Path segments in error messages: {@code .name} for a record component, {@code [i]} for a
 * list or array element, {@code ["key"]} for a map value (or {@code [#i]}, the entry's position),
 * {@code [key #i]} for a map key, {@code [#i]} for a set element, {@code .get()} for an optional.
 *
 * <h2>Opting in</h2>
 * <pre>{@code
 * StructuredClone.registerShareable(Money.class);                  // immutable: pass by reference
 * StructuredClone.registerCloner(Account.class, (a, ctx) ->         // mutable: copy on the sender
 *         new Account(a.owner(), ctx.clone(a.history(), ".history")));
 * StructuredClone.registerCodec(Value.class, jsCodec);              // foreign values: see Codec
 * StructuredClone.markAsUncloneable(secret);                        // never leaves this thread
 * }</pre>
 *
 * <h2>Records and modules</h2>
 * Records are read through their accessors and rebuilt through their canonical constructor by
 * reflection. That works for records on the class path, for public records in exported packages, and
 * for records in packages opened to {@code dev.entangle} ({@code opens my.pkg to dev.entangle;} in the
 * user's {@code module-info}). Any other record is a {@code DataCloneError} that says so.
 *
 * <h2>Cost</h2>
 * Values that pass by reference cost a per-class lookup (a {@link ClassValue}) and nothing else: no
 * allocation. Copies allocate the copies, plus an identity map once a mutable container or record is
 * met. The receiving loop does no work unless the message carries ports or values whose cloner or codec
 * has a receiver-side step.
 *
 * <p>Threads: every method may be called from any thread; registrations and marks are global to the
 * JVM (the class loader of this library). Memory consistency effects: a registration or mark
 * <i>happens-before</i> every clone that starts after it returns.
 */
public final class StructuredClone {
    private StructuredClone() {
    }

    /**
     * Clones {@code value} by the rules above, on the calling thread (the JavaScript
     * {@code structuredClone(value)}).
     *
     * @param <T> the type of the value
     * @param value the value to clone
     * @return the clone
     * @throws DOMException DataCloneError if the value cannot be cloned
     * @throws RuntimeException whatever a codec's {@code deserialize} step throws
     */
    @SuppressWarnings("unchecked")
    public static <T> T structuredClone(T value) {
        // No transfer list: the seam alone, as postMessage without transfers uses it.
        return (T) dev.entangle.internal.StructuredSerialize.deserialize(
                dev.entangle.internal.StructuredSerialize.serialize(value, null), List.of());
    }

    /**
     * Clones {@code value}, transferring the entries of {@code options.transfer()} (the JavaScript
     * {@code structuredClone(value, {transfer})}): each transferred {@link ArrayBuffer} is moved into
     * the clone and detached here; each transferred {@link MessagePort} arrives in the clone as a new
     * port owned by the loop running on the calling thread, or by {@link EventLoop#common()} off any
     * loop. A bad transfer list is a {@code DataCloneError} that detaches nothing.
     *
     * @param <T> the type of the value
     * @param value the value to clone
     * @param options the options; the entries of their {@code transfer()} list are transferred
     * @return the clone
     * @throws DOMException DataCloneError if the value or the transfer list is rejected
     * @throws NullPointerException if {@code options} is null
     */
    @SuppressWarnings("unchecked")
    public static <T> T structuredClone(T value, StructuredSerializeOptions options) {
        Objects.requireNonNull(options, "options");
        TransferSteps.Shipment shipment =
                TransferSteps.ship(value, options.transfer(), MessagePort::handleOf, null);
        EventLoop current = EventLoop.current();
        List<MessagePort> ports = MessagePort.adopt(current != null ? current : EventLoop.common(),
                shipment.ports);
        try {
            return (T) dev.entangle.internal.StructuredSerialize.deserialize(shipment.payload, ports);
        } catch (Throwable e) {
            if (MessagePort.recoverable(e)) {
                ports.forEach(MessagePort::close); // an Error from a codec too: their far sides get close
            }
            throw e;
        }
    }

    /**
     * Registers {@code cloner} for {@code type} and its subtypes: it makes the copy, on the sender's
     * thread. Replaces an earlier registration for the same type.
     *
     * @param <T> the type of the value
     * @param type the class whose values (and its subtypes' values) this applies to
     * @param cloner makes the copies
     * @throws IllegalArgumentException if {@code type} is one of the built-in pass-by-reference types,
     *     {@code MessagePort} or {@code ArrayBuffer}
     */
    public static <T> void registerCloner(Class<T> type, Cloner<T> cloner) {
        CloneRules.register(type, Objects.requireNonNull(cloner, "cloner"));
    }

    /**
     * Registers {@code codec} for {@code type} and its subtypes: a host's own value model (for example
     * a JavaScript engine's values). The message carries whatever the codec's {@code serialize}
     * produced on the sender's thread; its {@code deserialize} runs on the receiving loop, and if it
     * throws there, the port fires {@code messageerror} instead of {@code message}.
     *
     * @param <T> the type of the value
     * @param type the class whose values (and its subtypes' values) this applies to
     * @param codec serializes the values on the sender and deserializes them on the receiving loop
     * @throws IllegalArgumentException as for {@link #registerCloner}
     */
    public static <T> void registerCodec(Class<T> type, Codec<T> codec) {
        CloneRules.register(type, Objects.requireNonNull(codec, "codec"));
    }

    /**
     * Declares {@code type} and its subtypes immutable and safe to share between threads: their values
     * pass by reference, and records with components of this type may too.
     *
     * @param type the class whose values (and its subtypes' values) this applies to
     * @throws IllegalArgumentException as for {@link #registerCloner}
     */
    public static void registerShareable(Class<?> type) {
        CloneRules.registerShareable(type);
    }

    /**
     * Node's {@code markAsUntransferable}: {@code object} in a transfer list is then a
     * {@code DataCloneError}, and an {@link ArrayBuffer}'s own {@link ArrayBuffer#transfer()} throws
     * {@code IllegalStateException}. An {@code ArrayBuffer} so marked can still be copied in the data.
     * No effect on values that pass by reference (strings, boxed primitives, …). The mark holds
     * {@code object} weakly.
     *
     * @param object the object to mark
     */
    public static void markAsUntransferable(Object object) {
        if (object != null && !CloneRules.isValueType(object.getClass())) {
            Marks.markUntransferable(object);
        }
    }

    /**
     * Node's {@code isMarkedAsUntransferable}.
     *
     * @param object the object to check
     * @return whether {@code object} was marked with {@link #markAsUntransferable}
     */
    public static boolean isMarkedAsUntransferable(Object object) {
        return object != null && Marks.isUntransferable(object);
    }

    /**
     * Node's {@code markAsUncloneable}: {@code object} anywhere in a message (or a
     * {@link #structuredClone} argument) is then a {@code DataCloneError}. No effect on values that
     * pass by reference as built-ins (strings, boxed primitives, enums, …); it does apply to records,
     * shareable types, collections and {@link ArrayBuffer}s. The mark holds {@code object} weakly.
     *
     * @param object the object to mark
     */
    public static void markAsUncloneable(Object object) {
        if (object != null && !CloneRules.isValueType(object.getClass())) {
            Marks.markUncloneable(object);
        }
    }

    /**
     * Makes the copy of a value of a registered type, on the sender's thread. It must return an object
     * that shares no mutable state with {@code value} (or {@code value} itself, if it is in fact
     * immutable), and may clone nested values with {@link CloneContext#clone}. A Cloner that throws
     * makes the post a {@code DataCloneError} with its exception as the cause.
     *
     * <p>Called on the posting thread, possibly concurrently for different messages: must be
     * thread-safe.
     *
     * @param <T> the registered type
     */
    @FunctionalInterface
    public interface Cloner<T> {
        /**
         * Makes the copy of {@code value}.
         *
         * @param value the value to copy
         * @param context clones nested values of the same message
         * @return the copy, or {@code value} itself if it is in fact immutable
         */
        T clone(T value, CloneContext context);
    }

    /** Given to a {@link Cloner}: clones nested values with the same rules and graph. */
    public interface CloneContext {
        /**
         * Clones {@code value} as part of the same message: an object already reached in this message
         * gives the same copy. The value must be complete on the sender's side: a transferred
         * {@code MessagePort}, or a value of a type with a {@link Codec}, inside a Cloner's value is a
         * {@code DataCloneError} (use a Codec for such types).
         *
         * @param <V> the type of the value
         * @param value the nested value
         * @param pathSegment appended to the path in error messages, e.g. {@code ".owner"} or
         *     {@code "[3]"}
         * @return the copy (the same copy for an object already reached in this message)
         */
        <V> V clone(V value, String pathSegment);
    }

    /**
     * A host's value model on the wire: {@link #serialize} on the sender's thread turns a value into a
     * form that shares no mutable state with the sender (the port carries it as it is);
     * {@link #deserialize} on the receiving loop turns the form into the receiver's value. Nested
     * values that the built-in rules handle (Java collections, transferred ports and buffers) go
     * through {@link SerializeContext#serialize}, which returns a form to embed, and come back through
     * {@link DeserializeContext#deserialize}.
     *
     * <p>How a JavaScript host uses it: it registers a Codec for its engine's value class and walks the
     * script's object graph itself (its own identity table in {@link SerializeContext#messageState()}
     * keeps cycles and shared references across calls). For {@code postMessage(value, [jsBuffer])} it
     * wraps the JS buffer's bytes in an {@link ArrayBuffer}, puts that in the Java transfer list, and
     * embeds {@code context.serialize(thatBuffer, …)}; on the receiving loop
     * {@link DeserializeContext#deserialize} gives the moved buffer, whose {@link ArrayBuffer#asByteBuffer()}
     * backs the new JS buffer. {@link EventLoop#current()} in {@link #deserialize} is the receiving loop
     * (the caller's loop for {@link StructuredClone#structuredClone}), so the host can find its engine
     * context there.
     *
     * <p>Must be thread-safe: several threads may serialize, and several loops deserialize, at once.
     *
     * @param <T> the registered type
     */
    public interface Codec<T> {
        /**
         * Sender's thread. Throwing makes the post a {@code DataCloneError} (a {@code DOMException}
         * thrown here keeps its message).
         *
         * @param value the value being posted
         * @param context serializes nested values of the same message
         * @return the form the message carries to the receiving loop
         */
        Object serialize(T value, SerializeContext context);

        /**
         * Receiving loop. Throwing makes the port fire {@code messageerror} for this message.
         *
         * @param form what the sender's {@code serialize} returned for the value
         * @param context deserializes nested forms of the same message
         * @return the receiver's value
         */
        T deserialize(Object form, DeserializeContext context);
    }

    /** Given to {@link Codec#serialize}. */
    public interface SerializeContext {
        /**
         * Serializes a nested value with the built-in rules, as part of the same message, and returns
         * the form to embed (opaque: give it back to {@link DeserializeContext#deserialize}). An
         * {@code ArrayBuffer} or {@code MessagePort} in the message's transfer list is transferred.
         *
         * @param value the nested value
         * @param pathSegment appended to the path in error messages, e.g. {@code ".owner"} or
         *     {@code "[3]"}
         * @return the form to embed
         */
        Object serialize(Object value, String pathSegment);

        /**
         * A map private to this message on this side, shared by every codec call for the message
         * (for a codec's own identity table, so shared references and cycles survive across calls).
         *
         * @return a map private to this message on this side, shared by every codec call for the
         *     message (for a codec's own identity table, so shared references and cycles survive across
         *     calls)
         */
        Map<Object, Object> messageState();
    }

    /** Given to {@link Codec#deserialize}, on the receiving loop. */
    public interface DeserializeContext {
        /**
         * The receiver's value for a form returned by {@link SerializeContext#serialize}.
         *
         * @param form what the sender's {@code serialize} returned for the value
         * @return the receiver's value for a form returned by {@link SerializeContext#serialize}
         */
        Object deserialize(Object form);

        /** {@return a map private to this message on the receiving side, shared by every codec call} */
        Map<Object, Object> messageState();
    }
}
