// Imported by workers/scope-report.js with importScripts: runs in that worker's global scope.
self.importedValue = `imported into ${self.name}`;
