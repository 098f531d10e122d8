// Harness of benchmarks/ab/run.sh: loads each Driver@jar in its own class loader and alternates their blocks.
import java.lang.reflect.Method;
import java.net.*;
import java.nio.file.*;
import java.util.*;
public class AB {
  public static void main(String[] a) throws Exception {
    int pairs = Integer.parseInt(a[0]), n = Integer.parseInt(a[1]);
    int k = a.length - 2;
    Method[] blocks = new Method[k]; String[] names = new String[k];
    for (int i = 0; i < k; i++) {
      String drvClass = a[2 + i].split("@")[0], jar = a[2 + i].split("@")[1];
      names[i] = drvClass.replace("Driver", "") + "@" + Paths.get(jar).getFileName().toString();
      URLClassLoader l = new URLClassLoader(new URL[] {Paths.get(jar).toUri().toURL(), Paths.get(System.getProperty("ab.drivers")).toUri().toURL()}, ClassLoader.getPlatformClassLoader());
      Class<?> c = Class.forName(drvClass, true, l);
      c.getMethod("init").invoke(null);
      blocks[i] = c.getMethod("block", int.class);
    }
    long[][] t = new long[k][pairs];
    for (int p = -3; p < pairs; p++) {
      StringBuilder sb = new StringBuilder("pair " + p + ":");
      for (int i = 0; i < k; i++) {
        int j = (p & 1) == 0 ? i : k - 1 - i; // alternate the order
        long ns = (Long) blocks[j].invoke(null, n);
        if (p >= 0) t[j][p] = ns;
      }
      if (p >= 0) { for (int i = 0; i < k; i++) sb.append(' ').append(names[i]).append(' ').append(t[i][p]); System.out.println(sb); }
    }
    for (int i = 1; i < k; i++) {
      double[] r = new double[pairs]; for (int p = 0; p < pairs; p++) r[p] = t[i][p] / (double) t[0][p];
      Arrays.sort(r); long[] s0 = t[0].clone(), si = t[i].clone(); Arrays.sort(s0); Arrays.sort(si);
      System.out.printf("%s / %s: median ratio of pairs %.3f (min %.3f max %.3f); medians %d vs %d ns%n", names[i], names[0], r[pairs/2], r[0], r[pairs-1], si[pairs/2], s0[pairs/2]);
    }
    System.exit(0);
  }
}
