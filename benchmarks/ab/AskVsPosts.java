// Issue 15's ratio in one JVM, on one pair of loops: blocks of AskRoundTrip's `ask` rounds (Requests.ask
// from loop A, loop B replies) and of its `posts` rounds (A posts, B echoes on a long-lived channel)
// alternate, so that both meet the machine's modes (which move each row of a JMH run, a fork of its own,
// by up to 2x) alike; prints the median and quartiles of the per-pair ratio ask/posts.
//   java -cp benchmarks/target/benchmarks.jar benchmarks/ab/AskVsPosts.java PAIRS ROUNDS BURST
//   e.g. 100 50000 1000 (pairs; rounds per block; rounds per burst, each burst started from the main
//   thread, which waits for its end in CompletableFuture.get: 100 is AskRoundTrip's burst)
import dev.entangle.*;
import dev.entangle.bench.support.Lifecycle;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

public class AskVsPosts {
  static MessagePort askPort, pingPort;
  static volatile CompletableFuture<Void> postsDone;

  public static void main(String[] a) throws Exception {
    int pairs = Integer.parseInt(a[0]), n = Integer.parseInt(a[1]), burst = Integer.parseInt(a[2]);
    EventLoop la = EventLoop.start("side-a"), lb = EventLoop.start("side-b");
    MessagePort[] ask = Lifecycle.entangledAcross(la, lb);
    ask[1].onmessage(e -> Requests.reply(e, e.data()));
    askPort = ask[0];
    MessagePort[] pp = Lifecycle.entangledAcross(la, lb);
    pp[1].onmessage(e -> pp[1].postMessage(e.data()));
    pp[0].onmessage(e -> {
      int left = (Integer) e.data() - 1;
      if (left == 0) postsDone.complete(null); else pp[0].postMessage(left);
    });
    pingPort = pp[0];
    for (int w = 0; w < 20; w++) { askBlock(la, n, burst); postsBlock(la, n, burst); } // warm-up
    double[] r = new double[pairs];
    long[] asks = new long[pairs], posts = new long[pairs];
    for (int p = 0; p < pairs; p++) {
      long x, y;
      if (p % 2 == 0) { x = postsBlock(la, n, burst); y = askBlock(la, n, burst); }
      else { y = askBlock(la, n, burst); x = postsBlock(la, n, burst); } // alternate the order
      posts[p] = x; asks[p] = y; r[p] = y / (double) x;
    }
    Arrays.sort(r); Arrays.sort(asks); Arrays.sort(posts);
    System.out.printf("ask/posts, bursts of %d: median ratio of pairs %.3f (quartiles %.3f, %.3f); median ask %d ns, posts %d ns per round trip%n",
        burst, r[pairs / 2], r[pairs / 4], r[3 * pairs / 4], asks[pairs / 2], posts[pairs / 2]);
    Lifecycle.close(la);
    Lifecycle.close(lb);
  }

  static long askBlock(EventLoop la, int n, int burst) throws Exception {
    long t0 = System.nanoTime();
    for (int i = 0; i < n / burst; i++) {
      CompletableFuture<Void> d = new CompletableFuture<>();
      la.execute(() -> ask(burst, d));
      d.get();
    }
    return (System.nanoTime() - t0) / n;
  }

  static long postsBlock(EventLoop la, int n, int burst) throws Exception {
    long t0 = System.nanoTime();
    Integer rounds = burst;
    for (int i = 0; i < n / burst; i++) {
      CompletableFuture<Void> d = new CompletableFuture<>();
      postsDone = d;
      la.execute(() -> pingPort.postMessage(rounds));
      d.get();
    }
    return (System.nanoTime() - t0) / n;
  }

  /** On loop A: one ask, and the next from its answer, as AskRoundTrip's. */
  static void ask(int left, CompletableFuture<Void> done) {
    Requests.ask(askPort, left, Duration.ofSeconds(10)).thenAccept(x -> {
      if (left == 1) done.complete(null); else ask(left - 1, done);
    });
  }
}
