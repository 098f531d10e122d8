// Posts the numbers 0 to 199 to its parent, in one task.
for (let i = 0; i < 200; i++) {
  postMessage(i);
}
