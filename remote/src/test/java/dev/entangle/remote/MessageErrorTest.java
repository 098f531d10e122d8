package dev.entangle.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.aeron.Aeron;
import io.aeron.Publication;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import dev.entangle.Event;
import dev.entangle.EventLoop;
import dev.entangle.MessageChannel;
import dev.entangle.MessageEvent;
import dev.entangle.MessagePort;
import dev.entangle.StructuredClone;

/**
 * HTML §9.4.4 "message port post message steps", step "deserialize ... if this throws, fire
 * messageerror": what the far side cannot read is a {@code messageerror} there, and the port carries on.
 */
class MessageErrorTest {
    record Secret(String value) {
    }

    /** A class the wire form does not know (registered as shareable in-process only). */
    static final class Opaque {
    }

    static {
        StructuredClone.registerShareable(Opaque.class);
    }

    @Test
    void aClassTheReceiverCannotLoadIsAMessageErrorAndThePortGoesOn() throws Exception {
        RemoteNode a = RemoteNode.start(Nodes.options().streamId(1001));
        ClassLoader blind = new ClassLoader(null) { // sees only the JDK: not Secret
        };
        try (a; RemoteNode b = RemoteNode.start(Nodes.options().streamId(1002).aeronDirectory(a.aeronDirectory())
                        .classLoader(blind));
                EventLoop alice = EventLoop.start("alice"); EventLoop bob = EventLoop.start("bob")) {
            MessagePort server = b.accept("e", bob);
            Inbox inbox = Inbox.of(server);
            MessagePort client = a.connect(b.address(), "e", alice);
            client.postMessage(new Secret("x"));
            client.postMessage("after");
            Event error = inbox.next();
            assertEquals("messageerror", error.type());
            assertNull(((MessageEvent) error).data());
            assertEquals("after", inbox.data());
        }
    }

    @Test
    void aValueWithoutWireFormIsAMessageErrorThereAndReportedHere() throws Exception {
        LinkedBlockingQueue<Throwable> reported = new LinkedBlockingQueue<>();
        RemoteNode a = RemoteNode.start(Nodes.options().streamId(1001).errorHandler(reported::add));
        try (a; RemoteNode b = RemoteNode.start(Nodes.options().streamId(1002).aeronDirectory(a.aeronDirectory()));
                EventLoop alice = EventLoop.start("alice"); EventLoop bob = EventLoop.start("bob")) {
            MessagePort server = b.accept("e", bob);
            Inbox inbox = Inbox.of(server);
            MessagePort client = a.connect(b.address(), "e", alice);
            MessageChannel carried = new MessageChannel(alice);
            Inbox carriedInbox = Inbox.of(carried.port1());
            client.postMessage(List.of(new Opaque(), carried.port2()), List.of(carried.port2()));
            client.postMessage("after");
            inbox.expect("messageerror");
            assertEquals("after", inbox.data());
            carriedInbox.expect("close"); // a port in a message that cannot travel is closed
            String first = reported.poll(Inbox.TIMEOUT_SECONDS, TimeUnit.SECONDS).getMessage();
            assertTrue(first.contains("data[0]: " + Opaque.class.getName() + " has no wire form"), first);
        }
    }

    @Test
    void undecodableBytesAtTheReceivingLoopAreAMessageError() throws Exception {
        // The receive path without a transport: a WireMessage whose bytes are garbage.
        try (EventLoop loop = EventLoop.start("receiver")) {
            MessageChannel channel = new MessageChannel(loop);
            Inbox inbox = Inbox.of(channel.port2());
            channel.port1().postMessage(WireMessage.of(new byte[] {WireFormat.VERSION, 99}, List.of(),
                    getClass().getClassLoader()));
            channel.port1().postMessage(WireMessage.of(new byte[] {7, WireFormat.NULL}, List.of(),
                    getClass().getClassLoader()));
            channel.port1().postMessage("fine");
            inbox.expect("messageerror"); // unknown tag
            inbox.expect("messageerror"); // unknown version
            assertEquals("fine", inbox.data());
        }
    }

    @Test
    void aMalformedFrameIsReportedAndTheNodeGoesOn() throws Exception {
        LinkedBlockingQueue<Throwable> reported = new LinkedBlockingQueue<>();
        RemoteNode a = RemoteNode.start(Nodes.options().streamId(1001));
        try (a; RemoteNode b = RemoteNode.start(Nodes.options().streamId(1002).aeronDirectory(a.aeronDirectory())
                        .errorHandler(reported::add));
                EventLoop alice = EventLoop.start("alice"); EventLoop bob = EventLoop.start("bob");
                Aeron raw = Aeron.connect(new Aeron.Context().aeronDirectoryName(a.aeronDirectory()));
                Publication rogue = raw.addPublication("aeron:ipc", 1002)) {
            MessagePort server = b.accept("m", bob);
            Inbox inbox = Inbox.of(server);
            MessagePort client = a.connect(b.address(), "m", alice);
            client.postMessage("before");
            assertEquals("before", inbox.data());
            byte[][] frames = {
                {42, Protocol.DATA, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8}, // unknown protocol version
                {Protocol.VERSION, 77, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8}, // unknown node, unknown type
                {Protocol.VERSION, Protocol.OPEN, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 100, 0, 0, 0}, // truncated
                "garbage".getBytes(StandardCharsets.UTF_8),
                // a BATCH whose first frame claims more bytes than the batch has
                {Protocol.VERSION, Protocol.BATCH, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 100, 0, 0, 0, 1, 2},
                // a BATCH holding a BATCH (12-byte header, then the inner one's length and header)
                {Protocol.VERSION, Protocol.BATCH, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8,
                    12, 0, 0, 0, Protocol.VERSION, Protocol.BATCH, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8},
            };
            for (byte[] frame : frames) {
                while (rogue.offer(new UnsafeBuffer(frame)) < 0) {
                    Thread.onSpinWait(); // until the driver connects the rogue publication
                }
            }
            for (int i = 0; i < frames.length; i++) {
                Throwable t = reported.poll(Inbox.TIMEOUT_SECONDS, TimeUnit.SECONDS);
                assertTrue(t instanceof IllegalArgumentException, String.valueOf(t));
            }
            client.postMessage("after"); // the node and the pair are unharmed
            assertEquals("after", inbox.data());
        }
    }
}
