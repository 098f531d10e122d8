// Driven by JsJavaInteropTest (Java is the parent): answers a string with "echo <string>", a number
// with its double; a message carrying a port makes the port answer each message with
// "js saw <data>" and first announce "port ready" on it; "close" ends the worker with close().
self.onmessage = (e) => {
  if (e.ports.length > 0) {
    const port = e.ports[0];
    port.onmessage = (m) => port.postMessage(`js saw ${m.data}`);
    port.postMessage('port ready');
  } else if (e.data === 'close') {
    close();
  } else if (typeof e.data === 'string') {
    postMessage(`echo ${e.data}`);
  } else if (typeof e.data === 'number') {
    postMessage(e.data * 2);
  } else {
    postMessage(`unexpected ${typeof e.data}`);
  }
};
