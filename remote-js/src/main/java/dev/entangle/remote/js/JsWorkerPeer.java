package dev.entangle.remote.js;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.entangle.EventLoop;
import dev.entangle.MessagePort;
import dev.entangle.Worker;
import dev.entangle.graaljs.JsRuntime;
import dev.entangle.remote.RemoteNode;

/**
 * A JVM that offers a JavaScript worker to other processes: it starts a {@link RemoteNode} on loopback
 * UDP, accepts {@code "js"}, and transfers the accepted port into a GraalJS worker ({@link #SCRIPT}),
 * which answers every message on it. A process that {@code connect}s to this node's address with
 * {@code "js"} talks to the script as if the worker were its own. Prints {@code ADDRESS <address>},
 * then runs until its standard input closes.
 *
 * <pre>{@code
 * java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
 *     --enable-native-access=ALL-UNNAMED \
 *     -cp <class path> dev.entangle.remote.js.JsWorkerPeer       # Java 21+
 * }</pre>
 */
public final class JsWorkerPeer {
    /**
     * The worker: the first message brings the port; on it, a number is answered with its double, a
     * string with {@code "js saw <string>"}, an array with its length and sum, anything else with its
     * type; {@code "bye"} closes the port.
     */
    static final String SCRIPT = """
            self.onmessage = (e) => {
              const port = e.ports[0];
              port.onmessage = (m) => {
                const d = m.data;
                if (d === 'bye') {
                  port.close();
                } else if (typeof d === 'number') {
                  port.postMessage(d * 2);
                } else if (typeof d === 'string') {
                  port.postMessage(`js saw ${d}`);
                } else if (Array.isArray(d)) {
                  port.postMessage({ length: d.length, sum: d.reduce((a, b) => a + b, 0) });
                } else {
                  port.postMessage(`unexpected ${typeof d}`);
                }
              };
            };
            """;

    private JsWorkerPeer() {
    }

    public static void main(String[] args) throws Exception {
        RemoteNode.Options options = RemoteNode.options().channel("aeron:udp?endpoint=127.0.0.1:0")
                .termLength(256 * 1024).heartbeatInterval(Duration.ofMillis(50))
                .livenessTimeout(Duration.ofSeconds(1));
        try (RemoteNode node = RemoteNode.start(options); EventLoop loop = EventLoop.start("js-peer")) {
            Worker worker = JsRuntime.newWorker("remote-worker.js", SCRIPT);
            MessagePort port = node.accept("js", loop);
            worker.postMessage("your port", List.of(port)); // the port, and what reaches it, move into the realm
            System.out.println("ADDRESS " + node.address());
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (in.readLine() != null) {
                // the parent closes our stdin (or kills us) to end
            }
            worker.terminate().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
