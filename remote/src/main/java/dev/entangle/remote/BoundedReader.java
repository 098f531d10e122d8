package dev.entangle.remote;

import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;

/**
 * Reads little-endian numbers, counts and strings from a range of received bytes, checking each
 * length against what is left: a short or lying range is an {@link IllegalArgumentException}
 * ("malformed"), never a read beyond the range. Base of {@link Protocol.Body} (frames) and of
 * {@link WireFormat}'s value reader.
 *
 * <p>Threads: one thread at a time (the node's thread, or the receiving loop). Memory consistency
 * effects: none.
 */
class BoundedReader {
    final DirectBuffer in;
    final int end;
    int position;

    BoundedReader(DirectBuffer in, int offset, int length) {
        this.in = in;
        this.position = offset;
        this.end = offset + length;
    }

    final void need(long n) {
        if (n < 0 || n > end - position) {
            throw new IllegalArgumentException("malformed: " + n + " bytes needed at " + position + ", "
                    + (end - position) + " left");
        }
    }

    final int getByte() {
        need(1);
        return in.getByte(position++);
    }

    final short getShort() {
        need(2);
        short v = in.getShort(position);
        position += 2;
        return v;
    }

    final int getInt() {
        need(4);
        int v = in.getInt(position);
        position += 4;
        return v;
    }

    final long getLong() {
        need(8);
        long v = in.getLong(position);
        position += 8;
        return v;
    }

    /** A count of items each at least {@code minBytes} long, checked against the bytes left. */
    final int getCount(int minBytes) {
        int n = getInt();
        need((long) n * minBytes);
        return n;
    }

    /** A length-prefixed byte string, copied. */
    final byte[] getBytes() {
        int n = getCount(1);
        byte[] b = new byte[n];
        in.getBytes(position, b);
        position += n;
        return b;
    }

    final String getString() {
        return new String(getBytes(), StandardCharsets.UTF_8);
    }

    /** The rest of the range, copied. */
    final byte[] rest() {
        byte[] b = new byte[end - position];
        in.getBytes(position, b);
        position = end;
        return b;
    }
}
