/**
 * The mechanics behind {@code dev.entangle}: port message queues, loops, transfers, structured
 * serialization. Not exported by the module; package-private by default.
 *
 * <h2>Field access convention</h2>
 *
 * <p>One convention for every field more than one thread touches (JCTools' naming). Per field and per
 * access mode one small private (or package-private) method, named after the mode:
 * <ul>
 *   <li>{@code lvX()} load volatile (or acquire); {@code svX(v)} store volatile; {@code soX(v)} store
 *       ordered (release); {@code lpX()} / {@code spX(v)} plain load and store;</li>
 *   <li>{@code casX(expect, update)} compare-and-set; {@code getAndAddX(d)}, {@code getAndSetX(v)},
 *       {@code getAndBitwiseOrX(bits)}, {@code getAndBitwiseAndNotX(bits)} the atomic
 *       read-modify-writes.</li>
 * </ul>
 *
 * <p>A field every access of which is volatile is declared {@code volatile}; its {@code lv} and
 * {@code sv} wrappers are plain Java reads and writes of it, and its VarHandle (a {@code static final}
 * in UPPER_CASE) serves only its read-modify-writes. A field that some access reads or writes with a
 * weaker mode is not declared {@code volatile}, and every access to it goes through its VarHandle.
 * No field is read two different ways without a comment at the weaker read saying why it is enough.
 * Each non-plain access says why it is needed (for example "release: publish the event before the
 * index"), at the call or in the class's field table.
 *
 * <p>Each concurrent class has, after its header, an implementation overview for maintainers whose
 * last part is a field table: every field with its access modes. Spec steps are cited by the
 * standard's anchor ({@code #dom-messageport-postmessage}), not by section number.
 */
package dev.entangle.internal;
