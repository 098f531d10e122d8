// The worker of train.mjs: echoes every message on the port it is given (an ArrayBuffer transferred back).
self.onmessage = ({ data }) => {
  const port = data.port;
  port.onmessage = (e) => port.postMessage(e.data, e.data instanceof ArrayBuffer ? [e.data] : []);
};
