package dev.entangle;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeoutException;

import dev.entangle.internal.MethodShapes;
import dev.entangle.internal.RemoteCalls;
import dev.entangle.internal.RemoteTarget;

/**
 * Typed calls over a port, on Comlink's wire: {@link #expose} serves a Java object's interface methods
 * on one end of a channel, {@link #wrap} returns a proxy of that interface on the other end.
 *
 * <pre>{@code
 * public interface Counter {
 *     CompletableFuture<Integer> add(int n);
 *     void reset();                              // fire and forget
 * }
 * MessageChannel channel = new MessageChannel(worker);
 * Remote.expose(Counter.class, new LocalCounter(), channel.port2()); // runs on worker's loop
 * Counter counter = Remote.wrap(Counter.class, channel.port1());
 * counter.add(2).thenAccept(total -> System.out.println(total));
 * Remote.release(counter);                        // closes the port
 * }</pre>
 *
 * <h2>Rules</h2>
 * <ul>
 * <li>The interface must be public; each of its abstract methods returns {@code java.util.concurrent.CompletableFuture},
 * {@code java.util.concurrent.CompletionStage} (a call answered by the far side) or {@code void} (fire and forget: no
 * answer, and a failure goes to the exposing loop's error handler). Default methods run locally;
 * {@code equals}, {@code hashCode} and {@code toString} are the proxy's own.</li>
 * <li>Arguments and results are structured-cloned ({@link StructuredClone}); an argument that cannot
 * be cloned throws {@code DataCloneError} from a void call and fails the future of an answered one. A
 * result that cannot be cloned fails the call with that {@code DataCloneError}.</li>
 * <li>The exposed method runs on the exposing port's loop; if it returns a {@code CompletionStage},
 * the answer is sent when it completes. An exception it throws (or its stage's failure) fails the
 * caller's future with a {@link RemoteError} carrying the class name, message and stack.</li>
 * <li>The caller's futures complete on the proxy port's loop: with the result; a {@code RemoteError};
 * a {@link TimeoutException} (with {@link #wrap(Class, MessagePort, Duration)}); an
 * {@code AbortError} {@link DOMException} if the exposing side closes its port; an
 * {@code InvalidStateError} once the proxy is released. Cancelling a future forgets the call.</li>
 * <li><b>Callbacks.</b> A parameter whose type is itself such an interface (outside {@code java.*})
 * is a callback: the argument is not cloned but exposed on a new channel owned by the calling loop
 * (or {@link EventLoop#common()}), and the exposed side receives a proxy of it over the other port,
 * transferred with the call (Comlink's {@code proxy} handler, {@code {type: "HANDLER", name: "proxy",
 * value: port}}). Its methods then run on the caller's loop. A functional interface's method is
 * called as a function (an {@code APPLY} with an empty path), as Comlink calls a proxied JavaScript
 * function; an exposed functional interface answers such calls too. A callback's port stays open
 * until the receiving side releases its proxy or either loop closes.</li>
 * <li>Numbers are widened or narrowed to the parameter's numeric type (a JavaScript caller sends
 * doubles); overloads are told apart by arity and argument types.</li>
 * </ul>
 *
 * <h2>Wire (Comlink {@code protocol.ts})</h2>
 * A call is {@code {id, type: "APPLY", path: [methodName], argumentList: [{type: "RAW", value}, …]}}
 * posted on the port; a void call has no {@code id}. The answer comes back on the same port as
 * {@code {id, type: "RAW", value}} or {@code {id, type: "HANDLER", name: "throw", value: {isError:
 * true, value: {message, name, stack}}}}. {@link #release} posts {@code {id, type: "RELEASE"}} and
 * closes the port; the exposing side then closes its end. The exposing side also answers
 * {@code ENDPOINT} (a new port serving the same object) and refuses {@code GET}, {@code SET} and
 * {@code CONSTRUCT} with a thrown {@code UnsupportedOperationException}.
 *
 * <p>Threads: every method, and every method of a proxy, may be called from any thread. Memory
 * consistency effects: actions before a proxy call <i>happen-before</i> the exposed method runs;
 * actions of the exposed method (or of whatever completes its stage) before it returns
 * <i>happen-before</i> the caller's future completes.
 */
public final class Remote {
    private Remote() {
    }

    /**
     * Serves {@code target}'s {@code type} methods on {@code port}, which this starts. Calls run on the
     * port's loop, one at a time, in the order they were posted.
     *
     * @param <T> the interface type
     * @param type the interface whose methods are served
     * @param target the object that implements them
     * @param port the port to serve them on
     * @throws IllegalArgumentException if {@code type} is not an interface or has a method that
     *     returns something other than void, CompletableFuture or CompletionStage
     * @throws NullPointerException if an argument is null
     */
    public static <T> void expose(Class<T> type, T target, MessagePort port) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(port, "port");
        MethodShapes.checkCallable(type);
        RemoteTarget.expose(type, type.cast(target), port);
    }

    /**
     * A proxy of {@code type} whose calls go through {@code port} (which this starts), without a
     * timeout: a call waits until it is answered, the far side closes, or the proxy is released.
     *
     * @param <T> the interface type
     * @param type the interface to proxy
     * @param port the port the calls go through
     * @return the proxy
     * @throws IllegalArgumentException as {@link #expose}
     * @throws NullPointerException if an argument is null
     */
    public static <T> T wrap(Class<T> type, MessagePort port) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(port, "port");
        return RemoteCalls.wrap(type, port, null);
    }

    /**
     * A proxy of {@code type} whose answered calls fail with {@link TimeoutException} when no answer
     * came within {@code timeout} (timed on the port's loop, see {@link EventLoop#schedule}).
     *
     * @param <T> the interface type
     * @param type the interface to proxy
     * @param port the port the calls go through
     * @param timeout how long an answered call waits
     * @return the proxy
     * @throws IllegalArgumentException as {@link #expose}
     * @throws NullPointerException if an argument is null
     */
    public static <T> T wrap(Class<T> type, MessagePort port, Duration timeout) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(port, "port");
        Objects.requireNonNull(timeout, "timeout");
        return RemoteCalls.wrap(type, port, timeout);
    }

    /**
     * A proxy of the functional interface {@code type} whose method calls the far side's exposed value
     * itself, as a function: Comlink's {@code APPLY} with an empty path, what JavaScript's
     * {@code Comlink.wrap(port)(...args)} sends. For a JavaScript worker that exposed a bare function
     * ({@code Comlink.expose((a, b) => a + b, port)}), and for a Java functional interface exposed
     * with {@link #expose}, which answers such calls too. {@link #wrap} of the same interface calls
     * the far side's member of the method's name instead.
     *
     * @param <T> the functional interface type
     * @param type the functional interface to proxy (one abstract method)
     * @param port the port the calls go through
     * @param timeout how long an answered call waits, or null for no limit
     * @return the proxy; {@link #release} releases it
     * @throws IllegalArgumentException if {@code type} does not have exactly one abstract method, or as
     *     {@link #expose}
     * @throws NullPointerException if {@code type} or {@code port} is null
     */
    public static <T> T wrapFunction(Class<T> type, MessagePort port, Duration timeout) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(port, "port");
        return RemoteCalls.wrapFunction(type, port, timeout);
    }

    /**
     * Releases a proxy made by {@link #wrap}: posts Comlink's {@code RELEASE}, closes the proxy's port
     * and fails its waiting calls with {@code InvalidStateError}; later calls fail the same way.
     * Idempotent.
     *
     * @param proxy a proxy made by {@code wrap}
     * @throws IllegalArgumentException if {@code proxy} was not made by {@code wrap}
     */
    public static void release(Object proxy) {
        RemoteCalls calls = RemoteCalls.of(proxy);
        if (calls == null) {
            throw new IllegalArgumentException("not a proxy made by Remote.wrap: " + proxy);
        }
        calls.release();
    }
}
