// Structured clone (HTML §2.7 "Safe passing of structured data": StructuredSerializeInternal /
// StructuredDeserialize, StructuredSerializeWithTransfer) through structuredClone(), through a
// MessagePort in this realm and through a worker (another realm on another loop). Mirrors
// web-platform-tests html/webappapis/structured-clone/structured-clone-battery-of-tests.js (the
// value families) and structured-clone.any.js, webmessaging/postMessage_arrays.htm,
// postMessage_Date.htm, postMessage_Function.htm, postMessage_ArrayBuffer.htm.
import {
  test, assertEquals, assertSame, assertNotSame, assertTrue, assertFalse, assertThrows, assertArrayEquals,
  assertInstanceOf, nextEvent, nextMessage,
} from './harness.mjs';

// The ways a value crosses: each test runs once per way (those with a transfer list, once per way
// that has one).
const ways = {
  structuredClone: async (t, value, transfer = []) => structuredClone(value, { transfer }),
  port: async (t, value, transfer = []) => {
    const c = t.channel();
    c.port1.postMessage(value, transfer); // first: if it throws, no wait is left pending
    return nextMessage(c.port2);
  },
  broadcastChannel: async (t, value) => { // no transfer list: BroadcastChannel has none
    const name = `structured-clone-${Date.now()}-${Math.random()}`;
    const sender = new BroadcastChannel(name);
    const receiver = new BroadcastChannel(name);
    t.cleanup(() => { sender.close(); receiver.close(); });
    sender.postMessage(value); // delivered as a later task: the listener added next sees it
    return (await nextEvent(receiver, 'message')).data;
  },
  worker: async (t, value, transfer = []) => {
    const w = sharedWorker(t);
    w.postMessage(value, transfer); // the reply comes as a later task: the listener added next sees it
    return (await nextEvent(w, 'message')).data;
  },
};

let echo = null;
function sharedWorker(t) {
  if (echo === null) {
    echo = new Worker('workers/echo.js', { name: 'structured-clone echo' });
  }
  return echo;
}

const withTransfer = ['structuredClone', 'port', 'worker'];

/** Registers `body(t, cross)` once per way; `cross(value, transfer)` resolves with the copy. */
function each(name, body, only = Object.keys(ways)) {
  for (const way of only) {
    test(`${name} (${way})`, (t) => body(t, (value, transfer) => ways[way](t, value, transfer)));
  }
}

// ------------------------------------------------------------------ primitives

// Battery: primitives are copied as they are (-0 and NaN included), lone surrogates kept.
each('primitives, -0, NaN, BigInt, lone surrogates', async (t, cross) => {
  const values = [undefined, null, true, false, 0, -0, NaN, Infinity, -Infinity, 1.5, 2 ** 53, -(2 ** 31),
    '', 'text', '\uD800', 'a\uDC00b', 12345678901234567890n, -1n];
  const copy = await cross(values);
  assertEquals(copy.length, values.length);
  values.forEach((v, i) => assertSame(copy[i], v, `index ${i}`));
});

// Battery: wrapper objects (Boolean, Number, String, BigInt) keep their primitive value.
each('wrapper objects', async (t, cross) => {
  const [b, n, z, s, big] = await cross([new Boolean(false), new Number(-0), new Number(NaN), new String('str'), Object(7n)]);
  assertInstanceOf(b, Boolean);
  assertSame(b.valueOf(), false);
  assertInstanceOf(n, Number);
  assertSame(n.valueOf(), -0);
  assertSame(z.valueOf(), NaN);
  assertInstanceOf(s, String);
  assertEquals(s.valueOf(), 'str');
  assertEquals(typeof big, 'object');
  assertSame(big.valueOf(), 7n);
});

// ------------------------------------------------------------------ objects and arrays

// webmessaging/postMessage_objects.htm, battery: plain objects copied key by key (own enumerable
// string keys, getters read once); prototype is Object.prototype; symbol keys and non-enumerable
// properties dropped.
each('plain objects: own enumerable string keys, values copied', async (t, cross) => {
  class Point { constructor() { this.x = 1; this.y = 2; } }
  const source = { a: 1, nested: { b: 'two', deeper: { c: [3] } }, point: new Point(), [Symbol('s')]: 1 };
  Object.defineProperty(source, 'hidden', { value: 1, enumerable: false });
  Object.defineProperty(source, 'computed', { get: () => 'got', enumerable: true });
  const copy = await cross(source);
  assertNotSame(copy, source);
  assertSame(Object.getPrototypeOf(copy), Object.prototype);
  assertArrayEquals(Object.keys(copy), ['a', 'nested', 'point', 'computed']);
  assertEquals(copy.nested.deeper.c[0], 3);
  assertEquals(copy.computed, 'got');
  assertSame(Object.getPrototypeOf(copy.point), Object.prototype, 'a class instance becomes a plain object');
  assertEquals(copy.point.x + copy.point.y, 3);
  assertEquals(Object.getOwnPropertySymbols(copy).length, 0);
});

// webmessaging/postMessage_arrays.htm, battery ("Array with holes", "Array with extra property"):
// length, holes and extra properties survive.
each('arrays: holes, length and extra properties', async (t, cross) => {
  const source = [1, , 3]; // eslint-disable-line no-sparse-arrays
  source.extra = 'prop';
  source[10] = 'ten';
  const copy = await cross(source);
  assertTrue(Array.isArray(copy));
  assertEquals(copy.length, 11);
  assertFalse(1 in copy, 'index 1 is a hole');
  assertFalse(5 in copy, 'index 5 is a hole');
  assertEquals(copy[2], 3);
  assertEquals(copy[10], 'ten');
  assertEquals(copy.extra, 'prop');
  const sparse = await cross(new Array(1000));
  assertEquals(sparse.length, 1000);
  assertEquals(Object.keys(sparse).length, 0);
});

// Battery ("Object with cycle", "shared references"): the memory map keeps identity inside one clone.
each('cycles and shared references are preserved', async (t, cross) => {
  const shared = { s: 1 };
  const source = { a: shared, b: shared, list: [shared] };
  source.self = source;
  source.list.push(source.list);
  const copy = await cross(source);
  assertSame(copy.self, copy);
  assertSame(copy.a, copy.b);
  assertSame(copy.list[0], copy.a);
  assertSame(copy.list[1], copy.list);
  assertNotSame(copy.a, shared);
});

// Battery: Map and Set keep insertion order, keys and values are cloned (objects as keys too).
each('Map and Set: order and cloned entries', async (t, cross) => {
  const key = { k: 1 };
  const map = new Map([['z', 1], [key, 'object key'], [2, { v: 2 }], [NaN, 'nan']]);
  const set = new Set(['c', 'a', key, 3]);
  const [m, s] = await cross([map, set]);
  assertInstanceOf(m, Map);
  assertInstanceOf(s, Set);
  const mk = [...m.keys()];
  assertEquals(mk.length, 4);
  assertEquals(mk[0], 'z');
  assertEquals(mk[1].k, 1);
  assertNotSame(mk[1], key);
  assertEquals(mk[2], 2);
  assertSame(mk[3], NaN);
  assertEquals(m.get(2).v, 2);
  assertEquals(m.get(mk[1]), 'object key');
  const sv = [...s];
  assertEquals(sv.length, 4);
  assertArrayEquals([sv[0], sv[1], sv[3]], ['c', 'a', 3]);
  assertSame(sv[2], mk[1], 'one object, one copy, within one clone');
});

// webmessaging/postMessage_Date.htm, battery: Date keeps its time value (invalid dates too).
each('Date', async (t, cross) => {
  const d = new Date(Date.UTC(2020, 1, 29, 12, 34, 56, 789));
  const [copy, invalid] = await cross([d, new Date(NaN)]);
  assertInstanceOf(copy, Date);
  assertNotSame(copy, d);
  assertEquals(copy.getTime(), d.getTime());
  assertSame(invalid.getTime(), NaN);
});

// Battery (RegExp): source and flags kept; lastIndex is not serialized (the copy's is 0).
each('RegExp: source, flags, lastIndex reset', async (t, cross) => {
  const r = /a[b-c]+\//gimsuy;
  r.lastIndex = 3;
  const [copy, d] = await cross([r, /x/d]);
  assertInstanceOf(copy, RegExp);
  assertEquals(copy.source, r.source);
  assertEquals(copy.flags, r.flags);
  assertEquals(copy.lastIndex, 0);
  assertEquals(d.flags, 'd');
});

// Battery (Error objects): name (one of the native error names, else "Error") and message kept,
// the copy is an instance of the matching constructor.
each('Error objects', async (t, cross) => {
  const custom = new Error('custom');
  custom.name = 'CustomError';
  const errors = await cross([new Error('e'), new TypeError('t'), new RangeError('r'), new SyntaxError('s'),
    new ReferenceError('f'), new EvalError('v'), new URIError('u'), custom]);
  const expected = [[Error, 'Error', 'e'], [TypeError, 'TypeError', 't'], [RangeError, 'RangeError', 'r'],
    [SyntaxError, 'SyntaxError', 's'], [ReferenceError, 'ReferenceError', 'f'], [EvalError, 'EvalError', 'v'],
    [URIError, 'URIError', 'u'], [Error, 'Error', 'custom']];
  expected.forEach(([type, name, message], i) => {
    assertInstanceOf(errors[i], type, `error ${i}`);
    assertEquals(errors[i].name, name, `name ${i}`);
    assertEquals(errors[i].message, message, `message ${i}`);
  });
});

// ------------------------------------------------------------------ binary data

// Battery (ArrayBuffer, typed arrays, DataView): bytes copied; views keep their kind, offset and
// length, and views on one buffer share one copied buffer.
each('ArrayBuffer, typed arrays and DataView with offsets', async (t, cross) => {
  const buffer = new ArrayBuffer(16);
  new Uint8Array(buffer).forEach((_, i, a) => { a[i] = i * 3; });
  const u8 = new Uint8Array(buffer, 2, 5);
  const f64 = new Float64Array([Math.PI, -0]);
  const view = new DataView(buffer, 4, 8);
  const i16 = new Int16Array([-1, 32767]);
  const big = new BigInt64Array([-(2n ** 63n), 1n]);
  const copy = await cross({ buffer, u8, f64, view, i16, big, c: new Uint8ClampedArray([300]) });
  assertInstanceOf(copy.buffer, ArrayBuffer);
  assertEquals(copy.buffer.byteLength, 16);
  assertArrayEquals(new Uint8Array(copy.buffer), new Uint8Array(buffer));
  assertInstanceOf(copy.u8, Uint8Array);
  assertEquals(copy.u8.byteOffset, 2);
  assertEquals(copy.u8.length, 5);
  assertArrayEquals(copy.u8, [6, 9, 12, 15, 18]);
  assertSame(copy.u8.buffer, copy.buffer, 'views share the copied buffer');
  assertInstanceOf(copy.view, DataView);
  assertEquals(copy.view.byteOffset, 4);
  assertEquals(copy.view.byteLength, 8);
  assertSame(copy.view.buffer, copy.buffer);
  assertArrayEquals(copy.f64, [Math.PI, -0]);
  assertArrayEquals(copy.i16, [-1, 32767]);
  assertArrayEquals(copy.big, [-(2n ** 63n), 1n]);
  assertEquals(copy.c[0], 255);
  assertNotSame(copy.buffer, buffer);
});

// webmessaging/postMessage_ArrayBuffer.htm, structured-clone.any.js (transfer): a transferred
// ArrayBuffer is detached at the sender (byteLength 0, detached true), its views become empty, and the
// receiver sees the bytes.
each('ArrayBuffer transfer detaches the sender\'s buffer; the receiver sees the bytes', async (t, cross) => {
  const buffer = new Uint8Array([1, 2, 3, 4]).buffer;
  const view = new Uint8Array(buffer, 1);
  const copy = await cross({ view }, [buffer]);
  assertEquals(buffer.byteLength, 0);
  assertTrue(buffer.detached, 'detached');
  assertEquals(view.length, 0);
  assertArrayEquals(copy.view, [2, 3, 4]);
  assertEquals(copy.view.buffer.byteLength, 4);
  assertThrows('DataCloneError', () => structuredClone(buffer), 'a detached buffer cannot be cloned');
  assertThrows('DataCloneError', () => structuredClone(buffer, { transfer: [buffer] }), 'nor transferred again');
}, withTransfer);

// structured-clone.any.js: structuredClone(value, {transfer}) returns the transferred buffer itself
// as the value's copy.
test('structuredClone(buf, {transfer: [buf]})', () => {
  const buffer = new Uint8Array([9, 8, 7]).buffer;
  const copy = structuredClone(buffer, { transfer: [buffer] });
  assertEquals(buffer.byteLength, 0);
  assertNotSame(copy, buffer);
  assertArrayEquals(new Uint8Array(copy), [9, 8, 7]);
  assertThrows(TypeError, () => structuredClone(1, { transfer: 1 }));
  assertThrows('DataCloneError', () => structuredClone(1, { transfer: [{}] }), 'not transferable');
  const dup = new ArrayBuffer(1);
  assertThrows('DataCloneError', () => structuredClone(dup, { transfer: [dup, dup] }), 'duplicate');
  assertEquals(dup.byteLength, 1);
});

// HTML §2.7.3 step 14 (ArrayBufferView: [[ArrayLength]] or [[ByteLength]] "auto"): a view made without
// a length on a resizable buffer tracks the buffer's length after the copy too; a view given a length
// that ends at the buffer's end stays fixed; the sender's buffer keeps its bytes and size (the codec
// probes it). WPT structured-clone-battery-of-tests-with-transferables.js ("Length-tracking
// TypedArray is transferable", "... DataView ...").
each('length-tracking views on resizable buffers arrive length-tracking; fixed ones fixed', async (t, cross) => {
  const buffer = new ArrayBuffer(8, { maxByteLength: 16 });
  new Uint8Array(buffer).set([1, 2, 3, 4, 5, 6, 7, 255]);
  const values = [new Uint16Array(buffer, 2), new DataView(buffer, 4), new Uint8Array(buffer, 4, 4),
    new Uint16Array(buffer, 0, 4)];
  const [tracking16, trackingView, fixed8, fixed16] = await cross(values);
  assertArrayEquals([...new Uint8Array(buffer)], [1, 2, 3, 4, 5, 6, 7, 255], 'the sender keeps its bytes');
  assertEquals(buffer.byteLength, 8, 'the sender keeps its size');
  assertEquals(values[0].length, 3, "the sender's view keeps its length");
  const copy = tracking16.buffer;
  assertSame(trackingView.buffer, copy);
  assertEquals(copy.maxByteLength, 16);
  assertArrayEquals([...tracking16], [0x0403, 0x0605, 0xff07]);
  copy.resize(12);
  assertEquals(tracking16.length, 5, 'the typed array tracks its buffer');
  assertEquals(trackingView.byteLength, 8, 'the DataView tracks its buffer');
  assertEquals(fixed8.length, 4, 'a fixed view ending at the end stays fixed');
  assertEquals(fixed16.length, 4);
  copy.resize(6);
  assertEquals(tracking16.length, 2);
  assertEquals(fixed8.length, 0, 'a fixed view out of bounds has length 0');
});

// ------------------------------------------------------------------ not cloneable

// webmessaging/postMessage_Function.htm, battery ("DataCloneError for functions, symbols, WeakMap,
// WeakSet, Promise"); HTML StructuredSerializeWithTransfer: the clone error comes before any transfer,
// so nothing in the transfer list is detached.
each('functions, symbols, WeakMap, WeakSet, Promise: DataCloneError, nothing detached', async (t, cross) => {
  const bad = [() => 1, Symbol('s'), new WeakMap(), new WeakSet(), Promise.resolve(), { nested: { f() {} } }];
  for (const value of bad) {
    const buffer = new ArrayBuffer(8);
    let thrown = null;
    try {
      await cross({ value }, [buffer]);
    } catch (e) {
      thrown = e;
    }
    assertInstanceOf(thrown, DOMException, `for ${String(typeof value === 'symbol' ? 'symbol' : value)}`);
    assertEquals(thrown.name, 'DataCloneError');
    assertEquals(buffer.byteLength, 8, 'the buffer was detached');
  }
}, withTransfer);

// Battery (values posted but not transferred): the same values through a BroadcastChannel, which has
// no transfer list, are a DataCloneError too.
test('functions and symbols through a BroadcastChannel: DataCloneError', (t) => {
  const b = new BroadcastChannel(`not-cloneable-${Date.now()}`);
  t.cleanup(() => b.close());
  assertThrows('DataCloneError', () => b.postMessage({ f() {} }));
  assertThrows('DataCloneError', () => b.postMessage(Symbol('s')));
});

// HTML MessageEvent data attribute: one deserialized value per event, the same object on every read.
test('e.data is the same object on each read', async (t) => {
  const c = t.channel();
  const got = nextEvent(c.port2, 'message');
  c.port2.start();
  c.port1.postMessage({ a: 1 });
  const e = await got;
  assertSame(e.data, e.data);
  assertEquals(e.data.a, 1);
});

// HTML transfer steps of ArrayBuffer: the received buffer can be transferred on (a second hop),
// detaching it in turn.
test('a received transferred ArrayBuffer transferred again is detached', async (t) => {
  const first = t.channel();
  const second = t.channel();
  const got1 = nextMessage(first.port2);
  const buffer = new Uint8Array([5, 6, 7]).buffer;
  first.port1.postMessage(buffer, [buffer]);
  const received = await got1;
  assertEquals(received.byteLength, 3);
  const got2 = nextMessage(second.port2);
  second.port1.postMessage(received, [received]);
  const again = await got2;
  assertArrayEquals(new Uint8Array(again), [5, 6, 7]);
  assertEquals(received.byteLength, 0);
  assertTrue(received.detached, 'detached after the second hop');
});

// HTML §9.4.4: a port in the data must also be in the transfer list; there the data's port and
// e.ports[0] are the same new object.
test('a port in the data: the same object as in e.ports; without transfer a DataCloneError', async (t) => {
  const carrier = t.channel();
  const c = t.channel();
  assertThrows('DataCloneError', () => carrier.port1.postMessage({ port: c.port1 }));
  const got = nextEvent(carrier.port2, 'message');
  carrier.port2.start();
  carrier.port1.postMessage({ port: c.port1, list: [c.port1] }, [c.port1]);
  const e = await got;
  t.cleanup(() => e.ports[0].close());
  assertSame(e.data.port, e.ports[0]);
  assertSame(e.data.list[0], e.ports[0]);
  assertInstanceOf(e.data.port, MessagePort);
});

// The value codec is installed (with the primitives-only stand-in, every family above fails with
// DataCloneError; this one line says why).
test('objects can be cloned (the value codec is installed)', () => {
  const copy = structuredClone({ a: [1] });
  assertEquals(copy.a[0], 1);
});
