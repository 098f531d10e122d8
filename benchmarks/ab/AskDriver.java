// A driver of benchmarks/ab/run.sh: AskRoundTrip's `ask` row, ns per round trip (Requests.ask from loop A, loop B replies).
import dev.entangle.*;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
public class AskDriver {
  static EventLoop a, b; static MessagePort mine;
  static final Duration TIMEOUT = Duration.ofSeconds(10);
  public static void init() throws Exception {
    a = EventLoop.start("side-a");
    b = EventLoop.start("side-b");
    EventLoop replier = Boolean.getBoolean("ab.oneLoop") ? a : b;
    MessageChannel ch = new MessageChannel(replier);
    CompletableFuture<MessagePort> moved = new CompletableFuture<>();
    MessageChannel carrier = new MessageChannel(a);
    carrier.port2().onmessage(e -> moved.complete(e.ports().get(0)));
    MessagePort theirs = ch.port2();
    theirs.onmessage(e -> Requests.reply(e, e.data()));
    carrier.port1().postMessage(null, java.util.List.of(ch.port1()));
    mine = moved.get();
  }
  static void ask(int left, CompletableFuture<Void> done) {
    Requests.ask(mine, left, TIMEOUT).thenAccept(x -> {
      if (left == 0) done.complete(null); else ask(left - 1, done);
    });
  }
  static void burst(int n) throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    a.execute(() -> ask(n - 1, done));
    done.get();
  }
  public static long block(int n) throws Exception {
    burst(n / 10);
    long t0 = System.nanoTime();
    for (int i = 0; i < n / 100; i++) burst(100);
    return (System.nanoTime() - t0) / n;
  }
}
