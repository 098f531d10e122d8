package dev.entangle.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

import dev.entangle.ArrayBuffer;
import dev.entangle.DOMException;

/**
 * The message port post message steps with a transfer list (HTML
 * {@code #message-port-post-message-steps}, with {@code #structuredserializewithtransfer}): validate the list, serialize, detach every transferred port
 * and {@code ArrayBuffer} at once, then queue the message at the entangled port, or drop it.
 *
 * <p>All-or-nothing (SPEC item 3): every check that can fail, serialization included, runs before the
 * first entry is detached; a port closed or transferred (or a buffer detached) by another thread in the
 * meantime makes the claim fail and releases the entries already claimed, so a {@code DataCloneError}
 * never leaves anything detached.
 *
 * <p>Any thread. Memory consistency effects: actions before {@link #post} happen-before the dispatch
 * of the message and the use of the transferred ports and buffers at the receiving loop.
 */
public final class TransferSteps {
    private TransferSteps() {
    }

    /**
     * Claim order of ports: their identity hash codes (a handle keeps no id of its own: 8 bytes per
     * port, issue 12). Two transfers that claim in one total order cannot wait for each other in a
     * cycle; equal hashes are not ordered, so a transfer with two equal hashes in its list claims while
     * holding {@link #TIES}. A cycle of waiting transfers would need every one of them to claim an
     * equal-hash pair in an order of its own (the others claim in strictly increasing hash order
     * around the cycle, which cannot close), and those hold TIES one at a time.
     */
    private static final Comparator<PortHandle> PORTS_BY_HASH =
            Comparator.comparingInt(System::identityHashCode);
    private static final Object TIES = new Object();
    private static final Comparator<BufferSlot> BUFFERS_BY_ID = Comparator.comparingLong(b -> b.id);

    /** A serialized message whose transfers are done: what travels to the receiver. */
    public static final class Shipment {
        /** The serialized message, for {@link StructuredSerialize#deserialize}. */
        public final Object payload;
        /** The transferred ports' endpoints, in transfer-list order (ports only). */
        public final PortEndpoint[] ports;
        /** The target port was in the transfer list: the message must be dropped. */
        public final boolean doomed;

        Shipment(Object payload, PortEndpoint[] ports, boolean doomed) {
            this.payload = payload;
            this.ports = ports;
            this.doomed = doomed;
        }
    }

    /**
     * Posts {@code message} from {@code source} with the given transfer list.
     *
     * @param portOf maps a transfer-list entry to its PortHandle, or null if the entry is not a port
     * @throws DOMException DataCloneError as listed in SPEC item 3, with nothing detached
     * @throws NullPointerException if an entry is null
     */
    public static void post(PortHandle source, Object message, List<?> transfer,
            Function<Object, PortHandle> portOf) {
        if (transfer.isEmpty()) {
            source.post(message);
            return;
        }
        post(source, message, transfer, portOf, null);
    }

    /**
     * {@link #post}, and {@code reply}, an endpoint no port object stands for yet (the far end of a
     * request's fresh reply channel, {@code Requests.ask}), travels last among the message's ports:
     * as if a port bound to it had ended the transfer list, without making that port, binding it to
     * this loop and detaching it again (issue 15: the cost of an ask). If the message is dropped or
     * cannot be posted, {@code reply} is closed or left to the caller as a transferred port would be:
     * dropped messages close it here; a thrown DataCloneError leaves it untouched.
     *
     * @param reply the extra endpoint, or null for none
     */
    public static void post(PortHandle source, Object message, List<?> transfer,
            Function<Object, PortHandle> portOf, PortEndpoint reply) {
        // Step 2: the source port itself, before anything else.
        for (int i = 0; i < transfer.size(); i++) {
            Object item = transfer.get(i);
            if (item == null) {
                throw new NullPointerException("transfer[" + i + "] is null");
            }
            if (portOf.apply(item) == source) {
                throw DOMException.dataCloneError(
                        "transfer[" + i + "]: a port cannot be transferred through itself");
            }
        }
        // Steps 1 and 4: the target, and whether it is in the list (the message is then doomed).
        PortEndpoint target = source.isOpen() ? source.endpoint.peer() : null;
        Object payload;
        PortEndpoint[] ports;
        boolean doomed;
        if (transfer.isEmpty() && reply != null) {
            // Only the reply port (an ask without transfers): nothing to validate, claim or detach.
            payload = StructuredSerialize.serialize(message, null);
            ports = new PortEndpoint[] {reply};
            doomed = false;
        } else {
            Shipment shipment = ship(message, transfer, portOf, target);
            payload = shipment.payload;
            ports = shipment.ports;
            doomed = shipment.doomed;
            if (reply != null) {
                ports = Arrays.copyOf(ports, ports.length + 1);
                ports[ports.length - 1] = reply;
            }
        }
        // Step 6: a doomed message, or a source with no target, is dropped; its ports are closed.
        if (target == null || doomed || !source.isOpen()) {
            PortHandle.discard(ports);
            return;
        }
        target.enqueue(payload, ports);
        Jfr.portsTransferred(source, target, ports); // JFR PortTransferred
    }

    /**
     * StructuredSerializeWithTransfer: validates {@code transfer}, serializes {@code message}, then
     * detaches every entry at once.
     *
     * @param target the port the message goes to (a port in the list that stands for it dooms the
     *     message), or null
     * @throws DOMException DataCloneError with nothing detached
     * @throws NullPointerException if an entry is null
     */
    public static Shipment ship(Object message, List<?> transfer, Function<Object, PortHandle> portOf,
            PortEndpoint target) {
        int n = transfer.size();
        if (n == 0) {
            return new Shipment(StructuredSerialize.serialize(message, null), PortEndpoint.NO_PORTS, false);
        }
        List<PortHandle> ports = new ArrayList<>(n);
        List<BufferSlot> buffers = new ArrayList<>();
        List<BufferSlot> receivers = new ArrayList<>();
        StructuredSerialize.Transfers transfers = new StructuredSerialize.Transfers(n);
        Object[] entries = transfer.toArray();
        // StructuredSerializeWithTransfer step 2: every entry transferable, no duplicates.
        for (int i = 0; i < n; i++) {
            Object item = entries[i];
            if (item == null) {
                throw new NullPointerException("transfer[" + i + "] is null");
            }
            PortHandle port = portOf.apply(item);
            if (port == null && !(item instanceof ArrayBuffer)) {
                throw DOMException.dataCloneError("transfer[" + i + "]: " + item.getClass().getName()
                        + " is not Transferable");
            }
            if (Marks.isUntransferable(item)) {
                throw DOMException.dataCloneError("transfer[" + i + "]: " + item.getClass().getName()
                        + " is marked as untransferable");
            }
            if (transfers.targets.containsKey(item)) {
                throw DOMException.dataCloneError("transfer[" + i + "]: duplicate of transfer["
                        + indexOf(entries, item) + "]");
            }
            if (port != null) {
                transfers.targets.put(item, new StructuredSerialize.PortRef(ports.size()));
                ports.add(port);
            } else {
                BufferSlot receiver = new BufferSlot(null);
                transfers.targets.put(item, BufferSlot.newBuffer(receiver));
                buffers.add(BufferSlot.of((ArrayBuffer) item));
                receivers.add(receiver);
            }
        }
        // Step 3: serialize (may throw; nothing is detached yet).
        Object payload = StructuredSerialize.serialize(message, transfers);
        // Step 4: no entry detached (closed or already transferred ports, detached buffers).
        for (int i = 0; i < n; i++) {
            Object item = entries[i];
            PortHandle port = portOf.apply(item);
            if (port != null ? !port.isOpen() : BufferSlot.of((ArrayBuffer) item).isDetached()) {
                throw DOMException.dataCloneError("transfer[" + i + "]: "
                        + (port != null ? describe(port) : "ArrayBuffer is detached"));
            }
        }
        boolean doomed = false;
        for (PortHandle p : ports) {
            doomed |= target != null && p.endpoint == target;
        }
        return new Shipment(payload, claimAndDetach(ports, buffers, receivers), doomed);
    }

    private static int indexOf(Object[] entries, Object item) {
        for (int i = 0; ; i++) {
            if (entries[i] == item) {
                return i;
            }
        }
    }

    /**
     * Claims every entry (ports in identity-hash order, then buffers in id order), then detaches them
     * all.
     */
    private static PortEndpoint[] claimAndDetach(List<PortHandle> ports, List<BufferSlot> buffers,
            List<BufferSlot> receivers) {
        PortHandle[] orderedPorts = ports.toArray(new PortHandle[0]);
        Arrays.sort(orderedPorts, PORTS_BY_HASH);
        boolean tie = false;
        for (int i = 1; i < orderedPorts.length; i++) {
            tie |= System.identityHashCode(orderedPorts[i]) == System.identityHashCode(orderedPorts[i - 1]);
        }
        if (tie) {
            synchronized (TIES) {
                claimAll(orderedPorts);
            }
        } else {
            claimAll(orderedPorts);
        }
        BufferSlot[] orderedBuffers = buffers.toArray(new BufferSlot[0]);
        Arrays.sort(orderedBuffers, BUFFERS_BY_ID);
        for (int i = 0; i < orderedBuffers.length; i++) {
            if (!orderedBuffers[i].claim()) {
                release(orderedPorts, orderedPorts.length, orderedBuffers, i);
                throw DOMException.dataCloneError("transfer: ArrayBuffer is detached");
            }
        }
        PortEndpoint[] endpoints = new PortEndpoint[ports.size()];
        for (int i = 0; i < endpoints.length; i++) {
            endpoints[i] = ports.get(i).commitTransfer();
        }
        for (int i = 0; i < buffers.size(); i++) {
            buffers.get(i).moveTo(receivers.get(i));
        }
        return endpoints;
    }

    /** Claims {@code orderedPorts} in order; on a failure releases those claimed and throws. */
    private static void claimAll(PortHandle[] orderedPorts) {
        for (int i = 0; i < orderedPorts.length; i++) {
            if (!orderedPorts[i].claim()) {
                release(orderedPorts, i, null, 0);
                throw DOMException.dataCloneError("transfer: " + describe(orderedPorts[i]));
            }
        }
    }

    private static void release(PortHandle[] ports, int portCount, BufferSlot[] buffers,
            int bufferCount) {
        for (int j = 0; j < portCount; j++) {
            ports[j].unclaim();
        }
        for (int j = 0; j < bufferCount; j++) {
            buffers[j].unclaim();
        }
    }

    private static String describe(PortHandle p) {
        return p.isClosed() ? "MessagePort is closed" : "MessagePort is detached (already transferred)";
    }
}
