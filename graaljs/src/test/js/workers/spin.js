// Posts a first message, then keeps posting while spinning forever: only terminate() stops it.
postMessage('spinning');
let i = 0;
while (true) {
  if (++i % 100000 === 0) {
    postMessage(i);
  }
}
