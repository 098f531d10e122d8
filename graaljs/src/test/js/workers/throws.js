// Posts one message, then throws at line 4 while the script runs (an unhandled error).
postMessage('before the throw');
// the next line is line 4
throw new Error('worker boom');
