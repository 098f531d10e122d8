package dev.entangle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link Remote}: typed calls through a proxy, on Comlink's wire. */
class RemoteTest {
    /** The interface under test (public: the exposing side invokes it reflectively). */
    public interface Ledger {
        CompletableFuture<Integer> deposit(String who, int amount);

        CompletionStage<List<String>> names(List<String> extra);

        CompletableFuture<Integer> fail(String why);

        CompletableFuture<String> later();

        CompletableFuture<Double> half(double value);

        void log(String line);

        default CompletableFuture<Integer> depositOne(String who) {
            return deposit(who, 1);
        }
    }

    /** A functional interface: a function on the far side. */
    public interface Scale {
        CompletableFuture<Double> times(double a, double b);
    }

    /** Runs on the exposing loop only. */
    static final class LocalLedger implements Ledger {
        final Map<String, Integer> balances = new LinkedHashMap<>();
        final List<String> lines = new CopyOnWriteArrayList<>();
        final List<List<String>> seen = new ArrayList<>();
        final CompletableFuture<String> later = new CompletableFuture<>();
        volatile EventLoop ranOn;

        @Override
        public CompletableFuture<Integer> deposit(String who, int amount) {
            ranOn = EventLoop.current();
            return CompletableFuture.completedFuture(balances.merge(who, amount, Integer::sum));
        }

        @Override
        public CompletionStage<List<String>> names(List<String> extra) {
            seen.add(extra);
            List<String> names = new ArrayList<>(balances.keySet());
            names.addAll(extra);
            return CompletableFuture.completedFuture(names);
        }

        @Override
        public CompletableFuture<Integer> fail(String why) {
            throw new IllegalArgumentException(why);
        }

        @Override
        public CompletableFuture<String> later() {
            return later;
        }

        @Override
        public CompletableFuture<Double> half(double value) {
            return CompletableFuture.completedFuture(value / 2);
        }

        @Override
        public void log(String line) {
            if (line.equals("throw")) {
                throw new IllegalStateException("log refused");
            }
            lines.add(line);
        }
    }

    private final Loops loops = new Loops();
    private final LocalLedger ledger = new LocalLedger();
    private EventLoop exposing;

    @AfterEach
    void closeLoops() throws InterruptedException {
        loops.close();
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Throwable failureOf(CompletionStage<?> stage) {
        return assertThrows(ExecutionException.class, () -> stage.toCompletableFuture()
                .get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).getCause();
    }

    /** Exposes {@link #ledger} on a new loop; returns the other port of the channel. */
    private MessagePort exposed() {
        exposing = loops.start("exposing");
        MessageChannel channel = new MessageChannel(exposing);
        Remote.expose(Ledger.class, ledger, channel.port2());
        return channel.port1();
    }

    @Test
    void callsRunOnTheExposingLoopAndAnswerInOrder() throws Exception {
        Ledger remote = Remote.wrap(Ledger.class, exposed());
        CompletableFuture<Integer> first = remote.deposit("alice", 5);
        CompletableFuture<Integer> second = remote.deposit("alice", 7);
        CompletableFuture<Integer> other = remote.depositOne("bob");
        assertEquals(5, await(first));
        assertEquals(12, await(second));
        assertEquals(1, await(other));
        assertEquals(exposing, ledger.ranOn);
    }

    @Test
    void argumentsAndResultsAreCloned() throws Exception {
        Ledger remote = Remote.wrap(Ledger.class, exposed());
        await(remote.deposit("alice", 1));
        List<String> extra = new ArrayList<>(List.of("carol"));
        CompletionStage<List<String>> names = remote.names(extra);
        extra.add("mallory"); // after the call: the clone was taken inside it
        assertEquals(List.of("alice", "carol"), await(names));
        assertEquals(List.of(List.of("carol")), ledger.seen);
    }

    @Test
    void anExceptionComesBackAsRemoteErrorWithTypeMessageAndStack() throws Exception {
        Ledger remote = Remote.wrap(Ledger.class, exposed());
        RemoteError error = assertInstanceOf(RemoteError.class, failureOf(remote.fail("overdrawn")));
        assertEquals("java.lang.IllegalArgumentException", error.remoteName());
        assertEquals("overdrawn", error.getMessage());
        assertTrue(error.remoteStack().contains("LocalLedger.fail"), error.remoteStack());
    }

    @Test
    void aReturnedStageIsAnsweredWhenItCompletes() throws Exception {
        Ledger remote = Remote.wrap(Ledger.class, exposed());
        CompletableFuture<String> later = remote.later();
        assertEquals(1, await(remote.deposit("x", 1))); // a later call answered first: proves it waits
        assertTrue(!later.isDone(), "answered before the stage completed");
        ledger.later.complete("done");
        assertEquals("done", await(later));
    }

    @Test
    void voidCallsAreFireAndForgetAndKeepTheirOrder() throws Exception {
        Ledger remote = Remote.wrap(Ledger.class, exposed());
        remote.log("a");
        remote.log("b");
        await(remote.deposit("sentinel", 1)); // answered after both logs ran
        assertEquals(List.of("a", "b"), ledger.lines);
    }

    @Test
    void aFailingVoidCallGoesToTheExposingLoopsErrorHandler() throws Exception {
        Ledger remote = Remote.wrap(Ledger.class, exposed());
        remote.log("throw");
        assertEquals("log refused", Loops.next(loops.errors).getMessage());
        assertEquals(1, await(remote.deposit("still", 1)));
    }

    @Test
    void numbersFromAJavaScriptCallerAreConvertedToTheParameterType() throws Exception {
        // Comlink from JavaScript sends every number as a double.
        MessagePort port = exposed();
        port.postMessage(apply("c1", "deposit", "dave", 3.0));
        MessageEvent answer = port.receiveMessage(Loops.TIMEOUT);
        assertEquals(Map.of("type", "RAW", "value", 3, "id", "c1"), answer.data());
        Ledger remote = Remote.wrap(Ledger.class, port);
        assertEquals(1.5, await(remote.half(3)));
    }

    @Test
    void comlinkCallsGetComlinkAnswers() throws Exception {
        MessagePort port = exposed();
        port.postMessage(apply("c2", "fail", "why"));
        Map<?, ?> thrown = (Map<?, ?>) port.receiveMessage(Loops.TIMEOUT).data();
        assertEquals("c2", thrown.get("id"));
        assertEquals("HANDLER", thrown.get("type"));
        assertEquals("throw", thrown.get("name"));
        Map<?, ?> error = (Map<?, ?>) ((Map<?, ?>) thrown.get("value")).get("value");
        assertEquals("why", error.get("message"));
        assertEquals("java.lang.IllegalArgumentException", error.get("name"));
        port.postMessage(Map.of("id", "c3", "type", "GET", "path", List.of("balances")));
        Map<?, ?> refused = (Map<?, ?>) port.receiveMessage(Loops.TIMEOUT).data();
        assertEquals("java.lang.UnsupportedOperationException",
                ((Map<?, ?>) ((Map<?, ?>) refused.get("value")).get("value")).get("name"));
        port.postMessage(apply("c4", "noSuchMethod"));
        Map<?, ?> missing = (Map<?, ?>) port.receiveMessage(Loops.TIMEOUT).data();
        assertEquals("java.lang.IllegalArgumentException",
                ((Map<?, ?>) ((Map<?, ?>) missing.get("value")).get("value")).get("name"));
    }

    @Test
    void releaseIsAnsweredAndClosesTheExposingEnd() throws Exception {
        MessagePort port = exposed();
        CompletableFuture<Void> closed = new CompletableFuture<>();
        port.addEventListener("close", e -> closed.complete(null));
        port.postMessage(Map.of("id", "r1", "type", "RELEASE"));
        Map<?, ?> answer = (Map<?, ?>) port.receiveMessage(Loops.TIMEOUT).data();
        assertEquals("r1", answer.get("id"));
        assertEquals("RAW", answer.get("type"));
        assertTrue(answer.containsKey("value") && answer.get("value") == null, answer.toString());
        port.start();
        await(closed);
    }

    @Test
    void endpointAnswersWithANewPortServingTheSameObject() throws Exception {
        MessagePort port = exposed();
        port.postMessage(Map.of("id", "e1", "type", "ENDPOINT"));
        MessageEvent answer = port.receiveMessage(Loops.TIMEOUT);
        assertEquals(1, answer.ports().size());
        assertEquals(answer.ports().get(0), ((Map<?, ?>) answer.data()).get("value"));
        Ledger second = Remote.wrap(Ledger.class, answer.ports().get(0));
        assertEquals(4, await(second.deposit("erin", 4)));
        assertEquals(Map.of("erin", 4), ledger.balances);
    }

    @Test
    void theProxySendsComlinkApplyMessagesAndReadsAThrowFromJavaScript() throws Exception {
        MessageChannel channel = new MessageChannel();
        Ledger remote = Remote.wrap(Ledger.class, channel.port1());
        CompletableFuture<Integer> call = remote.deposit("frank", 2);
        Map<?, ?> sent = (Map<?, ?>) channel.port2().receiveMessage(Loops.TIMEOUT).data();
        assertEquals("APPLY", sent.get("type"));
        assertEquals(List.of("deposit"), sent.get("path"));
        assertEquals(List.of(Map.of("type", "RAW", "value", "frank"), Map.of("type", "RAW", "value", 2)),
                sent.get("argumentList"));
        // answer as JavaScript Comlink does for a thrown TypeError
        Map<String, Object> error = Map.of("message", "x is not a function", "name", "TypeError",
                "stack", "TypeError: x is not a function\n    at worker.js:3");
        channel.port2().postMessage(Map.of("id", sent.get("id"), "type", "HANDLER", "name", "throw",
                "value", Map.of("isError", true, "value", error)));
        RemoteError thrown = assertInstanceOf(RemoteError.class, failureOf(call));
        assertEquals("TypeError", thrown.remoteName());
        assertEquals("x is not a function", thrown.getMessage());
        assertTrue(thrown.remoteStack().contains("worker.js:3"));
    }

    @Test
    void wrapFunctionCallsTheFarValueAsAFunctionWithAnEmptyPath() throws Exception {
        // Comlink protocol.ts: calling the wrapped value itself is an APPLY whose path is empty.
        MessageChannel channel = new MessageChannel();
        Scale remote = Remote.wrapFunction(Scale.class, channel.port1(), null);
        CompletableFuture<Double> call = remote.times(2, 3);
        Map<?, ?> sent = (Map<?, ?>) channel.port2().receiveMessage(Loops.TIMEOUT).data();
        assertEquals("APPLY", sent.get("type"));
        assertEquals(List.of(), sent.get("path"));
        assertEquals(List.of(Map.of("type", "RAW", "value", 2.0), Map.of("type", "RAW", "value", 3.0)),
                sent.get("argumentList"));
        channel.port2().postMessage(Map.of("id", sent.get("id"), "type", "RAW", "value", 6.0));
        assertEquals(6.0, await(call));
    }

    @Test
    void wrapFunctionCallsAFunctionalInterfaceExposedInJava() throws Exception {
        exposing = loops.start("exposing");
        MessageChannel channel = new MessageChannel(exposing);
        Remote.expose(Scale.class, (a, b) -> CompletableFuture.completedFuture(a * b), channel.port2());
        Scale remote = Remote.wrapFunction(Scale.class, channel.port1(), Duration.ofSeconds(10));
        assertEquals(12.0, await(remote.times(3, 4)));
        assertEquals(-1.5, await(remote.times(0.5, -3)));
        Remote.release(remote);
    }

    @Test
    void wrapFunctionRefusesAnInterfaceWithoutOneAbstractMethod() {
        MessageChannel channel = new MessageChannel();
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> Remote.wrapFunction(Ledger.class, channel.port1(), null));
        assertTrue(refused.getMessage().contains("not a functional interface"), refused::getMessage);
    }

    @Test
    void aVoidCallSendsNoId() throws Exception {
        MessageChannel channel = new MessageChannel();
        Remote.wrap(Ledger.class, channel.port1()).log("hi");
        Map<?, ?> sent = (Map<?, ?>) channel.port2().receiveMessage(Loops.TIMEOUT).data();
        assertNull(sent.get("id"));
        assertEquals(List.of(Map.of("type", "RAW", "value", "hi")), sent.get("argumentList"));
    }

    @Test
    void releaseFailsWaitingAndLaterCallsAndClosesThePort() throws Exception {
        MessageChannel channel = new MessageChannel();
        Ledger remote = Remote.wrap(Ledger.class, channel.port1());
        CompletableFuture<String> waiting = remote.later();
        Remote.release(remote);
        Remote.release(remote); // idempotent
        assertEquals("InvalidStateError", assertInstanceOf(DOMException.class, failureOf(waiting)).name());
        assertEquals("InvalidStateError",
                assertInstanceOf(DOMException.class, failureOf(remote.deposit("g", 1))).name());
        assertEquals("InvalidStateError", assertThrows(DOMException.class, () -> remote.log("x")).name());
        assertEquals("APPLY", ((Map<?, ?>) channel.port2().receiveMessage(Loops.TIMEOUT).data()).get("type"));
        assertEquals("RELEASE", ((Map<?, ?>) channel.port2().receiveMessage(Loops.TIMEOUT).data()).get("type"));
        assertNull(channel.port2().receiveMessage(Loops.TIMEOUT), "the proxy's port is closed");
        assertThrows(IllegalArgumentException.class, () -> Remote.release(new Object()));
    }

    @Test
    void theExposingSideClosingFailsWaitingCallsWithAbortError() throws Exception {
        MessageChannel channel = new MessageChannel();
        Ledger remote = Remote.wrap(Ledger.class, channel.port1());
        CompletableFuture<String> waiting = remote.later();
        channel.port2().receiveMessage(Loops.TIMEOUT);
        channel.port2().close();
        assertEquals("AbortError", assertInstanceOf(DOMException.class, failureOf(waiting)).name());
    }

    @Test
    void aCallWithoutAnswerWithinTheTimeoutFails() throws Exception {
        Ledger remote = Remote.wrap(Ledger.class, exposed(), Duration.ofMillis(30));
        assertInstanceOf(TimeoutException.class, failureOf(remote.later()));
        assertEquals(3, await(remote.deposit("h", 3)), "the proxy works on after a timeout");
    }

    @Test
    void anUncloneableArgumentFailsTheCallWithDataCloneError() throws Exception {
        Ledger remote = Remote.wrap(Ledger.class, exposed());
        List<String> uncloneable = new ArrayList<>();
        StructuredClone.markAsUncloneable(uncloneable);
        assertEquals("DataCloneError",
                assertInstanceOf(DOMException.class, failureOf(remote.names(uncloneable))).name());
        assertEquals(1, await(remote.deposit("after", 1)));
    }

    /** Has a method returning a plain value: not callable remotely. */
    public interface Blocking {
        int balance();
    }

    @Test
    void anInterfaceWithAPlainResultIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Remote.wrap(Blocking.class, new MessageChannel().port1()));
        assertTrue(e.getMessage().contains("Blocking.balance returns int"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Remote.expose(Blocking.class, () -> 1, new MessageChannel().port1()));
    }

    private static Map<String, Object> apply(String id, String method, Object... arguments) {
        List<Object> wire = new ArrayList<>();
        for (Object argument : arguments) {
            wire.add(Map.of("type", "RAW", "value", argument));
        }
        return Map.of("id", id, "type", "APPLY", "path", List.of(method), "argumentList", wire);
    }
}
