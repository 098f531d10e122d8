package dev.entangle.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;

/**
 * The process-wide set of open {@code BroadcastChannel} objects, by name (HTML §9.5): who receives a
 * message posted on a channel of that name, in which order, on which loop.
 *
 * <p>Thread contract: {@link #join}, {@link Topic#leave} and {@link Topic#post} may be called from any
 * thread. {@link Member#deliver} is called only on the member's loop thread.
 *
 * <p>Memory consistency effects: actions of a thread before {@link Topic#post} <i>happen-before</i> the
 * {@link Member#deliver} calls for that message (the loop's run queue publishes the delivery task); a
 * member that has joined before a post begins is among that post's destinations.
 */
public final class BroadcastRegistry {
    /*
     * Implementation overview.
     *
     * `topics` maps a name to its Topic. A Topic holds an immutable Snapshot in a volatile field,
     * replaced copy-on-write under the map's per-key lock (ConcurrentHashMap.compute): join appends
     * (so the member array is in creation order: HTML §9.5 postMessage step "sort destinations in
     * creation order"), leave removes, and an empty topic is removed from the map in the same compute.
     * A member keeps the Topic it joined; only open members are ever in it, so a removed (empty) topic
     * is never posted to again.
     *
     * post() reads the snapshot once (volatile): the destinations are the members that had joined when
     * it was taken; a channel created later never sees the message (WPT basics). The snapshot also
     * groups the members by loop, in creation order within each group, and post() queues ONE task per
     * destination loop that delivers to that group's members in order. The standard queues one task per
     * destination on the DOM manipulation task source; on one loop those tasks run back to back in
     * that order, and the relative order across loops is undefined (§9.5 step 7), so one task per loop
     * is observably the same (WPT "messages are delivered in port creation order") and costs one queue
     * entry per loop rather than per channel. Each member checks its own closed flag when its turn
     * comes (§9.5 step 8.1): a member closed after the post, even by an earlier member's handler in
     * the same task, receives nothing (WPT "closing a channel in onmessage prevents already queued
     * tasks from firing onmessage events"). The source is skipped by identity at delivery (§9.5 step 6).
     *
     * Per-sender order: one thread's posts are queued on each loop's MPSC run queue in program order,
     * and a loop runs its tasks in queue order.
     *
     * A loop that refuses the task (closed) takes its members out of the registry: they are no longer
     * "eligible for messaging" (§9.5). Members of a closed loop that nobody posts to stay until a post
     * to their name or their own close() prunes them (the loop offers no close hook here).
     *
     * Lifetime: the registry holds every member strongly until it leaves (close(), or its loop found
     * closed). The standard only forbids collecting an open channel that has message listeners; like
     * Node, entangle treats every open channel as live.
     */

    /** One open channel object, as the registry sees it. */
    public interface Member {
        /** The loop on which this member's messages are delivered. */
        LoopCore loop();

        /**
         * Delivers one serialized message: checks the closed flag, deserializes, dispatches. Called
         * on {@link #loop()}'s thread; reports its own listener errors.
         */
        void deliver(Object payload);
    }

    private static final ConcurrentHashMap<String, Topic> TOPICS = new ConcurrentHashMap<>();

    private BroadcastRegistry() {
    }

    /**
     * Adds {@code member} as the newest channel named {@code name}; any thread.
     *
     * @return the topic to post to and leave
     */
    public static Topic join(String name, Member member) {
        Objects.requireNonNull(member, "member");
        Topic[] joined = new Topic[1];
        TOPICS.compute(name, (key, topic) -> {
            Topic t = topic != null ? topic : new Topic(key);
            t.snapshot = t.snapshot.with(member); // under the per-key lock: writers are serialized
            joined[0] = t;
            return t;
        });
        return joined[0];
    }

    /** Number of open channels named {@code name} known to the registry; for tests and monitoring. */
    public static int size(String name) {
        Topic t = TOPICS.get(name);
        return t == null ? 0 : t.snapshot.members.length;
    }

    /** The open channels of one name. */
    public static final class Topic {
        private final String name;
        /** Copy-on-write; written under the map's lock for {@code name}, read without a lock. */
        private volatile Snapshot snapshot = Snapshot.EMPTY;

        private Topic(String name) {
            this.name = name;
        }

        /** Removes {@code member} (close(), or its loop closed); idempotent; any thread. */
        public void leave(Member member) {
            TOPICS.computeIfPresent(name, (key, topic) -> {
                if (topic != this) {
                    return topic; // this topic emptied out earlier; the member is not in the new one
                }
                Snapshot next = snapshot.without(member);
                snapshot = next;
                return next.members.length == 0 ? null : this;
            });
        }

        /**
         * Queues the delivery of {@code message} to every member but {@code source}, one task per
         * destination loop; any thread. Each destination gets a serialized form of its own (a form
         * holds its receiver's copies, see {@link StructuredSerialize#serialize}): {@code firstForm}, made
         * by the caller (which thereby found the message cloneable before anything was sent), goes to
         * the first destination, and the others get a fresh {@code serialize(message)} each. Immutable
         * messages cost nothing more: their form is the message itself.
         */
        public void post(Member source, Object message, Object firstForm) {
            boolean firstUsed = false;
            for (Group group : snapshot.groups) { // one volatile read: the destinations
                Member[] members = group.members;
                if (members.length == 1 && members[0] == source) {
                    continue;
                }
                Object[] forms = new Object[members.length];
                for (int i = 0; i < members.length; i++) {
                    if (members[i] != source) {
                        forms[i] = firstUsed ? StructuredSerialize.serialize(message, null) : firstForm;
                        firstUsed = true;
                    }
                }
                try {
                    group.loop.execute(new Delivery(members, source, forms));
                } catch (RejectedExecutionException loopClosed) {
                    for (Member m : members) {
                        leave(m); // no longer eligible for messaging
                    }
                }
            }
        }
    }

    /** Delivers one message to one loop's members in creation order; runs on that loop. */
    private static final class Delivery implements Runnable {
        private final Member[] members;
        private final Member source;
        /** The serialized form for each member, by index; null at the source's index. */
        private final Object[] forms;

        Delivery(Member[] members, Member source, Object[] forms) {
            this.members = members;
            this.source = source;
            this.forms = forms;
        }

        @Override
        public void run() {
            for (int i = 0; i < members.length; i++) {
                Member m = members[i];
                if (m == source) {
                    continue;
                }
                try {
                    m.deliver(forms[i]); // checks its closed flag first (§9.5 step 8.1)
                } catch (Throwable t) {
                    if (LoopCore.isFatal(t)) {
                        throw t; // the JVM is in doubt; a StackOverflowError is not: it has unwound
                    }
                    m.loop().reportError(t); // one member's failure does not stop the others
                }
            }
        }
    }

    /** The members of one loop, in creation order. */
    private static final class Group {
        final LoopCore loop;
        final Member[] members;

        Group(LoopCore loop, Member[] members) {
            this.loop = loop;
            this.members = members;
        }
    }

    /** Immutable: the members in creation order, and the same grouped by loop. */
    private static final class Snapshot {
        static final Snapshot EMPTY = new Snapshot(new Member[0]);

        final Member[] members;
        final Group[] groups;

        Snapshot(Member[] members) {
            this.members = members;
            this.groups = group(members);
        }

        Snapshot with(Member member) {
            Member[] next = Arrays.copyOf(members, members.length + 1);
            next[members.length] = member;
            return new Snapshot(next);
        }

        Snapshot without(Member member) {
            for (int i = 0; i < members.length; i++) {
                if (members[i] == member) {
                    Member[] next = new Member[members.length - 1];
                    System.arraycopy(members, 0, next, 0, i);
                    System.arraycopy(members, i + 1, next, i, members.length - i - 1);
                    return new Snapshot(next);
                }
            }
            return this;
        }

        /** Groups by loop, groups ordered by their oldest member, members in creation order. */
        private static Group[] group(Member[] members) {
            Map<LoopCore, List<Member>> byLoop = new IdentityHashMap<>();
            List<LoopCore> loops = new ArrayList<>(); // first-seen order
            for (Member m : members) {
                byLoop.computeIfAbsent(m.loop(), loop -> {
                    loops.add(loop);
                    return new ArrayList<>();
                }).add(m);
            }
            Group[] groups = new Group[loops.size()];
            for (int i = 0; i < groups.length; i++) {
                LoopCore loop = loops.get(i);
                groups[i] = new Group(loop, byLoop.get(loop).toArray(new Member[0]));
            }
            return groups;
        }
    }
}
