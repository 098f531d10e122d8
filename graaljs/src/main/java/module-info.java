/**
 * entangle for GraalJS: JavaScript realms on entangle event loops, with the Web messaging globals
 * ({@code Worker}, {@code MessageChannel}, {@code MessagePort}, {@code BroadcastChannel},
 * {@code structuredClone}, timers).
 *
 * <p>The API is {@link dev.entangle.graaljs.JsRuntime} with its file policy
 * {@link dev.entangle.graaljs.JsFileAccess} (and the command line,
 * {@link dev.entangle.graaljs.Main}); every other type of the package is package-private. The
 * JavaScript language itself ({@code org.graalvm.js}, from {@code js-community}) is found by the
 * polyglot API as a service when it is on the module or class path.
 */
module dev.entangle.graaljs {
    requires transitive dev.entangle;
    requires org.graalvm.polyglot;

    exports dev.entangle.graaljs;
}
