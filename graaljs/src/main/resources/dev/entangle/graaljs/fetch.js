// entangle for GraalJS: the Fetch Standard's Headers (§5.2) and Response (§5.5) with its Body mixin
// (§5.3: arrayBuffer, blob, bytes, json, text), without networking: there is no fetch() and no
// ReadableStream, so `response.body` is null and a body is read whole. Code reads a Blob's bytes with
// `new Response(blob).arrayBuffer()`; a Response is a platform object that is not serializable.
//
// Evaluated once per realm; its value is a function of prelude.js's helpers (and encoding.js's, so it
// comes after that file).
(function (h) {
  'use strict';
  const { define, requireArgs, dictionary, slot } = h;
  const tag = (iface) => Object.defineProperty(iface.prototype, Symbol.toStringTag,
      { value: iface.name, configurable: true });

  // ---------------------------------------------------------------- Headers (Fetch §5.2)
  const headerSlots = new WeakMap();
  let token; // made on first use: a regex is the first of a realm's regex work (one-time cost, README "Start-up")
  const normalizeValue = (v) => String(v).replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
  const checkName = (name, what) => {
    const n = String(name);
    if (!(token ?? (token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/)).test(n)) {
      throw new TypeError(`Failed to execute '${what}' on 'Headers': Invalid name`);
    }
    return n.toLowerCase();
  };
  const checkValue = (value, what) => {
    const v = normalizeValue(value);
    if (/[\0\n\r]/.test(v)) {
      throw new TypeError(`Failed to execute '${what}' on 'Headers': Invalid value`);
    }
    return v;
  };
  class Headers {
    constructor(init = undefined) {
      const list = [];
      headerSlots.set(this, list);
      if (init === undefined || init === null) {
        return;
      }
      if (typeof init !== 'object' && typeof init !== 'function') {
        throw new TypeError("Failed to construct 'Headers': The provided value is not of type 'HeadersInit'.");
      }
      if (typeof init[Symbol.iterator] === 'function') {
        for (const pair of init) {
          const items = [...pair];
          if (items.length !== 2) {
            throw new TypeError("Failed to construct 'Headers': a header pair needs exactly two items.");
          }
          this.append(items[0], items[1]);
        }
      } else {
        for (const key of Object.keys(init)) {
          this.append(key, init[key]);
        }
      }
    }
    append(name, value) {
      requireArgs(arguments.length, 2, "'append' on 'Headers'");
      slot(headerSlots, this, 'Headers').push([checkName(name, 'append'), checkValue(value, 'append')]);
    }
    delete(name) {
      requireArgs(arguments.length, 1, "'delete' on 'Headers'");
      const list = slot(headerSlots, this, 'Headers');
      const n = checkName(name, 'delete');
      for (let i = list.length - 1; i >= 0; i--) {
        if (list[i][0] === n) {
          list.splice(i, 1);
        }
      }
    }
    get(name) {
      requireArgs(arguments.length, 1, "'get' on 'Headers'");
      const n = checkName(name, 'get');
      const values = slot(headerSlots, this, 'Headers').filter(([k]) => k === n).map(([, v]) => v);
      return values.length === 0 ? null : values.join(', ');
    }
    has(name) {
      requireArgs(arguments.length, 1, "'has' on 'Headers'");
      const n = checkName(name, 'has');
      return slot(headerSlots, this, 'Headers').some(([k]) => k === n);
    }
    set(name, value) {
      requireArgs(arguments.length, 2, "'set' on 'Headers'");
      const list = slot(headerSlots, this, 'Headers');
      const n = checkName(name, 'set'), v = checkValue(value, 'set');
      const i = list.findIndex(([k]) => k === n);
      if (i < 0) {
        list.push([n, v]);
      } else {
        list[i][1] = v;
        for (let j = list.length - 1; j > i; j--) {
          if (list[j][0] === n) {
            list.splice(j, 1);
          }
        }
      }
    }
    getSetCookie() {
      return slot(headerSlots, this, 'Headers').filter(([k]) => k === 'set-cookie').map(([, v]) => v);
    }
    forEach(callback, thisArg = undefined) {
      requireArgs(arguments.length, 1, "'forEach' on 'Headers'");
      for (const [k, v] of this.entries()) {
        Reflect.apply(callback, thisArg, [v, k, this]);
      }
    }
    // sorted and combined (Fetch "sort and combine")
    *entries() {
      const list = slot(headerSlots, this, 'Headers');
      const names = [...new Set(list.map(([k]) => k))].sort();
      for (const n of names) {
        if (n === 'set-cookie') {
          for (const [k, v] of list) {
            if (k === n) {
              yield [k, v];
            }
          }
        } else {
          yield [n, this.get(n)];
        }
      }
    }
    *keys() { for (const [k] of this.entries()) { yield k; } }
    *values() { for (const [, v] of this.entries()) { yield v; } }
  }
  Object.defineProperty(Headers.prototype, Symbol.iterator,
      { value: Headers.prototype.entries, writable: true, configurable: true });

  // ---------------------------------------------------------------- Response (Fetch §5.5) and Body (§5.3)
  const responseSlots = new WeakMap();
  // Fetch "extract a body": its bytes and the Content-Type it implies
  const extract = (body) => {
    if (body === null || body === undefined) {
      return { bytes: null, type: null };
    }
    if (h.blobBytes(body) !== null) {
      return { bytes: h.blobBytes(body), type: body.type === '' ? null : body.type };
    }
    if (ArrayBuffer.isView(body)) {
      return { bytes: new Uint8Array(body.buffer, body.byteOffset, body.byteLength).slice(), type: null };
    }
    if (body instanceof ArrayBuffer) {
      return { bytes: new Uint8Array(body).slice(), type: null };
    }
    if (body instanceof URLSearchParams) {
      return { bytes: new TextEncoder().encode(body.toString()), type: 'application/x-www-form-urlencoded;charset=UTF-8' };
    }
    return { bytes: new TextEncoder().encode(String(body)), type: 'text/plain;charset=UTF-8' };
  };
  class Response {
    constructor(body = null, init = undefined) {
      const o = dictionary(init, "'Response' constructor");
      const status = o.status === undefined ? 200 : Number(o.status) & 0xffff;
      if (status < 200 || status > 599) {
        throw new RangeError(`Failed to construct 'Response': The status provided (${status}) is outside the range [200, 599].`);
      }
      const { bytes, type } = extract(body);
      if (bytes !== null && [101, 103, 204, 205, 304].includes(status)) {
        throw new TypeError("Failed to construct 'Response': Response with null body status cannot have body");
      }
      const headers = new Headers(o.headers);
      if (type !== null && !headers.has('content-type')) {
        headers.append('content-type', type);
      }
      responseSlots.set(this, { bytes, status, statusText: o.statusText === undefined ? '' : String(o.statusText),
        headers, used: false });
    }
    static error() {
      const r = new Response(null);
      responseSlots.get(r).status = 0;
      responseSlots.get(r).type = 'error';
      return r;
    }
    static json(data, init = undefined) {
      const text = JSON.stringify(data);
      if (text === undefined) {
        throw new TypeError("Failed to execute 'json' on 'Response': the data is not JSON-serializable.");
      }
      const r = new Response(text, init);
      responseSlots.get(r).headers.set('content-type', 'application/json');
      return r;
    }
    get type() { return slot(responseSlots, this, 'Response').type || 'default'; }
    get url() { slot(responseSlots, this, 'Response'); return ''; }
    get redirected() { slot(responseSlots, this, 'Response'); return false; }
    get status() { return slot(responseSlots, this, 'Response').status; }
    get ok() { const s = slot(responseSlots, this, 'Response').status; return s >= 200 && s <= 299; }
    get statusText() { return slot(responseSlots, this, 'Response').statusText; }
    get headers() { return slot(responseSlots, this, 'Response').headers; }
    get body() { slot(responseSlots, this, 'Response'); return null; } // no ReadableStream here
    get bodyUsed() { return slot(responseSlots, this, 'Response').used; }
    clone() {
      const r = slot(responseSlots, this, 'Response');
      if (r.used) {
        throw new TypeError("Failed to execute 'clone' on 'Response': Response body is already used");
      }
      const copy = new Response(null, { status: r.status === 0 ? 200 : r.status, statusText: r.statusText });
      Object.assign(responseSlots.get(copy), { bytes: r.bytes === null ? null : r.bytes.slice(),
        headers: new Headers(r.headers), status: r.status, type: r.type });
      return copy;
    }
    arrayBuffer() { return consume(this, (bytes) => bytes.buffer); }
    bytes() { return consume(this, (bytes) => bytes); }
    text() { return consume(this, (bytes) => new TextDecoder().decode(bytes)); }
    json() { return consume(this, (bytes) => JSON.parse(new TextDecoder().decode(bytes))); }
    blob() {
      const type = this.headers.get('content-type');
      return consume(this, (bytes) => new Blob([bytes], { type: type === null ? '' : type }));
    }
  }
  // Fetch "consume body": a promise of the whole body, once
  const consume = (self, convert) => {
    try {
      const r = slot(responseSlots, self, 'Response');
      if (r.used) {
        throw new TypeError('Body is unusable: Body has already been read');
      }
      if (r.bytes !== null) {
        r.used = true;
      }
      const bytes = r.bytes === null ? new Uint8Array(0) : r.bytes.slice();
      return Promise.resolve().then(() => convert(bytes));
    } catch (e) {
      return Promise.reject(e);
    }
  };
  tag(Headers);
  tag(Response);
  h.isResponse = (v) => responseSlots.has(v) || headerSlots.has(v);
  define(globalThis, { Headers, Response });
})
