// entangle for GraalJS: the WebIDL pieces every other resource file uses: the conversions of
// arguments and dictionaries, receiver checks, and DOMException (WebIDL §3.14).
//
// Evaluated once per realm; its value is a function of the helpers object `h` that prelude.js passes
// to every resource file in turn. It adds to `h` what the later files use.
(function (h) {
  'use strict';
  const { native } = h;

  const define = (object, props) => {
    for (const [name, value] of Object.entries(props)) {
      Object.defineProperty(object, name, { value, writable: true, configurable: true, enumerable: false });
    }
  };
  const constants = (object, props) => {
    for (const [name, value] of Object.entries(props)) {
      Object.defineProperty(object, name, { value, writable: false, configurable: false, enumerable: true });
    }
  };
  const slot = (map, self, iface) => {
    const s = (typeof self === 'object' || typeof self === 'function') && self !== null ? map.get(self) : undefined;
    if (s === undefined) {
      throw new TypeError(`Illegal invocation: receiver is not a${/^[AEIOU]/.test(iface) ? 'n' : ''} ${iface}`);
    }
    return s;
  };
  const requireArgs = (count, required, what) => {
    if (count < required) {
      throw new TypeError(`Failed to execute ${what}: ${required} argument${required > 1 ? 's' : ''} required, but only ${count} present.`);
    }
  };
  // WebIDL dictionary conversion: undefined and null are the empty dictionary; other non-objects throw.
  const dictionary = (value, what) => {
    if (value === undefined || value === null) {
      return {};
    }
    if (typeof value !== 'object' && typeof value !== 'function') {
      throw new TypeError(`Failed to execute ${what}: the options are not an object.`);
    }
    return value;
  };
  // WebIDL sequence<T> conversion from an iterable object.
  const sequence = (value, what) => {
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null
        || typeof value[Symbol.iterator] !== 'function') {
      throw new TypeError(`Failed to execute ${what}: the value is not an iterable object.`);
    }
    return Array.from(value);
  };
  // WebIDL §3.7.3: each interface prototype object's @@toStringTag is the interface name (so
  // Object.prototype.toString gives "[object MessagePort]").
  const tag = (iface) => Object.defineProperty(iface.prototype, Symbol.toStringTag,
      { value: iface.name, configurable: true });

  // ---------------------------------------------------------------- DOMException (WebIDL §3.14)
  // The name → legacy code table is Java's (dev.entangle.DOMException#code), the one source for both
  // sides; the legacy constants below also name codes that no error name has (DOMSTRING_SIZE_ERR, ...).
  const exceptionSlots = new WeakMap();
  class DOMException extends Error {
    constructor(message = '', name = 'Error') {
      super();
      delete this.message; // the message is the prototype getter's, as for the platform object
      exceptionSlots.set(this, { message: String(message), name: String(name) });
    }
    get name() { return slot(exceptionSlots, this, 'DOMException').name; }
    get message() { return slot(exceptionSlots, this, 'DOMException').message; }
    get code() { return native.domExceptionCode(slot(exceptionSlots, this, 'DOMException').name); }
  }
  const legacyConstants = {
    INDEX_SIZE_ERR: 1, DOMSTRING_SIZE_ERR: 2, HIERARCHY_REQUEST_ERR: 3, WRONG_DOCUMENT_ERR: 4,
    INVALID_CHARACTER_ERR: 5, NO_DATA_ALLOWED_ERR: 6, NO_MODIFICATION_ALLOWED_ERR: 7, NOT_FOUND_ERR: 8,
    NOT_SUPPORTED_ERR: 9, INUSE_ATTRIBUTE_ERR: 10, INVALID_STATE_ERR: 11, SYNTAX_ERR: 12,
    INVALID_MODIFICATION_ERR: 13, NAMESPACE_ERR: 14, INVALID_ACCESS_ERR: 15, VALIDATION_ERR: 16,
    TYPE_MISMATCH_ERR: 17, SECURITY_ERR: 18, NETWORK_ERR: 19, ABORT_ERR: 20, URL_MISMATCH_ERR: 21,
    QUOTA_EXCEEDED_ERR: 22, TIMEOUT_ERR: 23, INVALID_NODE_TYPE_ERR: 24, DATA_CLONE_ERR: 25,
  };
  constants(DOMException, legacyConstants);
  constants(DOMException.prototype, legacyConstants);

  // Java calls this (through `raise`) to throw the JS form of a failure of a native call.
  const raise = (kindOfError, name, message) => {
    switch (kindOfError) {
      case 'dom': throw new DOMException(message, name);
      case 'type': throw new TypeError(message);
      case 'range': throw new RangeError(message);
      default: throw new Error(message);
    }
  };
  tag(DOMException);
  define(globalThis, { DOMException });

  Object.assign(h, { define, constants, slot, requireArgs, dictionary, sequence, tag, DOMException, raise });
})
