// A module worker (type: 'module'): imports work relative to this file.
import { answer } from './module-dep.mjs';
self.onmessage = (e) => postMessage(answer(e.data));
