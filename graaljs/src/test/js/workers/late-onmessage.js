// HTML "run a worker": the inside port's message queue is enabled only after the script ran, so
// messages the parent posted while the script was still running reach the handler set at its end.
const until = Date.now() + 50;
while (Date.now() < until) {
  // busy: the parent's messages are already queued by now
}
self.onmessage = (e) => postMessage(`late handler got ${e.data}`);
