package dev.entangle.graaljs;

import java.util.ArrayList;
import java.util.List;

import org.graalvm.polyglot.Value;

import dev.entangle.StructuredClone;

/** TEMPORARY stand-in (primitives only) until the real codec is merged. */
final class JsCodec {
    @FunctionalInterface
    interface Poster {
        void post(Object message, List<Object> transfer);
    }

    private JsCodec() {
    }

    static void install() {
    }

    static void post(Value message, Value transfer, Poster poster) {
        List<Object> list = new ArrayList<>();
        JsHost host = JsHost.current();
        for (long i = 0; transfer != null && transfer.hasArrayElements() && i < transfer.getArraySize(); i++) {
            list.add(host.unwrapPort(transfer.getArrayElement(i)));
        }
        poster.post(plain(message), list);
    }

    static Object structuredClone(Value value, Value transfer) {
        return StructuredClone.structuredClone(plain(value));
    }

    private static Object plain(Value v) {
        if (v.isString()) {
            return v.asString();
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isNumber()) {
            return v.asDouble();
        }
        if (v.isNull()) {
            return null;
        }
        JsHost host = JsHost.current();
        if (host.unwrapPort(v) != null) {
            return host.unwrapPort(v);
        }
        throw dev.entangle.DOMException.dataCloneError("stub codec: " + v);
    }
}
