package dev.entangle.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import dev.entangle.ArrayBuffer;

/** The wire form of structured clone ({@link WireFormat}): every kind of the core's value table, the graph, bad input. */
class WireFormatTest {
    enum Colour { RED, GREEN }

    record Point(int x, int y) {
    }

    record Named(String name, List<Object> items) {
    }

    private static Object roundTrip(Object value) {
        ExpandableArrayBuffer out = new ExpandableArrayBuffer(64);
        int length = WireFormat.encode(value, List.of(), out, 0);
        return WireFormat.decode(out, 0, length, List.of(), WireFormatTest.class.getClassLoader());
    }

    private static byte[] encoded(Object value) {
        ExpandableArrayBuffer out = new ExpandableArrayBuffer(64);
        int length = WireFormat.encode(value, List.of(), out, 0);
        byte[] bytes = new byte[length];
        out.getBytes(0, bytes);
        return bytes;
    }

    private static Object decode(byte[] bytes) {
        return WireFormat.decode(new UnsafeBuffer(bytes), 0, bytes.length, List.of(), WireFormatTest.class.getClassLoader());
    }

    @Test
    void scalarsAndImmutableValuesComeBackEqual() {
        List<Object> values = List.of(true, false, (byte) -7, (short) 300, 'x', 42, -5L, 1.5f, Math.PI, "héllo ☃",
                new BigInteger("-123456789012345678901234567890"), new BigDecimal("3.14159000"),
                UUID.randomUUID(), Colour.GREEN, TimeUnit.SECONDS,
                Instant.parse("2026-12-01T10:00:00.123456789Z"), LocalDate.of(2026, 12, 1), LocalTime.of(10, 5, 7),
                LocalDateTime.of(2026, 12, 1, 10, 5), OffsetDateTime.of(2026, 1, 2, 3, 4, 5, 6, ZoneOffset.ofHours(2)),
                OffsetTime.of(3, 4, 5, 0, ZoneOffset.UTC), ZonedDateTime.of(2026, 6, 1, 12, 0, 0, 0, ZoneId.of("Europe/Paris")),
                Duration.ofMillis(1234), Period.of(1, 2, 3), Year.of(2026), YearMonth.of(2026, 2), MonthDay.of(2, 29),
                ZoneId.of("Asia/Tokyo"), ZoneOffset.ofHours(-3), OptionalInt.of(3), OptionalInt.empty(),
                OptionalLong.of(4L), OptionalDouble.of(0.5), OptionalDouble.empty(), Optional.of("x"), Optional.empty(),
                new Point(1, 2));
        for (Object v : values) {
            assertEquals(v, roundTrip(v), () -> "for " + v.getClass());
            assertEquals(v.getClass(), roundTrip(v).getClass(), () -> "class of " + v);
        }
        assertEquals(null, roundTrip(null));
        assertEquals(Double.NaN, roundTrip(Double.NaN));
        assertEquals(-0.0, (double) roundTrip(-0.0), 0.0);
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits((double) roundTrip(-0.0)));
    }

    @Test
    void decodeScalarTakesOnlyWellFormedScalarsAndLeavesTheRestToTheReceivingLoop() {
        for (Object v : Arrays.asList(null, true, (byte) 1, (short) 2, 'c', 3, 4L, 5.0f, 6.0, "seven")) {
            byte[] bytes = encoded(v);
            assertEquals(v, WireFormat.decodeScalar(new UnsafeBuffer(bytes), 0, bytes.length), () -> "for " + v);
        }
        byte[] list = encoded(List.of(1));
        assertSame(WireFormat.NOT_SCALAR, WireFormat.decodeScalar(new UnsafeBuffer(list), 0, list.length));
        byte[] big = encoded(BigInteger.TEN); // immutable, but not a scalar of the fast path
        assertSame(WireFormat.NOT_SCALAR, WireFormat.decodeScalar(new UnsafeBuffer(big), 0, big.length));
        byte[] truncated = Arrays.copyOf(encoded(42), 4); // version, tag, 2 of the int's 4 bytes
        assertSame(WireFormat.NOT_SCALAR, WireFormat.decodeScalar(new UnsafeBuffer(truncated), 0, truncated.length));
        byte[] trailing = Arrays.copyOf(encoded(42), 7); // a byte after the value
        assertSame(WireFormat.NOT_SCALAR, WireFormat.decodeScalar(new UnsafeBuffer(trailing), 0, trailing.length));
        for (Object v : Arrays.asList(null, false, 3, 4L, 6.0)) { // the fixed-width ones, read without a reader
            byte[] bytes = encoded(v);
            byte[] shorter = Arrays.copyOf(bytes, bytes.length - 1);
            byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
            assertSame(WireFormat.NOT_SCALAR, WireFormat.decodeScalar(new UnsafeBuffer(shorter), 0, shorter.length),
                    () -> "truncated " + v);
            assertSame(WireFormat.NOT_SCALAR, WireFormat.decodeScalar(new UnsafeBuffer(longer), 0, longer.length),
                    () -> "trailing byte after " + v);
        }
        byte[] otherVersion = encoded(42);
        otherVersion[0] = 7;
        assertSame(WireFormat.NOT_SCALAR, WireFormat.decodeScalar(new UnsafeBuffer(otherVersion), 0, otherVersion.length));
    }

    @Test
    void collectionsKeepTheirClassAndOrder() {
        List<Object> values = new ArrayList<>(List.of(new ArrayList<>(List.of(3, 1, 2)),
                new LinkedList<>(List.of("a", "b")), new HashSet<>(Set.of(1, 2, 3)),
                new LinkedHashSet<>(List.of("z", "a", "m")), new TreeSet<>(List.of(5, 1, 3)),
                EnumSet.of(Colour.RED), EnumSet.noneOf(Colour.class),
                new HashMap<>(Map.of("k", 1)), new LinkedHashMap<>(Map.of("k", 2)), new TreeMap<>(Map.of("b", 1, "a", 2)),
                new EnumMap<>(Map.of(Colour.GREEN, "g")), new ConcurrentHashMap<>(Map.of(1, 2))));
        for (Object v : values) {
            Object back = roundTrip(v);
            assertEquals(v, back);
            assertSame(v.getClass(), back.getClass(), () -> "class of " + v);
            assertEquals(new ArrayList<>(v instanceof Map ? ((Map<?, ?>) v).keySet() : (java.util.Collection<?>) v),
                    new ArrayList<>(back instanceof Map ? ((Map<?, ?>) back).keySet() : (java.util.Collection<?>) back),
                    "iteration order");
        }
    }

    @Test
    void unmodifiableCollectionsStayUnmodifiableAndOtherListsBecomeArrayLists() {
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) roundTrip(List.of(1, 2));
        assertEquals(List.of(1, 2), list);
        assertThrows(UnsupportedOperationException.class, () -> list.add(3));
        @SuppressWarnings("unchecked")
        Set<Object> sorted = (Set<Object>) roundTrip(Collections.unmodifiableSortedSet(new TreeSet<>(List.of(2, 1))));
        assertTrue(sorted instanceof java.util.SortedSet);
        assertEquals(List.of(1, 2), new ArrayList<>(sorted));
        assertThrows(UnsupportedOperationException.class, () -> sorted.add(3));
        @SuppressWarnings("unchecked")
        Map<Object, Object> map = (Map<Object, Object>) roundTrip(Map.of("a", 1));
        assertThrows(UnsupportedOperationException.class, () -> map.put("b", 2));
        Object asList = roundTrip(Arrays.asList(1, 2));
        assertSame(ArrayList.class, asList.getClass());
        assertEquals(List.of(1, 2), asList);
    }

    @Test
    void arraysAndBuffersAreCopied() {
        int[] ints = {1, 2, 3};
        assertArrayEquals(ints, (int[]) roundTrip(ints));
        assertArrayEquals(new boolean[] {true, false}, (boolean[]) roundTrip(new boolean[] {true, false}));
        assertArrayEquals(new char[] {'a', 'ü'}, (char[]) roundTrip(new char[] {'a', 'ü'}));
        assertArrayEquals(new double[] {1.5, -2}, (double[]) roundTrip(new double[] {1.5, -2}), 0.0);
        String[][] nested = {{"a"}, {"b", null}};
        String[][] back = (String[][]) roundTrip(nested);
        assertEquals(String[][].class, back.getClass());
        assertArrayEquals(nested[1], back[1]);
        ArrayBuffer buffer = ArrayBuffer.wrap(new byte[] {9, 8, 7});
        ArrayBuffer copy = (ArrayBuffer) roundTrip(buffer);
        assertEquals(3, copy.byteLength());
        assertEquals(7, copy.get(2));
    }

    @Test
    void sharedReferencesAndCyclesSurvive() {
        List<Object> shared = new ArrayList<>(List.of("s"));
        List<Object> outer = new ArrayList<>();
        outer.add(shared);
        outer.add(shared);
        outer.add(outer);
        Named record = new Named("r", shared);
        outer.add(record);
        outer.add(record);
        @SuppressWarnings("unchecked")
        List<Object> back = (List<Object>) roundTrip(outer);
        assertSame(back.get(0), back.get(1));
        assertSame(back, back.get(2));
        assertSame(back.get(3), back.get(4));
        assertSame(back.get(0), ((Named) back.get(3)).items());
    }

    @Test
    void whatHasNoWireFormIsRefusedWithItsPath() {
        WireFormat.NotEncodable e = assertThrows(WireFormat.NotEncodable.class,
                () -> roundTrip(List.of(1, Map.of("k", new Object()))));
        assertTrue(e.getMessage().startsWith("data[1]"), e.getMessage());
        assertTrue(e.getMessage().contains("java.lang.Object has no wire form"), e.getMessage());
        assertThrows(WireFormat.NotEncodable.class,
                () -> roundTrip(new TreeSet<>(Collections.reverseOrder())), "a comparator cannot cross");
        assertThrows(WireFormat.NotEncodable.class, () -> roundTrip(new EnumMap<>(Colour.class)));
    }

    /** A user type with no wire form of its own (a plain final class, not a record). */
    static final class Money {
        final String currency;
        final long cents;

        Money(String currency, long cents) {
            this.currency = currency;
            this.cents = cents;
        }
    }

    static final class Unregistered {
    }

    @Test
    void aRegisteredWireFormCarriesAUserTypeAndAnUnknownNameIsRefused() {
        RemoteNode.registerWireForm(Money.class, "test.Money", m -> List.of(m.currency, m.cents),
                form -> new Money((String) ((List<?>) form).get(0), (Long) ((List<?>) form).get(1)));
        Money back = (Money) ((List<?>) roundTrip(List.of(new Money("EUR", 1234)))).get(0);
        assertEquals("EUR", back.currency);
        assertEquals(1234, back.cents);

        RemoteNode.registerWireForm(Unregistered.class, "test.Unregistered", u -> "u", form -> new Unregistered());
        byte[] bytes = encoded(new Unregistered());
        String renamed = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1)
                .replace("test.Unregistered", "test.Unknown_name");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> decode(renamed.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
        assertTrue(e.getMessage().contains("no wire form registered here for test.Unknown_name"), e.getMessage());

        RemoteNode.registerWireForm(Unregistered.class, "test.Unregistered", u -> "u", form -> {
            throw new IllegalStateException("refused");
        });
        assertThrows(IllegalArgumentException.class, () -> roundTrip(new Unregistered()));
        RemoteNode.registerWireForm(Unregistered.class, "test.Unregistered", u -> {
            throw new IllegalStateException("cannot");
        }, form -> new Unregistered());
        WireFormat.NotEncodable n = assertThrows(WireFormat.NotEncodable.class, () -> roundTrip(new Unregistered()));
        assertTrue(n.getMessage().contains("test.Unregistered"), n.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RemoteNode.registerWireForm(Money.class, "", m -> m, f -> null));
    }

    @Test
    void malformedBytesAreIllegalArgumentsNeverCrashes() {
        byte[] good = encoded(List.of("abc", 1, new Point(3, 4)));
        assertEquals(List.of("abc", 1, new Point(3, 4)), decode(good));
        for (int cut = 0; cut < good.length; cut++) { // every truncation
            byte[] truncated = Arrays.copyOf(good, cut);
            assertThrows(IllegalArgumentException.class, () -> decode(truncated), "cut at " + cut);
        }
        byte[] version = good.clone();
        version[0] = 99;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> decode(version));
        assertTrue(e.getMessage().contains("version 99"), e.getMessage());
        byte[] tag = good.clone();
        tag[1] = 120;
        assertThrows(IllegalArgumentException.class, () -> decode(tag));
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertThrows(IllegalArgumentException.class, () -> decode(trailing));
        byte[] hugeLength = {WireFormat.VERSION, WireFormat.STRING, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f};
        assertThrows(IllegalArgumentException.class, () -> decode(hugeLength));
        byte[] unknownClass = encoded(Colour.RED);
        String text = new String(unknownClass, java.nio.charset.StandardCharsets.ISO_8859_1)
                .replace("Colour", "Colonr");
        assertThrows(IllegalArgumentException.class,
                () -> decode(text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
    }
}
