// Makes a channel of its own and sends one end to its parent: that port answers "worker port got
// <data>" for each message.
const channel = new MessageChannel();
channel.port1.onmessage = (e) => channel.port1.postMessage(`worker port got ${e.data}`);
postMessage('here is a port', [channel.port2]);
