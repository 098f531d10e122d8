// The JavaScript half of the codec (JsCodec): evaluated once per context by JsCodecHelpers, which hands
// the Java side the functions this returns. They capture the intrinsics (Map.prototype.set, the
// ArrayBuffer getters, the error constructors, ...) when made: a script that later replaces a global or
// a prototype method does not change how values are serialized or rebuilt.
//
// What stays JavaScript: brand checks on internal slots (a getter or method of the intrinsic that throws
// without the slot: ECMAScript gives no other way), the walks of Map and Set entries, errors and views
// (one call per such object, see JsSerializer), the object identity memory of a message (a Map: exact
// identity, which Value.equals is not for primitive wrapper objects), and the constructors the
// deserializer calls. Ordinary objects, arrays and every primitive are read by the Java side.
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
  const isArray = Array.isArray, isView = AB.isView, ObjectPrototype = Object.prototype;
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
  // The tape token of a value; an object is appended to `objects`: the Java side serializes it next (and
  // gives it its id through classify).
  const token = (x, objects) => {
    switch (typeof x) {
      case 'number': return x === 0 && 1 / x < 0 ? 'z' : 'n' + x + ';';
      case 'string': return 's' + x.length + ':' + x;
      case 'boolean': return x ? 'T' : 'F';
      case 'undefined': return 'u';
      case 'bigint': return 'b' + x + ';';
      case 'symbol': return 'y';
      case 'function': return 'f';
      default:
        if (x === null) return 'l';
        objects.push(x);
        return 'o';
    }
  };
  const str = (x) => x.length + ':' + x;
  // An ordinary object: its own enumerable string keys in order, the head last. The Java side reads each
  // value once (Value.getMember), skipping a key an earlier getter deleted.
  const properties = (v, head) => {
    const keys = ownKeys(v);
    keys.push(head);
    return keys;
  };
  // An Array: ['L<length>;'] when it is dense without other properties (the Java side reads its elements
  // by index), else its keys as properties gives them. Keys list the indices first, ascending, so
  // `length` keys whose last is the last index are exactly 0 .. length - 1.
  const arrayOf = (v) => {
    const length = v.length;
    const keys = ownKeys(v);
    if (keys.length === length && (length === 0 || keys[length - 1] === StringCtor(length - 1))) {
      return ['L' + length + ';'];
    }
    keys.push('A' + length + ';');
    return keys;
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
    try { resizable = abResizable(b); } catch (e) { return false; } // shared: rejected when b is serialized
    if (!resizable || end !== abLength(b) || end === start) return false;
    const last = new U8(b, end - 1, 1);
    const byte = last[0];
    abResize(b, end - 1);
    const tracking = inBounds(v, isTypedArray);
    abResize(b, end);
    new U8(b, end - 1, 1)[0] = byte;
    return tracking;
  };
  const viewOf = (v, b, name, offset, length, byteLength) => {
    let detached;
    try { detached = abDetached(b); } catch (e) { detached = false; } // shared: rejected when b is serialized
    let window;
    try {
      const isTypedArray = offset === taOffset;
      if (!detached && isTypedArray) taSubarray(v, 0); // OOB: its getters read 0, this throws
      window = detached ? '0;0;F' : offset(v) + ';' + length(v) + ';'
          + (lengthTracking(v, b, isTypedArray, offset(v), offset(v) + byteLength(v)) ? 'T' : 'F');
    } catch (e) { // out of bounds of its shrunk resizable buffer (HTML §2.7.3 step 14.2)
      return ['X' + str(name + ' out of bounds of its ArrayBuffer')];
    }
    const objects = [];
    objects.push('V' + str(name) + token(b, objects) + window);
    return objects;
  };
  let isPort = null; // the realm's MessagePort brand check (installPortCheck), before any read of v
  // An object met for the first time: [...its child objects, tape] (see JsSerializer for the tapes), or
  // for an ordinary object or an Array what properties and arrayOf give.
  const describe = (v) => {
    if (typeof v === 'function') return ['f'];
    // An Array is never a platform object; an object whose prototype is Object.prototype is taken for an
    // ordinary one (a platform object has its interface's prototype) without the realm's check or
    // Object.prototype.toString: the spec serializes it by its internal slots, and it has none.
    if (isArray(v)) return arrayOf(v);
    if (getPrototypeOf(v) === ObjectPrototype) return properties(v, 'P');
    if (isPort !== null) {
      // the realm's check: true (a port), [interface, data] (a serializable platform object:
      // its serialization steps' data, serialized in its place), [interface] (not serializable)
      const p = isPort(v);
      if (p === true) return ['p'];
      if (p !== false) {
        if (p.length === 1) return ['X' + str(p[0])];
        const objects = [];
        objects.push('O' + str(p[0]) + token(p[1], objects));
        return objects;
      }
    }
    if (isView(v)) {
      const name = taName(v);
      return name === undefined ? viewOf(v, dvBuffer(v), 'DataView', dvOffset, dvLength, dvLength)
          : viewOf(v, taBuffer(v), name, taOffset, taLength, taByteLength);
    }
    const tag = slice(objectToString(v), 8, -1);
    const brand = BRANDS.get(tag);
    if (brand !== undefined) {
      let slot;
      try { slot = brand[1](v); } catch (e) { return properties(v, 'P'); } // a borrowed tag
      switch (brand[0]) {
        case 'B': { const objects = []; objects.push('B' + token(slot, objects)); return objects; }
        case 'D': return ['D' + token(slot, null)];
        case 'R': { const r = new RegExpCtor(v); return ['R' + str(reSource(r)) + str(reFlags(r))]; }
        case 'M': {
          const objects = [];
          let body = '';
          mapForEach(v, (value, key) => { body += token(key, objects) + token(value, objects); });
          objects.push('M' + mapSize(v) + ';' + body);
          return objects;
        }
        case 'S': {
          const objects = [];
          let body = '';
          setForEach(v, (value) => { body += token(value, objects); });
          objects.push('S' + setSize(v) + ';' + body);
          return objects;
        }
        default: {
          const detached = abDetached(v);
          return ['U' + (detached ? 'T' : 'F') + slot + ';' + (!detached && abResizable(v) ? abMax(v) : -1) + ';'];
        }
      }
    }
    if (REJECTED.has(tag) || startsWith(tag, 'Intl.') || startsWith(tag, 'Temporal.')) return ['X' + str(tag)];
    return properties(v, 'P');
  };
  const optional = (x) => x === undefined ? 'u' : 's' + str(x);
  const describeError = (v) => {
    let name = v.name;
    if (typeof name !== 'string' || ERRORS[name] === undefined) name = 'Error';
    const md = gopd(v, 'message');
    const message = md !== undefined && (hasOwn(md, 'value') || hasOwn(md, 'writable')) ? StringCtor(md.value) : undefined;
    const sd = gopd(v, 'stack');
    const stack = sd !== undefined && typeof sd.value === 'string' ? sd.value : undefined;
    const cd = gopd(v, 'cause');
    const objects = [];
    const head = 'E' + str(name) + optional(message) + optional(stack);
    objects.push(cd !== undefined && hasOwn(cd, 'value') ? head + 'T' + token(cd.value, objects) : head + 'F');
    return objects;
  };
  const data = create(null);
  data.writable = true; data.enumerable = true; data.configurable = true;
  const hidden = create(null);
  hidden.writable = true; hidden.enumerable = false; hidden.configurable = true;
  // CreateDataProperty for each pair of kv on o. On a fresh object, a plain assignment does the same unless
  // the key is already reachable (a prototype accessor such as __proto__, or a frozen prototype property).
  const define = (o, kv) => {
    for (let i = 0; i < kv.length; i += 2) {
      const k = kv[i];
      if (k in o) { data.value = kv[i + 1]; defineProperty(o, k, data); } else o[k] = kv[i + 1];
    }
    data.value = undefined;
  };
  const defineHidden = (o, k, value) => { hidden.value = value; defineProperty(o, k, hidden); hidden.value = undefined; };
  return {
    undefined: undefined,
    // An object of a message: its id if the message's memory (a Map) has it, else its description (of an
    // Error if isError: the Java side tells, Value.isException), the memory giving it the next id.
    classify: (v, memory, isError) => {
      const id = memory.get(v);
      if (id !== undefined) return id;
      memory.set(v, memory.size);
      return isError ? describeError(v) : describe(v);
    },
    // values whose meta objects the Java side's type checks use (Value.isMetaInstance)
    samples: { bigint: 0n, undefined: undefined, proxy: new Proxy({}, {}) },
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
    setPortCheck: (f) => { isPort = f; },
    // 0: not an ArrayBuffer (or a shared one), 1: an ArrayBuffer, 2: a detached ArrayBuffer
    transferKind: (x) => { try { return abDetached(x) ? 2 : 1; } catch (e) { return 0; } },
    // Detaches b and returns a new buffer of this realm owning its bytes (ArrayBuffer.prototype.transfer:
    // the same memory, no copy; resizable stays resizable), or null if b cannot be detached (a buffer
    // over Java memory, which GraalJS cannot transfer).
    detach: (b) => { try { return abTransfer(b); } catch (e) { return null; } },
    newObject: () => ({}),
    newArray: (n) => new ArrayCtor(n),
    newMap: () => new MapCtor(),
    newSet: () => new SetCtor(),
    define: (o, ...kv) => { define(o, kv); },
    // a new object or array (of length n) with the pairs: one call for an object without child objects
    filledObject: (...kv) => { const o = {}; define(o, kv); return o; },
    filledArray: (n, ...kv) => { const a = new ArrayCtor(n); define(a, kv); return a; },
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
