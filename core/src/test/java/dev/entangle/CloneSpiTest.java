package dev.entangle;

import static dev.entangle.Loops.next;
import static dev.entangle.StructuredClone.structuredClone;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The user SPI of {@link StructuredClone} (cloners, shareable types, Node-style marks) and the codec
 * SPI (a host's own value model, deserialized on the receiving loop). Each test registers types of
 * its own, so registrations do not leak into other tests' decisions.
 */
class CloneSpiTest {
    private final Loops loops = new Loops();

    @AfterEach
    void closeLoops() throws InterruptedException {
        loops.close();
    }

    /** A mutable class with a cloner. */
    static final class Account {
        String owner;
        List<String> history;
        List<String> audit;

        Account(String owner, List<String> history, List<String> audit) {
            this.owner = owner;
            this.history = history;
            this.audit = audit;
        }
    }

    /** An immutable class the library cannot know about. */
    static final class Money {
        final long cents;

        Money(long cents) {
            this.cents = cents;
        }
    }

    record Price(String item, Money money) { }

    interface Shape { }

    static final class Square implements Shape {
        final int side;

        Square(int side) {
            this.side = side;
        }
    }

    /** Stands for a foreign engine's value (think: a JavaScript object). */
    static final class ForeignValue {
        final String text;
        final Object hostValue;

        ForeignValue(String text, Object hostValue) {
            this.text = text;
            this.hostValue = hostValue;
        }
    }

    /** The received side of {@link ForeignValue}: what the codec rebuilt, and where. */
    static final class Rebuilt {
        final String text;
        final Object hostValue;
        final String thread;

        Rebuilt(String text, Object hostValue, String thread) {
            this.text = text;
            this.hostValue = hostValue;
            this.thread = thread;
        }
    }

    static final class Wire {
        final String text;
        final Object hostForm;

        Wire(String text, Object hostForm) {
            this.text = text;
            this.hostForm = hostForm;
        }
    }

    static final class Plain { }

    record Marked(String name) { }

    @Test
    void aRegisteredClonerMakesTheCopyAndNestedValuesKeepTheGraph() {
        StructuredClone.registerCloner(Account.class, (a, ctx) -> new Account(a.owner,
                ctx.clone(a.history, ".history"), ctx.clone(a.audit, ".audit")));
        List<String> shared = new ArrayList<>(List.of("opened"));
        Account account = new Account("ann", shared, shared);
        Account copy = structuredClone(account);
        assertNotSame(account, copy);
        assertEquals("ann", copy.owner);
        assertEquals(List.of("opened"), copy.history);
        assertNotSame(shared, copy.history);
        assertSame(copy.history, copy.audit, "nested clones share the message's graph");
    }

    @Test
    void aClonerThatThrowsIsADataCloneErrorWithItsCause() {
        IllegalStateException boom = new IllegalStateException("boom");
        StructuredClone.registerCloner(Plain.class, (p, ctx) -> {
            throw boom;
        });
        DOMException e = assertThrows(DOMException.class, () -> structuredClone(List.of(new Plain())));
        assertEquals("DataCloneError", e.name());
        assertEquals("data[0]: the cloner of " + Plain.class.getName()
                + " failed: java.lang.IllegalStateException: boom", e.getMessage());
        assertSame(boom, e.getCause());
    }

    @Test
    void shareableTypesAndRecordsOfThemPassByReference() {
        StructuredClone.registerShareable(Money.class);
        Money money = new Money(250);
        assertSame(money, structuredClone(money));
        Price price = new Price("tea", money);
        assertSame(price, structuredClone(price), "decided from the declared component types");
    }

    @Test
    void aRegistrationForAnInterfaceCoversItsImplementations() {
        StructuredClone.registerCloner(Shape.class, (s, ctx) -> new Square(((Square) s).side));
        Square square = new Square(3);
        Shape copy = structuredClone((Shape) square);
        assertNotSame(square, copy);
        assertEquals(3, ((Square) copy).side);
    }

    @Test
    void builtInTypesCannotBeRegistered() {
        assertThrows(IllegalArgumentException.class, () -> StructuredClone.registerShareable(String.class));
        assertThrows(IllegalArgumentException.class,
                () -> StructuredClone.registerCloner(ArrayBuffer.class, (b, ctx) -> b));
    }

    /** Node markAsUncloneable: the object anywhere in a message is a DataCloneError. */
    @Test
    void anObjectMarkedUncloneableIsADataCloneError() {
        Marked marked = new Marked("secret");
        Marked other = new Marked("public");
        StructuredClone.markAsUncloneable(marked);
        DOMException e = assertThrows(DOMException.class, () -> structuredClone(List.of(other, marked)));
        assertEquals("data[1]: " + Marked.class.getName() + " is marked as uncloneable", e.getMessage());
        assertSame(other, structuredClone(other), "only the marked instance");
        StructuredClone.markAsUncloneable("text"); // no effect on built-in values, as in Node
        assertEquals("text", structuredClone("text"));
        assertFalse(StructuredClone.isMarkedAsUntransferable(other));
    }

    /**
     * The codec SPI: serialize on the sender, deserialize on the receiving loop, with a nested
     * transferred port and a per-message state that keeps a foreign value reached twice as one.
     */
    @Test
    void aCodecRunsItsDeserializeStepOnTheReceivingLoop() throws Exception {
        StructuredClone.registerCodec(ForeignValue.class, new StructuredClone.Codec<>() {
            @Override
            public Object serialize(ForeignValue value, StructuredClone.SerializeContext ctx) {
                return new Wire(value.text, ctx.serialize(value.hostValue, ".hostValue"));
            }

            @Override
            public ForeignValue deserialize(Object form, StructuredClone.DeserializeContext ctx) {
                Wire wire = (Wire) form;
                Object host = ctx.deserialize(wire.hostForm);
                Map<Object, Object> seen = ctx.messageState();
                return (ForeignValue) seen.computeIfAbsent(wire.text, t -> new ForeignValue(wire.text,
                        new Rebuilt(wire.text, host, Thread.currentThread().getName())));
            }
        });
        EventLoop receiver = loops.start("codec-receiver");
        MessageChannel channel = new MessageChannel(receiver);
        MessageChannel carried = new MessageChannel(receiver);
        LinkedBlockingQueue<MessageEvent> received = new LinkedBlockingQueue<>();
        channel.port2().onmessage(received::add);

        ForeignValue value = new ForeignValue("js-object", carried.port1());
        channel.port1().postMessage(new ArrayList<>(List.of(value, value)), List.of(carried.port1()));

        MessageEvent event = next(received);
        List<?> data = (List<?>) event.data();
        assertSame(data.get(0), data.get(1), "one deserialize per form: shared stays shared");
        Rebuilt rebuilt = (Rebuilt) ((ForeignValue) data.get(0)).hostValue;
        assertEquals("codec-receiver", rebuilt.thread);
        assertSame(event.ports().get(0), rebuilt.hostValue, "the nested port is the new port object");
        assertTrue(carried.port1().toString().contains("detached"), carried.port1().toString());
    }

    /** A Cloner's value cannot hold something only the receiver can finish. */
    @Test
    void aClonerCannotCarryATransferredPort() {
        final class Job {
            final MessagePort reply;

            Job(MessagePort reply) {
                this.reply = reply;
            }
        }
        StructuredClone.registerCloner(Job.class, (j, ctx) -> new Job(ctx.clone(j.reply, ".reply")));
        MessageChannel channel = new MessageChannel(loops.start("cloner-port"));
        DOMException e = assertThrows(DOMException.class, () -> structuredClone(new Job(channel.port1()),
                StructuredSerializeOptions.transfer(channel.port1())));
        assertTrue(e.getMessage().startsWith("data.reply: dev.entangle.MessagePort cannot be finished"),
                e.getMessage());
        assertFalse(channel.port1().toString().contains("detached"), "nothing detached");
    }

    /** Node markAsUntransferable on a port, markAsUncloneable on a buffer. */
    @Test
    void marksApplyToPortsAndBuffers() {
        MessageChannel channel = new MessageChannel(loops.start("marks"));
        StructuredClone.markAsUntransferable(channel.port1());
        assertTrue(StructuredClone.isMarkedAsUntransferable(channel.port1()));
        DOMException port = assertThrows(DOMException.class, () -> structuredClone("m",
                StructuredSerializeOptions.transfer(channel.port1())));
        assertEquals("transfer[0]: dev.entangle.MessagePort is marked as untransferable", port.getMessage());
        assertFalse(channel.port1().toString().contains("detached"));

        ArrayBuffer buffer = new ArrayBuffer(1);
        StructuredClone.markAsUncloneable(buffer);
        DOMException copy = assertThrows(DOMException.class, () -> structuredClone(List.of(buffer)));
        assertEquals("data[0]: dev.entangle.ArrayBuffer is marked as uncloneable", copy.getMessage());
    }
}
