package dev.entangle.internal;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import dev.entangle.DOMException;
import dev.entangle.EventLoop;
import dev.entangle.MessageChannel;
import dev.entangle.MessageEvent;
import dev.entangle.MessagePort;

/**
 * The calling side of a typed call: the invocation handler behind a proxy of an interface, turning
 * each call into a Comlink {@code APPLY} on one port and each answer back into the call's future.
 *
 * <p>Thread contract: proxies may be called from any thread; answers are handled on the port's loop,
 * where the futures complete.
 */
public final class RemoteCalls implements InvocationHandler {
    /*
     * State: `pending` maps a call id to its future (ConcurrentHashMap: calls come from any thread,
     * answers on the loop); an entry is removed by whichever of answer, timeout, close or release
     * comes first (remove() decides the winner), and the future is completed by that one only.
     * `released` is volatile: set once by release(), read by later calls, which then fail at once.
     * Ids are "j" + a per-handler counter: unique per port, which is all Comlink needs (it matches
     * answers by id on the endpoint the call went out on).
     */

    private final Class<?> type;
    private final MessagePort port;
    private final Duration timeout;
    /** A received callback of a functional interface: its method is called as a function (path []). */
    private final boolean asFunction;
    private final Map<String, CompletableFuture<Object>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private volatile boolean released;

    private RemoteCalls(Class<?> type, MessagePort port, Duration timeout, boolean asFunction) {
        this.type = type;
        this.port = port;
        this.timeout = timeout;
        this.asFunction = asFunction;
    }

    /** A proxy of {@code type} calling through {@code port}; {@code timeout} null for none. */
    public static <T> T wrap(Class<T> type, MessagePort port, Duration timeout) {
        return wrap(type, port, timeout, false);
    }

    /**
     * A proxy of the functional interface {@code type} that calls the far side's exposed value as a
     * function (path []); {@code timeout} null for none.
     *
     * @throws IllegalArgumentException if {@code type} has not exactly one abstract method
     */
    public static <T> T wrapFunction(Class<T> type, MessagePort port, Duration timeout) {
        if (MethodShapes.soleAbstractMethod(type) == null) {
            throw new IllegalArgumentException(type.getName()
                    + " is not a functional interface (one abstract method): use Remote.wrap");
        }
        return wrap(type, port, timeout, true);
    }

    /**
     * A proxy of a callback parameter type over the port it arrived on; a functional interface's
     * method is called as a function, as Comlink calls a proxied JavaScript function.
     */
    static Object wrapCallback(Class<?> type, MessagePort port) {
        return wrap(type, port, null, MethodShapes.soleAbstractMethod(type) != null);
    }

    private static <T> T wrap(Class<T> type, MessagePort port, Duration timeout, boolean asFunction) {
        MethodShapes.checkCallable(type);
        RemoteCalls calls = new RemoteCalls(type, port, timeout, asFunction);
        port.onmessage(calls::onAnswer);
        port.onclose(e -> calls.failAll(new DOMException(
                "the exposing side closed the port", "AbortError")));
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, calls));
    }

    /** The handler behind {@code proxy}, or null if it is not a typed-call proxy. */
    public static RemoteCalls of(Object proxy) {
        if (proxy == null || !Proxy.isProxyClass(proxy.getClass())) {
            return null;
        }
        InvocationHandler handler = Proxy.getInvocationHandler(proxy);
        return handler instanceof RemoteCalls ? (RemoteCalls) handler : null;
    }

    /** Posts RELEASE, closes the port and fails calls still waiting; idempotent; any thread. */
    public void release() {
        if (released) {
            return;
        }
        released = true;
        Map<String, Object> message = call(RemoteTarget.RELEASE, nextId());
        port.postMessage(message);
        port.close(); // delivered before the close; Comlink's answer to it is not needed
        failAll(DOMException.invalidStateError("the proxy was released"));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return objectMethod(proxy, method, args);
        }
        if (method.isDefault()) {
            return InvocationHandler.invokeDefault(proxy, method, args);
        }
        Object[] arguments = args == null ? new Object[0] : args;
        boolean answered = method.getReturnType() != void.class;
        if (released) {
            DOMException gone = DOMException.invalidStateError(
                    "the proxy of " + type.getName() + " was released");
            if (!answered) {
                throw gone;
            }
            return CompletableFuture.failedFuture(gone);
        }
        String id = answered ? nextId() : null;
        Map<String, Object> message = call(RemoteTarget.APPLY, id);
        message.put(RemoteTarget.PATH, asFunction ? List.of() : List.of(method.getName()));
        List<Object> wireArguments = new ArrayList<>(arguments.length);
        List<MessagePort> callbacks = new ArrayList<>(0);
        Class<?>[] parameters = method.getParameterTypes();
        for (int i = 0; i < arguments.length; i++) {
            wireArguments.add(toWire(parameters[i], arguments[i], callbacks));
        }
        message.put(RemoteTarget.ARGUMENTS, wireArguments);
        if (!answered) {
            post(message, callbacks); // fire and forget: clone errors throw here
            return null;
        }
        CompletableFuture<Object> result = new CompletableFuture<>();
        pending.put(id, result);
        try {
            post(message, callbacks);
        } catch (RuntimeException refused) {
            pending.remove(id);
            result.completeExceptionally(refused);
            return result;
        }
        if (timeout != null) {
            CompletableFuture<Void> timer = port.owner().schedule(() -> {
                CompletableFuture<Object> late = pending.remove(id);
                if (late != null) {
                    late.completeExceptionally(new TimeoutException(
                            type.getSimpleName() + "." + method.getName() + ": no answer within " + timeout));
                }
            }, timeout);
            result.whenComplete((value, failure) -> timer.cancel(false));
        }
        // cancel() by the caller: forget the call (a later answer is ignored)
        result.whenComplete((value, failure) -> pending.remove(id, result));
        return result;
    }

    /**
     * An argument as a wire value: a callback (a non-null argument of a callback parameter type) is
     * exposed on a new channel owned by the calling loop (or common()) and travels as Comlink's
     * {@code proxy} handler with the other port; anything else is RAW, to be cloned.
     */
    private static Map<String, Object> toWire(Class<?> parameter, Object argument, List<MessagePort> callbacks) {
        if (argument == null || !MethodShapes.isCallback(parameter) || !parameter.isInstance(argument)) {
            return WireValues.raw(argument);
        }
        EventLoop current = EventLoop.current();
        MessageChannel channel = new MessageChannel(current != null ? current : EventLoop.common());
        RemoteTarget.expose(parameter, argument, channel.port1());
        callbacks.add(channel.port2());
        return WireValues.proxy(channel.port2());
    }

    /** Posts a call carrying {@code callbacks}; if it cannot go, their exposed ends are closed too. */
    private void post(Map<String, Object> message, List<MessagePort> callbacks) {
        try {
            port.postMessage(message, callbacks);
        } catch (RuntimeException refused) {
            callbacks.forEach(MessagePort::close); // the far end of each: its exposing port gets close
            throw refused;
        }
    }

    private void onAnswer(MessageEvent event) {
        if (!(event.data() instanceof Map)) {
            return;
        }
        Object id = ((Map<?, ?>) event.data()).get(WireValues.ID);
        CompletableFuture<Object> call = id == null ? null : pending.remove(id.toString());
        if (call == null) {
            return; // an answer nobody waits for: fire-and-forget, timed out, cancelled
        }
        try {
            call.complete(WireValues.valueOf(event.data()));
        } catch (RuntimeException failure) {
            call.completeExceptionally(failure);
        }
    }

    private void failAll(RuntimeException why) {
        for (String id : new ArrayList<>(pending.keySet())) {
            CompletableFuture<Object> call = pending.remove(id);
            if (call != null) {
                call.completeExceptionally(why);
            }
        }
    }

    private String nextId() {
        return "j" + ids.incrementAndGet();
    }

    private static Map<String, Object> call(String kind, String id) {
        Map<String, Object> message = new LinkedHashMap<>();
        if (id != null) {
            message.put(WireValues.ID, id);
        }
        message.put(WireValues.TYPE, kind);
        message.put(RemoteTarget.PATH, List.of());
        return message;
    }

    private Object objectMethod(Object proxy, Method method, Object[] args) {
        switch (method.getName()) {
            case "equals":
                return proxy == args[0];
            case "hashCode":
                return System.identityHashCode(proxy);
            case "toString":
                return "Remote<" + type.getName() + "> on " + port;
            default:
                throw new UnsupportedOperationException(method + " " + Arrays.toString(args));
        }
    }
}
