// Calls close() while its script runs, after setting onmessage and a timer: the closing flag makes the
// worker's event loop discard its tasks, so neither the handler nor the timer ever runs.
self.onmessage = () => postMessage('handled a message after close()');
setTimeout(() => postMessage('a timer ran after close()'), 0);
close();
