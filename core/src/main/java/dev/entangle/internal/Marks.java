package dev.entangle.internal;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Node's {@code markAsUntransferable} / {@code markAsUncloneable}: two sets of objects, by identity,
 * that hold their members weakly (a mark never keeps an object alive).
 *
 * <p>Any thread. Memory consistency effects: marking an object <i>happens-before</i> any clone or
 * transfer that starts after the mark on another thread and observes it (a concurrent-map entry).
 */
public final class Marks {
    private Marks() {
    }

    private static final WeakIdentitySet UNTRANSFERABLE = new WeakIdentitySet();
    private static final WeakIdentitySet UNCLONEABLE = new WeakIdentitySet();

    public static void markUntransferable(Object o) {
        UNTRANSFERABLE.add(o);
    }

    public static boolean isUntransferable(Object o) {
        return UNTRANSFERABLE.contains(o);
    }

    public static void markUncloneable(Object o) {
        UNCLONEABLE.add(o);
    }

    public static boolean isUncloneable(Object o) {
        return UNCLONEABLE.contains(o);
    }

    /** False while no object was ever marked uncloneable: lets the clone skip the lookup entirely. */
    static boolean anyUncloneable() {
        return !UNCLONEABLE.empty;
    }

    private static final class WeakIdentitySet {
        private final ConcurrentHashMap<Key, Boolean> map = new ConcurrentHashMap<>();
        private final ReferenceQueue<Object> cleared = new ReferenceQueue<>();
        /** Sticky false after the first add; volatile: read without the map on the clone's fast path. */
        volatile boolean empty = true;

        void add(Object o) {
            for (Object k; (k = cleared.poll()) != null; ) {
                map.remove(k);
            }
            map.put(new Key(o, cleared), Boolean.TRUE);
            empty = false;
        }

        boolean contains(Object o) {
            return !empty && map.containsKey(new Key(o, null));
        }
    }

    /** A weak reference compared by the identity of its referent. */
    private static final class Key extends WeakReference<Object> {
        private final int hash;

        Key(Object referent, ReferenceQueue<Object> queue) {
            super(referent, queue);
            this.hash = System.identityHashCode(referent);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            if (this == o) {
                return true;
            }
            if (!(o instanceof Key)) {
                return false;
            }
            Object referent = get();
            return referent != null && referent == ((Key) o).get();
        }
    }
}
