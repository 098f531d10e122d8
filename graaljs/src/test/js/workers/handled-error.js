// Errors handled inside the worker (HTML §8.1.4.7): the first is cancelled by self.onerror returning
// true, the second by an error listener calling preventDefault(); so the parent's Worker object gets
// no error event, and the messages around them arrive in order.
self.onerror = (message, filename, lineno, colno, error) => {
  if (error instanceof Error && error.message === 'handled in the worker') {
    postMessage(`onerror:${message.includes('handled in the worker')}`);
    return true;
  }
  return false; // not cancelled here
};
self.addEventListener('error', (e) => {
  if (e.error instanceof Error && e.error.message === 'prevented in a listener') {
    e.preventDefault();
    postMessage('listener prevented');
  }
});
setTimeout(() => { throw new Error('handled in the worker'); }, 0);
setTimeout(() => { throw new Error('prevented in a listener'); }, 0);
setTimeout(() => postMessage('after'), 0);
