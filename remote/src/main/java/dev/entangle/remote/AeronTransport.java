package dev.entangle.remote;

import java.util.ArrayList;
import java.util.List;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.ControlledFragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.ControlledFragmentHandler;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.AgentInvoker;

/**
 * {@link Transport} over Aeron: this node subscribes to its own channel and stream; a route to a peer
 * is an {@link ExclusivePublication} to the peer's channel and stream (the node's thread is its only
 * user). Aeron carries each publication's frames reliably and in order, fragments and reassembles the
 * large ones ({@link ControlledFragmentAssembler}; a refused frame is left in the log and
 * delivered again) and flow-controls the sender ({@code BACK_PRESSURED}, here
 * {@link #RETRY}).
 *
 * <p>An address is {@code streamId@channel}, for example {@code 1001@aeron:ipc} or
 * {@code 1001@aeron:udp?endpoint=127.0.0.1:40123}. A UDP channel bound to port 0 is resolved to the
 * port the driver picked, so the address names a reachable endpoint.
 *
 * <p>An embedded media driver launched without threads ({@code ThreadingMode.INVOKER}) is run by
 * {@link #doWork()}: its conductor, sender and receiver do their work inside the node's duty cycle.
 *
 * <p>Threads: the node's thread only (see {@link Transport}). Memory consistency effects: none.
 */
final class AeronTransport implements Transport {
    /** How long {@link #close()} at most runs a driver without threads to send what was offered. */
    private static final long DRAIN_NANOS = 20_000_000;
    /** Consecutive idle driver cycles after which {@link #close()} deems everything sent. */
    private static final int DRAIN_IDLE_CYCLES = 16;

    private final Aeron aeron;
    private final Subscription subscription;
    private final String localAddress;
    private final List<AeronRoute> routes = new ArrayList<>();
    private final ControlledFragmentAssembler assembler;
    /** The invoker of an embedded driver without threads, or null. */
    private final AgentInvoker driver;
    /** The invoker of the Aeron client's conductor when the driver has no threads (nor has the client), or null. */
    private final AgentInvoker client;
    private FrameHandler handler;

    /**
     * Subscribes to {@code channel} and {@code streamId}; {@code driver} is the invoker of an embedded
     * driver without threads that this transport runs (null if the driver has its own threads).
     */
    AeronTransport(Aeron aeron, String channel, int streamId, long resolveTimeoutNanos, AgentInvoker driver) {
        this.aeron = aeron;
        this.driver = driver;
        this.client = driver == null ? null : aeron.conductorAgentInvoker();
        this.subscription = aeron.addSubscription(channel, streamId);
        this.localAddress = streamId + "@" + resolved(subscription, channel, resolveTimeoutNanos, driver);
        ControlledFragmentHandler fragments = (buffer, offset, length, header) ->
                handler.onFrame(buffer, offset, length) ? ControlledFragmentHandler.Action.CONTINUE
                        : ControlledFragmentHandler.Action.ABORT; // delivered again by the next poll
        this.assembler = new ControlledFragmentAssembler(fragments);
    }

    private static String resolved(Subscription subscription, String channel, long timeoutNanos,
            AgentInvoker driver) {
        if (!channel.startsWith("aeron:udp") || !channel.matches(".*endpoint=[^|]*:0(\\||$).*")) {
            return channel;
        }
        long deadline = System.nanoTime() + timeoutNanos;
        String endpoint;
        while ((endpoint = subscription.tryResolveChannelEndpointPort()) == null) {
            if (driver != null) {
                driver.invoke(); // the driver binds the port in its own duty cycle
            }
            if (System.nanoTime() - deadline > 0) {
                subscription.close();
                throw new IllegalStateException("the driver did not bind " + channel + " in time");
            }
            Thread.onSpinWait();
        }
        return endpoint;
    }

    /** Splits {@code streamId@channel}. */
    static String[] parse(String address) {
        int at = address.indexOf('@');
        if (at <= 0 || !address.startsWith("aeron:", at + 1)) {
            throw new IllegalArgumentException("not a remote node address (streamId@aeron:...): " + address);
        }
        try {
            Integer.parseInt(address.substring(0, at));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad stream id in " + address, e);
        }
        return new String[] {address.substring(0, at), address.substring(at + 1)};
    }

    @Override
    public String localAddress() {
        return localAddress;
    }

    @Override
    public int poll(FrameHandler frameHandler, int limit) {
        this.handler = frameHandler;
        return subscription.controlledPoll(assembler, limit);
    }

    @Override
    public int doWork() {
        return driver == null ? 0 : driver.invoke() + client.invoke();
    }

    @Override
    public Route route(String address) {
        String[] parts = parse(address);
        AeronRoute route = new AeronRoute(aeron.addExclusivePublication(parts[1], Integer.parseInt(parts[0])));
        routes.add(route);
        return route;
    }

    @Override
    public void close() {
        if (driver != null) {
            // Without threads, the driver sends what was offered (a last BYE over UDP) only when run.
            long deadline = System.nanoTime() + DRAIN_NANOS;
            int idle = 0;
            while (idle < DRAIN_IDLE_CYCLES && System.nanoTime() - deadline < 0) {
                idle = doWork() == 0 ? idle + 1 : 0;
            }
        }
        for (AeronRoute route : List.copyOf(routes)) {
            route.close();
        }
        subscription.close();
    }

    private final class AeronRoute implements Route {
        private final ExclusivePublication publication;

        AeronRoute(ExclusivePublication publication) {
            this.publication = publication;
        }

        @Override
        public int offer(DirectBuffer buffer, int offset, int length) {
            long result = publication.offer(buffer, offset, length);
            if (result == Publication.ADMIN_ACTION) { // a term rotated under the offer: Aeron says offer again
                result = publication.offer(buffer, offset, length);
            }
            if (result > 0) {
                return SENT;
            }
            if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED) {
                return BROKEN;
            }
            return RETRY; // NOT_CONNECTED, BACK_PRESSURED, ADMIN_ACTION
        }

        @Override
        public int maxFrameLength() {
            return publication.maxMessageLength();
        }

        @Override
        public int maxPayloadLength() {
            return publication.maxPayloadLength();
        }

        @Override
        public void close() {
            if (routes.remove(this)) {
                publication.close();
            }
        }
    }
}
