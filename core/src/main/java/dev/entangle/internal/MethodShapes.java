package dev.entangle.internal;

import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.entangle.MessagePort;

/**
 * Reflection rules of typed calls: which interfaces may be called remotely, which parameters are
 * callbacks (passed as a proxy on a port of their own), finding the method a call names, and
 * widening the numbers a JavaScript caller sends (all doubles) to the parameter types. Stateless; any
 * thread.
 */
public final class MethodShapes {
    private MethodShapes() {
    }

    /**
     * Checks that {@code type} is an interface whose every abstract method returns {@code void},
     * {@code CompletableFuture} or {@code CompletionStage}.
     *
     * @throws IllegalArgumentException naming the first method that does not, or if {@code type} is
     *     not an interface
     */
    public static void checkCallable(Class<?> type) {
        String problem = problemOf(type);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /**
     * Whether a parameter of this type is a callback: an interface outside {@code java.*} that
     * {@link #checkCallable} accepts. Such an argument travels as a proxy, not as a clone.
     */
    static boolean isCallback(Class<?> type) {
        return type.isInterface() && !type.getName().startsWith("java.") && problemOf(type) == null;
    }

    /** The one abstract method of a functional {@code type}, or null. */
    static Method soleAbstractMethod(Class<?> type) {
        List<Method> abstracts = abstractMethods(type);
        return abstracts.size() == 1 ? abstracts.get(0) : null;
    }

    private static String problemOf(Class<?> type) {
        if (!type.isInterface()) {
            return type.getName() + " is not an interface";
        }
        for (Method method : abstractMethods(type)) {
            Class<?> result = method.getReturnType();
            if (result != void.class && result != CompletableFuture.class && result != CompletionStage.class) {
                return type.getName() + "." + method.getName() + " returns " + result.getName()
                        + "; a remote method returns void, CompletableFuture or CompletionStage";
            }
        }
        return null;
    }

    private static List<Method> abstractMethods(Class<?> type) {
        List<Method> abstracts = new ArrayList<>();
        for (Method method : type.getMethods()) {
            if (Modifier.isAbstract(method.getModifiers()) && !overridesObject(method)) {
                abstracts.add(method);
            }
        }
        return abstracts;
    }

    private static boolean overridesObject(Method method) {
        try {
            Object.class.getMethod(method.getName(), method.getParameterTypes());
            return true; // equals, hashCode, toString redeclared (as Comparator does)
        } catch (NoSuchMethodException notObjects) {
            return false;
        }
    }

    /**
     * The method of {@code type} a call names: by {@code name}, or, for an empty path (Comlink calling
     * a function), the sole abstract method of a functional interface; the overload that accepts
     * {@code arguments}.
     */
    static Method find(Class<?> type, String name, Object[] arguments) {
        if (name == null) {
            Method sole = soleAbstractMethod(type);
            if (sole == null) {
                throw new IllegalArgumentException(type.getName() + " is not a functional interface: "
                        + "call one of its methods by name");
            }
            return sole;
        }
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
                    && !(argument instanceof Number && numeric(parameter))
                    && !(argument instanceof MessagePort && isCallback(parameter))) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code arguments} made to fit {@code method}: numbers converted to numeric parameter types, a
     * port for a callback parameter wrapped as a proxy of it.
     */
    static Object[] coerce(Method method, Object[] arguments) {
        Class<?>[] parameters = method.getParameterTypes();
        for (int i = 0; i < parameters.length; i++) {
            Object argument = arguments[i];
            if (argument instanceof Number && !box(parameters[i]).isInstance(argument)) {
                arguments[i] = convert((Number) argument, box(parameters[i]));
            } else if (argument instanceof MessagePort && isCallback(parameters[i])) {
                arguments[i] = RemoteCalls.wrapCallback(parameters[i], (MessagePort) argument);
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
        return MethodType.methodType(type).wrap().returnType();
    }
}
