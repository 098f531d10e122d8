package dev.entangle.remote;

import java.time.Duration;
import java.util.List;

import dev.entangle.EventLoop;
import dev.entangle.MessagePort;

/**
 * Two nodes in this JVM, over IPC (sharing one embedded driver) or over loopback UDP (one driver
 * each), and a loop for each side's ports: {@code alice} at node a, {@code bob} at node b.
 */
final class Nodes implements AutoCloseable {
    final RemoteNode a;
    final RemoteNode b;
    final EventLoop alice = EventLoop.start("alice");
    final EventLoop bob = EventLoop.start("bob");

    private Nodes(RemoteNode a, RemoteNode b) {
        this.a = a;
        this.b = b;
    }

    /** A port of alice's at node a, connected to {@code name} at node b. */
    MessagePort client(String name) {
        return a.connect(b.address(), name, alice);
    }

    /** A port of bob's at node b, accepting {@code name}. */
    MessagePort server(String name) {
        return b.accept(name, bob);
    }

    static RemoteNode.Options options() {
        return RemoteNode.options().termLength(256 * 1024).heartbeatInterval(Duration.ofMillis(50))
                .livenessTimeout(Duration.ofSeconds(1));
    }

    static Nodes ipc() {
        return ipc(options());
    }

    /** Over IPC, both nodes with {@code options} (their stream ids and driver set here). */
    static Nodes ipc(RemoteNode.Options options) {
        RemoteNode a = RemoteNode.start(options.streamId(1001));
        try {
            return new Nodes(a, RemoteNode.start(options.streamId(1002).aeronDirectory(a.aeronDirectory())));
        } catch (RuntimeException e) {
            a.close();
            throw e;
        }
    }

    static Nodes udp() {
        RemoteNode a = RemoteNode.start(options().channel("aeron:udp?endpoint=127.0.0.1:0"));
        try {
            return new Nodes(a, RemoteNode.start(options().channel("aeron:udp?endpoint=127.0.0.1:0")));
        } catch (RuntimeException e) {
            a.close();
            throw e;
        }
    }

    static List<String> kinds() {
        return List.of("ipc", "udp");
    }

    static Nodes of(String kind) {
        return kind.equals("ipc") ? ipc() : udp();
    }

    @Override
    public void close() {
        alice.close();
        bob.close();
        b.close();
        a.close();
    }
}
