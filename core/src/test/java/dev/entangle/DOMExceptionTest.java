package dev.entangle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** {@link DOMException} (WebIDL interface DOMException): names, legacy codes, message. */
class DOMExceptionTest {

    /** WebIDL "error names" table: DataCloneError has legacy code 25 (DATA_CLONE_ERR). */
    @Test
    void dataCloneErrorHasCode25() {
        DOMException e = DOMException.dataCloneError("transfer[0]: duplicate");

        assertEquals("DataCloneError", e.name());
        assertEquals(25, e.code());
        assertEquals("transfer[0]: duplicate", e.getMessage());
        assertEquals("DataCloneError: transfer[0]: duplicate", e.toString());
    }

    /** WebIDL "error names" table: InvalidStateError has legacy code 11 (INVALID_STATE_ERR). */
    @Test
    void invalidStateErrorHasCode11() {
        DOMException e = DOMException.invalidStateError("closed");

        assertEquals("InvalidStateError", e.name());
        assertEquals(11, e.code());
        assertEquals("closed", e.getMessage());
    }

    /** WebIDL: names outside the legacy table (and new names) have code 0. */
    @Test
    void unknownAndModernNamesHaveCode0() {
        assertEquals(0, new DOMException("m", "SomethingElse").code());
        assertEquals(0, new DOMException("m", "EncodingError").code());
        assertEquals(0, new DOMException("m", "dataCloneError").code(), "names are case-sensitive");
    }

    /**
     * WPT webidl/ecmascript-binding/es-exceptions/DOMException-constructor-behavior.any.js: the
     * constructor takes (message, name); name defaults to "Error".
     */
    @Test
    void constructorTakesMessageThenName() {
        DOMException e = new DOMException("the message", "NotFoundError");

        assertEquals("the message", e.getMessage());
        assertEquals("NotFoundError", e.name());
        assertEquals(8, e.code());
        assertEquals("Error", new DOMException("x").name());
        assertEquals(0, new DOMException("x").code());
        assertEquals("TimeoutError", new DOMException("", "TimeoutError").toString());
    }

    @Test
    void everyLegacyCodeMatchesTheWebIdlTable() {
        String[] names = {null, "IndexSizeError", null, "HierarchyRequestError", "WrongDocumentError",
            "InvalidCharacterError", null, "NoModificationAllowedError", "NotFoundError", "NotSupportedError",
            "InUseAttributeError", "InvalidStateError", "SyntaxError", "InvalidModificationError", "NamespaceError",
            "InvalidAccessError", null, "TypeMismatchError", "SecurityError", "NetworkError", "AbortError",
            "URLMismatchError", "QuotaExceededError", "TimeoutError", "InvalidNodeTypeError",
            "DataCloneError"};
        for (int code = 0; code < names.length; code++) {
            if (names[code] != null) {
                assertEquals(code, new DOMException("", names[code]).code(), names[code]);
            }
        }
    }

    @Test
    void nullMessageOrNameIsRejected() {
        assertEquals("message", assertThrows(NullPointerException.class,
                () -> new DOMException(null, "DataCloneError")).getMessage());
        assertEquals("name", assertThrows(NullPointerException.class,
                () -> new DOMException("m", null)).getMessage());
    }
}
