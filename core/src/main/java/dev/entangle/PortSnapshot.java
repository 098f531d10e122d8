package dev.entangle;

import java.util.Objects;

/**
 * A point-in-time view of one port bound to a loop, part of a {@link LoopSnapshot}.
 *
 * <p>Threads: immutable, any thread. Memory consistency effects: as for {@link LoopSnapshot}.
 *
 * @param id the port's id: a hex number that stays the same while the port travels (it names the
 *     port message queue), the one the JDK Flight Recorder events of entangle give
 * @param kind {@code "MessagePort"}, or {@code "Worker"} for the creating loop's end of a worker's
 *     implicit channel
 * @param started whether the port message queue is enabled ({@link MessagePort#start()})
 * @param refed whether the port is ref'ed ({@link MessagePort#hasRef()})
 * @param entangled whether the port is still entangled with its peer
 * @param queuedMessages messages waiting at the port ({@link MessagePort#queuedMessageCount()})
 * @param keepsLoopAlive whether this port keeps a loop that {@linkplain LoopSnapshot#endsWhenIdle()
 *     ends when idle} from ending (Node's rule: started, ref'ed, entangled, with a message listener; a
 *     Worker's: ref'ed and its {@code exit} still to come)
 */
public record PortSnapshot(String id, String kind, boolean started, boolean refed, boolean entangled,
        int queuedMessages, boolean keepsLoopAlive) {

    /**
     * Checks the components.
     *
     * @param id the {@link #id()} component
     * @param kind the {@link #kind()} component
     * @param started the {@link #started()} component
     * @param refed the {@link #refed()} component
     * @param entangled the {@link #entangled()} component
     * @param queuedMessages the {@link #queuedMessages()} component
     * @param keepsLoopAlive the {@link #keepsLoopAlive()} component
     * @throws NullPointerException if {@code id} or {@code kind} is null
     */
    public PortSnapshot {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
    }

    /** {@return one line: the id, the kind, the flags that are set, and the queued count} */
    @Override
    public String toString() {
        return "port " + id + " (" + kind + (started ? ", started" : "") + (refed ? ", ref'ed" : "")
                + (entangled ? ", entangled" : ", disentangled") + ", " + queuedMessages + " queued"
                + (keepsLoopAlive ? ", keeps its loop alive" : "") + ")";
    }
}
