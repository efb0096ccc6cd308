/**
 * Static images of charts, rendered in the kernel: Vega-Lite → Vega (vega-lite `compile`) → a
 * headless vega View (renderer "none") → SVG (`view.toSVG()`) → PNG (`@resvg/resvg-js`).
 *
 * The work runs on one worker thread, started on first use and `unref`'d (an idle renderer never keeps
 * a process alive): live charts render without stalling the job, and {@link renderPngSync} can wait for
 * it synchronously (a cell's `[Symbol.for("Jupyter.display")]()` must return its bundle at once).
 */
import { createRequire } from "node:module";
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import type { VegaLiteSpec } from "../display/vega-lite.js";
import { compileChecked } from "./chart-spec.js";
import { RENDER_WORKER_SOURCE } from "./render-worker-source.js";

/** Options of the renderers. */
export interface RenderOptions {
  /** Pixel ratio of the image (default 1: one image pixel per CSS pixel). */
  scale?: number;
  /** Longest wait of {@link renderPngSync}, ms (default 30,000). */
  timeoutMs?: number;
}

type Answer = { png: Uint8Array; error?: undefined } | { png?: undefined; error: string };

let worker: Worker | undefined;

/** Rejecters of the asynchronous renders waiting for an answer, failed all at once if the worker dies. */
const waiting = new Set<(error: Error) => void>();

function renderer(): Worker {
  if (worker) return worker;
  const require = createRequire(import.meta.url);
  const started = new Worker(RENDER_WORKER_SOURCE, {
    eval: true,
    workerData: { vega: require.resolve("vega"), resvg: require.resolve("@resvg/resvg-js") },
  });
  started.unref();
  const forget = (error: Error): void => {
    if (worker !== started) return;
    worker = undefined;
    for (const reject of [...waiting]) reject(error);
  };
  started.on("error", (error: Error) => forget(new Error(`chart png: the renderer failed: ${error.message}`)));
  started.on("exit", (code: number) => forget(new Error(`chart png: the renderer exited (code ${code})`)));
  worker = started;
  return started;
}

/**
 * Renders a Vega-Lite 5 spec (data inlined) to a PNG, off the main thread.
 * @throws TypeError when the spec does not compile; Error when vega fails to render it.
 */
export async function renderPng(spec: VegaLiteSpec, options: RenderOptions = {}): Promise<Uint8Array> {
  const vegaSpec = compileChecked(spec, "chart png");
  const { port1, port2 } = new MessageChannel();
  let fail: (error: Error) => void = () => {};
  const answer = new Promise<Answer>((resolve, reject) => {
    fail = reject;
    port1.once("message", (message: Answer) => resolve(message));
  });
  waiting.add(fail);
  try {
    renderer().postMessage({ spec: vegaSpec, scale: options.scale ?? 1, port: port2 }, [port2]);
    return unwrap(await answer);
  } finally {
    waiting.delete(fail);
    port1.close();
  }
}

/**
 * Renders a Vega-Lite 5 spec (data inlined) to a PNG, blocking until the worker answers.
 * @throws TypeError when the spec does not compile; Error when rendering fails or times out.
 */
export function renderPngSync(spec: VegaLiteSpec, options: RenderOptions = {}): Uint8Array {
  const vegaSpec = compileChecked(spec, "chart png");
  const timeoutMs = options.timeoutMs ?? 30_000;
  const { port1, port2 } = new MessageChannel();
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const target = renderer();
  try {
    target.postMessage({ spec: vegaSpec, scale: options.scale ?? 1, port: port2, signal }, [port2]);
    if (Atomics.wait(signal, 0, 0, timeoutMs) === "timed-out") {
      if (worker === target) worker = undefined;
      void target.terminate();
      throw new Error(`chart png: rendering took longer than ${timeoutMs} ms`);
    }
    const received = receiveMessageOnPort(port1);
    if (!received) throw new Error("chart png: the renderer answered nothing");
    return unwrap(received.message as Answer);
  } finally {
    port1.close();
  }
}

function unwrap(answer: Answer): Uint8Array {
  if (answer.error !== undefined) throw new Error(`chart png: vega could not render the chart: ${answer.error}`);
  return answer.png;
}
