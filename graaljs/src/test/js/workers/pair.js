// Talks to a sibling worker over a port its parent sent it: the first message names the role.
//  "ping": sends "ping" on the port and reports the answer to the parent;
//  "pong": answers each message on the port with "pong for <data>".
self.onmessage = (e) => {
  const port = e.ports[0];
  if (e.data === 'ping') {
    port.onmessage = (m) => {
      postMessage(`ping got ${m.data}`);
      port.close();
    };
    port.postMessage('ping');
  } else {
    port.onmessage = (m) => port.postMessage(`pong for ${m.data}`);
  }
};
