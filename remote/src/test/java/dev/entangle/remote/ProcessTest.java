package dev.entangle.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.entangle.EventLoop;
import dev.entangle.MessageChannel;
import dev.entangle.MessagePort;

/**
 * Ports entangled with a port in a second JVM ({@link PeerMain}), over loopback UDP and over IPC;
 * {@code udp-in-node}: over UDP with both nodes' drivers run inside the nodes
 * ({@link RemoteNode.Options#driverInNode}).
 */
class ProcessTest {
    private static RemoteNode parentNode(String kind) {
        return RemoteNode.start(kind.startsWith("udp")
                ? Nodes.options().channel("aeron:udp?endpoint=127.0.0.1:0").driverInNode(kind.equals("udp-in-node"))
                : Nodes.options().streamId(1001));
    }

    private static PeerProcess peerFor(String kind, RemoteNode parent) throws Exception {
        return kind.startsWith("udp") ? PeerProcess.start(List.of("-Xmx128m"), PeerMain.class, kind)
                : PeerProcess.start(List.of("-Xmx128m"), PeerMain.class, "ipc", parent.aeronDirectory(), "1002");
    }

    @ParameterizedTest
    @ValueSource(strings = {"udp", "ipc", "udp-in-node"})
    void pingPongAndManyMessagesInOrderWithAnotherJvm(String kind) throws Exception {
        try (RemoteNode node = parentNode(kind); PeerProcess peer = peerFor(kind, node);
                EventLoop loop = EventLoop.start("parent")) {
            MessagePort port = node.connect(peer.address(), "echo", loop);
            Inbox inbox = Inbox.of(port);
            port.postMessage(List.of("ping", 1, 2.5));
            assertEquals(List.of("ping", 1, 2.5), inbox.data());
            int count = 100_000;
            for (int i = 0; i < count; i++) {
                port.postMessage(i);
            }
            port.postMessage("end");
            for (int i = 0; i < count; i++) {
                assertEquals(i, inbox.data());
            }
            assertEquals("end", inbox.data());
        }
    }

    @Test
    void aPortShippedToAnotherJvmWorksFromThere() throws Exception {
        try (RemoteNode node = parentNode("udp"); PeerProcess peer = peerFor("udp", node);
                EventLoop loop = EventLoop.start("parent")) {
            MessagePort port = node.connect(peer.address(), "echo", loop);
            Inbox inbox = Inbox.of(port);
            MessageChannel channel = new MessageChannel(loop);
            channel.port1().postMessage("queued before shipping");
            port.postMessage("a port for you", List.of(channel.port2()));
            Inbox mine = Inbox.of(channel.port1());
            assertEquals("a port for you", inbox.data());
            assertEquals("hello through the port", mine.data());
            assertEquals("via port: queued before shipping", mine.data());
            channel.port1().postMessage("after");
            assertEquals("via port: after", mine.data());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"udp", "ipc", "udp-in-node"})
    void aKilledPeerClosesItsPortsAfterTheLivenessTimeout(String kind) throws Exception {
        try (RemoteNode node = parentNode(kind); PeerProcess peer = peerFor(kind, node);
                EventLoop loop = EventLoop.start("parent")) {
            MessagePort port = node.connect(peer.address(), "echo", loop);
            Inbox inbox = Inbox.of(port);
            port.postMessage("alive?");
            assertEquals("alive?", inbox.data());
            long killed = System.nanoTime();
            peer.process().destroyForcibly(); // SIGKILL: no BYE
            assertTrue(peer.process().waitFor(10, TimeUnit.SECONDS));
            inbox.expect("close");
            long seenAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            assertTrue(seenAfterMillis >= 900, "close before the 1 s liveness timeout: " + seenAfterMillis + " ms");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"udp", "udp-in-node"})
    void aPeerThatClosesItsNodeClosesThePortsAtOnce(String kind) throws Exception {
        try (RemoteNode node = parentNode(kind); EventLoop loop = EventLoop.start("parent")) {
            PeerProcess peer = peerFor(kind, node);
            MessagePort port = node.connect(peer.address(), "echo", loop);
            Inbox inbox = Inbox.of(port);
            port.postMessage("hi");
            assertEquals("hi", inbox.data());
            peer.close(); // PeerMain closes its node: BYE
            inbox.expect("close");
            assertEquals(0, peer.process().exitValue());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"udp", "ipc"})
    void aFullPortInAnotherJvmHoldsUpOnlyItsOwnLink(String kind) throws Exception {
        int capacity = 20;
        RemoteNode.Options options = kind.equals("udp") ? Nodes.options().channel("aeron:udp?endpoint=127.0.0.1:0")
                : Nodes.options().streamId(1001);
        List<String> flags = List.of("-Xmx128m", "-Dpeer.portCapacity=" + capacity);
        try (RemoteNode node = RemoteNode.start(options.portCapacity(capacity));
                PeerProcess peer = kind.equals("udp") ? PeerProcess.start(flags, PeerMain.class, "udp")
                        : PeerProcess.start(flags, PeerMain.class, "ipc", node.aeronDirectory(), "1002");
                EventLoop loop = EventLoop.start("parent")) {
            MessagePort lazy = node.connect(peer.address(), "lazy", loop); // the peer does not start its end
            MessagePort echo = node.connect(peer.address(), "echo", loop);
            Inbox echoInbox = Inbox.of(echo);
            echo.postMessage("before");
            assertEquals("before", echoInbox.data());
            int sent = BackPressureTest.postUntilRefused(lazy); // until the pressure reaches us
            assertTrue(sent >= Protocol.LINK_WINDOW, "refused after " + sent + ", within the link's window");
            for (int i = 0; i < 100; i++) { // the other pair between the same two nodes goes on
                echo.postMessage(i); // one at a time: the echo's bounded reply port never fills
                assertEquals(i, echoInbox.data());
            }
            echo.postMessage("start lazy"); // the peer starts its end and checks the order
            assertEquals("start lazy", echoInbox.data());
            assertTrue(lazy.offerMessage("end", java.time.Duration.ofSeconds(Inbox.TIMEOUT_SECONDS)));
            assertEquals("lazy: " + sent + " in order", echoInbox.data());
        }
    }
}
