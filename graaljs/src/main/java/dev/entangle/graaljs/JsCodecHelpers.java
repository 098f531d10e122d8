package dev.entangle.graaljs;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;

/**
 * The JavaScript functions {@link JsCodec} calls in one context: made once per context (one evaluation
 * of the resource {@code codec.js}, whose comment says what stays JavaScript and why) and cached in
 * the context's polyglot bindings, which scripts cannot see (the contexts do not allow polyglot
 * access), so the cache lives and dies with the context.
 *
 * <p>The functions capture the intrinsics ({@code Map.prototype.set}, the {@code ArrayBuffer}
 * getters, the error constructors, …) when they are made: a script that later replaces a global or a
 * prototype method does not change how values are serialized or rebuilt. {@link #of} makes them on
 * first use; a realm should call it before running user code (see {@link JsCodec#prepare}).
 *
 * <p>Threads: the thread that uses the context (its loop's). Memory consistency effects: none of its
 * own; the context is single-threaded.
 */
final class JsCodecHelpers {
    /** Key in the polyglot bindings. */
    private static final String KEY = "dev.entangle.graaljs.JsCodecHelpers";

    /** codec.js: one parse per engine, shared by every context. */
    private static final Source SOURCE = JsRealm.resource("codec.js");

    final Value undefined;
    final Value sequence;
    final Value isObject;
    final Value newMemory;
    final Value indexOf;
    final Value remember;
    final Value classify;
    final Value transferKind;
    final Value detach;
    final Value newObject;
    final Value newArray;
    final Value newMap;
    final Value newSet;
    final Value define;
    final Value filledObject;
    final Value filledArray;
    final Value mapFill;
    final Value setFill;
    final Value box;
    final Value bigint;
    final Value date;
    final Value regexp;
    final Value error;
    final Value defineHidden;
    final Value copy;
    final Value view;
    /** JavaScript's bigint, undefined and Proxy types: {@code isMetaInstance} tells them apart from Java. */
    final Value bigintType;
    final Value undefinedType;
    final Value proxyType;
    private final Value setPortCheck;
    /** Loop-only: whether describe tells ports itself (kind 'p'); otherwise the serializer asks the host. */
    private boolean portCheckInstalled;

    private JsCodecHelpers(Value fns) {
        undefined = fns.getMember("undefined");
        sequence = fns.getMember("sequence");
        isObject = fns.getMember("isObject");
        newMemory = fns.getMember("newMemory");
        indexOf = fns.getMember("indexOf");
        remember = fns.getMember("remember");
        classify = fns.getMember("classify");
        Value samples = fns.getMember("samples");
        bigintType = samples.getMember("bigint").getMetaObject();
        undefinedType = samples.getMember("undefined").getMetaObject();
        proxyType = samples.getMember("proxy").getMetaObject();
        transferKind = fns.getMember("transferKind");
        detach = fns.getMember("detach");
        newObject = fns.getMember("newObject");
        newArray = fns.getMember("newArray");
        newMap = fns.getMember("newMap");
        newSet = fns.getMember("newSet");
        define = fns.getMember("define");
        filledObject = fns.getMember("filledObject");
        filledArray = fns.getMember("filledArray");
        mapFill = fns.getMember("mapFill");
        setFill = fns.getMember("setFill");
        box = fns.getMember("box");
        bigint = fns.getMember("bigint");
        date = fns.getMember("date");
        regexp = fns.getMember("regexp");
        error = fns.getMember("error");
        defineHidden = fns.getMember("defineHidden");
        copy = fns.getMember("copy");
        view = fns.getMember("view");
        setPortCheck = fns.getMember("setPortCheck");
    }

    /**
     * Makes {@code classify} recognize the host's port objects ({@code isPort}: a JS function of the
     * same context, true for a port object), so the serializer makes one call into the context per
     * object instead of two ({@link JsHost#unwrapPort} only for what is a port).
     */
    void installPortCheck(Value isPort) {
        setPortCheck.execute(isPort);
        portCheckInstalled = true;
    }

    boolean portCheckInstalled() {
        return portCheckInstalled;
    }

    /** The helpers of {@code context}, made on first use. Call on the context's thread. */
    static JsCodecHelpers of(Context context) {
        Value bindings = context.getPolyglotBindings();
        Value cached = bindings.getMember(KEY);
        if (cached != null && cached.isHostObject()) {
            return cached.asHostObject();
        }
        JsCodecHelpers helpers = new JsCodecHelpers(
                context.eval(SOURCE));
        bindings.putMember(KEY, helpers);
        return helpers;
    }
}
