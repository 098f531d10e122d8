// Adds up what arrives on the port from the square worker and reports to main.
let total = 0;
self.onmessage = ({ data, ports }) => {
  const upstream = ports[0];
  console.log(`[${self.name}] got my ${data.connect} port`);
  upstream.onmessage = ({ data: value }) => {
    if (typeof value === 'number') {
      total += value;
    } else if (value && value.payload) {
      const bytes = new Uint8Array(value.payload);
      postMessage({ bytes: bytes.length, first: bytes[0], last: bytes[bytes.length - 1] });
    } else if (value === 'end') {
      postMessage({ total });
      console.log(`[${self.name}] done`);
      close();
    }
  };
};
