package dev.entangle.graaljs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyArray;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import org.graalvm.polyglot.proxy.ProxyObject;

import dev.entangle.BroadcastChannel;
import dev.entangle.DOMException;
import dev.entangle.EventListener;
import dev.entangle.MessageChannel;
import dev.entangle.MessagePort;
import dev.entangle.Worker;

/**
 * The Java functions {@code prelude.js} is given as {@code native}: the only door from a script to
 * Java. Scripts never see this object; they see the Web classes built on it. Entangle objects cross
 * as opaque host objects (host access is explicit, so a script cannot call their methods).
 *
 * <p>A failure becomes the JavaScript exception the Web platform throws: a {@link DOMException}
 * becomes a JS {@code DOMException} with the same name and message; an {@link IllegalArgumentException}
 * whose message starts with {@code "TypeError: "} a {@code TypeError}; a guest exception (a script's
 * getter that threw during serialization) passes through unchanged.
 *
 * <p>Threads: called by the realm's context, so on its loop. Memory consistency effects: none beyond
 * those of the entangle calls made.
 */
final class JsBindings {
    private JsBindings() {
    }

    /** The {@code native} object of {@code realm}. */
    static ProxyObject create(JsRealm realm) {
        Map<String, Object> fns = new HashMap<>();
        Bindings b = new Bindings(realm, fns);

        b.fn("now", args -> realm.now());
        b.fn("timeOrigin", args -> realm.timeOrigin());
        // WebIDL's error names table has one source, core's DOMException (webidl.js: DOMException.code)
        b.fn("domExceptionCode", args -> new DOMException("", args[0].asString()).code());
        b.fn("uncaught", args -> {
            realm.uncaught(args[0].asString(), args[1].asString(), args[2].asInt(), args[3].asInt(),
                    args[4].asString());
            return null;
        });

        // MessageChannel and MessagePort
        b.fn("channel", args -> {
            MessageChannel channel = new MessageChannel();
            return ProxyArray.fromArray(channel.port1(), channel.port2());
        });
        b.fn("bind", args -> realm.bindPort(port(args[0]), args[1])); // the port's message listener
        b.fn("listen", args -> {
            MessagePort port = port(args[0]);
            EventListener onMessage = args[1].asHostObject();
            if (args[2].asBoolean()) {
                port.addEventListener("message", onMessage);
            } else {
                port.removeEventListener("message", onMessage);
            }
            return null;
        });
        b.fn("post", args -> {
            MessagePort port = port(args[0]);
            JsCodec.post(realm.helpers(), args[1], args[2], port::postMessage);
            return null;
        });
        b.fn("start", args -> {
            port(args[0]).start();
            return null;
        });
        b.fn("close", args -> {
            port(args[0]).close();
            return null;
        });

        // BroadcastChannel
        b.fn("broadcastChannel", args -> {
            BroadcastChannel channel = new BroadcastChannel(args[0].asString());
            Value target = args[1];
            channel.addEventListener("message", event -> realm.dispatchMessage(target, event));
            channel.addEventListener("messageerror", event -> realm.dispatchMessage(target, event));
            return channel;
        });
        b.fn("broadcast", args -> {
            BroadcastChannel channel = args[0].asHostObject();
            JsCodec.post(realm.helpers(), args[1], null, (message, transfer) -> channel.postMessage(message));
            return null;
        });
        b.fn("closeBroadcast", args -> {
            args[0].<BroadcastChannel>asHostObject().close();
            return null;
        });

        // Worker (the parent's side) and the worker global scope
        b.fn("worker", args -> JsWorkers.start(realm, args[0].asString(), args[1].asString(),
                "module".equals(args[2].asString()), args[3]));
        b.fn("postToWorker", args -> {
            Worker worker = args[0].asHostObject();
            JsCodec.post(realm.helpers(), args[1], args[2], worker::postMessage);
            return null;
        });
        b.fn("terminate", args -> {
            JsWorkers.terminate(args[0].asHostObject());
            return null;
        });
        b.fn("postToParent", args -> {
            JsCodec.post(realm.helpers(), args[0], args[1], realm.scope().parentPort()::postMessage);
            return null;
        });
        b.fn("closeWorker", args -> {
            realm.closeFromScript();
            return null;
        });
        b.fn("workerName", args -> realm.name());
        b.fn("listenToParent", args -> {
            realm.listenToParent(args[0].asBoolean());
            return null;
        });

        // console (console.js): a line to System.err (true) or System.out, as they are now
        b.fn("print", args -> {
            (args[0].asBoolean() ? System.err : System.out).println(args[1].asString());
            return null;
        });

        // WorkerGlobalScope: location, importScripts, navigator; blob: URLs (File API)
        b.fn("location", args -> realm.location());
        b.fn("importScripts", args -> {
            List<String> urls = new ArrayList<>();
            for (long i = 0; i < args[0].getArraySize(); i++) {
                urls.add(args[0].getArrayElement(i).asString());
            }
            realm.importScripts(urls);
            return null;
        });
        b.fn("hardwareConcurrency", args -> Runtime.getRuntime().availableProcessors());
        b.fn("parseUrl", args -> JsScript.parseUrl(args[0].asString(), args.length > 1 && !args[1].isNull()
                ? args[1].asString() : realm.base()));
        b.fn("registerBlob", args -> {
            byte[] bytes = new byte[(int) args[0].getBufferSize()];
            args[0].readBuffer(0, bytes, 0, bytes.length);
            String origin = JsScript.originOf(realm.location());
            return JsScript.registerBlob(origin == null ? "null" : origin, bytes, args[1].asString());
        });
        b.fn("revokeBlob", args -> {
            JsScript.revokeBlob(args[0].asString());
            return null;
        });

        // timers, structuredClone
        b.fn("schedule", args -> {
            realm.schedule(args[0].asInt(), args[1].asDouble());
            return null;
        });
        b.fn("retain", args -> {
            realm.retain();
            return null;
        });
        b.fn("release", args -> {
            realm.release();
            return null;
        });
        b.fn("structuredClone", args -> JsCodec.structuredClone(args[0], args[1]));
        return ProxyObject.fromMap(fns);
    }

    private static MessagePort port(Value value) {
        return value.asHostObject();
    }

    /** Registers the functions, each behind the translation of Java failures into JS exceptions. */
    private static final class Bindings {
        private final JsRealm realm;
        private final Map<String, Object> fns;

        Bindings(JsRealm realm, Map<String, Object> fns) {
            this.realm = realm;
            this.fns = fns;
        }

        void fn(String name, ProxyExecutable body) {
            fns.put(name, (ProxyExecutable) args -> {
                try {
                    return body.execute(args);
                } catch (PolyglotException e) {
                    throw e; // a script's own exception (a throwing getter): rethrown into JS unchanged
                } catch (DOMException e) {
                    throw raise("dom", e.name(), e.getMessage());
                } catch (IllegalArgumentException e) {
                    String message = String.valueOf(e.getMessage());
                    if (message.startsWith("TypeError: ")) {
                        throw raise("type", "TypeError", message.substring("TypeError: ".length()));
                    }
                    throw raise("error", "Error", message);
                } catch (IllegalStateException e) {
                    // entangle's detached-ArrayBuffer and closed-loop failures: a TypeError in JS
                    throw raise("type", "TypeError", String.valueOf(e.getMessage()));
                }
            });
        }

        private PolyglotException raise(String kind, String name, String message) {
            try {
                realm.api().invokeMember("raise", kind, name, message);
            } catch (PolyglotException thrown) {
                return thrown; // rethrown by the caller: GraalJS unwraps it into the JS exception
            }
            throw new AssertionError("raise returned");
        }
    }
}
