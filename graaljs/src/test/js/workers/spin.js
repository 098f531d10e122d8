// Posts "spinning", then a burst of 1000 numbers, then keeps posting while spinning forever: only
// terminate() stops it.
postMessage('spinning');
for (let n = 0; n < 1000; n++) {
  postMessage(n);
}
let i = 0;
while (true) {
  if (++i % 100000 === 0) {
    postMessage(i);
  }
}
