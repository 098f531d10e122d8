package dev.entangle.graaljs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Value;

import dev.entangle.EventLoop;
import dev.entangle.MessagePort;

/**
 * Test fixture: an entangle loop running one GraalJS context, registered as its {@link JsHost}. Ports
 * are stood for by instances of a script class {@code TestPort}, mapped to the Java port by identity.
 *
 * <p>Threads: {@link #on} and {@link #close} from the test thread; the host methods on the loop.
 */
final class JsTestRealm implements JsHost {
    static final Duration TIMEOUT = Duration.ofSeconds(20);

    final EventLoop loop;
    /** Errors the loop reported (uncaught in tasks or handlers). */
    final LinkedBlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
    private Context context;
    /** {@code new TestPort(i)}, and the index of a TestPort (-1 for other values). */
    private Value newPort;
    private Value portIndex;
    private final List<MessagePort> ports = new ArrayList<>();
    private final Map<MessagePort, Value> objects = new IdentityHashMap<>();

    private JsTestRealm(String name) {
        loop = EventLoop.start(name, (thread, error) -> errors.add(error));
    }

    static JsTestRealm start(String name) throws Exception {
        JsCodec.install();
        JsTestRealm realm = new JsTestRealm(name);
        JsHost.register(realm.loop, realm);
        realm.on(() -> {
            realm.context = JsContexts.newContext();
            JsCodec.prepare(realm.context);
            // The index lives in a private field: no Value.hashCode (GraalJS's interop identity of wrapper
            // objects fails its own assertions under -ea), as a real realm keeps the port in a hidden slot.
            Value fns = realm.context.eval("js", "globalThis.TestPort = class TestPort {"
                    + " #i; constructor(i) { this.#i = i; } static index(v) { return #i in v ? v.#i : -1; } };"
                    + " [(i) => new TestPort(i), (v) => (typeof v === 'object' && v !== null) ? TestPort.index(v) : -1]");
            realm.newPort = fns.getArrayElement(0);
            realm.portIndex = fns.getArrayElement(1);
            return null;
        });
        return realm;
    }

    /** Runs {@code task} on the loop and waits for its result (its exception is rethrown as is). */
    <T> T on(Callable<T> task) throws Exception {
        return await(call(loop, task));
    }

    /** Evaluates {@code script} on the loop, returning {@code toString()} of the result. */
    String eval(String script) throws Exception {
        return on(() -> context.eval("js", script).toString());
    }

    /** Evaluates {@code script} on the loop (call only from a task of this loop). */
    Value js(String script) {
        return context.eval("js", script);
    }

    static <T> CompletableFuture<T> call(EventLoop loop, Callable<T> task) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return task.call();
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }, loop);
    }

    /** The future's value within {@link #TIMEOUT}, or its exception unwrapped. */
    static <T> T await(CompletableFuture<T> future) throws Exception {
        try {
            return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception x) {
                throw x;
            }
            if (e.getCause() instanceof Error x) {
                throw x;
            }
            throw e;
        }
    }

    @Override
    public Context context() {
        return context;
    }

    @Override
    public MessagePort unwrapPort(Value value) {
        int i = portIndex.execute(value).asInt();
        return i < 0 ? null : ports.get(i);
    }

    @Override
    public Value wrapPort(MessagePort port) {
        return objects.computeIfAbsent(port, p -> {
            ports.add(p);
            return newPort.execute(ports.size() - 1);
        });
    }

    /** Closes the context on the loop, then the loop. */
    void close() throws Exception {
        try {
            on(() -> {
                context.close();
                return null;
            });
        } finally {
            JsHost.unregister(loop, this);
            loop.close();
            loop.awaitTermination(TIMEOUT);
        }
    }
}
