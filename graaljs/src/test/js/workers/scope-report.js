// A worker for globals.test.mjs: reports what its global scope is (HTML §10.2.1), then imports
// helpers/imported.js with importScripts (resolved against this script's URL) and reports that too.
const report = {
  dedicated: self instanceof DedicatedWorkerGlobalScope,
  worker: self instanceof WorkerGlobalScope,
  eventTarget: self instanceof EventTarget,
  tag: Object.prototype.toString.call(self),
  location: location instanceof WorkerLocation ? location.href : null,
  sameLocation: location === self.location,
  navigator: navigator instanceof WorkerNavigator && navigator.hardwareConcurrency > 0,
  members: ['postMessage', 'onmessage', 'close', 'name', 'importScripts'].filter((m) => m in self),
  selfAssigned: (() => { const before = self; try { self = 1; } catch (e) { /* strict: TypeError */ } return self === before; })(),
};
importScripts('helpers/imported.js');
report.imported = self.importedValue;
try {
  importScripts('data:text/javascript,self.ran=true', 'http://foo bar');
} catch (e) {
  report.badUrl = e.name;
}
report.ranBeforeBadUrl = self.ran === true;
try {
  importScripts('data:text/plain,self.plain=true');
} catch (e) {
  report.plainText = e.name;
}
postMessage(report);
