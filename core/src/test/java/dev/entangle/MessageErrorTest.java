package dev.entangle;

import static dev.entangle.Loops.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SPEC item 7 / HTML §9.4.4 "message port post message steps", the task's step "Let
 * deserializeRecord be StructuredDeserializeWithTransfer(...). If this throws an exception, catch it,
 * fire an event named messageerror at finalTargetPort, using MessageEvent, and then return": a codec
 * whose receiver-side step fails gives {@code messageerror} instead of {@code message}, and the port
 * keeps working (WPT webmessaging "messageerror" behaviour).
 */
class MessageErrorTest {
    private final Loops loops = new Loops();

    @AfterEach
    void closeLoops() throws InterruptedException {
        loops.close();
    }

    /** Deserializes fine, except a value whose text is "poison". */
    static final class Fragile {
        final String text;

        Fragile(String text) {
            this.text = text;
        }
    }

    static {
        StructuredClone.registerCodec(Fragile.class, new StructuredClone.Codec<>() {
            @Override
            public Object serialize(Fragile value, StructuredClone.SerializeContext ctx) {
                return value.text;
            }

            @Override
            public Fragile deserialize(Object form, StructuredClone.DeserializeContext ctx) {
                if ("poison".equals(form)) {
                    throw new IllegalArgumentException("cannot rebuild " + form);
                }
                return new Fragile((String) form);
            }
        });
    }

    @Test
    void aFailingDeserializeFiresMessageErrorAndThePortKeepsWorking() throws Exception {
        EventLoop loop = loops.start("messageerror");
        MessageChannel channel = new MessageChannel(loop);
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<MessageEvent> errors = new LinkedBlockingQueue<>();
        channel.port2().onmessageerror(e -> {
            errors.add(e);
            events.add("messageerror");
        });
        channel.port2().onmessage(e -> events.add("message " + ((Fragile) e.data()).text));

        channel.port1().postMessage(new Fragile("first"));
        channel.port1().postMessage(new Fragile("poison")); // serializes fine on the sender
        channel.port1().postMessage(new Fragile("after"));

        assertEquals("message first", next(events));
        assertEquals("messageerror", next(events));
        assertEquals("message after", next(events));
        MessageEvent error = next(errors);
        assertEquals("messageerror", error.type());
        assertNull(error.data());
        assertTrue(error.ports().isEmpty());
        assertTrue(error.isTrusted());
        assertSame(channel.port2(), error.target());
        assertTrue(loops.errors.isEmpty(), "nothing reported as an uncaught error: " + loops.errors);
    }

    /** The ports that travelled with the failed message are closed: their partners get close. */
    @Test
    void portsCarriedByAFailedMessageAreClosed() throws Exception {
        EventLoop loop = loops.start("messageerror-ports");
        MessageChannel channel = new MessageChannel(loop);
        MessageChannel carried = new MessageChannel(loop);
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        channel.port2().onmessageerror(e -> events.add("messageerror"));
        channel.port2().start();
        carried.port2().onclose(e -> events.add("close at partner"));
        carried.port2().start();

        channel.port1().postMessage(List.of(new Fragile("poison")), List.of(carried.port1()));

        List<String> got = new java.util.ArrayList<>(List.of(next(events), next(events)));
        got.sort(null);
        assertEquals(List.of("close at partner", "messageerror"), got);
    }

    /**
     * HTML §9.5 postMessage step 8.3: a BroadcastChannel receiver whose deserialization fails fires
     * messageerror instead of message, and goes on receiving.
     */
    @Test
    void aBroadcastChannelReceiverThatCannotDeserializeFiresMessageErrorAndGoesOn() throws Exception {
        EventLoop loop = loops.start("messageerror-broadcast");
        BroadcastChannel sender = new BroadcastChannel("fragile", loop);
        BroadcastChannel receiver = new BroadcastChannel("fragile", loop);
        try {
            LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
            receiver.onmessageerror(e -> events.add(e.type() + " data=" + e.data() + " trusted="
                    + e.isTrusted() + " target=" + (e.target() == receiver)));
            receiver.onmessage(e -> events.add("message " + ((Fragile) e.data()).text));

            sender.postMessage(new Fragile("poison"));
            sender.postMessage(new Fragile("after"));

            assertEquals("messageerror data=null trusted=true target=true", next(events));
            assertEquals("message after", next(events));
        } finally {
            sender.close();
            receiver.close();
        }
    }

    /**
     * A worker's message that cannot be deserialized at the parent fires messageerror at the Worker
     * object (Node's worker.on('messageerror')); later messages and exit still arrive, in order.
     */
    @Test
    void aWorkerMessageThatCannotBeDeserializedFiresMessageErrorAtTheWorker() throws Exception {
        EventLoop parent = loops.start("messageerror-worker-parent");
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        Loops.on(parent, () -> {
            Worker worker = new Worker("fragile-worker", scope -> {
                scope.parentPort().postMessage(new Fragile("poison"));
                scope.parentPort().postMessage(new Fragile("after"));
            });
            worker.onmessageerror(e -> events.add(e.type() + " data=" + e.data()));
            worker.onmessage(e -> events.add("message " + ((Fragile) e.data()).text));
            worker.addEventListener("exit", e -> events.add("exit " + ((Worker.ExitEvent) e).exitCode()));
            return worker;
        });

        assertEquals("messageerror data=null", next(events));
        assertEquals("message after", next(events));
        assertEquals("exit 0", next(events));
    }
}
