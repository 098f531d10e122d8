// BroadcastChannel from a worker: joins channel "entangle-test", answers "ready" to its parent once it
// listens, and answers each broadcast "ping:<x>" with the broadcast "pong:<x>".
const channel = new BroadcastChannel('entangle-test');
channel.onmessage = (e) => {
  if (typeof e.data === 'string' && e.data.startsWith('ping:')) {
    channel.postMessage(`pong:${e.data.slice(5)}`);
  }
};
self.onmessage = (e) => {
  if (e.data === 'close') {
    channel.close();
    close();
  }
};
postMessage('ready');
