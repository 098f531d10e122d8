// Keeps the port it receives, says "holding" on it; "close" on that port makes it close the port.
self.onmessage = (e) => {
  const port = e.ports[0];
  port.onmessage = (m) => {
    if (m.data === 'close') {
      port.close();
    }
  };
  port.postMessage('holding');
};
