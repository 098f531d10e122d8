package dev.entangle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The immutable option types: defaults from the IDL dictionaries, copies, null checks, equality. */
class ValueTypesTest {

    /** DOM §2.2 dictionary EventInit: every member defaults to false. */
    @Test
    void eventInitDefaultsAndWithers() {
        EventInit init = EventInit.DEFAULT;
        assertFalse(init.bubbles());
        assertFalse(init.cancelable());
        assertFalse(init.composed());

        EventInit all = init.withBubbles(true).withCancelable(true).withComposed(true);
        assertTrue(all.bubbles());
        assertTrue(all.cancelable());
        assertTrue(all.composed());
        assertFalse(EventInit.DEFAULT.bubbles(), "DEFAULT is unchanged");

        assertEquals(init.withCancelable(true), EventInit.DEFAULT.withCancelable(true));
        assertEquals(init.withCancelable(true).hashCode(), EventInit.DEFAULT.withCancelable(true).hashCode());
        assertNotEquals(init.withBubbles(true), init.withCancelable(true));
        assertEquals("EventInit[bubbles=true, cancelable=false, composed=false]",
                init.withBubbles(true).toString());
    }

    /** DOM §2.7 dictionary AddEventListenerOptions: once and passive default to false. */
    @Test
    void addEventListenerOptionsDefaultsAndWithers() {
        assertFalse(AddEventListenerOptions.DEFAULT.once());
        assertFalse(AddEventListenerOptions.DEFAULT.passive());
        assertTrue(AddEventListenerOptions.ONCE.once());
        assertFalse(AddEventListenerOptions.ONCE.passive());

        AddEventListenerOptions both = AddEventListenerOptions.DEFAULT.withOnce(true).withPassive(true);
        assertTrue(both.once());
        assertTrue(both.passive());
        assertEquals(AddEventListenerOptions.ONCE, AddEventListenerOptions.DEFAULT.withOnce(true));
        assertEquals(AddEventListenerOptions.ONCE.hashCode(),
                AddEventListenerOptions.DEFAULT.withOnce(true).hashCode());
        assertNotEquals(AddEventListenerOptions.ONCE, both);
        assertEquals("AddEventListenerOptions[once=true, passive=true]", both.toString());
    }

    /** HTML §9.1 dictionary MessageEventInit: data null, origin "", lastEventId "", source null, []. */
    @Test
    void messageEventInitDefaults() {
        MessageEventInit init = MessageEventInit.DEFAULT;

        assertFalse(init.bubbles());
        assertFalse(init.cancelable());
        assertFalse(init.composed());
        assertNull(init.data());
        assertEquals("", init.origin());
        assertEquals("", init.lastEventId());
        assertNull(init.source());
        assertEquals(List.of(), init.ports());
    }

    @Test
    void messageEventInitWithValues() {
        MessageChannel channel = new MessageChannel();
        try {
            List<MessagePort> given = new ArrayList<>(List.of(channel.port1(), channel.port2()));
            MessageEventInit init = MessageEventInit.DEFAULT.withData("payload").withOrigin("o")
                    .withLastEventId("l").withSource(channel.port1()).withPorts(given).withBubbles(true)
                    .withCancelable(true).withComposed(true);
            given.clear();

            assertEquals("payload", init.data());
            assertEquals("o", init.origin());
            assertEquals("l", init.lastEventId());
            assertSame(channel.port1(), init.source());
            assertEquals(List.of(channel.port1(), channel.port2()), init.ports(), "ports were copied");
            assertThrows(UnsupportedOperationException.class, () -> init.ports().add(channel.port1()));
            assertTrue(init.bubbles());
            assertTrue(init.cancelable());
            assertTrue(init.composed());
            assertNull(MessageEventInit.DEFAULT.data(), "DEFAULT is unchanged");

            MessageEventInit same = MessageEventInit.DEFAULT.withBubbles(true).withCancelable(true)
                    .withComposed(true).withData("payload").withOrigin("o").withLastEventId("l")
                    .withSource(channel.port1()).withPorts(List.of(channel.port1(), channel.port2()));
            assertEquals(same, init);
            assertEquals(same.hashCode(), init.hashCode());
            assertNotEquals(same.withSource(channel.port2()), init);
        } finally {
            channel.port1().close();
            channel.port2().close();
        }
    }

    /** SPEC item 11: null strings, a null ports list and null elements are rejected by name. */
    @Test
    void messageEventInitRejectsNulls() {
        assertEquals("origin", assertThrows(NullPointerException.class,
                () -> MessageEventInit.DEFAULT.withOrigin(null)).getMessage());
        assertEquals("lastEventId", assertThrows(NullPointerException.class,
                () -> MessageEventInit.DEFAULT.withLastEventId(null)).getMessage());
        assertEquals("ports", assertThrows(NullPointerException.class,
                () -> MessageEventInit.DEFAULT.withPorts(null)).getMessage());
        MessageChannel channel = new MessageChannel();
        try {
            List<MessagePort> withNull = Arrays.asList(channel.port1(), null);
            assertEquals("ports[1] is null", assertThrows(NullPointerException.class,
                    () -> MessageEventInit.DEFAULT.withPorts(withNull)).getMessage());
        } finally {
            channel.port1().close();
            channel.port2().close();
        }
        // data and source may be null
        assertNull(MessageEventInit.DEFAULT.withData(null).withSource(null).data());
    }

    /** HTML StructuredSerializeOptions: transfer defaults to []. */
    @Test
    void structuredSerializeOptionsDefaultIsEmpty() {
        assertEquals(List.of(), StructuredSerializeOptions.DEFAULT.transfer());
        assertThrows(UnsupportedOperationException.class,
                () -> StructuredSerializeOptions.DEFAULT.transfer().add("x"));
    }

    /** The transfer list is copied, in order; entries are not validated here (postMessage does). */
    @Test
    void structuredSerializeOptionsCopiesTransferList() {
        Object a = new Object();
        Object b = "not transferable, rejected later by postMessage";
        List<Object> given = new ArrayList<>(List.of(a, b));

        StructuredSerializeOptions fromList = StructuredSerializeOptions.transfer(given);
        given.add("late");
        StructuredSerializeOptions fromArray = StructuredSerializeOptions.transfer(a, b);

        assertEquals(List.of(a, b), fromList.transfer());
        assertEquals(List.of(a, b), fromArray.transfer());
        assertSame(fromList.transfer(), fromList.transfer());
        assertThrows(UnsupportedOperationException.class, () -> fromList.transfer().add(a));
        assertEquals(fromList, fromArray);
        assertEquals(fromList.hashCode(), fromArray.hashCode());
        assertEquals(StructuredSerializeOptions.DEFAULT, StructuredSerializeOptions.transfer(List.of()));
    }

    /** SPEC item 11: a null list or null entry is rejected with the index named. */
    @Test
    void structuredSerializeOptionsRejectsNulls() {
        assertEquals("transfer", assertThrows(NullPointerException.class,
                () -> StructuredSerializeOptions.transfer((List<?>) null)).getMessage());
        assertEquals("transfer", assertThrows(NullPointerException.class,
                () -> StructuredSerializeOptions.transfer((Object[]) null)).getMessage());
        assertEquals("transfer[1] is null", assertThrows(NullPointerException.class,
                () -> StructuredSerializeOptions.transfer("a", null)).getMessage());
        assertEquals("transfer[0] is null", assertThrows(NullPointerException.class,
                () -> StructuredSerializeOptions.transfer(Arrays.asList((Object) null))).getMessage());
    }
}
