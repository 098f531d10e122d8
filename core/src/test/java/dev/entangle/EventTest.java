package dev.entangle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The {@link Event} object itself (DOM §2.2): constructor, flags, initEvent. */
class EventTest {

    /** WPT dom/events/Event-constructors.any.js: defaults of new Event(type). */
    @Test
    void constructorDefaults() {
        Event event = new Event("ping");

        assertEquals("ping", event.type());
        assertNull(event.target());
        assertNull(event.currentTarget());
        assertEquals(Event.NONE, event.eventPhase());
        assertFalse(event.bubbles());
        assertFalse(event.cancelable());
        assertFalse(event.composed());
        assertFalse(event.isTrusted());
        assertFalse(event.defaultPrevented());
        assertFalse(event.isDispatching());
        assertEquals("Event[type=ping]", event.toString());
    }

    /** WPT dom/events/Event-constructors.any.js: EventInit members are copied. */
    @Test
    void constructorTakesEventInit() {
        Event event = new Event("ping",
                EventInit.DEFAULT.withBubbles(true).withCancelable(true).withComposed(true));

        assertTrue(event.bubbles());
        assertTrue(event.cancelable());
        assertTrue(event.composed());
    }

    /** WPT dom/events/Event-type-empty.any.js allows ""; null has no Java equivalent and is rejected. */
    @Test
    void nullTypeOrInitIsRejected() {
        assertEquals("type", assertThrows(NullPointerException.class, () -> new Event(null)).getMessage());
        assertEquals("init", assertThrows(NullPointerException.class,
                () -> new Event("ping", null)).getMessage());
        assertEquals("", new Event("").type());
    }

    /** WPT dom/events/Event-constants.any.js: the phase constants. */
    @Test
    void phaseConstantsMatchTheDom() {
        assertEquals(0, Event.NONE);
        assertEquals(1, Event.CAPTURING_PHASE);
        assertEquals(2, Event.AT_TARGET);
        assertEquals(3, Event.BUBBLING_PHASE);
    }

    /** HR-TIME: timeStamp is milliseconds since a shared origin, non-negative and non-decreasing. */
    @Test
    void timeStampIsMonotonicMilliseconds() {
        double before = new Event("a").timeStamp();
        long start = System.nanoTime();
        while (System.nanoTime() - start < 2_000_000L) {
            Thread.onSpinWait(); // let at least 2 ms pass on the same clock
        }
        double after = new Event("b").timeStamp();

        assertTrue(before >= 0, "timeStamp " + before);
        assertTrue(after - before >= 2.0, "elapsed " + (after - before) + " ms");
        assertTrue(after - before < 60_000.0, "elapsed " + (after - before) + " ms");
    }

    /** DOM §2.2 preventDefault(): sets the canceled flag only when cancelable. */
    @Test
    void preventDefaultOnlyCancelsCancelableEvents() {
        Event plain = new Event("ping");
        plain.preventDefault();
        assertFalse(plain.defaultPrevented());

        Event cancelable = new Event("ping", EventInit.DEFAULT.withCancelable(true));
        cancelable.preventDefault();
        assertTrue(cancelable.defaultPrevented());
    }

    /** WPT dom/events/Event-defaultPrevented-after-dispatch.any.js: stays true after dispatch. */
    @Test
    void defaultPreventedSurvivesDispatch() {
        EventTarget target = new EventTarget();
        target.addEventListener("ping", Event::preventDefault);
        Event event = new Event("ping", EventInit.DEFAULT.withCancelable(true));

        assertFalse(target.dispatchEvent(event));
        assertTrue(event.defaultPrevented());
    }

    /**
     * WPT dom/events/Event-initEvent.any.js; DOM "initialize": initEvent sets type, bubbles,
     * cancelable, clears canceled and stop flags, isTrusted false, target null.
     */
    @Test
    void initEventReinitializesAfterDispatch() {
        EventTarget target = new EventTarget();
        List<String> calls = new ArrayList<>();
        target.addEventListener("ping", Event::preventDefault);
        target.addEventListener("pong", event -> calls.add(event.type()));
        Event event = new Event("ping", EventInit.DEFAULT.withCancelable(true).withComposed(true));
        target.dispatchEvent(event);
        event.setTrusted(true);
        event.stopImmediatePropagation();
        assertTrue(event.defaultPrevented());
        assertSame(target, event.target());

        event.initEvent("pong", true, false);

        assertEquals("pong", event.type());
        assertTrue(event.bubbles());
        assertFalse(event.cancelable());
        assertTrue(event.composed(), "initEvent keeps composed");
        assertFalse(event.defaultPrevented());
        assertFalse(event.isTrusted());
        assertNull(event.target());
        // stop flags were cleared: the re-initialized event reaches its listener
        assertTrue(target.dispatchEvent(event));
        assertEquals(List.of("pong"), calls);
    }

    /** WPT dom/events/Event-init-while-dispatching.any.js: initEvent during dispatch does nothing. */
    @Test
    void initEventWhileDispatchingIsIgnored() {
        EventTarget target = new EventTarget();
        List<Object> seen = new ArrayList<>();
        target.addEventListener("ping", event -> {
            event.initEvent("other", true, true);
            seen.add(event.type());
            seen.add(event.bubbles());
            seen.add(event.cancelable());
            seen.add(event.target());
        });

        Event event = new Event("ping");
        target.dispatchEvent(event);

        assertEquals(List.of("ping", false, false, target), seen);
        assertEquals("ping", event.type());
    }

    /** DOM: isDispatching is the dispatch flag, set only while listeners run. */
    @Test
    void dispatchFlagIsSetOnlyDuringDispatch() {
        EventTarget target = new EventTarget();
        List<Boolean> during = new ArrayList<>();
        target.addEventListener("ping", event -> during.add(event.isDispatching()));
        Event event = new Event("ping");

        target.dispatchEvent(event);

        assertEquals(List.of(true), during);
        assertFalse(event.isDispatching());
        assertTrue(event.isInitialized());
    }
}
