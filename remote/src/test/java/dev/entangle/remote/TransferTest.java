package dev.entangle.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.entangle.ArrayBuffer;
import dev.entangle.EventLoop;
import dev.entangle.MessageChannel;
import dev.entangle.MessageEvent;
import dev.entangle.MessagePort;

/**
 * Transfer across the process boundary (HTML §9.4.4 "transfer steps" of MessagePort, §2.7.4
 * StructuredSerializeWithTransfer for ArrayBuffer): ports keep their queue, order and partner; buffers
 * are detached at the sender.
 */
class TransferTest {
    static List<String> kinds() {
        return Nodes.kinds();
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void aShippedPortKeepsItsQueuedAndInFlightMessagesInOrder(String kind) throws Exception {
        try (Nodes nodes = Nodes.of(kind)) {
            MessagePort server = nodes.server("t");
            Inbox serverInbox = Inbox.of(server);
            MessagePort client = nodes.client("t");

            MessageChannel line = new MessageChannel(nodes.alice);
            Inbox homeInbox = Inbox.of(line.port1());
            line.port1().postMessage("queued 1"); // waits at port2 before it travels
            line.port1().postMessage("queued 2");
            client.postMessage("take this", List.of(line.port2()));
            for (int i = 0; i < 100; i++) {
                line.port1().postMessage(i); // in flight while port2 travels
            }
            MessageEvent arrived = serverInbox.message();
            assertEquals("take this", arrived.data());
            assertEquals(1, arrived.ports().size());
            MessagePort travelled = arrived.ports().get(0);
            assertSame(nodes.bob, travelled.owner());
            Inbox travelledInbox = Inbox.of(travelled);
            assertEquals("queued 1", travelledInbox.data());
            assertEquals("queued 2", travelledInbox.data());
            for (int i = 0; i < 100; i++) {
                assertEquals(i, travelledInbox.data());
            }
            travelled.postMessage("answer from the far side");
            assertEquals("answer from the far side", homeInbox.data());
            travelled.close();
            homeInbox.expect("close");
        }
    }

    @Test
    void aPortTravelsAToBToCToAWhileItsPartnerKeepsPosting() throws Exception {
        RemoteNode a = RemoteNode.start(Nodes.options().streamId(1001));
        try (a; RemoteNode b = RemoteNode.start(Nodes.options().streamId(1002).aeronDirectory(a.aeronDirectory()));
                RemoteNode c = RemoteNode.start(Nodes.options().streamId(1003).aeronDirectory(a.aeronDirectory()));
                EventLoop la = EventLoop.start("a"); EventLoop lb = EventLoop.start("b");
                EventLoop lc = EventLoop.start("c"); EventLoop partner = EventLoop.start("partner")) {
            MessagePort aToB = a.connect(b.address(), "ab", la);
            MessagePort bFromA = b.accept("ab", lb);
            MessagePort bToC = b.connect(c.address(), "bc", lb);
            MessagePort cFromB = c.accept("bc", lc);
            MessagePort cToA = c.connect(a.address(), "ca", lc);
            MessagePort aFromC = a.accept("ca", la);
            // Each hop forwards the port it receives to the next node, at once.
            bFromA.onmessage(e -> bToC.postMessage("hop 2", e.ports()));
            cFromB.onmessage(e -> cToA.postMessage("hop 3", e.ports()));
            CompletableFuture<MessagePort> home = new CompletableFuture<>();
            aFromC.onmessage(e -> home.complete(e.ports().get(0)));

            MessageChannel channel = new MessageChannel(partner);
            int count = 2_000;
            CompletableFuture<Void> posted = new CompletableFuture<>();
            partner.execute(() -> {
                for (int i = 0; i < count; i++) {
                    channel.port1().postMessage(i);
                }
                posted.complete(null);
            });
            aToB.postMessage("hop 1", List.of(channel.port2()));
            MessagePort back = home.get(Inbox.TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertSame(la, back.owner());
            posted.get(Inbox.TIMEOUT_SECONDS, TimeUnit.SECONDS);
            channel.port1().postMessage("last");
            Inbox inbox = Inbox.of(back);
            for (int i = 0; i < count; i++) {
                assertEquals(i, inbox.data());
            }
            assertEquals("last", inbox.data());
            Inbox partnerInbox = Inbox.of(channel.port1());
            back.postMessage("round the world");
            assertEquals("round the world", partnerInbox.data());
        }
    }

    @Test
    void bothEndsOfAChannelCanCrossAndStillTalk() throws Exception {
        try (Nodes nodes = Nodes.ipc()) {
            MessagePort server = nodes.server("both");
            Inbox serverInbox = Inbox.of(server);
            MessagePort client = nodes.client("both");
            MessageChannel channel = new MessageChannel(nodes.alice);
            channel.port1().postMessage("to 2 before");
            client.postMessage("first", List.of(channel.port1()));
            client.postMessage("second", List.of(channel.port2()));
            MessagePort one = serverInbox.message().ports().get(0);
            MessagePort two = serverInbox.message().ports().get(0);
            Inbox twoInbox = Inbox.of(two);
            Inbox oneInbox = Inbox.of(one);
            assertEquals("to 2 before", twoInbox.data());
            one.postMessage("to 2 after");
            assertEquals("to 2 after", twoInbox.data());
            two.postMessage("to 1");
            assertEquals("to 1", oneInbox.data());
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void aTransferredBufferIsDetachedHereAndArrivesWithItsBytes(String kind) throws Exception {
        try (Nodes nodes = Nodes.of(kind)) {
            MessagePort server = nodes.server("buf");
            Inbox inbox = Inbox.of(server);
            MessagePort client = nodes.client("buf");
            byte[] bytes = new byte[20_000]; // under the 32 KiB frame limit of the tests' 256 KiB terms
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) (i * 31);
            }
            ArrayBuffer buffer = ArrayBuffer.wrap(bytes.clone());
            ArrayBuffer copied = ArrayBuffer.wrap(new byte[] {1, 2, 3});
            client.postMessage(List.of(buffer, copied, buffer), List.of(buffer));
            assertTrue(buffer.detached());
            assertEquals(3, copied.byteLength(), "a buffer only in the data stays");
            @SuppressWarnings("unchecked")
            List<Object> data = (List<Object>) inbox.data();
            ArrayBuffer received = (ArrayBuffer) data.get(0);
            assertSame(received, data.get(2), "one buffer reached twice is one buffer");
            assertEquals(bytes.length, received.byteLength());
            byte[] got = new byte[bytes.length];
            received.asByteBuffer().get(got);
            assertTrue(java.util.Arrays.equals(bytes, got));
            assertEquals(3, ((ArrayBuffer) data.get(1)).get(2));
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void aMessageLargerThanAFrameCrossesInPartsInOrderWithItsPorts(String kind) throws Exception {
        try (Nodes nodes = Nodes.of(kind)) {
            MessagePort server = nodes.server("big");
            Inbox inbox = Inbox.of(server);
            MessagePort client = nodes.client("big");
            byte[] bytes = new byte[1 << 20]; // 1 MiB: 33 parts of the tests' 32 KiB frames
            new java.util.Random(17).nextBytes(bytes);
            MessageChannel channel = new MessageChannel(nodes.alice);
            client.postMessage("before");
            client.postMessage(List.of(ArrayBuffer.wrap(bytes.clone()), channel.port2()), List.of(channel.port2()));
            client.postMessage("after");
            assertEquals("before", inbox.data());
            MessageEvent big = inbox.message();
            @SuppressWarnings("unchecked")
            List<Object> data = (List<Object>) big.data();
            byte[] got = new byte[bytes.length];
            ((ArrayBuffer) data.get(0)).asByteBuffer().get(got);
            assertTrue(java.util.Arrays.equals(bytes, got));
            assertSame(big.ports().get(0), data.get(1));
            assertEquals("after", inbox.data());
            Inbox home = Inbox.of(channel.port1());
            big.ports().get(0).postMessage("through the port that came in parts");
            assertEquals("through the port that came in parts", home.data());
        }
    }

    @Test
    void aPortShippedToAClosedFarPortIsClosed() throws Exception {
        try (Nodes nodes = Nodes.ipc()) {
            MessagePort server = nodes.server("gone");
            Inbox serverInbox = Inbox.of(server);
            MessagePort client = nodes.client("gone");
            Inbox clientInbox = Inbox.of(client);
            client.postMessage("hello");
            assertEquals("hello", serverInbox.data());
            server.close();
            clientInbox.expect("close");
            MessageChannel channel = new MessageChannel(nodes.alice);
            Inbox kept = Inbox.of(channel.port1());
            client.postMessage("with a port", List.of(channel.port2())); // to a closed pair
            kept.expect("close"); // the carried port is closed: its partner hears of it
        }
    }
}
