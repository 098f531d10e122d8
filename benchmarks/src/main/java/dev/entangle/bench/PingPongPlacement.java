package dev.entangle.bench;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.openjdk.jol.vm.VM;

import dev.entangle.EventLoop;
import dev.entangle.IdleStrategy;
import dev.entangle.MessageChannel;
import dev.entangle.MessageEvent;
import dev.entangle.MessagePort;
import dev.entangle.bench.support.Lifecycle;

/**
 * A probe for the busy {@link PingPong}'s two modes (issue 12: the same code measures about 1× or 2.3×
 * the raw queues from one fork to the next): sets up the busy echo several times in one JVM, times each
 * setup's round trips, and prints where the objects a round trip touches lie, 64-byte line by line, so
 * that a slow setup can be matched with objects that share a line. Not a JMH benchmark; run it with
 * {@code java -Djol.magicFieldOffset=true -cp benchmarks/target/benchmarks.jar
 * dev.entangle.bench.PingPongPlacement [setups] [gc]}.
 */
public final class PingPongPlacement {
    private static final Object PING = "ping";

    private PingPongPlacement() {
    }

    public static void main(String[] args) throws Exception {
        int setups = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        boolean gc = args.length > 1 && args[1].equals("gc");
        List<Object> keep = new ArrayList<>();
        for (int s = 0; s < setups; s++) {
            EventLoop loop = EventLoop.start("echo-" + s, IdleStrategy.busySpin());
            MessageChannel channel = new MessageChannel(loop);
            MessagePort theirs = channel.port2();
            theirs.onmessage(e -> theirs.postMessage(e.data()));
            MessagePort mine = channel.port1();
            roundTrips(mine, 200_000);
            if (gc) {
                System.gc();
            }
            roundTrips(mine, 200_000);
            long[] batches = new long[15];
            for (int b = 0; b < batches.length; b++) {
                long t0 = System.nanoTime();
                roundTrips(mine, 20_000);
                batches[b] = (System.nanoTime() - t0) / 20_000;
            }
            Arrays.sort(batches);
            System.out.printf("setup %d: median %d ns per round trip (min %d, max %d)%n", s, batches[7],
                    batches[0], batches[batches.length - 1]);
            print(Map.of("mine", mine, "theirs", theirs));
            Lifecycle.close(loop);
            keep.add(channel); // different placement for the next setup
        }
        System.out.println(keep.size());
    }

    private static void roundTrips(MessagePort mine, int n) {
        for (int i = 0; i < n; i++) {
            mine.postMessage(PING);
            MessageEvent reply;
            while ((reply = mine.receiveMessage()) == null) {
                Thread.onSpinWait();
            }
            if (reply.data() != PING) {
                throw new AssertionError(reply.data());
            }
        }
    }

    private record Placed(String path, Object object, long address, long size) {
    }

    private static void print(Map<String, Object> roots) throws IllegalAccessException {
        Map<Object, Placed> seen = new IdentityHashMap<>();
        ArrayDeque<Object[]> work = new ArrayDeque<>();
        roots.forEach((name, o) -> work.add(new Object[] {name, o, 0}));
        while (!work.isEmpty()) {
            Object[] w = work.poll();
            String path = (String) w[0];
            Object o = w[1];
            int depth = (Integer) w[2];
            if (o == null || seen.containsKey(o) || !interesting(o.getClass())) {
                continue;
            }
            seen.put(o, new Placed(path, o, VM.current().addressOf(o), VM.current().sizeOf(o)));
            if (depth >= 5 || o.getClass().isArray()) {
                continue;
            }
            for (Class<?> c = o.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) {
                        continue;
                    }
                    try {
                        f.setAccessible(true);
                    } catch (RuntimeException inaccessible) {
                        continue;
                    }
                    work.add(new Object[] {path + "." + f.getName(), f.get(o), depth + 1});
                }
            }
        }
        List<Placed> placed = new ArrayList<>(seen.values());
        placed.sort(Comparator.comparingLong(Placed::address));
        for (Placed p : placed) {
            long first = p.address() >>> 6;
            long last = (p.address() + p.size() - 1) >>> 6;
            System.out.printf("  %x..%x lines %d-%d (+%d) %4d B %-28s %s%n", p.address(), p.address() + p.size(),
                    first, last, p.address() & 63, p.size(), p.object().getClass().getSimpleName(), p.path());
        }
    }

    private static boolean interesting(Class<?> c) {
        String n = c.getName();
        return n.startsWith("dev.entangle") || n.startsWith("org.jctools") || c == Object[].class;
    }
}
