package dev.entangle.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/**
 * entangle's JDK Flight Recorder events, and the hooks the runtime calls to emit them. Each hook is a
 * static method the runtime calls at one place; the event types are named {@code dev.entangle.*} and
 * listed in the README ("Observability").
 *
 * <p>Cost when no recording has the event enabled: every hook first asks a shared, never committed
 * instance of its event class {@link Event#isEnabled()}. Before JFR instruments the class (no
 * recording ever started) that is the empty base method; afterwards a read of the event type's state.
 * Nothing is allocated and no clock is read then; the {@code JfrHooks} benchmark measures it against
 * the same post without hooks. The per-message events ({@code MessagePosted}, {@code
 * MessageDispatched}) and the long-turn event are duration events with a threshold, so a recording with
 * the default settings keeps only the slow ones (the clock is read twice per message, nothing is
 * written for fast ones).
 *
 * <p>Ports are named by a stable hex id of their port message queue (the {@code PortEndpoint}): it
 * stays the same when the port is transferred, so one port can be followed across loops, and it is
 * the id {@code EventLoop.snapshot()} shows.
 *
 * <p>Threads: any. An event object is filled and committed by the thread that began it.
 */
public final class Jfr {
    private Jfr() {
    }

    // ------------------------------------------------------------------------------------ the events

    @Name("dev.entangle.MessagePosted")
    @Label("Message Posted")
    @Category({"entangle", "Messages"})
    @Description("A postMessage call that took longer than the threshold: serializing the message, "
            + "detaching its transfer list and queuing it at the entangled port")
    @Threshold("1 ms")
    @StackTrace(true)
    static final class MessagePosted extends Event {
        @Label("Loop")
        @Description("The loop that owns the sending port")
        String loop;
        @Label("Port")
        @Description("The sending port's id")
        String port;
        @Label("Target Port")
        @Description("The entangled port's id, or null if there was none (the message was dropped)")
        String targetPort;
        @Label("Transferred")
        @Description("Entries in the transfer list")
        int transferred;
    }

    @Name("dev.entangle.MessageDispatched")
    @Label("Message Dispatched")
    @Category({"entangle", "Messages"})
    @Description("The dispatch of one message at a port (deserialization and every listener) that took "
            + "longer than the threshold")
    @Threshold("1 ms")
    @StackTrace(false)
    static final class MessageDispatched extends Event {
        @Label("Loop")
        String loop;
        @Label("Port")
        String port;
        @Label("Queued")
        @Description("Messages still waiting at the port after this one")
        int queued;
    }

    @Name("dev.entangle.MessageError")
    @Label("Message Error")
    @Category({"entangle", "Messages"})
    @Description("A message that could not be deserialized at its receiver: a messageerror event fired")
    @StackTrace(false)
    static final class MessageError extends Event {
        @Label("Loop")
        String loop;
        @Label("Port")
        @Description("The receiving port's id, or the BroadcastChannel's name")
        String port;
        @Label("Error")
        String error;
    }

    @Name("dev.entangle.PortTransferred")
    @Label("Port Transferred")
    @Category({"entangle", "Ports"})
    @Description("A port shipped in a message's transfer list")
    @StackTrace(false)
    static final class PortTransferred extends Event {
        @Label("Port")
        @Description("The transferred port's id (unchanged at its new owner)")
        String port;
        @Label("From Loop")
        @Description("The loop of the port the message was posted on")
        String fromLoop;
        @Label("To Loop")
        @Description("The loop of the port the message was queued at, or null while that port travels")
        String toLoop;
    }

    @Name("dev.entangle.PortClosed")
    @Label("Port Closed")
    @Category({"entangle", "Ports"})
    @Description("A port closed (close(), its loop closed, collected, or dropped with a message): it is "
            + "disentangled, its peer gets a close event")
    @StackTrace(true)
    static final class PortClosed extends Event {
        @Label("Loop")
        @Description("The loop the port was bound to, or null if it was in transit")
        String loop;
        @Label("Port")
        String port;
        @Label("Peer Port")
        @Description("The entangled port's id, or null if it was already disentangled")
        String peerPort;
    }

    @Name("dev.entangle.LongLoopTurn")
    @Label("Long Loop Turn")
    @Category({"entangle", "Loops"})
    @Description("One task, or one batch of a port's messages, that held its loop longer than the "
            + "threshold (a blocked or slow handler delays every other port and task of that loop)")
    @Threshold("20 ms")
    @StackTrace(false)
    static final class LongLoopTurn extends Event {
        @Label("Loop")
        String loop;
        @Label("Port")
        @Description("The port whose messages ran, or null for a task")
        String port;
        @Label("Task Class")
        @Description("The task's class, or null for a port's messages")
        String task;
    }

    @Name("dev.entangle.WorkerStarted")
    @Label("Worker Started")
    @Category({"entangle", "Workers"})
    @StackTrace(true)
    static final class WorkerStarted extends Event {
        @Label("Worker")
        String worker;
        @Label("Parent Loop")
        String parentLoop;
    }

    @Name("dev.entangle.WorkerExited")
    @Label("Worker Exited")
    @Category({"entangle", "Workers"})
    @Description("A worker's loop ended (by itself, exit(code), an uncaught error, or terminate())")
    @StackTrace(false)
    static final class WorkerExited extends Event {
        @Label("Worker")
        String worker;
        @Label("Exit Code")
        int exitCode;
    }

    /*
     * Never committed: isEnabled() is an instance method, but what it reads is the event type's state,
     * so one shared instance per type answers for every thread without an allocation per call.
     */
    private static final MessagePosted POSTED = new MessagePosted();
    private static final MessageDispatched DISPATCHED = new MessageDispatched();
    private static final MessageError ERROR = new MessageError();
    private static final PortTransferred TRANSFERRED = new PortTransferred();
    private static final PortClosed CLOSED = new PortClosed();
    private static final LongLoopTurn TURN = new LongLoopTurn();
    private static final WorkerStarted WORKER_STARTED = new WorkerStarted();
    private static final WorkerExited WORKER_EXITED = new WorkerExited();

    /** The port being dispatched on this thread, kept only while {@code MessageError} is enabled. */
    private static final ThreadLocal<PortEndpoint> DISPATCHING = new ThreadLocal<>();

    /** The id events and snapshots give a port: stable for its message queue's life, across transfers. */
    public static String id(PortEndpoint endpoint) {
        return endpoint == null ? null : Integer.toHexString(System.identityHashCode(endpoint));
    }

    private static String name(LoopCore loop) {
        return loop == null ? null : loop.name();
    }

    // ------------------------------------------------------------------------------------- the hooks

    /** Before a post; returns the token for {@link #postEnd}, null when the event is off. */
    public static Object postBegin() {
        if (!POSTED.isEnabled()) {
            return null;
        }
        MessagePosted event = new MessagePosted();
        event.begin();
        return event;
    }

    /** After a post that did not throw, on the posting thread. */
    public static void postEnd(Object token, PortHandle source, int transferred) {
        if (token == null) {
            return;
        }
        MessagePosted event = (MessagePosted) token;
        event.end();
        if (event.shouldCommit()) {
            event.loop = name(source.loop);
            event.port = id(source.endpoint);
            event.targetPort = id(source.endpoint.peer());
            event.transferred = transferred;
            event.commit();
        }
    }

    /** Before one message's dispatch, on the loop; the token for {@link #dispatchEnd}, or null. */
    static Object dispatchBegin(PortEndpoint endpoint) {
        if (ERROR.isEnabled()) {
            DISPATCHING.set(endpoint);
        }
        if (!DISPATCHED.isEnabled()) {
            return null;
        }
        MessageDispatched event = new MessageDispatched();
        event.begin();
        return event;
    }

    /** After one message's dispatch (also when a listener threw), on the loop. */
    static void dispatchEnd(Object token, PortEndpoint endpoint, LoopCore loop) {
        if (ERROR.isEnabled()) {
            // set(null), not remove(): remove() drops the map entry, and the next set() would
            // allocate a new one (a WeakReference) for every message
            DISPATCHING.set(null);
        }
        if (token == null) {
            return;
        }
        MessageDispatched event = (MessageDispatched) token;
        event.end();
        if (event.shouldCommit()) {
            event.loop = loop.name();
            event.port = id(endpoint);
            event.queued = endpoint.queuedCount();
            event.commit();
        }
    }

    /** A message could not be deserialized at a port of {@code loop}; on the loop. */
    public static void messageError(LoopCore loop, Throwable error) {
        if (ERROR.isEnabled()) {
            commitError(loop, id(DISPATCHING.get()), error);
        }
    }

    /** A message could not be deserialized at the BroadcastChannel {@code channel}; on its loop. */
    public static void broadcastMessageError(LoopCore loop, String channel, Throwable error) {
        if (ERROR.isEnabled()) {
            commitError(loop, "BroadcastChannel " + channel, error);
        }
    }

    private static void commitError(LoopCore loop, String port, Throwable error) {
        MessageError event = new MessageError();
        event.loop = name(loop);
        event.port = port;
        event.error = String.valueOf(error);
        event.commit();
    }

    /** A message carrying {@code ports} was queued at {@code target}, posted on {@code source}. */
    static void portsTransferred(PortHandle source, PortEndpoint target, PortEndpoint[] ports) {
        if (ports.length == 0 || !TRANSFERRED.isEnabled()) {
            return;
        }
        PortHandle receiver = target.boundHandle();
        for (PortEndpoint port : ports) {
            PortTransferred event = new PortTransferred();
            event.port = id(port);
            event.fromLoop = name(source.loop);
            event.toLoop = receiver == null ? null : name(receiver.loop);
            event.commit();
        }
    }

    /** {@code endpoint} closed (once); {@code loop} is the loop it was bound to, or null. */
    static void portClosed(PortEndpoint endpoint, LoopCore loop, PortEndpoint peer) {
        if (!CLOSED.isEnabled()) {
            return;
        }
        PortClosed event = new PortClosed();
        event.loop = name(loop);
        event.port = id(endpoint);
        event.peerPort = id(peer);
        event.commit();
    }

    /** Before one run-queue entry on a loop; the token for {@link #turnEnd}, or null. */
    static Object turnBegin() {
        if (!TURN.isEnabled()) {
            return null;
        }
        LongLoopTurn event = new LongLoopTurn();
        event.begin();
        return event;
    }

    /** After one run-queue entry (a task or a port's batch) on {@code loop}. */
    static void turnEnd(Object token, LoopCore loop, Object entry) {
        if (token == null) {
            return;
        }
        LongLoopTurn event = (LongLoopTurn) token;
        event.end();
        if (event.shouldCommit()) {
            event.loop = loop.name();
            if (entry instanceof PortEndpoint) {
                event.port = id((PortEndpoint) entry);
            } else {
                event.task = entry.getClass().getName();
            }
            event.commit();
        }
    }

    /** A worker named {@code worker} was started by {@code parent}'s loop. */
    public static void workerStarted(String worker, LoopCore parent) {
        if (WORKER_STARTED.isEnabled()) {
            WorkerStarted event = new WorkerStarted();
            event.worker = worker;
            event.parentLoop = name(parent);
            event.commit();
        }
    }

    /** The worker named {@code worker} ended with {@code exitCode}; on its thread. */
    public static void workerExited(String worker, int exitCode) {
        if (WORKER_EXITED.isEnabled()) {
            WorkerExited event = new WorkerExited();
            event.worker = worker;
            event.exitCode = exitCode;
            event.commit();
        }
    }
}
