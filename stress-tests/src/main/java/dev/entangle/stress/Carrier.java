package dev.entangle.stress;

import java.util.List;

import dev.entangle.EventLoop;
import dev.entangle.MessageChannel;
import dev.entangle.MessageEvent;
import dev.entangle.MessagePort;

/**
 * A channel that ships ports: {@link #ship} posts a port in a transfer list on one end, {@link #take}
 * takes the message at the other end with the non-dispatching {@code receiveMessage()} and returns the
 * new {@code MessagePort} object that arrived in it, owned by the carrier's loop. Neither end is ever
 * started, so nothing is dispatched and the carrier holds no loop resources.
 *
 * <p>Threads: {@link #ship} and {@link #take} may be called from any thread, as the port methods they
 * call. Memory consistency effects: those of {@code postMessage}: actions before {@link #ship}
 * happen-before a {@link #take} that returns the shipped port.
 */
final class Carrier {
    private final MessagePort in;
    private final MessagePort out;

    /** A carrier whose shipped ports arrive owned by {@code owner}. */
    Carrier(EventLoop owner) {
        MessageChannel channel = new MessageChannel(owner);
        in = channel.port1();
        out = channel.port2();
    }

    /** Transfers {@code port} (throws DataCloneError as {@code postMessage} does). */
    void ship(MessagePort port) {
        in.postMessage("port", List.of(port));
    }

    /** The port carried by the next queued message, or null if none is queued. */
    MessagePort take() {
        MessageEvent event = out.receiveMessage();
        return event == null || event.ports().size() != 1 ? null : event.ports().get(0);
    }
}
