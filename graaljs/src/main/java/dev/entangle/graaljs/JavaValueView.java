package dev.entangle.graaljs;

import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyArray;
import org.graalvm.polyglot.proxy.ProxyHashMap;
import org.graalvm.polyglot.proxy.ProxyIterator;
import org.graalvm.polyglot.proxy.ProxyObject;

import dev.entangle.MessagePort;

/**
 * How a message a Java sender posted looks to a script: the receiver's own clone of the Java value
 * (core's structured clone made it on this loop), seen through views, so that a script reads it as
 * it reads a message from another script.
 * <ul>
 * <li>A {@code Map} is both a JS {@code Map} (its entries, {@code instanceof Map}, {@code get},
 * iteration) and an object whose own enumerable properties are its entries with string keys, so
 * that {@code data.type}, {@code Object.keys(data)}, {@code Object.assign({}, data)} and
 * destructuring work: a Java map is how Java code writes a JavaScript object (Comlink's messages,
 * for example), and how a JavaScript object arrives in Java.</li>
 * <li>A {@code List} is an array of viewed elements.</li>
 * <li>A {@link MessagePort} in the data is the realm's port object, the same one as in
 * {@code event.ports} (HTML: the data and the event's ports share the transferred ports).</li>
 * <li>Anything else is passed as it is (numbers, strings, booleans, null as JS primitives; other Java
 * objects as host objects).</li>
 * </ul>
 * Writes through a view change the clone (a script may change what it received). One view per Java
 * object and message, so an object reached twice is one JS object reached twice. A script that posts
 * a view on (alone or inside its own objects) posts the Java value: core clones it
 * ({@link JsForms.JavaForm}), and a script receiving it sees it through a view again.
 *
 * <p>Threads: made and used on the receiving realm's loop only. Memory consistency effects: none of
 * its own (the clone was published by the port's queue).
 */
final class JavaValueView {
    /** Java value (by identity) to its view, for this message; ports to the realm's port objects. */
    private final Map<Object, Object> views = new IdentityHashMap<>();
    private final JsHost host;

    private JavaValueView(JsHost host) {
        this.host = host;
    }

    /**
     * {@code data} as a script sees it; {@code ports} are the message's ports already wrapped (in
     * {@code wrapped}, same order), which ports in the data resolve to.
     */
    static Object of(Object data, JsHost host, List<MessagePort> ports, List<Value> wrapped) {
        if (!(data instanceof Map) && !(data instanceof List) && !(data instanceof MessagePort)) {
            return data; // primitives and Values (a script's message): nothing to view
        }
        JavaValueView view = new JavaValueView(host);
        for (int i = 0; i < ports.size(); i++) {
            view.views.put(ports.get(i), wrapped.get(i));
        }
        return view.view(data);
    }

    private Object view(Object value) {
        if (!(value instanceof Map) && !(value instanceof List) && !(value instanceof MessagePort)) {
            return value;
        }
        Object known = views.get(value);
        if (known != null) {
            return known;
        }
        Object made;
        if (value instanceof Map) {
            @SuppressWarnings("unchecked")
            Map<Object, Object> map = (Map<Object, Object>) value;
            made = new MapView(map);
        } else if (value instanceof List) {
            @SuppressWarnings("unchecked")
            List<Object> list = (List<Object>) value;
            made = new ListView(list);
        } else {
            made = host.wrapPort((MessagePort) value); // not in the transfer list: cannot happen (clone rules)
        }
        views.put(value, made);
        return made;
    }

    /** The Java value behind {@code proxy} if it is a view made here, else null (any thread). */
    static Object viewed(Object proxy) {
        if (proxy instanceof JavaValueView.MapView) {
            return ((MapView) proxy).map;
        }
        return proxy instanceof JavaValueView.ListView ? ((ListView) proxy).list : null;
    }

    /** The Java key a script's key stands for: a JS string or number as a Java one, else the value. */
    private static Object key(Value key) {
        if (key.isString()) {
            return key.asString();
        }
        if (key.isHostObject()) {
            return key.asHostObject();
        }
        if (key.isNumber() && key.fitsInInt()) {
            return key.asInt();
        }
        return key.isNumber() ? key.asDouble() : key.as(Object.class);
    }

    /** What a script stores into a viewed map or list: a Java object as itself, else as polyglot gives it. */
    private static Object javaOf(Value value) {
        return value.isHostObject() ? value.asHostObject() : value.as(Object.class);
    }

    private final class MapView implements ProxyObject, ProxyHashMap {
        private final Map<Object, Object> map;

        MapView(Map<Object, Object> map) {
            this.map = map;
        }

        @Override
        public Object getMember(String name) {
            return view(map.get(name));
        }

        @Override
        public Object getMemberKeys() {
            return ProxyArray.fromArray(map.keySet().stream().filter(k -> k instanceof String).toArray());
        }

        @Override
        public boolean hasMember(String name) {
            return map.containsKey(name);
        }

        @Override
        public void putMember(String name, Value value) {
            map.put(name, javaOf(value));
        }

        @Override
        public boolean removeMember(String name) {
            boolean had = map.containsKey(name);
            map.remove(name);
            return had;
        }

        @Override
        public long getHashSize() {
            return map.size();
        }

        @Override
        public boolean hasHashEntry(Value key) {
            return map.containsKey(key(key));
        }

        @Override
        public Object getHashValue(Value key) {
            return view(map.get(key(key)));
        }

        @Override
        public void putHashEntry(Value key, Value value) {
            map.put(key(key), javaOf(value));
        }

        @Override
        public boolean removeHashEntry(Value key) {
            Object k = key(key);
            boolean had = map.containsKey(k);
            map.remove(k);
            return had;
        }

        @Override
        public Object getHashEntriesIterator() {
            Iterator<Map.Entry<Object, Object>> entries = map.entrySet().iterator();
            return new ProxyIterator() {
                @Override
                public boolean hasNext() {
                    return entries.hasNext();
                }

                @Override
                public Object getNext() {
                    Map.Entry<Object, Object> entry = entries.next();
                    return ProxyArray.fromArray(view(entry.getKey()), view(entry.getValue()));
                }
            };
        }
    }

    private final class ListView implements ProxyArray {
        private final List<Object> list;

        ListView(List<Object> list) {
            this.list = list;
        }

        @Override
        public Object get(long index) {
            return view(list.get(Math.toIntExact(index)));
        }

        @Override
        public void set(long index, Value value) {
            list.set(Math.toIntExact(index), javaOf(value));
        }

        @Override
        public boolean remove(long index) {
            list.remove(Math.toIntExact(index));
            return true;
        }

        @Override
        public long getSize() {
            return list.size();
        }

        @Override
        public String toString() {
            return Objects.toString(list);
        }
    }
}
