package dev.entangle.graaljs;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Value;

import dev.entangle.ArrayBuffer;
import dev.entangle.MessagePort;
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
 * StructuredDeserialize (HTML §2.7.6) into a JavaScript realm: rebuilds a {@link JsForms form} as JS
 * values of the receiving host's context. An object is created and remembered before its contents are
 * deserialized (cycles come back to it), then filled with one helper call; properties are defined
 * (CreateDataProperty), never set, so a key such as {@code "__proto__"} stays an own data property.
 *
 * <p>A transferred ArrayBuffer sent from this realm becomes the sender's memory as a new buffer (no
 * copy, {@link JsForms.SameRealm}); one from elsewhere, and a copied one, an ordinary JS ArrayBuffer
 * holding a copy of the bytes (so that it can be transferred again: GraalJS cannot detach a buffer
 * backed by Java memory).
 *
 * <p>Threads: the receiving loop, which uses the host's context. Memory consistency effects: none of
 * its own.
 */
final class JsDeserializer {
    /** Key of the memory in {@link DeserializeContext#messageState()}. */
    private static final Object MEMORY = new Object();
    /** Arguments per helper call when filling a large container. */
    private static final int CHUNK = 4096;

    private final DeserializeContext context;
    private final JsHost host;
    private final Context js;
    private final JsCodecHelpers helpers;
    /** Form (by identity) to the JS value made for it. */
    private final Map<Object, Value> memory;

    @SuppressWarnings("unchecked")
    JsDeserializer(JsHost host, DeserializeContext context) {
        this.context = context;
        this.host = host;
        this.js = host.context();
        this.helpers = JsCodecHelpers.of(js);
        this.memory = (Map<Object, Value>) context.messageState()
                .computeIfAbsent(MEMORY, k -> new IdentityHashMap<>());
    }

    /** The JS value for {@code form}. */
    Value deserialize(Object form) {
        Object v = arg(form);
        return v instanceof Value ? (Value) v : js.asValue(v);
    }

    /** What to hand to a JS function for {@code form}: a Java primitive or a {@link Value}. */
    private Object arg(Object form) {
        if (form == null || form instanceof String || form instanceof Double || form instanceof Boolean) {
            return form;
        }
        if (form == Undefined.UNDEFINED) {
            return helpers.undefined;
        }
        if (form instanceof BigInteger) {
            return helpers.bigint.execute(form.toString());
        }
        Value known = memory.get(form);
        return known != null ? known : object(form);
    }

    private Value object(Object form) {
        if (form instanceof ObjectForm o) {
            if (oneCall(o.shared, o.values)) { // made and filled in one call (no child needs it first)
                return remember(form, helpers.filledObject.execute(pairs(null, o.keys, o.values)));
            }
            Value made = remember(form, helpers.newObject.execute());
            fill(helpers.define, made, o.keys, o.values);
            return made;
        }
        if (form instanceof ArrayForm a) {
            Object[] keys = new Object[a.keys.length];
            for (int i = 0; i < keys.length; i++) {
                long index = JsCodec.arrayIndex(a.keys[i]);
                keys[i] = index >= 0 ? (Object) (double) index : a.keys[i]; // numbers: the engine's fast path
            }
            if (oneCall(a.shared, a.values)) {
                return remember(form, helpers.filledArray.execute(pairs((double) a.length, keys, a.values)));
            }
            Value made = remember(form, helpers.newArray.execute(a.length));
            fill(helpers.define, made, keys, a.values);
            return made;
        }
        if (form instanceof MapForm m) {
            Value made = remember(form, helpers.newMap.execute());
            fill(helpers.mapFill, made, m.keys, m.values);
            return made;
        }
        if (form instanceof SetForm s) {
            Value made = remember(form, helpers.newSet.execute());
            fill(helpers.setFill, made, null, s.elements);
            return made;
        }
        if (form instanceof Boxed b) {
            return remember(form, helpers.box.execute(arg(b.primitive())));
        }
        if (form instanceof DateForm d) {
            return remember(form, helpers.date.execute(d.time()));
        }
        if (form instanceof RegExpForm r) {
            return remember(form, helpers.regexp.execute(r.source(), r.flags()));
        }
        if (form instanceof BufferForm b) {
            return remember(form, buffer(b));
        }
        if (form instanceof ViewForm v) {
            Value buffer = (Value) arg(v.buffer);
            return remember(form, helpers.view.execute(v.type, buffer, v.byteOffset,
                    v.lengthTracking ? helpers.undefined : v.length));
        }
        if (form instanceof ErrorForm e) {
            Value made = remember(form, helpers.error.execute(e.name,
                    e.message == null ? helpers.undefined : e.message,
                    e.stack == null ? helpers.undefined : e.stack));
            if (e.hasCause) {
                helpers.defineHidden.execute(made, "cause", arg(e.cause));
            }
            return made;
        }
        if (form instanceof PortForm p) {
            return remember(form, host.wrapPort((MessagePort) context.deserialize(p.embedded())));
        }
        if (form instanceof JavaForm j) { // seen as a Java sender's value is (ports: this dispatch's)
            Object java = context.deserialize(j.embedded());
            return remember(form, js.asValue(JavaValueView.of(java, host, List.of(), List.of())));
        }
        if (form instanceof PlatformForm p) {
            return remember(form, host.revive(p.iface(), (Value) arg(p.data())));
        }
        throw new IllegalStateException("not a JavaScript value form: " + form.getClass().getName());
    }

    private Value buffer(BufferForm b) {
        if (b.bytes == null) {
            ArrayBuffer moved = (ArrayBuffer) context.deserialize(b.moved);
            if (b.sameRealm != null && b.sameRealm.helpers == helpers) { // back in the sender's realm
                Value own = b.sameRealm.take();
                if (own != null) {
                    return own; // the sender's memory as a new buffer (transfer): no copy
                }
            }
            // One copy into an ordinary JS buffer: GraalJS cannot detach a buffer backed by Java memory,
            // and HTML lets the receiver transfer it on (detaching it) like any other.
            return helpers.copy.execute(moved.asByteBuffer(), b.maxByteLength);
        }
        return helpers.copy.execute(ByteBuffer.wrap(b.bytes), b.maxByteLength);
    }

    private Value remember(Object form, Value made) {
        memory.put(form, made);
        return made;
    }

    /**
     * Whether an object or array with {@code values} is made and filled in one call, its child objects
     * made first (by {@link #pairs}): if the values are few enough for one call and either the message
     * reaches it only once ({@code shared} false: no child can refer back to it, so none needs it to
     * exist first) or they are all primitives.
     */
    private static boolean oneCall(boolean shared, Object[] values) {
        if (values.length * 2 + 1 > CHUNK) {
            return false;
        }
        if (!shared) {
            return true;
        }
        for (Object v : values) {
            if (!(v == null || v instanceof String || v instanceof Double || v instanceof Boolean
                    || v == Undefined.UNDEFINED)) {
                return false;
            }
        }
        return true;
    }

    /** The arguments {@code [first,] k0, v0, k1, v1, …} of a helper call ({@code first} unless null). */
    private Object[] pairs(Object first, Object[] keys, Object[] values) {
        int offset = first == null ? 0 : 1;
        Object[] args = new Object[offset + 2 * values.length];
        if (first != null) {
            args[0] = first;
        }
        for (int i = 0; i < values.length; i++) {
            args[offset + 2 * i] = keys[i];
            args[offset + 2 * i + 1] = arg(values[i]);
        }
        return args;
    }

    /** Calls {@code filler(target, k0, v0, k1, v1, …)} (or {@code v0, v1, …} without keys) in chunks. */
    private void fill(Value filler, Value target, Object[] keys, Object[] values) {
        int stride = keys == null ? 1 : 2;
        int perCall = CHUNK / stride;
        for (int from = 0; from < values.length; from += perCall) {
            int to = Math.min(values.length, from + perCall);
            Object[] args = new Object[1 + (to - from) * stride];
            args[0] = target;
            int j = 1;
            for (int i = from; i < to; i++) {
                if (keys != null) {
                    args[j++] = keys[i] instanceof String || keys[i] instanceof Double ? keys[i] : arg(keys[i]);
                }
                args[j++] = arg(values[i]);
            }
            filler.execute(args);
        }
    }
}
