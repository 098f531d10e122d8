// A worker for the conformance tests: answers each message from its parent.
//  - a message carrying ports: each port echoes what it receives ("echo:" + data), and the worker
//    answers "ports:<count>";
//  - "name": answers self.name; "close": calls close();
//  - anything else: sent back unchanged (a structured clone of it).
self.onmessage = (e) => {
  if (e.ports.length > 0) {
    for (const port of e.ports) {
      port.onmessage = (m) => port.postMessage(`echo:${m.data}`);
    }
    postMessage(`ports:${e.ports.length}`);
  } else if (e.data === 'name') {
    postMessage(self.name);
  } else if (e.data === 'close') {
    close();
  } else {
    postMessage(e.data);
  }
};
