package dev.entangle.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.entangle.EventLoop;
import dev.entangle.MessagePort;

/** Ping-pong, FIFO and close between two nodes in one JVM, over IPC and over loopback UDP. */
class MessagingTest {
    static List<String> kinds() {
        return Nodes.kinds();
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void pingPongCrossesBothWays(String kind) throws Exception {
        try (Nodes nodes = Nodes.of(kind)) {
            MessagePort echo = nodes.server("echo");
            echo.onmessage(e -> echo.postMessage("pong " + e.data()));
            MessagePort client = nodes.client("echo");
            Inbox inbox = Inbox.of(client);
            client.postMessage("ping 1"); // before the handshake: waits, then goes
            assertEquals("pong ping 1", inbox.data());
            client.postMessage(List.of(1, "two", 3.0));
            assertEquals("pong [1, two, 3.0]", inbox.data());
            assertEquals(nodes.alice, client.owner());
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void manyMessagesArriveInOrderExactlyOnce(String kind) throws Exception {
        int count = 100_000;
        try (Nodes nodes = Nodes.of(kind)) {
            MessagePort receiver = nodes.server("sink");
            Inbox inbox = Inbox.of(receiver);
            MessagePort sender = nodes.client("sink");
            for (int i = 0; i < count; i++) {
                sender.postMessage(i);
            }
            sender.postMessage("end"); // the sentinel: nothing extra before it
            for (int i = 0; i < count; i++) {
                assertEquals(i, inbox.data());
            }
            assertEquals("end", inbox.data());
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void closeGivesTheFarPortOneCloseAfterTheMessagesPostedBefore(String kind) throws Exception {
        try (Nodes nodes = Nodes.of(kind)) {
            MessagePort receiver = nodes.server("c");
            Inbox inbox = Inbox.of(receiver);
            MessagePort sender = nodes.client("c");
            Inbox senderInbox = Inbox.of(sender);
            sender.postMessage(1);
            sender.postMessage(2);
            sender.close();
            sender.postMessage(3); // after close: dropped
            assertEquals(1, inbox.data());
            assertEquals(2, inbox.data());
            inbox.expect("close");
            receiver.postMessage("too late"); // to a closed pair: dropped
            // The closing side gets no event: prove it with a message through a fresh pair.
            MessagePort probe = nodes.client("probe");
            MessagePort probed = nodes.server("probe");
            Inbox probeInbox = Inbox.of(probed);
            probe.postMessage("sentinel");
            assertEquals("sentinel", probeInbox.data());
            probe.close();
            probeInbox.expect("close");
            assertTrue(senderInbox.isEmpty(), "the closing port got an event");
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void acceptedPortCloseReachesTheConnector(String kind) throws Exception {
        try (Nodes nodes = Nodes.of(kind)) {
            MessagePort client = nodes.client("x");
            Inbox inbox = Inbox.of(client);
            MessagePort server = nodes.server("x");
            server.postMessage("bye");
            server.close();
            assertEquals("bye", inbox.data());
            inbox.expect("close");
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void closingANodeClosesThePortsEntangledWithIt(String kind) throws Exception {
        try (Nodes nodes = Nodes.of(kind)) {
            MessagePort client = nodes.client("n");
            Inbox clientInbox = Inbox.of(client);
            MessagePort server = nodes.server("n");
            Inbox serverInbox = Inbox.of(server);
            client.postMessage("hello");
            assertEquals("hello", serverInbox.data());
            server.postMessage("last");
            assertEquals("last", clientInbox.data());
            nodes.b.close();
            serverInbox.expect("close"); // its own node closed
            clientInbox.expect("close"); // told by BYE
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void closingTheOwnerLoopClosesItsRemotePortsAndTheFarSideHearsOfIt(String kind) throws Exception {
        EventLoop carol = EventLoop.start("carol");
        try (Nodes nodes = Nodes.of(kind)) {
            MessagePort server = nodes.server("loop");
            Inbox inbox = Inbox.of(server);
            MessagePort client = nodes.a.connect(nodes.b.address(), "loop", carol);
            client.postMessage("from carol");
            assertEquals("from carol", inbox.data());
            carol.close(); // closes its ports (SPEC 6), so the bridge sends CLOSE
            inbox.expect("close");
        } finally {
            carol.close();
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void severalPairsWithOneNameAreMatchedInArrivalOrder(String kind) throws Exception {
        try (Nodes nodes = Nodes.of(kind)) {
            MessagePort first = nodes.client("same");
            first.postMessage("first");
            Inbox firstAccepted = Inbox.of(nodes.server("same"));
            assertEquals("first", firstAccepted.data()); // matched before the second connect exists
            MessagePort second = nodes.client("same");
            second.postMessage("second");
            Inbox secondAccepted = Inbox.of(nodes.server("same"));
            assertEquals("second", secondAccepted.data());
        }
    }
}
