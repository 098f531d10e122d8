package dev.entangle.remote;

import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;

import dev.entangle.MessagePort;
import dev.entangle.StructuredClone;

/**
 * A message that came over the wire, on its way from the node's bridge port to the user's port: the
 * encoded bytes, decoded only on the receiving loop (HTML §9.4.4 "message port post message steps":
 * deserialization happens at the receiver), so that a value the receiver cannot read is a
 * {@code messageerror} there and the port goes on working. It travels through the core as a value of a
 * registered {@link StructuredClone.Codec}: {@code serialize} (on the node's thread) passes the bytes
 * and the transferred ports; {@code deserialize} (on the receiving loop) decodes them and returns the
 * decoded value (not a {@code WireMessage}: the codec is registered raw for that reason), or throws.
 *
 * <p>Threads: immutable once made; made on the node's thread. Memory consistency effects: the core's
 * {@code postMessage} publishes it to the receiving loop.
 */
final class WireMessage {
    static {
        register();
    }

    private final byte[] bytes;
    private final String notEncodable;
    private final List<MessagePort> ports;
    private final ClassLoader loader;

    private WireMessage(byte[] bytes, String notEncodable, List<MessagePort> ports, ClassLoader loader) {
        this.bytes = bytes;
        this.notEncodable = notEncodable;
        this.ports = ports;
        this.loader = loader;
    }

    /** A value encoded by {@link WireFormat}, with the ports of its port table (in the transfer list). */
    static WireMessage of(byte[] bytes, List<MessagePort> ports, ClassLoader loader) {
        return new WireMessage(bytes, null, ports, loader);
    }

    /** A message the sender could not encode: its receiver gets {@code messageerror}. */
    static WireMessage notEncodable(String reason) {
        return new WireMessage(null, reason, List.of(), null);
    }

    /** Makes sure the codec is registered (class initialization does it). */
    static void ensureRegistered() {
        // the static initializer ran
    }

    /** What the core carries to the receiving loop. */
    private static final class Form {
        final WireMessage message;
        final Object portsForm;

        Form(WireMessage message, Object portsForm) {
            this.message = message;
            this.portsForm = portsForm;
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void register() {
        // Raw on purpose: deserialize returns the decoded value, which is what the receiver's
        // MessageEvent.data() must be; the core hands it over as an Object.
        StructuredClone.Codec codec = new StructuredClone.Codec() {
            @Override
            public Object serialize(Object value, StructuredClone.SerializeContext context) {
                WireMessage m = (WireMessage) value;
                return new Form(m, m.ports.isEmpty() ? null : context.serialize(m.ports, ".ports"));
            }

            @Override
            public Object deserialize(Object form, StructuredClone.DeserializeContext context) {
                Form f = (Form) form;
                List<MessagePort> ports = f.portsForm == null ? List.of()
                        : (List<MessagePort>) context.deserialize(f.portsForm);
                WireMessage m = f.message;
                if (m.notEncodable != null) {
                    throw new IllegalArgumentException("the sending node could not encode the message: "
                            + m.notEncodable);
                }
                return WireFormat.decode(new UnsafeBuffer(m.bytes), 0, m.bytes.length, ports, m.loader);
            }
        };
        StructuredClone.registerCodec((Class) WireMessage.class, codec);
    }
}
