// A driver of benchmarks/ab/run.sh (compiled against the first jar given; loaded per jar).
import org.jctools.queues.unpadded.MpscUnboundedUnpaddedArrayQueue;
import java.util.concurrent.locks.LockSupport;
public class RawDriver {
  static volatile boolean active;
  static final MpscUnboundedUnpaddedArrayQueue<Object> pings = new MpscUnboundedUnpaddedArrayQueue<>(32), pongs = new MpscUnboundedUnpaddedArrayQueue<>(32);
  static final Object PING = "ping";
  static Thread echo;
  public static void init() {
    echo = new Thread(() -> { while (true) { if (!active) { LockSupport.park(); continue; } Object m = pings.poll(); if (m != null) pongs.offer(m); else Thread.onSpinWait(); } });
    echo.setDaemon(true); echo.start();
  }
  static void rt() { pings.offer(PING); Object m; while ((m = pongs.poll()) == null) Thread.onSpinWait(); }
  public static long block(int n) {
    active = true; LockSupport.unpark(echo);
    for (int i = 0; i < n / 10; i++) rt();
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) rt();
    long ns = (System.nanoTime() - t0) / n;
    active = false;
    return ns;
  }
}
