package dev.entangle.internal;

import java.util.Arrays;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import dev.entangle.DOMException;

/**
 * The message port post message steps with a transfer list (HTML §9.4.4, with
 * StructuredSerializeWithTransfer, §2.7.5): validate the list, serialize, detach every transferred port
 * at once, then queue the message at the entangled port, or drop it.
 *
 * <p>All-or-nothing (SPEC item 3): every check that can fail runs before the first port is detached;
 * a port closed or transferred by another thread in the meantime makes the claim fail and releases the
 * ports already claimed, so a {@code DataCloneError} never leaves anything detached.
 *
 * <p>Any thread. Memory consistency effects: actions before {@link #post} happen-before the dispatch
 * of the message and the use of the transferred ports at the receiving loop.
 */
public final class TransferSteps {
    private TransferSteps() {
    }

    private static final Comparator<PortHandle> BY_ID = Comparator.comparingLong(h -> h.id);

    /**
     * Posts {@code message} from {@code source} with the given transfer list.
     *
     * @param portOf maps a transfer-list entry to its PortHandle, or null if the entry is not a port
     * @throws DOMException DataCloneError as listed in SPEC item 3, with nothing detached
     * @throws NullPointerException if an entry is null
     */
    public static void post(PortHandle source, Object message, List<?> transfer,
            Function<Object, PortHandle> portOf) {
        int n = transfer.size();
        if (n == 0) {
            source.post(message);
            return;
        }
        PortHandle[] ports = new PortHandle[n];
        Map<Object, Integer> index = new IdentityHashMap<>(n * 2);
        // Step 2: the source port itself.
        for (int i = 0; i < n; i++) {
            Object item = transfer.get(i);
            if (item == null) {
                throw new NullPointerException("transfer[" + i + "] is null");
            }
            ports[i] = portOf.apply(item);
            if (ports[i] == source) {
                throw DOMException.dataCloneError(
                        "transfer[" + i + "]: a port cannot be transferred through itself");
            }
        }
        // StructuredSerializeWithTransfer step 2: every entry transferable, no duplicates, none detached.
        for (int i = 0; i < n; i++) {
            Object item = transfer.get(i);
            if (ports[i] == null) {
                throw DOMException.dataCloneError("transfer[" + i + "]: " + item.getClass().getName()
                        + " is not Transferable");
            }
            if (index.putIfAbsent(item, i) != null) {
                throw DOMException.dataCloneError("transfer[" + i + "]: duplicate of transfer["
                        + index.get(item) + "]");
            }
            if (!ports[i].isOpen()) {
                throw DOMException.dataCloneError("transfer[" + i + "]: " + describe(ports[i]));
            }
        }
        // Steps 1 and 4: the target, and whether it is in the list (the message is then doomed).
        PortEndpoint target = source.isOpen() ? source.endpoint.peer() : null;
        boolean doomed = false;
        for (PortHandle p : ports) {
            if (p.endpoint == target) {
                doomed = true;
            }
        }
        // Step 5: serialize (may throw; nothing is detached yet).
        Object payload = StructuredClone.serialize(message, index);
        // Transfer steps: claim all (in id order), then detach all.
        PortEndpoint[] endpoints = claimAndDetach(ports);
        // Step 6: a doomed message, or a source with no target, is dropped; its ports are closed.
        if (target == null || doomed || !source.isOpen()) {
            PortHandle.discard(endpoints);
            return;
        }
        target.enqueue(payload, endpoints);
    }

    private static PortEndpoint[] claimAndDetach(PortHandle[] ports) {
        PortHandle[] ordered = ports.clone();
        Arrays.sort(ordered, BY_ID);
        for (int i = 0; i < ordered.length; i++) {
            if (!ordered[i].claim()) {
                for (int j = 0; j < i; j++) {
                    ordered[j].unclaim();
                }
                throw DOMException.dataCloneError("transfer: " + describe(ordered[i]));
            }
        }
        PortEndpoint[] endpoints = new PortEndpoint[ports.length];
        for (int i = 0; i < ports.length; i++) {
            endpoints[i] = ports[i].commitTransfer();
        }
        return endpoints;
    }

    private static String describe(PortHandle p) {
        return p.isClosed() ? "MessagePort is closed" : "MessagePort is detached (already transferred)";
    }
}
