package dev.entangle.graaljs;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;

/**
 * The JavaScript functions {@link JsCodec} calls in one context: made once per context (one evaluation
 * of {@link #SOURCE}) and cached in the context's polyglot bindings, which scripts cannot see (the
 * contexts do not allow polyglot access), so the cache lives and dies with the context.
 *
 * <p>The functions capture the intrinsics ({@code Map.prototype.set}, the {@code ArrayBuffer}
 * getters, the error constructors, …) when they are made: a script that later replaces a global or a
 * prototype method does not change how values are serialized or rebuilt. {@link #of} makes them on
 * first use; a realm should call it before running user code (see {@link JsCodec#prepare}).
 *
 * <p>Threads: the thread that uses the context (its loop's). Memory consistency effects: none of its
 * own; the context is single-threaded.
 */
final class JsCodecHelpers {
    /** Key in the polyglot bindings. */
    private static final String KEY = "dev.entangle.graaljs.JsCodecHelpers";

    /*
     * describe(v, memory) (describeError for errors) gives one JS array per object: [tape, ...objects].
     * The tape is a string holding the object's kind and everything primitive in it; each child object
     * is a token "o<id>;" on the tape and the next element of the array, so the Java side makes one
     * interop call per child object and none per primitive or key. Ids come from `memory`, a JS Map of
     * the message (object to id, given when the object is first seen): the identity memory lives on the
     * JS side, where identity is exact and cheap. Value tokens:
     *   n<number>;  z (-0)  s<length>:<chars>  T  F  u  l  b<decimal>;  y (symbol)  f (function)  o<id>;
     * A plain string field is <length>:<chars> (no "s"). Tapes, by kind:
     *   P<count>; then count times: key value       an ordinary object (own enumerable string keys, each
     *                                                 read once)
     *   A<length>;<count>; then key value pairs      an Array
     *   B value                                      a Boolean, Number, String or BigInt object
     *   D value                                      a Date (its time value)
     *   R source flags                               a RegExp
     *   M<count>; then key value pairs               a Map
     *   S<count>; then values                        a Set
     *   U T-or-F <byteLength>;<maxByteLength>;       an ArrayBuffer (detached or not; -1: not resizable)
     *   V name buffer <byteOffset>;<length>; T-or-F  a typed array or DataView (T: length-tracking)
     *   E name message-or-u stack-or-u T cause / F   an Error
     *   X what                                       rejected ("Promise", "WeakMap", ...)
     * Brands are checked on internal slots where ECMAScript allows (a getter or method of the intrinsic
     * that throws without the slot); Object.prototype.toString picks which check to try, so an object
     * hiding its brand behind another Symbol.toStringTag (or a changed prototype) is taken for an
     * ordinary object. Errors are found by the Java side (Value.isException).
     */
    static final String SOURCE = """
            (function () {
              'use strict';
              const uncurry = (f) => Function.prototype.call.bind(f);
              const { defineProperty, getOwnPropertyDescriptor: gopd, getPrototypeOf, keys: ownKeys, create } = Object;
              const hasOwn = Object.hasOwn; // a plain function: no bound-call layer per property
              const objectToString = uncurry(Object.prototype.toString);
              const slice = uncurry(String.prototype.slice);
              const startsWith = uncurry(String.prototype.startsWith);
              const getter = (proto, p) => uncurry(gopd(proto, p).get);
              const TA = getPrototypeOf(Int8Array).prototype;
              const taName = getter(TA, Symbol.toStringTag), taBuffer = getter(TA, 'buffer'),
                  taOffset = getter(TA, 'byteOffset'), taLength = getter(TA, 'length'),
                  taByteLength = getter(TA, 'byteLength');
              const taSubarray = uncurry(TA.subarray); // throws for a view out of bounds of its buffer
              const taValues = uncurry(TA.values); // ValidateTypedArray: throws for any view out of bounds
              const dvBuffer = getter(DataView.prototype, 'buffer'), dvOffset = getter(DataView.prototype, 'byteOffset'),
                  dvLength = getter(DataView.prototype, 'byteLength');
              const AB = ArrayBuffer, abLength = getter(AB.prototype, 'byteLength'), abDetached = getter(AB.prototype, 'detached'),
                  abResizable = getter(AB.prototype, 'resizable'), abMax = getter(AB.prototype, 'maxByteLength'),
                  abTransfer = uncurry(AB.prototype.transfer), abResize = uncurry(AB.prototype.resize);
              const mapForEach = uncurry(Map.prototype.forEach), setForEach = uncurry(Set.prototype.forEach),
                  mapSize = getter(Map.prototype, 'size'), setSize = getter(Set.prototype, 'size'),
                  mapSet = uncurry(Map.prototype.set), setAdd = uncurry(Set.prototype.add);
              const reSource = getter(RegExp.prototype, 'source'), reFlags = getter(RegExp.prototype, 'flags');
              const isArray = Array.isArray, isView = AB.isView;
              const ArrayCtor = Array, MapCtor = Map, SetCtor = Set, DateCtor = Date, RegExpCtor = RegExp, U8 = Uint8Array,
                  I64 = BigInt64Array, ObjectCtor = Object, BigIntCtor = BigInt, StringCtor = String;
              const taSet = uncurry(TA.set);
              const ERRORS = create(null);
              for (const E of [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError]) ERRORS[E.name] = E;
              const VIEWS = create(null);
              for (const V of [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
                  Float32Array, Float64Array, BigInt64Array, BigUint64Array, DataView]) VIEWS[V.name] = V;
              if (typeof Float16Array === 'function') VIEWS.Float16Array = Float16Array;
              const BRANDS = new Map([
                ['Boolean', ['B', uncurry(Boolean.prototype.valueOf)]],
                ['Number', ['B', uncurry(Number.prototype.valueOf)]],
                ['String', ['B', uncurry(String.prototype.valueOf)]],
                ['BigInt', ['B', uncurry(BigInt.prototype.valueOf)]],
                ['Date', ['D', uncurry(Date.prototype.getTime)]],
                ['RegExp', ['R', reSource]],
                ['Map', ['M', mapSize]],
                ['Set', ['S', setSize]],
                ['ArrayBuffer', ['U', abLength]],
              ]);
              const REJECTED = new Set(['Symbol', 'Promise', 'WeakMap', 'WeakSet', 'WeakRef', 'FinalizationRegistry',
                  'SharedArrayBuffer', 'Arguments', 'Generator', 'AsyncGenerator', 'Array Iterator', 'Map Iterator',
                  'Set Iterator', 'String Iterator', 'RegExp String Iterator', 'Iterator Helper', 'Module']);
              // The tape token of a value (see the comment above); an object is appended to `objects` and gets
              // its id in the message's memory on first sight.
              const token = (x, memory, objects) => {
                switch (typeof x) {
                  case 'number': return x === 0 && 1 / x < 0 ? 'z' : 'n' + x + ';';
                  case 'string': return 's' + x.length + ':' + x;
                  case 'boolean': return x ? 'T' : 'F';
                  case 'undefined': return 'u';
                  case 'bigint': return 'b' + x + ';';
                  case 'symbol': return 'y';
                  case 'function': return 'f';
                  default: {
                    if (x === null) return 'l';
                    let id = memory.get(x);
                    if (id === undefined) { id = memory.size; memory.set(x, id); }
                    objects.push(x);
                    return 'o' + id + ';';
                  }
                }
              };
              const str = (x) => x.length + ':' + x;
              // Own enumerable string keys in order; a key deleted by an earlier getter is skipped (HasOwnProperty).
              const properties = (v, head, memory) => {
                const objects = [undefined];
                const keys = ownKeys(v);
                let body = '', count = 0;
                for (let i = 0; i < keys.length; i++) {
                  const k = keys[i];
                  if (hasOwn(v, k)) {
                    body += str(k) + token(v[k], memory, objects);
                    count++;
                  }
                }
                objects[0] = head + count + ';' + body;
                return objects;
              };
              // Whether view v (in bounds) is in bounds after its buffer lost its last byte.
              const inBounds = (v, isTypedArray) => {
                try { if (isTypedArray) taValues(v); else dvLength(v); return true; } catch (e) { return false; }
              };
              // HTML §2.7.3 step 14: a view whose length is "auto" (made without one on a resizable buffer)
              // tracks its buffer's length. No getter tells it from a fixed view that ends at the buffer's
              // end; taking the buffer's last byte off puts a fixed view out of bounds and leaves a
              // length-tracking one in, so that is tried, and the size and the byte are put back (no script
              // runs in between). An empty view at the buffer's end cannot be told: it counts as fixed.
              const lengthTracking = (v, b, isTypedArray, start, end) => {
                let resizable;
                try { resizable = abResizable(b); } catch (e) { return false; } // shared: rejected by describe(b)
                if (!resizable || end !== abLength(b) || end === start) return false;
                const last = new U8(b, end - 1, 1);
                const byte = last[0];
                abResize(b, end - 1);
                const tracking = inBounds(v, isTypedArray);
                abResize(b, end);
                new U8(b, end - 1, 1)[0] = byte;
                return tracking;
              };
              const viewOf = (v, b, name, offset, length, byteLength, memory) => {
                let detached;
                try { detached = abDetached(b); } catch (e) { detached = false; } // shared: rejected by describe(b)
                let window;
                try {
                  const isTypedArray = offset === taOffset;
                  if (!detached && isTypedArray) taSubarray(v, 0); // OOB: its getters read 0, this throws
                  window = detached ? '0;0;F' : offset(v) + ';' + length(v) + ';'
                      + (lengthTracking(v, b, isTypedArray, offset(v), offset(v) + byteLength(v)) ? 'T' : 'F');
                } catch (e) { // out of bounds of its shrunk resizable buffer (HTML §2.7.3 step 14.2)
                  return ['X' + str(name + ' out of bounds of its ArrayBuffer')];
                }
                const objects = [undefined];
                objects[0] = 'V' + str(name) + token(b, memory, objects) + window;
                return objects;
              };
              let isPort = null; // the realm's MessagePort brand check (installPortCheck), before any read of v
              const describe = (v, memory) => {
                if (isPort !== null) {
                  // the realm's check: true (a port), [interface, data] (a serializable platform object:
                  // its serialization steps' data, serialized in its place), [interface] (not serializable)
                  const p = isPort(v);
                  if (p === true) return ['p'];
                  if (p !== false) {
                    if (p.length === 1) return ['X' + str(p[0])];
                    const objects = [undefined];
                    objects[0] = 'O' + str(p[0]) + token(p[1], memory, objects);
                    return objects;
                  }
                }
                if (isArray(v)) return properties(v, 'A' + v.length + ';', memory);
                if (isView(v)) {
                  const name = taName(v);
                  return name === undefined ? viewOf(v, dvBuffer(v), 'DataView', dvOffset, dvLength, dvLength, memory)
                      : viewOf(v, taBuffer(v), name, taOffset, taLength, taByteLength, memory);
                }
                const tag = slice(objectToString(v), 8, -1);
                const brand = BRANDS.get(tag);
                if (brand !== undefined) {
                  let slot;
                  try { slot = brand[1](v); } catch (e) { return properties(v, 'P', memory); } // a borrowed tag
                  switch (brand[0]) {
                    case 'B': { const objects = [undefined]; objects[0] = 'B' + token(slot, memory, objects); return objects; }
                    case 'D': return ['D' + token(slot, memory, null)];
                    case 'R': { const r = new RegExpCtor(v); return ['R' + str(reSource(r)) + str(reFlags(r))]; }
                    case 'M': {
                      const objects = [undefined];
                      let body = '';
                      mapForEach(v, (value, key) => { body += token(key, memory, objects) + token(value, memory, objects); });
                      objects[0] = 'M' + mapSize(v) + ';' + body;
                      return objects;
                    }
                    case 'S': {
                      const objects = [undefined];
                      let body = '';
                      setForEach(v, (value) => { body += token(value, memory, objects); });
                      objects[0] = 'S' + setSize(v) + ';' + body;
                      return objects;
                    }
                    default: {
                      const detached = abDetached(v);
                      return ['U' + (detached ? 'T' : 'F') + slot + ';' + (!detached && abResizable(v) ? abMax(v) : -1) + ';'];
                    }
                  }
                }
                if (REJECTED.has(tag) || startsWith(tag, 'Intl.') || startsWith(tag, 'Temporal.')) return ['X' + str(tag)];
                return properties(v, 'P', memory);
              };
              const optional = (x) => x === undefined ? 'u' : 's' + str(x);
              const describeError = (v, memory) => {
                let name = v.name;
                if (typeof name !== 'string' || ERRORS[name] === undefined) name = 'Error';
                const md = gopd(v, 'message');
                const message = md !== undefined && (hasOwn(md, 'value') || hasOwn(md, 'writable')) ? StringCtor(md.value) : undefined;
                const sd = gopd(v, 'stack');
                const stack = sd !== undefined && typeof sd.value === 'string' ? sd.value : undefined;
                const cd = gopd(v, 'cause');
                const objects = [undefined];
                const head = 'E' + str(name) + optional(message) + optional(stack);
                objects[0] = cd !== undefined && hasOwn(cd, 'value') ? head + 'T' + token(cd.value, memory, objects) : head + 'F';
                return objects;
              };
              const data = create(null);
              data.writable = true; data.enumerable = true; data.configurable = true;
              const hidden = create(null);
              hidden.writable = true; hidden.enumerable = false; hidden.configurable = true;
              const defineHidden = (o, k, value) => { hidden.value = value; defineProperty(o, k, hidden); hidden.value = undefined; };
              return {
                undefined: undefined,
                // the tape of a root value: [token, the object if it is one]
                root: (x, memory) => { const objects = [undefined]; objects[0] = token(x, memory, objects); return objects; },
                // WebIDL sequence<any> conversion: a JS array of the iterable's values, or null if x is not iterable
                sequence: (x) => {
                  if (!((typeof x === 'object' && x !== null) || typeof x === 'function')) return null;
                  const method = x[Symbol.iterator];
                  if (method === undefined || method === null) return null;
                  if (typeof method !== 'function') return null;
                  const it = method.call(x), out = [];
                  for (let r = it.next(); !r.done; r = it.next()) out.push(r.value);
                  return out;
                },
                isObject: (x) => (typeof x === 'object' && x !== null) || typeof x === 'function',
                newMemory: () => new MapCtor(),
                // the index of x in a Map built by remember (the transfer list's buffers), or -1
                indexOf: (memory, x) => { const i = memory.get(x); return i === undefined ? -1 : i; },
                // adds x to memory with the next index: false if it was there
                remember: (memory, x) => memory.has(x) ? false : (memory.set(x, memory.size), true),
                describe,
                describeError,
                setPortCheck: (f) => { isPort = f; },
                // 0: not an ArrayBuffer (or a shared one), 1: an ArrayBuffer, 2: a detached ArrayBuffer
                transferKind: (x) => { try { return abDetached(x) ? 2 : 1; } catch (e) { return 0; } },
                // false if the buffer cannot be detached (one backed by Java memory)
                detach: (b) => { try { abTransfer(b); return true; } catch (e) { return false; } },
                newObject: () => ({}),
                newArray: (n) => new ArrayCtor(n),
                newMap: () => new MapCtor(),
                newSet: () => new SetCtor(),
                // CreateDataProperty for each pair. On the fresh object, a plain assignment does the same unless the
                // key is already reachable (a prototype accessor such as __proto__, or a frozen prototype property).
                define: (o, ...kv) => {
                  for (let i = 0; i < kv.length; i += 2) {
                    const k = kv[i];
                    if (k in o) { data.value = kv[i + 1]; defineProperty(o, k, data); } else o[k] = kv[i + 1];
                  }
                  data.value = undefined;
                },
                mapFill: (m, ...kv) => { for (let i = 0; i < kv.length; i += 2) mapSet(m, kv[i], kv[i + 1]); },
                setFill: (s, ...e) => { for (let i = 0; i < e.length; i++) setAdd(s, e[i]); },
                box: (p) => ObjectCtor(p),
                bigint: (s) => BigIntCtor(s),
                date: (t) => new DateCtor(t),
                regexp: (s, f) => new RegExpCtor(s, f),
                error: (name, message, stack) => {
                  const e = new ERRORS[name]();
                  if (message !== undefined) defineHidden(e, 'message', message);
                  if (stack !== undefined) defineHidden(e, 'stack', stack); else delete e.stack;
                  return e;
                },
                defineHidden,
                // The bytes of a Java buffer into a new JS ArrayBuffer. GraalJS reads a Java-backed buffer
                // element by element: 8-byte BigInt64 elements (exact for any bits, unlike Float64's NaNs)
                // copy a MiB several times faster than bytes do; the last length % 8 bytes go one by one.
                copy: (byteBuffer, max) => {
                  const source = new AB(byteBuffer);
                  const length = abLength(source);
                  const b = max < 0 ? new AB(length) : new AB(length, { maxByteLength: max });
                  const words = (length - length % 8) / 8;
                  if (words > 0) taSet(new I64(b, 0, words), new I64(source, 0, words));
                  if (words * 8 < length) taSet(new U8(b, words * 8), new U8(source, words * 8));
                  return b;
                },
                // length undefined: a length-tracking view (on a resizable buffer)
                view: (name, buffer, offset, length) => new VIEWS[name](buffer, offset, length),
              };
            })()
            """;

    final Value undefined;
    final Value root;
    final Value sequence;
    final Value isObject;
    final Value newMemory;
    final Value indexOf;
    final Value remember;
    final Value describe;
    final Value describeError;
    final Value transferKind;
    final Value detach;
    final Value newObject;
    final Value newArray;
    final Value newMap;
    final Value newSet;
    final Value define;
    final Value mapFill;
    final Value setFill;
    final Value box;
    final Value bigint;
    final Value date;
    final Value regexp;
    final Value error;
    final Value defineHidden;
    final Value copy;
    final Value view;
    private final Value setPortCheck;
    /** Loop-only: whether describe tells ports itself (kind 'p'); otherwise the serializer asks the host. */
    private boolean portCheckInstalled;

    private JsCodecHelpers(Value fns) {
        undefined = fns.getMember("undefined");
        root = fns.getMember("root");
        sequence = fns.getMember("sequence");
        isObject = fns.getMember("isObject");
        newMemory = fns.getMember("newMemory");
        indexOf = fns.getMember("indexOf");
        remember = fns.getMember("remember");
        describe = fns.getMember("describe");
        describeError = fns.getMember("describeError");
        transferKind = fns.getMember("transferKind");
        detach = fns.getMember("detach");
        newObject = fns.getMember("newObject");
        newArray = fns.getMember("newArray");
        newMap = fns.getMember("newMap");
        newSet = fns.getMember("newSet");
        define = fns.getMember("define");
        mapFill = fns.getMember("mapFill");
        setFill = fns.getMember("setFill");
        box = fns.getMember("box");
        bigint = fns.getMember("bigint");
        date = fns.getMember("date");
        regexp = fns.getMember("regexp");
        error = fns.getMember("error");
        defineHidden = fns.getMember("defineHidden");
        copy = fns.getMember("copy");
        view = fns.getMember("view");
        setPortCheck = fns.getMember("setPortCheck");
    }

    /**
     * Makes {@code describe} recognize the host's port objects ({@code isPort}: a JS function of the
     * same context, true for a port object), so the serializer makes one call into the context per
     * object instead of two ({@link JsHost#unwrapPort} only for what is a port).
     */
    void installPortCheck(Value isPort) {
        setPortCheck.execute(isPort);
        portCheckInstalled = true;
    }

    boolean portCheckInstalled() {
        return portCheckInstalled;
    }

    /** The helpers of {@code context}, made on first use. Call on the context's thread. */
    static JsCodecHelpers of(Context context) {
        Value bindings = context.getPolyglotBindings();
        Value cached = bindings.getMember(KEY);
        if (cached != null && cached.isHostObject()) {
            return cached.asHostObject();
        }
        JsCodecHelpers helpers = new JsCodecHelpers(
                context.eval(Source.newBuilder("js", SOURCE, "entangle-codec.js").buildLiteral()));
        bindings.putMember(KEY, helpers);
        return helpers;
    }
}
