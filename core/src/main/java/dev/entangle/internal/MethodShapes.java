package dev.entangle.internal;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Reflection rules of typed calls: which interface methods may be called remotely, finding the method a
 * call names, and widening the numbers a JavaScript caller sends (all doubles) to the parameter types.
 * Stateless; any thread.
 */
public final class MethodShapes {
    private MethodShapes() {
    }

    /**
     * Checks that every abstract method of {@code type} returns {@code void}, {@code CompletableFuture}
     * or {@code CompletionStage}.
     *
     * @throws IllegalArgumentException naming the first method that does not, or if {@code type} is
     *     not an interface
     */
    public static void checkCallable(Class<?> type) {
        if (!type.isInterface()) {
            throw new IllegalArgumentException(type.getName() + " is not an interface");
        }
        for (Method method : type.getMethods()) {
            if (Modifier.isStatic(method.getModifiers()) || method.isDefault()) {
                continue;
            }
            Class<?> result = method.getReturnType();
            if (result != void.class && result != CompletableFuture.class && result != CompletionStage.class) {
                throw new IllegalArgumentException(type.getName() + "." + method.getName()
                        + " returns " + result.getName()
                        + "; a remote method returns void, CompletableFuture or CompletionStage");
            }
        }
    }

    /** The public method of {@code type} named {@code name} that accepts {@code arguments}. */
    static Method find(Class<?> type, String name, Object[] arguments) {
        Method sameName = null;
        for (Method method : type.getMethods()) {
            if (!method.getName().equals(name) || Modifier.isStatic(method.getModifiers())) {
                continue;
            }
            sameName = method;
            if (method.getParameterCount() == arguments.length && accepts(method, arguments)) {
                return method;
            }
        }
        throw new IllegalArgumentException(sameName == null
                ? type.getName() + " has no method " + name
                : type.getName() + "." + name + " does not take " + arguments.length + " such arguments");
    }

    private static boolean accepts(Method method, Object[] arguments) {
        Class<?>[] parameters = method.getParameterTypes();
        for (int i = 0; i < parameters.length; i++) {
            Object argument = arguments[i];
            Class<?> parameter = parameters[i];
            if (argument == null) {
                if (parameter.isPrimitive()) {
                    return false;
                }
            } else if (!box(parameter).isInstance(argument)
                    && !(argument instanceof Number && numeric(parameter))) {
                return false;
            }
        }
        return true;
    }

    /** {@code arguments}, with numbers converted to the numeric parameter types. */
    static Object[] coerce(Method method, Object[] arguments) {
        Class<?>[] parameters = method.getParameterTypes();
        for (int i = 0; i < parameters.length; i++) {
            if (arguments[i] instanceof Number && !box(parameters[i]).isInstance(arguments[i])) {
                arguments[i] = convert((Number) arguments[i], box(parameters[i]));
            }
        }
        return arguments;
    }

    private static Object convert(Number number, Class<?> boxed) {
        if (boxed == Integer.class) {
            return number.intValue();
        } else if (boxed == Long.class) {
            return number.longValue();
        } else if (boxed == Double.class) {
            return number.doubleValue();
        } else if (boxed == Float.class) {
            return number.floatValue();
        } else if (boxed == Short.class) {
            return number.shortValue();
        } else if (boxed == Byte.class) {
            return number.byteValue();
        }
        return number; // Number or Object parameter: as it came
    }

    private static boolean numeric(Class<?> parameter) {
        Class<?> boxed = box(parameter);
        return Number.class.isAssignableFrom(boxed) || boxed == Object.class;
    }

    private static Class<?> box(Class<?> type) {
        if (!type.isPrimitive()) {
            return type;
        } else if (type == int.class) {
            return Integer.class;
        } else if (type == long.class) {
            return Long.class;
        } else if (type == double.class) {
            return Double.class;
        } else if (type == boolean.class) {
            return Boolean.class;
        } else if (type == float.class) {
            return Float.class;
        } else if (type == short.class) {
            return Short.class;
        } else if (type == byte.class) {
            return Byte.class;
        }
        return Character.class;
    }
}
