package dev.entangle.remote;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import dev.entangle.EventLoop;
import dev.entangle.MessagePort;

/**
 * The second JVM of {@link ProcessTest}: starts a node, prints {@code ADDRESS <address>}, accepts
 * {@code "echo"} pairs and echoes every message back (with a port in the message: it also answers
 * through that port), and exits when its standard input closes. It also accepts one {@code "lazy"}
 * pair that it does not start (what arrives there stays queued) until an echo port receives
 * {@code "start lazy"}; then it checks that the lazy port's messages are 0, 1, 2, … and, at
 * {@code "end"}, answers on that echo port {@code "lazy: <count> in order"} (or {@code "lazy:
 * out of order at <count>"}). {@code -Dpeer.portCapacity=n} bounds its ports.
 *
 * <p>Arguments: {@code udp}, {@code udp-in-node} (its driver run inside the node), or
 * {@code ipc <aeron directory> <stream id>} to join the parent's driver.
 */
public final class PeerMain {
    private PeerMain() {
    }

    public static void main(String[] args) throws Exception {
        RemoteNode.Options options = RemoteNode.options().termLength(256 * 1024)
                .heartbeatInterval(Duration.ofMillis(50)).livenessTimeout(Duration.ofSeconds(1))
                .portCapacity(Integer.getInteger("peer.portCapacity", 0));
        if (args[0].startsWith("udp")) {
            options.channel("aeron:udp?endpoint=127.0.0.1:0").driverInNode(args[0].equals("udp-in-node"));
        } else {
            options.aeronDirectory(args[1]).streamId(Integer.parseInt(args[2]));
        }
        try (RemoteNode node = RemoteNode.start(options); EventLoop loop = EventLoop.start("peer")) {
            loop.execute(() -> {
                MessagePort lazy = node.accept("lazy", loop);
                acceptNext(node, loop, lazy);
            });
            System.out.println("ADDRESS " + node.address());
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (in.readLine() != null) {
                // the parent closes our stdin (or kills us) to end
            }
        }
    }

    private static void acceptNext(RemoteNode node, EventLoop loop, MessagePort lazy) {
        MessagePort port = node.accept("echo", loop);
        boolean[] first = {true};
        port.onmessage(e -> {
            if (first[0]) {
                first[0] = false;
                acceptNext(node, loop, lazy); // one pair per connect
            }
            if ("start lazy".equals(e.data())) {
                int[] next = {0};
                boolean[] inOrder = {true};
                lazy.onmessage(m -> {
                    if ("end".equals(m.data())) {
                        port.postMessage(inOrder[0] ? "lazy: " + next[0] + " in order"
                                : "lazy: out of order at " + next[0]);
                    } else if (inOrder[0] && Integer.valueOf(next[0]).equals(m.data())) {
                        next[0]++;
                    } else {
                        inOrder[0] = false;
                    }
                });
            }
            if (!e.ports().isEmpty()) {
                MessagePort carried = e.ports().get(0);
                carried.onmessage(m -> carried.postMessage("via port: " + m.data()));
                carried.postMessage("hello through the port");
            }
            port.postMessage(e.data());
        });
    }
}
