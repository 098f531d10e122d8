package dev.entangle.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;

import org.junit.jupiter.api.Test;

/**
 * {@link LoopTimers}' unstarted entries (a request's timeout armed on its loop): the clock of such an
 * entry starts at the heap's first clock reading after it was armed, never before, so it fires no
 * sooner than its delay after that reading; one done before the reading never enters the heap; until
 * started it counts for everything the heap answers (empty, keeping a loop alive, refused on close).
 * Clock readings are passed in, so the times are exact.
 */
class LoopTimersTest {
    /** An entry that records its expiry in {@code fired}. */
    private static final class Entry extends Deadline<String> {
        private final String name;
        private final List<String> fired;
        private final boolean keepsAlive;

        Entry(String name, long delayNanos, boolean startNow, List<String> fired, boolean keepsAlive) {
            super(delayNanos, startNow);
            this.name = name;
            this.fired = fired;
            this.keepsAlive = keepsAlive;
        }

        @Override
        protected void expire() {
            fired.add(name);
            complete(name);
        }

        @Override
        protected boolean keepsLoopAlive() {
            return keepsAlive;
        }
    }

    @Test
    void anUnstartedEntryRunsItsDelayFromTheFirstClockReadingAfterItWasArmed() {
        List<String> fired = new ArrayList<>();
        LoopTimers timers = new LoopTimers();
        Entry entry = new Entry("unstarted", 100, false, fired, false);
        timers.add(entry);
        assertFalse(timers.isEmpty(), "armed, not yet started: still pending");
        assertEquals(0, timers.runDue(1_000), "started at 1000, due at 1100");
        assertEquals(0, timers.runDue(1_099));
        assertEquals(List.of(), fired);
        assertEquals(1, timers.nanosToNext(1_099));
        assertEquals(1, timers.runDue(1_100));
        assertEquals(List.of("unstarted"), fired);
        assertTrue(timers.isEmpty());
    }

    @Test
    void nanosToNextAlsoStartsTheUnstartedEntries() {
        List<String> fired = new ArrayList<>();
        LoopTimers timers = new LoopTimers();
        timers.add(new Entry("a", 100, false, fired, false));
        assertEquals(100, timers.nanosToNext(5_000), "started by this reading");
        assertEquals(0, timers.runDue(5_099));
        assertEquals(1, timers.runDue(5_100));
        assertEquals(List.of("a"), fired);
    }

    @Test
    void unstartedEntriesJoinTheHeapInDueOrderWithStartedOnes() {
        List<String> fired = new ArrayList<>();
        LoopTimers timers = new LoopTimers();
        Entry early = new Entry("due 1050", 50, false, fired, false);
        early.startAt(1_000);
        timers.add(early);
        timers.add(new Entry("due 1300", 100, false, fired, false)); // unstarted: from 1200
        timers.add(new Entry("due 1250", 50, false, fired, false)); // unstarted: from 1200
        assertEquals(1, timers.runDue(1_200), "the started one is due; both others start at 1200");
        assertEquals(List.of("due 1050"), fired);
        assertEquals(2, timers.runDue(1_300));
        assertEquals(List.of("due 1050", "due 1250", "due 1300"), fired);
    }

    @Test
    void anUnstartedEntryDoneBeforeTheClockIsReadNeverEntersTheHeap() {
        List<String> fired = new ArrayList<>();
        LoopTimers timers = new LoopTimers();
        Entry answered = new Entry("answered", 100, false, fired, true);
        timers.add(answered);
        answered.complete("the answer");
        assertEquals(-1, timers.nanosToNext(0), "dropped at the reading, not started");
        assertTrue(timers.isEmpty());
        assertFalse(timers.keepsLoopAlive());
        assertEquals(0, timers.runDue(1_000_000));
        assertEquals(List.of(), fired);
    }

    @Test
    void anUnstartedEntryKeepsTheLoopAliveAndIsRefusedWhenTheLoopCloses() {
        List<String> fired = new ArrayList<>();
        LoopTimers timers = new LoopTimers();
        Entry pending = new Entry("pending ask", 100, false, fired, true);
        timers.add(pending);
        assertTrue(timers.keepsLoopAlive(), "a pending ask keeps a worker's loop alive before it starts");
        timers.refuseAll("loop");
        assertTrue(pending.isCompletedExceptionally(), "refused");
        Throwable failure = assertThrows(ExecutionException.class, pending::get).getCause();
        assertInstanceOf(RejectedExecutionException.class, failure);
        assertTrue(timers.isEmpty());
        assertEquals(List.of(), fired);
    }
}
