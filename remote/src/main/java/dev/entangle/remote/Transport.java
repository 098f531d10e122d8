package dev.entangle.remote;

import org.agrona.DirectBuffer;

/**
 * What a {@link RemoteNode} needs from a messaging engine: one inbound stream of frames addressed to
 * this node, and an outbound route per peer that carries frames reliably and in order. Frames are
 * opaque byte ranges (the node's protocol is in {@link Protocol}); a transport neither inspects nor
 * reorders them. {@link AeronTransport} is the implementation; a second one (gRPC for TLS, an
 * in-memory one) implements these five methods.
 *
 * <p>Threads: every method is called only by the node's own thread. Memory consistency effects: none
 * beyond that thread's program order.
 */
interface Transport extends AutoCloseable {
    /** {@link Route#offer} result: the frame is on its way. */
    int SENT = 0;
    /** {@link Route#offer} result: not now (back-pressure, or the peer not yet reachable); offer it again. */
    int RETRY = 1;
    /** {@link Route#offer} result: the route is gone for good (closed, or its stream is exhausted). */
    int BROKEN = 2;

    /** This node's address, as peers pass it to {@link #route(String)}. */
    String localAddress();

    /**
     * Delivers up to {@code limit} received frames to {@code handler}, whole, in order; returns how
     * many it took. A frame the handler refuses (returns false) stays first in line: the next poll
     * delivers it again, and nothing after it is delivered before it is taken.
     */
    int poll(FrameHandler handler, int limit);

    /**
     * The engine's own duty cycle, for an engine that runs no threads of its own (an embedded Aeron
     * media driver in {@code INVOKER} mode): part of each of the node's duty cycles. Returns the work
     * done; 0 when the engine has threads (or no such work).
     */
    int doWork();

    /**
     * An outbound route to the node at {@code address}; it may not be connected yet (offers then
     * return {@link #RETRY}).
     *
     * @throws IllegalArgumentException if the address is malformed
     */
    Route route(String address);

    /**
     * Releases the transport's resources; routes made by it are closed too. What was offered before
     * is sent first, as far as the engine can within a short bound (an engine without threads runs
     * its duty cycle here, so that a last frame such as {@code BYE} leaves).
     */
    @Override
    void close();

    /** Receives one whole frame; the bytes are valid only during the call. */
    @FunctionalInterface
    interface FrameHandler {
        /** Returns true if the frame was taken, false to have it delivered again later. */
        boolean onFrame(DirectBuffer buffer, int offset, int length);
    }

    /** One peer's outbound, reliable, ordered stream of frames. */
    interface Route extends AutoCloseable {
        /** Offers one frame: {@link #SENT}, {@link #RETRY} or {@link #BROKEN}. */
        int offer(DirectBuffer buffer, int offset, int length);

        /** The largest frame this route carries. */
        int maxFrameLength();

        /** The largest frame this route carries in one piece (an Aeron MTU's payload): at most {@link #maxFrameLength()}. */
        int maxPayloadLength();

        @Override
        void close();
    }
}
