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

    /** Kinds returned by {@code describe} at index 0. */
    static final int PLAIN = 0;
    static final int ARRAY = 1;
    static final int BOXED = 2;
    static final int DATE = 3;
    static final int REGEXP = 4;
    static final int MAP = 5;
    static final int SET = 6;
    static final int BUFFER = 7;
    static final int VIEW = 8;
    static final int ERROR = 9;
    static final int REJECT = 10;

    /*
     * describe(v, memory) gives one array per object: [kind, types, ...payload]. `types` has one code per
     * value slot of the payload, in order (n number, s string, t boolean, u undefined, l null, b bigint,
     * y symbol, f function, o<id>; object), so the Java side learns each child's type without an interop
     * call per child. The ids come from `memory`, a JS Map of the message (object to id, given when the
     * object is first seen): the identity memory lives on the JS side, where identity is exact and cheap.
     * Payloads:
     *   PLAIN   k0, v0, k1, v1, ...                (own enumerable string keys, each read once)
     *   ARRAY   length, k0, v0, ...
     *   BOXED   primitive
     *   DATE    time
     *   REGEXP  source, flags
     *   MAP     k0, v0, ...                        (types for keys and values)
     *   SET     e0, e1, ...
     *   BUFFER  detached, byteLength, maxByteLength (-1: not resizable)
     *   VIEW    constructor name, buffer, byteOffset, length
     *   ERROR   name, message, stack, hasCause, cause
     *   REJECT  what (a tag such as "Promise")
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
              const hasOwn = uncurry(Object.prototype.hasOwnProperty);
              const objectToString = uncurry(Object.prototype.toString);
              const slice = uncurry(String.prototype.slice);
              const startsWith = uncurry(String.prototype.startsWith);
              const getter = (proto, p) => uncurry(gopd(proto, p).get);
              const TA = getPrototypeOf(Int8Array).prototype;
              const taName = getter(TA, Symbol.toStringTag), taBuffer = getter(TA, 'buffer'),
                  taOffset = getter(TA, 'byteOffset'), taLength = getter(TA, 'length');
              const dvBuffer = getter(DataView.prototype, 'buffer'), dvOffset = getter(DataView.prototype, 'byteOffset'),
                  dvLength = getter(DataView.prototype, 'byteLength');
              const AB = ArrayBuffer, abLength = getter(AB.prototype, 'byteLength'), abDetached = getter(AB.prototype, 'detached'),
                  abResizable = getter(AB.prototype, 'resizable'), abMax = getter(AB.prototype, 'maxByteLength'),
                  abTransfer = uncurry(AB.prototype.transfer);
              const mapForEach = uncurry(Map.prototype.forEach), setForEach = uncurry(Set.prototype.forEach),
                  mapSize = getter(Map.prototype, 'size'), setSize = getter(Set.prototype, 'size'),
                  mapSet = uncurry(Map.prototype.set), setAdd = uncurry(Set.prototype.add);
              const reSource = getter(RegExp.prototype, 'source'), reFlags = getter(RegExp.prototype, 'flags');
              const isArray = Array.isArray, isView = AB.isView;
              const ArrayCtor = Array, MapCtor = Map, SetCtor = Set, DateCtor = Date, RegExpCtor = RegExp, U8 = Uint8Array,
                  ObjectCtor = Object, BigIntCtor = BigInt, StringCtor = String;
              const ERRORS = create(null);
              for (const E of [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError]) ERRORS[E.name] = E;
              const VIEWS = create(null);
              for (const V of [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
                  Float32Array, Float64Array, BigInt64Array, BigUint64Array, DataView]) VIEWS[V.name] = V;
              if (typeof Float16Array === 'function') VIEWS.Float16Array = Float16Array;
              const BRANDS = new Map([
                ['Boolean', [2, uncurry(Boolean.prototype.valueOf)]],
                ['Number', [2, uncurry(Number.prototype.valueOf)]],
                ['String', [2, uncurry(String.prototype.valueOf)]],
                ['BigInt', [2, uncurry(BigInt.prototype.valueOf)]],
                ['Date', [3, uncurry(Date.prototype.getTime)]],
                ['RegExp', [4, reSource]],
                ['Map', [5, mapSize]],
                ['Set', [6, setSize]],
                ['ArrayBuffer', [7, abLength]],
              ]);
              const REJECTED = new Set(['Symbol', 'Promise', 'WeakMap', 'WeakSet', 'WeakRef', 'FinalizationRegistry',
                  'SharedArrayBuffer', 'Arguments', 'Generator', 'AsyncGenerator', 'Array Iterator', 'Map Iterator',
                  'Set Iterator', 'String Iterator', 'RegExp String Iterator', 'Iterator Helper', 'Module']);
              // A value's type code; an object also gets its id in the message's memory (assigned on first sight).
              const typeCode = (x, memory) => {
                switch (typeof x) {
                  case 'number': return 'n';
                  case 'string': return 's';
                  case 'boolean': return 't';
                  case 'undefined': return 'u';
                  case 'bigint': return 'b';
                  case 'symbol': return 'y';
                  case 'function': return 'f';
                  default: {
                    if (x === null) return 'l';
                    let id = memory.get(x);
                    if (id === undefined) { id = memory.size; memory.set(x, id); }
                    return 'o' + id + ';';
                  }
                }
              };
              // Own enumerable string keys in order; a key deleted by an earlier getter is skipped (HasOwnProperty).
              const properties = (v, out, memory) => {
                const keys = ownKeys(v);
                let types = '';
                for (let i = 0; i < keys.length; i++) {
                  const k = keys[i];
                  if (hasOwn(v, k)) {
                    const x = v[k];
                    out.push(k, x);
                    types += typeCode(x, memory);
                  }
                }
                out[1] = types;
                return out;
              };
              const bufferOf = (v, b, name, offset, length, memory) => {
                let detached;
                try { detached = abDetached(b); } catch (e) { detached = false; } // shared: rejected by describe(b)
                const type = typeCode(b, memory);
                return detached ? [8, type, name, b, 0, 0] : [8, type, name, b, offset(v), length(v)];
              };
              const describe = (v, memory) => {
                if (isArray(v)) return properties(v, [1, '', v.length], memory);
                if (isView(v)) {
                  const name = taName(v);
                  return name === undefined ? bufferOf(v, dvBuffer(v), 'DataView', dvOffset, dvLength, memory)
                      : bufferOf(v, taBuffer(v), name, taOffset, taLength, memory);
                }
                const tag = slice(objectToString(v), 8, -1);
                const brand = BRANDS.get(tag);
                if (brand !== undefined) {
                  let slot;
                  try { slot = brand[1](v); } catch (e) { return properties(v, [0, ''], memory); } // a borrowed tag
                  switch (brand[0]) {
                    case 2: return [2, typeCode(slot, memory), slot];
                    case 3: return [3, 'n', slot];
                    case 4: { const r = new RegExpCtor(v); return [4, '', reSource(r), reFlags(r)]; }
                    case 5: {
                      const out = [5, ''];
                      let types = '';
                      mapForEach(v, (value, key) => { out.push(key, value); types += typeCode(key, memory) + typeCode(value, memory); });
                      out[1] = types;
                      return out;
                    }
                    case 6: {
                      const out = [6, ''];
                      let types = '';
                      setForEach(v, (value) => { out.push(value); types += typeCode(value, memory); });
                      out[1] = types;
                      return out;
                    }
                    default: {
                      const detached = abDetached(v);
                      return [7, '', detached, slot, !detached && abResizable(v) ? abMax(v) : -1];
                    }
                  }
                }
                if (REJECTED.has(tag) || startsWith(tag, 'Intl.') || startsWith(tag, 'Temporal.')) return [10, '', tag];
                return properties(v, [0, ''], memory);
              };
              const describeError = (v, memory) => {
                let name = v.name;
                if (typeof name !== 'string' || ERRORS[name] === undefined) name = 'Error';
                const md = gopd(v, 'message');
                const message = md !== undefined && (hasOwn(md, 'value') || hasOwn(md, 'writable')) ? StringCtor(md.value) : undefined;
                const sd = gopd(v, 'stack');
                const stack = sd !== undefined && typeof sd.value === 'string' ? sd.value : undefined;
                const cd = gopd(v, 'cause');
                return cd !== undefined && hasOwn(cd, 'value') ? [9, typeCode(cd.value, memory), name, message, stack, true, cd.value]
                    : [9, '', name, message, stack, false];
              };
              const data = create(null);
              data.writable = true; data.enumerable = true; data.configurable = true;
              const hidden = create(null);
              hidden.writable = true; hidden.enumerable = false; hidden.configurable = true;
              const defineHidden = (o, k, value) => { hidden.value = value; defineProperty(o, k, hidden); hidden.value = undefined; };
              return {
                undefined: undefined,
                typeCode,
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
                // 0: not an ArrayBuffer (or a shared one), 1: an ArrayBuffer, 2: a detached ArrayBuffer
                transferKind: (x) => { try { return abDetached(x) ? 2 : 1; } catch (e) { return 0; } },
                // false if the buffer cannot be detached (one backed by Java memory)
                detach: (b) => { try { abTransfer(b); return true; } catch (e) { return false; } },
                newObject: () => ({}),
                newArray: (n) => new ArrayCtor(n),
                newMap: () => new MapCtor(),
                newSet: () => new SetCtor(),
                define: (o, ...kv) => {
                  for (let i = 0; i < kv.length; i += 2) { data.value = kv[i + 1]; defineProperty(o, kv[i], data); }
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
                adopt: (byteBuffer) => new AB(byteBuffer),
                copy: (byteBuffer, max) => {
                  const source = new U8(new AB(byteBuffer));
                  const b = max < 0 ? new AB(source.length) : new AB(source.length, { maxByteLength: max });
                  new U8(b).set(source);
                  return b;
                },
                view: (name, buffer, offset, length) => new VIEWS[name](buffer, offset, length),
              };
            })()
            """;

    final Value undefined;
    final Value typeCode;
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
    final Value adopt;
    final Value copy;
    final Value view;

    private JsCodecHelpers(Value fns) {
        undefined = fns.getMember("undefined");
        typeCode = fns.getMember("typeCode");
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
        adopt = fns.getMember("adopt");
        copy = fns.getMember("copy");
        view = fns.getMember("view");
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
