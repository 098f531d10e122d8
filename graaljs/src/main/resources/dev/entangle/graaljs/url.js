// entangle for GraalJS: URL and URLSearchParams (WHATWG URL Standard, §6 API), and the File API's
// URL.createObjectURL / revokeObjectURL.
//
// Evaluated once per realm; its value is a function of prelude.js's helpers. Parsing is the host's
// (JsScript.parseUrl: RFC 3986 resolution of java.net.URI with WHATWG's percent-encoding of spaces and
// non-ASCII characters, http(s) and file hosts lower-cased, default ports dropped, dot segments
// removed); not implemented from the URL Standard: IDNA (a non-ASCII host is invalid), IPv4 number
// forms, and the setters' state overrides (a setter re-parses the whole URL).
(function (h) {
  'use strict';
  const { native, define, requireArgs, slot } = h;

  const urlSlots = new WeakMap();
  const paramsSlots = new WeakMap();
  const DEFAULT_PORTS = { 'http:': '80', 'https:': '443', 'ws:': '80', 'wss:': '443', 'ftp:': '21' };
  const SPECIAL = new Set(['http:', 'https:', 'ws:', 'wss:', 'ftp:', 'file:']);

  // The URL constructor's path reads strings without regular expressions: a realm's first regex costs
  // 0.1-0.15 s of one-time engine work, which a script that makes a URL need not pay
  // (graaljs-benchmarks/README.md "Start-up").
  const isAlpha = (c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  const isDigit = (c) => c >= '0' && c <= '9';
  // the length of s's leading scheme and colon (/^[a-zA-Z][a-zA-Z0-9+.-]*:/), or 0 if it has none
  const schemeLength = (s) => {
    if (s.length === 0 || !isAlpha(s[0])) {
      return 0;
    }
    let i = 1;
    while (i < s.length && (isAlpha(s[i]) || isDigit(s[i]) || s[i] === '+' || s[i] === '.' || s[i] === '-')) {
      i++;
    }
    return i < s.length && s[i] === ':' ? i + 1 : 0;
  };
  // the index of the first of `chars` in s at or after `from`, or s.length
  const indexOfAny = (s, chars, from) => {
    for (let i = from; i < s.length; i++) {
      if (chars.includes(s[i])) {
        return i;
      }
    }
    return s.length;
  };
  // the port after a hostname ending at i (/(?::(\d*))?$/): '' if none, null if something else follows
  const portAt = (host, i) => {
    if (i === host.length) {
      return '';
    }
    if (host[i] !== ':') {
      return null;
    }
    for (let j = i + 1; j < host.length; j++) {
      if (!isDigit(host[j])) {
        return null;
      }
    }
    return host.slice(i + 1);
  };
  // a host's hostname and port (/^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/); the whole host and '' if it has no such form
  const hostAndPort = (host) => {
    const close = host[0] === '[' ? host.indexOf(']') : -1;
    if (close >= 0) {
      const port = portAt(host, close + 1);
      if (port !== null) {
        return [host.slice(0, close + 1), port];
      }
    }
    const colon = host.indexOf(':');
    const end = colon < 0 ? host.length : colon;
    const port = portAt(host, end);
    return port === null ? [host, ''] : [host.slice(0, end), port];
  };
  // s without tab, LF and CR (URL parser: "remove all ASCII tab or newline")
  const withoutTabOrNewline = (s) => (s.includes('\t') || s.includes('\n') || s.includes('\r')
    ? s.split('\t').join('').split('\n').join('').split('\r').join('') : s);

  // The parts of an absolute URL the host serialized:
  // /^([a-zA-Z][a-zA-Z0-9+.-]*:)(\/\/([^/?#]*))?([^?#]*)(\?[^#]*)?(#.*)?$/s
  const split = (href) => {
    const schemeEnd = schemeLength(href);
    if (schemeEnd === 0) {
      throw new TypeError(`Failed to construct 'URL': Invalid URL '${href}'`);
    }
    const protocol = href.slice(0, schemeEnd).toLowerCase();
    let at = schemeEnd;
    let host = null;
    if (href.startsWith('//', at)) {
      const end = indexOfAny(href, '/?#', at + 2);
      host = href.slice(at + 2, end);
      at = end;
    }
    const pathEnd = indexOfAny(href, '?#', at);
    const fragmentAt = href.indexOf('#', pathEnd);
    const queryEnd = fragmentAt < 0 ? href.length : fragmentAt;
    const query = pathEnd < queryEnd && href[pathEnd] === '?' ? href.slice(pathEnd + 1, queryEnd) : null;
    const fragment = fragmentAt < 0 ? null : href.slice(fragmentAt + 1);
    let username = '', password = '';
    if (host !== null && host.includes('@')) {
      const at = host.lastIndexOf('@');
      const user = host.slice(0, at);
      host = host.slice(at + 1);
      const colon = user.indexOf(':');
      username = colon < 0 ? user : user.slice(0, colon);
      password = colon < 0 ? '' : user.slice(colon + 1);
    }
    let hostname = host, port = '';
    if (host !== null) {
      [hostname, port] = hostAndPort(host);
      if (SPECIAL.has(protocol)) {
        hostname = hostname.toLowerCase();
      }
      if (port !== '') {
        port = String(Number(port));
        if (Number(port) > 65535) {
          throw new TypeError(`Failed to construct 'URL': Invalid URL '${href}'`);
        }
      }
      if (DEFAULT_PORTS[protocol] === port) {
        port = '';
      }
    }
    let pathname = href.slice(at, pathEnd);
    if (SPECIAL.has(protocol) && host !== null && pathname === '') {
      pathname = '/';
    }
    return {
      protocol, username, password, hostname, port, pathname,
      query, fragment,
      hasHost: host !== null,
    };
  };
  const serialize = (u) => {
    let s = u.protocol;
    if (u.hasHost) {
      s += '//';
      if (u.username !== '' || u.password !== '') {
        s += u.username + (u.password !== '' ? ':' + u.password : '') + '@';
      }
      s += u.hostname + (u.port !== '' ? ':' + u.port : '');
    }
    s += u.pathname;
    if (u.query !== null) {
      s += '?' + u.query;
    }
    if (u.fragment !== null) {
      s += '#' + u.fragment;
    }
    return s;
  };
  // URL "basic URL parser" (as the host does it); null for failure.
  const parse = (input, base) => {
    try {
      const absolute = native.parseUrl(withoutTabOrNewline(String(input)), base === undefined ? 'about:blank' : base);
      return split(absolute);
    } catch (e) {
      return null;
    }
  };

  class URL {
    constructor(url, base = undefined) {
      requireArgs(arguments.length, 1, "'URL' constructor");
      let baseHref;
      if (base !== undefined) {
        const b = parse(String(base), 'about:blank');
        if (b === null || schemeLength(String(base)) === 0) {
          throw new TypeError(`Failed to construct 'URL': Invalid base URL '${base}'`);
        }
        baseHref = serialize(b);
      } else if (schemeLength(String(url).trim()) === 0) {
        throw new TypeError(`Failed to construct 'URL': Invalid URL '${url}'`);
      }
      const u = parse(String(url), baseHref);
      if (u === null) {
        throw new TypeError(`Failed to construct 'URL': Invalid URL '${url}'`);
      }
      urlSlots.set(this, u);
      u.params = newParams(this, u.query === null ? '' : u.query);
    }
    static canParse(url, base = undefined) {
      requireArgs(arguments.length, 1, "'canParse' on 'URL'");
      try {
        new URL(url, base);
        return true;
      } catch (e) {
        return false;
      }
    }
    static parse(url, base = undefined) {
      requireArgs(arguments.length, 1, "'parse' on 'URL'");
      try {
        return new URL(url, base);
      } catch (e) {
        return null;
      }
    }
    get href() { return serialize(slot(urlSlots, this, 'URL')); }
    set href(value) {
      const u = slot(urlSlots, this, 'URL');
      const parsed = parse(String(value), undefined);
      if (parsed === null) {
        throw new TypeError(`Failed to set 'href' on 'URL': Invalid URL '${value}'`);
      }
      Object.assign(u, parsed);
      setParamsList(u.params, u.query === null ? '' : u.query);
    }
    get origin() {
      const u = slot(urlSlots, this, 'URL');
      if (u.protocol === 'blob:') {
        const inner = parse(u.pathname, undefined);
        return inner !== null && (inner.protocol === 'http:' || inner.protocol === 'https:')
          ? inner.protocol + '//' + inner.hostname + (inner.port !== '' ? ':' + inner.port : '') : 'null';
      }
      if (SPECIAL.has(u.protocol) && u.protocol !== 'file:') {
        return u.protocol + '//' + u.hostname + (u.port !== '' ? ':' + u.port : '');
      }
      return 'null';
    }
    get protocol() { return slot(urlSlots, this, 'URL').protocol; }
    set protocol(value) { reparse(this, (u) => { u.protocol = String(value).replace(/:.*$/, '') + ':'; }); }
    get username() { return slot(urlSlots, this, 'URL').username; }
    set username(value) { reparse(this, (u) => { u.username = encodeURIComponent(String(value)); }); }
    get password() { return slot(urlSlots, this, 'URL').password; }
    set password(value) { reparse(this, (u) => { u.password = encodeURIComponent(String(value)); }); }
    get host() {
      const u = slot(urlSlots, this, 'URL');
      return !u.hasHost ? '' : u.hostname + (u.port !== '' ? ':' + u.port : '');
    }
    set host(value) {
      reparse(this, (u) => {
        const m = /^([^:/?#]*)(?::(\d*))?/.exec(String(value));
        u.hostname = m[1];
        if (m[2] !== undefined && m[2] !== '') {
          u.port = m[2];
        }
      });
    }
    get hostname() { const u = slot(urlSlots, this, 'URL'); return u.hasHost ? u.hostname : ''; }
    set hostname(value) { reparse(this, (u) => { u.hostname = String(value).replace(/[:/?#].*$/, ''); }); }
    get port() { return slot(urlSlots, this, 'URL').port; }
    set port(value) {
      reparse(this, (u) => { const d = /^\d*/.exec(String(value))[0]; u.port = d; });
    }
    get pathname() { return slot(urlSlots, this, 'URL').pathname; }
    set pathname(value) {
      reparse(this, (u) => {
        const p = String(value).replace(/[?#]/g, (c) => (c === '?' ? '%3F' : '%23'));
        u.pathname = u.hasHost && !p.startsWith('/') ? '/' + p : p;
      });
    }
    get search() {
      const u = slot(urlSlots, this, 'URL');
      return u.query === null || u.query === '' ? '' : '?' + u.query;
    }
    set search(value) {
      const u = slot(urlSlots, this, 'URL');
      const v = String(value);
      reparse(this, (x) => { x.query = v === '' ? null : (v.startsWith('?') ? v.slice(1) : v).replace(/#/g, '%23'); });
      setParamsList(u.params, u.query === null ? '' : u.query);
    }
    get searchParams() { return slot(urlSlots, this, 'URL').params; }
    get hash() {
      const u = slot(urlSlots, this, 'URL');
      return u.fragment === null || u.fragment === '' ? '' : '#' + u.fragment;
    }
    set hash(value) {
      const v = String(value);
      reparse(this, (u) => { u.fragment = v === '' ? null : (v.startsWith('#') ? v.slice(1) : v); });
    }
    toString() { return this.href; }
    toJSON() { return this.href; }
    // File API §8.3: a blob: URL for the blob's bytes, valid in every realm of this process until revoked
    static createObjectURL(obj) {
      requireArgs(arguments.length, 1, "'createObjectURL' on 'URL'");
      return h.blobUrl(obj);
    }
    static revokeObjectURL(url) {
      requireArgs(arguments.length, 1, "'revokeObjectURL' on 'URL'");
      native.revokeBlob(String(url));
    }
  }
  // A setter: change the parts, then parse the result again (failure leaves the URL unchanged).
  const reparse = (self, change) => {
    const u = slot(urlSlots, self, 'URL');
    const copy = { ...u };
    change(copy);
    const parsed = parse(serialize(copy), undefined);
    if (parsed !== null) {
      Object.assign(u, parsed);
    }
  };

  // ---------------------------------------------------------------- URLSearchParams (URL §6.2)
  // application/x-www-form-urlencoded (URL §5): '+' is a space, UTF-8 percent-decoding; serialization
  // keeps *-._ and ASCII alphanumerics, writes a space as '+'.
  const decode = (s) => {
    const bytes = s.replace(/\+/g, ' ');
    try {
      return decodeURIComponent(bytes.replace(/%(?![0-9a-fA-F]{2})/g, '%25'));
    } catch (e) {
      return bytes.replace(/%([0-9a-fA-F]{2})/g, (m, hex) => String.fromCharCode(parseInt(hex, 16)));
    }
  };
  const encode = (s) => encodeURIComponent(String(s).toWellFormed())
      .replace(/[!'()~]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()).replace(/%20/g, '+');
  const parseForm = (input) => {
    const list = [];
    for (const sequence of input.split('&')) {
      if (sequence === '') {
        continue;
      }
      const eq = sequence.indexOf('=');
      list.push(eq < 0 ? [decode(sequence), ''] : [decode(sequence.slice(0, eq)), decode(sequence.slice(eq + 1))]);
    }
    return list;
  };
  const newParams = (url, query) => {
    const params = Object.create(URLSearchParams.prototype);
    paramsSlots.set(params, { list: parseForm(query), url });
    return params;
  };
  const setParamsList = (params, query) => {
    paramsSlots.get(params).list = parseForm(query);
  };
  const update = (p) => {
    if (p.url !== null) {
      const u = urlSlots.get(p.url);
      const s = p.list.map(([n, v]) => encode(n) + '=' + encode(v)).join('&');
      u.query = s === '' ? null : s;
    }
  };
  class URLSearchParams {
    constructor(init = '') {
      const list = [];
      if (typeof init === 'object' && init !== null || typeof init === 'function') {
        if (typeof init[Symbol.iterator] === 'function') {
          for (const pair of init) {
            const items = [...pair];
            if (items.length !== 2) {
              throw new TypeError("Failed to construct 'URLSearchParams': a pair does not have exactly two elements.");
            }
            list.push([String(items[0]).toWellFormed(), String(items[1]).toWellFormed()]);
          }
        } else {
          for (const key of Reflect.ownKeys(init)) {
            const d = Reflect.getOwnPropertyDescriptor(init, key);
            if (d !== undefined && d.enumerable && typeof key === 'string') {
              list.push([key.toWellFormed(), String(init[key]).toWellFormed()]);
            }
          }
        }
      } else {
        const s = String(init);
        list.push(...parseForm(s.startsWith('?') ? s.slice(1) : s));
      }
      paramsSlots.set(this, { list, url: null });
    }
    get size() { return slot(paramsSlots, this, 'URLSearchParams').list.length; }
    append(name, value) {
      requireArgs(arguments.length, 2, "'append' on 'URLSearchParams'");
      const p = slot(paramsSlots, this, 'URLSearchParams');
      p.list.push([String(name).toWellFormed(), String(value).toWellFormed()]);
      update(p);
    }
    delete(name, value = undefined) {
      requireArgs(arguments.length, 1, "'delete' on 'URLSearchParams'");
      const p = slot(paramsSlots, this, 'URLSearchParams');
      const n = String(name), v = value === undefined ? undefined : String(value);
      p.list = p.list.filter(([k, x]) => !(k === n && (v === undefined || x === v)));
      update(p);
    }
    get(name) {
      requireArgs(arguments.length, 1, "'get' on 'URLSearchParams'");
      const entry = slot(paramsSlots, this, 'URLSearchParams').list.find(([k]) => k === String(name));
      return entry === undefined ? null : entry[1];
    }
    getAll(name) {
      requireArgs(arguments.length, 1, "'getAll' on 'URLSearchParams'");
      return slot(paramsSlots, this, 'URLSearchParams').list.filter(([k]) => k === String(name)).map(([, v]) => v);
    }
    has(name, value = undefined) {
      requireArgs(arguments.length, 1, "'has' on 'URLSearchParams'");
      const n = String(name), v = value === undefined ? undefined : String(value);
      return slot(paramsSlots, this, 'URLSearchParams').list.some(([k, x]) => k === n && (v === undefined || x === v));
    }
    set(name, value) {
      requireArgs(arguments.length, 2, "'set' on 'URLSearchParams'");
      const p = slot(paramsSlots, this, 'URLSearchParams');
      const n = String(name).toWellFormed(), v = String(value).toWellFormed();
      const i = p.list.findIndex(([k]) => k === n);
      if (i < 0) {
        p.list.push([n, v]);
      } else {
        p.list[i][1] = v;
        p.list = p.list.filter(([k], j) => j <= i || k !== n);
      }
      update(p);
    }
    sort() {
      const p = slot(paramsSlots, this, 'URLSearchParams');
      // stable, by code units of the names
      p.list = p.list.map((e, i) => [e, i]).sort(([a, i], [b, j]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : i - j))
        .map(([e]) => e);
      update(p);
    }
    forEach(callback, thisArg = undefined) {
      requireArgs(arguments.length, 1, "'forEach' on 'URLSearchParams'");
      const p = slot(paramsSlots, this, 'URLSearchParams');
      for (let i = 0; i < p.list.length; i++) {
        Reflect.apply(callback, thisArg, [p.list[i][1], p.list[i][0], this]);
      }
    }
    *entries() {
      const p = slot(paramsSlots, this, 'URLSearchParams');
      for (let i = 0; i < p.list.length; i++) {
        yield [p.list[i][0], p.list[i][1]];
      }
    }
    *keys() { for (const [k] of this.entries()) { yield k; } }
    *values() { for (const [, v] of this.entries()) { yield v; } }
    toString() {
      return slot(paramsSlots, this, 'URLSearchParams').list.map(([n, v]) => encode(n) + '=' + encode(v)).join('&');
    }
  }
  Object.defineProperty(URLSearchParams.prototype, Symbol.iterator,
      { value: URLSearchParams.prototype.entries, writable: true, configurable: true });
  for (const iface of [URL, URLSearchParams]) {
    Object.defineProperty(iface.prototype, Symbol.toStringTag, { value: iface.name, configurable: true });
  }
  define(globalThis, { URL, URLSearchParams });
})
