/**
 * The source of the worker thread that renders charts to PNG (see png-renderer.ts). It is a string run
 * with `new Worker(source, {eval: true})` — CommonJS, loading `vega` and `@resvg/resvg-js` from the
 * paths the main thread resolved — so it needs no separate built file and works from `src/` (tests)
 * and `dist/` alike.
 *
 * Protocol: the worker gets `{spec, port, signal?}` — a compiled Vega spec, a MessagePort for the
 * answer and, for synchronous callers, an Int32Array on shared memory that it sets to 1 and notifies
 * after posting the answer `{png}` or `{error}`.
 */

/** The worker's CommonJS source. `workerData` is `{vega: path, resvg: path}`. */
export const RENDER_WORKER_SOURCE = `
"use strict";
const { parentPort, workerData } = require("node:worker_threads");
let vega, Resvg, loadError;
try {
  vega = require(workerData.vega);
  Resvg = require(workerData.resvg).Resvg;
} catch (error) {
  // Every request gets this answer instead of a dead worker (a synchronous caller would wait it out).
  loadError = "cannot load vega or @resvg/resvg-js: " + (error && error.message ? error.message : String(error));
}
parentPort.on("message", async (request) => {
  let answer;
  try {
    if (loadError) throw new Error(loadError);
    const view = new vega.View(vega.parse(request.spec), { renderer: "none" });
    const svg = await view.toSVG(request.scale);
    view.finalize();
    const png = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" } }).render().asPng();
    answer = { png };
  } catch (error) {
    answer = { error: error && error.message ? error.message : String(error) };
  }
  request.port.postMessage(answer);
  if (request.signal) {
    Atomics.store(request.signal, 0, 1);
    Atomics.notify(request.signal, 0);
  }
});
`;
