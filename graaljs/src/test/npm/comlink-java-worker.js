// Driven by JsComlinkJavaTest: Comlink 4.4.2 (unmodified, from npm) talking to Java's Remote.
// "expose" with a port: serves `api` on it with Comlink.expose (Java calls it through Remote.wrap).
// "expose function" with a port: serves a bare function (Java calls it through Remote.wrapFunction).
// "call java" with a port: wraps the Java object exposed there with Comlink.wrap, calls it, and posts
// to the parent (Java) one line per result, in order, then "done".
importScripts('./node_modules/comlink/dist/umd/comlink.js');

const api = {
  sum: (a, b) => a + b,
  // gives back what Java sent (a Java map and list, seen here as an object and an array), inside a JS object
  echo: (x) => ({ got: x, keys: Object.keys(x).join() }),
  fail: (why) => { throw new RangeError(`js refused: ${why}`); },
  // f is Java's callback, a Comlink proxy here: each call goes back to Java
  applyTwice: async (f, x) => `${await f(x)}, ${await f(x + 1)}`,
};

async function callJava(port) {
  const java = Comlink.wrap(port);
  postMessage(`add ${await java.add(2, 3)}`);
  try {
    await java.fail('bad input');
    postMessage('fail did not throw');
  } catch (err) {
    postMessage(`error ${err.name}: ${err.message}`);
    postMessage(`stack ${String(err.stack).split('\n').slice(0, 2).join(' | ')}`);
  }
  postMessage(`callback ${await java.twice(Comlink.proxy((x) => `js got ${x}`))}`);
  postMessage('done');
}

self.onmessage = (e) => {
  const port = e.ports[0];
  if (e.data === 'expose') {
    Comlink.expose(api, port);
  } else if (e.data === 'expose function') {
    Comlink.expose((a, b) => {
      if (b === 0) {
        throw new RangeError('js refused to divide by zero');
      }
      return a / b;
    }, port);
  } else if (e.data === 'call java') {
    callJava(port).catch((err) => postMessage(`failed ${err && err.stack}`));
  }
};
