// entangle for GraalJS: bytes and text. TextEncoder / TextDecoder (WHATWG Encoding; UTF-8, UTF-16LE/BE),
// atob / btoa (HTML §8.3 "forgiving-base64"), Blob and File (W3C File API §3-4; their bytes stay in
// this realm, and URL.createObjectURL copies them into the process's blob URL store).
//
// Evaluated once per realm; its value is a function of prelude.js's helpers.
(function (h) {
  'use strict';
  const { native, define, requireArgs, dictionary, slot, DOMException } = h;
  const tag = (iface) => Object.defineProperty(iface.prototype, Symbol.toStringTag,
      { value: iface.name, configurable: true });

  // ---------------------------------------------------------------- UTF-8
  const utf8Encode = (input) => {
    const s = String(input);
    const out = new Uint8Array(s.length * 3);
    let n = 0;
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
        }
      }
      if (c >= 0xd800 && c <= 0xdfff) {
        c = 0xfffd; // a lone surrogate (USVString conversion)
      }
      if (c < 0x80) {
        out[n++] = c;
      } else if (c < 0x800) {
        out[n++] = 0xc0 | (c >> 6);
        out[n++] = 0x80 | (c & 63);
      } else if (c < 0x10000) {
        out[n++] = 0xe0 | (c >> 12);
        out[n++] = 0x80 | ((c >> 6) & 63);
        out[n++] = 0x80 | (c & 63);
      } else {
        out[n++] = 0xf0 | (c >> 18);
        out[n++] = 0x80 | ((c >> 12) & 63);
        out[n++] = 0x80 | ((c >> 6) & 63);
        out[n++] = 0x80 | (c & 63);
      }
    }
    return out.slice(0, n);
  };
  // Encoding §9.1.1 UTF-8 decoder, with replacement (or an error when fatal) for ill-formed sequences.
  const utf8Decode = (bytes, fatal) => {
    let out = '';
    const chunk = [];
    const fail = () => {
      if (fatal) {
        throw new TypeError("Failed to execute 'decode' on 'TextDecoder': The encoded data was not valid.");
      }
      chunk.push(0xfffd);
    };
    for (let i = 0; i < bytes.length;) {
      const b = bytes[i];
      let need = 0, cp = 0, lower = 0x80, upper = 0xbf;
      if (b < 0x80) {
        chunk.push(b);
        i++;
      } else {
        if (b >= 0xc2 && b <= 0xdf) { need = 1; cp = b & 0x1f; }
        else if (b >= 0xe0 && b <= 0xef) { need = 2; cp = b & 0xf; if (b === 0xe0) { lower = 0xa0; } if (b === 0xed) { upper = 0x9f; } }
        else if (b >= 0xf0 && b <= 0xf4) { need = 3; cp = b & 7; if (b === 0xf0) { lower = 0x90; } if (b === 0xf4) { upper = 0x8f; } }
        else { fail(); i++; continue; }
        let j = 1;
        for (; j <= need; j++) {
          const c = bytes[i + j];
          if (c === undefined || c < lower || c > upper) {
            break;
          }
          lower = 0x80;
          upper = 0xbf;
          cp = (cp << 6) | (c & 63);
        }
        if (j <= need) {
          fail();
          i += j;
          continue;
        }
        i += need + 1;
        if (cp >= 0x10000) {
          cp -= 0x10000;
          chunk.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
        } else {
          chunk.push(cp);
        }
      }
      if (chunk.length > 8192) {
        out += String.fromCharCode(...chunk.splice(0));
      }
    }
    return out + String.fromCharCode(...chunk);
  };
  const bytesOf = (input, what) => {
    if (input === undefined) {
      return new Uint8Array(0);
    }
    if (ArrayBuffer.isView(input)) {
      return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    }
    if (input instanceof ArrayBuffer || Object.prototype.toString.call(input) === '[object SharedArrayBuffer]') {
      return new Uint8Array(input);
    }
    throw new TypeError(`Failed to execute ${what}: parameter 1 is not of type 'AllowSharedBufferSource'.`);
  };

  // ---------------------------------------------------------------- TextEncoder / TextDecoder (Encoding §8)
  class TextEncoder {
    get encoding() { return 'utf-8'; }
    encode(input = '') { return utf8Encode(input); }
    encodeInto(source, destination) {
      requireArgs(arguments.length, 2, "'encodeInto' on 'TextEncoder'");
      const s = String(source);
      let read = 0, written = 0;
      for (const ch of s) {
        const bytes = utf8Encode(ch);
        if (written + bytes.length > destination.length) {
          break;
        }
        destination.set(bytes, written);
        written += bytes.length;
        read += ch.length;
      }
      return { read, written };
    }
  }
  const LABELS = {
    'utf-8': ['unicode-1-1-utf-8', 'unicode11utf8', 'unicode20utf8', 'utf-8', 'utf8', 'x-unicode20utf8'],
    'utf-16le': ['csunicode', 'iso-10646-ucs-2', 'ucs-2', 'unicode', 'unicodefeff', 'utf-16', 'utf-16le'],
    'utf-16be': ['unicodefffe', 'utf-16be'],
  };
  const decoderSlots = new WeakMap();
  class TextDecoder {
    constructor(label = 'utf-8', options = undefined) {
      const o = dictionary(options, "'TextDecoder' constructor");
      const l = String(label).trim().toLowerCase();
      const encoding = Object.keys(LABELS).find((e) => LABELS[e].includes(l));
      if (encoding === undefined) {
        throw new RangeError(`Failed to construct 'TextDecoder': The encoding label provided ('${label}') is invalid.`);
      }
      decoderSlots.set(this, { encoding, fatal: !!o.fatal, ignoreBOM: !!o.ignoreBOM, pending: [] });
    }
    get encoding() { return slot(decoderSlots, this, 'TextDecoder').encoding; }
    get fatal() { return slot(decoderSlots, this, 'TextDecoder').fatal; }
    get ignoreBOM() { return slot(decoderSlots, this, 'TextDecoder').ignoreBOM; }
    decode(input = undefined, options = undefined) {
      const d = slot(decoderSlots, this, 'TextDecoder');
      const stream = !!dictionary(options, "'decode' on 'TextDecoder'").stream;
      let bytes = bytesOf(input, "'decode' on 'TextDecoder'");
      if (d.pending.length > 0) {
        const joined = new Uint8Array(d.pending.length + bytes.length);
        joined.set(d.pending);
        joined.set(bytes, d.pending.length);
        bytes = joined;
        d.pending = [];
      }
      if (stream) { // keep an incomplete tail for the next call
        const keep = d.encoding === 'utf-8' ? incompleteUtf8Tail(bytes) : bytes.length % 2;
        d.pending = Array.from(bytes.subarray(bytes.length - keep));
        bytes = bytes.subarray(0, bytes.length - keep);
      }
      let text;
      if (d.encoding === 'utf-8') {
        text = utf8Decode(bytes, d.fatal);
      } else {
        const units = [];
        const le = d.encoding === 'utf-16le';
        for (let i = 0; i + 1 < bytes.length; i += 2) {
          units.push(le ? bytes[i] | (bytes[i + 1] << 8) : (bytes[i] << 8) | bytes[i + 1]);
        }
        if (bytes.length % 2 === 1) {
          if (d.fatal) {
            throw new TypeError("Failed to execute 'decode' on 'TextDecoder': The encoded data was not valid.");
          }
          units.push(0xfffd);
        }
        text = String.fromCharCode(...units).toWellFormed();
      }
      if (!d.ignoreBOM && !d.bomSeen && text.charCodeAt(0) === 0xfeff) {
        text = text.slice(1);
      }
      d.bomSeen = stream && (d.bomSeen || text.length > 0);
      return text;
    }
  }
  const incompleteUtf8Tail = (bytes) => {
    for (let k = 1; k <= 3 && k <= bytes.length; k++) {
      const b = bytes[bytes.length - k];
      if ((b & 0xc0) !== 0x80) {
        const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
        return need > k ? k : 0;
      }
    }
    return 0;
  };
  tag(TextEncoder);
  tag(TextDecoder);

  // ---------------------------------------------------------------- atob / btoa (HTML §8.3)
  const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  function btoa(data) {
    requireArgs(arguments.length, 1, "'btoa'");
    const s = String(data);
    let out = '';
    for (let i = 0; i < s.length; i += 3) {
      const a = s.charCodeAt(i), b = s.charCodeAt(i + 1), c = s.charCodeAt(i + 2);
      if (a > 255 || b > 255 || c > 255) {
        throw new DOMException("Failed to execute 'btoa': The string to be encoded contains characters outside of the Latin1 range.", 'InvalidCharacterError');
      }
      const n = (a << 16) | ((b || 0) << 8) | (c || 0);
      out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63]
        + (i + 1 < s.length ? ALPHABET[(n >> 6) & 63] : '=') + (i + 2 < s.length ? ALPHABET[n & 63] : '=');
    }
    return out;
  }
  function atob(data) {
    requireArgs(arguments.length, 1, "'atob'");
    let s = String(data).replace(/[\t\n\f\r ]/g, '');
    if (s.length % 4 === 0) {
      s = s.replace(/==?$/, '');
    }
    if (s.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(s)) {
      throw new DOMException("Failed to execute 'atob': The string to be decoded is not correctly encoded.", 'InvalidCharacterError');
    }
    let out = '', bits = 0, buffer = 0;
    for (const ch of s) {
      buffer = (buffer << 6) | ALPHABET.indexOf(ch);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out += String.fromCharCode((buffer >> bits) & 0xff);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- Blob and File (File API §3, §4)
  const blobSlots = new WeakMap();
  const normalizeType = (t) => (/^[\x20-\x7e]*$/.test(t) ? t.toLowerCase() : '');
  const newBlob = (proto, bytes, type) => {
    const blob = Object.create(proto);
    blobSlots.set(blob, { bytes, type });
    return blob;
  };
  class Blob {
    constructor(blobParts = undefined, options = undefined) {
      const o = dictionary(options, "'Blob' constructor");
      const parts = [];
      if (blobParts !== undefined) {
        if (typeof blobParts !== 'object' || blobParts === null || typeof blobParts[Symbol.iterator] !== 'function') {
          throw new TypeError("Failed to construct 'Blob': The provided value cannot be converted to a sequence.");
        }
        const endings = o.endings === undefined ? 'transparent' : String(o.endings);
        for (const part of blobParts) {
          if (blobSlots.has(part)) {
            parts.push(blobSlots.get(part).bytes);
          } else if (ArrayBuffer.isView(part) || part instanceof ArrayBuffer) {
            parts.push(bytesOf(part, "'Blob' constructor").slice());
          } else {
            const text = endings === 'native' ? String(part).replace(/\r\n|\r/g, '\n') : String(part);
            parts.push(utf8Encode(text));
          }
        }
      }
      const size = parts.reduce((n, p) => n + p.length, 0);
      const bytes = new Uint8Array(size);
      let at = 0;
      for (const p of parts) {
        bytes.set(p, at);
        at += p.length;
      }
      blobSlots.set(this, { bytes, type: o.type === undefined ? '' : normalizeType(String(o.type)) });
    }
    get size() { return slot(blobSlots, this, 'Blob').bytes.length; }
    get type() { return slot(blobSlots, this, 'Blob').type; }
    slice(start = undefined, end = undefined, contentType = undefined) {
      const b = slot(blobSlots, this, 'Blob');
      const size = b.bytes.length;
      const clamp = (v, d) => {
        if (v === undefined) {
          return d;
        }
        const n = Math.trunc(Number(v)) || 0;
        return n < 0 ? Math.max(size + n, 0) : Math.min(n, size);
      };
      const from = clamp(start, 0), to = clamp(end, size);
      return newBlob(Blob.prototype, b.bytes.slice(from, Math.max(from, to)),
          contentType === undefined ? '' : normalizeType(String(contentType)));
    }
    text() {
      try {
        return Promise.resolve(utf8Decode(slot(blobSlots, this, 'Blob').bytes, false));
      } catch (e) {
        return Promise.reject(e);
      }
    }
    arrayBuffer() {
      try {
        return Promise.resolve(slot(blobSlots, this, 'Blob').bytes.slice().buffer);
      } catch (e) {
        return Promise.reject(e);
      }
    }
    bytes() {
      try {
        return Promise.resolve(slot(blobSlots, this, 'Blob').bytes.slice());
      } catch (e) {
        return Promise.reject(e);
      }
    }
  }
  const fileSlots = new WeakMap();
  class File extends Blob {
    constructor(fileBits, fileName, options = undefined) {
      requireArgs(arguments.length, 2, "'File' constructor");
      const o = dictionary(options, "'File' constructor");
      super(fileBits, o);
      fileSlots.set(this, { name: String(fileName), lastModified: o.lastModified === undefined ? Date.now() : Number(o.lastModified) });
    }
    get name() { return slot(fileSlots, this, 'File').name; }
    get lastModified() { return slot(fileSlots, this, 'File').lastModified; }
  }
  tag(Blob);
  tag(File);
  // HTML [Serializable] (File API §3.1, §4.1): a Blob's serialization steps give its bytes and type, a
  // File's also its name and lastModified; the deserialization steps make the object in this realm
  h.serializable = (v) => {
    const b = (typeof v === 'object' && v !== null) ? blobSlots.get(v) : undefined;
    if (b === undefined) {
      return false;
    }
    const f = fileSlots.get(v);
    return f === undefined ? ['Blob', { bytes: b.bytes, type: b.type }]
      : ['File', { bytes: b.bytes, type: b.type, name: f.name, lastModified: f.lastModified }];
  };
  h.File = File;
  h.isFile = (v) => fileSlots.has(v);
  h.blobBytes = (v) => {
    const b = (typeof v === 'object' && v !== null) ? blobSlots.get(v) : undefined;
    return b === undefined ? null : b.bytes;
  };
  h.revive = (iface, data) => {
    if (iface !== 'Blob' && iface !== 'File') {
      throw new DOMException(`${iface} cannot be deserialized here`, 'DataCloneError');
    }
    const blob = newBlob(iface === 'File' ? File.prototype : Blob.prototype, data.bytes, data.type);
    if (iface === 'File') {
      fileSlots.set(blob, { name: data.name, lastModified: data.lastModified });
    }
    return blob;
  };
  // URL.createObjectURL (url.js): the blob's bytes copied to the process-wide store
  h.blobUrl = (blob) => {
    const b = slot(blobSlots, blob, 'Blob');
    return native.registerBlob(b.bytes.slice().buffer, b.type);
  };

  // ---------------------------------------------------------------- FileReader, FileReaderSync, FileList (File API §5-6)
  // XHR §4 ProgressEvent: the events of a read
  const progressSlots = new WeakMap();
  class ProgressEvent extends h.Event {
    constructor(type, eventInitDict = undefined) {
      requireArgs(arguments.length, 1, "'ProgressEvent' constructor");
      const init = dictionary(eventInitDict, "'ProgressEvent' constructor");
      super(type, init);
      progressSlots.set(this, { lengthComputable: !!init.lengthComputable, loaded: Number(init.loaded) || 0,
        total: Number(init.total) || 0 });
    }
    get lengthComputable() { return slot(progressSlots, this, 'ProgressEvent').lengthComputable; }
    get loaded() { return slot(progressSlots, this, 'ProgressEvent').loaded; }
    get total() { return slot(progressSlots, this, 'ProgressEvent').total; }
  }
  // File API §6.2 "package data"
  const packageData = (bytes, kind, type, encoding) => {
    switch (kind) {
      case 'DataURL': {
        let s = '';
        for (let i = 0; i < bytes.length; i++) {
          s += String.fromCharCode(bytes[i]);
        }
        return `data:${type === '' ? 'application/octet-stream' : type};base64,${btoa(s)}`;
      }
      case 'Text': {
        const label = encoding === undefined ? 'utf-8' : String(encoding);
        let decoder;
        try {
          decoder = new TextDecoder(label);
        } catch (e) {
          decoder = new TextDecoder('utf-8');
        }
        return decoder.decode(bytes);
      }
      case 'BinaryString': {
        let s = '';
        for (let i = 0; i < bytes.length; i++) {
          s += String.fromCharCode(bytes[i]);
        }
        return s;
      }
      default: return bytes.slice().buffer;
    }
  };
  const readerSlots = new WeakMap();
  const EMPTY = 0, LOADING = 1, DONE = 2;
  class FileReader extends h.EventTarget {
    constructor() {
      super();
      readerSlots.set(this, { state: EMPTY, result: null, error: null, read: 0 });
    }
    get readyState() { return slot(readerSlots, this, 'FileReader').state; }
    get result() { return slot(readerSlots, this, 'FileReader').result; }
    get error() { return slot(readerSlots, this, 'FileReader').error; }
    readAsArrayBuffer(blob) { requireArgs(arguments.length, 1, "'readAsArrayBuffer' on 'FileReader'"); read(this, blob, 'ArrayBuffer'); }
    readAsBinaryString(blob) { requireArgs(arguments.length, 1, "'readAsBinaryString' on 'FileReader'"); read(this, blob, 'BinaryString'); }
    readAsText(blob, encoding = undefined) { requireArgs(arguments.length, 1, "'readAsText' on 'FileReader'"); read(this, blob, 'Text', encoding); }
    readAsDataURL(blob) { requireArgs(arguments.length, 1, "'readAsDataURL' on 'FileReader'"); read(this, blob, 'DataURL'); }
    abort() {
      const r = slot(readerSlots, this, 'FileReader');
      if (r.state === EMPTY || r.state === DONE) {
        r.result = null;
        return;
      }
      r.state = DONE;
      r.result = null;
      r.read++; // the pending read's tasks see a newer read and do nothing
      fire(this, 'abort', 0, 0);
      fire(this, 'loadend', 0, 0);
    }
  }
  const fire = (reader, type, loaded, total) => h.dispatch(reader, h.trusted(new ProgressEvent(type,
      { lengthComputable: true, loaded, total })));
  // File API §6.4 "read operation": loadstart, then (in a later task) progress, load or error, loadend
  const read = (reader, blob, kind, encoding) => {
    const r = slot(readerSlots, reader, 'FileReader');
    const bytes = h.blobBytes(blob);
    if (bytes === null) {
      throw new TypeError(`Failed to execute 'readAs${kind}' on 'FileReader': parameter 1 is not of type 'Blob'.`);
    }
    if (r.state === LOADING) {
      throw new DOMException('The object is already busy reading Blobs.', 'InvalidStateError');
    }
    r.state = LOADING;
    r.result = null;
    r.error = null;
    const id = ++r.read;
    const snapshot = bytes.slice();
    setTimeout(() => {
      if (r.read !== id) {
        return;
      }
      fire(reader, 'loadstart', 0, snapshot.length);
      setTimeout(() => {
        if (r.read !== id) {
          return;
        }
        fire(reader, 'progress', snapshot.length, snapshot.length);
        r.state = DONE;
        r.result = packageData(snapshot, kind, blob.type, encoding);
        fire(reader, 'load', snapshot.length, snapshot.length);
        if (r.state !== LOADING) {
          fire(reader, 'loadend', snapshot.length, snapshot.length);
        }
      }, 0);
    }, 0);
  };
  for (const name of ['onloadstart', 'onprogress', 'onload', 'onabort', 'onerror', 'onloadend']) {
    h.handlerAttribute(FileReader.prototype, name);
  }
  h.constants(FileReader, { EMPTY, LOADING, DONE });
  h.constants(FileReader.prototype, { EMPTY, LOADING, DONE });
  class FileReaderSync {
    readAsArrayBuffer(blob) { return syncRead(blob, 'ArrayBuffer'); }
    readAsBinaryString(blob) { return syncRead(blob, 'BinaryString'); }
    readAsText(blob, encoding = undefined) { return syncRead(blob, 'Text', encoding); }
    readAsDataURL(blob) { return syncRead(blob, 'DataURL'); }
  }
  const syncRead = (blob, kind, encoding) => {
    const bytes = h.blobBytes(blob);
    if (bytes === null) {
      throw new TypeError(`Failed to execute 'readAs${kind}' on 'FileReaderSync': parameter 1 is not of type 'Blob'.`);
    }
    return packageData(bytes, kind, blob.type, encoding);
  };
  // FileList: only the platform makes one (from an <input>); no constructor
  class FileList {
    constructor() { throw new TypeError('Illegal constructor'); }
  }
  for (const iface of [ProgressEvent, FileReader, FileReaderSync, FileList]) {
    tag(iface);
  }
  define(globalThis, { TextEncoder, TextDecoder, atob, btoa, Blob, File, ProgressEvent, FileReader, FileList });
  if (h.kind === 'worker') {
    define(globalThis, { FileReaderSync }); // [Exposed=(DedicatedWorker,SharedWorker)]
  }
})
