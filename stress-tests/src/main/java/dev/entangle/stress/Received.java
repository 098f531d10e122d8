package dev.entangle.stress;

import dev.entangle.MessageEvent;
import dev.entangle.MessagePort;

/**
 * How the tests turn what a port received into a jcstress result: int payloads 1..9, recorded as the
 * digits of one number in arrival order ({@code 123} = 1, then 2, then 3; {@code 0} = nothing).
 *
 * <p>Threads: static helpers, any thread. Memory consistency effects: none of their own.
 */
final class Received {
    private Received() {
    }

    /** The int payload of a received event, 0 for "nothing received" (null). */
    static int data(MessageEvent event) {
        return event == null ? 0 : (Integer) event.data();
    }

    /**
     * Takes every message queued at {@code port} with the non-dispatching {@code receiveMessage()} and
     * returns their payloads as digits in arrival order, 0 if none was queued. At most nine are taken
     * (the tests post fewer), so a result never overflows.
     */
    static int digits(MessagePort port) {
        int digits = 0;
        MessageEvent event;
        for (int n = 0; n < 9 && (event = port.receiveMessage()) != null; n++) {
            digits = append(digits, data(event));
        }
        return digits;
    }

    /** {@code digits} with {@code digit} appended. */
    static int append(int digits, int digit) {
        return digits * 10 + digit;
    }
}
