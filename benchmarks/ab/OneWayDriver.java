// A driver of benchmarks/ab/run.sh (compiled against the first jar given; loaded per jar).
import dev.entangle.*;
public class OneWayDriver {
  static EventLoop loop; static MessagePort sender;
  static volatile long consumed; static long c;
  public static void init() {
    loop = EventLoop.start("receiver");
    MessageChannel ch = new MessageChannel(loop);
    ch.port2().onmessage(e -> consumed = ++c);
    sender = ch.port1();
  }
  static long sent;
  static void burst() { for (int i = 0; i < 100; i++) sender.postMessage("m"); sent += 100; while (consumed < sent) Thread.onSpinWait(); }
  public static long block(int n) {
    for (int i = 0; i < n / 1000; i++) burst();
    long t0 = System.nanoTime();
    for (int i = 0; i < n / 100; i++) burst();
    return (System.nanoTime() - t0) / (n / 100); // ns per burst of 100
  }
}
