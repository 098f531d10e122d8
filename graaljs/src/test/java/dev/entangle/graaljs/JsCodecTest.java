package dev.entangle.graaljs;

import static dev.entangle.graaljs.JsTestRealm.await;
import static dev.entangle.graaljs.JsTestRealm.call;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ShortBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.entangle.ArrayBuffer;
import dev.entangle.DOMException;
import dev.entangle.EventLoop;
import dev.entangle.MessageChannel;
import dev.entangle.MessagePort;

/**
 * Round trips of JavaScript values: a script on loop A posts through a core {@link MessageChannel} with
 * {@link JsCodec#post}, and a script on loop B (or Java code on a loop without a realm) checks what
 * arrived. Spec references are to HTML §2.7.3 StructuredSerializeInternal, §2.7.5
 * StructuredSerializeWithTransfer and §2.7.6 StructuredDeserialize.
 */
class JsCodecTest {
    private static JsTestRealm a;
    private static JsTestRealm b;
    private static EventLoop javaLoop;

    @BeforeAll
    static void start() throws Exception {
        a = JsTestRealm.start("js-a");
        b = JsTestRealm.start("js-b");
        javaLoop = EventLoop.start("java-receiver");
    }

    @AfterAll
    static void stop() throws Exception {
        a.close();
        b.close();
        javaLoop.close();
        assertTrue(javaLoop.awaitTermination(JsTestRealm.TIMEOUT));
        assertNull(a.errors.poll(), "loop A reported an error");
        assertNull(b.errors.poll(), "loop B reported an error");
    }

    /**
     * Posts what {@code body} returns on A (a function body: its {@code return} is the message, or
     * {@code [message, transfer]} if {@code withTransfer}), and returns what {@code check} (a function body
     * of {@code d}, the received data) returns on B, as a string.
     */
    private static String roundTrip(String body, boolean withTransfer, String check) throws Exception {
        return roundTrip(b, body, withTransfer, check);
    }

    /** {@link #roundTrip(String, boolean, String)} with {@code check} run in realm {@code to} (A or B). */
    private static String roundTrip(JsTestRealm to, String body, boolean withTransfer, String check)
            throws Exception {
        MessageChannel channel = new MessageChannel(to.loop);
        CompletableFuture<String> checked = new CompletableFuture<>();
        await(call(to.loop, () -> {
            Value f = to.js("(d) => { " + check + " }");
            channel.port2().onmessage(e -> {
                try {
                    checked.complete(f.execute(e.data()).toString());
                } catch (RuntimeException x) {
                    checked.completeExceptionally(x);
                }
            });
            channel.port2().onmessageerror(e -> checked.completeExceptionally(new AssertionError("messageerror")));
            return null;
        }));
        a.on(() -> {
            Value sent = a.js("(() => { " + body + " })()");
            Value message = withTransfer ? sent.getArrayElement(0) : sent;
            Value transfer = withTransfer ? sent.getArrayElement(1) : null;
            JsCodec.post(message, transfer, (m, list) -> channel.port1().postMessage(m, list));
            return null;
        });
        try {
            return await(checked);
        } finally {
            channel.port1().close();
        }
    }

    private static String roundTrip(String body, String check) throws Exception {
        return roundTrip(body, false, check);
    }

    /** Posts on A as {@link #roundTrip} and returns the exception {@link JsCodec#post} threw. */
    private static RuntimeException postFails(String body, boolean withTransfer) throws Exception {
        MessageChannel channel = new MessageChannel(b.loop);
        try {
            return a.on(() -> {
                Value sent = a.js("(() => { " + body + " })()");
                Value message = withTransfer ? sent.getArrayElement(0) : sent;
                Value transfer = withTransfer ? sent.getArrayElement(1) : null;
                try {
                    JsCodec.post(message, transfer, (m, list) -> channel.port1().postMessage(m, list));
                } catch (RuntimeException e) {
                    return e;
                }
                throw new AssertionError("the post did not fail");
            });
        } finally {
            channel.port1().close();
        }
    }

    /** Posts what {@code body} returns on A to a loop without a realm, and returns the Java data. */
    private static Object toJava(String body, boolean withTransfer) throws Exception {
        MessageChannel channel = new MessageChannel(javaLoop);
        CompletableFuture<Object> received = new CompletableFuture<>();
        await(call(javaLoop, () -> {
            channel.port2().onmessage(e -> received.complete(e.data()));
            channel.port2().onmessageerror(e -> received.completeExceptionally(new AssertionError("messageerror")));
            return null;
        }));
        a.on(() -> {
            Value sent = a.js("(() => { " + body + " })()");
            JsCodec.post(withTransfer ? sent.getArrayElement(0) : sent,
                    withTransfer ? sent.getArrayElement(1) : null,
                    (m, list) -> channel.port1().postMessage(m, list));
            return null;
        });
        try {
            return await(received);
        } finally {
            channel.port1().close();
        }
    }

    @Test
    void primitivesKeepValueAndType() throws Exception {
        // StructuredSerializeInternal steps 2-4: undefined, null, booleans, numbers (-0, NaN), strings and
        // bigints are serialized as their value.
        assertEquals("8,true,true,true,true,1.5,true,true,text,bigint,true", roundTrip(
                "return [undefined, null, true, 1.5, -0, NaN, 'text', 12345678901234567890123n];",
                "return [d.length, 0 in d, d[0] === undefined, d[1] === null, d[2] === true, d[3],"
                        + " Object.is(d[4], -0), Number.isNaN(d[5]), d[6], typeof d[7],"
                        + " d[7] === 12345678901234567890123n].join();"));
    }

    @Test
    void primitiveRootsArriveAsThemselves() throws Exception {
        assertEquals("true", roundTrip("return undefined;", "return d === undefined;"));
        assertEquals("true", roundTrip("return -0;", "return Object.is(d, -0);"));
        assertEquals("string:hi", roundTrip("return 'hi';", "return typeof d + ':' + d;"));
        assertEquals("bigint:-7", roundTrip("return -7n;", "return typeof d + ':' + d;"));
    }

    @Test
    void wrapperObjectsStayObjects() throws Exception {
        // Steps 6-10: [[BooleanData]], [[NumberData]], [[BigIntData]], [[StringData]] objects.
        assertEquals("object:true:true,object:-0:true,object:x:true,object:3:true", roundTrip(
                "return [Object(true), Object(-0), Object('x'), Object(3n)];",
                "const C = [Boolean, Number, String, BigInt];"
                        + " return d.map((w, i) => typeof w + ':' + (Object.is(w.valueOf(), -0) ? '-0' : w.valueOf())"
                        + " + ':' + (i === 3 ? Object.getPrototypeOf(w) === BigInt.prototype : w instanceof C[i])).join();"));
    }

    @Test
    void datesAndRegExpsAreRebuilt() throws Exception {
        // Step 11: [[DateValue]]; step 12: [[OriginalSource]] and [[OriginalFlags]], lastIndex not kept.
        assertEquals("true,1234567,true,true,a+\\/b,dgiu,0,true", roundTrip(
                "const r = /a+\\/b/giud; r.lastIndex = 3; return [new Date(1234567), new Date(NaN), r];",
                "return [d[0] instanceof Date, d[0].getTime(), d[1] instanceof Date, isNaN(d[1].getTime()),"
                        + " d[2].source, d[2].flags, d[2].lastIndex, d[2] instanceof RegExp].join();"));
    }

    @Test
    void ordinaryObjectsKeepOwnEnumerableStringKeysInOrder() throws Exception {
        // Step 26: an ordinary object; its own enumerable string keys in EnumerableOwnProperties order,
        // each value read once (a getter too); the prototype, non-enumerable and symbol keys are not kept.
        assertEquals("1,2,b,a,__proto__,g|true|1|true|false|false|g1", roundTrip(
                "globalThis.reads = 0;"
                        + " class Point { constructor() { this.b = 1; this.a = 2; } }"
                        + " const o = Object.assign(JSON.parse('{\"2\": 0, \"1\": 0}'), new Point());"
                        + " Object.defineProperty(o, '__proto__', {value: 42, enumerable: true});"
                        + " Object.defineProperty(o, 'g', {get() { return 'g' + ++reads; }, enumerable: true});"
                        + " Object.defineProperty(o, 'hidden', {value: 1, enumerable: false});"
                        + " o[Symbol('s')] = 1;"
                        + " return o;",
                "return [Object.keys(d).join(), Object.getPrototypeOf(d) === Object.prototype,"
                        + " Object.getOwnPropertyDescriptor(d, 'b').value, Object.hasOwn(d, '__proto__'),"
                        + " 'hidden' in d, Object.getOwnPropertySymbols(d).length > 0, d.g].join('|');"));
        assertEquals("1", a.eval("String(reads)"));
    }

    @Test
    void theReceiverDefinesPropertiesWithoutCallingPrototypeSetters() throws Exception {
        // StructuredDeserialize step for ordinary objects and arrays: CreateDataProperty, not Set.
        b.eval("globalThis.setterCalls = 0; Object.defineProperty(Object.prototype, 'trap',"
                + " {set(v) { setterCalls++; }, configurable: true});"
                + " Object.defineProperty(Array.prototype, '1', {set(v) { setterCalls++; }, configurable: true});");
        try {
            assertEquals("7,8,true,true,0", roundTrip("return [{trap: 7}, [0, 8]];",
                    "return [d[0].trap, d[1][1], Object.hasOwn(d[0], 'trap'), Object.hasOwn(d[1], '1'),"
                            + " setterCalls].join();"));
        } finally {
            b.eval("delete Object.prototype.trap; delete Array.prototype[1];");
        }
    }

    @Test
    void aKeyDeletedByAnEarlierGetterIsSkipped() throws Exception {
        // Step 26.4: for each key, only if HasOwnProperty(value, key) is still true.
        assertEquals("a", roundTrip(
                "const o = {get a() { delete this.b; return 1; }, b: 2}; return o;",
                "return Object.keys(d).join();"));
    }

    @Test
    void anObjectOfObjectPrototypeIsOrdinaryWhateverTagItClaims() throws Exception {
        // Step 26: an object without internal slots is an ordinary object; a Symbol.toStringTag naming a
        // kind that is not cloneable does not make it one (it has no [[PromiseState]]); like every symbol
        // key, the tag itself is not kept.
        assertEquals("1|[object Object]", roundTrip(
                "return {[Symbol.toStringTag]: 'Promise', a: 1};",
                "return [d.a, Object.prototype.toString.call(d)].join('|');"));
    }

    @Test
    void aDenseArrayAndItsElementsArriveInOrder() throws Exception {
        // Step 18 for an array without holes or other properties (read by index); shared elements stay shared.
        assertEquals("3|a,1,true|true|-0", roundTrip(
                "const x = {}; return [['a', 1, true], x, x, -0];",
                "return [d[0].length, d[0].join(), d[1] === d[2], Object.is(d[3], -0) ? '-0' : d[3]].join('|');"));
    }

    @Test
    void arraysKeepLengthHolesAndExtraProperties() throws Exception {
        // Step 18: an Array's length, then its own enumerable properties (holes stay holes).
        assertEquals("5|false|1,,3,,|x|true", roundTrip(
                "const arr = [1, , 3]; arr.length = 5; arr.extra = 'x'; return arr;",
                "return [d.length, 1 in d, d.join(), d.extra, Array.isArray(d)].join('|');"));
    }

    @Test
    void mapsAndSetsKeepInsertionOrderAndKeyIdentity() throws Exception {
        // Steps 15-16: [[MapData]] and [[SetData]], entries in order.
        assertEquals("z,1,k|true|true|c,a,b", roundTrip(
                "const k = {}; const m = new Map([['z', 1], [1, 2], ['k', k], [k, 'object key']]);"
                        + " return [m, new Set(['c', 'a', 'b'])];",
                "const m = d[0]; const keys = [...m.keys()];"
                        + " return [keys.slice(0, 3).join(), keys[3] === m.get('k'), m instanceof Map,"
                        + " [...d[1]].join()].join('|');"));
    }

    @Test
    void sharedReferencesAndCyclesArriveShared() throws Exception {
        // Step 1-2 / deserialize step 2: the memory maps each object to one copy (cycles included).
        assertEquals("true,true,true,true,true", roundTrip(
                "const o = {}; o.self = o; const s = {x: 1}; const m = new Map(); m.set(m, [m]);"
                        + " const e = new Error('loop'); e.cause = e;"
                        + " return [o, s, s, m, e];",
                "return [d[0].self === d[0], d[1] === d[2], d[3].get(d[3])[0] === d[3], d[3].has(d[3]),"
                        + " d[4].cause === d[4]].join();"));
    }

    @Test
    void nestedCyclesAndSharedSubtreesKeepTheirShape() throws Exception {
        // Deserialize step 2 with the receiver's two ways to make an object: objects reached once are made
        // after their children, in one call; an object a cycle comes back to (through nested objects
        // and arrays) is made first. Key order and an own "__proto__" survive either way.
        assertEquals("true,true,true,true,z|a|__proto__,1,true,true,2", roundTrip(
                "const root = {z: 0, a: {b: [{c: null}]}}; root.a.b[0].c = root; root.a.b.push(root.a);"
                        + " const leaf = {v: 1}; const mid = {z: 0, a: [leaf], ['__proto__']: leaf};"
                        + " return [root, mid, {m: mid}, [mid, [leaf, leaf]]];",
                "const [root, mid, holder, list] = d;"
                        + " return [root.a.b[0].c === root, root.a.b[1] === root.a, holder.m === mid,"
                        + " list[0] === mid, Object.keys(mid).join('|'), mid.a[0].v,"
                        + " Object.getPrototypeOf(mid) === Object.prototype && mid['__proto__'] === mid.a[0],"
                        + " list[1][0] === list[1][1] && list[1][0] === mid.a[0], list[1].length].join();"));
    }

    @Test
    void typedArraysAndDataViewsShareTheirBuffer() throws Exception {
        // Step 14: an ArrayBufferView serializes its buffer through the memory, then its offset and length.
        assertEquals("true,2,3,1:2:3,true,4,8,2,1.5", roundTrip(
                "const buf = new ArrayBuffer(16); const u = new Uint16Array(buf, 2, 3); u.set([1, 2, 3]);"
                        + " const dv = new DataView(buf, 4, 8); return [buf, u, dv, new Float64Array([1.5])];",
                "return [d[1].buffer === d[0], d[1].byteOffset, d[1].length, [...d[1]].join(':'),"
                        + " d[2].buffer === d[0] && d[2] instanceof DataView, d[2].byteOffset, d[2].byteLength,"
                        + " d[2].getUint16(0, true), d[3][0]].join();"));
    }

    @Test
    void everyTypedArrayKindArrivesAsItself() throws Exception {
        String kinds = "['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array',"
                + " 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array', 'Float16Array']";
        assertEquals("12:true", roundTrip(
                "return " + kinds + ".map((k) => { const a = new globalThis[k](3);"
                        + " a[1] = k.startsWith('Big') ? 5n : 5; return a; });",
                "const ok = d.map((a, i) => a instanceof globalThis[" + kinds + "[i]] && a.length === 3"
                        + " && a[1] == 5 && a[0] == 0);"
                        + " return d.length + ':' + ok.every((x) => x);"));
    }

    @Test
    void errorsKeepKindMessageStackAndCause() throws Exception {
        // Step 17: name limited to the spec's list (else "Error"), message only if an own data property;
        // the stack (and cause, as V8) as "interesting accompanying data".
        assertEquals("true|m|TypeError|true|c|false|true|Error|false|true", roundTrip(
                "const t = new TypeError('m', {cause: 'c'}); const odd = new RangeError('x'); odd.name = 'MyError';"
                        + " return [t, odd, new Error(), t.stack];",
                "const [t, odd, plain, sentStack] = d;"
                        + " return [t instanceof TypeError, t.message, t.name, t.stack === sentStack, t.cause,"
                        + " Object.getOwnPropertyDescriptor(t, 'message').enumerable, odd instanceof Error"
                        + " && !(odd instanceof RangeError), odd.name, Object.hasOwn(plain, 'message'),"
                        + " sentStack.includes('TypeError: m')].join('|');"));
    }

    @Test
    void transferredBufferIsDetachedOnTheSenderAndArrivesWithItsBytes() throws Exception {
        // StructuredSerializeWithTransfer: the transferred buffer is detached (byteLength 0); the receiver's
        // buffer has the contents, and views on it in the same message share it.
        assertEquals("true,1:2:3,true,3", roundTrip(
                "globalThis.moved = new Uint8Array([1, 2, 3]).buffer;"
                        + " return [{buf: moved, view: new Uint8Array(moved, 1)}, [moved]];",
                true,
                "return [d.buf instanceof ArrayBuffer, [...new Uint8Array(d.buf)].join(':'),"
                        + " d.view.buffer === d.buf, d.buf.byteLength].join();"));
        assertEquals("true,0", a.eval("[moved.detached, moved.byteLength].join()"));
    }

    /** A function body making {@code globalThis.big}, 1 MiB whose byte i is (i * 31 + 7) % 251. */
    private static final String BIG = "globalThis.big = new ArrayBuffer(1 << 20); const u = new Uint8Array(big);"
            + " for (let i = 0; i < u.length; i++) u[i] = (i * 31 + 7) % 251; ";
    /** A function body checking that {@code d.buf} holds {@link #BIG}'s bytes and {@code d.view} is on it. */
    private static final String BIG_CHECK = "const u = new Uint8Array(d.buf);"
            + " if (u.length !== 1 << 20) return 'length ' + u.length;"
            + " for (let i = 0; i < u.length; i++) if (u[i] !== (i * 31 + 7) % 251) return 'byte ' + i;"
            + " return [d.view.buffer === d.buf, d.view.byteOffset, d.view.length, d.view[0]].join();";

    @Test
    void aMiBTransferredToTheSameRealmArrivesWithItsBytesAndDetachesTheSender() throws Exception {
        // StructuredSerializeWithTransfer and StructuredDeserializeWithTransfer within one realm (a
        // channel whose both ends are on A): the receiver takes the sender's memory as a new buffer
        // (JsForms.SameRealm, no copy); the sender's is detached, a view in the message is on the new one.
        int first = (8 * 31 + 7) % 251 + 256 * ((9 * 31 + 7) % 251); // little-endian 16 bits at byte 8
        assertEquals("true,8,16," + first, roundTrip(a,
                BIG + "return [{buf: big, view: new Uint16Array(big, 8, 16)}, [big]];", true,
                "globalThis.arrived = d.buf; " + BIG_CHECK));
        assertEquals("true,0,false", a.eval("[big.detached, big.byteLength, arrived === big].join()"));
        // structuredClone(value, {transfer}): the receiver takes the bytes before the post's detach step.
        assertEquals("true,2,4," + (2 * 31 + 7) % 251 + ";true,0", a.on(() -> {
            Value sent = a.js("(() => { " + BIG + "return {buf: big, view: new Uint8Array(big, 2, 4)}; })()");
            Value clone = (Value) JsCodec.structuredClone(sent, a.js("({transfer: [big]})"));
            return a.js("(d) => { " + BIG_CHECK + " }").execute(clone).asString() + ";"
                    + a.js("[big.detached, big.byteLength].join()").asString();
        }));
    }

    @Test
    void aMiBTransferredThereAndBackArrivesIntactAndDetachesEachSender() throws Exception {
        // The peer benchmark's buffer case: A transfers to B, B transfers it back to A (the way back is
        // a receiver in another realm than the hop's sender, then one in the first sender's own realm).
        String[] seen = thereAndBack("(() => { " + BIG + "return {buf: big, view: new Uint8Array(big, 3, 5)}; })()",
                "(d) => [d.buf]", "(d) => [d.buf.detached, d.buf.byteLength, d.view.length].join()",
                "(d) => { " + BIG_CHECK + " }");
        assertEquals("true,0,0", seen[0]);
        assertEquals("true,3,5," + (3 * 31 + 7) % 251, seen[1]);
        assertEquals("true,0", a.eval("[big.detached, big.byteLength].join()"));
    }

    @Test
    void aResizableBufferTransferredToTheSameRealmStaysResizableWithItsTrackingView() throws Exception {
        // HTML §2.7.3 steps 13 and 14 within one realm: maxByteLength and a length-tracking view survive
        // the move, and the new buffer can be resized and transferred on like any other.
        assertEquals("true,4,16,4,true,8,8,0", roundTrip(a,
                "globalThis.rs = new ArrayBuffer(4, {maxByteLength: 16}); new Uint8Array(rs).set([1, 2, 3, 4]);"
                        + " return [{buf: rs, view: new Uint8Array(rs)}, [rs]];", true,
                "const r = [d.buf.resizable, d.buf.byteLength, d.buf.maxByteLength, d.view.length];"
                        + " d.buf.resize(8); r.push(d.view.length === 8, d.view.length);"
                        + " const on = d.buf.transfer(); r.push(on.byteLength, d.buf.byteLength); return r.join();"));
        assertEquals("true,0", a.eval("[rs.detached, rs.byteLength].join()"));
    }

    @Test
    void sameRealmTakesTheMovedBufferOnceAndCopiesWhenItCannotDetach() throws Exception {
        // JsForms.SameRealm, the no-copy path pinned: after the post's detach step the receiver gets the
        // new buffer once (a second take has nothing); before it (structuredClone) take detaches the
        // sender itself and the later detach step leaves it; a buffer over Java memory cannot be detached,
        // so take has nothing and the receiver copies the moved Java bytes.
        assertEquals("true,true,3,true", a.on(() -> {
            JsCodecHelpers helpers = JsCodecHelpers.of(a.context());
            Value original = a.js("new Uint8Array([5, 6, 7]).buffer");
            JsForms.SameRealm moved = new JsForms.SameRealm(helpers, original);
            moved.detach();
            Value taken = moved.take();
            boolean detachedFirst = original.getBufferSize() == 0;
            return detachedFirst + "," + (moved.take() == null) + "," + taken.getBufferSize() + ","
                    + (taken.readBufferByte(2) == 7);
        }));
        assertEquals("true,3,true", a.on(() -> {
            JsCodecHelpers helpers = JsCodecHelpers.of(a.context());
            Value original = a.js("new Uint8Array([5, 6, 7]).buffer");
            JsForms.SameRealm early = new JsForms.SameRealm(helpers, original);
            Value taken = early.take();
            early.detach(); // the post's step after a structuredClone: nothing left to detach
            return (original.getBufferSize() == 0) + "," + taken.getBufferSize() + "," + (early.take() == null);
        }));
        assertEquals("true,2", a.on(() -> {
            JsCodecHelpers helpers = JsCodecHelpers.of(a.context());
            Value interop = a.js("(bb) => new ArrayBuffer(bb)").execute(ByteBuffer.wrap(new byte[] {4, 5}));
            JsForms.SameRealm overJava = new JsForms.SameRealm(helpers, interop);
            overJava.detach();
            return (overJava.take() == null) + "," + interop.getBufferSize();
        }));
    }

    @Test
    void theTransferListMayBeAnyIterable() throws Exception {
        // WebIDL sequence<object> conversion: any iterable object.
        assertEquals("2", roundTrip("globalThis.inSet = new ArrayBuffer(2); return [inSet, new Set([inSet])];", true,
                "return String(d.byteLength);"));
        assertEquals("true", a.eval("String(inSet.detached)"));
    }

    @Test
    void aTransferredBufferCanBeTransferredOnByItsReceiver() throws Exception {
        // HTML StructuredSerializeWithTransfer: the receiver's buffer is an ordinary ArrayBuffer, so
        // transferring it on detaches it there too (and the bytes arrive intact at the next hop).
        String[] seen = thereAndBack("new Uint8Array([7, 8, 9]).buffer", "(x) => [x]",
                "(x) => [x.detached, x.byteLength].join()", "(d) => [...new Uint8Array(d)].join(':')");
        assertEquals("true,0", seen[0]);
        assertEquals("7:8:9", seen[1]);
    }

    /**
     * Posts the value {@code make} evaluates to on A to B, transferring what {@code transferOf} (a
     * function of the value) gives; B posts what it received back to A the same way. Returns what
     * {@code atB} (a function) gives on B for its value once it posted it on, and what {@code atA} gives
     * on A for the value that came back.
     */
    private static String[] thereAndBack(String make, String transferOf, String atB, String atA) throws Exception {
        MessageChannel there = new MessageChannel(b.loop);
        MessageChannel back = new MessageChannel(a.loop);
        CompletableFuture<String> seenAtB = new CompletableFuture<>();
        CompletableFuture<String> backAtA = new CompletableFuture<>();
        await(call(a.loop, () -> {
            Value check = a.js(atA);
            back.port2().onmessage(e -> backAtA.complete(check.execute(e.data()).asString()));
            return null;
        }));
        await(call(b.loop, () -> {
            there.port2().onmessage(e -> {
                Value d = (Value) e.data();
                JsCodec.post(d, b.js(transferOf).execute(d), back.port1()::postMessage);
                seenAtB.complete(b.js(atB).execute(d).asString());
            });
            return null;
        }));
        a.on(() -> {
            Value sent = a.js(make);
            JsCodec.post(sent, a.js(transferOf).execute(sent), there.port1()::postMessage);
            return null;
        });
        try {
            return new String[] {await(seenAtB), await(backAtA)};
        } finally {
            there.port1().close();
            back.port1().close();
        }
    }

    @Test
    void aBufferOverJavaMemoryTransferredArrivesAsACopyAndStaysAttached() throws Exception {
        // Decision (GraalJS cannot detach a buffer over Java memory, which only a Java host can make):
        // documented in JsCodec.
        MessageChannel channel = new MessageChannel(b.loop);
        CompletableFuture<String> received = new CompletableFuture<>();
        await(call(b.loop, () -> {
            channel.port2().onmessage(e -> received.complete(
                    b.js("(d) => [...new Uint8Array(d)].join(':')").execute(e.data()).asString()));
            return null;
        }));
        String senderSide = a.on(() -> {
            Value interop = a.js("(bb) => new ArrayBuffer(bb)").execute(ByteBuffer.wrap(new byte[] {4, 5}));
            JsCodec.post(interop, a.js("(b) => [b]").execute(interop),
                    (m, list) -> channel.port1().postMessage(m, list));
            return a.js("(b) => [b.detached, b.byteLength].join()").execute(interop).asString();
        });
        assertEquals("4:5", await(received));
        assertEquals("false,2", senderSide);
        channel.port1().close();
    }

    @Test
    void everyByteValueArrivesIntactWhateverTheLengthModuloEight() throws Exception {
        // Steps 13 and the transfer steps: the bytes are the same, every one; the receiving copy goes
        // by 8-byte words then single bytes (JsCodecHelpers.copy), so lengths around multiples of 8
        // and bit patterns that would be NaNs as doubles are the cases to check.
        for (int length : new int[] {7, 8, 9, 259}) {
            String make = "const b = new ArrayBuffer(" + length + "); const u = new Uint8Array(b);"
                    + " for (let i = 0; i < u.length; i++) u[i] = (i * 37 + 255) % 256;"
                    + " u.fill(0xff, 0, Math.min(8, u.length)); ";
            String check = "const u = new Uint8Array(d); if (u.length !== " + length + ") return 'length ' + u.length;"
                    + " for (let i = 0; i < u.length; i++) { const want = i < 8 ? 0xff : (i * 37 + 255) % 256;"
                    + " if (u[i] !== want) return 'byte ' + i + ': ' + u[i]; } return 'ok';";
            assertEquals("ok", roundTrip(make + "return b;", check), "copied, length " + length);
            assertEquals("ok", roundTrip(make + "return [b, [b]];", true, check),
                    "transferred, length " + length);
        }
    }

    @Test
    void copiedBufferIsIndependentAndKeepsMaxByteLength() throws Exception {
        // Step 13: an ArrayBuffer not transferred is copied (a resizable one keeps its maxByteLength).
        assertEquals("1:2,true,8,false", roundTrip(
                "globalThis.kept = new ArrayBuffer(2, {maxByteLength: 8}); new Uint8Array(kept).set([1, 2]);"
                        + " return kept;",
                "const s = [...new Uint8Array(d)].join(':'); new Uint8Array(d)[0] = 9;"
                        + " return [s, d.resizable, d.maxByteLength, d.detached].join();"));
        assertEquals("1,false", a.eval("[new Uint8Array(kept)[0], kept.detached].join()"));
    }

    @Test
    void unclonableValuesAreDataCloneErrorsNamingTheirPath() throws Exception {
        // Steps 5 and 25-26: callable objects, symbols, exotic objects and objects with other internal
        // slots throw a DataCloneError.
        assertCloneError("data.items[3]: function is not cloneable", "return {items: [1, 2, 3, () => 1]};");
        assertCloneError("data.s: symbol is not cloneable", "return {s: Symbol('x')};");
        assertCloneError("data[0]: Promise is not cloneable", "return [Promise.resolve(1)];");
        assertCloneError("data.w: WeakMap is not cloneable", "return {w: new WeakMap()};");
        assertCloneError("data: WeakSet is not cloneable", "return new WeakSet();");
        assertCloneError("data[\"a b\"]: Proxy is not cloneable", "return {'a b': new Proxy({}, {})};");
        assertCloneError("data[#0]: function is not cloneable", "return new Map([[1, Math.max]]);");
        assertCloneError("data.e.cause: symbol is not cloneable", "return {e: new Error('x', {cause: Symbol()})};");
        assertCloneError("data.v.buffer: SharedArrayBuffer is not cloneable",
                "return {v: new Uint8Array(new SharedArrayBuffer(2))};");
        assertCloneError("data.b: ArrayBuffer is detached",
                "const b = new ArrayBuffer(2); b.transfer(); return {b};");
        assertCloneError("data: function is not cloneable", "return class {};");
    }

    @Test
    void aPortOutsideTheTransferListIsADataCloneError() throws Exception {
        // Step 25 (a platform object that is not serializable) / the MessagePort's transfer-only rule.
        MessageChannel inner = new MessageChannel(a.loop);
        a.on(() -> a.js("(p) => { globalThis.jsPort = p; }").execute(a.wrapPort(inner.port1())));
        assertCloneError(postFails("return {p: jsPort};", false),
                "data.p: a MessagePort can only be sent in the transfer list");
        inner.port1().close();
    }

    @Test
    void aTransferredPortArrivesAsTheRealmsPortObjectAndStaysEntangled() throws Exception {
        MessageChannel inner = new MessageChannel(javaLoop);
        CompletableFuture<Object> throughMovedPort = new CompletableFuture<>();
        await(call(javaLoop, () -> {
            inner.port2().onmessage(e -> throughMovedPort.complete(e.data()));
            return null;
        }));
        MessageChannel channel = new MessageChannel(b.loop);
        CompletableFuture<String> checked = new CompletableFuture<>();
        await(call(b.loop, () -> {
            channel.port2().onmessage(e -> {
                Value d = (Value) e.data();
                String shape = b.js("(d) => [d.p instanceof TestPort, d.p === d.again].join()").execute(d).asString();
                MessagePort moved = b.unwrapPort(d.getMember("p"));
                moved.postMessage("ping");
                checked.complete(shape + "," + (moved.owner() == b.loop));
            });
            return null;
        }));
        a.on(() -> {
            Value port = a.wrapPort(inner.port1());
            Value message = a.js("(p) => ({p, again: p})").execute(port);
            JsCodec.post(message, a.js("(p) => [p]").execute(port), (m, list) -> channel.port1().postMessage(m, list));
            return null;
        });
        assertEquals("true,true,true", await(checked));
        assertEquals("ping", await(throughMovedPort));
        channel.port1().close();
    }

    @Test
    void aThrowingGetterPropagatesItsOwnException() throws Exception {
        // Step 26.4.1.1: ? Get(value, key) - the getter's abrupt completion is rethrown as it is.
        RuntimeException e = postFails("return {a: 1, get b() { throw new RangeError('boom'); }};", false);
        PolyglotException guest = assertInstanceOf(PolyglotException.class, e);
        assertTrue(guest.isGuestException());
        assertEquals("RangeError: boom", guest.getMessage());
    }

    @Test
    void aFailedPostDetachesNothing() throws Exception {
        // StructuredSerializeWithTransfer: errors are thrown before any transfer steps run.
        assertCloneError(postFails("globalThis.keep1 = new ArrayBuffer(4); return [{keep1, f() {}}, [keep1]];", true),
                "data.f: function is not cloneable");
        assertEquals("false,4", a.eval("[keep1.detached, keep1.byteLength].join()"));
        RuntimeException getter = postFails(
                "globalThis.keep2 = new ArrayBuffer(4); return [{get x() { throw new Error('no'); }}, [keep2]];", true);
        assertInstanceOf(PolyglotException.class, getter);
        assertEquals("false,4", a.eval("[keep2.detached, keep2.byteLength].join()"));
    }

    @Test
    void badTransferListsAreRejectedBeforeAnythingMoves() throws Exception {
        // Step 2-3 of StructuredSerializeWithTransfer: duplicates, detached buffers and objects that are
        // not transferable are DataCloneErrors; a non-object is a TypeError from the IDL conversion.
        assertCloneError(postFails("globalThis.dup = new ArrayBuffer(1); return [1, [dup, dup]];", true),
                "transfer[1]: the ArrayBuffer is already in the transfer list");
        assertEquals("false", a.eval("String(dup.detached)"));
        assertCloneError(postFails("const d = new ArrayBuffer(1); d.transfer(); return [1, [d]];", true),
                "transfer[0]: ArrayBuffer is detached");
        assertCloneError(postFails("return [1, [{}]];", true),
                "transfer[0]: only ArrayBuffer and MessagePort objects can be transferred");
        RuntimeException notIterable = postFails("return [1, {length: 0}];", true);
        assertEquals("TypeError: the transfer list is not iterable",
                assertInstanceOf(IllegalArgumentException.class, notIterable).getMessage());
        RuntimeException typeError = postFails("globalThis.ok = new ArrayBuffer(1); return [1, [ok, 5]];", true);
        assertInstanceOf(IllegalArgumentException.class, typeError);
        assertEquals("TypeError: transfer[1] is not an object", typeError.getMessage());
        assertEquals("false", a.eval("String(ok.detached)"));
    }

    @Test
    void structuredCloneInTheSameRealmTransfers() throws Exception {
        // The structuredClone(value, {transfer}) global: StructuredSerializeWithTransfer then
        // StructuredDeserializeWithTransfer in the current realm.
        assertEquals("false,true,1:2,true,0,false", a.on(() -> {
            Value original = a.js("globalThis.orig = {list: [1, 2], buf: new Uint8Array([1, 2]).buffer}; orig");
            Value clone = (Value) JsCodec.structuredClone(original, a.js("({transfer: [orig.buf]})"));
            return a.js("(c) => [c === orig, Array.isArray(c.list), [...new Uint8Array(c.buf)].join(':'),"
                    + " orig.buf.detached, orig.buf.byteLength, c.list === orig.list].join()").execute(clone).asString();
        }));
        assertEquals("number:7", a.on(() -> a.js("(x) => typeof x + ':' + x")
                .execute(JsCodec.structuredClone(a.js("7"), null)).asString()));
    }

    @Test
    void javaReceiverGetsPlainJavaValues() throws Exception {
        // The Java column of JsCodec's table.
        Object data = toJava("const o = {n: 1.5, neg: -0, big: 10n, s: 'x', u: undefined, nul: null, t: true,"
                + " date: new Date(86400000), re: /a/g, arr: [1, , 'b'], set: new Set(['z', 'a']),"
                + " map: new Map([['k', 1]]), wrapped: Object('w'), err: new TypeError('bad')};"
                + " o.self = o; return o;", false);
        Map<?, ?> map = assertInstanceOf(LinkedHashMap.class, data);
        assertEquals(List.of("n", "neg", "big", "s", "u", "nul", "t", "date", "re", "arr", "set", "map", "wrapped",
                "err", "self"), new ArrayList<>(map.keySet()));
        assertEquals(1.5, map.get("n"));
        assertEquals(-0.0d, (Double) map.get("neg"), 0.0);
        assertTrue(1 / (Double) map.get("neg") < 0, "-0 kept");
        assertEquals(BigInteger.TEN, map.get("big"));
        assertEquals("x", map.get("s"));
        assertTrue(map.containsKey("u") && map.get("u") == null && map.get("nul") == null);
        assertEquals(Boolean.TRUE, map.get("t"));
        assertEquals(Instant.ofEpochMilli(86400000), map.get("date"));
        assertEquals("/a/g", map.get("re"));
        assertEquals(Arrays.asList(1.0, null, "b"), map.get("arr"));
        assertEquals(List.of("z", "a"), new ArrayList<Object>((Set<?>) assertInstanceOf(LinkedHashSet.class, map.get("set"))));
        assertEquals(Map.of("k", 1.0), map.get("map"));
        assertEquals("w", map.get("wrapped"));
        assertEquals(Map.of("name", "TypeError", "message", "bad"),
                withoutStack(assertInstanceOf(Map.class, map.get("err"))));
        assertSame(map, map.get("self"));
    }

    @Test
    void javaReceiverGetsBuffersAndViewsSharingBytes() throws Exception {
        Object data = toJava("const b = new ArrayBuffer(8); const u = new Uint16Array(b, 2, 2); u.set([258, 3]);"
                + " return [[b, u, new DataView(b, 1, 2)], [b]];", true);
        List<?> list = assertInstanceOf(List.class, data);
        ArrayBuffer buffer = assertInstanceOf(ArrayBuffer.class, list.get(0));
        assertEquals(8, buffer.byteLength());
        ShortBuffer shorts = assertInstanceOf(ShortBuffer.class, list.get(1));
        assertEquals(2, shorts.remaining());
        assertEquals(258, shorts.get(0));
        assertEquals(3, shorts.get(1));
        ByteBuffer view = assertInstanceOf(ByteBuffer.class, list.get(2));
        assertEquals(2, view.remaining());
        buffer.put(1, (byte) 77);
        assertEquals(77, view.get(0), "the view shares the buffer's bytes");
    }

    @Test
    void largeContainersCrossInFull() throws Exception {
        // More entries than one helper call takes (the receiver fills in chunks).
        assertEquals("10000,9999,10000,9999,10000,true", roundTrip(
                "const n = 10000; const arr = Array.from({length: n}, (_, i) => i);"
                        + " const o = {}; arr.forEach((i) => { o['k' + i] = i; });"
                        + " return [arr, o, new Map(arr.map((i) => [i, String(i)])), new Set(arr)];",
                "return [d[0].length, d[0][9999], Object.keys(d[1]).length, d[1].k9999, d[2].size,"
                        + " d[2].get(5) === '5' && d[3].has(9999)].join();"));
    }

    @Test
    void javaValueHoldingTheSameJsObjectTwiceKeepsItShared() throws Exception {
        // One memory per message across codec calls: two Value objects for one JS object in a Java list.
        MessageChannel channel = new MessageChannel(b.loop);
        CompletableFuture<String> checked = new CompletableFuture<>();
        await(call(b.loop, () -> {
            channel.port2().onmessage(e -> {
                List<?> list = (List<?>) e.data();
                checked.complete(b.js("(x, y) => String(x === y && x.n === 1)").execute(list.get(0), list.get(1))
                        .asString());
            });
            return null;
        }));
        a.on(() -> {
            a.js("globalThis.sharedByJava = {n: 1}");
            channel.port1().postMessage(new ArrayList<>(List.of(a.js("sharedByJava"), a.js("sharedByJava"))));
            return null;
        });
        assertEquals("true", await(checked));
        channel.port1().close();
    }

    @Test
    void javaCodePostingAJsValueGetsTheCorePathAndTheValuePath() throws Exception {
        // Decision: without JsCodec.post, core wraps the codec's error: "data<core path>: value<JS path>: ...".
        MessageChannel channel = new MessageChannel(b.loop);
        RuntimeException e = a.on(() -> {
            try {
                channel.port1().postMessage(List.of(a.js("({f() {}})")));
            } catch (RuntimeException x) {
                return x;
            }
            return null;
        });
        assertCloneError(e, "data[0]: value.f: function is not cloneable");
        channel.port1().close();
    }

    @Test
    void javaObjectsInsideAJsValueAreDataCloneErrors() throws Exception {
        // Step 25: host objects are not serializable platform objects.
        RuntimeException e = a.on(() -> {
            Value message = a.js("(x) => ({x})").execute(new StringBuilder("host"));
            try {
                JsCodec.post(message, null, (m, list) -> new MessageChannel(a.loop).port1().postMessage(m, list));
            } catch (RuntimeException x) {
                return x;
            }
            return null;
        });
        assertCloneError(e, "data.x: the Java object java.lang.StringBuilder is not cloneable");
    }

    @Test
    void whatAJavaReceiverCannotHoldIsAMessageError() throws Exception {
        // Decisions (JsCodec's table): not a list of a billion nulls; no Map entry silently lost to Java
        // equality; no hash code for a key that contains itself.
        assertEquals("messageerror", javaOutcome("const sparse = [1]; sparse.length = 1e9; return sparse;"));
        assertEquals("messageerror", javaOutcome("return new Map([[undefined, 1], [null, 2]]);"));
        assertEquals("messageerror", javaOutcome("return new Set([{}, {}]);"));
        assertEquals("messageerror", javaOutcome("const k = {}; k.self = k; return new Set([k]);"));
        assertEquals("message", javaOutcome("return new Map([[{a: 1}, 1], [{a: 2}, 2]]);"));
    }

    /** Posts what {@code body} returns on A to the Java loop: "message" or "messageerror". */
    private static String javaOutcome(String body) throws Exception {
        MessageChannel channel = new MessageChannel(javaLoop);
        CompletableFuture<String> outcome = new CompletableFuture<>();
        await(call(javaLoop, () -> {
            channel.port2().onmessage(e -> outcome.complete("message"));
            channel.port2().onmessageerror(e -> outcome.complete("messageerror"));
            return null;
        }));
        a.on(() -> {
            JsCodec.post(a.js("(() => { " + body + " })()"), null, (m, list) -> channel.port1().postMessage(m, list));
            return null;
        });
        try {
            return await(outcome);
        } finally {
            channel.port1().close();
        }
    }

    private static Map<?, ?> withoutStack(Map<?, ?> error) {
        Map<Object, Object> copy = new LinkedHashMap<>(error);
        assertInstanceOf(String.class, copy.remove("stack"));
        return copy;
    }

    private static void assertCloneError(String message, String body) throws Exception {
        assertCloneError(postFails(body, false), message);
    }

    private static void assertCloneError(RuntimeException e, String message) {
        DOMException dom = assertInstanceOf(DOMException.class, e);
        assertEquals("DataCloneError", dom.name());
        assertEquals(message, dom.getMessage());
    }
}
