package dev.entangle.graaljs;

import java.util.HashMap;
import java.util.Map;

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
 * memory (JS object to form) is the message's, so a second call for the same message (a Java container
 * holding several JS values) keeps shared references shared.
 *
 * <p>Threads: the sender's thread, which is using the value's context. Memory consistency effects:
 * none of its own.
 */
final class JsSerializer {
    /** Key of the memory in {@link SerializeContext#messageState()}. */
    private static final Object MEMORY = new Object();

    private final SerializeContext context;
    private final JsCodecHelpers helpers;
    private final JsHost host;
    /** The post's transfer list, or null when the value is not posted through {@link JsCodec#post}. */
    private final JsCodec.Transfers transfers;
    /** JS object (Value.equals is the guest's identity) to its form. */
    private final Map<Value, Object> memory;

    @SuppressWarnings("unchecked")
    JsSerializer(Value root, SerializeContext context, JsCodec.Transfers transfers) {
        this.context = context;
        this.helpers = JsCodecHelpers.of(root.getContext());
        this.host = JsHost.current();
        this.transfers = transfers;
        this.memory = (Map<Value, Object>) context.messageState().computeIfAbsent(MEMORY, k -> new HashMap<>());
    }

    /** The form of {@code root}. */
    Object serialize(Value root) {
        return value(root, helpers.typeCode.execute(root).asString().charAt(0));
    }

    /** The form of {@code v}, whose {@code typeof} code is {@code type}. */
    private Object value(Value v, char type) {
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
                Object known = memory.get(v);
                return known != null ? known : object(v);
        }
    }

    /** Spec steps 5 to 26: an object not met before in this message. */
    private Object object(Value v) {
        MessagePort port = host == null ? null : host.unwrapPort(v);
        if (port != null) {
            return port(v, port);
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
        if (v.isException()) {
            return error(v, helpers.describeError.execute(v));
        }
        Value d = helpers.describe.execute(v);
        String types = d.getArrayElement(1).asString();
        switch (d.getArrayElement(0).asInt()) {
            case JsCodecHelpers.PLAIN:
                return plain(v, d, types);
            case JsCodecHelpers.ARRAY:
                return array(v, d, types);
            case JsCodecHelpers.BOXED:
                return remember(v, new Boxed(value(d.getArrayElement(2), types.charAt(0))));
            case JsCodecHelpers.DATE:
                return remember(v, new DateForm(d.getArrayElement(2).asDouble()));
            case JsCodecHelpers.REGEXP:
                return remember(v, new RegExpForm(d.getArrayElement(2).asString(), d.getArrayElement(3).asString()));
            case JsCodecHelpers.MAP:
                return map(v, d, types);
            case JsCodecHelpers.SET:
                return set(v, d, types);
            case JsCodecHelpers.BUFFER:
                return buffer(v, d);
            case JsCodecHelpers.VIEW:
                return view(v, d);
            default:
                throw new JsCodec.CloneError(d.getArrayElement(2).asString() + " is not cloneable");
        }
    }

    private Object remember(Value v, Object form) {
        memory.put(v, form);
        return form;
    }

    /** Step 26: an ordinary object. */
    private Object plain(Value v, Value d, String types) {
        ObjectForm form = new ObjectForm(types.length());
        memory.put(v, form);
        for (int i = 0; i < types.length(); i++) {
            String key = d.getArrayElement(2 + 2 * i).asString();
            form.keys[i] = key;
            form.values[i] = child(d.getArrayElement(3 + 2 * i), types.charAt(i), key, false);
        }
        return form;
    }

    /** Step 18: an Array exotic object (length, then its properties: holes stay holes). */
    private Object array(Value v, Value d, String types) {
        ArrayForm form = new ArrayForm(d.getArrayElement(2).asLong(), types.length());
        memory.put(v, form);
        for (int i = 0; i < types.length(); i++) {
            String key = d.getArrayElement(3 + 2 * i).asString();
            form.keys[i] = key;
            form.values[i] = child(d.getArrayElement(4 + 2 * i), types.charAt(i), key, true);
        }
        return form;
    }

    /** Step 15: a Map (entries copied first, then each key and value serialized). */
    private Object map(Value v, Value d, String types) {
        int size = types.length() / 2;
        MapForm form = new MapForm(size);
        memory.put(v, form);
        for (int i = 0; i < size; i++) {
            form.keys[i] = child(d.getArrayElement(2 + 2 * i), types.charAt(2 * i), "[key #" + i + "]");
            form.values[i] = child(d.getArrayElement(3 + 2 * i), types.charAt(2 * i + 1), "[#" + i + "]");
        }
        return form;
    }

    /** Step 16: a Set. */
    private Object set(Value v, Value d, String types) {
        SetForm form = new SetForm(types.length());
        memory.put(v, form);
        for (int i = 0; i < types.length(); i++) {
            form.elements[i] = child(d.getArrayElement(2 + i), types.charAt(i), "[#" + i + "]");
        }
        return form;
    }

    /** Step 13: an ArrayBuffer, moved if it is in the transfer list, else copied. */
    private Object buffer(Value v, Value d) {
        ArrayBuffer moved = transfers == null ? null : transfers.buffers.get(v);
        if (moved != null) {
            return remember(v, new BufferForm(null, context.serialize(moved, ""), -1));
        }
        if (d.getArrayElement(2).asBoolean()) {
            throw new JsCodec.CloneError("ArrayBuffer is detached");
        }
        int length = d.getArrayElement(3).asInt();
        byte[] bytes = new byte[length];
        if (length > 0) {
            v.readBuffer(0, bytes, 0, length);
        }
        return remember(v, new BufferForm(bytes, null, d.getArrayElement(4).asInt()));
    }

    /** Step 14: a typed array or DataView: its buffer (through the memory) and its window. */
    private Object view(Value v, Value d) {
        Object buffer;
        try {
            buffer = value(d.getArrayElement(3), 'o');
        } catch (JsCodec.CloneError e) {
            throw e.at(".buffer");
        }
        if (!(buffer instanceof BufferForm)) {
            throw new JsCodec.CloneError("the buffer of a view is not an ArrayBuffer"); // shared: not reached
        }
        return remember(v, new ViewForm(d.getArrayElement(2).asString(), (BufferForm) buffer,
                d.getArrayElement(4).asLong(), d.getArrayElement(5).asLong()));
    }

    /** Step 17: an Error (name from the spec's list, message, and V8's stack and cause). */
    private Object error(Value v, Value d) {
        Value message = d.getArrayElement(3);
        Value stack = d.getArrayElement(4);
        boolean hasCause = d.getArrayElement(5).asBoolean();
        ErrorForm form = new ErrorForm(d.getArrayElement(2).asString(),
                message.isString() ? message.asString() : null, stack.isString() ? stack.asString() : null,
                hasCause);
        memory.put(v, form);
        if (hasCause) {
            form.cause = child(d.getArrayElement(6), d.getArrayElement(1).asString().charAt(0), ".cause");
        }
        return form;
    }

    /** A MessagePort: only in the transfer list (the Java port, embedded through core). */
    private Object port(Value v, MessagePort port) {
        if (transfers != null && !transfers.ports.contains(port)) {
            throw new JsCodec.CloneError("a MessagePort can only be sent in the transfer list");
        }
        return remember(v, new PortForm(context.serialize(port, "")));
    }

    private Object child(Value v, char type, String key, boolean index) {
        return child(v, type, index && JsCodec.arrayIndex(key) >= 0 ? "[" + key + "]" : JsCodec.propertySegment(key));
    }

    private Object child(Value v, char type, String segment) {
        try {
            return value(v, type);
        } catch (JsCodec.CloneError e) {
            throw e.at(segment);
        }
    }
}
