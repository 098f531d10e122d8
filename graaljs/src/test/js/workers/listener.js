// The worker global scope is an EventTarget: a `message` listener added with addEventListener
// (no onmessage) receives the parent's messages once the script ran.
self.addEventListener('message', (e) => postMessage(`listener got ${e.data}`));
