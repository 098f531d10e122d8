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
    private final Map<String, CompletableFuture<Object>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private volatile boolean released;

    private RemoteCalls(Class<?> type, MessagePort port, Duration timeout) {
        this.type = type;
        this.port = port;
        this.timeout = timeout;
    }

    /** A proxy of {@code type} calling through {@code port}; {@code timeout} null for none. */
    public static <T> T wrap(Class<T> type, MessagePort port, Duration timeout) {
        MethodShapes.checkCallable(type);
        RemoteCalls calls = new RemoteCalls(type, port, timeout);
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
        message.put(RemoteTarget.PATH, List.of(method.getName()));
        List<Object> wireArguments = new ArrayList<>(arguments.length);
        for (Object argument : arguments) {
            wireArguments.add(WireValues.raw(argument));
        }
        message.put(RemoteTarget.ARGUMENTS, wireArguments);
        if (!answered) {
            port.postMessage(message); // fire and forget: clone errors throw here
            return null;
        }
        CompletableFuture<Object> result = new CompletableFuture<>();
        pending.put(id, result);
        try {
            port.postMessage(message);
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
