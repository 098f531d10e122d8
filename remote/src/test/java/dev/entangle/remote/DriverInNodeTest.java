package dev.entangle.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.entangle.EventLoop;
import dev.entangle.IdleStrategy;
import dev.entangle.MessagePort;

/**
 * {@link RemoteNode.Options#driverInNode}: the embedded media driver runs no thread of its own, its
 * work is part of the node's duty cycle (the node's thread, or the loops driving the node), over IPC
 * (one driver, node b joins node a's) and over loopback UDP (a driver in each node).
 */
class DriverInNodeTest {
    static List<String> kinds() {
        return Nodes.kinds();
    }

    /** Options whose liveness timeout is longer than any wait of a test: a close seen comes from BYE. */
    private static RemoteNode.Options options(String kind) {
        RemoteNode.Options options = Nodes.options().driverInNode(true).livenessTimeout(Duration.ofSeconds(120));
        return kind.equals("ipc") ? options : options.channel("aeron:udp?endpoint=127.0.0.1:0");
    }

    private static Set<String> driverThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(name -> name.contains("sender") || name.contains("receiver"))
                .collect(Collectors.toSet());
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void messagesCrossInOrderWithNoDriverThreadAndAClosedNodeIsHeardAtOnce(String kind) throws Exception {
        int count = 20_000;
        Set<String> before = driverThreads();
        RemoteNode a = RemoteNode.start(options(kind).streamId(1001));
        RemoteNode.Options bOptions = options(kind).streamId(1002);
        RemoteNode b = RemoteNode.start(kind.equals("ipc") ? bOptions.aeronDirectory(a.aeronDirectory()) : bOptions);
        try (EventLoop alice = EventLoop.start("alice", a.idleStrategy(IdleStrategy.DEFAULT));
                EventLoop bob = EventLoop.start("bob")) { // parks: node b's own thread runs its driver
            assertEquals(before, driverThreads(), "the drivers started threads of their own");
            MessagePort echo = b.accept("echo", bob);
            echo.onmessage(e -> echo.postMessage(e.data()));
            MessagePort client = a.connect(b.address(), "echo", alice);
            Inbox inbox = Inbox.of(client);
            for (int i = 0; i < count; i++) {
                client.postMessage(i);
            }
            client.postMessage("end"); // the sentinel: nothing extra before it
            for (int i = 0; i < count; i++) {
                assertEquals(i, inbox.data());
            }
            assertEquals("end", inbox.data());
            // Node b's BYE leaves although its driver runs only inside the node: the close comes
            // within the inbox's wait, long before the liveness timeout (120 s) could give it.
            b.close();
            inbox.expect("close");
            assertTrue(inbox.isEmpty());
        } finally {
            b.close();
            a.close();
        }
    }
}
