import { postToParent } from './adapter.mjs';

postToParent('ready');
