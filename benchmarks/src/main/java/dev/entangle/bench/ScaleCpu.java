package dev.entangle.bench;

import java.lang.management.ManagementFactory;

/**
 * Diagnostic companion of {@link Scale} for a loaded machine: the process CPU time per hop (all
 * threads: the pool, GC and JIT threads) beside the wall time, for both rings in the same JVM, rounds
 * alternating {@code entangle} and {@code mailbox}. CPU time per hop counts the work a hop costs
 * (cache misses and GC barrier work included) but not the time the pool threads wait for a core that
 * other processes hold, which is what makes {@code Scale}'s wall-clock score meaningless at a load
 * average of 15 on 2 cores. Not a JMH benchmark: no statistics, only the same-run ratio.
 *
 * <pre>{@code
 * java -cp benchmarks/target/benchmarks.jar dev.entangle.bench.ScaleCpu TOKENS ROUNDS OPS [LOOPS]
 * }</pre>
 * runs {@code ROUNDS} rounds; each round sets up each ring, warms it with {@code OPS / 2} operations
 * of {@link Scale#HOPS} hops, measures {@code OPS} operations and tears it down; {@code LOOPS}
 * (default 10,000, as {@code Scale}'s) sets the ring's size: 100 fits in the caches, which tells the
 * instructions of a hop from its cache misses. {@code
 * -Dscale.threads=1} takes the pool's thread wake-ups out, as for {@code Scale}. Each ring is moved to
 * the old generation by full collections before it runs (see the comment there). Threads: main only.
 */
public final class ScaleCpu {
    private ScaleCpu() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 3 && args.length != 4) {
            throw new IllegalArgumentException("usage: ScaleCpu TOKENS ROUNDS OPS [LOOPS]");
        }
        int tokens = Integer.parseInt(args[0]);
        int rounds = Integer.parseInt(args[1]);
        int ops = Integer.parseInt(args[2]);
        int loops = args.length == 4 ? Integer.parseInt(args[3]) : 10_000;
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int r = 0; r < rounds; r++) {
            for (String impl : new String[] {"entangle", "mailbox"}) {
                Scale scale = new Scale();
                scale.impl = impl;
                scale.loops = loops;
                scale.tokens = tokens;
                scale.setUp();
                // Full collections: the ring's loops, ports and queues move to the old generation, as
                // in a long run (and in JMH's); measured while still young, a hop skips the G1 write
                // barriers a store into an old object pays, and looks several times cheaper.
                System.gc();
                System.gc();
                for (int i = 0; i < ops / 2; i++) {
                    scale.hops();
                }
                long cpu = os.getProcessCpuTime();
                long wall = System.nanoTime();
                for (int i = 0; i < ops; i++) {
                    scale.hops();
                }
                cpu = os.getProcessCpuTime() - cpu;
                wall = System.nanoTime() - wall;
                scale.tearDown();
                double hops = (double) Scale.HOPS * ops;
                System.out.printf("round %d %-8s loops=%d tokens=%d: cpu %.0f ns/hop, wall %.0f ns/hop%n", r,
                        impl, loops, tokens, cpu / hops, wall / hops);
            }
        }
    }
}
