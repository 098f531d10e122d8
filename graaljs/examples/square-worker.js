// Squares the numbers it gets from main and passes them on to the sum worker, through the port
// main transferred to it. Forwards the buffer (transferred again) and 'end', then closes itself.
let downstream = null;
self.onmessage = ({ data, ports }) => {
  if (data && data.connect) {
    downstream = ports[0];
    console.log(`[${self.name}] got my ${data.connect} port`);
  } else if (typeof data === 'number') {
    downstream.postMessage(data * data);
  } else if (data && data.payload) {
    downstream.postMessage(data, [data.payload]);
  } else if (data === 'end') {
    downstream.postMessage('end');
    console.log(`[${self.name}] done`);
    close();
  }
};
