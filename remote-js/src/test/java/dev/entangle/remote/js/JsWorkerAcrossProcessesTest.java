package dev.entangle.remote.js;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.entangle.Event;
import dev.entangle.EventLoop;
import dev.entangle.MessageEvent;
import dev.entangle.MessagePort;
import dev.entangle.remote.PeerProcess;
import dev.entangle.remote.RemoteNode;

/**
 * A GraalJS worker in a second JVM ({@link JsWorkerPeer}), reached through a remote port over
 * loopback UDP: what Java posts here arrives in the script in order, the script's answers (JS values,
 * which cross as {@code JsCodec}'s Java values) arrive here in order, and the script's
 * {@code port.close()} reaches this port as one {@code close} after its last answer.
 */
class JsWorkerAcrossProcessesTest {
    private static final long TIMEOUT_SECONDS = 60;

    @Test
    void aScriptWorkerInAnotherJvmAnswersThroughARemotePortInOrderThenCloses() throws Exception {
        try (PeerProcess peer = PeerProcess.start(List.of("--enable-native-access=ALL-UNNAMED", "-Xmx256m"),
                JsWorkerPeer.class)) {
            String address = peer.address();
            RemoteNode.Options options = RemoteNode.options().channel("aeron:udp?endpoint=127.0.0.1:0")
                    .termLength(256 * 1024).heartbeatInterval(Duration.ofMillis(50))
                    .livenessTimeout(Duration.ofSeconds(5));
            try (RemoteNode node = RemoteNode.start(options); EventLoop loop = EventLoop.start("java-side")) {
                MessagePort port = node.connect(address, "js", loop);
                LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
                port.addEventListener("close", events::add);
                port.onmessage(events::add);
                port.postMessage(21);
                port.postMessage("hello");
                port.postMessage(List.of(1, 2, 3, 4));
                for (int i = 0; i < 100; i++) {
                    port.postMessage(i);
                }
                port.postMessage("bye");
                assertEquals(42.0, data(events), "a JS number arrives as a Double");
                assertEquals("js saw hello", data(events));
                assertEquals(Map.of("length", 4.0, "sum", 10.0), data(events));
                for (int i = 0; i < 100; i++) {
                    assertEquals(2.0 * i, data(events), "answer " + i);
                }
                Event last = events.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                assertEquals("close", last == null ? null : last.type(), "the script closed its port");
            }
        }
    }

    private static Object data(LinkedBlockingQueue<Event> events) throws InterruptedException {
        Event e = events.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertEquals("message", e == null ? null : e.type(), () -> "expected a message, got " + e);
        return ((MessageEvent) e).data();
    }
}
