package dev.entangle.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.entangle.RemoteError;

/**
 * The answer half of Comlink's wire protocol ({@code protocol.ts}: {@code WireValue}), as plain
 * structured-cloneable maps so that a JavaScript {@code Comlink} endpoint reads them as objects:
 * <ul>
 * <li>a value: {@code {type: "RAW", value: v}}</li>
 * <li>an error: {@code {type: "HANDLER", name: "throw", value: {isError: true, value: {message, name,
 * stack}}}}; a thrown non-error: {@code {isError: false, value: v}}</li>
 * <li>a port standing for a proxied object: {@code {type: "HANDLER", name: "proxy", value: port}}
 * (the port also in the transfer list)</li>
 * </ul>
 * A message that answers a call adds {@code id}, the call's id. Stateless; any thread.
 */
public final class WireValues {
    public static final String TYPE = "type";
    public static final String ID = "id";
    public static final String VALUE = "value";
    public static final String NAME = "name";
    public static final String RAW = "RAW";
    public static final String HANDLER = "HANDLER";
    public static final String THROW = "throw";
    public static final String PROXY = "proxy";

    private WireValues() {
    }

    /** {@code {type: "RAW", value}}. */
    public static Map<String, Object> raw(Object value) {
        Map<String, Object> wire = new LinkedHashMap<>(4); // two entries: a table of 4, not 16
        wire.put(TYPE, RAW);
        wire.put(VALUE, value);
        return wire;
    }

    /** {@code {type: "HANDLER", name: "throw", value: {isError: true, value: {message, name, stack}}}}. */
    public static Map<String, Object> thrown(Throwable error) {
        Map<String, Object> described = new LinkedHashMap<>();
        String name;
        String stack;
        if (error instanceof RemoteError) { // relayed: keep what the original thrower said
            name = ((RemoteError) error).remoteName();
            stack = ((RemoteError) error).remoteStack();
        } else {
            name = error.getClass().getName();
            stack = stackOf(error);
        }
        described.put("message", error.getMessage());
        described.put(NAME, name);
        described.put("stack", stack);
        Map<String, Object> serialized = new LinkedHashMap<>();
        serialized.put("isError", Boolean.TRUE);
        serialized.put(VALUE, described);
        Map<String, Object> wire = new LinkedHashMap<>();
        wire.put(TYPE, HANDLER);
        wire.put(NAME, THROW);
        wire.put(VALUE, serialized);
        return wire;
    }

    /** {@code {type: "HANDLER", name: "proxy", value: port}}. */
    public static Map<String, Object> proxy(Object port) {
        Map<String, Object> wire = new LinkedHashMap<>();
        wire.put(TYPE, HANDLER);
        wire.put(NAME, PROXY);
        wire.put(VALUE, port);
        return wire;
    }

    /** {@code wire} with {@code id} added (a call's answer). */
    public static Map<String, Object> withId(Map<String, Object> wire, String id) {
        wire.put(ID, id);
        return wire;
    }

    /** Whether {@code data} is a map with {@code type} RAW or HANDLER. */
    public static boolean isWireValue(Object data) {
        if (!(data instanceof Map)) {
            return false;
        }
        Object type = ((Map<?, ?>) data).get(TYPE);
        return RAW.equals(type) || HANDLER.equals(type);
    }

    /**
     * The value {@code wire} carries, or throws what it carries: a {@link RemoteError} for a
     * {@code throw} of an error, or a {@code RemoteError} named {@code "thrown value"} whose message is
     * the value's text for a non-error throw.
     *
     * @throws IllegalArgumentException if {@code wire} is not a wire value, or a handler this side
     *     does not know
     */
    public static Object valueOf(Object wire) {
        if (!isWireValue(wire)) {
            throw new IllegalArgumentException("not a wire value: " + wire);
        }
        Map<?, ?> map = (Map<?, ?>) wire;
        Object value = map.get(VALUE);
        if (RAW.equals(map.get(TYPE))) {
            return value;
        }
        Object name = map.get(NAME);
        if (PROXY.equals(name)) {
            return value; // the port; the typed layer wraps it
        }
        if (!THROW.equals(name) || !(value instanceof Map)) {
            throw new IllegalArgumentException("unknown wire handler " + name);
        }
        throw errorOf((Map<?, ?>) value);
    }

    /** The RemoteError a serialized throw stands for. */
    static RemoteError errorOf(Map<?, ?> serialized) {
        Object inner = serialized.get(VALUE);
        if (Boolean.TRUE.equals(serialized.get("isError")) && inner instanceof Map) {
            Map<?, ?> described = (Map<?, ?>) inner;
            Object name = described.get(NAME);
            Object message = described.get("message");
            Object stack = described.get("stack");
            return new RemoteError(name == null ? "Error" : name.toString(),
                    message == null ? null : message.toString(), stack == null ? null : stack.toString());
        }
        return new RemoteError("thrown value", String.valueOf(inner), null);
    }

    private static String stackOf(Throwable error) {
        StringBuilder text = new StringBuilder(error.toString());
        for (StackTraceElement frame : error.getStackTrace()) {
            text.append("\n    at ").append(frame);
        }
        Throwable cause = error.getCause();
        for (int depth = 0; cause != null && depth < 16; depth++, cause = cause.getCause()) { // a cycle ends too
            text.append("\nCaused by: ").append(cause);
        }
        return text.toString();
    }
}
