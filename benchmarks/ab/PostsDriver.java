// A driver of benchmarks/ab/run.sh: AskRoundTrip's `posts` row (bursts of 1000, not 100), ns per round trip (A posts, B echoes on the same port).
import dev.entangle.*;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CompletableFuture;
public class PostsDriver {
  static EventLoop a, b; static MessagePort mine; static volatile CompletableFuture<Void> done;
  public static void init() throws Exception {
    a = EventLoop.start("side-a");
    b = EventLoop.start("side-b");
    EventLoop replier = Boolean.getBoolean("ab.oneLoop") ? a : b;
    MessageChannel ch = new MessageChannel(replier);
    CompletableFuture<MessagePort> moved = new CompletableFuture<>();
    MessageChannel carrier = new MessageChannel(a);
    carrier.port2().onmessage(e -> moved.complete(e.ports().get(0)));
    MessagePort theirs = ch.port2();
    theirs.onmessage(e -> theirs.postMessage(e.data()));
    carrier.port1().postMessage(null, java.util.List.of(ch.port1()));
    mine = moved.get();
    mine.onmessage(e -> { int left = (Integer) e.data(); if (left == 0) done.complete(null); else mine.postMessage(left - 1); });
  }
  static void burst(int n) throws Exception {
    CompletableFuture<Void> d = new CompletableFuture<>();
    done = d;
    a.execute(() -> mine.postMessage(n - 1));
    d.get();
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
