package dev.entangle.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import dev.entangle.DOMException;
import dev.entangle.StructuredClone.CloneContext;
import dev.entangle.StructuredClone.Codec;
import dev.entangle.StructuredClone.DeserializeContext;
import dev.entangle.StructuredClone.SerializeContext;

/**
 * StructuredSerializeWithTransfer and StructuredDeserializeWithTransfer (HTML
 * {@code #structuredserializewithtransfer}, {@code #structureddeserializewithtransfer}), the one seam
 * every message crosses: {@link #serialize} runs on the sender's thread inside {@code postMessage};
 * {@link #deserialize} runs on the receiving loop just before dispatch (a failure there becomes a
 * {@code messageerror} event). The rules per class are in {@link CloneRules}; the public description
 * is the javadoc of {@code dev.entangle.StructuredClone}.
 *
 * <p>Stateless; safe from any thread. Memory consistency effects: none beyond those of the queue the
 * serialized form travels in (the form is built on the sender and only read by the receiver).
 */
public final class StructuredSerialize {
    /*
     * Implementation overview.
     *
     * One pass on the sender builds the receiver's objects directly: immutable values are returned as
     * they are (the fast path: no allocation), mutable containers are copied, transferred buffers
     * become the receiver's new ArrayBuffer objects (filled when the transfer commits). The result is
     * "complete" and the receiver does nothing, unless something can only be finished on the receiving
     * loop: a transferred MessagePort (its new object must be made there), a codec's deserialize step,
     * and whatever contains those. Such values are represented by Deferred placeholders (PortRef,
     * CodecForm, DeferredRecord, DeferredOptional), and a container with a Deferred (or an incomplete
     * container) inside is left empty on the sender with a Fill that inserts its elements on the
     * receiver. The message is then wrapped in a Payload(root, fills); the receiver runs the fills in
     * the order they were made - post-order, so a container is filled after every container inside it
     * (hash codes are computed on complete elements) - and then resolves the root. Placeholders are
     * resolved once each (an identity memo), so shared references stay shared.
     *
     * Graph preservation on the sender: an IdentityHashMap from each copied object to its copy, made
     * when the first mutable container or record is met. A container is remembered before its
     * elements are copied (cycles come back to the copy); a record is remembered as IN_PROGRESS until
     * its constructor has run, and meeting it again then is a cycle through a record: DataCloneError.
     *
     * Errors carry their path without any cost on success: a CloneFailure (no stack trace) is thrown
     * at the offending value, and each enclosing container catches it, prepends its segment and
     * rethrows; serialize() turns it into the DataCloneError.
     */

    /**
     * Containers, records, optionals and codec forms nested deeper than this are a DataCloneError on
     * the sender. The receiver rebuilds deferred values recursively, on whatever stack its loop has
     * (a multiplexed loop runs on its executor's threads), so a depth the sender's deeper stack could
     * take must never reach it; 1,000 is Jackson's default nesting limit for JSON, and far beyond
     * what messages hold.
     */
    public static final int MAX_DEPTH = 1000;

    private StructuredSerialize() {
    }

    /**
     * The transfer list as the serializer sees it: each entry (by identity) to what stands for it in
     * the message: a {@link PortRef} for a port, the receiver's new {@code ArrayBuffer} for a buffer.
     */
    public static final class Transfers {
        final IdentityHashMap<Object, Object> targets;

        Transfers(int size) {
            targets = new IdentityHashMap<>(size * 2);
        }
    }

    /**
     * Serializes {@code value} on the sender's thread, for one receiver: the form holds that receiver's
     * copies, so a message for several receivers (a {@code BroadcastChannel}) needs one form each.
     *
     * @param transfers the transfer list (see {@link TransferSteps}), or null if it is empty
     * @throws DOMException DataCloneError for a value that cannot be cloned, naming its class and path
     */
    public static Object serialize(Object value, Transfers transfers) {
        if (value == null) {
            return null;
        }
        CloneRules.Rule rule = CloneRules.of(value.getClass());
        if (rule == CloneRules.VALUE || rule == CloneRules.SHARED && !Marks.anyUncloneable()) {
            return value; // the common case: no allocation
        }
        return new Serializer(transfers).run(value, rule);
    }

    /**
     * Deserializes on the receiving loop (or on the calling thread, for {@code structuredClone}). A
     * form is deserialized at most once: its objects become that receiver's.
     *
     * @param transferred the received ports (new port objects) in transfer-list order
     * @throws RuntimeException whatever a codec or a record constructor throws: the caller fires
     *     {@code messageerror}
     */
    public static Object deserialize(Object payload, List<?> transferred) {
        if (!(payload instanceof Payload)) {
            return payload; // complete on the sender: nothing to do
        }
        return new Deserializer(transferred).run((Payload) payload);
    }

    /** A clone error on its way out, collecting the path as it passes each container. */
    static final class CloneFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String reason;
        private String path = "";

        CloneFailure(String reason, Throwable cause) {
            super(reason, cause, false, false);
            this.reason = reason;
        }

        CloneFailure at(String segment) {
            path = segment + path;
            return this;
        }

        DOMException toDataCloneError() {
            DOMException e = DOMException.dataCloneError(abbreviated("data" + path) + ": " + reason);
            if (getCause() != null) {
                e.initCause(getCause());
            }
            return e;
        }
    }

    /** Longest path a DataCloneError spells out in full (a too-deep value has a path per level). */
    private static final int MAX_PATH_CHARS = 200;

    /** {@code path}, or its start and end around an ellipsis if it is longer than MAX_PATH_CHARS. */
    static String abbreviated(String path) {
        if (path.length() <= MAX_PATH_CHARS) {
            return path;
        }
        return path.substring(0, MAX_PATH_CHARS / 2) + "..." + path.substring(path.length() - 40);
    }

    /** The sender's state for one message; also the context given to cloners and codecs. */
    static final class Serializer implements CloneContext, SerializeContext {
        static final Object IN_PROGRESS = new Object();

        private final Transfers transfers;
        /** Whether any object was ever marked uncloneable (read once per message). */
        final boolean marks = Marks.anyUncloneable();
        /** Containers being cloned around the current value; at most {@link #MAX_DEPTH}. */
        private int depth;
        /** Expected containers in a message, the first size of {@link #copies}. */
        private static final int FEW_COPIES = 4;
        private IdentityHashMap<Object, Object> copies;
        /** Containers left empty for the receiver to fill (by identity). */
        private IdentityHashMap<Object, Boolean> pending;
        private ArrayList<Fill> fills;
        private Map<Object, Object> state;

        Serializer(Transfers transfers) {
            this.transfers = transfers;
        }

        Object run(Object value, CloneRules.Rule rule) {
            try {
                Object root = dispatch(value, rule);
                return fills != null || needsReceiver(root)
                        ? new Payload(root, fills == null ? NO_FILLS : fills.toArray(NO_FILLS))
                        : root;
            } catch (CloneFailure f) {
                throw f.toDataCloneError();
            } catch (StackOverflowError e) {
                throw DOMException.dataCloneError("data: the object graph is too deep to clone");
            }
        }

        /** Clones a value inside the message; {@link #needsReceiver} tells whether it is complete. */
        Object child(Object value) {
            if (value == null) {
                return null;
            }
            CloneRules.Rule rule = CloneRules.of(value.getClass());
            if (rule == CloneRules.VALUE) {
                return value;
            }
            if (copies != null) {
                Object copy = copies.get(value);
                if (copy != null) {
                    if (copy == IN_PROGRESS) {
                        throw new CloneFailure("a cycle through record " + value.getClass().getName()
                                + " cannot be cloned", null);
                    }
                    return copy;
                }
            }
            return dispatch(value, rule);
        }

        private Object dispatch(Object value, CloneRules.Rule rule) {
            if (marks && Marks.isUncloneable(value)) {
                throw new CloneFailure(value.getClass().getName() + " is marked as uncloneable", null);
            }
            if (++depth > MAX_DEPTH) {
                throw new CloneFailure("the value is too deep to clone (nested deeper than " + MAX_DEPTH
                        + " levels)", null);
            }
            Object result = rule.serialize(value, this);
            depth--; // not on failure: a failure ends the whole message
            return result;
        }

        /** Records {@code copy} as the clone of {@code original} for the rest of the message. */
        void remember(Object original, Object copy) {
            if (copies == null) {
                // Sized for a few containers (a request's or reply's small map, issue 15: the default
                // table is 272 bytes); it grows like any IdentityHashMap for bigger graphs.
                copies = new IdentityHashMap<>(FEW_COPIES);
            }
            copies.put(original, copy);
        }

        /** What stands for {@code transferable} in the message, or null if it is not transferred. */
        Object transferred(Object transferable) {
            return transfers == null ? null : transfers.targets.get(transferable);
        }

        /**
         * Whether {@code copy}, a result of {@link #child}, needs work on the receiver: a Deferred
         * placeholder, or a container copy left empty for the receiver to fill. Derived from the
         * result, so that no call can leave a stale flag behind for the next.
         */
        boolean needsReceiver(Object copy) {
            return copy instanceof Deferred || pending != null && pending.containsKey(copy);
        }

        /**
         * Completes a container copy: inserts its elements now, or, if one of them is incomplete,
         * leaves {@code inner} (the mutable collection behind {@code outer}) for the receiver to fill.
         */
        void finish(Object inner, Object outer, Object[] kids, int fillKind, boolean anyIncomplete) {
            if (!anyIncomplete) {
                Fill.insert(inner, kids, fillKind);
                return;
            }
            if (fills == null) {
                fills = new ArrayList<>();
                pending = new IdentityHashMap<>();
            }
            fills.add(new Fill(inner, kids, fillKind));
            pending.put(outer, Boolean.TRUE);
        }

        @Override
        public <V> V clone(V value, String pathSegment) {
            Object copy;
            try {
                copy = child(value);
            } catch (CloneFailure f) {
                throw f.at(pathSegment == null ? "" : pathSegment);
            }
            if (needsReceiver(copy)) {
                throw new CloneFailure(value.getClass().getName() + " cannot be finished inside a"
                        + " Cloner's value (a transferred MessagePort or a Codec's value needs work on"
                        + " the receiver): register a Codec for the enclosing type", null)
                        .at(pathSegment == null ? "" : pathSegment);
            }
            @SuppressWarnings("unchecked")
            V result = (V) copy;
            return result;
        }

        @Override
        public Object serialize(Object value, String pathSegment) {
            try {
                return child(value); // the codec's form is deferred as a whole (CodecForm)
            } catch (CloneFailure f) {
                throw f.at(pathSegment == null ? "" : pathSegment);
            }
        }

        @Override
        public Map<Object, Object> messageState() {
            if (state == null) {
                state = new HashMap<>();
            }
            return state;
        }
    }

    private static final Fill[] NO_FILLS = new Fill[0];

    /** A message that needs work on the receiver. Immutable once queued. */
    static final class Payload {
        final Object root;
        final Fill[] fills;

        Payload(Object root, Fill[] fills) {
            this.root = root;
            this.fills = fills;
        }
    }

    /** A container copy whose elements are inserted on the receiver. */
    static final class Fill {
        static final int COLLECTION = 0;
        static final int MAP = 1;
        static final int ARRAY = 2;

        final Object target;
        final Object[] kids;
        final int kind;

        Fill(Object target, Object[] kids, int kind) {
            this.target = target;
            this.kids = kids;
            this.kind = kind;
        }

        @SuppressWarnings("unchecked")
        static void insert(Object target, Object[] kids, int kind) {
            switch (kind) {
                case COLLECTION:
                    Collection<Object> c = (Collection<Object>) target;
                    for (Object kid : kids) {
                        c.add(kid);
                    }
                    break;
                case MAP:
                    Map<Object, Object> m = (Map<Object, Object>) target;
                    for (int i = 0; i < kids.length; i += 2) {
                        m.put(kids[i], kids[i + 1]);
                    }
                    break;
                default:
                    System.arraycopy(kids, 0, target, 0, kids.length);
            }
        }

        void apply(Deserializer d) {
            Object[] resolved = new Object[kids.length];
            for (int i = 0; i < kids.length; i++) {
                resolved[i] = d.resolve(kids[i]);
            }
            insert(target, resolved, kind);
        }
    }

    /** A value that can only be made on the receiver. */
    abstract static class Deferred {
        abstract Object materialize(Deserializer d);
    }

    /** A transferred port: the new port object at this index of the received ports. */
    static final class PortRef extends Deferred {
        final int index;

        PortRef(int index) {
            this.index = index;
        }

        @Override
        Object materialize(Deserializer d) {
            return d.transferred.get(index);
        }
    }

    /** A codec's form: its deserialize step runs on the receiver. */
    static final class CodecForm extends Deferred {
        private final Codec<Object> codec;
        private final Object form;

        CodecForm(Codec<Object> codec, Object form) {
            this.codec = codec;
            this.form = form;
        }

        @Override
        Object materialize(Deserializer d) {
            return codec.deserialize(form, d);
        }
    }

    /** A record with an incomplete component: built on the receiver. */
    static final class DeferredRecord extends Deferred {
        private final CloneRules.RecordRule rule;
        private final Object[] components;

        DeferredRecord(CloneRules.RecordRule rule, Object[] components) {
            this.rule = rule;
            this.components = components;
        }

        @Override
        Object materialize(Deserializer d) {
            Object[] values = new Object[components.length];
            for (int i = 0; i < values.length; i++) {
                values[i] = d.resolve(components[i]);
            }
            try {
                return rule.construct(values);
            } catch (CloneFailure f) {
                throw f.toDataCloneError();
            }
        }
    }

    /** An optional whose value is incomplete. */
    static final class DeferredOptional extends Deferred {
        private final Object value;

        DeferredOptional(Object value) {
            this.value = value;
        }

        @Override
        Object materialize(Deserializer d) {
            return java.util.Optional.of(d.resolve(value));
        }
    }

    /** The receiver's state for one message; also the context given to codecs. */
    static final class Deserializer implements DeserializeContext {
        final List<?> transferred;
        private IdentityHashMap<Deferred, Object> made;
        private Map<Object, Object> state;

        Deserializer(List<?> transferred) {
            this.transferred = transferred;
        }

        Object run(Payload payload) {
            for (Fill fill : payload.fills) {
                fill.apply(this);
            }
            return resolve(payload.root);
        }

        Object resolve(Object form) {
            if (!(form instanceof Deferred)) {
                return form;
            }
            if (made == null) {
                made = new IdentityHashMap<>();
            }
            Object value = made.get(form);
            if (value == null) {
                value = ((Deferred) form).materialize(this);
                made.put((Deferred) form, value);
            }
            return value;
        }

        @Override
        public Object deserialize(Object form) {
            return resolve(form);
        }

        @Override
        public Map<Object, Object> messageState() {
            if (state == null) {
                state = new HashMap<>();
            }
            return state;
        }
    }
}
