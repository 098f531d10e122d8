package dev.entangle.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.jctools.queues.MessagePassingQueue;

import dev.entangle.LoopSnapshot;
import dev.entangle.PortSnapshot;

/**
 * The live event loops of the process, for {@code EventLoop.snapshot()}: a loop is listed from
 * {@link LoopCore#start()} until it has terminated.
 *
 * <p>Threads: any. Memory consistency effects: a loop's registration happens-before a snapshot that
 * lists it (a concurrent map); the values in a snapshot are read while the loops run (see
 * {@link LoopSnapshot}).
 */
public final class LoopRegistry {
    /*
     * Implementation overview.
     *
     * LIVE maps each started, not yet terminated LoopCore to what a snapshot reads of it: the loop's
     * run queue (the object itself, handed over by LoopCore.start, so LoopCore needs no accessor for
     * it), its dedicated thread, and its flags; the ports come from the loop's registry (a copy taken
     * under its lock). The map holds the loop strongly, which matches the contract that a loop lives
     * until close(): a terminated loop removes itself (LoopCore.terminate). `order` numbers
     * registrations so snapshots list loops in the order they started. No lock but each loop's
     * registry lock while its ports are copied; the run queue's size() is a racy but safe read of its
     * indices (JCTools: "a best effort estimate"), every PortHandle flag read is volatile.
     */

    private record Entry(long order, MessagePassingQueue<?> runQueue,
            Thread thread, boolean shared, boolean endWhenIdle) {
    }

    private static final Map<LoopCore, Entry> LIVE = new ConcurrentHashMap<>();
    private static final AtomicLong ORDER = new AtomicLong();

    private LoopRegistry() {
    }

    /** Lists {@code loop}; called once, by {@link LoopCore#start()}. */
    static void register(LoopCore loop, MessagePassingQueue<?> runQueue, Thread thread, boolean shared,
            boolean endWhenIdle) {
        LIVE.put(loop, new Entry(ORDER.incrementAndGet(), runQueue, thread, shared, endWhenIdle));
    }

    /** Drops {@code loop}; called when it has terminated (idempotent). */
    static void unregister(LoopCore loop) {
        LIVE.remove(loop);
    }

    /** {@return a snapshot of every live loop, in the order they started} */
    public static List<LoopSnapshot> snapshot() {
        List<Map.Entry<LoopCore, Entry>> live = new ArrayList<>(LIVE.entrySet());
        live.sort((a, b) -> Long.compare(a.getValue().order(), b.getValue().order()));
        List<LoopSnapshot> loops = new ArrayList<>(live.size());
        for (Map.Entry<LoopCore, Entry> e : live) {
            LoopCore loop = e.getKey();
            if (loop.isTerminated()) {
                continue; // terminated while we were copying
            }
            loops.add(snapshotOf(loop, e.getValue()));
        }
        return List.copyOf(loops);
    }

    private static LoopSnapshot snapshotOf(LoopCore loop, Entry entry) {
        List<PortSnapshot> ports = new ArrayList<>();
        for (PortEndpoint endpoint : loop.ports()) {
            PortHandle h = endpoint.boundHandle();
            if (h == null || h.loop != loop || !h.isOpen()) {
                continue; // collected, transferred away or closed since it was listed
            }
            ports.add(new PortSnapshot(Jfr.id(endpoint), kindOf(h), h.isStarted(), h.hasRef(),
                    h.isEntangled(), h.queuedCount(), h.keepsLoopAlive()));
        }
        String kind = entry.shared() ? "common" : entry.thread() != null ? "dedicated" : "multiplexed";
        String state = loop.isShuttingDown() ? "closing" : "running";
        return new LoopSnapshot(loop.name(), kind, state,
                entry.thread() == null ? null : entry.thread().getName(), entry.runQueue().size(),
                entry.endWhenIdle(), ports);
    }

    /** The public class a handle serves: MessagePort, or Worker for a worker's implicit channel. */
    private static String kindOf(PortHandle h) {
        Class<?> outer = h.getClass().getEnclosingClass();
        return outer != null && outer.getSimpleName().equals("Worker") ? "Worker" : "MessagePort";
    }
}
