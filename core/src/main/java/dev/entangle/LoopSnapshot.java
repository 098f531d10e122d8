package dev.entangle;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A point-in-time view of one live event loop, as {@link EventLoop#snapshot()} lists them: what a
 * monitoring page or a "why is this worker still running" question needs (Node users reach for
 * {@code why-is-node-running}).
 *
 * <p>A loop whose {@link #endsWhenIdle()} is true (a {@link Worker}'s loop) ends by itself once it is
 * idle and no port {@linkplain PortSnapshot#keepsLoopAlive() keeps it alive}; {@link #aliveBecause()}
 * says what does. Every other loop lives until {@link EventLoop#close()} (the common one, for the
 * process).
 *
 * <p>Threads: immutable, any thread. Memory consistency effects: the values were read one after
 * another from loops that kept running; each is a recent value, and together they need not be one
 * instant's state of the loop.
 *
 * @param name the loop's name ({@link EventLoop#name()}; for a worker, the worker's name)
 * @param kind {@code "dedicated"} (its own thread, {@link EventLoop#start}), {@code "multiplexed"}
 *     ({@link EventLoop#on}) or {@code "common"} ({@link EventLoop#common()})
 * @param state {@code "running"}, or {@code "closing"} once {@link EventLoop#close()} was called and
 *     the loop has not yet finished
 * @param thread the dedicated thread's name, or null for a multiplexed loop
 * @param queuedEntries tasks and port batches waiting in the loop's run queue (a port with many
 *     messages counts once: see {@link PortSnapshot#queuedMessages()})
 * @param endsWhenIdle true for a loop that ends by itself when nothing keeps it alive (a worker's)
 * @param ports the ports bound to this loop, in no particular order
 */
public record LoopSnapshot(String name, String kind, String state, String thread, int queuedEntries,
        boolean endsWhenIdle, List<PortSnapshot> ports) {

    /**
     * Checks the components and keeps an unmodifiable copy of {@code ports}.
     *
     * @param name the {@link #name()} component
     * @param kind the {@link #kind()} component
     * @param state the {@link #state()} component
     * @param thread the {@link #thread()} component
     * @param queuedEntries the {@link #queuedEntries()} component
     * @param endsWhenIdle the {@link #endsWhenIdle()} component
     * @param ports the {@link #ports()} component
     * @throws NullPointerException if {@code name}, {@code kind}, {@code state} or {@code ports} is null
     */
    public LoopSnapshot {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(state, "state");
        ports = List.copyOf(ports);
    }

    /** {@return the ports that keep this loop from ending by itself (empty if there are none)} */
    public List<PortSnapshot> keptAliveBy() {
        return ports.stream().filter(PortSnapshot::keepsLoopAlive).collect(Collectors.toUnmodifiableList());
    }

    /**
     * Why the loop is still there, one line per reason: the ports that keep a worker's loop alive and
     * queued work, or, for other loops, that they live until closed.
     *
     * @return the reasons, never empty
     */
    public List<String> aliveBecause() {
        List<String> reasons = new java.util.ArrayList<>();
        if (state.equals("closing")) {
            reasons.add("closing: finishing the tasks queued before close()");
        } else if (kind.equals("common")) {
            reasons.add("the common loop lives as long as the process");
        } else if (!endsWhenIdle) {
            reasons.add("lives until close()");
        }
        if (queuedEntries > 0) {
            reasons.add(queuedEntries + " queued task(s) or port batch(es)");
        }
        if (endsWhenIdle) {
            for (PortSnapshot port : keptAliveBy()) {
                reasons.add(port.kind().equals("Worker")
                        ? "port " + port.id() + ": a child Worker that has not exited (Worker.unref() releases it)"
                        : "port " + port.id() + ": started, ref'ed, entangled, with a message listener"
                                + " (close() or unref() releases it)");
            }
            if (reasons.isEmpty()) {
                reasons.add("nothing keeps it alive: it ends once its current task returns");
            }
        }
        return List.copyOf(reasons);
    }

    /** {@return a multi-line summary: the loop, why it is alive, then one line per port} */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        text.append("EventLoop ").append(name).append(" (").append(kind)
                .append(thread != null ? ", thread " + thread : "").append(", ").append(state)
                .append(", ").append(queuedEntries).append(" queued, ").append(ports.size())
                .append(" port(s))\n");
        for (String reason : aliveBecause()) {
            text.append("  alive: ").append(reason).append('\n');
        }
        for (PortSnapshot port : ports) {
            text.append("  ").append(port).append('\n');
        }
        return text.toString();
    }
}
