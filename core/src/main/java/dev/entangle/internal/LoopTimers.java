package dev.entangle.internal;

import java.util.Arrays;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The delayed tasks of one event loop ({@code EventLoop.schedule}): deadlines the loop keeps itself, in
 * a binary min-heap it checks at the start of each turn and before it idles. No JDK scheduler is
 * involved per timer: a dedicated loop parks no longer than its next deadline; a multiplexed loop,
 * which has no thread to park, keeps one wake-up per loop (for its earliest deadline) on the process
 * timer thread.
 *
 * <p>Thread contract: owned by one {@link LoopCore} and touched only on that loop (its dedicated
 * thread, or the executor thread running its current turn). A timer scheduled from another thread
 * reaches the heap through the loop's run queue (an {@link Arm} task); a {@link Deadline}'s future
 * methods (cancel) may be called from any thread.
 *
 * <p>Memory consistency effects: actions before {@code schedule} <i>happen-before</i> the task runs
 * (the run queue's hand-off, or program order on the loop); actions of the task <i>happen-before</i>
 * the completion of its future is observed.
 */
final class LoopTimers {
    /*
     * Implementation overview.
     *
     * Heap. `heap[0 .. size)` is a binary min-heap of Deadlines (a Timer of EventLoop.schedule, or a
     * request's answer, Requests.ask, whose timeout it is) ordered by (deadline, seq): deadlines are
     * System.nanoTime() values compared by subtraction (overflow-safe while within 2^62 ns of each
     * other, hence the clamp of the delay), and `seq`, the insertion number, keeps timers with equal
     * deadlines in the order they were scheduled. All fields are plain: the heap is loop-confined (a
     * multiplexed loop's turns are ordered by its `scheduled` hand-off, see LoopCore).
     *
     * Cancel is lazy and O(1): a Deadline is itself the CompletableFuture, and cancel() (or an
     * answer) only completes it; the heap drops done timers when they are due (runDue), when they are
     * at the head as the loop asks for its next deadline before it parks or idles (nanosToNext), and,
     * so that timers cancelled long before their deadline (the usual fate of a request timeout) do not
     * pile up, by a sweep when an insertion finds the heap at `sweepAt`: the sweep removes every done
     * timer and sets `sweepAt` to twice what is left (at least SWEEP_MIN), so its cost is amortised
     * O(1) per insertion and the heap holds at most about twice the live timers, or SWEEP_MIN.
     *
     * Multiplexed loops: `wakeAt` is the deadline of the wake-up this loop has pending on WAKER (the one
     * process-wide timer thread, which only calls LoopCore.timerWakeUp: a no-op entry in the run
     * queue, so the loop's turn handshake cannot lose it), or NO_WAKE.
     * Before a turn goes idle the loop asks wakeUpNeeded(): a new wake-up is registered only if the
     * earliest live deadline is before the pending one (a request timeout per ask, always later than the
     * previous one, therefore registers about one wake-up per timeout period, not one per ask). A
     * wake-up that fires early, or for a timer cancelled meanwhile, costs one empty turn.
     *
     * Unstarted entries (issue 15). A request's timeout armed on its loop (Requests.ask) comes
     * unstarted: its clock starts at the loop's next reading of it (runDue at the next batch or turn,
     * nanosToNext before the loop parks, ensureWakeUp before a multiplexed turn goes idle), not at
     * a System.nanoTime() of its own (some 30 ns on a VM, per ask). Until then it waits in
     * `unstarted` (in arming order) outside the heap, which orders by due time; each of those
     * readings first starts them all at the time read and moves them into the heap, dropping those
     * already done (an ask answered within the batch it was made in never enters the heap). The
     * timeout thus runs from a moment after the ask, never before it: it may fire late by the rest of
     * the batch or turn that armed it, as any timer may fire late by the batch that runs when it is
     * due, never early. Every reading of the heap's state (isEmpty, keepsLoopAlive, refuseAll)
     * counts the unstarted entries too.
     *
     * Close: when the loop closes (LoopCore, on the loop) every pending timer fails with
     * RejectedExecutionException, and timers armed later are refused the same way.
     */

    /** Delays are clamped to this (about 73 years), so that deadline arithmetic never overflows. */
    static final long MAX_DELAY_NANOS = Long.MAX_VALUE >> 2;
    private static final int SWEEP_MIN = 64;
    private static final long NO_WAKE = Long.MIN_VALUE;

    /** The process timer thread: multiplexed loops' wake-ups only, never user code. */
    private static final class Waker {
        static final ScheduledThreadPoolExecutor WAKER = waker();

        private static ScheduledThreadPoolExecutor waker() {
            ScheduledThreadPoolExecutor waker = new ScheduledThreadPoolExecutor(1, task -> {
                Thread thread = new Thread(task, "entangle-timer");
                thread.setDaemon(true);
                return thread;
            });
            waker.setRemoveOnCancelPolicy(true); // a replaced wake-up leaves the queue at once
            return waker;
        }
    }

    /**
     * One delayed task, and the future {@code EventLoop.schedule} returns: completed on the loop after
     * the task ran (normally, or with what it threw), cancelled by the user, or failed with
     * RejectedExecutionException when the loop closed first.
     */
    static final class Timer extends Deadline<Void> {
        private final Runnable task;

        Timer(Runnable task, long delayNanos) {
            super(delayNanos);
            this.task = task;
        }

        /** On the loop, not cancelled: runs the task; the outcome goes to this future. */
        @Override
        protected void expire() {
            try {
                task.run();
                complete(null);
            } catch (Throwable t) {
                // The caller asked for the outcome: the throwable goes to the future, not to the loop's
                // error handler (as before; a fatal error too, the loop going on as it did).
                completeExceptionally(t);
            }
        }
    }

    /**
     * The run-queue task that brings a deadline armed off the loop there: arms it, or, for a zero
     * delay, fires it at once (a zero delay is a task queued by {@code execute}). Not the Deadline
     * itself, so that the future a user holds is no Runnable anyone could run off the loop.
     */
    static final class Arm implements Runnable {
        private final LoopCore loop;
        private final Deadline<?> timer;

        Arm(LoopCore loop, Deadline<?> timer) {
            this.loop = loop;
            this.timer = timer;
        }

        @Override
        public void run() {
            if (timer.isImmediate()) {
                timer.fire();
            } else {
                loop.armTimer(timer);
            }
        }

        /** The loop was abandoned with this task still queued. */
        void refuse() {
            timer.refuse(loop.name());
        }
    }

    private Deadline<?>[] heap = new Deadline<?>[8];
    private int size;
    /** Entries armed without a started clock, in arming order: see "Unstarted entries". */
    private Deadline<?>[] unstarted = new Deadline<?>[8];
    private int unstartedCount;
    private long nextSeq;
    private int sweepAt = SWEEP_MIN;
    /** Multiplexed loops: deadline of the pending wake-up, or NO_WAKE. */
    private long wakeAt = NO_WAKE;
    /** Multiplexed loops: the pending wake-up, cancelled when an earlier one replaces it. */
    private ScheduledFuture<?> wake;

    boolean isEmpty() {
        return size == 0 && unstartedCount == 0;
    }

    /**
     * Inserts an armed timer; on the loop. One whose clock is not started waits for the loop's next
     * clock reading (see "Unstarted entries").
     */
    void add(Deadline<?> t) {
        if (!t.isStarted()) {
            if (unstartedCount == unstarted.length) {
                unstarted = Arrays.copyOf(unstarted, unstartedCount * 2);
            }
            unstarted[unstartedCount++] = t;
            return;
        }
        insert(t);
    }

    /**
     * Starts the clocks of the unstarted entries at {@code now} and moves them into the heap, in
     * arming order; drops those already done. On the loop, at each clock reading.
     */
    private void startUnstarted(long now) {
        int n = unstartedCount;
        if (n == 0) {
            return;
        }
        Deadline<?>[] pending = unstarted;
        unstartedCount = 0;
        for (int i = 0; i < n; i++) {
            Deadline<?> t = pending[i];
            pending[i] = null;
            if (!t.isDone()) { // else answered (or cancelled) before the loop read the clock
                t.startAt(now);
                insert(t);
            }
        }
    }

    private void insert(Deadline<?> t) {
        if (size >= sweepAt) {
            sweep();
        }
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        t.seq = nextSeq++;
        siftUp(size++, t);
    }

    /**
     * Runs every timer due at {@code now} (read once, so that a timer the tasks schedule meanwhile
     * waits for the next look), earliest first; on the loop.
     *
     * @return the number of tasks run
     */
    int runDue(long now) {
        startUnstarted(now);
        int ran = 0;
        while (size != 0) {
            Deadline<?> head = heap[0];
            if (head.deadline() - now > 0L) {
                // Nothing due. Done entries ahead of the first live one stay for the sweep (or until
                // due): popping them here cost a sift-down per answered request (AskRoundTrip).
                break;
            }
            removeHead();
            if (!head.isDone()) { // else cancelled, or a request answered: dropped unfired
                head.fire();
                ran++;
            }
        }
        return ran;
    }

    /**
     * Nanoseconds from {@code now} to the earliest live deadline (0 if one is due), or -1 if there is
     * none; drops cancelled timers at the head. On the loop.
     */
    long nanosToNext(long now) {
        startUnstarted(now);
        while (size != 0 && heap[0].isDone()) {
            removeHead();
        }
        return size == 0 ? -1L : Math.max(0L, heap[0].deadline() - now);
    }

    /**
     * Whether a pending entry keeps the loop alive ({@link Deadline#keepsLoopAlive}: a request's
     * answer); on the loop, when a loop that ends when idle ran out of work (a walk of the heap).
     */
    boolean keepsLoopAlive() {
        for (int i = 0; i < size; i++) {
            Deadline<?> t = heap[i];
            if (!t.isDone() && t.keepsLoopAlive()) {
                return true;
            }
        }
        for (int i = 0; i < unstartedCount; i++) {
            Deadline<?> t = unstarted[i];
            if (!t.isDone() && t.keepsLoopAlive()) {
                return true;
            }
        }
        return false;
    }

    /** Fails every pending timer with RejectedExecutionException and empties the heap; on the loop. */
    void refuseAll(String loopName) {
        Deadline<?>[] pending = heap;
        int n = size;
        heap = new Deadline<?>[8];
        size = 0;
        Deadline<?>[] notStarted = unstarted;
        int m = unstartedCount;
        unstarted = new Deadline<?>[8];
        unstartedCount = 0;
        for (int i = 0; i < m; i++) {
            notStarted[i].refuse(loopName); // armed first: they fail first
        }
        for (int i = 0; i < n; i++) {
            pending[i].refuse(loopName);
        }
        cancelWake();
    }

    /**
     * Multiplexed loops, before a turn goes idle: makes sure a wake-up is pending no later than the
     * earliest live deadline, registering one on the timer thread if not. On the loop.
     */
    void ensureWakeUp(LoopCore loop) {
        long now = System.nanoTime();
        long wait = nanosToNext(now);
        if (wait < 0L) {
            return; // nothing pending; a pending wake-up costs one empty turn at most
        }
        long deadline = now + wait;
        if (wakeAt != NO_WAKE && wakeAt - now > 0L && wakeAt - deadline <= 0L) {
            return; // a wake-up is pending, still in the future, and not later than needed
        }
        cancelWake();
        wakeAt = deadline;
        try {
            wake = Waker.WAKER.schedule(loop::timerWakeUp, wait, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException unexpected) {
            // The waker never shuts down; if it refused, the loop's next turn tries again.
            wakeAt = NO_WAKE;
            wake = null;
        }
    }

    private void cancelWake() {
        ScheduledFuture<?> pending = wake;
        if (pending != null) {
            pending.cancel(false);
            wake = null;
        }
        wakeAt = NO_WAKE;
    }

    /** Removes every done timer and re-heapifies; amortised by {@code sweepAt} (see the overview). */
    private void sweep() {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            Deadline<?> t = heap[i];
            if (!t.isDone()) {
                heap[kept++] = t;
            }
        }
        Arrays.fill(heap, kept, size, null);
        size = kept;
        for (int i = (size >>> 1) - 1; i >= 0; i--) {
            siftDown(i, heap[i]);
        }
        sweepAt = Math.max(SWEEP_MIN, size * 2);
    }

    private void removeHead() {
        int last = --size;
        Deadline<?> moved = heap[last];
        heap[last] = null;
        if (last != 0) {
            siftDown(0, moved);
        }
    }

    private static boolean before(Deadline<?> a, Deadline<?> b) {
        long d = a.deadline() - b.deadline();
        return d < 0L || (d == 0L && a.seq < b.seq);
    }

    private void siftUp(int k, Deadline<?> t) {
        while (k > 0) {
            int parent = (k - 1) >>> 1;
            Deadline<?> p = heap[parent];
            if (!before(t, p)) {
                break;
            }
            heap[k] = p;
            k = parent;
        }
        heap[k] = t;
    }

    private void siftDown(int k, Deadline<?> t) {
        int half = size >>> 1;
        while (k < half) {
            int child = 2 * k + 1;
            Deadline<?> c = heap[child];
            int right = child + 1;
            if (right < size && before(heap[right], c)) {
                child = right;
                c = heap[child];
            }
            if (!before(c, t)) {
                break;
            }
            heap[k] = c;
            k = child;
        }
        heap[k] = t;
    }
}
