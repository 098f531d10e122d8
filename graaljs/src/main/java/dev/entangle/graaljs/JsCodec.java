package dev.entangle.graaljs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;

import dev.entangle.ArrayBuffer;
import dev.entangle.DOMException;
import dev.entangle.MessagePort;
import dev.entangle.StructuredClone;
import dev.entangle.StructuredSerializeOptions;

/**
 * How JavaScript values cross event loops: HTML's StructuredSerializeWithTransfer and
 * StructuredDeserializeWithTransfer (§2.7) for GraalJS values, as a {@link StructuredClone.Codec} of
 * {@link Value} on top of core's structured clone. {@link #install()} registers it; from then on any
 * {@code Value} in a message (posted by JavaScript through {@link #post}, or by Java code) is walked on
 * the sender's thread into a {@link JsForms form} that shares nothing with the sender's context, and
 * rebuilt on the receiving loop.
 *
 * <h2>What crosses, and how it arrives</h2>
 * <table>
 * <caption>JavaScript values and what a receiver gets</caption>
 * <tr><th>sent</th><th>in a JavaScript realm</th><th>on a loop without one (Java)</th></tr>
 * <tr><td>undefined, null</td><td>the same</td><td>{@code null}</td></tr>
 * <tr><td>boolean, number (NaN, -0 kept), string</td><td>the same</td><td>{@code Boolean},
 * {@code Double}, {@code String}</td></tr>
 * <tr><td>bigint</td><td>the same</td><td>{@code BigInteger}</td></tr>
 * <tr><td>Boolean, Number, String, BigInt object</td><td>a wrapper object</td><td>its primitive, as
 * above</td></tr>
 * <tr><td>Date</td><td>a Date, same time value</td><td>{@code Instant} ({@code null} for an invalid
 * date)</td></tr>
 * <tr><td>RegExp</td><td>a RegExp, same source and flags, {@code lastIndex} 0</td><td>the
 * {@code String} {@code "/source/flags"}</td></tr>
 * <tr><td>ArrayBuffer</td><td>an ArrayBuffer (resizable ones keep {@code maxByteLength}) with the same
 * bytes; a transferred one back in its sender's realm is the sender's memory, without a copy (see
 * below)</td><td>{@link ArrayBuffer} (transferred: the moved one)</td></tr>
 * <tr><td>typed array, DataView</td><td>the same kind on the received buffer, same offset and
 * length</td><td>a NIO buffer over that window of the {@code ArrayBuffer}'s bytes:
 * {@code ByteBuffer} (8-bit arrays; DataView, big-endian), {@code ShortBuffer} (16-bit),
 * {@code IntBuffer}, {@code FloatBuffer}, {@code DoubleBuffer}, {@code LongBuffer} (BigInt64), the
 * typed arrays' little-endian</td></tr>
 * <tr><td>Map, Set</td><td>a Map, Set (insertion order)</td><td>{@code LinkedHashMap},
 * {@code LinkedHashSet}; keys that are distinct in JavaScript but equal as Java values (undefined and
 * null, two empty objects) or a key containing itself make a {@code messageerror} rather than lose an
 * entry</td></tr>
 * <tr><td>Array</td><td>an Array: same length, holes and extra properties</td><td>{@code ArrayList} of
 * {@code length} elements, holes as {@code null}, other properties dropped; an array with more than
 * 1,000,000 holes beyond twice its elements is a {@code messageerror} (not a heap of nulls)</td></tr>
 * <tr><td>other object (own enumerable string keys, getters read once)</td><td>a plain object (the
 * prototype is not kept)</td><td>{@code LinkedHashMap<String, Object>}</td></tr>
 * <tr><td>Error</td><td>an error of the same kind (name in the spec's list, else Error) with message,
 * stack and cause</td><td>{@code LinkedHashMap} with "name" and, when present, "message", "stack",
 * "cause"</td></tr>
 * <tr><td>MessagePort in the transfer list</td><td>the realm's port object</td><td>the
 * {@link MessagePort}</td></tr>
 * <tr><td>a map or list a Java sender sent, as the script sees it ({@link JavaValueView})</td><td>the
 * same view of a clone of the Java value (core's rules)</td><td>that clone</td></tr>
 * <tr><td>function, symbol, Promise, WeakMap, WeakSet, WeakRef, Proxy, iterators, arguments, Java
 * objects, a port not in the transfer list, a detached buffer</td><td colspan="2">{@code DataCloneError},
 * naming the value's path: {@code data.items[3]: function is not cloneable}</td></tr>
 * </table>
 * The graph keeps its shape in both columns: an object reached twice arrives as one object reached
 * twice, cycles included (one identity memory per message, also across several JS values of one
 * message).
 *
 * <h2>Decisions where the standard leaves room</h2>
 * <ul>
 * <li>Errors carry {@code stack} (an own string data property) and {@code cause} (an own data property),
 * as V8 does ("interesting accompanying data"); without a sent stack, the received error has none.</li>
 * <li>Brands (internal slots) are checked with the intrinsics, chosen by
 * {@code Object.prototype.toString}: an object that hides its brand behind another
 * {@code Symbol.toStringTag} or prototype is taken for an ordinary object. A class instance arrives as a
 * plain object, as in browsers. An object whose prototype is {@code Object.prototype} is ordinary
 * without that check (a platform object has its interface's prototype; one a script re-parented to
 * {@code Object.prototype} is cloned as an ordinary object), so a faked tag such as {@code 'Promise'}
 * does not make it a DataCloneError.</li>
 * <li>An object's getters are read before its children are serialized (the spec interleaves them); only
 * a getter that depends on another object's getter can tell.</li>
 * <li>A length-tracking view (made without a length on a resizable buffer) arrives length-tracking; as
 * no getter tells it, the sender finds it by taking its buffer's last byte off and putting it back. An
 * empty view at the end of its buffer cannot be told and arrives fixed-length.</li>
 * <li>A transferred buffer received in the sender's own realm (a channel with both ends there,
 * {@code structuredClone} with a transfer list) costs no copy of its own: the receiver gets the
 * sender's memory as a new buffer ({@code ArrayBuffer.prototype.transfer}, which detaches the
 * sender's; {@link JsForms.SameRealm}). Received anywhere else it costs two: its bytes are read out of
 * the sender's JS buffer in bulk ({@code Value.readBuffer}; then it is detached) and written element by
 * element into an ordinary JS buffer on arrival, which is where the time of a large transfer goes
 * (about 2 ms a MiB on the Truffle interpreter). GraalJS 25.0.2 offers no cheaper way that keeps the
 * semantics: the polyglot {@code Value} has no bulk write, and a receiver's buffer backed by the moved
 * Java bytes ({@code new ArrayBuffer(byteBuffer)}, an "interop" buffer) can be neither transferred nor
 * resized ({@code TypeError: Cannot transfer an interop ArrayBuffer}), so it could never be detached,
 * while HTML lets the receiver transfer it on. For the same reason a buffer a Java host made over its
 * own memory cannot be detached: transferring it sends a copy and leaves it attached.</li>
 * </ul>
 *
 * <p>Errors: a rejected value is a {@code DataCloneError} {@link DOMException}; an exception thrown by
 * script while the graph is read (a getter, a {@code toString}) propagates unchanged from {@link #post}
 * and {@link #structuredClone} as the {@link PolyglotException} it is. A bad transfer list entry of the
 * wrong IDL type is an {@link IllegalArgumentException} whose message starts with {@code "TypeError: "}
 * (the binding rethrows it as a JS TypeError).
 *
 * <p>Threads: {@link #serialize} and {@link #post} run on the sender's thread, which uses the value's
 * context; {@link #deserialize} on the receiving loop (in {@link JsHost#current()}'s context). Different
 * contexts may serialize and deserialize at once; the codec keeps no shared mutable state besides the
 * install flag. Memory consistency effects: those of the message queue; the form is built before the
 * post and only read after the receive.
 */
final class JsCodec implements StructuredClone.Codec<Object> {
    /*
     * Implementation overview.
     *
     * serialize: JsSerializer walks the graph in Java over the polyglot Value API: primitives, ordinary
     * objects' properties and arrays' elements are read from Java; one call per object of the cached JS
     * helper classify (codec.js) checks the identity memory (a JS Map, object to id, per message and
     * context, next to the forms by id on the Java side) and describes the object: its keys, or for the
     * kinds only JavaScript can check (brands on internal slots, Map and Set entries, errors, views) a
     * "tape" string with its kind and primitive contents plus its child objects. A form is created
     * before its children are walked, so cycles close on it. Value.equals/hashCode are never used on
     * guest objects (GraalJS's interop identity of primitive wrapper objects fails its own assertions).
     * Ports and transferred buffers are embedded as core's own forms (SerializeContext.serialize), so
     * core moves them.
     *
     * post: validates the JS transfer list first (IDL TypeError, then DataCloneError for duplicates,
     * detached buffers and other objects), copies each JS buffer's bytes into a Java ArrayBuffer for the
     * Java transfer list, and publishes the JS-buffer-to-Java-buffer map (a JS Map to an index) to
     * serialize through a ThreadLocal (saved and restored: a getter may post again). The poster runs
     * core's postMessage or structuredClone. Only when it returns are the JS buffers detached, each by
     * ArrayBuffer.prototype.transfer, whose result (the same memory as a new buffer) waits in the
     * buffer's form (JsForms.SameRealm) for a receiver in this realm; a synchronous structuredClone's
     * receiver comes first and detaches the sender's buffer itself, so the detach step skips it. A failure
     * raised by this codec is recorded in the same ThreadLocal state and rethrown as itself, not as core's
     * wrapper: a script's own exception, or a DataCloneError with the path inside the JS value.
     *
     * deserialize: JsDeserializer in a JS realm (objects made by cached helpers, filled in chunks of
     * arguments), JavaDeserializer elsewhere.
     */

    private static final JsCodec INSTANCE = new JsCodec();
    private static final AtomicBoolean INSTALLED = new AtomicBoolean();
    /** The transfer list of the post running on this thread, if it came through {@link #post}. */
    private static final ThreadLocal<Transfers> POSTING = new ThreadLocal<>();

    private JsCodec() {
    }

    /** Registers the codec for {@link Value} with core's structured clone; later calls do nothing. */
    static void install() {
        if (INSTALLED.compareAndSet(false, true)) {
            // deserialize returns a JS Value in a realm but plain Java values elsewhere, so the codec is a
            // Codec<Object> registered for Value: core only calls it with Values and hands its result to
            // the receiver as an Object, so the widened type is never observed as Value.
            @SuppressWarnings("unchecked")
            Class<Object> type = (Class<Object>) (Class<?>) Value.class;
            StructuredClone.registerCodec(type, INSTANCE);
        }
    }

    /**
     * Makes the codec's helper functions in {@code context} now, capturing the intrinsics before user
     * code can replace them. A realm calls it once, on its thread, before running scripts.
     */
    static JsCodecHelpers prepare(Context context) {
        return JsCodecHelpers.of(context);
    }

    /** Sender's thread: the form of a JS value. */
    @Override
    public Object serialize(Object value, StructuredClone.SerializeContext context) {
        Transfers transfers = POSTING.get();
        Value v = (Value) value;
        try {
            return new JsSerializer(v, context, transfers).serialize(v);
        } catch (CloneError | PolyglotException e) {
            if (transfers != null) {
                transfers.failure = e;
            }
            throw e;
        }
    }

    /** Receiving loop: a JS value in the loop's realm, or plain Java values without one. */
    @Override
    public Object deserialize(Object form, StructuredClone.DeserializeContext context) {
        if (form == null || form instanceof String || form instanceof Double || form instanceof Boolean) {
            return form; // a primitive root: the same value in a realm (the caller hands it to JS) or not
        }
        JsHost host = JsHost.current();
        if (host == null) {
            return new JavaDeserializer(context).deserialize(form);
        }
        Context js = host.context();
        js.enter(); // once for the whole message, not once per helper call (nested if the loop entered it)
        try {
            return new JsDeserializer(host, context).deserialize(form);
        } finally {
            js.leave();
        }
    }

    /** What a JS binding's {@code postMessage} (or {@code structuredClone}) does with the Java values. */
    @FunctionalInterface
    interface Poster {
        /** Posts (or clones) {@code message}, transferring {@code transfer}, through core. */
        void post(Object message, List<Object> transfer);
    }

    /**
     * {@code postMessage(message, transfer)} from JavaScript (StructuredSerializeWithTransfer): checks
     * {@code transfer} (a JS array or other iterable, or undefined or null for none), turns its
     * MessagePorts into the Java ports and its ArrayBuffers into Java buffers holding a copy of their
     * bytes, lets {@code poster} post {@code message} with that Java transfer list, and then detaches the
     * JS buffers. On any failure nothing is detached.
     *
     * <p>Call on the sender's loop thread, inside its context (a JS call into the binding).
     *
     * @throws IllegalArgumentException "TypeError: …" if {@code transfer} is not iterable or holds a
     *     non-object
     * @throws DOMException DataCloneError for a duplicate, detached or untransferable entry, or a value
     *     that cannot be cloned (with its path)
     * @throws PolyglotException what a script threw while its value was read
     */
    static void post(Value message, Value transfer, Poster poster) {
        post(JsCodecHelpers.of(message.getContext()), message, transfer, poster);
    }

    /** {@link #post(Value, Value, Poster)} with the helpers of the message's context. */
    static void post(JsCodecHelpers helpers, Value message, Value transfer, Poster poster) {
        boolean noTransfer = transfer == null || transfer.isNull();
        if (noTransfer) {
            Object scalar = scalar(message, helpers);
            if (scalar != null) { // its clone is itself: no codec, no transfer steps
                poster.post(scalar, List.of());
                return;
            }
        }
        Context js = message.getContext();
        Transfers transfers = new Transfers(js, helpers);
        List<Object> javaTransfer = new ArrayList<>();
        if (!noTransfer) {
            collect(transfer, helpers, transfers, javaTransfer);
        }
        Transfers outer = POSTING.get();
        POSTING.set(transfers);
        try {
            poster.post(message, javaTransfer);
        } catch (RuntimeException e) {
            RuntimeException own = transfers.failure;
            if (own != null && causedBy(e, own)) {
                throw own instanceof CloneError c ? c.toDataCloneError() : own;
            }
            throw e;
        } finally {
            if (outer == null) {
                POSTING.remove();
            } else {
                POSTING.set(outer);
            }
        }
        for (JsForms.SameRealm buffer : transfers.sameRealm) {
            buffer.detach(); // none for a buffer over Java memory: see the class comment
        }
    }

    /**
     * The Java value that a JS string, boolean or number (not a bigint) is posted as, or null for any
     * other value: core clones a Java {@code String}, {@code Boolean} or {@code Double} as itself and
     * a JS realm receives it as the same primitive, so these cross without the codec.
     */
    private static Object scalar(Value v, JsCodecHelpers helpers) {
        if (v.hasMembers()) { // an object (a String or Number object too); a primitive has none
            return null;
        }
        if (v.isString()) {
            return v.asString();
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isNumber() && v.fitsInDouble() && !helpers.bigintType.isMetaInstance(v)) {
            return v.asDouble();
        }
        return null;
    }

    /**
     * The JavaScript global {@code structuredClone(value, options)}: the clone, in the calling loop's
     * realm (plain Java values, as the table above, off any realm). {@code options} is undefined, null,
     * or an object whose {@code transfer} is read once.
     *
     * @throws IllegalArgumentException "TypeError: …" if {@code options} is not an object, or its
     *     {@code transfer} as for {@link #post}
     * @throws DOMException and {@link PolyglotException} as for {@link #post}
     */
    static Object structuredClone(Value value, Value options) {
        Value transfer = null;
        if (options != null && !options.isNull()) {
            if (!isObject(options, JsCodecHelpers.of(value.getContext()))) {
                throw new IllegalArgumentException("TypeError: structuredClone options must be an object");
            }
            transfer = options.getMember("transfer");
        }
        Object[] clone = new Object[1];
        post(JsCodecHelpers.of(value.getContext()), value, transfer, (message, list) ->
                clone[0] = StructuredClone.structuredClone(message, StructuredSerializeOptions.transfer(list)));
        return clone[0];
    }

    /** Checks the JS transfer list (IDL conversion, then the transfer steps) and builds the Java one. */
    private static void collect(Value transfer, JsCodecHelpers helpers, Transfers transfers,
            List<Object> javaTransfer) {
        Value list = helpers.sequence.execute(transfer);
        if (list.isNull()) {
            throw new IllegalArgumentException("TypeError: the transfer list is not iterable");
        }
        int size = (int) list.getArraySize();
        Value[] items = new Value[size];
        for (int i = 0; i < size; i++) { // WebIDL sequence<object>: every entry converts first
            items[i] = list.getArrayElement(i);
            if (!isObject(items[i], helpers)) {
                throw new IllegalArgumentException("TypeError: transfer[" + i + "] is not an object");
            }
        }
        JsHost host = JsHost.current();
        for (int i = 0; i < size; i++) {
            Value item = items[i];
            MessagePort port = host == null ? null : host.unwrapPort(item);
            if (port != null) {
                if (!transfers.ports.add(port)) {
                    throw DOMException.dataCloneError("transfer[" + i + "]: the MessagePort is already in the"
                            + " transfer list");
                }
                javaTransfer.add(port);
                continue;
            }
            int kind = helpers.transferKind.execute(item).asInt();
            if (kind == 0) {
                throw DOMException.dataCloneError("transfer[" + i + "]: only ArrayBuffer and MessagePort"
                        + " objects can be transferred");
            }
            if (!transfers.remember(item)) {
                throw DOMException.dataCloneError("transfer[" + i + "]: the ArrayBuffer is already in the"
                        + " transfer list");
            }
            if (kind == 2) {
                throw DOMException.dataCloneError("transfer[" + i + "]: ArrayBuffer is detached");
            }
            byte[] bytes = new byte[(int) item.getBufferSize()];
            if (bytes.length > 0) {
                item.readBuffer(0, bytes, 0, bytes.length);
            }
            ArrayBuffer moved = ArrayBuffer.wrap(bytes);
            transfers.buffers.add(moved);
            transfers.sameRealm.add(new JsForms.SameRealm(helpers, item));
            javaTransfer.add(moved);
        }
    }

    private static boolean isObject(Value v, JsCodecHelpers helpers) {
        if (v.isHostObject() || v.isProxyObject()) {
            return true;
        }
        return helpers.isObject.execute(v).asBoolean();
    }

    private static boolean causedBy(Throwable e, Throwable cause) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t == cause) {
                return true;
            }
        }
        return false;
    }

    /** {@code .key} for an identifier, else {@code ["key"]}: a property in an error path. */
    static String propertySegment(String key) {
        boolean identifier = !key.isEmpty() && Character.isJavaIdentifierStart(key.charAt(0));
        for (int i = 1; identifier && i < key.length(); i++) {
            identifier = Character.isJavaIdentifierPart(key.charAt(i));
        }
        return identifier ? "." + key : "[\"" + key.replace("\\", "\\\\").replace("\"", "\\\"") + "\"]";
    }

    /** The array index {@code key} stands for (a canonical numeric string below 2^32 - 1), or -1. */
    static long arrayIndex(String key) {
        if (key.isEmpty() || key.length() > 10 || key.length() > 1 && key.charAt(0) == '0') {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n < 0xFFFF_FFFFL ? n : -1;
    }

    /** The transfer list of one {@link #post}, as serialize sees it. Used by one thread. */
    static final class Transfers {
        /** The poster's context and its helpers (serialize reuses them for values of that context). */
        final Context context;
        final JsCodecHelpers helpers;
        /** The JS buffers, a JS Map to their index in {@link #buffers} (guest identity); made for the first. */
        private Value index;
        /** The Java buffers that carry the JS buffers' bytes (to another realm or a Java loop). */
        final List<ArrayBuffer> buffers = new ArrayList<>();
        /** The JS buffers, by the same index: what a receiver in this realm takes without a copy. */
        final List<JsForms.SameRealm> sameRealm = new ArrayList<>();
        final Set<MessagePort> ports = Collections.newSetFromMap(new IdentityHashMap<>());
        /** What this codec threw during the post, to rethrow as itself. */
        RuntimeException failure;

        Transfers(Context context, JsCodecHelpers helpers) {
            this.context = context;
            this.helpers = helpers;
        }

        /** Adds the JS buffer {@code v} with the next index: false if it was there. */
        boolean remember(Value v) {
            if (index == null) {
                index = helpers.newMemory.execute();
            }
            return helpers.remember.execute(index, v).asBoolean();
        }

        /** The index of the JS buffer {@code v} in {@link #buffers}, or -1 if it is not transferred. */
        int indexOf(Value v) {
            return buffers.isEmpty() ? -1 : helpers.indexOf.execute(index, v).asInt();
        }
    }

    /**
     * A value that cannot be cloned, with its path inside the JS value (built as the error passes each
     * enclosing object). Core wraps it as {@code "data: value.x: …"} when Java code posts the value;
     * {@link #post} rethrows it as {@code "data.x: …"}.
     */
    static final class CloneError extends DOMException {
        private static final long serialVersionUID = 1L;
        private final String reason;
        private String path = "";

        CloneError(String reason) {
            super(reason, "DataCloneError");
            this.reason = reason;
        }

        CloneError at(String segment) {
            path = segment + path;
            return this;
        }

        @Override
        public String getMessage() {
            return path.isEmpty() ? reason : "value" + path + ": " + reason;
        }

        DOMException toDataCloneError() {
            return DOMException.dataCloneError("data" + path + ": " + reason);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // control flow: the path is the useful part
        }
    }
}
