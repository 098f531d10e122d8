package dev.entangle;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.AbstractList;
import java.util.RandomAccess;

import dev.entangle.internal.PortEndpoint;

/**
 * The ports of a message a port's loop received ({@link MessageEvent#ports()}), whose
 * {@link MessagePort} objects are made on first use: when user code reads an element, when the data
 * refers to a transferred port, or, at the latest, when the dispatch of the event ends, so that from
 * then on every received port is bound to its loop exactly as an eagerly made one would be (closed
 * with the loop, disentangled when its object is collected). Until then one thing may use the lone
 * port of a request instead: {@link Requests#reply} answers through its endpoint directly and closes
 * it, and the port, if anyone reads it afterwards, is made closed. An ask's replier then pays for no
 * port object, binding or loop registration (issue 15: the replier's share of an ask's cost across
 * loops).
 *
 * <p>Thread contract: any thread (an event may be handed to another thread); {@link #bindUnclaimed}
 * on the receiving loop at the end of the dispatch. Memory consistency effects: the making of the
 * port objects <i>happens-before</i> any thread reads them through this list.
 */
final class ReceivedPorts extends AbstractList<MessagePort> implements RandomAccess {
    /*
     * `made` goes null -> (CAS) MAKING -> MessagePort[] (volatile store), the ports bound to `owner`;
     * or null -> (CAS) REPLIED -> (CAS) MAKING -> MessagePort[], the lone port made closed. The one
     * thread whose CAS left null owns the endpoints: it binds them, or (REPLIED) posts the answer
     * through the lone endpoint and closes it. A reader that finds MAKING spins: the maker runs a
     * few constructors, no user code. Fields: `owner`, `endpoints` final; `made` volatile, CAS.
     */

    private static final Object MAKING = new Object();
    private static final Object REPLIED = new Object();
    private static final VarHandle MADE;

    static {
        try {
            MADE = MethodHandles.lookup().findVarHandle(ReceivedPorts.class, "made", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final EventLoop owner;
    private final PortEndpoint[] endpoints;
    private volatile Object made;

    ReceivedPorts(EventLoop owner, PortEndpoint[] endpoints) {
        this.owner = owner;
        this.endpoints = endpoints;
    }

    private Object lvMade() {
        return made;
    }

    private void svMade(Object value) {
        made = value;
    }

    private boolean casMade(Object expect, Object update) {
        return MADE.compareAndSet(this, expect, update);
    }

    @Override
    public int size() {
        return endpoints.length;
    }

    @Override
    public MessagePort get(int index) {
        return ports()[index];
    }

    /** The port objects, made now if nobody made them yet. */
    private MessagePort[] ports() {
        while (true) {
            Object m = lvMade();
            if (m instanceof MessagePort[]) {
                return (MessagePort[]) m;
            }
            if (m == MAKING) {
                Thread.onSpinWait(); // another thread is making them (a few constructors)
                continue;
            }
            if (casMade(m, MAKING)) {
                MessagePort[] ports;
                try {
                    ports = m == REPLIED ? new MessagePort[] {MessagePort.closedOn(owner, endpoints[0])}
                            : MessagePort.adoptAll(owner, endpoints);
                } catch (Throwable failure) {
                    svMade(m); // out of memory, say: let the next reader try, rather than spin forever
                    throw failure;
                }
                svMade(ports); // publishes the ports to the readers spinning above
                return ports;
            }
        }
    }

    /** At the end of the dispatch, on the loop: binds the ports nobody made or used yet. */
    void bindUnclaimed() {
        if (lvMade() == null) {
            ports();
        }
    }

    /**
     * The lone endpoint of this message if nothing made or used it yet (then the caller may
     * {@link #claimForReply claim} it); otherwise null.
     */
    PortEndpoint unclaimedLoneEndpoint() {
        return endpoints.length == 1 && lvMade() == null ? endpoints[0] : null;
    }

    /**
     * Takes the lone endpoint for an answer posted through it directly: true for the one caller that
     * takes it, which must then answer and close it; the port, if read later, is made closed.
     */
    boolean claimForReply() {
        return endpoints.length == 1 && casMade(null, REPLIED);
    }
}
