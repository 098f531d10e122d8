package dev.entangle.graaljs;

/**
 * What a worker whose parent is a script sends its parent over the implicit port, in order with its
 * messages: an error it did not handle (HTML §10.2.5: the parent fires an {@code ErrorEvent} at the
 * {@code Worker} object), or the failure to load its script ({@code loadFailure}: the parent fires a
 * plain {@code error} event). Scripts cannot make one, so it never passes for a message. Immutable.
 */
record ErrorReport(String message, String filename, int lineno, int colno, boolean loadFailure) {
}
