// A driver of benchmarks/ab/run.sh (compiled against the first jar given; loaded per jar).
import dev.entangle.*;
public class PPDriver {
  static volatile boolean active;
  static EventLoop loop; static MessagePort mine;
  static final Object PING = "ping";
  public static void init() {
    loop = EventLoop.start("echo", turn -> { if (active) { Thread.onSpinWait(); return false; } return true; });
    MessageChannel ch = new MessageChannel(loop);
    MessagePort theirs = ch.port2();
    theirs.onmessage(e -> theirs.postMessage(e.data()));
    mine = ch.port1();
  }
  static void rt() { mine.postMessage(PING); MessageEvent r; while ((r = mine.receiveMessage()) == null) Thread.onSpinWait(); if (r.data() != PING) throw new AssertionError(); }
  public static long block(int n) {
    active = true;
    for (int i = 0; i < n / 10; i++) rt();
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) rt();
    long ns = (System.nanoTime() - t0) / n;
    active = false;
    rt(); // the loop's next idle turn parks it
    return ns;
  }
}
