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
 * values) keeps shared references shared. The memory has two halves: a JS {@code Map} from object to
 * id (kept by the helpers, which give each child object its id as they list it) and, here, the form of
 * each id. Identity is never asked of {@code Value.equals}: GraalJS's interop identity of primitive
 * wrapper objects breaks its own contract (an assertion error under {@code -ea}).
 *
 * <p>Threads: the sender's thread, which is using the value's context. Memory consistency effects:
 * none of its own.
 */
final class JsSerializer {
    /** The message's memory, per context (a message may hold values of several contexts). */
    private static final class Memory {
        /** JS Map: object to id. */
        final Value ids;
        /** Form of each id; null until made. */
        Object[] forms = new Object[16];

        Memory(JsCodecHelpers helpers) {
            ids = helpers.newMemory.execute();
        }
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
        this.helpers = JsCodecHelpers.of(js);
        this.host = JsHost.current();
        this.transfers = transfers;
        this.memory = (Memory) context.messageState().computeIfAbsent(js, k -> new Memory(helpers));
    }

    /** The form of {@code root}. */
    Object serialize(Value root) {
        return new Tape(helpers.root.execute(root, memory.ids)).value();
    }

    /**
     * One object's description from the helpers (see {@link JsCodecHelpers}): its tape, read from the
     * start, and the child objects in tape order.
     */
    private final class Tape {
        private final Value described;
        private final String tape;
        private int at;
        private int nextObject = 1;

        Tape(Value described) {
            this.described = described;
            this.tape = described.getArrayElement(0).asString();
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
                default:
                    int id = (int) integer();
                    int index = nextObject++;
                    Object known = id < memory.forms.length ? memory.forms[id] : null;
                    return known != null ? known : object(described.getArrayElement(index), id);
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

    /** Spec steps 5 to 26: an object not met before in this message. */
    private Object object(Value v, int id) {
        if (host != null && !helpers.portCheckInstalled()) { // a host whose ports describe cannot tell
            MessagePort port = host.unwrapPort(v);
            if (port != null) {
                return port(port, id);
            }
        }
        Object viewed = v.isProxyObject() ? JavaValueView.viewed(v.asProxyObject()) : null;
        if (viewed != null) { // what a Java sender sent, posted on: core clones the Java value
            return remember(id, new JavaForm(context.serialize(viewed, "")));
        }
        if (v.isHostObject() || v.isProxyObject()) {
            throw new JsCodec.CloneError("the Java object " + (v.isHostObject()
                    ? v.asHostObject().getClass().getName() : "(a polyglot proxy)") + " is not cloneable");
        }
        Value meta = v.getMetaObject();
        if (meta != null && "Proxy".equals(meta.getMetaSimpleName())) {
            throw new JsCodec.CloneError("Proxy is not cloneable"); // an exotic object (step 25)
        }
        Tape t = new Tape((v.isException() ? helpers.describeError : helpers.describe).execute(v, memory.ids));
        switch (t.kind()) {
            case 'p': { // a port object of the realm (JsCodecHelpers.installPortCheck)
                MessagePort port = host == null ? null : host.unwrapPort(v);
                if (port == null) {
                    throw new JsCodec.CloneError("a MessagePort of another realm is not cloneable");
                }
                return port(port, id);
            }
            case 'P':
                return plain(t, id);
            case 'A':
                return array(t, id);
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

    /** Step 26: an ordinary object. */
    private Object plain(Tape t, int id) {
        ObjectForm form = remember(id, new ObjectForm((int) t.integer()));
        for (int i = 0; i < form.keys.length; i++) {
            String key = t.string();
            form.keys[i] = key;
            form.values[i] = t.child(JsCodec.propertySegment(key));
        }
        return form;
    }

    /** Step 18: an Array exotic object (length, then its properties: holes stay holes). */
    private Object array(Tape t, int id) {
        long length = t.integer();
        ArrayForm form = remember(id, new ArrayForm(length, (int) t.integer()));
        for (int i = 0; i < form.keys.length; i++) {
            String key = t.string();
            form.keys[i] = key;
            form.values[i] = t.child(JsCodec.arrayIndex(key) >= 0 ? "[" + key + "]" : JsCodec.propertySegment(key));
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
        ArrayBuffer moved = transfers == null ? null : transfers.buffer(helpers, v);
        if (moved != null) { // a resizable buffer stays resizable (its maxByteLength travels with it)
            t.flag();
            t.integer();
            return remember(id, new BufferForm(null, context.serialize(moved, ""), (int) t.integer()));
        }
        if (t.flag()) {
            throw new JsCodec.CloneError("ArrayBuffer is detached");
        }
        int length = (int) t.integer();
        byte[] bytes = new byte[length];
        if (length > 0) {
            v.readBuffer(0, bytes, 0, length);
        }
        return remember(id, new BufferForm(bytes, null, (int) t.integer()));
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
