package dev.entangle;

import static dev.entangle.Loops.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Messages built to break the receiver: "a message the sender accepted never kills the receiving
 * loop" (SPEC items 7 and 8; HTML §9.4.4 "message port post message steps": a deserialization failure
 * fires {@code messageerror}). Values nested deeper than {@code internal.StructuredSerialize.MAX_DEPTH}
 * are refused on the sender, before anything is detached; whatever a codec or cloner throws, an
 * {@code Error} included, becomes the documented DataCloneError (sender) or messageerror (receiver).
 */
class HostileMessageTest {
    private final Loops loops = new Loops();

    @AfterEach
    void closeLoops() throws InterruptedException {
        loops.close();
    }

    /** A record whose component is any value: nests without limit. */
    record Shell(Object inside) {
    }

    /** Rebuilds on the receiver; throws an AssertionError (a bug, not a RuntimeException) for "bug". */
    static final class Brittle {
        final String text;

        Brittle(String text) {
            this.text = text;
        }
    }

    /** Cloned on the sender by a cloner that throws an AssertionError. */
    static final class Unclonable {
    }

    static {
        StructuredClone.registerCodec(Brittle.class, new StructuredClone.Codec<>() {
            @Override
            public Object serialize(Brittle value, StructuredClone.SerializeContext ctx) {
                return value.text;
            }

            @Override
            public Brittle deserialize(Object form, StructuredClone.DeserializeContext ctx) {
                if ("bug".equals(form)) {
                    throw new AssertionError("codec bug");
                }
                return new Brittle((String) form);
            }
        });
        StructuredClone.registerCloner(Unclonable.class, (value, ctx) -> {
            throw new AssertionError("cloner bug");
        });
    }

    private static Object nestedOptionals(int depth) {
        Object value = "core";
        for (int i = 0; i < depth; i++) {
            value = Optional.of(value);
        }
        return value;
    }

    private static Object nestedShells(int depth) {
        Object value = new ArrayList<>(List.of("core")); // mutable: the records must be copied
        for (int i = 0; i < depth; i++) {
            value = new Shell(value);
        }
        return value;
    }

    private static Object nestedLists(int depth) {
        List<Object> root = new ArrayList<>();
        List<Object> tail = root;
        for (int i = 0; i < depth; i++) {
            List<Object> next = new ArrayList<>();
            tail.add(next);
            tail = next;
        }
        return root;
    }

    @Test
    void deeplyNestedOptionalsAreRefusedOnTheSenderAndTheReceiverLivesOn() throws Exception {
        refusedAndReceiverLives(nestedOptionals(20_000));
    }

    @Test
    void deeplyNestedRecordsAreRefusedOnTheSenderAndTheReceiverLivesOn() throws Exception {
        refusedAndReceiverLives(nestedShells(5_000));
    }

    @Test
    void deeplyNestedListsAreRefusedOnTheSender() throws Exception {
        refusedAndReceiverLives(nestedLists(1_001));
    }

    private void refusedAndReceiverLives(Object deep) throws Exception {
        EventLoop loop = loops.start("deep");
        MessageChannel channel = new MessageChannel(loop);
        MessageChannel passenger = new MessageChannel(loop);
        LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
        channel.port2().onmessage(e -> received.add(e.data()));

        DOMException e = assertThrows(DOMException.class,
                () -> channel.port1().postMessage(deep, List.of(passenger.port1())));
        assertEquals("DataCloneError", e.name());
        assertTrue(e.getMessage().contains("too deep to clone (nested deeper than 1000 levels)"),
                e.getMessage());
        assertTrue(e.getMessage().length() < 400, "the path is abbreviated: " + e.getMessage());
        passenger.port1().postMessage("not detached"); // all-or-nothing: the transfer did not happen

        channel.port1().postMessage("after");
        assertEquals("after", next(received));
        assertTrue(loops.errors.isEmpty(), loops.errors.toString());
    }

    /**
     * The defect as found: a sender on a thread with a big stack serialized 20,000 nested optionals,
     * and the receiving loop, on an ordinary stack, died of a StackOverflowError rebuilding them
     * (every later message lost). Now the sender refuses it, whatever its stack.
     */
    @Test
    void aValueOnlyABigStackCouldSerializeIsRefusedSoTheReceivingLoopLives() throws Exception {
        EventLoop loop = loops.start("receiver");
        MessageChannel channel = new MessageChannel(loop);
        MessageChannel carried = new MessageChannel(loop); // makes the optionals deferred to the receiver
        LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
        channel.port2().onmessage(e -> received.add(e.data() instanceof String ? e.data() : "deep"));
        Object deep = carried.port1();
        for (int i = 0; i < 20_000; i++) {
            deep = Optional.of(deep);
        }
        Object message = deep;
        LinkedBlockingQueue<String> outcome = new LinkedBlockingQueue<>();
        Thread bigStack = new Thread(null, () -> {
            try {
                channel.port1().postMessage(message, List.of(carried.port1()));
                outcome.add("accepted");
            } catch (DOMException e) {
                outcome.add(e.name());
            }
        }, "big-stack-sender", 1L << 30);
        bigStack.start();
        assertEquals("DataCloneError", next(outcome));
        channel.port1().postMessage("after");
        assertEquals("after", next(received));
        assertTrue(loops.errors.isEmpty(), loops.errors.toString());
    }

    /** Depths up to the limit arrive intact, even on a loop whose thread has a small stack. */
    @Test
    void nestingUpToTheLimitIsDeliveredOnASmallStack() throws Exception {
        java.util.concurrent.ExecutorService smallStacks = java.util.concurrent.Executors.newSingleThreadExecutor(
                r -> new Thread(null, r, "small-stack", 256 * 1024));
        try {
            EventLoop loop = EventLoop.on(smallStacks, "small", (t, error) -> loops.errors.add(error));
            MessageChannel channel = new MessageChannel(loop);
            LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
            channel.port2().onmessage(e -> received.add(e.data()));
            Object deep = nestedShells(999); // 999 records around a list: 1,000 levels
            channel.port1().postMessage(deep);
            Object got = next(received);
            for (int i = 0; i < 999; i++) {
                got = assertInstanceOf(Shell.class, got).inside();
            }
            assertEquals(List.of("core"), got);
            loop.close();
            assertTrue(loop.awaitTermination(Loops.TIMEOUT));
        } finally {
            smallStacks.shutdown();
        }
    }

    /**
     * A codec whose deserialize throws an Error: messageerror (not a dead loop), the ports that came
     * with the message are closed (their far sides get close), the Error is reported, and the port
     * keeps working.
     */
    @Test
    void aCodecThrowingAnErrorGivesMessageErrorClosesTheCarriedPortsAndIsReported() throws Exception {
        EventLoop loop = loops.start("codec-error");
        EventLoop other = loops.start("far-side");
        MessageChannel channel = new MessageChannel(loop);
        MessageChannel carried = new MessageChannel(other);
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        channel.port2().onmessage(e -> events.add("message:" + ((Brittle) e.data()).text));
        channel.port2().onmessageerror(e -> events.add("messageerror"));
        carried.port1().onclose(e -> events.add("carried port's far side: close"));
        carried.port1().start();

        channel.port1().postMessage(new Brittle("bug"), List.of(carried.port2()));
        channel.port1().postMessage(new Brittle("fine"));

        List<String> seen = List.of(next(events), next(events), next(events));
        assertTrue(seen.indexOf("messageerror") < seen.indexOf("message:fine"), seen.toString());
        assertTrue(seen.contains("carried port's far side: close"), seen.toString());
        assertEquals("codec bug", assertInstanceOf(AssertionError.class, next(loops.errors)).getMessage());
    }

    /**
     * structuredClone with a transfer list whose codec throws an Error: the Error reaches the caller,
     * and the port that was transferred into the clone is closed, so its far side gets close.
     */
    @Test
    void structuredCloneWhoseCodecThrowsAnErrorClosesTheTransferredPorts() throws Exception {
        EventLoop other = loops.start("far-side");
        MessageChannel carried = new MessageChannel(other);
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        carried.port1().onclose(e -> events.add("close"));
        carried.port1().start();
        AssertionError e = assertThrows(AssertionError.class, () -> StructuredClone.structuredClone(
                List.of(new Brittle("bug"), carried.port2()),
                StructuredSerializeOptions.transfer(carried.port2())));
        assertEquals("codec bug", e.getMessage());
        assertEquals("close", next(events));
    }

    /**
     * A handler with runaway recursion: its StackOverflowError is reported to the loop's handler and the
     * loop dispatches the next message (it used to be rethrown as fatal, ending the loop).
     */
    @Test
    void aHandlerThatOverflowsItsStackIsReportedAndTheLoopGoesOn() throws Exception {
        EventLoop loop = loops.start("overflowing");
        MessageChannel channel = new MessageChannel(loop);
        LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
        channel.port2().onmessage(e -> {
            if ("recurse".equals(e.data())) {
                received.add(recurse(0));
            } else {
                received.add(e.data());
            }
        });
        channel.port1().postMessage("recurse");
        channel.port1().postMessage("after");
        assertEquals("after", next(received));
        assertInstanceOf(StackOverflowError.class, next(loops.errors));
        assertEquals("task", Loops.on(loop, () -> "task"));
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }

    /** A cloner that throws an Error: DataCloneError on the sender, with the Error as its cause. */
    @Test
    void aClonerThrowingAnErrorIsADataCloneErrorOnTheSender() throws Exception {
        EventLoop loop = loops.start("cloner-error");
        MessageChannel channel = new MessageChannel(loop);
        DOMException e = assertThrows(DOMException.class,
                () -> channel.port1().postMessage(List.of(new Unclonable())));
        assertEquals("DataCloneError", e.name());
        assertEquals("cloner bug", assertInstanceOf(AssertionError.class, e.getCause()).getMessage());
    }
}
