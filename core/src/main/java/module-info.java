/**
 * entangle: HTML channel messaging for the JVM.
 *
 * <p>The API is the package {@code dev.entangle}, shaped after the WHATWG HTML standard, §9
 * Communication. The package {@code dev.entangle.internal} holds the mechanics (port message queues,
 * entanglement, transfer, the event loop) and is not exported.
 */
module dev.entangle {
    requires org.jctools.core;
    requires jdk.jfr; // entangle's Flight Recorder events (dev.entangle.internal.Jfr)

    exports dev.entangle;
}
