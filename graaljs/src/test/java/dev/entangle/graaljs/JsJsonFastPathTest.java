package dev.entangle.graaljs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

import dev.entangle.graaljs.JsForms.ArrayForm;
import dev.entangle.graaljs.JsForms.ObjectForm;
import dev.entangle.graaljs.JsForms.Undefined;

/**
 * Which forms {@link JsDeserializer.Json} writes as JSON text (then rebuilt by one {@code JSON.parse})
 * and which it declines, leaving them to the ordinary path; {@code JsCodecTest} checks the values that
 * arrive either way.
 */
class JsJsonFastPathTest {
    private static ObjectForm object(Object... keyValues) {
        ObjectForm o = new ObjectForm(keyValues.length / 2);
        for (int i = 0; i < o.keys.length; i++) {
            o.keys[i] = (String) keyValues[2 * i];
            o.values[i] = keyValues[2 * i + 1];
        }
        return o;
    }

    private static ArrayForm array(long length, Object... values) {
        ArrayForm a = new ArrayForm(length, values.length);
        for (int i = 0; i < values.length; i++) {
            a.keys[i] = Integer.toString(i);
            a.values[i] = values[i];
        }
        return a;
    }

    @Test
    void aTreeOfPlainValuesBecomesJsonText() {
        assertEquals("{\"id\":1,\"name\":\"p\\\"\\\\\\u000a\",\"ok\":true,\"no\":null,\"xs\":[1,2.5,1.0E21,-3]}",
                JsDeserializer.Json.text(object("id", 1.0, "name", "p\"\\\n", "ok", true, "no", null,
                        "xs", array(4, 1.0, 2.5, 1e21, -3.0))));
        assertEquals("[[],{}]", JsDeserializer.Json.text(array(2, array(0), object())));
        assertEquals("{\"n\":9007199254740991,\"m\":9.007199254740994E15}",
                JsDeserializer.Json.text(object("n", 9007199254740991.0, "m", 9007199254740994.0)));
    }

    @Test
    void whatJsonCannotCarryIsDeclined() {
        assertNull(JsDeserializer.Json.text(object("u", Undefined.UNDEFINED)));
        assertNull(JsDeserializer.Json.text(object("z", -0.0)));
        assertNull(JsDeserializer.Json.text(array(1, Double.NaN)));
        assertNull(JsDeserializer.Json.text(array(1, Double.POSITIVE_INFINITY)));
        assertNull(JsDeserializer.Json.text(array(3, 1.0)), "holes");
        ArrayForm extra = new ArrayForm(1, 2);
        extra.keys[0] = "0";
        extra.keys[1] = "x";
        extra.values[0] = 1.0;
        extra.values[1] = 2.0;
        assertNull(JsDeserializer.Json.text(extra), "a property besides the indices");
        ObjectForm shared = object("k", 1.0);
        shared.shared = true;
        assertNull(JsDeserializer.Json.text(object("a", shared)), "reached twice in its message");
        assertNull(JsDeserializer.Json.text(object("m", new JsForms.MapForm(0))), "a Map inside");
        Object deep = object();
        for (int i = 0; i < JsDeserializer.Json.MAX_DEPTH; i++) {
            deep = object("c", deep);
        }
        assertNull(JsDeserializer.Json.text(deep), "nested past MAX_DEPTH");
    }
}
