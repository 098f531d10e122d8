// The worker side of cases.mjs: each message from the parent brings a port and a mode.
//   echo: every message on the port goes back (an ArrayBuffer is transferred back);
//   sink: messages are counted; the string 'sync' is answered with the count so far.
import { onFirstMessage } from './adapter.mjs';

function serve({ port, mode }) {
  if (mode === 'echo') {
    port.onmessage = (e) => {
      const d = e.data;
      port.postMessage(d, d instanceof ArrayBuffer ? [d] : []);
    };
  } else {
    let count = 0;
    port.onmessage = (e) => {
      if (e.data === 'sync') port.postMessage(count); else count++;
    };
  }
}
// The first message is a list of [port, mode] setups; each port is also in the transfer list.
onFirstMessage((setups) => { for (const s of setups) serve(s); });
