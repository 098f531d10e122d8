package dev.entangle;

/**
 * Marker for objects that may stand in a transfer list (HTML §2.7 "transferable objects"):
 * {@link MessagePort} and {@link ArrayBuffer}. Transferring an object moves it to the receiver and
 * detaches the sender's handle; see {@link StructuredClone} for the rules.
 *
 * <p>Threads: a marker with no methods; see each implementation for its own contract.
 *
 * <p>Memory consistency effects: none of its own; see {@link MessagePort#postMessage(Object,
 * java.util.List)}.
 */
public sealed interface Transferable permits MessagePort, ArrayBuffer {
}
