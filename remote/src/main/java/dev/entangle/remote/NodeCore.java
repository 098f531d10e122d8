package dev.entangle.remote;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.jctools.queues.MpscUnboundedXaddArrayQueue;

import dev.entangle.DOMException;
import dev.entangle.Event;
import dev.entangle.EventLoop;
import dev.entangle.MessageChannel;
import dev.entangle.MessageEvent;
import dev.entangle.MessagePort;
import dev.entangle.StructuredClone;
import dev.entangle.StructuredSerializeOptions;

/**
 * The node's machinery, run by its one thread as an Agrona {@link Agent}: the bridge ports, the links,
 * the peers and the transport.
 *
 * <p>Threads: {@link #submit} and {@link #tryDoWork} from any thread; the Agent methods on the node's
 * thread; everything else inside those, by one thread at a time (see the overview). Memory
 * consistency effects: actions prior to {@link #submit} <i>happen-before</i> the task runs (the MPSC
 * queue's release/acquire, or the same thread); each run of the node's work <i>happens-before</i> the
 * next (the {@code working} flag's release/acquire).
 */
final class NodeCore implements Agent {
    /*
     * Implementation overview.
     *
     * A link bridges one user-facing MessagePort to one link of a peer node. The user's port is
     * entangled, in this JVM, with a *bridge port* owned by the node's own event loop (`bridgeLoop`,
     * a multiplexed loop whose executor is this agent: its turns run on whichever thread runs the
     * node's work, see Threads). What the user posts arrives at the bridge port as a MessageEvent (already cloned by the
     * core); its handler encodes it (WireFormat) into one DATA frame on the peer's route. A DATA frame
     * received for a link is posted, undecoded, to its bridge port as a WireMessage, whose codec decodes
     * it on the user's loop (messageerror there if it cannot). The core thus gives each link its
     * queue, order, close-after-messages and transfer semantics on both sides; the transport's per-route
     * order carries them across.
     *
     * Handshakes. connect(name) makes a link whose peer link is unknown (-1) and sends OPEN; the acceptor
     * matches it with an accept(name) link (whichever comes first waits for the other) and answers
     * OPENED with its link id. A port transferred in a message becomes a new link on the sending side,
     * pending, its id in the DATA frame; the receiver makes a link for it at once (it knows the
     * sender's link id) and answers LINKED. A pending link's bridge port is not started, so what
     * arrives at it (the port's queued and in-flight messages) waits in the core's queue, in order,
     * until its peer link is known. A port transferred again to a third node stays bridged here (this
     * node proxies it; routes are not shortened in this version).
     *
     * Closing. The user closing its port gives the bridge port a close event after everything posted
     * before it (the core's rule); its listener sends CLOSE (at once, or after OPENED/LINKED for a
     * pending link). A CLOSE received closes the bridge port: the user's port gets close after the
     * messages posted to it before. A peer unheard of for the liveness timeout (or that sent BYE, or
     * whose route broke) is lost: its links' bridge ports are closed the same way.
     *
     * Large messages. A DATA frame longer than the route's largest frame goes as consecutive PART
     * frames (written one after the other by this thread on the one route, so nothing comes between
     * them); the receiver appends them to the peer's `assembly` and handles the whole as a DATA frame.
     *
     * Back-pressure. A frame the route refuses (RETRY) goes to its peer's backlog, which keeps the
     * route's order (later frames queue behind it); doWork retries it each cycle. While the backlogs
     * together hold more than backlogLimit frames, doWork runs no bridge-loop turn, so the bridge ports
     * stop draining and bounded user ports fill up and refuse (the grain of Aeron's back-pressure is
     * the route, so the node). Per link there is credit (Protocol.LINK_WINDOW DATA frames sent and not
     * yet handed to the receiving port): inbound, a message whose bounded user port is full is held
     * in its link's `held` queue (later ones of that link behind it; other links go on) and posted
     * again each cycle; the receiver gives credit back (CREDIT) as it hands messages over. Outbound,
     * a link without credit keeps its encoded frames in `waiting` and pauses: its bridge port is moved
     * to a new, unstarted port object (a bridge-loop task, outside the port's dispatch), so that what
     * the user posts stays in the core's queue and a bounded user port refuses; CREDIT sends what
     * waits and starts the port again. A close (user's, far node's, lost peer's) comes after what was
     * held or waited, as after any message.
     *
     * Threads. The node's work (a duty cycle: queued tasks, held messages, the transport's own work
     * (that of a media driver without threads), received frames, backlogs, timers; or one
     * bridge-loop turn) runs on one thread at a time, under `working`, a flag taken by CAS and
     * released by a volatile write (its release/acquire hands every other field from one worker to
     * the next):
     * - the node's own thread (an AgentRunner) runs duty cycles;
     * - a thread whose postMessage makes the bridge loop submit a turn runs that turn itself if the
     *   flag is free (and the backlogs are within their limit): it encodes and offers its own message,
     *   with no hand-off to the node's thread; else the turn goes to `tasks` (MPSC) and the node's
     *   thread is unparked;
     * - a loop whose idle strategy is RemoteNode.idleStrategy runs duty cycles when idle, so that
     *   what arrives for its ports is taken from Aeron by its own thread. While loops do so (within
     *   DRIVEN_NANOS), the node's thread neither polls Aeron nor takes the flag unless a task, a
     *   backlog or a timer waits for it;
     * - the thread that drove the node last (`driver`) runs its first turn after a duty cycle at
     *   once, as any poster does (a round trip's post goes at once), but a second one before its
     *   next cycle (a burst of posts) goes to `tasks` for that cycle: what it posts meanwhile
     *   queues behind that turn in the core, so the rest of the burst is drained, encoded and
     *   offered in one turn, by the driver, when it next idles. Only within DEFER_NANOS of its last
     *   cycle, and the node's thread leaves such a turn alone for as long (it runs it after that:
     *   a driver that stopped driving strands nothing);
     * - whoever holds the flag runs what is submitted meanwhile on its own thread before letting go
     *   (`worker`: a port started by a CREDIT or LINKED frame of the cycle, a turn that resubmits
     *   itself, a pause), instead of handing it to the node's thread; what is left at the unlock
     *   (more than a batch) wakes the node's thread.
     * A refused offer (RETRY) with a driver without threads runs that driver and offers again, up
     * to OFFER_RETRIES times, before the frame goes to the backlog (the driver advances an IPC
     * publication's limit only when run, as a raw Aeron sender's wait loop runs it); a frame sent
     * while the peer's backlog holds some first tries to flush it, so one refused frame does not
     * make every later one wait for the next duty cycle as a copy.
     * Nobody waits for the flag except onClose (a cycle is short); `thread` is volatile (written once
     * in onStart, read by submitters to unpark it). Public entry points hand their work over as
     * bridge-loop tasks.
     */

    private static final long UNKNOWN = -1;
    private static final int TASK_BATCH = 64;
    /** Frames a duty cycle reads at most (those in BATCH frames counted one by one), so a driving loop's dispatch after it stays short. */
    private static final int POLL_LIMIT = 64;
    /** Transport frames per poll call within a cycle (a BATCH holds tens of frames). */
    private static final int POLL_CHUNK = 4;
    private static final long DRIVEN_NANOS = 200_000;
    /**
     * How long after its last duty cycle a driving thread's posts may still wait for its next one;
     * after that they run at once again (a thread that stopped driving).
     */
    private static final long DEFER_NANOS = 1_000_000;
    private static final long[] NO_LINKS = {};
    /** Times a refused offer runs a driver without threads and offers again before the frame goes to the backlog. */
    private static final int OFFER_RETRIES = 4;

    private final Transport transport;
    private final long nodeId = ThreadLocalRandom.current().nextLong();
    private final ClassLoader loader;
    private final long heartbeatNanos;
    private final long livenessNanos;
    private final long connectNanos;
    private final Consumer<Throwable> errors;
    private final Queue<Runnable> tasks = new MpscUnboundedXaddArrayQueue<>(256);
    private final ExpandableArrayBuffer out = new ExpandableArrayBuffer(4096);
    private final ExpandableArrayBuffer parts = new ExpandableArrayBuffer(4096);

    private final Map<Long, Link> links = new HashMap<>();
    private final Map<String, Peer> peersByAddress = new HashMap<>();
    private final Map<Long, Peer> peersById = new HashMap<>();
    private final Map<String, ArrayDeque<Link>> acceptors = new HashMap<>();
    private final Map<String, ArrayDeque<PendingOpen>> pendingOpens = new HashMap<>();
    private final Transport.FrameHandler onFrame = this::onFrame;
    private final List<Peer> brokenPeers = new ArrayList<>();
    /** Peers sent a small frame in this run of the node's work, whose batch goes at its end (see Peer.send). */
    private final List<Peer> batching = new ArrayList<>();
    private final int backlogLimit;
    private final int portCapacity;
    /** Frames waiting in all peers' backlogs. */
    private int backlogFrames;
    /** Links holding received messages that their full bounded ports refused, in arrival order. */
    private final Set<Link> heldLinks = new LinkedHashSet<>();
    private long nextLinkId = 1;
    private long nextTimerCheck;
    /** When the running duty cycle began (System.nanoTime): the time a frame read in it was heard. */
    private long cycleStart;
    /** Frames read in the running duty cycle's poll (a BATCH and each frame in it). */
    private int framesInCycle;
    /** The peer whose frame was read last (frames come in runs from one peer), or null; never a lost one. */
    private Peer lastSender;
    /**
     * When a loop's idle strategy last ran a duty cycle (System.nanoTime). Written under the lock;
     * also read without it by doWork, as the other fields of its heuristic are (a stale value only
     * makes the node's thread take the lock, or skip a cycle, once more).
     */
    private long lastDrivenByLoop = System.nanoTime() - 2 * DRIVEN_NANOS;
    private volatile Thread thread;
    /** Set while a thread runs the node's work (a duty cycle or a bridge-loop turn); see {@link #tryLock}. */
    @SuppressWarnings("unused") // accessed through WORKING
    private boolean working;
    /** Set under the lock by onClose: no duty cycle runs after it. */
    private boolean closed;

    private static final java.lang.invoke.VarHandle WORKING;

    static {
        try {
            WORKING = java.lang.invoke.MethodHandles.lookup().findVarHandle(NodeCore.class, "working", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    EventLoop bridgeLoop;

    NodeCore(Transport transport, ClassLoader loader, long heartbeatNanos, long livenessNanos,
            long connectNanos, int backlogLimit, int portCapacity, Consumer<Throwable> errors) {
        this.backlogLimit = backlogLimit;
        this.portCapacity = portCapacity;
        this.transport = transport;
        this.loader = loader;
        this.heartbeatNanos = heartbeatNanos;
        this.livenessNanos = livenessNanos;
        this.connectNanos = connectNanos;
        this.errors = errors;
        WireMessage.ensureRegistered();
    }

    /**
     * The bridge loop's executor: runs a turn at once on the calling thread if no other thread is
     * running the node's work and the backlogs are within their limit (the poster's thread then
     * encodes and offers its own message: no hand-off to the node's thread), else queues it for the
     * node's thread and wakes that. Any thread.
     */
    void submit(Runnable task) {
        Thread current = Thread.currentThread();
        if (worker == current) {
            // The thread running the node's work submits (a port started in a duty cycle, a turn
            // resubmitting itself, a task): it runs it before it lets go of the lock.
            tasks.offer(task);
            return;
        }
        if (driver == current) {
            long now;
            if (driverSubmitted && (now = System.nanoTime()) - lastDrivenByLoop < DEFER_NANOS) {
                // The thread that drives the node submits again before its next duty cycle (a burst
                // of posts): this turn waits for that cycle (its loop's idle, its next idle(0)), and
                // what it posts meanwhile queues behind it, so the rest of the burst is one turn.
                tasks.offer(task);
                lastDeferral = now;
                deferredTurns++;
                return;
            }
            driverSubmitted = true; // the first since its cycle goes at once (a round trip's post)
        }
        if (backlogFrames <= backlogLimit && tryLock()) { // a racy read: the locked run checks again
            try {
                if (!closed && backlogFrames <= backlogLimit) {
                    runTask(task);
                    runTasks(TASK_BATCH); // what the turn submitted (a turn resubmitting itself, a pause)
                    return;
                }
            } finally {
                unlock();
            }
        }
        tasks.offer(task);
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            LockSupport.unpark(t); // the idle strategy may be parked
        }
    }

    private void runTask(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            errors.accept(t);
        }
    }

    /** The thread that last ran a duty cycle through a loop's idle strategy, or null; written under the lock, read racily. */
    private Thread driver;
    /** The driver has submitted a turn since its last duty cycle; written by the driver only (plain). */
    private boolean driverSubmitted;
    /** Turns that waited for their driver's next cycle (statistics, for tests; the driver's thread writes it). */
    private long deferredTurns;
    /** BATCH frames sent (statistics, for tests); volatile so that any thread may read it. */
    private volatile long batchesSent;
    /** When a driver last left a turn for its next cycle (System.nanoTime); written by the driver, read racily. */
    private long lastDeferral = System.nanoTime() - 2 * DEFER_NANOS;

    /** The thread holding the lock, or null; plain: only the holder's own writes can make it equal to itself. */
    private Thread worker;

    private boolean tryLock() {
        if (!lvWorking() && casWorking(false, true)) {
            worker = Thread.currentThread();
            return true;
        }
        return false;
    }

    private void unlock() {
        flushBatches();
        if (!tasks.isEmpty() && backlogFrames <= backlogLimit) {
            Thread t = thread;
            if (t != null && t != Thread.currentThread()) {
                LockSupport.unpark(t); // what the holder left for the node's thread
            }
        }
        worker = null;
        svWorking(false);
    }

    /** Offers every peer's batch of small frames (the end of a run of the node's work, under the lock). */
    private void flushBatches() {
        if (!batching.isEmpty()) {
            for (int i = 0; i < batching.size(); i++) {
                Peer peer = batching.get(i);
                peer.flushBatch();
                peer.sentInRun = false;
            }
            batching.clear();
        }
    }

    /** Runs up to {@code limit} queued tasks while the backlogs are within their limit; returns how many ran. */
    private int runTasks(int limit) {
        int ran = 0;
        Runnable task;
        while (backlogFrames <= backlogLimit && ran < limit && (task = tasks.poll()) != null) {
            runTask(task);
            ran++;
        }
        return ran;
    }

    private boolean lvWorking() {
        return (boolean) WORKING.getVolatile(this);
    }

    private boolean casWorking(boolean expect, boolean value) {
        return WORKING.compareAndSet(this, expect, value);
    }

    private void svWorking(boolean value) {
        WORKING.setVolatile(this, value);
    }

    /**
     * The node's thread's idle strategy: {@code inner}, except while loops drive the node (one ran a
     * duty cycle within {@link #DRIVEN_NANOS}): then an idle turn parks (from a quarter of that,
     * doubling up to 1 ms, or until a submit unparks it) instead of spinning or yielding first, so
     * that on a small machine the node's thread takes no core from the threads driving it, and does
     * not, having stood in for a descheduled loop once, go on spinning beside them. Node's thread only.
     */
    IdleStrategy nodeThreadIdle(IdleStrategy inner) {
        return new IdleStrategy() {
            private static final long MIN_PARK = DRIVEN_NANOS / 4;
            private static final long MAX_PARK = 1_000_000;
            private long park = MIN_PARK;

            @Override
            public void idle(int workCount) {
                if (workCount > 0) {
                    reset();
                } else if (System.nanoTime() - lastDrivenByLoop < DRIVEN_NANOS) { // racy read: a heuristic
                    LockSupport.parkNanos(park);
                    park = Math.min(park * 2, MAX_PARK);
                } else {
                    inner.idle(workCount);
                }
            }

            @Override
            public void idle() {
                inner.idle();
            }

            @Override
            public void reset() {
                inner.reset();
                park = MIN_PARK;
            }

            @Override
            public String alias() {
                return "entangle-remote-node";
            }
        };
    }

    /**
     * Runs the queued turns and tasks (a driver's burst waiting for its next cycle among them) on
     * the calling thread, until none is left, the backlogs are over their limit, or the time is up:
     * called by {@link RemoteNode#close()} before the bridge loop closes its ports, so that what was
     * posted before the close is sent first. Any thread.
     */
    void runQueued(long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        while (!tasks.isEmpty() && backlogFrames <= backlogLimit && System.nanoTime() - deadline < 0) {
            if (tryLock()) {
                try {
                    if (!closed) {
                        runTasks(TASK_BATCH);
                    }
                } finally {
                    unlock();
                }
            } else {
                Thread.onSpinWait(); // another thread runs the node's work: it runs the tasks too
            }
        }
    }

    /** True if {@code t} is the thread that last drove the node (ran a duty cycle through an idle strategy). Tests. */
    boolean drivenBy(Thread t) {
        return driver == t;
    }

    /** {@return how many turns waited for their driving thread's next cycle} Read on that thread (tests). */
    long deferredTurns() {
        return deferredTurns;
    }

    /** {@return how many BATCH frames this node sent} Any thread (tests). */
    long batchesSent() {
        return batchesSent;
    }

    String localAddress() {
        return transport.localAddress();
    }

    @Override
    public String roleName() {
        return "entangle-remote-node";
    }

    @Override
    public void onStart() {
        thread = Thread.currentThread();
    }

    /**
     * One duty cycle on the node's thread, unless another thread is running one (then 0): see
     * {@link #tryDoWork()}.
     */
    @Override
    public int doWork() {
        // While loops drive the node, its thread does not even take the lock (where it would make a
        // poster hand its turn over) unless something waits for it; a turn that a driving thread
        // left for its own next cycle (a burst) does not count, within DEFER_NANOS. Racy reads of
        // fields the lock guards: a heuristic only, the locked cycle decides.
        long now = System.nanoTime();
        boolean driven = now - lastDrivenByLoop < DRIVEN_NANOS;
        boolean deferring = now - lastDeferral < DEFER_NANOS;
        if ((driven && tasks.isEmpty() || deferring) && backlogFrames == 0 && heldLinks.isEmpty()
                && now - nextTimerCheck < 0) {
            return 0;
        }
        return tryDoWork(true);
    }

    /**
     * One duty cycle (queued tasks, received frames, backlogs, timers) on the calling thread, if no
     * other thread is running the node's work; returns the work done (0 if it did not run). Any
     * thread: the node's own, or a loop's idle strategy ({@link RemoteNode#idleStrategy}).
     */
    int tryDoWork() {
        return tryDoWork(false);
    }

    private int tryDoWork(boolean nodeThread) {
        if (!tryLock()) {
            return 0;
        }
        try {
            return closed ? 0 : duty(nodeThread);
        } finally {
            unlock();
        }
    }

    /**
     * One duty cycle, under the lock. While loops drive the node (one ran a cycle within the last
     * {@link #DRIVEN_NANOS}), the node's thread leaves Aeron to them: two threads polling one
     * subscription on a small machine would only take turns at the lock and the cores.
     */
    private int duty(boolean nodeThread) {
        long start = System.nanoTime();
        cycleStart = start;
        boolean poll = !nodeThread || start - lastDrivenByLoop > DRIVEN_NANOS;
        if (!nodeThread) {
            lastDrivenByLoop = start;
            driver = worker;
            driverSubmitted = false;
        }
        // Over the backlog limit, the bridge loop does not run: its ports keep what users post (a
        // bounded port then refuses more: QuotaExceededError, offerMessage false).
        int work = runTasks(TASK_BATCH);
        if (!heldLinks.isEmpty()) {
            work += handHeld();
        }
        try {
            work += transport.doWork(); // a driver without threads: sends what was offered, receives
        } catch (RuntimeException e) {
            errors.accept(e);
        }
        if (poll) {
            try {
                framesInCycle = 0;
                int polled;
                do {
                    polled = transport.poll(onFrame, POLL_CHUNK);
                    work += polled;
                } while (polled == POLL_CHUNK && framesInCycle < POLL_LIMIT);
            } catch (RuntimeException e) {
                errors.accept(e);
            }
        }
        if (backlogFrames > 0) {
            for (Peer peer : peersByAddress.values()) {
                if (!peer.backlog.isEmpty()) {
                    work += peer.flush();
                }
            }
        }
        work += runTasks(TASK_BATCH); // what this cycle's frames started (a link given credit, a port linked)
        loseBrokenPeers();
        if (start - nextTimerCheck >= 0) { // the cycle's start: a cycle is short beside a heartbeat
            nextTimerCheck = start + heartbeatNanos;
            checkPeers(System.nanoTime());
        }
        loseBrokenPeers();
        if (!nodeThread && work > 0) {
            // A long cycle (a burst drained) still counts as driving from its end, so that the
            // node's thread does not take over while the driver posts its next burst.
            lastDrivenByLoop = System.nanoTime();
        }
        return work;
    }

    @Override
    public void onClose() {
        while (!tryLock()) { // a loop's idle strategy may be running a duty cycle: it is short
            Thread.onSpinWait();
        }
        try {
            closed = true;
            sayBye();
        } finally {
            unlock();
        }
    }

    private void sayBye() {
        flushBatches(); // what was sent goes before BYE
        for (Peer peer : peersByAddress.values()) {
            int at = Protocol.header(out, Protocol.BYE, nodeId);
            at = Protocol.putString(out, at, transport.localAddress());
            peer.route.offer(out, 0, at); // best effort: a peer that misses it times us out
        }
        transport.close();
    }

    // ------------------------------------------------------------------------------- public requests

    /** On the bridge loop: makes the link of a connect and sends OPEN. */
    void connect(MessagePort bridge, String address, String name) {
        Peer peer = peer(address);
        Link link = newLink(bridge, peer, UNKNOWN);
        int at = Protocol.header(out, Protocol.OPEN, nodeId);
        at = Protocol.putString(out, at, transport.localAddress());
        at = Protocol.putString(out, at, name);
        out.putLong(at, link.id);
        peer.send(out, at + 8);
    }

    /** On the bridge loop: makes the link of an accept, matched now or by a later OPEN. */
    void accept(MessagePort bridge, String name) {
        ArrayDeque<PendingOpen> opens = pendingOpens.get(name);
        if (opens != null) {
            PendingOpen open = opens.poll();
            if (opens.isEmpty()) {
                pendingOpens.remove(name);
            }
            opened(newLink(bridge, open.peer, open.connectorLink)); // lose() drops a lost peer's opens
            return;
        }
        Link link = new Link(nextLinkId++, bridge, null, UNKNOWN);
        link.listenForClose();
        acceptors.computeIfAbsent(name, k -> new ArrayDeque<>()).add(link);
    }

    private Link newLink(MessagePort bridge, Peer peer, long peerLink) {
        Link link = new Link(nextLinkId++, bridge, peer, peerLink);
        links.put(link.id, link);
        peer.links.add(link);
        link.listenForClose();
        return link;
    }

    /** Acceptor side: the link knows its peer link; tell the connector and start. */
    private void opened(Link link) {
        int at = Protocol.header(out, Protocol.OPENED, nodeId);
        at = Protocol.putString(out, at, transport.localAddress());
        out.putLong(at, link.peerLink);
        out.putLong(at + 8, link.id);
        link.peer.send(out, at + 16);
        link.established();
    }

    // ----------------------------------------------------------------------------------- peers

    private Peer peer(String address) {
        Peer peer = peersByAddress.get(address);
        if (peer == null) {
            peer = new Peer(address, transport.route(address));
            peersByAddress.put(address, peer);
        }
        return peer;
    }

    private void checkPeers(long now) {
        List<Peer> lost = null;
        for (Peer peer : peersByAddress.values()) {
            long silence = now - peer.lastHeard;
            if (silence > (peer.heard ? livenessNanos : connectNanos)) {
                if (lost == null) {
                    lost = new ArrayList<>();
                }
                lost.add(peer);
            } else if (peer.backlog.isEmpty()) {
                int at = Protocol.header(out, Protocol.HEARTBEAT, nodeId);
                at = Protocol.putString(out, at, transport.localAddress());
                peer.route.offer(out, 0, at); // not kept if refused: the next one follows
            }
        }
        if (lost != null) {
            lost.forEach(this::lose);
        }
    }

    /** Loses the peers whose route broke while sending (deferred: senders may be iterating peers). */
    private void loseBrokenPeers() {
        if (!brokenPeers.isEmpty()) {
            List<Peer> broken = List.copyOf(brokenPeers);
            brokenPeers.clear();
            broken.forEach(this::lose);
        }
    }

    /** The peer is gone: its links' user ports get close, after what had arrived. */
    private void lose(Peer peer) {
        if (peer.lost) {
            return;
        }
        peer.lost = true;
        if (lastSender == peer) {
            lastSender = null;
        }
        backlogFrames -= peer.backlog.size();
        peer.backlog.clear();
        peersByAddress.remove(peer.address);
        if (peer.id != 0) {
            peersById.remove(peer.id);
        }
        for (Link link : List.copyOf(peer.links)) {
            links.remove(link.id);
            link.closed = true;
            link.closeAfterHeld(); // what had arrived first, then close
        }
        peer.links.clear();
        for (Iterator<ArrayDeque<PendingOpen>> opens = pendingOpens.values().iterator(); opens.hasNext();) {
            ArrayDeque<PendingOpen> ofName = opens.next();
            ofName.removeIf(open -> open.peer == peer);
            if (ofName.isEmpty()) {
                opens.remove();
            }
        }
        peer.route.close();
    }

    // ----------------------------------------------------------------------------------- inbound

    private boolean onFrame(DirectBuffer buffer, int offset, int length) {
        framesInCycle++;
        try {
            if (length < Protocol.HEADER_LENGTH || Protocol.version(buffer, offset) != Protocol.VERSION) {
                throw new IllegalArgumentException("frame of protocol version "
                        + (length > 0 ? Protocol.version(buffer, offset) : -1) + " (" + length
                        + " bytes) dropped; this node speaks " + Protocol.VERSION);
            }
            byte type = Protocol.type(buffer, offset);
            if (type == Protocol.BATCH) {
                onBatch(buffer, offset, length);
                return true;
            }
            long senderId = Protocol.nodeId(buffer, offset);
            Protocol.Body body = new Protocol.Body(buffer, offset, length);
            Peer peer;
            if (type == Protocol.DATA || type == Protocol.LINKED || type == Protocol.CLOSE
                    || type == Protocol.PART || type == Protocol.CREDIT) {
                Peer last = lastSender; // a run of one peer's frames needs no map look-up (nor a boxed id)
                peer = last != null && last.id == senderId ? last : peersById.get(senderId);
                lastSender = peer;
                if (peer == null) {
                    throw new IllegalArgumentException("frame type " + type + " from unknown node " + senderId);
                }
            } else {
                String address = body.getString();
                peer = peer(address);
                if (peer.id != senderId) {
                    if (peer.id != 0) { // the node at that address restarted: its links are gone
                        lose(peer);
                        peer = peer(address);
                    }
                    peer.id = senderId;
                    peersById.put(senderId, peer);
                }
            }
            peer.heard = true;
            peer.lastHeard = cycleStart;
            switch (type) {
                case Protocol.HEARTBEAT:
                    break;
                case Protocol.OPEN:
                    onOpen(peer, body.getString(), body.getLong());
                    break;
                case Protocol.OPENED:
                case Protocol.LINKED:
                    onLinked(peer, body.getLong(), body.getLong());
                    break;
                case Protocol.DATA:
                    onData(peer, body);
                    break;
                case Protocol.CLOSE:
                    onClose(peer, body.getLong());
                    break;
                case Protocol.PART:
                    onPart(peer, body);
                    break;
                case Protocol.CREDIT:
                    onCredit(peer, body.getLong(), body.getInt());
                    break;
                case Protocol.BYE:
                    lose(peer);
                    break;
                default:
                    throw new IllegalArgumentException("unknown frame type " + type);
            }
        } catch (RuntimeException e) {
            errors.accept(e);
        }
        return true;
    }

    /** A BATCH frame: each frame in it, in order, as if received alone (a BATCH in a BATCH is malformed). */
    private void onBatch(DirectBuffer buffer, int offset, int length) {
        int end = offset + length;
        int at = offset + Protocol.HEADER_LENGTH;
        while (at < end) {
            int frameLength = at + 4 <= end ? buffer.getInt(at) : -1;
            if (frameLength < Protocol.HEADER_LENGTH || frameLength > end - at - 4) {
                throw new IllegalArgumentException("malformed BATCH frame: a frame of " + frameLength + " bytes at "
                        + (at - offset) + " of " + length + "; the rest dropped");
            }
            if (Protocol.type(buffer, at + 4) == Protocol.BATCH) {
                errors.accept(new IllegalArgumentException("a BATCH frame inside a BATCH frame: dropped"));
            } else {
                onFrame(buffer, at + 4, frameLength);
            }
            at += 4 + frameLength;
        }
    }

    private void onOpen(Peer peer, String name, long connectorLink) {
        ArrayDeque<Link> waiting = acceptors.get(name);
        Link link = waiting == null ? null : waiting.poll();
        if (waiting != null && waiting.isEmpty()) {
            acceptors.remove(name);
        }
        if (link == null) {
            pendingOpens.computeIfAbsent(name, k -> new ArrayDeque<>()).add(new PendingOpen(peer, connectorLink));
            return;
        }
        if (link.closed) { // the user closed the accepted port before anyone connected
            sendClose(peer, connectorLink);
            onOpen(peer, name, connectorLink);
            return;
        }
        link.peer = peer;
        link.peerLink = connectorLink;
        links.put(link.id, link);
        peer.links.add(link);
        opened(link);
    }

    private void onLinked(Peer peer, long target, long peerLink) {
        Link link = links.get(target);
        if (link == null || link.peerLink != UNKNOWN || link.peer != peer) {
            throw new IllegalArgumentException("OPENED/LINKED from " + peer.address + " for link " + target
                    + ", which does not wait for it: dropped");
        }
        link.peerLink = peerLink;
        if (link.closed) {
            links.remove(link.id);
            link.peer.links.remove(link);
            sendClose(link.peer, peerLink);
        } else {
            link.established();
        }
    }

    private void onClose(Peer peer, long target) {
        Link link = links.get(target);
        if (link != null && link.peer != peer) {
            throw new IllegalArgumentException("CLOSE from " + peer.address + " for link " + target
                    + ", which is not its peer: dropped");
        }
        links.remove(target);
        if (link != null) {
            link.peer.links.remove(link);
            link.closed = true;
            link.closeAfterHeld();
            // Frames that wait for credit go now: the far node drops them and closes the ports in
            // them (a message to a closed port), so that their partners here get close.
            for (byte[] frame = pollWaiting(link); frame != null; frame = pollWaiting(link)) {
                out.putBytes(0, frame);
                sendData(peer, frame.length);
            }
        }
    }

    private static byte[] pollWaiting(Link link) {
        if (link.waiting == null) {
            return null;
        }
        byte[] frame = link.waiting.poll();
        if (link.waiting.isEmpty()) {
            link.waiting = null;
        }
        return frame;
    }

    private void onData(Peer peer, Protocol.Body body) {
        long target = body.getLong();
        int flags = body.getByte();
        int portCount = body.getCount(8);
        long[] portLinks = portCount == 0 ? NO_LINKS : new long[portCount];
        for (int i = 0; i < portCount; i++) {
            portLinks[i] = body.getLong();
        }
        Link link = links.get(target);
        if (link != null && link.peer != peer) {
            throw new IllegalArgumentException("DATA for link " + target + " from node " + peer.address
                    + ", which is not its peer: dropped");
        }
        if (link == null || link.closed) {
            for (long portLink : portLinks) {
                sendClose(peer, portLink); // a message to a closed port: its ports are closed
            }
            return;
        }
        if (portCount == 0 && flags == 0) {
            // A scalar (null, a boxed primitive, a String) is decoded here and posted as it is: the
            // core passes such immutable values without a copy, and the receiver could not fail to
            // decode what decodes here. Anything else, or bytes that do not decode, go as a
            // WireMessage, decoded on the receiving loop (messageerror there if they cannot be).
            Object scalar = WireFormat.decodeScalar(body.in, body.position, body.end - body.position);
            if (scalar != WireFormat.NOT_SCALAR) {
                deliver(link, scalar, List.of());
                return;
            }
        }
        byte[] rest = body.rest();
        List<MessagePort> ports = portCount == 0 ? List.of() : new ArrayList<>(portCount);
        for (long portLink : portLinks) {
            MessageChannel channel = portCapacity > 0 ? MessageChannel.bounded(bridgeLoop, portCapacity)
                    : new MessageChannel(bridgeLoop);
            Link arrived = newLink(channel.port1(), peer, portLink);
            int at = Protocol.header(out, Protocol.LINKED, nodeId);
            out.putLong(at, portLink);
            out.putLong(at + 8, arrived.id);
            peer.send(out, at + 16); // before anything the new link sends
            arrived.established();
            ports.add(channel.port2());
        }
        WireMessage message = (flags & Protocol.DATA_FLAG_NOT_ENCODABLE) != 0
                ? WireMessage.notEncodable(new String(rest, java.nio.charset.StandardCharsets.UTF_8))
                : WireMessage.of(rest, portCount == 0 ? ports : List.copyOf(ports), loader);
        deliver(link, message, ports);
    }

    /**
     * Hands a received message to the link's bridge port, or, while that port's bounded partner is
     * full (or earlier messages wait), keeps it in the link's held queue, in order; other links go on.
     */
    private void deliver(Link link, Object message, List<MessagePort> ports) {
        if (link.held == null && Held.post(link.bridge, message, ports)) {
            handedOver(link);
            return;
        }
        if (link.held == null) {
            link.held = new ArrayDeque<>();
            heldLinks.add(link);
        }
        link.held.add(new Held(message, ports));
    }

    /** Hands what the links hold to their ports while there is room; returns how many went. */
    private int handHeld() {
        int work = 0;
        for (Iterator<Link> it = heldLinks.iterator(); it.hasNext();) {
            Link link = it.next();
            Held next;
            while ((next = link.held.peek()) != null) {
                boolean taken;
                try {
                    taken = Held.post(link.bridge, next.message, next.ports);
                } catch (RuntimeException e) {
                    errors.accept(e);
                    taken = true; // dropped: it cannot go
                }
                if (!taken) {
                    break;
                }
                link.held.poll();
                work++;
                handedOver(link);
            }
            if (link.held.isEmpty()) {
                link.held = null;
                it.remove();
                if (link.closeWhenHandedOver) {
                    link.bridge.close(); // after what had arrived
                }
            }
        }
        return work;
    }

    /** One more of the link's messages is at its port: credit for the sender, by the batch. */
    private void handedOver(Link link) {
        if (++link.handedOver >= Protocol.CREDIT_BATCH && !link.closed) {
            int at = Protocol.header(out, Protocol.CREDIT, nodeId);
            out.putLong(at, link.peerLink);
            out.putInt(at + 8, link.handedOver);
            link.peer.send(out, at + 12);
            link.handedOver = 0;
        }
    }

    /** The far node handed {@code count} more of this link's messages to its port. */
    private void onCredit(Peer peer, long target, int count) {
        Link link = links.get(target);
        if (link == null) {
            return; // closed meanwhile
        }
        if (link.peer != peer || count <= 0) {
            throw new IllegalArgumentException("CREDIT " + count + " from " + peer.address + " for link " + target
                    + ", which is not its peer's or not positive: dropped");
        }
        link.credit += count;
        while (link.waiting != null && link.credit > 0) { // the frames that waited for credit go first
            byte[] frame = pollWaiting(link);
            out.putBytes(0, frame);
            link.credit--;
            sendData(peer, frame.length);
        }
        if (link.waiting == null && link.closeAfterWaiting) {
            link.closeAfterWaiting = false;
            links.remove(link.id);
            peer.links.remove(link);
            sendClose(peer, link.peerLink);
            return;
        }
        if (link.paused && link.credit > 0 && link.waiting == null && !link.closed) {
            link.paused = false;
            link.established(); // its bridge port dispatches again: what waited there goes, in order
        }
    }

    /**
     * Without credit: stops taking messages from the link's bridge port, by moving that port (with
     * its queue) to a new, unstarted port object; its bounded partner then fills and refuses. A
     * bridge-loop task, so it never runs inside the port's own dispatch. Credit starts it again.
     */
    private void pause(Link link) {
        link.pausing = false;
        if (link.closed || link.paused || link.credit > 0 && link.waiting == null) {
            return; // closed, or credit came meanwhile
        }
        link.bridge = StructuredClone.structuredClone(link.bridge, StructuredSerializeOptions.transfer(link.bridge));
        link.paused = true;
        link.listenForClose();
    }

    /** A received message held for a bridge port whose bounded partner was full; posted again each duty cycle. */
    private static final class Held {
        /** A WireMessage, or a decoded scalar. */
        final Object message;
        final List<MessagePort> ports;

        Held(Object message, List<MessagePort> ports) {
            this.message = message;
            this.ports = ports;
        }

        /** Posts {@code message} to {@code bridge}; false if its bounded partner is full. */
        static boolean post(MessagePort bridge, Object message, List<MessagePort> ports) {
            if (ports.isEmpty()) {
                return bridge.offerMessage(message); // no transfer steps, and no exception when full
            }
            try {
                bridge.postMessage(message, ports);
                return true;
            } catch (DOMException e) {
                if (e.name().equals("QuotaExceededError")) {
                    return false;
                }
                throw e;
            }
        }
    }

    private void sendClose(Peer peer, long peerLink) {
        int at = Protocol.header(out, Protocol.CLOSE, nodeId);
        out.putLong(at, peerLink);
        peer.send(out, at + 8);
    }

    // ----------------------------------------------------------------------------------- outbound

    /** The bridge port of {@code link} received what its user posted: one DATA frame. */
    private void onOutbound(Link link, MessageEvent event, boolean messageError) {
        if (link.closed) {
            event.ports().forEach(MessagePort::close);
            return;
        }
        Peer peer = link.peer;
        List<MessagePort> ports = event.ports();
        int at = Protocol.header(out, Protocol.DATA, nodeId);
        out.putLong(at, link.peerLink);
        int flagsAt = at + 8;
        int countAt = flagsAt + 1;
        int valueAt = countAt + 4 + 8 * ports.size();
        String failure = null;
        int end = 0;
        if (messageError) {
            failure = "the message could not be deserialized on the sending node";
        } else {
            try {
                end = valueAt + WireFormat.encode(event.data(), ports, out, valueAt);
            } catch (WireFormat.NotEncodable | StackOverflowError e) {
                failure = e.getMessage();
            }
        }
        if (failure != null) {
            errors.accept(new IllegalArgumentException("link " + link.id + ": " + failure));
            ports.forEach(MessagePort::close); // they do not travel: their partners get close
            out.putByte(flagsAt, (byte) Protocol.DATA_FLAG_NOT_ENCODABLE);
            out.putInt(countAt, 0);
            int reasonAt = countAt + 4;
            byte[] reason = String.valueOf(failure).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.putBytes(reasonAt, reason);
            sendDataOf(link, reasonAt + reason.length);
            return;
        }
        out.putByte(flagsAt, (byte) 0);
        out.putInt(countAt, ports.size());
        for (int i = 0; i < ports.size(); i++) {
            Link shipped = newLink(ports.get(i), peer, UNKNOWN); // started by the receiver's LINKED
            out.putLong(countAt + 4 + 8 * i, shipped.id);
        }
        sendDataOf(link, end);
    }

    /**
     * Sends the link's DATA frame in {@code out[0, end)} if the link has credit and nothing waits for
     * it; else keeps a copy until CREDIT comes and stops taking from the link's bridge port.
     */
    private void sendDataOf(Link link, int end) {
        if (link.credit > 0 && link.waiting == null) {
            link.credit--;
            sendData(link.peer, end);
            return;
        }
        if (link.waiting == null) {
            link.waiting = new ArrayDeque<>();
        }
        byte[] copy = new byte[end];
        out.getBytes(0, copy);
        link.waiting.add(copy);
        if (!link.pausing && !link.paused) {
            link.pausing = true;
            bridgeLoop.execute(() -> pause(link)); // after this dispatch, not inside it
        }
    }

    /**
     * Sends the DATA frame in {@code out[0, end)}: as it is, or, if it is longer than the route's
     * largest frame, as consecutive PART frames carrying its body in order (one thread writes them
     * one after the other on the one route, so they arrive contiguous).
     */
    private void sendData(Peer peer, int end) {
        int max = peer.route.maxFrameLength();
        if (end <= max) {
            peer.send(out, end);
            return;
        }
        int chunk = max - Protocol.HEADER_LENGTH - 1;
        for (int from = Protocol.HEADER_LENGTH; from < end; from += chunk) {
            int n = Math.min(chunk, end - from);
            int at = Protocol.header(parts, Protocol.PART, nodeId);
            parts.putByte(at, (byte) (from + n == end ? 1 : 0));
            parts.putBytes(at + 1, out, from, n);
            peer.send(parts, at + 1 + n);
        }
    }

    /** A PART frame: appended to the peer's message being reassembled; the last one delivers it. */
    private void onPart(Peer peer, Protocol.Body body) {
        boolean last = body.getByte() != 0;
        byte[] bytes = body.rest();
        if (peer.assembly == null) {
            peer.assembly = new ExpandableArrayBuffer(Protocol.HEADER_LENGTH + bytes.length * 4);
            peer.assemblyLength = Protocol.HEADER_LENGTH; // room for a header, so that Body reads it alike
        }
        peer.assembly.putBytes(peer.assemblyLength, bytes);
        peer.assemblyLength += bytes.length;
        if (last) {
            ExpandableArrayBuffer whole = peer.assembly;
            int length = peer.assemblyLength;
            peer.assembly = null;
            onData(peer, new Protocol.Body(whole, 0, length));
        }
    }

    /** The user closed its port (its bridge port got close). */
    private void onBridgeClosed(Link link) {
        if (link.closed) {
            return;
        }
        link.closed = true;
        if (link.peer == null) {
            return; // an accept not yet matched: onOpen refuses the OPEN that comes for it
        }
        if (link.peerLink != UNKNOWN) {
            if (link.waiting != null) {
                link.closeAfterWaiting = true; // CLOSE follows the frames that wait for credit
                return;
            }
            links.remove(link.id);
            link.peer.links.remove(link);
            sendClose(link.peer, link.peerLink);
        } // else: kept until OPENED / LINKED names the peer link, then CLOSE
    }

    // ----------------------------------------------------------------------------------- state

    /** An OPEN that came before its accept. */
    private static final class PendingOpen {
        final Peer peer;
        final long connectorLink;

        PendingOpen(Peer peer, long connectorLink) {
            this.peer = peer;
            this.connectorLink = connectorLink;
        }
    }

    /** One bridged port. Node thread only. */
    private final class Link {
        final long id;
        /** Replaced by a moved, unstarted one while paused for credit (see pause). */
        MessagePort bridge;
        Peer peer;
        long peerLink;
        boolean closed;
        /** DATA frames this link may still send before the far node gives credit. */
        int credit = Protocol.LINK_WINDOW;
        /** DATA frames encoded without credit, in order; null if none. */
        ArrayDeque<byte[]> waiting;
        /** A pause is queued (pausing) or done (paused: the bridge port is not started). */
        boolean pausing;
        boolean paused;
        /** Received messages its full port refused, in order; null if none. */
        ArrayDeque<Held> held;
        /** Messages handed to the port since the last CREDIT sent. */
        int handedOver;
        /** Close the bridge port once the held messages are handed over. */
        boolean closeWhenHandedOver;
        /** The user closed its port while frames wait for credit: CLOSE once they are sent. */
        boolean closeAfterWaiting;

        Link(long id, MessagePort bridge, Peer peer, long peerLink) {
            this.id = id;
            this.bridge = bridge;
            this.peer = peer;
            this.peerLink = peerLink;
        }

        void listenForClose() {
            MessagePort mine = bridge;
            bridge.addEventListener("close", (Event e) -> {
                if (bridge == mine) { // not a port this link has moved away from
                    onBridgeClosed(this);
                }
            });
        }

        /** Closes the bridge port now, or once the held messages are handed over. */
        void closeAfterHeld() {
            if (held == null) {
                bridge.close();
            } else {
                closeWhenHandedOver = true;
            }
        }

        /** The peer link is known: dispatch what waits at the bridge port, and what follows. */
        void established() {
            bridge.onmessageerror(e -> onOutbound(this, e, true));
            bridge.onmessage(e -> onOutbound(this, e, false));
        }
    }

    /** One remote node and the route to it. Node thread only. */
    private final class Peer {
        final String address;
        final Transport.Route route;
        final ArrayDeque<byte[]> backlog = new ArrayDeque<>();
        final Set<Link> links = new HashSet<>();
        long id;
        /** The message being reassembled from PART frames (with room for a header), or null. */
        ExpandableArrayBuffer assembly;
        int assemblyLength;
        boolean heard;
        boolean lost;
        long lastHeard = System.nanoTime();

        /** Small frames sent in this run of the node's work, not yet offered: [length int][frame] after a header's room. */
        final ExpandableArrayBuffer batch;
        final int batchCapacity;
        final int batchFrameLimit;
        int batchLength;
        int batchCount;
        /** A small frame went to this peer in the running run of the node's work (it is in `batching`). */
        boolean sentInRun;

        Peer(String address, Transport.Route route) {
            this.address = address;
            this.route = route;
            // One transport frame that is not cut in fragments (an MTU's payload), holding at least four.
            this.batchCapacity = Math.min(route.maxPayloadLength(), route.maxFrameLength());
            this.batchFrameLimit = (batchCapacity - Protocol.HEADER_LENGTH) / 4 - 4;
            this.batch = new ExpandableArrayBuffer(batchCapacity);
        }

        /**
         * Sends {@code frame[0, length)}. The first small frame of a run of the node's work goes at
         * once (a round trip's message waits for nothing); later small ones join this peer's batch,
         * which goes as one transport frame when the run lets go of the lock (or when full); a larger
         * frame goes after the batch. "Goes": now, or as a copy kept to send in order once the route
         * takes it.
         */
        void send(ExpandableArrayBuffer frame, int length) {
            if (lost || brokenPeers.contains(this)) {
                return;
            }
            if (length <= batchFrameLimit) {
                if (!sentInRun) {
                    sentInRun = true;
                    batching.add(this); // flushBatches ends the run: the batch goes, sentInRun is reset
                    offer(frame, 0, length);
                    return;
                }
                if (Protocol.HEADER_LENGTH + batchLength + 4 + length > batchCapacity) {
                    flushBatch();
                }
                int at = Protocol.HEADER_LENGTH + batchLength;
                batch.putInt(at, length);
                batch.putBytes(at + 4, frame, 0, length);
                batchLength += 4 + length;
                batchCount++;
                return;
            }
            flushBatch();
            offer(frame, 0, length);
        }

        /**
         * Offers the batch: its one frame as it is, or a {@code BATCH} frame of them all. Called at
         * the end of each run of the node's work (see unlock), before a larger frame, and when full.
         */
        void flushBatch() {
            int count = batchCount;
            if (count == 0) {
                return;
            }
            batchCount = 0;
            int length = batchLength;
            batchLength = 0;
            if (lost || brokenPeers.contains(this)) {
                return;
            }
            if (count == 1) {
                offer(batch, Protocol.HEADER_LENGTH + 4, length - 4);
            } else {
                Protocol.header(batch, Protocol.BATCH, nodeId);
                offer(batch, 0, Protocol.HEADER_LENGTH + length);
                batchesSent++; // under the lock: one writer at a time
            }
        }

        /** Offers {@code frame[offset, offset + length)} now, or keeps a copy to send in order once the route takes it. */
        private void offer(ExpandableArrayBuffer frame, int offset, int length) {
            if (!backlog.isEmpty()) {
                flush(); // the frames that wait go first: if they all go, this one need not wait
                if (brokenPeers.contains(this)) {
                    return; // the route broke meanwhile
                }
            }
            if (backlog.isEmpty()) {
                int result = route.offer(frame, offset, length);
                // A driver without threads advances the publication's limit (and sends) only when
                // run: run it here, as a raw Aeron sender does when back-pressured, before keeping a copy.
                for (int i = 0; result == Transport.RETRY && i < OFFER_RETRIES && transport.doWork() > 0; i++) {
                    result = route.offer(frame, offset, length);
                }
                if (result == Transport.SENT) {
                    return;
                }
                if (result == Transport.BROKEN) {
                    broken();
                    return;
                }
            }
            byte[] copy = new byte[length];
            frame.getBytes(offset, copy);
            backlog.add(copy);
            backlogFrames++;
        }

        private void broken() {
            backlogFrames -= backlog.size();
            backlog.clear();
            brokenPeers.add(this);
        }

        int flush() {
            int sent = 0;
            byte[] next;
            while ((next = backlog.peek()) != null) {
                int result = route.offer(new UnsafeBuffer(next), 0, next.length);
                if (result == Transport.RETRY) {
                    break;
                }
                backlog.poll();
                backlogFrames--;
                if (result == Transport.BROKEN) {
                    broken();
                    break;
                }
                sent++;
            }
            return sent;
        }
    }
}
