package dev.entangle.graaljs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.graalvm.polyglot.Context;
import org.junit.jupiter.api.Test;

class ContextsProbeTest {
    @Test
    void contextHasTransfer() {
        try (Context c = JsContexts.newContext()) {
            assertEquals("function", c.eval("js", "typeof ArrayBuffer.prototype.transfer").asString());
        }
    }
}
