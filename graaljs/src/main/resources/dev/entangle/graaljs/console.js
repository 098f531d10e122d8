// entangle for GraalJS: `console` (WHATWG Console Standard): format specifiers (§2.2.1 Formatter:
// %s %d %i %f %o %O %c %%), objects printed readably (Node's util.inspect style: `{ a: 1, b: [ 1, 2 ] }`,
// `Map(1) { 'k' => 1 }`, `[Circular *1]`), and the namespace's other methods: table, trace, assert, dir,
// group / groupCollapsed / groupEnd, count / countReset, time / timeLog / timeEnd.
//
// Evaluated once per realm; its value is a function of prelude.js's helpers. It replaces GraalJS's own
// console and writes lines to Java's System.out (log/info/debug/dir/table/group/count/time) or
// System.err (warn/error/trace/assert), as they are when the line is written.
(function (h) {
  'use strict';
  const { native } = h;
  const writeOut = (text) => native.print(false, text);
  const writeErr = (text) => native.print(true, text);
  const MAX_DEPTH = 2;
  const MAX_ITEMS = 100;

  const quote = (s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
  const key = (k) => (typeof k === 'symbol' ? `[${k.toString()}]` : /^[A-Za-z_$][\w$]*$/.test(k) ? k : quote(k));
  const constructorName = (v) => {
    try {
      const proto = Object.getPrototypeOf(v);
      if (proto === null) {
        return '[Object: null prototype]';
      }
      const c = proto.constructor;
      return typeof c === 'function' && c.name ? c.name : 'Object';
    } catch (e) {
      return 'Object';
    }
  };
  const tagOf = (v) => Object.prototype.toString.call(v).slice(8, -1);

  // Node-style inspection; `seen` holds the objects on the current path (cycles print [Circular *1]).
  const inspect = (value, depth = 0, seen = []) => {
    switch (typeof value) {
      case 'string': return depth === 0 ? value : quote(value);
      case 'number': return Object.is(value, -0) ? '-0' : String(value);
      case 'bigint': return `${value}n`;
      case 'symbol': return value.toString();
      case 'undefined': return 'undefined';
      case 'boolean': return String(value);
      case 'function': {
        const isClass = /^class\b/.test(Function.prototype.toString.call(value));
        return isClass ? `[class ${value.name || '(anonymous)'}]`
          : `[Function${value.name ? ': ' + value.name : ' (anonymous)'}]`;
      }
      default: break;
    }
    if (value === null) {
      return 'null';
    }
    if (seen.includes(value)) {
      return '[Circular *1]';
    }
    const tag = tagOf(value);
    if (value instanceof Error || tag === 'Error') {
      return typeof value.stack === 'string' && value.stack !== '' ? value.stack : `${value.name}: ${value.message}`;
    }
    if (tag === 'Date') {
      return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
    }
    if (tag === 'RegExp') {
      return RegExp.prototype.toString.call(value);
    }
    if (tag === 'Promise') {
      return 'Promise { <unknown> }';
    }
    const name = constructorName(value);
    if (depth > MAX_DEPTH) {
      return Array.isArray(value) ? '[Array]' : `[${name === 'Object' ? 'Object' : name}]`;
    }
    const inner = [...seen, value];
    const show = (v) => inspect(v, depth + 1, inner);
    const items = [];
    let prefix = '';
    let open = '{', close = '}';
    if (Array.isArray(value)) {
      open = '[';
      close = ']';
      prefix = name === 'Array' ? '' : `${name}(${value.length}) `;
      let holes = 0;
      for (let i = 0; i < value.length && items.length < MAX_ITEMS; i++) {
        if (!(i in value)) {
          holes++;
          continue;
        }
        if (holes > 0) {
          items.push(`<${holes} empty item${holes > 1 ? 's' : ''}>`);
          holes = 0;
        }
        items.push(show(value[i]));
      }
      if (holes > 0) {
        items.push(`<${holes} empty item${holes > 1 ? 's' : ''}>`);
      }
      if (value.length > MAX_ITEMS) {
        items.push(`... ${value.length - MAX_ITEMS} more items`);
      }
      for (const k of Object.keys(value)) {
        if (!/^\d+$/.test(k)) {
          items.push(`${key(k)}: ${show(value[k])}`);
        }
      }
    } else if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
      open = '[';
      close = ']';
      prefix = `${tag}(${value.length}) `;
      for (let i = 0; i < Math.min(value.length, MAX_ITEMS); i++) {
        items.push(show(value[i]));
      }
      if (value.length > MAX_ITEMS) {
        items.push(`... ${value.length - MAX_ITEMS} more items`);
      }
    } else if (tag === 'ArrayBuffer' || tag === 'SharedArrayBuffer') {
      prefix = `${tag} `;
      items.push(`byteLength: ${value.byteLength}`);
    } else if (tag === 'Map') {
      prefix = `Map(${value.size}) `;
      for (const [k, v] of value) {
        items.push(`${show(k)} => ${show(v)}`);
      }
    } else if (tag === 'Set') {
      prefix = `Set(${value.size}) `;
      for (const v of value) {
        items.push(show(v));
      }
    } else {
      prefix = name === 'Object' ? '' : `${name} `;
      if (prefix === '' && tag !== 'Object') {
        prefix = `${tag} `; // a platform object without own data: `MessagePort {}`
      }
    }
    if (!Array.isArray(value) && !ArrayBuffer.isView(value)) {
      for (const k of Reflect.ownKeys(value)) {
        const d = Reflect.getOwnPropertyDescriptor(value, k);
        if (d === undefined || !d.enumerable) {
          continue;
        }
        items.push(`${key(k)}: ${'value' in d ? show(d.value) : d.set ? '[Getter/Setter]' : '[Getter]'}`);
      }
    }
    if (items.length === 0) {
      return `${prefix}${open}${close}`;
    }
    const oneLine = `${prefix}${open} ${items.join(', ')} ${close}`;
    if (oneLine.length <= 72 && !oneLine.includes('\n')) {
      return oneLine;
    }
    const pad = '  '.repeat(depth + 1);
    return `${prefix}${open}\n${pad}${items.join(`,\n${pad}`)}\n${'  '.repeat(depth)}${close}`;
  };

  // Console §2.2.1 Formatter, then the remaining arguments separated by spaces.
  const format = (args) => {
    if (args.length === 0) {
      return '';
    }
    const rest = [...args];
    let out = '';
    if (typeof rest[0] === 'string') {
      const fmt = rest.shift();
      out = fmt.replace(/%([sdifoOc%])/g, (match, spec) => {
        if (spec === '%') {
          return '%';
        }
        if (rest.length === 0) {
          return match;
        }
        const arg = rest.shift();
        switch (spec) {
          case 's': return typeof arg === 'string' ? arg : typeof arg === 'object' && arg !== null ? inspect(arg, 1) : inspect(arg);
          case 'd':
          case 'i': return typeof arg === 'symbol' ? 'NaN' : typeof arg === 'bigint' ? `${arg}n` : String(parseInt(arg, 10));
          case 'f': return typeof arg === 'symbol' ? 'NaN' : String(parseFloat(arg));
          case 'c': return '';
          default: return inspect(arg, 1); // %o, %O
        }
      });
    } else {
      out = inspect(rest.shift());
    }
    for (const arg of rest) {
      out += ' ' + inspect(arg);
    }
    return out;
  };

  let indent = '';
  const print = (write, args) => {
    const text = format(args);
    write(indent === '' ? text : text.split('\n').map((line) => indent + line).join('\n'));
  };
  const counts = new Map();
  const timers = new Map();

  // Console §2.1.x console.table: rows are the data's own enumerable properties, columns the union
  // of their properties (or `properties`); primitive rows go to a "Values" column.
  const table = (data, properties) => {
    if (typeof data !== 'object' || data === null) {
      print(writeOut, [data]);
      return;
    }
    const rows = data instanceof Map ? [...data.entries()] : Object.entries(data);
    const columns = [];
    let values = false;
    for (const [, row] of rows) {
      if (typeof row === 'object' && row !== null) {
        for (const k of Object.keys(row)) {
          if (!columns.includes(k)) {
            columns.push(k);
          }
        }
      } else {
        values = true;
      }
    }
    const heads = ['(index)', ...(properties === undefined ? columns : [...properties].map(String)),
      ...(values ? ['Values'] : [])];
    const cells = rows.map(([index, row]) => heads.map((head, i) => {
      if (i === 0) {
        return String(index);
      }
      if (head === 'Values' && i === heads.length - 1 && values) {
        return typeof row === 'object' && row !== null ? '' : inspect(row, 1);
      }
      return typeof row === 'object' && row !== null && head in row ? inspect(row[head], 1) : '';
    }));
    const widths = heads.map((head, i) => Math.max(head.length, ...cells.map((r) => r[i].length)) + 2);
    const line = (l, m, r) => l + widths.map((w) => '─'.repeat(w)).join(m) + r;
    const center = (s, w) => {
      const left = Math.floor((w - s.length) / 2);
      return ' '.repeat(left) + s + ' '.repeat(w - s.length - left);
    };
    const out = [line('┌', '┬', '┐'), '│' + heads.map((s, i) => center(s, widths[i])).join('│') + '│',
      line('├', '┼', '┤'), ...cells.map((r) => '│' + r.map((s, i) => center(s, widths[i])).join('│') + '│'),
      line('└', '┴', '┘')];
    print(writeOut, [out.join('\n')]);
  };

  const methods = {
    log: (...data) => print(writeOut, data),
    info: (...data) => print(writeOut, data),
    debug: (...data) => print(writeOut, data),
    warn: (...data) => print(writeErr, data),
    error: (...data) => print(writeErr, data),
    dir: (item) => print(writeOut, [typeof item === 'string' ? quote(item) : inspect(item)]),
    dirxml: (...data) => print(writeOut, data),
    table: (data, properties = undefined) => table(data, properties),
    trace: (...data) => {
      const stack = (new Error().stack || '').split('\n').slice(1).filter((l) => !l.includes('entangle-console.js'))
        .map((l) => '    ' + l.trim()).join('\n');
      print(writeErr, [`Trace${data.length ? ': ' + format(data) : ''}\n${stack}`]);
    },
    assert: (condition = false, ...data) => {
      if (!condition) {
        if (typeof data[0] === 'string') {
          data[0] = `Assertion failed: ${data[0]}`;
        } else {
          data.unshift('Assertion failed');
        }
        print(writeErr, data);
      }
    },
    group: (...data) => {
      if (data.length > 0) {
        print(writeOut, data);
      }
      indent += '  ';
    },
    groupCollapsed: (...data) => methods.group(...data),
    groupEnd: () => { indent = indent.slice(2); },
    count: (label = 'default') => {
      const l = String(label);
      counts.set(l, (counts.get(l) || 0) + 1);
      print(writeOut, [`${l}: ${counts.get(l)}`]);
    },
    countReset: (label = 'default') => {
      const l = String(label);
      if (counts.has(l)) {
        counts.set(l, 0);
      } else {
        print(writeErr, [`Count for '${l}' does not exist`]);
      }
    },
    time: (label = 'default') => {
      const l = String(label);
      if (timers.has(l)) {
        print(writeErr, [`Timer '${l}' already exists`]);
      } else {
        timers.set(l, native.now());
      }
    },
    timeLog: (label = 'default', ...data) => {
      const l = String(label);
      if (!timers.has(l)) {
        print(writeErr, [`Timer '${l}' does not exist`]);
        return;
      }
      print(writeOut, [`${l}: ${(native.now() - timers.get(l)).toFixed(3)}ms`, ...data]);
    },
    timeEnd: (label = 'default') => {
      methods.timeLog(label);
      timers.delete(String(label));
    },
    clear: () => {},
  };
  const console = {};
  for (const [name, fn] of Object.entries(methods)) {
    Object.defineProperty(console, name, {
      value: { [name]: function (...args) { return fn(...args); } }[name],
      writable: true, enumerable: true, configurable: true });
  }
  Object.defineProperty(console, Symbol.toStringTag, { value: 'console', configurable: true });
  Object.defineProperty(globalThis, 'console', { value: console, writable: true, configurable: true, enumerable: false });
})
