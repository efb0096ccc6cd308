/**
 * How a value looks in the notebook: the mime bundle of an execute_result or of `display(value)`.
 *
 * In order:
 * 1. `undefined` and display handles produce nothing (a cell ending in `display.html(...)` shows only
 *    the display itself).
 * 2. An object with a `[Symbol.for("Jupyter.display")]()` method: the bundle it returns, plus a
 *    text/plain fallback when it has none. The method is called synchronously and must return the
 *    bundle itself; a Promise is refused (compute the data first, then display it).
 * 3. An object with `toSpec()` returning a Vega-Lite spec (vega-lite-api charts): the chart.
 *    A plain spec object is deliberately not recognised; use `display.vegalite(spec)`.
 * 4. Anything else: text/plain as the Node REPL prints it (`util.inspect`, no colours).
 */
import { inspect } from "node:util";
import type { JsonObject } from "../protocol/message.js";
import { isDisplayHandle } from "./display-handle.js";
import { checkMimeBundle, type FormattedValue } from "./mime-bundles.js";
import { looksLikeVegaLiteSpec, vegaLiteBundle } from "./vega-lite.js";

export type { FormattedValue } from "./mime-bundles.js";

/** The method name (a registered symbol) objects implement to choose their own rich display. */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display");

/** `util.inspect` options of text/plain output (the REPL's view, without colours). */
export const INSPECT_OPTIONS = {
  colors: false,
  depth: 4,
  maxArrayLength: 100,
  breakLength: 100,
  showProxy: true,
} as const;

/** Text of a value as the Node REPL shows it. */
export function plainText(value: unknown): string {
  return inspect(value, INSPECT_OPTIONS);
}

/**
 * The bundle and metadata showing `value`, or `undefined` when the value shows nothing
 * (`undefined`, display handles).
 * @throws TypeError when the value's own `[Symbol.for("Jupyter.display")]()` returns something that is
 *   not a mime bundle (including a Promise), and whatever that method or `toSpec()` throws.
 */
export function formatValue(value: unknown): FormattedValue | undefined {
  if (value === undefined || isDisplayHandle(value)) return undefined;
  if ((typeof value === "object" && value !== null) || typeof value === "function") {
    const custom = (value as { [JUPYTER_DISPLAY]?: unknown })[JUPYTER_DISPLAY];
    if (typeof custom === "function") return customBundle(value, custom as (this: unknown) => unknown);
    const toSpec = (value as { toSpec?: unknown }).toSpec;
    if (typeof toSpec === "function") {
      const spec: unknown = toSpec.call(value);
      if (looksLikeVegaLiteSpec(spec)) return vegaLiteBundle(spec, "toSpec()");
    }
  }
  return { data: { "text/plain": plainText(value) }, metadata: {} };
}

function customBundle(value: unknown, method: (this: unknown) => unknown): FormattedValue {
  const what = '[Symbol.for("Jupyter.display")]()';
  const result = method.call(value);
  if (typeof (result as { then?: unknown } | null)?.then === "function") {
    throw new TypeError(`${what} returned a Promise; it must return a mime bundle synchronously (await the data first, then display it)`);
  }
  const bundle = checkMimeBundle(result, what);
  const data = "text/plain" in bundle ? { ...bundle } : { ...bundle, "text/plain": plainText(value) };
  const metadata: JsonObject = {};
  return { data, metadata };
}
