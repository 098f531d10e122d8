package dev.entangle.remote.js;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.entangle.Event;
import dev.entangle.EventLoop;
import dev.entangle.MessageEvent;
import dev.entangle.MessagePort;
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
        Process peer = startPeer();
        try {
            String address = addressOf(peer);
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
        } finally {
            peer.getOutputStream().close();
            if (!peer.waitFor(20, TimeUnit.SECONDS)) {
                peer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static Object data(LinkedBlockingQueue<Event> events) throws InterruptedException {
        Event e = events.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertEquals("message", e == null ? null : e.type(), () -> "expected a message, got " + e);
        return ((MessageEvent) e).data();
    }

    private static Process startPeer() throws IOException {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        return new ProcessBuilder(java, "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "--add-opens",
                "java.base/sun.nio.ch=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                JsWorkerPeer.class.getName()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static String addressOf(Process peer) throws Exception {
        CompletableFuture<String> address = CompletableFuture.supplyAsync(() -> {
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(peer.getInputStream(),
                        StandardCharsets.UTF_8));
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("ADDRESS ")) {
                        return line.substring("ADDRESS ".length());
                    }
                }
                throw new IllegalStateException("the peer ended without printing its address");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        return address.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
}
