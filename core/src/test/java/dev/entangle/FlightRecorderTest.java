package dev.entangle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * entangle's JDK Flight Recorder events (issue 13, item 7), recorded with a {@link RecordingStream}
 * and read back: each names its loop and its port, and a port keeps its id when it is transferred
 * (the id {@link EventLoop#snapshot()} shows too).
 */
class FlightRecorderTest {
    /** Events reach a RecordingStream at its flushes (about once a second). */
    private static final Duration EVENT_TIMEOUT = Duration.ofSeconds(30);

    private final Loops loops = new Loops();
    private final LinkedBlockingQueue<RecordedEvent> recorded = new LinkedBlockingQueue<>();
    private final List<RecordedEvent> seen = new ArrayList<>();
    private RecordingStream stream;

    /** A value that serializes, and fails to deserialize when its text is "poison". */
    static final class Brittle {
        final String text;

        Brittle(String text) {
            this.text = text;
        }
    }

    static {
        StructuredClone.registerCodec(Brittle.class, new StructuredClone.Codec<>() {
            @Override
            public Object serialize(Brittle value, StructuredClone.SerializeContext context) {
                return value.text;
            }

            @Override
            public Brittle deserialize(Object form, StructuredClone.DeserializeContext context) {
                if ("poison".equals(form)) {
                    throw new IllegalArgumentException("cannot rebuild " + form);
                }
                return new Brittle((String) form);
            }
        });
    }

    @BeforeEach
    void record() {
        stream = new RecordingStream();
        // Thresholds 0 for the per-message events (default 1 ms: only slow posts and dispatches);
        // LongLoopTurn keeps its default (20 ms), which the test relies on.
        stream.enable("dev.entangle.MessagePosted").withThreshold(Duration.ZERO);
        stream.enable("dev.entangle.MessageDispatched").withThreshold(Duration.ZERO);
        for (String name : List.of("MessageError", "PortTransferred", "PortClosed", "LongLoopTurn",
                "WorkerStarted", "WorkerExited")) {
            stream.enable("dev.entangle." + name);
        }
        stream.onEvent(recorded::add);
        stream.startAsync();
    }

    @AfterEach
    void stop() throws InterruptedException {
        stream.close();
        loops.close();
    }

    /** The first recorded event (in arrival order, earlier ones kept) of {@code type} matching. */
    private RecordedEvent await(String type, Predicate<RecordedEvent> matching) throws InterruptedException {
        Predicate<RecordedEvent> wanted = e -> e.getEventType().getName().equals("dev.entangle." + type)
                && matching.test(e);
        for (RecordedEvent e : seen) {
            if (wanted.test(e)) {
                return e;
            }
        }
        long deadline = System.nanoTime() + EVENT_TIMEOUT.toNanos();
        while (true) {
            RecordedEvent e = recorded.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new AssertionError("no " + type + " event within " + EVENT_TIMEOUT + "; seen: " + seen);
            }
            seen.add(e);
            if (wanted.test(e)) {
                return e;
            }
        }
    }

    private List<RecordedEvent> seenOf(String type, String loop) {
        List<RecordedEvent> of = new ArrayList<>();
        for (RecordedEvent e : seen) {
            if (e.getEventType().getName().equals("dev.entangle." + type) && loop.equals(e.getString("loop"))) {
                of.add(e);
            }
        }
        return of;
    }

    private static Predicate<RecordedEvent> field(String name, String value) {
        return e -> value.equals(e.getString(name));
    }

    @Test
    void postedAndDispatchedNameLoopAndPortAndAPortKeepsItsIdWhenTransferred() throws Exception {
        EventLoop a = loops.start("jfr-a");
        EventLoop b = loops.start("jfr-b");
        LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
        MessageChannel toB = new MessageChannel(b);
        toB.port2().onmessage(e -> e.ports().get(0).onmessage(m -> got.add("b:" + m.data())));
        MessageChannel channel = new MessageChannel(a);
        channel.port2().onmessage(m -> got.add("a:" + m.data()));

        channel.port1().postMessage("one");
        assertEquals("a:one", Loops.next(got));
        RecordedEvent posted = await("MessagePosted", field("loop", "jfr-a"));
        String sender = posted.getString("port");
        String receiver = posted.getString("targetPort");
        assertNotNull(sender);
        assertNotEquals(sender, receiver);
        assertEquals(0, posted.getInt("transferred"));
        RecordedEvent first = await("MessageDispatched", field("port", receiver));
        assertEquals("jfr-a", first.getString("loop"));

        toB.port1().postMessage("take it", List.of(channel.port2()));   // b to b
        channel.port1().postMessage("two");                             // waits at the port in transit
        assertEquals("b:two", Loops.next(got));
        RecordedEvent moved = await("PortTransferred", field("port", receiver));
        assertEquals("jfr-b", moved.getString("fromLoop"));
        assertEquals("jfr-b", moved.getString("toLoop"));
        RecordedEvent second = await("MessageDispatched", field("port", receiver).and(field("loop", "jfr-b")));
        assertEquals(receiver, second.getString("port"), "the same port message queue, now at jfr-b");

        MessageChannel extra = new MessageChannel(a);
        channel.port1().postMessage("three", List.of(extra.port2()));    // posted on jfr-a's port, to jfr-b
        assertEquals("b:three", Loops.next(got));
        RecordedEvent shipped = await("PortTransferred", field("fromLoop", "jfr-a"));
        assertEquals("jfr-b", shipped.getString("toLoop"));
        assertNotEquals(receiver, shipped.getString("port"));
        RecordedEvent postedWithTransfer = await("MessagePosted", e -> e.getInt("transferred") == 1);
        assertEquals(sender, postedWithTransfer.getString("port"));

        // The snapshot names the port by the same id, at its new loop.
        LoopSnapshot atB = EventLoop.snapshot().stream().filter(l -> l.name().equals("jfr-b")).findFirst()
                .orElseThrow();
        assertTrue(atB.ports().stream().anyMatch(p -> p.id().equals(receiver)), atB.toString());
    }

    @Test
    void aLoopTurnLongerThanTheThresholdIsRecordedAndAFastOneIsNot() throws Exception {
        EventLoop slow = loops.start("jfr-slow");
        CompletableFuture<Void> done = new CompletableFuture<>();
        slow.execute(() -> hold(Duration.ofMillis(60)));
        slow.execute(() -> { });                                 // fast: under the 20 ms default
        slow.execute(() -> hold(Duration.ofMillis(60)));
        slow.execute(() -> done.complete(null));
        done.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        RecordedEvent firstSlow = await("LongLoopTurn", field("loop", "jfr-slow"));
        assertTrue(firstSlow.getDuration().compareTo(Duration.ofMillis(55)) >= 0, firstSlow.toString());
        assertTrue(firstSlow.getString("task").startsWith(FlightRecorderTest.class.getName()),
                firstSlow.getString("task"));
        // The second slow task is the sentinel: the fast task's turn, committed between the two on the
        // same thread, would have arrived before it.
        await("LongLoopTurn", field("loop", "jfr-slow").and(e -> e != firstSlow));
        assertEquals(2, seenOf("LongLoopTurn", "jfr-slow").size());
    }

    /** Keeps the loop busy for {@code time} (a blocked handler), without sleeping. */
    private static void hold(Duration time) {
        long end = System.nanoTime() + time.toNanos();
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    @Test
    void closedPortsMessageErrorsAndWorkerLifecycleAreRecorded() throws Exception {
        EventLoop a = loops.start("jfr-events");
        MessageChannel channel = new MessageChannel(a);
        LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
        channel.port2().onmessageerror(e -> got.add("messageerror"));
        channel.port2().onmessage(e -> got.add("message"));
        channel.port1().postMessage(new Brittle("poison"));
        assertEquals("messageerror", Loops.next(got));
        RecordedEvent error = await("MessageError", field("loop", "jfr-events"));
        assertTrue(error.getString("error").contains("cannot rebuild poison"), error.getString("error"));
        RecordedEvent posted = await("MessagePosted", field("loop", "jfr-events"));
        assertEquals(posted.getString("targetPort"), error.getString("port"));

        channel.port1().close();
        RecordedEvent closed = await("PortClosed", field("port", posted.getString("port")));
        assertEquals("jfr-events", closed.getString("loop"));
        assertEquals(posted.getString("targetPort"), closed.getString("peerPort"));

        CompletableFuture<Integer> exit = new CompletableFuture<>();
        a.execute(() -> new Worker("jfr-worker", scope -> scope.exit(3))
                .addEventListener("exit", e -> exit.complete(((Worker.ExitEvent) e).exitCode())));
        assertEquals(3, exit.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        RecordedEvent started = await("WorkerStarted", field("worker", "jfr-worker"));
        assertEquals("jfr-events", started.getString("parentLoop"));
        RecordedEvent exited = await("WorkerExited", field("worker", "jfr-worker"));
        assertEquals(3, exited.getInt("exitCode"));
        assertTrue(!exited.getStartTime().isBefore(started.getStartTime()), "started before its thread runs");
    }
}
