package dev.entangle.graaljs;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.IdentityHashMap;
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
 * <p>A transferred ArrayBuffer becomes a JS ArrayBuffer backed by the moved Java buffer's bytes (no
 * copy); a copied one becomes an ordinary JS ArrayBuffer (one copy, so that it can be transferred
 * again: GraalJS cannot detach a buffer backed by Java memory).
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
        if ((form instanceof ObjectForm || form instanceof ArrayForm) && !memory.containsKey(form)) {
            String json = Json.text(form);
            if (json != null) {
                return remember(form, helpers.parseJson.execute(json));
            }
        }
        Object v = arg(form);
        return v instanceof Value ? (Value) v : js.asValue(v);
    }

    /**
     * The fast path for the commonest message, a tree of plain objects and arrays holding strings,
     * numbers, booleans and null: its JSON text, built here in Java, becomes the JS value in ONE call of
     * the realm's intrinsic {@code JSON.parse} (Java code inside GraalJS) instead of two helper calls
     * per object. JSON.parse defines each property (CreateDataProperty, so {@code "__proto__"} stays an
     * own key) in text order, as {@code define} does. A form qualifies only if the JSON round trip is
     * exact: no object reached twice (the serializer marks those {@code shared}), no undefined, -0,
     * NaN, Infinity, holes or extra array properties, and not nested deeper than {@link #MAX_DEPTH};
     * any other value makes the whole tree take the ordinary path.
     */
    static final class Json {
        static final int MAX_DEPTH = 64;
        private static final long NEGATIVE_ZERO = Double.doubleToRawLongBits(-0.0d);

        private Json() {
        }

        /** The JSON text of {@code form}, or null if it does not qualify. */
        static String text(Object form) {
            StringBuilder out = new StringBuilder(64);
            return append(form, out, 0) ? out.toString() : null;
        }

        private static boolean append(Object form, StringBuilder out, int depth) {
            if (form == null) {
                out.append("null");
                return true;
            }
            if (form instanceof String str) {
                quote(str, out);
                return true;
            }
            if (form instanceof Boolean b) {
                out.append(b.booleanValue() ? "true" : "false");
                return true;
            }
            if (form instanceof Double d) {
                return number(d, out);
            }
            if (depth >= MAX_DEPTH) {
                return false;
            }
            if (form instanceof ObjectForm o) {
                if (o.shared) {
                    return false;
                }
                out.append('{');
                for (int i = 0; i < o.keys.length; i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    quote(o.keys[i], out);
                    out.append(':');
                    if (!append(o.values[i], out, depth + 1)) {
                        return false;
                    }
                }
                out.append('}');
                return true;
            }
            if (form instanceof ArrayForm a) {
                if (a.shared || a.length != a.keys.length) { // holes, or properties besides the indices
                    return false;
                }
                out.append('[');
                for (int i = 0; i < a.keys.length; i++) {
                    if (JsCodec.arrayIndex(a.keys[i]) != i) {
                        return false;
                    }
                    if (i > 0) {
                        out.append(',');
                    }
                    if (!append(a.values[i], out, depth + 1)) {
                        return false;
                    }
                }
                out.append(']');
                return true;
            }
            return false;
        }

        private static boolean number(double d, StringBuilder out) {
            if (!Double.isFinite(d) || Double.doubleToRawLongBits(d) == NEGATIVE_ZERO) {
                return false;
            }
            long whole = (long) d;
            if (whole == d && Math.abs(whole) < (1L << 53)) {
                out.append(whole);
            } else {
                out.append(d); // Double.toString: the shortest decimal that reads back as d (JSON allows 1.0E21)
            }
            return true;
        }

        /**
         * A JSON string: '"', backslash and the control characters escaped; every other UTF-16 unit,
         * a lone surrogate too, as it is (JSON.parse takes it unchanged).
         */
        private static void quote(String str, StringBuilder out) {
            out.append('"');
            for (int i = 0; i < str.length(); i++) {
                char c = str.charAt(i);
                if (c == '"' || c == '\\') {
                    out.append('\\').append(c);
                } else if (c < 0x20) {
                    out.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
                } else {
                    out.append(c);
                }
            }
            out.append('"');
        }
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
            Value made = remember(form, helpers.newObject.execute());
            fill(helpers.define, made, o.keys, o.values);
            return made;
        }
        if (form instanceof ArrayForm a) {
            Value made = remember(form, helpers.newArray.execute(a.length));
            Object[] keys = new Object[a.keys.length];
            for (int i = 0; i < keys.length; i++) {
                long index = JsCodec.arrayIndex(a.keys[i]);
                keys[i] = index >= 0 ? (Object) (double) index : a.keys[i]; // numbers: the engine's fast path
            }
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
            return remember(form, helpers.view.execute(v.type, buffer, v.byteOffset, v.length));
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
        throw new IllegalStateException("not a JavaScript value form: " + form.getClass().getName());
    }

    private Value buffer(BufferForm b) {
        if (b.bytes == null) {
            ArrayBuffer moved = (ArrayBuffer) context.deserialize(b.moved);
            // One copy into an ordinary JS buffer: GraalJS cannot detach a buffer backed by Java memory,
            // and HTML lets the receiver transfer it on (detaching it) like any other.
            return helpers.copy.execute(moved.asByteBuffer(), -1);
        }
        return helpers.copy.execute(ByteBuffer.wrap(b.bytes), b.maxByteLength);
    }

    private Value remember(Object form, Value made) {
        memory.put(form, made);
        return made;
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
