package dev.entangle.remote;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;

import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import dev.entangle.DOMException;
import dev.entangle.EventLoop;
import dev.entangle.MessageChannel;
import dev.entangle.MessagePort;
import dev.entangle.StructuredClone;
import dev.entangle.StructuredSerializeOptions;

/**
 * A JVM's end of cross-process messaging: gives out {@link MessagePort}s entangled with ports in other
 * processes (or in this one), carried by Aeron over shared-memory IPC or UDP.
 *
 * <pre>{@code
 * // process B                                            // process A
 * RemoteNode b = RemoteNode.start(RemoteNode.options()    RemoteNode a = RemoteNode.start(RemoteNode.options()
 *         .channel("aeron:udp?endpoint=127.0.0.1:40123"));        .channel("aeron:udp?endpoint=127.0.0.1:0"));
 * MessagePort in = b.accept("echo", loopB);               MessagePort out = a.connect(bAddress, "echo", loopA);
 * in.onmessage(e -> in.postMessage(e.data()));            out.onmessage(e -> System.out.println(e.data()));
 *                                                         out.postMessage(List.of(1, 2, 3));
 * }</pre>
 *
 * <p>A node listens on one Aeron channel and stream, named by its {@link #address()}
 * ({@code streamId@channel}). {@link #connect} and {@link #accept} pair ports by name: each returns at
 * once a port owned by the caller's loop, usable at once (what it posts waits until the far side
 * accepts or connects). The pair then behaves as a {@link MessageChannel}'s, as far as the standard
 * defines it:
 * <ul>
 * <li>messages arrive in the order posted, exactly once; their values cross in the wire form of
 * structured clone ({@code WireFormat}: the core's value table, and types given a
 * {@linkplain #registerWireForm wire form}); a value the receiver cannot decode (a class it does not
 * have, a malformed frame) is a {@code messageerror} there, and the port goes on working;</li>
 * <li>{@code close()} gives the far port one {@code close} event, after everything posted before;</li>
 * <li>{@link MessagePort}s in the transfer list cross too, with their queued and in-flight messages in
 * order, and can travel on to further nodes; {@code ArrayBuffer}s in the transfer list are detached
 * here and their bytes sent once;</li>
 * <li>a far node that closes, dies, or is not heard from for the {@linkplain Options#livenessTimeout
 * liveness timeout} closes every port entangled with it: each gets {@code close}, after the messages
 * that had arrived.</li>
 * </ul>
 * Decisions where the standard is silent: a value has the wire form of what the core's clone made of
 * it at this node's bridge port (so an unmodifiable list arrives unmodifiable, a {@code TreeSet} needs
 * natural ordering); a value that cannot be encoded cannot be reported to the sender (its
 * {@code postMessage} has returned), so the receiver gets {@code messageerror} and this node's error
 * handler the reason. A node never blocks its thread on Aeron: what Aeron cannot take yet (back-pressure, a peer
 * not yet up) waits in a per-peer backlog; past {@link Options#backlogLimit} the node stops taking
 * from its ports, which with {@link Options#portCapacity bounded ports} makes a full port refuse, as a
 * bounded {@link MessageChannel} does (unbounded ports, the default, grow instead); a receiving port
 * that is full holds up its own link only (per-link credit), not the node.
 *
 * <p>Threads: every method may be called from any thread. Each node runs one thread of its own (its
 * bridge ports' loop and the Aeron polling, never a user's loop), plus, if it launched one, an
 * embedded media driver (with threads of its own unless {@link Options#driverInNode}). Memory consistency effects: actions prior to {@code postMessage} on a port
 * <i>happen-before</i> the dispatch of the matching event at its far port in the same JVM; across
 * processes there is no shared memory, only the copied value.
 */
public final class RemoteNode implements AutoCloseable {
    private final MediaDriver driver;
    private final Aeron aeron;
    private final NodeCore core;
    private final AgentRunner runner;
    private final EventLoop bridgeLoop;
    private final Options options;
    private final AtomicBoolean closed = new AtomicBoolean();

    private RemoteNode(Options options) {
        this.options = options;
        MediaDriver launched = null;
        Aeron client = null;
        try {
            String directory = options.aeronDirectory;
            AgentInvoker invoker = null;
            if (directory == null) {
                launched = MediaDriver.launchEmbedded(driverContext(options));
                directory = launched.aeronDirectoryName();
                invoker = launched.sharedAgentInvoker(); // null unless the driver runs without threads
            }
            // With a driver without threads, the client has none either (Aeron requires it): the
            // node's duty cycle runs both, and the client runs the driver while it awaits its answer.
            client = Aeron.connect(new Aeron.Context().aeronDirectoryName(directory).driverAgentInvoker(invoker)
                    .useConductorAgentInvoker(invoker != null));
            AeronTransport transport = new AeronTransport(client, options.channel, options.streamId,
                    TimeUnit.SECONDS.toNanos(5), invoker);
            core = new NodeCore(transport, options.classLoader, options.heartbeatInterval.toNanos(),
                    options.livenessTimeout.toNanos(), options.connectTimeout.toNanos(), options.backlogLimit,
                    options.portCapacity, options.errorHandler);
        } catch (RuntimeException e) {
            if (client != null) {
                client.close();
            }
            if (launched != null) {
                launched.close();
            }
            throw e;
        }
        driver = launched;
        aeron = client;
        bridgeLoop = EventLoop.on(core::submit, "remote-node " + core.localAddress(),
                (thread, error) -> options.errorHandler.accept(error));
        core.bridgeLoop = bridgeLoop;
        IdleStrategy idle = options.busySpin ? new BusySpinIdleStrategy()
                : new BackoffIdleStrategy(64, 16, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
        runner = new AgentRunner(core.nodeThreadIdle(idle), options.errorHandler::accept, null, core);
        AgentRunner.startOnThread(runner, r -> {
            Thread t = new Thread(r, "entangle-remote " + core.localAddress());
            t.setDaemon(true);
            return t;
        });
    }

    private static MediaDriver.Context driverContext(Options options) {
        IdleStrategy driverIdle = options.busySpin ? new BusySpinIdleStrategy()
                : new BackoffIdleStrategy(64, 16, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
        return new MediaDriver.Context()
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true)
                .threadingMode(options.driverInNode ? ThreadingMode.INVOKER : ThreadingMode.SHARED)
                .sharedIdleStrategy(driverIdle)
                .termBufferSparseFile(true)
                .publicationTermBufferLength(options.termLength)
                .ipcTermBufferLength(options.termLength);
    }

    /**
     * Starts a node with {@code options}: launches its media driver (unless it joins one) and its thread.
     *
     * @param options how to start the node (see {@link #options()})
     * @return the started node
     * @throws NullPointerException if {@code options} is null
     */
    public static RemoteNode start(Options options) {
        return new RemoteNode(Objects.requireNonNull(options, "options"));
    }

    /**
     * Gives {@code type} (and its subclasses) a wire form: {@code toWire} turns a value into one the
     * wire form already carries (a record, a list or map, a string, …), on the sending node's
     * thread; {@code fromWire} rebuilds the value from it, on the receiving loop. Both processes
     * register the same {@code name}, which is what travels. For types the core clones through a
     * registered cloner, codec or shareable registration, which have no wire form of their own.
     * Global to this JVM, like the core's registrations; replaces an earlier one of the same type or
     * name. A {@code toWire} that throws makes the message a {@code messageerror} at the receiver (and
     * a report to the sending node's error handler); a {@code fromWire} that throws, or a name not
     * registered at the receiver, makes it a {@code messageerror} there.
     *
     * <p>Threads: any thread; the functions may be called from several threads at once. Memory
     * consistency effects: a registration <i>happens-before</i> the encoding of every message posted
     * after it returns.
     *
     * @param <T> the registered type
     * @param type the class whose instances (and its subclasses') get this wire form
     * @param name the name that travels with the value; both processes register the same one
     * @param toWire turns a value into one the wire form carries, on the sending node's thread
     * @param fromWire rebuilds the value from its wire form, on the receiving loop
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is empty
     */
    @SuppressWarnings("unchecked")
    public static <T> void registerWireForm(Class<T> type, String name, Function<? super T, ?> toWire,
            Function<Object, ? extends T> fromWire) {
        Objects.requireNonNull(type, "type");
        if (Objects.requireNonNull(name, "name").isEmpty()) {
            throw new IllegalArgumentException("empty wire form name");
        }
        Objects.requireNonNull(toWire, "toWire");
        Objects.requireNonNull(fromWire, "fromWire");
        WireFormat.register(new WireFormat.Registered(type, name, v -> ((Function<Object, ?>) toWire).apply(v),
                fromWire::apply));
    }

    /** The node's machinery (tests of this package). */
    NodeCore core() {
        return core;
    }

    /** {@return new options: {@code aeron:ipc}, stream 1001, an embedded media driver; see {@link Options}} */
    public static Options options() {
        return new Options();
    }

    /** {@return this node's address ({@code streamId@channel}): what other nodes pass to {@link #connect}} */
    public String address() {
        return core.localAddress();
    }

    /**
     * {@return the Aeron directory of this node's media driver (the embedded one it launched, or the
     * one it joined)} Another process on this host joins it with {@link Options#aeronDirectory} to use
     * IPC.
     */
    public String aeronDirectory() {
        return aeron.context().aeronDirectoryName();
    }

    /**
     * An idle strategy for the loops that own this node's ports: when such a loop is idle, it runs
     * this node's duty cycle itself (polls Aeron, delivers what arrived, sends what waits), unless
     * another thread is running it, and falls back to {@code then} when there was nothing to do. A
     * message for a port of that loop is then taken from Aeron by the loop's own thread, with no
     * hand-off from the node's thread (which keeps running, for the loops that park).
     *
     * <p>The thread that last ran the node's duty cycle through such a strategy sends the first
     * message it posts afterwards at once, on its own thread; what it posts after that, before its
     * next duty cycle (a burst from one turn of its loop), is sent by that next cycle, in one go (or,
     * if the thread does not run one within 1 ms, by the node's thread). Order is kept as for any
     * post.
     *
     * <pre>{@code
     * EventLoop loop = EventLoop.start("worker", node.idleStrategy(IdleStrategy.DEFAULT));
     * MessagePort port = node.accept("jobs", loop);
     * }</pre>
     *
     * <p>Threads: the strategy may be shared by any number of loops, and called from any thread (a
     * thread that spins waiting for a reply may call {@code idle(0)} to drive the node); one thread at
     * a time runs the node's work, the others fall through to {@code then}. Memory consistency
     * effects: the node's state is handed between the threads that run its work by a volatile flag
     * (release when one ends, acquire when the next begins).
     *
     * @param then what the loop does on an idle turn in which the node had no work for it
     * @return a strategy to pass to {@link EventLoop#start(String, dev.entangle.IdleStrategy)}
     * @throws NullPointerException if {@code then} is null
     */
    public dev.entangle.IdleStrategy idleStrategy(dev.entangle.IdleStrategy then) {
        Objects.requireNonNull(then, "then");
        return turn -> core.tryDoWork() == 0 && then.idle(turn);
    }

    /**
     * A port owned by {@code owner}, entangled with the port that the node at {@code address} gives
     * out for {@code name} through {@link #accept}. Returns at once; what the port posts waits until
     * the far node has accepted. If the far node cannot be reached within the
     * {@linkplain Options#connectTimeout connect timeout}, the port gets {@code close}.
     *
     * @param address the far node's address, as its {@link #address()} gives it
     * @param name the name the far node accepts
     * @param owner the loop that owns the returned port (runs its listeners)
     * @return the local end, owned by {@code owner}
     * @throws IllegalArgumentException if {@code address} is not a node address
     * @throws DOMException InvalidStateError if this node is closed
     * @throws NullPointerException if an argument is null
     */
    public MessagePort connect(String address, String name, EventLoop owner) {
        AeronTransport.parse(Objects.requireNonNull(address, "address"));
        Objects.requireNonNull(name, "name");
        return bridged(owner, bridge -> core.connect(bridge, address, name));
    }

    /**
     * A port owned by {@code owner}, entangled with the port of the next {@link #connect} for
     * {@code name} that reaches this node (one accept per connect, in arrival order). Returns at once;
     * what it posts waits until a connect comes.
     *
     * @param name the name that far nodes connect to
     * @param owner the loop that owns the returned port (runs its listeners)
     * @return the local end, owned by {@code owner}
     * @throws DOMException InvalidStateError if this node is closed
     * @throws NullPointerException if an argument is null
     */
    public MessagePort accept(String name, EventLoop owner) {
        Objects.requireNonNull(name, "name");
        return bridged(owner, bridge -> core.accept(bridge, name));
    }

    private MessagePort bridged(EventLoop owner, Consumer<MessagePort> link) {
        Objects.requireNonNull(owner, "owner");
        if (closed.get()) {
            throw DOMException.invalidStateError("remote node " + address() + " is closed");
        }
        MessageChannel channel = options.portCapacity > 0 ? MessageChannel.bounded(owner, options.portCapacity)
                : new MessageChannel(owner);
        MessagePort far = channel.port2();
        try {
            bridgeLoop.execute(() -> {
                // Moves the far port to the bridge loop, with whatever the user posted meanwhile.
                MessagePort bridge = StructuredClone.structuredClone(far, StructuredSerializeOptions.transfer(far));
                link.accept(bridge);
            });
        } catch (RejectedExecutionException closedMeanwhile) {
            far.close();
            throw DOMException.invalidStateError("remote node " + address() + " is closed");
        }
        return channel.port1();
    }

    /**
     * Closes this node: what was posted on its ports before is sent first (as far as the routes take
     * it within a second), then every port it gave out gets {@code close} (after the messages that had
     * arrived), the far nodes are told (their ports get {@code close} too), then its thread, Aeron
     * client and embedded driver stop. Idempotent; waits for the node's thread.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        core.runQueued(TimeUnit.SECONDS.toNanos(1)); // what was posted before (a driver's burst) goes first
        bridgeLoop.close();
        try {
            bridgeLoop.awaitTermination(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        runner.close();
        aeron.close();
        if (driver != null) {
            driver.close();
        }
    }

    @Override
    public String toString() {
        return "RemoteNode[" + core.localAddress() + (closed.get() ? ", closed" : "") + "]";
    }

    /**
     * How to start a node. Defaults: channel {@code aeron:ipc}, stream 1001, an embedded media driver
     * with 1 MiB terms (frames of at most 128 KiB; longer messages travel in parts), heartbeats every 100 ms, liveness
     * timeout 1 s, connect timeout 10 s, a backing-off idle strategy, errors printed to
     * {@code System.err}.
     *
     * <p>Threads: a builder, for one thread; {@link RemoteNode#start} copies nothing, so do not change
     * options after starting. Memory consistency effects: none.
     */
    public static final class Options {
        String channel = "aeron:ipc";
        int streamId = 1001;
        String aeronDirectory;
        int termLength = 1 << 20;
        Duration heartbeatInterval = Duration.ofMillis(100);
        Duration livenessTimeout = Duration.ofSeconds(1);
        Duration connectTimeout = Duration.ofSeconds(10);
        boolean busySpin;
        boolean driverInNode;
        int portCapacity;
        int backlogLimit = 4096;
        ClassLoader classLoader = defaultLoader();
        Consumer<Throwable> errorHandler = Throwable::printStackTrace;

        Options() {
        }

        private static ClassLoader defaultLoader() {
            ClassLoader context = Thread.currentThread().getContextClassLoader();
            return context != null ? context : RemoteNode.class.getClassLoader();
        }

        /**
         * The Aeron channel this node listens on: {@code aeron:ipc} (this host), or
         * {@code aeron:udp?endpoint=host:port} (port 0: the driver picks one; {@link #address()}
         * names it).
         *
         * @param channel an Aeron channel URI
         * @return these options
         * @throws IllegalArgumentException if {@code channel} does not start with {@code aeron:}
         * @throws NullPointerException if {@code channel} is null
         */
        public Options channel(String channel) {
            if (!Objects.requireNonNull(channel, "channel").startsWith("aeron:")) {
                throw new IllegalArgumentException("not an Aeron channel: " + channel);
            }
            this.channel = channel;
            return this;
        }

        /**
         * The stream id this node listens on (nodes sharing a driver and an IPC channel need distinct ones).
         *
         * @param streamId the Aeron stream id
         * @return these options
         */
        public Options streamId(int streamId) {
            this.streamId = streamId;
            return this;
        }

        /**
         * Joins the media driver at {@code directory} instead of launching an embedded one.
         *
         * @param directory the Aeron directory of a running media driver
         * @return these options
         * @throws NullPointerException if {@code directory} is null
         */
        public Options aeronDirectory(String directory) {
            this.aeronDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * Term buffer length of the embedded driver (a power of two, 64 KiB to 1 GiB).
         *
         * @param termLength the term length in bytes
         * @return these options
         * @throws IllegalArgumentException if {@code termLength} is not a power of two of at least 64 KiB
         */
        public Options termLength(int termLength) {
            if (termLength < 64 * 1024 || Integer.bitCount(termLength) != 1) {
                throw new IllegalArgumentException("term length must be a power of two >= 64 KiB: " + termLength);
            }
            this.termLength = termLength;
            return this;
        }

        /**
         * How often the node tells its peers it is alive.
         *
         * @param interval the time between heartbeats
         * @return these options
         * @throws IllegalArgumentException if {@code interval} is not positive
         * @throws NullPointerException if {@code interval} is null
         */
        public Options heartbeatInterval(Duration interval) {
            this.heartbeatInterval = positive(interval, "heartbeatInterval");
            return this;
        }

        /**
         * A peer unheard of for this long is lost: the ports entangled with it get {@code close}.
         *
         * @param timeout how long a silent peer stays alive
         * @return these options
         * @throws IllegalArgumentException if {@code timeout} is not positive
         * @throws NullPointerException if {@code timeout} is null
         */
        public Options livenessTimeout(Duration timeout) {
            this.livenessTimeout = positive(timeout, "livenessTimeout");
            return this;
        }

        /**
         * A peer never heard of within this long after the first connect to it is lost.
         *
         * @param timeout how long a first connect waits to hear from the peer
         * @return these options
         * @throws IllegalArgumentException if {@code timeout} is not positive
         * @throws NullPointerException if {@code timeout} is null
         */
        public Options connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /**
         * Makes every port this node gives out (and every port that arrives through them) a
         * {@linkplain MessageChannel#bounded(int) bounded} one of {@code capacity} messages per
         * direction; 0 (the default): unbounded, as the standard's. With bounded ports, a receiver
         * that does not keep up reaches the sender as the bounded-channel contract, port by port:
         * a received message whose port is full is held for that port alone (the node reads on
         * for the others); a link may run at most 4,096 messages ahead of its receiving port, then
         * the sending node stops taking from that link's port only, and the full port refuses
         * ({@code QuotaExceededError}, {@code offerMessage} false). Aeron's own back-pressure (a
         * peer's route that cannot take more) is the node's: past the
         * {@linkplain #backlogLimit backlog limit} the node stops taking from all its ports.
         *
         * @param capacity messages per direction of each port, or 0 for unbounded ports
         * @return these options
         * @throws IllegalArgumentException if {@code capacity} is negative
         */
        public Options portCapacity(int capacity) {
            if (capacity < 0) {
                throw new IllegalArgumentException("capacity must be >= 0: " + capacity);
            }
            this.portCapacity = capacity;
            return this;
        }

        /**
         * How many frames the node keeps for peers that cannot take them yet (back-pressure, not yet
         * connected) before it stops taking messages from its ports (default 4096). The backlog can
         * exceed it by what one turn of the node's loop takes (at most 64 ports × 64 messages).
         *
         * @param frames the backlog limit, in frames
         * @return these options
         * @throws IllegalArgumentException if {@code frames} is negative
         */
        public Options backlogLimit(int frames) {
            if (frames < 0) {
                throw new IllegalArgumentException("frames must be >= 0: " + frames);
            }
            this.backlogLimit = frames;
            return this;
        }

        /**
         * Busy-spins the node's thread (and embedded driver) when idle: lowest latency, cores busy.
         *
         * @param busySpin true to busy-spin, false (the default) to back off
         * @return these options
         */
        public Options busySpin(boolean busySpin) {
            this.busySpin = busySpin;
            return this;
        }

        /**
         * Runs the embedded media driver without threads of its own (Aeron's {@code INVOKER}
         * threading mode): its work (conductor, sender, receiver) becomes part of the node's duty
         * cycle, run by whichever thread runs the node's work: a loop driving the node through
         * {@link RemoteNode#idleStrategy}, or the node's thread. A message then goes from the
         * poster's offer to the wire, and from the wire to the receiving loop, with no thread of the
         * driver's to be scheduled in between (on a small machine, with spinning loops, the driver's
         * own thread competes with them for the cores, or parks, up to 1 ms a direction over UDP).
         * The driver then works only when the node does: as often as the loops that drive the node
         * are idle, else as the node's thread's {@linkplain #busySpin idle strategy} allows; other
         * processes joining this driver (IPC) are served at that pace too. No effect on a node that
         * joins a driver ({@link #aeronDirectory}).
         *
         * @param driverInNode true to run the embedded driver inside the node's duty cycle, false
         *     (the default) to give it a thread of its own
         * @return these options
         */
        public Options driverInNode(boolean driverInNode) {
            this.driverInNode = driverInNode;
            return this;
        }

        /**
         * The class loader that resolves enum, record and array classes of received values.
         *
         * @param loader the class loader (default: the context class loader of the thread that created
         *     these options, else the one that loaded {@code RemoteNode})
         * @return these options
         * @throws NullPointerException if {@code loader} is null
         */
        public Options classLoader(ClassLoader loader) {
            this.classLoader = Objects.requireNonNull(loader, "loader");
            return this;
        }

        /**
         * Receives what the node cannot hand to a port: malformed frames, values it could not encode.
         * It is called on whichever thread runs the node's work at that moment: the node's own, a
         * thread posting on one of its ports, or a loop driving it through {@link RemoteNode#idleStrategy}.
         *
         * @param handler called with each such error (default: prints its stack trace)
         * @return these options
         * @throws NullPointerException if {@code handler} is null
         */
        public Options errorHandler(Consumer<Throwable> handler) {
            this.errorHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        private static Duration positive(Duration d, String what) {
            if (Objects.requireNonNull(d, what).isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive: " + d);
            }
            return d;
        }
    }
}
