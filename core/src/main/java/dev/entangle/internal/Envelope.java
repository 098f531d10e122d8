package dev.entangle.internal;

/**
 * A queued message that carries transferred ports: the serialized payload plus the endpoints that
 * travel with it, in transfer-list order. A message without transferred ports is queued as its bare
 * payload (no envelope allocation on the common path); see {@link PortEndpoint}.
 *
 * <p>Immutable; safely published by the queue that carries it.
 */
final class Envelope {
    final Object payload;
    final PortEndpoint[] ports;

    Envelope(Object payload, PortEndpoint[] ports) {
        this.payload = payload;
        this.ports = ports;
    }
}
