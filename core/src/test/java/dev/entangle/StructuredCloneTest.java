package dev.entangle;

import static dev.entangle.Loops.next;
import static dev.entangle.StructuredClone.structuredClone;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The clone rules of {@link StructuredClone} (HTML §2.7.3 StructuredSerializeInternal, made for Java
 * values): what passes by reference, what is copied and how, graph preservation and cycles (the
 * "memory" map of the standard; WPT html/webappapis/structured-clone "structured-clone-battery-of-tests"
 * cases for shared references and cycles), and the DataCloneError paths.
 */
class StructuredCloneTest {
    private final Loops loops = new Loops();

    @AfterEach
    void closeLoops() throws InterruptedException {
        loops.close();
    }

    enum Color { RED, GREEN }

    record Point(int x, int y, String label, Color color) { }

    record Segment(Point from, Point to) { }

    record Node(int value, Node next) { }

    record Order(String id, List<String> items) { }

    record Box(Object value) { }

    record Member(String name, Object owner) { }

    record Team(List<Member> items) { }

    record Holder(List<Object> items) { }

    record Request(String query, MessagePort reply) { }

    /** A List of our own: not a JDK class, so it needs a registration. */
    static final class MyList extends ArrayList<String> {
        private static final long serialVersionUID = 1L;
    }

    private static DOMException assertDataCloneError(Object value) {
        DOMException e = assertThrows(DOMException.class, () -> structuredClone(value));
        assertEquals("DataCloneError", e.name());
        return e;
    }

    @Test
    void immutableValuesPassByReference() {
        Object[] values = {"text", 42, 7L, 'c', true, 1.5d, 2.5f, (short) 3, (byte) 4,
            new BigInteger("123456789012345678901234567890"), new BigDecimal("1.50"), Color.GREEN,
            UUID.randomUUID(), Instant.now(), LocalDate.of(2024, 2, 29), Duration.ofSeconds(3),
            ZoneId.of("Europe/Paris"), ZonedDateTime.now(ZoneId.of("Asia/Tokyo")), OptionalInt.of(3)};
        for (Object v : values) {
            assertSame(v, structuredClone(v), v.getClass().getName());
        }
    }

    @Test
    void recordsOfImmutablesPassByReference() {
        Point p = new Point(1, 2, "a", Color.RED);
        assertSame(p, structuredClone(p));
        Segment s = new Segment(p, new Point(3, 4, "b", Color.GREEN));
        assertSame(s, structuredClone(s));
        Node list = new Node(1, new Node(2, new Node(3, null)));
        assertSame(list, structuredClone(list), "a record type that refers to itself is immutable");
    }

    @Test
    void recordWithMutableComponentIsRebuiltWithACopy() {
        Order order = new Order("o-1", new ArrayList<>(List.of("tea", "milk")));
        Order copy = structuredClone(order);
        assertNotSame(order, copy);
        assertEquals(order, copy);
        assertNotSame(order.items(), copy.items());
        assertEquals(ArrayList.class, copy.items().getClass());
    }

    @Test
    void recordWithObjectComponentIsSharedWhenItsValueIsImmutable() {
        Box immutable = new Box("only a string");
        assertSame(immutable, structuredClone(immutable));
        Box mutable = new Box(new ArrayList<>(List.of(1)));
        Box copy = structuredClone(mutable);
        assertNotSame(mutable, copy);
        assertNotSame(mutable.value(), copy.value());
        assertEquals(mutable, copy);
    }

    @Test
    void arraysAreCopiedKeepingTheirClass() {
        int[] ints = {1, 2, 3};
        int[] intsCopy = structuredClone(ints);
        assertNotSame(ints, intsCopy);
        assertArrayEquals(ints, intsCopy);

        String[] strings = {"a", "b"};
        String[] stringsCopy = structuredClone(strings);
        assertNotSame(strings, stringsCopy);
        assertArrayEquals(strings, stringsCopy);
        assertSame(strings[0], stringsCopy[0]);

        int[][] grid = {{1}, {2, 3}};
        int[][] gridCopy = structuredClone(grid);
        assertNotSame(grid[1], gridCopy[1]);
        assertArrayEquals(grid[1], gridCopy[1]);
        assertEquals(int[][].class, gridCopy.getClass());
    }

    @Test
    void collectionsAreCopiedWithTheirClassAndOrder() {
        List<Object> originals = List.of(new ArrayList<>(List.of(3, 1, 2)),
                new LinkedList<>(List.of(3, 1, 2)), new HashSet<>(Set.of(1, 2, 3)),
                new LinkedHashSet<>(List.of(3, 1, 2)), new HashMap<>(Map.of("a", 1, "b", 2)),
                new LinkedHashMap<>(Map.of("z", 1)), EnumSet.of(Color.GREEN),
                new EnumMap<>(Map.of(Color.RED, new ArrayList<>(List.of(1)))),
                new ConcurrentHashMap<>(Map.of("k", "v")));
        for (Object original : originals) {
            Object copy = structuredClone(original);
            assertNotSame(original, copy);
            assertEquals(original.getClass(), copy.getClass());
            assertEquals(original, copy);
            assertEquals(List.copyOf(iterationOrder(original)), List.copyOf(iterationOrder(copy)));
        }
    }

    private static java.util.Collection<?> iterationOrder(Object collection) {
        return collection instanceof Map ? ((Map<?, ?>) collection).entrySet()
                : (java.util.Collection<?>) collection;
    }

    @Test
    void sortedCollectionsKeepTheirComparator() {
        Comparator<String> byLength = Comparator.comparing(String::length);
        TreeSet<String> set = new TreeSet<>(byLength.reversed());
        set.addAll(List.of("a", "ccc", "bb"));
        TreeSet<String> setCopy = structuredClone(set);
        assertNotSame(set, setCopy);
        assertSame(set.comparator(), setCopy.comparator());
        assertEquals(List.of("ccc", "bb", "a"), new ArrayList<>(setCopy));

        TreeMap<String, List<Integer>> map = new TreeMap<>(Comparator.reverseOrder());
        map.put("a", new ArrayList<>(List.of(1)));
        map.put("b", new ArrayList<>(List.of(2)));
        TreeMap<String, List<Integer>> mapCopy = structuredClone(map);
        assertSame(map.comparator(), mapCopy.comparator());
        assertEquals(List.of("b", "a"), new ArrayList<>(mapCopy.keySet()));
        assertNotSame(map.get("a"), mapCopy.get("a"));
    }

    @Test
    void unmodifiableCollectionsStayUnmodifiableAndViewsBecomePlainCopies() {
        List<Object> listOf = List.of(new ArrayList<>(List.of(1)), "x");
        List<Object> copy = structuredClone(listOf);
        assertEquals(listOf, copy);
        assertNotSame(listOf.get(0), copy.get(0));
        assertThrows(UnsupportedOperationException.class, () -> copy.add("y"));

        Map<String, Integer> unmodifiable = Collections.unmodifiableMap(new LinkedHashMap<>(Map.of("k", 1)));
        Map<String, Integer> mapCopy = structuredClone(unmodifiable);
        assertEquals(unmodifiable, mapCopy);
        assertThrows(UnsupportedOperationException.class, () -> mapCopy.put("j", 2));

        List<String> asList = Arrays.asList("a", "b");
        List<String> asListCopy = structuredClone(asList);
        assertEquals(ArrayList.class, asListCopy.getClass());
        assertEquals(asList, asListCopy);
    }

    /**
     * Every JDK factory of unmodifiable collections (matched by exact class, not by name), each holding
     * a mutable element so that it is copied rather than shared: the copy is unmodifiable too. Views
     * and wrappers that are not unmodifiable arrive as plain mutable copies.
     */
    @Test
    void everyJdkUnmodifiableFactoryGivesAnUnmodifiableCopy() {
        Object element = new ArrayList<>(List.of(1));
        List<Collection<Object>> unmodifiable = List.of(
                List.of(element), List.of(element, 2, 3), List.of(element, 2, 3).subList(0, 2),
                Collections.unmodifiableList(new ArrayList<>(List.of(element))),
                Collections.unmodifiableList(new LinkedList<>(List.of(element))),
                Collections.singletonList(element),
                Set.of(element), Set.of(element, 2, 3),
                Collections.unmodifiableSet(new HashSet<>(Set.of(element))),
                Collections.singleton(element));
        for (Collection<Object> original : unmodifiable) {
            Collection<Object> copy = structuredClone(original);
            assertEquals(original, copy, original.getClass().getName());
            assertThrows(UnsupportedOperationException.class, () -> copy.add("y"),
                    original.getClass().getName());
        }
        List<Map<Object, Object>> unmodifiableMaps = List.of(Map.of("k", element),
                Map.of("a", element, "b", 2, "c", 3), Collections.singletonMap("k", element),
                Collections.unmodifiableMap(new HashMap<>(Map.of("k", element))),
                Collections.unmodifiableSortedMap(new TreeMap<>(Map.of("k", element))));
        for (Map<Object, Object> original : unmodifiableMaps) {
            Map<Object, Object> copy = structuredClone(original);
            assertEquals(original, copy, original.getClass().getName());
            assertThrows(UnsupportedOperationException.class, () -> copy.put("y", 1),
                    original.getClass().getName());
        }
        List<Collection<Object>> mutableViews = List.of(Arrays.asList(element, 2),
                new ArrayList<>(List.of(element, 2, 3)).subList(0, 2),
                Collections.synchronizedList(new ArrayList<>(List.of(element))),
                new HashMap<>(Map.of(element, 1)).keySet());
        for (Collection<Object> original : mutableViews) {
            Collection<Object> copy = structuredClone(original);
            assertEquals(new ArrayList<>(original), new ArrayList<>(copy), original.getClass().getName());
            assertTrue(copy.add("y"), original.getClass().getName());
        }
    }

    @Test
    void optionalIsSharedOrRebuilt() {
        Optional<String> text = Optional.of("x");
        assertSame(text, structuredClone(text));
        assertSame(Optional.empty(), structuredClone(Optional.empty()));
        Optional<List<Integer>> list = Optional.of(new ArrayList<>(List.of(1)));
        Optional<List<Integer>> copy = structuredClone(list);
        assertEquals(list, copy);
        assertNotSame(list.get(), copy.get());
    }

    /** WPT structured-clone battery: "Object with the same object twice" arrives as one object twice. */
    @Test
    void theSameListTwiceArrivesAsOneListTwice() {
        List<Integer> shared = new ArrayList<>(List.of(1, 2));
        List<Object> message = new ArrayList<>(List.of(shared, shared, new Holder(new ArrayList<>(List.of(shared)))));
        List<Object> copy = structuredClone(message);
        assertNotSame(shared, copy.get(0));
        assertSame(copy.get(0), copy.get(1));
        assertSame(copy.get(0), ((Holder) copy.get(2)).items().get(0));
    }

    /** WPT structured-clone battery: cyclic objects survive. */
    @Test
    void cyclesSurvive() {
        List<Object> list = new ArrayList<>();
        list.add("head");
        list.add(list);
        List<Object> listCopy = structuredClone(list);
        assertNotSame(list, listCopy);
        assertSame(listCopy, listCopy.get(1));

        Map<String, Object> map = new HashMap<>();
        map.put("self", map);
        Map<String, Object> mapCopy = structuredClone(map);
        assertSame(mapCopy, mapCopy.get("self"));

        Object[] array = new Object[1];
        array[0] = array;
        Object[] arrayCopy = structuredClone(array);
        assertSame(arrayCopy, arrayCopy[0]);

        Holder holder = new Holder(new ArrayList<>());
        holder.items().add(holder.items());
        Holder holderCopy = structuredClone(holder);
        assertSame(holderCopy.items(), holderCopy.items().get(0));
    }

    @Test
    void aCycleThroughARecordIsADataCloneError() {
        Holder holder = new Holder(new ArrayList<>());
        holder.items().add(holder);
        DOMException e = assertDataCloneError(holder);
        assertEquals("data.items[0]: a cycle through record " + Holder.class.getName()
                + " cannot be cloned", e.getMessage());
    }

    /** HTML §9.4.4: the message is serialized inside postMessage, so later mutation cannot reach it. */
    @Test
    void mutationAfterPostDoesNotReachTheReceiver() throws Exception {
        EventLoop loop = loops.start("mutation");
        MessageChannel channel = new MessageChannel(loop);
        LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
        List<String> items = new ArrayList<>(List.of("tea"));
        Order order = new Order("o-1", items);
        int[] counts = {1, 2};

        channel.port1().postMessage(order);
        channel.port1().postMessage(counts);
        items.add("sugar");
        counts[0] = 99;
        channel.port2().onmessage(e -> received.add(e.data()));

        Order got = (Order) next(received);
        assertEquals(List.of("tea"), got.items());
        assertNotSame(items, got.items());
        assertArrayEquals(new int[] {1, 2}, (int[]) next(received));
    }

    @Test
    void sharedReferencesArePreservedThroughAPort() throws Exception {
        EventLoop loop = loops.start("graph");
        MessageChannel channel = new MessageChannel(loop);
        LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
        channel.port2().onmessage(e -> received.add(e.data()));
        List<Integer> shared = new ArrayList<>(List.of(1));
        channel.port1().postMessage(List.of(shared, shared));
        @SuppressWarnings("unchecked")
        List<Object> got = (List<Object>) next(received);
        assertSame(got.get(0), got.get(1));
        assertNotSame(shared, got.get(0));
    }

    @Test
    void dataCloneErrorNamesTheClassAndItsPath() {
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            members.add(new Member("m" + i, "nobody"));
        }
        members.add(new Member("m3", new Thread(() -> { })));
        DOMException e = assertDataCloneError(new Team(members));
        assertEquals("data.items[3].owner: java.lang.Thread is not cloneable", e.getMessage());
        assertEquals(25, e.code());
    }

    @Test
    void dataCloneErrorPathsForMapsSetsOptionalsAndArrays() {
        assertEquals("data[\"bob\"]: java.lang.Object is not cloneable",
                assertDataCloneError(new HashMap<>(Map.of("bob", new Object()))).getMessage());
        assertEquals("data[7]: java.lang.Object is not cloneable",
                assertDataCloneError(new HashMap<>(Map.of(7, new Object()))).getMessage());
        assertEquals("data[key #0]: java.lang.Object is not cloneable",
                assertDataCloneError(new HashMap<>(Map.of(new Object(), 1))).getMessage());
        assertEquals("data[#0]: java.lang.Object is not cloneable",
                assertDataCloneError(new HashSet<>(Set.of(new Object()))).getMessage());
        assertEquals("data.get(): java.lang.Object is not cloneable",
                assertDataCloneError(Optional.of(new Object())).getMessage());
        assertEquals("data[1][0]: java.lang.Object is not cloneable",
                assertDataCloneError(new Object[][] {{}, {new Object()}}).getMessage());
    }

    @Test
    void userCollectionsAndUnlistedPublicJdkCollectionsAreNotCloneable() {
        assertEquals("data: " + MyList.class.getName() + " is not cloneable",
                assertDataCloneError(new MyList()).getMessage());
        assertEquals("data: java.util.IdentityHashMap is not cloneable",
                assertDataCloneError(new IdentityHashMap<>()).getMessage());
    }

    @Test
    void aPortInTheDataButNotInTheTransferListIsADataCloneError() {
        MessageChannel channel = new MessageChannel(loops.start("port-in-data"));
        assertEquals("data.value: a MessagePort can only be sent in the transfer list",
                assertDataCloneError(new Box(channel.port1())).getMessage());
    }

    @Test
    void aDeepGraphIsADataCloneErrorNotAStackOverflow() {
        List<Object> deep = new ArrayList<>();
        List<Object> tail = deep;
        for (int i = 0; i < 200_000; i++) {
            List<Object> next = new ArrayList<>();
            tail.add(next);
            tail = next;
        }
        DOMException e = assertDataCloneError(deep);
        assertTrue(e.getMessage().contains("too deep"), e.getMessage());
    }

    @Test
    void structuredCloneTransfersAPortToTheCallingThread() throws Exception {
        EventLoop loop = loops.start("clone-port");
        MessageChannel channel = new MessageChannel(loop);
        MessagePort moved = Loops.on(loop, () -> structuredClone(channel.port1(),
                StructuredSerializeOptions.transfer(channel.port1())));
        assertNotSame(channel.port1(), moved);
        assertSame(loop, moved.owner());
        LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
        moved.onmessage(e -> received.add(e.data()));
        channel.port2().postMessage("through the new port");
        assertEquals("through the new port", received.poll(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        DOMException e = assertThrows(DOMException.class, () -> structuredClone(channel.port1(),
                StructuredSerializeOptions.transfer(channel.port1())));
        assertTrue(e.getMessage().contains("detached"), e.getMessage());
    }

    /**
     * Transferred ports inside records, typed arrays and hash sets: each is finished on the receiver
     * (the new port object is made there), and the containers keep their class and graph.
     */
    @Test
    void transferredPortsInsideRecordsArraysAndSetsArriveAsTheNewPortObjects() throws Exception {
        EventLoop loop = loops.start("ports-inside");
        MessageChannel channel = new MessageChannel(loop);
        MessageChannel a = new MessageChannel(loop);
        MessageChannel b = new MessageChannel(loop);
        LinkedBlockingQueue<MessageEvent> received = new LinkedBlockingQueue<>();
        channel.port2().onmessage(received::add);
        Request request = new Request("q", a.port1());
        Set<Object> set = new HashSet<>(List.of(request));
        MessagePort[] ports = {a.port1(), b.port1()};
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("request", request);
        message.put("set", set);
        message.put("ports", ports);
        message.put("again", request);

        channel.port1().postMessage(message, List.of(a.port1(), b.port1()));

        MessageEvent event = next(received);
        MessagePort newA = event.ports().get(0);
        MessagePort newB = event.ports().get(1);
        @SuppressWarnings("unchecked")
        Map<String, Object> got = (Map<String, Object>) event.data();
        assertEquals(List.of("request", "set", "ports", "again"), new ArrayList<>(got.keySet()));
        Request gotRequest = (Request) got.get("request");
        assertEquals("q", gotRequest.query());
        assertSame(newA, gotRequest.reply());
        assertSame(gotRequest, got.get("again"), "a deferred record reached twice is built once");
        assertEquals(Set.of(gotRequest), got.get("set"));
        assertTrue(((Set<?>) got.get("set")).contains(gotRequest), "hashed after its element was built");
        MessagePort[] gotPorts = (MessagePort[]) got.get("ports");
        assertSame(newA, gotPorts[0]);
        assertSame(newB, gotPorts[1]);
    }
}
