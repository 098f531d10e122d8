package dev.entangle.graaljs;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Value;

import dev.entangle.EventLoop;
import dev.entangle.MessagePort;

/**
 * What the JavaScript value codec needs from the realm (one GraalJS context bound to one entangle
 * event loop) it serializes in or deserializes into. Implemented by the realm; looked up by loop.
 *
 * <p>Threads: the instance methods are loop-only (the context is single-threaded).
 * {@link #current()} is any thread. Memory consistency effects: {@link #register} <i>happens-before</i>
 * a {@link #current()} on another thread that returns the registered host.
 */
interface JsHost {

    /** The context, entered by the loop's thread while it runs a task. */
    Context context();

    /** The entangle port behind a JS {@code MessagePort} object, or null if {@code value} is not one. */
    MessagePort unwrapPort(Value value);

    /**
     * The JS {@code MessagePort} object for an entangle port arriving in this realm; the same object
     * for the same port while the message that carried it is being dispatched.
     */
    Value wrapPort(MessagePort port);

    /**
     * HTML "deserialization steps" of a platform object of this realm ({@code iface}: "Blob", "File")
     * from the data its serialization steps gave. A host without such objects throws.
     *
     * @throws IllegalArgumentException if this realm has no such interface (the message's messageerror)
     */
    default Value revive(String iface, Value data) {
        throw new IllegalArgumentException("this realm cannot deserialize a " + iface);
    }

    /** The host bound to the loop running the calling thread's task, or null if none is. */
    static JsHost current() {
        EventLoop loop = EventLoop.current();
        return loop == null ? null : Registry.HOSTS.get(loop);
    }

    /** Binds {@code host} to {@code loop}; one host per loop. */
    static void register(EventLoop loop, JsHost host) {
        if (Registry.HOSTS.putIfAbsent(loop, host) != null) {
            throw new IllegalStateException("event loop " + loop.name() + " already runs a JavaScript context");
        }
    }

    /** Unbinds {@code host} from {@code loop} (no-op if another host is bound). */
    static void unregister(EventLoop loop, JsHost host) {
        Registry.HOSTS.remove(loop, host);
    }

    /** Holder of the loop-to-host map (interfaces cannot have private static fields). */
    final class Registry {
        static final Map<EventLoop, JsHost> HOSTS = new ConcurrentHashMap<>();

        private Registry() {
        }
    }
}
