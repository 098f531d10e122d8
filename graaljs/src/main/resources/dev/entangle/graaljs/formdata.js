// entangle for GraalJS: FormData (XHR Standard §5 "Interface FormData"), the entry list that
// fetch-style APIs and libraries build requests from.
//
// Evaluated once per realm, after encoding.js (Blob and File); its value is a function of prelude.js's
// helpers. No HTMLFormElement exists here, so the constructor accepts no form. FormData is not
// [Serializable]: postMessage of one is a DataCloneError (prelude.js asks h.isFormData).
(function (h) {
  'use strict';
  const { define, requireArgs, slot, tag, File } = h;

  const formSlots = new WeakMap();
  const usv = (value) => String(value).toWellFormed(); // WebIDL USVString

  // XHR "create an entry": a string value is a USVString; a Blob that is not a File becomes a File named
  // "blob"; a filename given makes a new File of that name (with the value's type and lastModified).
  const entry = (name, value, filename, argumentCount, what) => {
    name = usv(name);
    if (h.blobBytes(value) === null) {
      if (argumentCount > 2) {
        throw new TypeError(`Failed to execute '${what}' on 'FormData': parameter 2 is not of type 'Blob'.`);
      }
      return [name, usv(value)];
    }
    if (h.isFile(value) && filename === undefined) {
      return [name, value];
    }
    const options = { type: value.type };
    if (h.isFile(value)) {
      options.lastModified = value.lastModified;
    }
    return [name, new File([value], filename === undefined ? 'blob' : usv(filename), options)];
  };

  class FormData {
    constructor(form = undefined, submitter = undefined) {
      if (form !== undefined) { // HTMLFormElement? form: no form exists in a realm without a document
        throw new TypeError("Failed to construct 'FormData': parameter 1 is not of type 'HTMLFormElement'.");
      }
      if (submitter !== undefined && submitter !== null) {
        throw new TypeError("Failed to construct 'FormData': parameter 2 is not of type 'HTMLElement'.");
      }
      formSlots.set(this, { list: [] });
    }
    append(name, value, filename = undefined) {
      requireArgs(arguments.length, 2, "'append' on 'FormData'");
      const f = slot(formSlots, this, 'FormData');
      f.list.push(entry(name, value, filename, arguments.length, 'append'));
    }
    delete(name) {
      requireArgs(arguments.length, 1, "'delete' on 'FormData'");
      const f = slot(formSlots, this, 'FormData');
      const n = usv(name);
      f.list = f.list.filter((e) => e[0] !== n);
    }
    get(name) {
      requireArgs(arguments.length, 1, "'get' on 'FormData'");
      const n = usv(name);
      const found = slot(formSlots, this, 'FormData').list.find((e) => e[0] === n);
      return found === undefined ? null : found[1];
    }
    getAll(name) {
      requireArgs(arguments.length, 1, "'getAll' on 'FormData'");
      const n = usv(name);
      return slot(formSlots, this, 'FormData').list.filter((e) => e[0] === n).map((e) => e[1]);
    }
    has(name) {
      requireArgs(arguments.length, 1, "'has' on 'FormData'");
      const n = usv(name);
      return slot(formSlots, this, 'FormData').list.some((e) => e[0] === n);
    }
    // XHR: replaces the first entry of that name and removes the others; appends if there is none
    set(name, value, filename = undefined) {
      requireArgs(arguments.length, 2, "'set' on 'FormData'");
      const f = slot(formSlots, this, 'FormData');
      const e = entry(name, value, filename, arguments.length, 'set');
      const first = f.list.findIndex((x) => x[0] === e[0]);
      if (first < 0) {
        f.list.push(e);
      } else {
        f.list = f.list.filter((x, i) => i <= first || x[0] !== e[0]);
        f.list[first] = e;
      }
    }
    forEach(callback, thisArg = undefined) {
      requireArgs(arguments.length, 1, "'forEach' on 'FormData'");
      if (typeof callback !== 'function') {
        throw new TypeError("Failed to execute 'forEach' on 'FormData': parameter 1 is not of type 'Function'.");
      }
      const f = slot(formSlots, this, 'FormData');
      for (let i = 0; i < f.list.length; i++) { // WebIDL: the list as it is at each step
        Reflect.apply(callback, thisArg, [f.list[i][1], f.list[i][0], this]);
      }
    }
    *entries() {
      const f = slot(formSlots, this, 'FormData');
      for (let i = 0; i < f.list.length; i++) {
        yield [f.list[i][0], f.list[i][1]];
      }
    }
    *keys() { for (const [k] of this.entries()) { yield k; } }
    *values() { for (const [, v] of this.entries()) { yield v; } }
  }
  Object.defineProperty(FormData.prototype, Symbol.iterator,
      { value: FormData.prototype.entries, writable: true, configurable: true });
  tag(FormData);
  define(globalThis, { FormData });

  h.isFormData = (v) => formSlots.has(v);
})
