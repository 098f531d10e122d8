package dev.entangle.stress;

import dev.entangle.EventLoop;

/**
 * Event loops shared by the stress tests of one forked jcstress VM.
 *
 * <p>jcstress creates millions of {@code @State} instances; each must not start a thread of its own.
 * The tests take their loop from here instead: one dedicated loop, started the first time a test asks
 * for it (holder-class idiom), and never closed. Its thread is not a daemon, which is harmless here:
 * the forked jcstress VM ends with {@code System.exit}.
 *
 * <p>Threads: any thread may call {@link #shared()}. Memory consistency effects: the loop is fully
 * started before {@link #shared()} returns it to any thread (class initialization is a
 * <i>happens-before</i> edge).
 */
final class StressLoops {
    private StressLoops() {
    }

    private static final class Holder {
        static final EventLoop SHARED = EventLoop.start("stress-loop");
    }

    /** The loop owning the ports of every test instance in this VM. */
    static EventLoop shared() {
        return Holder.SHARED;
    }
}
