/**
 * What `chart()` and `chartOf()` accept — a {@link ChartShorthand} or a full Vega-Lite 5 spec — and
 * how either becomes the spec that is displayed: Vega-Lite 5 (`$schema` v5) with the chart's rows
 * inlined as `data.values`.
 *
 * A full spec reads the chart's records from the named dataset `"records"`: every `data: {name:
 * "records"}` in it (at the top, in layers, concatenated views...) is replaced by the rows. A spec with
 * no `data` at its top gets the rows there. Window results appear as rows `{key, start, end, value,
 * firing, watermark}` (times in ms since the epoch, UTC); other records as their JSON form.
 */
import { compile, type TopLevelSpec } from "vega-lite";
import type { JsonObject } from "../protocol/message.js";
import { describe } from "../display/mime-bundles.js";
import { vegaLiteBundle, VEGA_LITE_MIME, type VegaLiteSpec } from "../display/vega-lite.js";
import type { ChartRow, RecordKind } from "./chart-rows.js";
import { checkShorthand, shorthandSpec, type ChartShorthand } from "./chart-shorthand.js";

export type { TopLevelSpec } from "vega-lite";

/** A chart: the shorthand for common charts, or a full Vega-Lite 5 spec reading `data: {name: "records"}`. */
export type ChartSpec = ChartShorthand | TopLevelSpec;

/** The name of the dataset a full spec reads the chart's records from. */
export const RECORDS_DATASET = "records";

/** Top-level keys that make an object a full Vega-Lite spec rather than a shorthand. */
const FULL_SPEC_KEYS = ["$schema", "data", "encoding", "layer", "concat", "hconcat", "vconcat", "facet", "repeat", "spec", "transform", "params", "datasets"];

/** A checked chart definition: either a shorthand or a full spec (kept as given). */
export type ChartDefinition = { kind: "shorthand"; shorthand: ChartShorthand } | { kind: "spec"; spec: JsonObject };

/**
 * Tells a shorthand from a full spec (a full spec has `encoding`, `layer`, `data`, `$schema`... at its
 * top) and checks it: shorthand options, or that the full spec is Vega-Lite 5 and compiles.
 * @throws TypeError naming the bad option or the compiler's complaint.
 */
export function checkChartSpec(value: unknown, what = "chart"): ChartDefinition {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`${what}: expected a shorthand like {mark: "line"} or a Vega-Lite spec object, got ${describe(value)}`);
  }
  const object = value as JsonObject;
  if (!FULL_SPEC_KEYS.some((key) => key in object)) return { kind: "shorthand", shorthand: checkShorthand(object, what) };
  vegaLiteBundle(object, what); // checks $schema names Vega-Lite 5
  compileChecked(withRows({ kind: "spec", spec: object }, "rows", [], what), what);
  return { kind: "spec", spec: object };
}

/**
 * The displayed spec: Vega-Lite 5 with `rows` inlined. `kind` is what the rows are (window results or
 * plain records); `sample` is used by shorthands to pick field types.
 */
export function withRows(definition: ChartDefinition, kind: RecordKind, rows: readonly ChartRow[], what = "chart"): VegaLiteSpec {
  const values = { values: rows as unknown[] };
  if (definition.kind === "shorthand") {
    const spec = shorthandSpec(definition.shorthand, kind, rows[0], what);
    const { $schema, ...rest } = spec;
    return { $schema: $schema as string, data: values, ...rest };
  }
  const spec = replaceRecords(definition.spec, values) as JsonObject;
  const data = spec["data"];
  const out: JsonObject = data === undefined ? { ...spec, data: values } : spec;
  return vegaLiteBundle(out, what).data[VEGA_LITE_MIME] as VegaLiteSpec;
}

/**
 * Compiles a Vega-Lite spec to Vega (what vega renders).
 * @throws TypeError carrying the compiler's message when the spec is not valid Vega-Lite.
 */
export function compileChecked(spec: VegaLiteSpec, what = "chart"): JsonObject {
  try {
    return compile(spec as unknown as TopLevelSpec).spec as unknown as JsonObject;
  } catch (error) {
    throw new TypeError(`${what}: the spec is not valid Vega-Lite 5: ${(error as Error).message}`);
  }
}

/** A copy of `node` with every `data: {name: "records"}` replaced by `values` (other named data kept). */
function replaceRecords(node: unknown, values: JsonObject): unknown {
  if (Array.isArray(node)) return node.map((item) => replaceRecords(item, values));
  if (typeof node !== "object" || node === null) return node;
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(node as JsonObject)) {
    out[key] = key === "data" && isRecordsReference(child) ? values : key === "values" || key === "datasets" ? child : replaceRecords(child, values);
  }
  return out;
}

function isRecordsReference(value: unknown): boolean {
  return typeof value === "object" && value !== null && (value as JsonObject)["name"] === RECORDS_DATASET;
}
