// The worker of second-worker.mjs: posts once.
postMessage('ready');
