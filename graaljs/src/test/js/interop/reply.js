// Driven by JsJavaInteropTest (Java is the parent): answers a string with "echo <string>", a number
// with its double, a Java list or map (seen here as a JS array or Map) with "array:<json>" or
// "map:<json of its entries>"; a message carrying a port makes the port answer each message with
// "js saw <data>" and first announce "port ready" on it; "object please" sends a JS object graph to
// Java; "close" ends the worker with close().
self.onmessage = (e) => {
  const d = e.data;
  if (e.ports.length > 0) {
    const port = e.ports[0];
    port.onmessage = (m) => port.postMessage(`js saw ${m.data}`);
    port.postMessage('port ready');
  } else if (d === 'close') {
    close();
  } else if (d === 'object please') {
    try {
      postMessage({ n: 1, s: 'two', list: [3, 'four', null], nested: { ok: true }, big: 5n });
    } catch (err) {
      postMessage(`could not send an object: ${err.name}`);
    }
  } else if (typeof d === 'string') {
    postMessage(`echo ${d}`);
  } else if (typeof d === 'number') {
    postMessage(d * 2);
  } else if (Array.isArray(d)) {
    postMessage(`array:${JSON.stringify(d)}`);
  } else if (d instanceof Map) {
    postMessage(`map:${JSON.stringify([...d])}`);
  } else {
    postMessage(`unexpected ${typeof d}`);
  }
};
