package dev.entangle.graaljs;

import java.math.BigInteger;
import java.util.Arrays;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Value;

import dev.entangle.ArrayBuffer;
import dev.entangle.MessagePort;
import dev.entangle.StructuredClone.SerializeContext;
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
 * StructuredSerializeInternal (HTML §2.7.3) for one JavaScript value: walks the graph in the value's
 * context and returns its {@link JsForms form}. One instance per {@link JsCodec} serialize call; the
 * memory is the message's, so a second call for the same message (a Java container holding several JS
 * values) keeps shared references shared.
 *
 * <p>The walk is Java over the polyglot {@link Value} API (HotSpot-compiled, while JavaScript runs
 * interpreted on a stock JDK): primitives are told apart with {@code Value}'s type checks, an ordinary
 * object's properties and an array's elements are read with {@code getMember} and
 * {@code getArrayElement}. Per object, one call of the {@code classify} helper of {@code codec.js}
 * checks the message's memory (a JS {@code Map} from object to id, next to the form of each id here:
 * identity is never asked of {@code Value.equals}, which GraalJS breaks for primitive wrapper objects)
 * and returns either the id of an object met before or the object's description:
 * <ul>
 * <li>an ordinary object: its own enumerable string keys, then {@code "P"};</li>
 * <li>an Array: {@code "L<length>;"} alone if dense without other properties, else its keys, then
 * {@code "A<length>;"};</li>
 * <li>anything else: its child objects in order, then a <em>tape</em>, a string holding its kind and
 * everything primitive in it; each child object is a token {@code o} on the tape.</li>
 * </ul>
 * Value tokens: {@code n<number>;} {@code z} (-0) {@code s<length>:<chars>} {@code T} {@code F}
 * {@code u} {@code l} {@code b<decimal>;} {@code y} (symbol) {@code f} (function) {@code o} (the next
 * child object). A string field is {@code <length>:<chars>}. Tapes, by kind:
 * <pre>
 *   B value                                      a Boolean, Number, String or BigInt object
 *   D value                                      a Date (its time value)
 *   R source flags                               a RegExp
 *   M&lt;count&gt;; then key value pairs               a Map
 *   S&lt;count&gt;; then values                        a Set
 *   U T-or-F &lt;byteLength&gt;;&lt;maxByteLength&gt;;       an ArrayBuffer (detached or not; -1: not resizable)
 *   V name buffer &lt;byteOffset&gt;;&lt;length&gt;; T-or-F  a typed array or DataView (T: length-tracking)
 *   E name message-or-u stack-or-u T cause / F   an Error
 *   O interface data                             a serializable platform object of the realm
 *   p                                            a MessagePort of the realm
 *   f                                            a function
 *   X what                                       rejected ("Promise", "WeakMap", ...)
 * </pre>
 * Brands are checked on internal slots where ECMAScript allows (a getter or method of the intrinsic
 * that throws without the slot); {@code Object.prototype.toString} picks which check to try, so an
 * object hiding its brand behind another {@code Symbol.toStringTag} (or a changed prototype) is taken
 * for an ordinary object. Errors are found by the Java side ({@code Value.isException}), proxies by
 * {@code isMetaInstance} of the Proxy type.
 *
 * <p>Threads: the sender's thread, which is using the value's context. Memory consistency effects:
 * none of its own.
 */
final class JsSerializer {
    /** The message's memory, per context (a message may hold values of several contexts). */
    private static final class Memory {
        /** JS Map: object to id (classify gives a new object the next id, its size); made for the first. */
        Value ids;
        /** Form of each id; null until made. */
        Object[] forms = new Object[16];
        /** The id classify gives the next new object. */
        int next;
    }

    private final SerializeContext context;
    private final JsCodecHelpers helpers;
    private final JsHost host;
    /** The post's transfer list, or null when the value is not posted through {@link JsCodec#post}. */
    private final JsCodec.Transfers transfers;
    private final Memory memory;

    JsSerializer(Value root, SerializeContext context, JsCodec.Transfers transfers) {
        Context js = root.getContext();
        this.context = context;
        this.helpers = transfers != null && transfers.context == js ? transfers.helpers : JsCodecHelpers.of(js);
        this.host = JsHost.current();
        this.transfers = transfers;
        this.memory = (Memory) context.messageState().computeIfAbsent(js, k -> new Memory());
    }

    /** The form of {@code root}. */
    Object serialize(Value root) {
        return value(root);
    }

    /**
     * The form of a value of the graph. Primitives first: for them {@code hasMembers} is answered
     * without a call into the context.
     */
    private Object value(Value x) {
        if (x.hasMembers()) {
            return object(x);
        }
        if (x.isString()) {
            return x.asString();
        }
        if (x.isNumber()) { // a number or a bigint (both are interop numbers)
            return helpers.bigintType.isMetaInstance(x) ? (Object) x.asBigInteger() : (Object) x.asDouble();
        }
        if (x.isBoolean()) {
            return x.asBoolean();
        }
        if (x.isNull()) {
            return helpers.undefinedType.isMetaInstance(x) ? Undefined.UNDEFINED : null;
        }
        if (x.isHostObject() || x.isProxyObject()) {
            return object(x);
        }
        throw new JsCodec.CloneError("symbol is not cloneable");
    }

    /** {@link #value} of the property {@code key} (an array index if {@code index}), named on a clone error. */
    private Object child(Value x, String key, boolean index) {
        try {
            return value(x);
        } catch (JsCodec.CloneError e) {
            throw e.at(index ? "[" + key + "]" : JsCodec.propertySegment(key));
        }
    }

    /**
     * One object's description (see the class comment): the tape, read from the start, and the child
     * objects before it, in tape order.
     */
    private final class Tape {
        private final Value described;
        private final String tape;
        private int at;
        private int nextObject;

        Tape(Value described, String tape) {
            this.described = described;
            this.tape = tape;
        }

        char kind() {
            return tape.charAt(at++);
        }

        /** A decimal integer up to ';'. */
        long integer() {
            int end = tape.indexOf(';', at);
            long n = Long.parseLong(tape, at, end, 10);
            at = end + 1;
            return n;
        }

        /** A string field: length, ':', the characters. */
        String string() {
            int colon = tape.indexOf(':', at);
            int start = colon + 1;
            int end = start + Integer.parseInt(tape, at, colon, 10);
            at = end;
            return tape.substring(start, end);
        }

        boolean flag() {
            return tape.charAt(at++) == 'T';
        }

        /** The form of the next value token. */
        Object value() {
            char type = tape.charAt(at++);
            switch (type) {
                case 'n':
                    int end = tape.indexOf(';', at);
                    double d = Double.parseDouble(tape.substring(at, end));
                    at = end + 1;
                    return d;
                case 'z':
                    return -0.0d;
                case 's':
                    return string();
                case 'T':
                    return Boolean.TRUE;
                case 'F':
                    return Boolean.FALSE;
                case 'u':
                    return Undefined.UNDEFINED;
                case 'l':
                    return null;
                case 'b':
                    int last = tape.indexOf(';', at);
                    BigInteger big = new BigInteger(tape.substring(at, last));
                    at = last + 1;
                    return big;
                case 'y':
                    throw new JsCodec.CloneError("symbol is not cloneable");
                case 'f':
                    throw new JsCodec.CloneError("function is not cloneable");
                default: // 'o'
                    return object(described.getArrayElement(nextObject++));
            }
        }

        /** The next value, with {@code segment} added to the path of a clone error. */
        Object child(String segment) {
            try {
                return value();
            } catch (JsCodec.CloneError e) {
                throw e.at(segment);
            }
        }

        /** An optional string field: a string token or 'u'. */
        String optionalString() {
            return tape.charAt(at++) == 's' ? string() : null;
        }
    }

    /** Spec steps 5 to 26 for an object: its form, made now unless the message met it before. */
    private Object object(Value v) {
        Object viewed = v.isProxyObject() ? JavaValueView.viewed(v.asProxyObject()) : null;
        if (viewed == null && (v.isHostObject() || v.isProxyObject())) {
            throw new JsCodec.CloneError("the Java object " + (v.isHostObject()
                    ? v.asHostObject().getClass().getName() : "(a polyglot proxy)") + " is not cloneable");
        }
        if (viewed == null && helpers.proxyType.isMetaInstance(v)) {
            throw new JsCodec.CloneError("Proxy is not cloneable"); // an exotic object (step 25)
        }
        if (memory.ids == null) { // a message of primitives needs none
            memory.ids = helpers.newMemory.execute();
        }
        if (viewed != null) { // what a Java sender sent, posted on: core clones the Java value
            int seen = helpers.indexOf.execute(memory.ids, v).asInt();
            if (seen >= 0) {
                return memory.forms[seen];
            }
            helpers.remember.execute(memory.ids, v);
            return remember(memory.next++, new JavaForm(context.serialize(viewed, "")));
        }
        Value described = helpers.classify.execute(v, memory.ids, v.isException());
        if (described.isNumber()) { // met before: the same form (forms are remembered before their children)
            int seen = described.asInt();
            Object known = seen < memory.forms.length ? memory.forms[seen] : null;
            if (known == null) { // only a platform object's data, serialized before its form is made
                throw new JsCodec.CloneError("a platform object whose data holds itself is not cloneable");
            }
            if (known instanceof ObjectForm o) { // the receiver makes it before its children (JsDeserializer)
                o.shared = true;
            } else if (known instanceof ArrayForm a) {
                a.shared = true;
            }
            return known;
        }
        int id = memory.next++;
        if (host != null && !helpers.portCheckInstalled()) { // a host whose ports classify cannot tell
            MessagePort port = host.unwrapPort(v);
            if (port != null) {
                return port(port, id);
            }
        }
        int last = (int) described.getArraySize() - 1;
        String head = described.getArrayElement(last).asString();
        switch (head.charAt(0)) {
            case 'P':
                return plain(v, described, last, id);
            case 'A':
                return array(v, described, last, Long.parseLong(head, 1, head.length() - 1, 10), id);
            case 'L':
                return dense(v, Integer.parseInt(head, 1, head.length() - 1, 10), id);
            default:
                return described(v, new Tape(described, head), id);
        }
    }

    /** An object described by a tape. */
    private Object described(Value v, Tape t, int id) {
        switch (t.kind()) {
            case 'p': { // a port object of the realm (JsCodecHelpers.installPortCheck)
                MessagePort port = host == null ? null : host.unwrapPort(v);
                if (port == null) {
                    throw new JsCodec.CloneError("a MessagePort of another realm is not cloneable");
                }
                return port(port, id);
            }
            case 'B':
                return remember(id, new Boxed(t.value()));
            case 'D':
                return remember(id, new DateForm((Double) t.value()));
            case 'R':
                return remember(id, new RegExpForm(t.string(), t.string()));
            case 'M':
                return map(t, id);
            case 'S':
                return set(t, id);
            case 'U':
                return buffer(v, t, id);
            case 'V':
                return view(t, id);
            case 'E':
                return error(t, id);
            case 'O': { // a platform object of the realm (Blob, File): its interface and its data
                String iface = t.string();
                return remember(id, new PlatformForm(iface, t.child("")));
            }
            case 'f':
                throw new JsCodec.CloneError("function is not cloneable");
            default:
                throw new JsCodec.CloneError(t.string() + " is not cloneable");
        }
    }

    private <F> F remember(int id, F form) {
        if (id >= memory.forms.length) {
            memory.forms = Arrays.copyOf(memory.forms, Math.max(id + 1, memory.forms.length * 2));
        }
        memory.forms[id] = form;
        return form;
    }

    /** Step 26: an ordinary object, whose {@code count} keys are the first elements of {@code keys}. */
    private Object plain(Value v, Value keys, int count, int id) {
        ObjectForm form = remember(id, new ObjectForm(count));
        form.truncate(properties(v, keys, count, form.keys, form.values, false));
        return form;
    }

    /** Step 18: an Array exotic object (length, then its properties: holes stay holes). */
    private Object array(Value v, Value keys, int count, long length, int id) {
        ArrayForm form = remember(id, new ArrayForm(length, count));
        form.truncate(properties(v, keys, count, form.keys, form.values, true));
        return form;
    }

    /**
     * Reads the properties of {@code v} named by the first {@code count} elements of {@code keys} into
     * {@code names} and {@code values}, each value once, and returns how many it kept: a key an earlier
     * getter deleted is skipped (the spec's HasOwnProperty check; {@code getMember} gives null for a
     * property the object no longer has).
     */
    private int properties(Value v, Value keys, int count, String[] names, Object[] values, boolean array) {
        int kept = 0;
        for (int i = 0; i < count; i++) {
            String key = keys.getArrayElement(i).asString();
            Value x = v.getMember(key);
            if (x != null) {
                names[kept] = key;
                values[kept++] = child(x, key, array && JsCodec.arrayIndex(key) >= 0);
            }
        }
        return kept;
    }

    /** Step 18 for a dense Array without other properties: its elements by index. */
    private Object dense(Value v, int length, int id) {
        ArrayForm form = remember(id, new ArrayForm(length, length));
        for (int i = 0; i < length; i++) {
            String key = Integer.toString(i);
            form.keys[i] = key;
            form.values[i] = child(v.getArrayElement(i), key, true);
        }
        return form;
    }

    /** Step 15: a Map (entries copied first, then each key and value serialized). */
    private Object map(Tape t, int id) {
        MapForm form = remember(id, new MapForm((int) t.integer()));
        for (int i = 0; i < form.keys.length; i++) {
            form.keys[i] = t.child("[key #" + i + "]");
            form.values[i] = t.child("[#" + i + "]");
        }
        return form;
    }

    /** Step 16: a Set. */
    private Object set(Tape t, int id) {
        SetForm form = remember(id, new SetForm((int) t.integer()));
        for (int i = 0; i < form.elements.length; i++) {
            form.elements[i] = t.child("[#" + i + "]");
        }
        return form;
    }

    /** Step 13: an ArrayBuffer, moved if it is in the transfer list, else copied. */
    private Object buffer(Value v, Tape t, int id) {
        int transferred = transfers == null ? -1 : transfers.indexOf(v);
        if (transferred >= 0) { // a resizable buffer stays resizable (its maxByteLength travels with it)
            t.flag();
            t.integer();
            ArrayBuffer moved = transfers.buffers.get(transferred);
            return remember(id, new BufferForm(null, context.serialize(moved, ""), (int) t.integer(),
                    transfers.sameRealm.get(transferred)));
        }
        if (t.flag()) {
            throw new JsCodec.CloneError("ArrayBuffer is detached");
        }
        int length = (int) t.integer();
        byte[] bytes = new byte[length];
        if (length > 0) {
            v.readBuffer(0, bytes, 0, length);
        }
        return remember(id, new BufferForm(bytes, null, (int) t.integer(), null));
    }

    /** Step 14: a typed array or DataView: its buffer (through the memory) and its window. */
    private Object view(Tape t, int id) {
        String type = t.string();
        Object buffer = t.child(".buffer");
        if (!(buffer instanceof BufferForm)) {
            throw new JsCodec.CloneError("the buffer of a view is not an ArrayBuffer"); // not reached
        }
        return remember(id, new ViewForm(type, (BufferForm) buffer, t.integer(), t.integer(), t.flag()));
    }

    /** Step 17: an Error (name from the spec's list, message, and V8's stack and cause). */
    private Object error(Tape t, int id) {
        String name = t.string();
        String message = t.optionalString();
        String stack = t.optionalString();
        boolean hasCause = t.flag();
        ErrorForm form = remember(id, new ErrorForm(name, message, stack, hasCause));
        if (hasCause) {
            form.cause = t.child(".cause");
        }
        return form;
    }

    /** A MessagePort: only in the transfer list (the Java port, embedded through core). */
    private Object port(MessagePort port, int id) {
        if (transfers != null && !transfers.ports.contains(port)) {
            throw new JsCodec.CloneError("a MessagePort can only be sent in the transfer list");
        }
        return remember(id, new PortForm(context.serialize(port, "")));
    }
}
