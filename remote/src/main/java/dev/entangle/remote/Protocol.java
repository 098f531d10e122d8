package dev.entangle.remote;

import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The node-to-node protocol, version {@value #VERSION}: the frames one {@link RemoteNode} sends another
 * over a {@link Transport} route. Every frame starts with a 12-byte header: the protocol version
 * (byte), the frame type (byte), two reserved bytes, and the sender node's id (long, random per node).
 * Numbers are little-endian; a string is its UTF-8 length (int) and bytes.
 *
 * <table>
 * <caption>Frame types</caption>
 * <tr><th>type</th><th>body</th><th>meaning</th></tr>
 * <tr><td>{@link #HEARTBEAT}</td><td>sender address</td><td>liveness, every heartbeat interval</td></tr>
 * <tr><td>{@link #OPEN}</td><td>sender address, name, connector link</td><td>{@code connect(name)}</td></tr>
 * <tr><td>{@link #OPENED}</td><td>sender address, connector link, acceptor link</td><td>matched by
 * {@code accept(name)}</td></tr>
 * <tr><td>{@link #DATA}</td><td>target link, flags (bit 0: the sender could not encode the value),
 * port count, one new sender link per transferred port, the value ({@link WireFormat}) or, if flagged,
 * the reason as UTF-8</td><td>one message</td></tr>
 * <tr><td>{@link #LINKED}</td><td>target link, the receiver's link</td><td>a transferred port has
 * arrived: here is its partner</td></tr>
 * <tr><td>{@link #CLOSE}</td><td>target link</td><td>the far port closed</td></tr>
 * <tr><td>{@link #BYE}</td><td>sender address</td><td>the sending node closes</td></tr>
 * <tr><td>{@link #PART}</td><td>last (byte: 1 on the last part), a piece of a DATA frame's body</td>
 * <td>a DATA frame longer than the route's largest frame, cut in consecutive parts</td></tr>
 * <tr><td>{@link #CREDIT}</td><td>target link, count (int)</td><td>the receiver has handed that many
 * more of the link's messages to its port: the sender may send that many more</td></tr>
 * <tr><td>{@link #BATCH}</td><td>frames, each its length (int) and its bytes (a whole frame with its
 * header, never a BATCH)</td><td>small frames a node sent to one peer in one run of its work, in
 * order, in one transport frame (one Aeron message of at most an MTU's payload): read as if each came
 * alone</td></tr>
 * </table>
 *
 * <p>Flow control per link: a link may have at most {@link #LINK_WINDOW} DATA frames (a message in
 * PART frames counts once) sent and not yet handed to the receiving port; the receiver gives credit
 * back by {@link #CREDIT} frames, at least every {@link #CREDIT_BATCH} messages handed over. So a
 * full port at the receiver holds up its own link only, and what the receiver keeps for it is
 * bounded.
 *
 * <p>A link is one bridged port, named by a long unique in its node. Every frame of a link travels on
 * the one route between its two nodes, so the transport's per-route order is the link's order.
 *
 * <p>Threads: stateless. Memory consistency effects: none.
 */
final class Protocol {
    static final byte VERSION = 3; // 2: per-link credit (CREDIT); 3: BATCH
    static final int HEADER_LENGTH = 12;

    static final byte HEARTBEAT = 1, OPEN = 2, OPENED = 3, DATA = 4, LINKED = 5, CLOSE = 6, BYE = 7, PART = 8,
            CREDIT = 9, BATCH = 10;

    /** DATA frames a link may have in flight or held at the receiver (see the overview). */
    static final int LINK_WINDOW = 8192;
    /** The receiver sends CREDIT after handing over this many of a link's messages. */
    static final int CREDIT_BATCH = LINK_WINDOW / 8;

    static final int DATA_FLAG_NOT_ENCODABLE = 1;

    private static final int TYPE_OFFSET = 1;
    private static final int NODE_OFFSET = 4;

    private Protocol() {
    }

    /** Writes a header; returns the offset of the body. */
    static int header(MutableDirectBuffer out, byte type, long nodeId) {
        out.putByte(0, VERSION);
        out.putByte(TYPE_OFFSET, type);
        out.putShort(2, (short) 0);
        out.putLong(NODE_OFFSET, nodeId);
        return HEADER_LENGTH;
    }

    static int version(DirectBuffer in, int offset) {
        return in.getByte(offset);
    }

    static byte type(DirectBuffer in, int offset) {
        return in.getByte(offset + TYPE_OFFSET);
    }

    static long nodeId(DirectBuffer in, int offset) {
        return in.getLong(offset + NODE_OFFSET);
    }

    /** Writes {@code s} at {@code at}; returns the offset after it. */
    static int putString(MutableDirectBuffer out, int at, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.putInt(at, bytes.length);
        out.putBytes(at + 4, bytes);
        return at + 4 + bytes.length;
    }

    /** A bounds-checked reader of one received frame's body (after the header). */
    static final class Body extends BoundedReader {
        Body(DirectBuffer in, int offset, int length) {
            super(in, offset + HEADER_LENGTH, length - HEADER_LENGTH);
            if (length < HEADER_LENGTH) {
                throw new IllegalArgumentException("malformed frame: " + length + " bytes");
            }
        }
    }
}
