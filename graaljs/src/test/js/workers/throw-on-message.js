// Throws from its message handler (line 3) for "throw"; answers "ok <data>" otherwise.
self.onmessage = (e) => {
  if (e.data === 'throw') throw new Error('handler boom');
  postMessage(`ok ${e.data}`);
};
