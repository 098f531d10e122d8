package dev.entangle.graaljs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;

/** {@link JsCodecHelpers#of}: one set of helpers per context, whichever context a thread used last. */
class JsCodecHelpersTest {
    @Test
    void eachContextKeepsItsOwnHelpersWhenOneThreadAlternates() {
        try (Context first = JsContexts.newContext(); Context second = JsContexts.newContext()) {
            JsCodecHelpers a = JsCodecHelpers.of(first);
            JsCodecHelpers b = JsCodecHelpers.of(second);
            assertNotSame(a, b);
            Value inFirst = first.eval("js", "({})");
            // a value's getContext() is another Context object for the same context: the same helpers
            assertSame(a, JsCodecHelpers.of(inFirst.getContext()));
            assertSame(b, JsCodecHelpers.of(second));
            assertSame(a, JsCodecHelpers.of(first));
            Value made = JsCodecHelpers.of(first).newObject.execute();
            assertEquals(first, made.getContext(), "the helpers of the first context make its objects");
            assertEquals(second, JsCodecHelpers.of(second).newObject.execute().getContext());
        }
    }
}
