/**
 * Vega-Lite charts: the bundle for `display.vegalite(spec)` and for objects with `toSpec()`
 * (vega-lite-api charts). Only Vega-Lite 5 is displayed; a spec naming another version is refused
 * rather than drawn wrong.
 */
import type { JsonObject } from "../protocol/message.js";
import { describe, type FormattedValue } from "./mime-bundles.js";

/** The mime type JupyterLab renders Vega-Lite 5 charts from. */
export const VEGA_LITE_MIME = "application/vnd.vegalite.v5+json";

/** The `$schema` added to specs that have none. */
export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

/** The Vega-Lite major version this kernel displays. */
export const VEGA_LITE_MAJOR = 5;

/** A Vega-Lite specification (checked only as far as its `$schema`; the frontend validates the rest). */
export type VegaLiteSpec = JsonObject & { $schema?: string };

/** Keys one of which every Vega-Lite view specification has at its top. */
const VIEW_KEYS = ["mark", "layer", "concat", "hconcat", "vconcat", "facet", "repeat", "spec"];

/**
 * Whether `value` is plausibly a Vega-Lite spec: a plain object with a Vega-Lite `$schema` or a
 * top-level `mark`/`layer`/`concat`/`facet`/`repeat`... key. Used for `toSpec()` results only; plain
 * objects given to `display()` are never treated as charts.
 */
export function looksLikeVegaLiteSpec(value: unknown): value is VegaLiteSpec {
  if (!isPlainObject(value)) return false;
  const schema = value["$schema"];
  if (typeof schema === "string") return /\/vega-lite\//.test(schema);
  return VIEW_KEYS.some((key) => key in value);
}

/**
 * The display bundle of a Vega-Lite 5 spec: the spec under {@link VEGA_LITE_MIME} (with `$schema`
 * added when missing; the caller's object is not modified) plus a text/plain summary.
 * @throws TypeError if the spec is not an object or its `$schema` is not Vega-Lite 5.
 */
export function vegaLiteBundle(spec: unknown, what = "display.vegalite"): FormattedValue {
  if (!isPlainObject(spec)) throw new TypeError(`${what}: expected a Vega-Lite spec object, got ${describe(spec)}`);
  const schema = spec["$schema"];
  if (schema !== undefined) checkSchema(schema, what);
  const data: VegaLiteSpec = schema === undefined ? { $schema: VEGA_LITE_SCHEMA, ...spec } : spec;
  return { data: { [VEGA_LITE_MIME]: data, "text/plain": summary(spec) }, metadata: {} };
}

function checkSchema(schema: unknown, what: string): void {
  if (typeof schema !== "string") throw new TypeError(`${what}: $schema must be a string URL, got ${describe(schema)}`);
  const match = /\/schema\/(vega-lite|vega)\/v(\d+)(?:\.\d+)*\.json$/.exec(schema);
  if (!match) {
    throw new TypeError(`${what}: $schema ${JSON.stringify(schema)} is not a Vega-Lite schema URL (expected ${VEGA_LITE_SCHEMA})`);
  }
  if (match[1] === "vega") {
    throw new TypeError(`${what}: $schema ${JSON.stringify(schema)} is a Vega spec, not Vega-Lite; only Vega-Lite ${VEGA_LITE_MAJOR} specs can be displayed`);
  }
  const major = Number(match[2]);
  if (major !== VEGA_LITE_MAJOR) {
    throw new TypeError(
      `${what}: the spec's $schema names Vega-Lite v${major} (${schema}), but this kernel displays Vega-Lite v${VEGA_LITE_MAJOR} ` +
        `(${VEGA_LITE_MIME}); port the spec to v${VEGA_LITE_MAJOR} and set $schema to ${VEGA_LITE_SCHEMA}`,
    );
  }
}

function summary(spec: JsonObject): string {
  const mark = spec["mark"];
  const markType = typeof mark === "string" ? mark : isPlainObject(mark) && typeof mark["type"] === "string" ? mark["type"] : undefined;
  if (markType) return `<Vega-Lite ${VEGA_LITE_MAJOR} chart: ${markType}>`;
  const composite = ["layer", "concat", "hconcat", "vconcat", "facet", "repeat"].find((key) => key in spec);
  return composite ? `<Vega-Lite ${VEGA_LITE_MAJOR} chart: ${composite}>` : `<Vega-Lite ${VEGA_LITE_MAJOR} chart>`;
}

function isPlainObject(value: unknown): value is JsonObject {
  // Not an identity check on Object.prototype: specs built in another realm (vm context) count too.
  return typeof value === "object" && value !== null && Object.prototype.toString.call(value) === "[object Object]";
}
