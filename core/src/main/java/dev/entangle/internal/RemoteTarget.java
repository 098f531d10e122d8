package dev.entangle.internal;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import dev.entangle.DOMException;
import dev.entangle.MessageChannel;
import dev.entangle.MessageEvent;
import dev.entangle.MessagePort;

/**
 * The exposing side of a typed call: the {@code message} listener that serves Comlink calls on one
 * port for one object. Runs on the port's loop; answers may be posted from whatever thread completes
 * a returned {@code CompletionStage} ({@code postMessage} is safe from any thread).
 */
public final class RemoteTarget {
    /*
     * Protocol (Comlink protocol.ts, MessageType): a call is {id?, type, path, argumentList?}.
     * APPLY with a one-element path invokes the interface method of that name and arity (an empty
     * path, a function call in Comlink, invokes a functional interface's sole method); RELEASE
     * answers and closes the port; ENDPOINT answers with a new port serving the same object. GET, SET, CONSTRUCT
     * and longer paths answer with a thrown UnsupportedOperationException (a Java interface
     * has methods, not properties). Messages without a string type are ignored, as Comlink does. A call
     * without id (a void method called fire-and-forget) is not answered; if it fails, the failure is
     * thrown from the listener, so it reaches the loop's error handler.
     */

    static final String PATH = "path";
    static final String ARGUMENTS = "argumentList";
    static final String APPLY = "APPLY";
    static final String RELEASE = "RELEASE";
    static final String ENDPOINT = "ENDPOINT";

    private final Class<?> type;
    private final Object target;
    private final MessagePort port;

    private RemoteTarget(Class<?> type, Object target, MessagePort port) {
        this.type = type;
        this.target = target;
        this.port = port;
    }

    /** Serves {@code target}'s {@code type} methods on {@code port}; any thread. */
    public static void expose(Class<?> type, Object target, MessagePort port) {
        RemoteTarget served = new RemoteTarget(type, target, port);
        port.onmessage(served::onCall);
    }

    private void onCall(MessageEvent event) {
        if (!(event.data() instanceof Map)) {
            return;
        }
        Map<?, ?> call = (Map<?, ?>) event.data();
        Object kind = call.get(WireValues.TYPE);
        if (!(kind instanceof String)) {
            return;
        }
        Object rawId = call.get(WireValues.ID);
        String id = rawId == null ? null : rawId.toString();
        Object result;
        try {
            result = perform((String) kind, call, event);
        } catch (Throwable failure) {
            answer(id, null, unwrap(failure));
            return;
        }
        if (result instanceof CompletionStage) {
            ((CompletionStage<?>) result).whenComplete((value, failure) ->
                    answer(id, value, failure == null ? null : unwrap(failure)));
        } else {
            answer(id, result, null);
        }
        if (RELEASE.equals(kind)) {
            port.close();
        }
    }

    private Object perform(String kind, Map<?, ?> call, MessageEvent event) throws Throwable {
        switch (kind) {
            case APPLY:
                return apply(call, event);
            case RELEASE:
                return null;
            case ENDPOINT: {
                MessageChannel channel = new MessageChannel(port.owner());
                expose(type, target, channel.port2());
                return new Endpoint(channel.port1());
            }
            default:
                throw new UnsupportedOperationException(
                        kind + " is not supported on an exposed Java object; call its methods");
        }
    }

    private Object apply(Map<?, ?> call, MessageEvent event) throws Throwable {
        Object path = call.get(PATH);
        if (path == null) {
            path = List.of();
        }
        if (!(path instanceof List) || ((List<?>) path).size() > 1) {
            throw new UnsupportedOperationException("an exposed Java object answers calls of its own"
                    + " methods only (a path of one name, or none for a functional interface), not "
                    + path);
        }
        // No name: Comlink calling the object as a function; a functional interface's sole method.
        String name = ((List<?>) path).isEmpty() ? null : String.valueOf(((List<?>) path).get(0));
        Object rawArguments = call.get(ARGUMENTS);
        List<?> wireArguments = rawArguments instanceof List ? (List<?>) rawArguments : List.of();
        Object[] arguments = new Object[wireArguments.size()];
        for (int i = 0; i < arguments.length; i++) {
            arguments[i] = WireValues.valueOf(wireArguments.get(i));
        }
        Method method = MethodShapes.find(type, name, arguments);
        try {
            return method.invoke(target, MethodShapes.coerce(method, arguments));
        } catch (InvocationTargetException thrown) {
            throw thrown.getCause();
        }
    }

    private void answer(String id, Object value, Throwable failure) {
        if (id == null) {
            if (failure != null) {
                throw failure instanceof RuntimeException ? (RuntimeException) failure
                        : new CompletionException(failure); // to the loop's error handler
            }
            return;
        }
        if (failure == null) {
            List<Object> transfer = new ArrayList<>(1);
            Object wireValue = value;
            if (value instanceof Endpoint) {
                wireValue = ((Endpoint) value).port;
                transfer.add(wireValue);
            }
            try {
                port.postMessage(WireValues.withId(WireValues.raw(wireValue), id), transfer);
                return;
            } catch (DOMException notCloneable) {
                failure = notCloneable; // answer with the DataCloneError instead
            }
        }
        port.postMessage(WireValues.withId(WireValues.thrown(failure), id));
    }

    private static Throwable unwrap(Throwable failure) {
        while (failure instanceof CompletionException && failure.getCause() != null) {
            failure = failure.getCause();
        }
        return failure;
    }

    /** The answer to ENDPOINT: a port, transferred with the answer. */
    private static final class Endpoint {
        final MessagePort port;

        Endpoint(MessagePort port) {
            this.port = port;
        }
    }
}
