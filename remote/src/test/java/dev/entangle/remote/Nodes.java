package dev.entangle.remote;

import java.time.Duration;
import java.util.List;

/** Two nodes in this JVM: over IPC (sharing one embedded driver) or over loopback UDP (one driver each). */
final class Nodes implements AutoCloseable {
    final RemoteNode a;
    final RemoteNode b;

    private Nodes(RemoteNode a, RemoteNode b) {
        this.a = a;
        this.b = b;
    }

    static RemoteNode.Options options() {
        return RemoteNode.options().termLength(256 * 1024).heartbeatInterval(Duration.ofMillis(50))
                .livenessTimeout(Duration.ofSeconds(1));
    }

    static Nodes ipc() {
        RemoteNode a = RemoteNode.start(options().streamId(1001));
        try {
            return new Nodes(a, RemoteNode.start(options().streamId(1002).aeronDirectory(a.aeronDirectory())));
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
        b.close();
        a.close();
    }
}
