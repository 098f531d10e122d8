// A nested worker chain: starts echo.js as its own child and forwards everything (data and ports)
// from its parent to the child, and the child's answers back to its parent.
const inner = new Worker('echo.js', { name: `inner of ${self.name}` });
inner.onmessage = (e) => postMessage(e.data, e.ports);
self.onmessage = (e) => inner.postMessage(e.data, e.ports);
