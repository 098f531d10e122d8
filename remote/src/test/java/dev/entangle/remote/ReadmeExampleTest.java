package dev.entangle.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.entangle.DOMException;
import dev.entangle.EventLoop;
import dev.entangle.MessagePort;

/** The example of remote/README.md (both processes' halves in one JVM), and the API's argument checks. */
class ReadmeExampleTest {
    @Test
    void theReadmeExampleRuns() throws Exception {
        CompletableFuture<Object> printed = new CompletableFuture<>();
        // process B
        try (RemoteNode b = RemoteNode.start(RemoteNode.options().channel("aeron:udp?endpoint=127.0.0.1:0"));
                EventLoop bob = EventLoop.start("bob")) {
            MessagePort echo = b.accept("echo", bob);                  // owned by bob's loop
            echo.onmessage(e -> echo.postMessage("pong " + e.data())); // runs on bob's thread
            String address = b.address();                              // 1001@aeron:udp?endpoint=127.0.0.1:<port>

            // process A
            try (RemoteNode a = RemoteNode.start(RemoteNode.options().channel("aeron:udp?endpoint=127.0.0.1:0"));
                    EventLoop alice = EventLoop.start("alice")) {
                MessagePort line = a.connect(address, "echo", alice);
                line.onmessage(e -> printed.complete(e.data()));       // System.out.println(e.data()): pong ping
                line.postMessage("ping");
                assertEquals("pong ping", printed.get(Inbox.TIMEOUT_SECONDS, TimeUnit.SECONDS));
                assertTrue(address.matches("1001@aeron:udp\\?endpoint=127\\.0\\.0\\.1:[1-9][0-9]*"), address);
            }
        }
    }

    @Test
    void badArgumentsAreClearErrors() throws Exception {
        RemoteNode node = RemoteNode.start(Nodes.options());
        try (EventLoop loop = EventLoop.start("l")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> node.connect("localhost:40123", "x", loop));
            assertTrue(e.getMessage().contains("streamId@aeron:"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> node.connect("x@aeron:ipc", "x", loop));
            assertThrows(NullPointerException.class, () -> node.accept(null, loop));
            assertThrows(NullPointerException.class, () -> node.accept("x", null));
            assertThrows(IllegalArgumentException.class, () -> RemoteNode.options().channel("udp://x"));
            assertThrows(IllegalArgumentException.class, () -> RemoteNode.options().termLength(1000));
            assertThrows(IllegalArgumentException.class,
                    () -> RemoteNode.options().livenessTimeout(java.time.Duration.ZERO));
            node.close();
            node.close(); // idempotent
            DOMException closed = assertThrows(DOMException.class, () -> node.accept("x", loop));
            assertEquals("InvalidStateError", closed.name());
        } finally {
            node.close();
        }
    }

    @Test
    void aConnectToANodeThatNeverAnswersClosesAfterTheConnectTimeout() throws Exception {
        try (RemoteNode node = RemoteNode.start(Nodes.options().connectTimeout(java.time.Duration.ofMillis(300)));
                EventLoop loop = EventLoop.start("l")) {
            MessagePort port = node.connect("4242@aeron:ipc", "nobody", loop); // no node on stream 4242
            Inbox inbox = Inbox.of(port);
            port.postMessage("lost: nobody to take it");
            inbox.expect("close");
        }
    }
}
