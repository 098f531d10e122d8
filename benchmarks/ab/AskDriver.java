// A driver of benchmarks/ab/run.sh: AskRoundTrip's `ask` row (bursts of 1000, not 100), ns per round trip (Requests.ask from loop A, loop B replies).
import dev.entangle.*;
import java.time.Duration;
import java.lang.management.ManagementFactory;
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
  static long threadA;
  /** Nanoseconds per round: of the wall clock, or with -Dab.cpu=true of loop A's CPU time (with -Dab.oneLoop=true, the CPU of a round). */
  public static long block(int n) throws Exception {
    burst(n / 10);
    if (threadA == 0) { CompletableFuture<Long> id = new CompletableFuture<>(); a.execute(() -> id.complete(Thread.currentThread().getId())); threadA = id.get(); }
    boolean cpu = Boolean.getBoolean("ab.cpu");
    long t0 = cpu ? ManagementFactory.getThreadMXBean().getThreadCpuTime(threadA) : System.nanoTime();
    for (int i = 0; i < n / 1000; i++) burst(1000);
    long t1 = cpu ? ManagementFactory.getThreadMXBean().getThreadCpuTime(threadA) : System.nanoTime();
    return (t1 - t0) / n;
  }
}
