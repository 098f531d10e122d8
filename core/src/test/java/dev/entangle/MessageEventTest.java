package dev.entangle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link MessageEvent} (HTML §9.1): constructor defaults, FrozenArray ports, initMessageEvent. */
class MessageEventTest {
    private final List<MessageChannel> channels = new ArrayList<>();

    private MessageChannel channel() {
        MessageChannel channel = new MessageChannel();
        channels.add(channel);
        return channel;
    }

    @AfterEach
    void closePorts() {
        for (MessageChannel channel : channels) {
            channel.port1().close();
            channel.port2().close();
        }
    }

    /**
     * HTML §9.1 MessageEventInit defaults (data null, origin "", lastEventId "", source null, ports
     * []), as WPT html/webappapis/scripting/events/messageevent-constructor.https.html and
     * webmessaging/MessageEvent_properties.htm check for {@code new MessageEvent(type)}.
     */
    @Test
    void constructorDefaults() {
        MessageEvent event = new MessageEvent("message");

        assertEquals("message", event.type());
        assertNull(event.data());
        assertEquals("", event.origin());
        assertEquals("", event.lastEventId());
        assertNull(event.source());
        assertEquals(List.of(), event.ports());
        assertFalse(event.bubbles());
        assertFalse(event.cancelable());
        assertFalse(event.composed());
        assertFalse(event.isTrusted());
        assertNull(event.target());
        assertEquals("MessageEvent[type=message]", event.toString());
    }

    /** WPT messageevent-constructor.https.html: every MessageEventInit member is taken over. */
    @Test
    void constructorTakesMessageEventInit() {
        MessageChannel channel = channel();
        Object data = new Object();
        MessageEventInit init = MessageEventInit.DEFAULT.withBubbles(true).withCancelable(true)
                .withComposed(true).withData(data).withOrigin("https://example.org")
                .withLastEventId("7").withSource(channel.port1()).withPorts(List.of(channel.port2()));

        MessageEvent event = new MessageEvent("custom", init);

        assertEquals("custom", event.type());
        assertTrue(event.bubbles());
        assertTrue(event.cancelable());
        assertTrue(event.composed());
        assertSame(data, event.data());
        assertEquals("https://example.org", event.origin());
        assertEquals("7", event.lastEventId());
        assertSame(channel.port1(), event.source());
        assertEquals(List.of(channel.port2()), event.ports());
        assertFalse(event.isTrusted());
    }

    @Test
    void nullTypeOrInitIsRejected() {
        assertEquals("type", assertThrows(NullPointerException.class,
                () -> new MessageEvent(null)).getMessage());
        assertEquals("init", assertThrows(NullPointerException.class,
                () -> new MessageEvent("message", null)).getMessage());
    }

    /**
     * HTML §9.1: ports is a FrozenArray attribute, so it returns the same object on every read and
     * cannot be modified. WPT webmessaging/Channel_postMessage_ports_readonly_array.htm.
     */
    @Test
    void portsIsTheSameUnmodifiableListOnEveryRead() {
        MessageChannel channel = channel();
        List<MessagePort> given = new ArrayList<>(List.of(channel.port1()));
        MessageEvent event = new MessageEvent("message", MessageEventInit.DEFAULT.withPorts(given));
        given.add(channel.port2()); // the event holds a copy

        List<MessagePort> ports = event.ports();
        assertSame(ports, event.ports());
        assertEquals(List.of(channel.port1()), ports);
        assertThrows(UnsupportedOperationException.class, () -> ports.add(channel.port2()));
        assertThrows(UnsupportedOperationException.class, () -> ports.remove(0));
        assertEquals(1, event.ports().size());
    }

    /** The runtime constructor: trusted-message defaults, ports stored as given. */
    @Test
    void runtimeConstructorStoresPortsAsGiven() {
        MessageChannel channel = channel();
        List<MessagePort> ports = List.of(channel.port1(), channel.port2());

        MessageEvent event = new MessageEvent("message", "hello", ports);
        event.setTrusted(true);

        assertSame(ports, event.ports());
        assertEquals("hello", event.data());
        assertEquals("", event.origin());
        assertEquals("", event.lastEventId());
        assertNull(event.source());
        assertFalse(event.bubbles());
        assertFalse(event.cancelable());
        assertTrue(event.isTrusted());
    }

    /**
     * HTML §9.1 initMessageEvent ("analogous to initEvent"): sets every field and replaces the ports
     * list with a new frozen one. WPT webmessaging/MessageEvent_initMessageEvent_method.htm.
     */
    @Test
    void initMessageEventSetsAllFieldsAndReplacesPorts() {
        MessageChannel channel = channel();
        MessageEvent event = new MessageEvent("message",
                MessageEventInit.DEFAULT.withData("old").withPorts(List.of(channel.port1())));
        event.setTrusted(true);
        List<MessagePort> before = event.ports();
        List<MessagePort> given = new ArrayList<>(Arrays.asList(channel.port2(), channel.port1()));

        event.initMessageEvent("update", true, true, 99, "origin", "id-1", channel.port2(), given);
        given.clear(); // copied

        assertEquals("update", event.type());
        assertTrue(event.bubbles());
        assertTrue(event.cancelable());
        assertEquals(99, event.data());
        assertEquals("origin", event.origin());
        assertEquals("id-1", event.lastEventId());
        assertSame(channel.port2(), event.source());
        assertNotSame(before, event.ports());
        assertEquals(List.of(channel.port2(), channel.port1()), event.ports());
        assertSame(event.ports(), event.ports());
        assertFalse(event.isTrusted(), "initialize sets isTrusted false");
        assertThrows(UnsupportedOperationException.class, () -> event.ports().clear());
    }

    /** WPT dom/events/Event-init-while-dispatching.any.js (MessageEvent case): no-op during dispatch. */
    @Test
    void initMessageEventDuringDispatchIsIgnored() {
        EventTarget target = new EventTarget();
        MessageEvent event = new MessageEvent("message", MessageEventInit.DEFAULT.withData("kept"));
        List<MessagePort> ports = event.ports();
        List<Object> seen = new ArrayList<>();
        target.addEventListener("message", e -> {
            event.initMessageEvent("other", true, true, "changed", "o", "l", null, List.of());
            seen.add(event.type());
            seen.add(event.data());
            seen.add(event.origin());
            seen.add(event.bubbles());
            seen.add(event.ports());
        });

        target.dispatchEvent(event);

        assertEquals(List.of("message", "kept", "", false, ports), seen);
        assertSame(ports, seen.get(4));
    }

    /** SPEC item 11: null strings and a null ports list or element are rejected by name. */
    @Test
    void initMessageEventRejectsNulls() {
        MessageEvent event = new MessageEvent("message");
        List<MessagePort> withNull = Arrays.asList((MessagePort) null);

        List<MessagePort> none = List.of();
        assertEquals("type", assertThrows(NullPointerException.class,
                () -> event.initMessageEvent(null, false, false, null, "", "", null, none)).getMessage());
        assertEquals("origin", assertThrows(NullPointerException.class,
                () -> event.initMessageEvent("m", false, false, null, null, "", null, none)).getMessage());
        assertEquals("lastEventId", assertThrows(NullPointerException.class,
                () -> event.initMessageEvent("m", false, false, null, "", null, null, none)).getMessage());
        assertEquals("ports", assertThrows(NullPointerException.class,
                () -> event.initMessageEvent("m", false, false, null, "", "", null, null)).getMessage());
        assertEquals("ports[0] is null", assertThrows(NullPointerException.class,
                () -> event.initMessageEvent("m", false, false, null, "", "", null, withNull)).getMessage());
        assertEquals("message", event.type(), "a rejected call changes nothing");
    }
}
