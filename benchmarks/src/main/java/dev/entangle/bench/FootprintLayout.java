package dev.entangle.bench;

import java.util.Map;
import java.util.TreeMap;

import org.openjdk.jol.info.ClassLayout;
import org.openjdk.jol.info.GraphLayout;
import org.openjdk.jol.vm.VM;

import dev.entangle.EventLoop;
import dev.entangle.MessageChannel;
import dev.entangle.bench.support.Lifecycle;

/**
 * Benchmark 6's field-by-field view (issue 12 item 7): the JOL layout of each class of object an idle
 * {@code MessageChannel} adds to the heap (both ports, what stands behind them, and the owner loop's
 * registration of each port: since branch {@code corecost} the endpoints themselves, before it a
 * {@code ConcurrentHashMap} key set), then the count and bytes per channel of each class among the
 * objects that {@link #CHANNELS} channels add. Classes outside entangle and that map (the JDK's own
 * caches, which the walk itself fills) are left out. Not a JMH benchmark; run it with
 * {@code java -Djol.magicFieldOffset=true -cp benchmarks/target/benchmarks.jar
 * dev.entangle.bench.FootprintLayout}.
 */
public final class FootprintLayout {
    static final int CHANNELS = 100_000;

    private FootprintLayout() {
    }

    public static void main(String[] args) {
        EventLoop loop = EventLoop.start("layout");
        try {
            GraphLayout empty = GraphLayout.parseInstance(loop);
            Object[] many = new Object[CHANNELS];
            for (int i = 0; i < CHANNELS; i++) {
                many[i] = new MessageChannel(loop);
            }
            GraphLayout added = GraphLayout.parseInstance(loop, many).subtract(empty);
            Map<String, Class<?>> counted = new TreeMap<>();
            for (Class<?> c : added.getClasses()) {
                if (counts(c)) {
                    counted.put(c.getName(), c);
                }
            }
            for (Class<?> c : counted.values()) {
                if (!c.isArray()) {
                    System.out.println(ClassLayout.parseClass(c).toPrintable());
                }
            }
            System.out.printf("Per idle channel, from %,d channels:%n", CHANNELS);
            System.out.printf("%10s %10s  %s%n", "objects", "bytes", "class");
            long total = 0;
            for (Class<?> c : counted.values()) {
                long bytes = added.getClassSizes().count(c);
                if (c == Object[].class) {
                    bytes -= VM.current().sizeOf(many); // the array keeping the channels: not counted
                }
                total += bytes;
                System.out.printf("%10.2f %10.1f  %s%n", added.getClassCounts().count(c) / (double) CHANNELS,
                        bytes / (double) CHANNELS, c.getName());
            }
            System.out.printf("%10s %10.1f  total%n", "", total / (double) CHANNELS);
        } finally {
            Lifecycle.close(loop);
        }
    }

    private static boolean counts(Class<?> c) {
        String name = c.getName();
        return name.startsWith("dev.entangle.") || name.equals("java.lang.Object")
               || name.startsWith("java.util.concurrent.ConcurrentHashMap")
                || name.equals("[Ljava.util.concurrent.ConcurrentHashMap$Node;");
    }
}
