package dev.entangle.graaljs;

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
    /** The type codes of the payload being read, and the read position in them. */
    private String types;
    private int at;

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
        types = helpers.typeCode.execute(root, memory.ids).asString();
        at = 0;
        return next(root);
    }

    /** The form of {@code v}, the value of the next type code in {@link #types}. */
    private Object next(Value v) {
        char type = types.charAt(at++);
        switch (type) {
            case 'n':
                return v.asDouble();
            case 's':
                return v.asString();
            case 't':
                return v.asBoolean();
            case 'u':
                return Undefined.UNDEFINED;
            case 'l':
                return null;
            case 'b':
                return v.asBigInteger();
            case 'y':
                throw new JsCodec.CloneError("symbol is not cloneable");
            case 'f':
                throw new JsCodec.CloneError("function is not cloneable");
            default:
                int end = types.indexOf(';', at);
                int id = Integer.parseInt(types, at, end, 10);
                at = end + 1;
                Object known = id < memory.forms.length ? memory.forms[id] : null;
                if (known != null) {
                    return known;
                }
                String outer = types;
                int outerAt = at;
                try {
                    return object(v, id);
                } finally {
                    types = outer;
                    at = outerAt;
                }
        }
    }

    /** Spec steps 5 to 26: an object not met before in this message. */
    private Object object(Value v, int id) {
        MessagePort port = host == null ? null : host.unwrapPort(v);
        if (port != null) {
            return port(port, id);
        }
        if (v.isHostObject() || v.isProxyObject()) {
            throw new JsCodec.CloneError("the Java object " + (v.isHostObject()
                    ? v.asHostObject().getClass().getName() : "(a polyglot proxy)") + " is not cloneable");
        }
        if (v.canExecute() || v.canInstantiate()) {
            throw new JsCodec.CloneError("function is not cloneable");
        }
        Value meta = v.getMetaObject();
        if (meta != null && "Proxy".equals(meta.getMetaSimpleName())) {
            throw new JsCodec.CloneError("Proxy is not cloneable"); // an exotic object (step 25)
        }
        Value d = (v.isException() ? helpers.describeError : helpers.describe).execute(v, memory.ids);
        types = d.getArrayElement(1).asString();
        at = 0;
        switch (d.getArrayElement(0).asInt()) {
            case JsCodecHelpers.PLAIN:
                return plain(d, id);
            case JsCodecHelpers.ARRAY:
                return array(d, id);
            case JsCodecHelpers.BOXED:
                return remember(id, new Boxed(next(d.getArrayElement(2))));
            case JsCodecHelpers.DATE:
                return remember(id, new DateForm(d.getArrayElement(2).asDouble()));
            case JsCodecHelpers.REGEXP:
                return remember(id, new RegExpForm(d.getArrayElement(2).asString(), d.getArrayElement(3).asString()));
            case JsCodecHelpers.MAP:
                return map(d, id);
            case JsCodecHelpers.SET:
                return set(d, id);
            case JsCodecHelpers.BUFFER:
                return buffer(v, d, id);
            case JsCodecHelpers.VIEW:
                return view(d, id);
            case JsCodecHelpers.ERROR:
                return error(d, id);
            default:
                throw new JsCodec.CloneError(d.getArrayElement(2).asString() + " is not cloneable");
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
    private Object plain(Value d, int id) {
        int size = (int) (d.getArraySize() - 2) / 2;
        ObjectForm form = remember(id, new ObjectForm(size));
        for (int i = 0; i < size; i++) {
            String key = d.getArrayElement(2 + 2 * i).asString();
            form.keys[i] = key;
            form.values[i] = child(d.getArrayElement(3 + 2 * i), JsCodec.propertySegment(key));
        }
        return form;
    }

    /** Step 18: an Array exotic object (length, then its properties: holes stay holes). */
    private Object array(Value d, int id) {
        int size = (int) (d.getArraySize() - 3) / 2;
        ArrayForm form = remember(id, new ArrayForm(d.getArrayElement(2).asLong(), size));
        for (int i = 0; i < size; i++) {
            String key = d.getArrayElement(3 + 2 * i).asString();
            form.keys[i] = key;
            form.values[i] = child(d.getArrayElement(4 + 2 * i),
                    JsCodec.arrayIndex(key) >= 0 ? "[" + key + "]" : JsCodec.propertySegment(key));
        }
        return form;
    }

    /** Step 15: a Map (entries copied first, then each key and value serialized). */
    private Object map(Value d, int id) {
        int size = (int) (d.getArraySize() - 2) / 2;
        MapForm form = remember(id, new MapForm(size));
        for (int i = 0; i < size; i++) {
            form.keys[i] = child(d.getArrayElement(2 + 2 * i), "[key #" + i + "]");
            form.values[i] = child(d.getArrayElement(3 + 2 * i), "[#" + i + "]");
        }
        return form;
    }

    /** Step 16: a Set. */
    private Object set(Value d, int id) {
        int size = (int) d.getArraySize() - 2;
        SetForm form = remember(id, new SetForm(size));
        for (int i = 0; i < size; i++) {
            form.elements[i] = child(d.getArrayElement(2 + i), "[#" + i + "]");
        }
        return form;
    }

    /** Step 13: an ArrayBuffer, moved if it is in the transfer list, else copied. */
    private Object buffer(Value v, Value d, int id) {
        ArrayBuffer moved = transfers == null ? null : transfers.buffer(helpers, v);
        if (moved != null) {
            return remember(id, new BufferForm(null, context.serialize(moved, ""), -1));
        }
        if (d.getArrayElement(2).asBoolean()) {
            throw new JsCodec.CloneError("ArrayBuffer is detached");
        }
        int length = d.getArrayElement(3).asInt();
        byte[] bytes = new byte[length];
        if (length > 0) {
            v.readBuffer(0, bytes, 0, length);
        }
        return remember(id, new BufferForm(bytes, null, d.getArrayElement(4).asInt()));
    }

    /** Step 14: a typed array or DataView: its buffer (through the memory) and its window. */
    private Object view(Value d, int id) {
        Object buffer = child(d.getArrayElement(3), ".buffer");
        if (!(buffer instanceof BufferForm)) {
            throw new JsCodec.CloneError("the buffer of a view is not an ArrayBuffer"); // not reached
        }
        return remember(id, new ViewForm(d.getArrayElement(2).asString(), (BufferForm) buffer,
                d.getArrayElement(4).asLong(), d.getArrayElement(5).asLong()));
    }

    /** Step 17: an Error (name from the spec's list, message, and V8's stack and cause). */
    private Object error(Value d, int id) {
        Value message = d.getArrayElement(3);
        Value stack = d.getArrayElement(4);
        boolean hasCause = d.getArrayElement(5).asBoolean();
        ErrorForm form = remember(id, new ErrorForm(d.getArrayElement(2).asString(),
                message.isString() ? message.asString() : null, stack.isString() ? stack.asString() : null,
                hasCause));
        if (hasCause) {
            form.cause = child(d.getArrayElement(6), ".cause");
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

    private Object child(Value v, String segment) {
        try {
            return next(v);
        } catch (JsCodec.CloneError e) {
            throw e.at(segment);
        }
    }
}
