/**
 * The chart shorthand: the common charts of window results in one line, e.g.
 * `chart({ mark: "line" })` (value over window end, one line per key) or
 * `chart({ mark: "bar", topK: 10 })` (the 10 largest values of the latest window).
 *
 * Field names may end in a Vega-Lite type letter (`"price:Q"`, `"user:N"`, `"day:O"`, `"ts:T"`);
 * without one the type follows the data: `start`/`end` of window results are times (UTC scale),
 * numbers are quantitative, ISO date text and dates are temporal, anything else nominal.
 */
import type { JsonObject } from "../protocol/message.js";
import { VEGA_LITE_SCHEMA } from "../display/vega-lite.js";
import { describe } from "../display/mime-bundles.js";
import type { ChartRow, RecordKind } from "./chart-rows.js";

/** The marks the shorthand draws. */
export type ShorthandMark = "line" | "area" | "bar" | "point";

/** A chart described by a few options instead of a full Vega-Lite spec. */
export interface ChartShorthand {
  /** The mark: a line, a (stacked) area, bars or points. */
  mark: ShorthandMark;
  /** The x field: `"end"` (default for window results), `"start"` or a field of the records. */
  x?: "end" | "start" | (string & {});
  /** The y field: `"value"` (default for window results) or a field of the records (`"value.avg"` for nested). */
  y?: "value" | (string & {});
  /** The colour field: `"key"` (default for window results), another field, or `false` for one colour. */
  color?: "key" | (string & {}) | false;
  /** The chart's title. */
  title?: string;
  /** Plot width in pixels (default 560). */
  width?: number;
  /** Plot height in pixels (default 260). */
  height?: number;
  /**
   * Bars of the `topK` largest values of the latest window (window results, `mark: "bar"` only): one
   * horizontal bar per key, largest first, the bar's length being the y field. `x` is not used with it.
   */
  topK?: number;
}

/** Default plot size of shorthand charts, in pixels. */
export const DEFAULT_WIDTH = 560;
/** Default plot height of shorthand charts, in pixels. */
export const DEFAULT_HEIGHT = 260;

/** Band height of one top-k bar when no height is given, in pixels. */
export const TOP_K_STEP = 24;

const MARKS: readonly ShorthandMark[] = ["line", "area", "bar", "point"];
const KEYS = ["mark", "x", "y", "color", "title", "width", "height", "topK"];
const TYPE_SUFFIX: Record<string, VegaLiteType> = { Q: "quantitative", N: "nominal", O: "ordinal", T: "temporal" };

type VegaLiteType = "quantitative" | "nominal" | "ordinal" | "temporal";

/**
 * Checks a shorthand, naming the bad option and value.
 * @throws TypeError or RangeError.
 */
export function checkShorthand(value: JsonObject, what = "chart"): ChartShorthand {
  for (const key of Object.keys(value)) {
    if (!KEYS.includes(key)) {
      throw new TypeError(
        `${what}: unknown shorthand option "${key}" (shorthand options: ${KEYS.join(", ")}; a full Vega-Lite spec needs "encoding", "layer" or another view key)`,
      );
    }
  }
  const mark = value["mark"];
  if (typeof mark !== "string" || !MARKS.includes(mark as ShorthandMark)) {
    throw new TypeError(`${what}: mark must be one of ${MARKS.map((m) => `"${m}"`).join(", ")}, got ${describe(mark)}`);
  }
  for (const key of ["x", "y"] as const) {
    const field = value[key];
    if (field !== undefined && (typeof field !== "string" || field.length === 0)) {
      throw new TypeError(`${what}: ${key} must be a field name, got ${describe(field)}`);
    }
  }
  const color = value["color"];
  if (color !== undefined && color !== false && (typeof color !== "string" || color.length === 0)) {
    throw new TypeError(`${what}: color must be a field name or false, got ${describe(color)}`);
  }
  if (value["title"] !== undefined && typeof value["title"] !== "string") {
    throw new TypeError(`${what}: title must be a string, got ${describe(value["title"])}`);
  }
  for (const key of ["width", "height"] as const) {
    const size = value[key];
    if (size !== undefined && (typeof size !== "number" || !Number.isFinite(size) || size <= 0)) {
      throw new RangeError(`${what}: ${key} must be a positive number of pixels, got ${describe(size)}`);
    }
  }
  const topK = value["topK"];
  if (topK !== undefined) {
    if (typeof topK !== "number" || !Number.isInteger(topK) || topK < 1) {
      throw new RangeError(`${what}: topK must be a positive integer, got ${describe(topK)}`);
    }
    if (mark !== "bar") throw new TypeError(`${what}: topK draws bars; use mark: "bar" with it, not ${JSON.stringify(mark)}`);
  }
  return value as unknown as ChartShorthand;
}

/**
 * The Vega-Lite 5 spec (without `data`) of a shorthand for records of `kind`; `sample` (a row, if
 * any arrived) decides the types of fields other than the window fields.
 * @throws TypeError when plain records are charted without x and y, or topK is asked of plain records.
 */
export function shorthandSpec(shorthand: ChartShorthand, kind: RecordKind, sample?: ChartRow, what = "chart"): JsonObject {
  const windows = kind === "windows";
  if (!windows && shorthand.topK !== undefined) throw new TypeError(`${what}: topK ranks the keys of the latest window, so it needs window results`);
  if (!windows && (shorthand.x === undefined || shorthand.y === undefined)) {
    throw new TypeError(
      `${what}: these records are not window results, so the shorthand needs x and y fields (got x: ${describe(shorthand.x)}, y: ${describe(shorthand.y)})`,
    );
  }
  const spec: JsonObject = { $schema: VEGA_LITE_SCHEMA };
  if (shorthand.title !== undefined) spec["title"] = shorthand.title;
  spec["width"] = shorthand.width ?? DEFAULT_WIDTH;
  // Top-k bars: a band per bar unless a height is given, so 3 bars are not 87 px thick nor 50 squeezed.
  spec["height"] = shorthand.height ?? (shorthand.topK !== undefined ? { step: TOP_K_STEP } : DEFAULT_HEIGHT);
  const color = shorthand.color ?? (windows && shorthand.topK === undefined ? "key" : false);

  if (shorthand.topK !== undefined) {
    const value = channel(shorthand.y ?? "value", windows, sample, "quantitative");
    if (shorthand.x !== undefined) {
      throw new TypeError(`${what}: topK bars are one bar per key with the y field as length; x is not used with topK (got x: ${describe(shorthand.x)})`);
    }
    const key = channel("key", windows, sample, "nominal");
    spec["transform"] = [
      { joinaggregate: [{ op: "max", field: "end", as: "latest_end" }] },
      { filter: "datum.end === datum.latest_end" },
      { window: [{ op: "row_number", as: "rank" }], sort: [{ field: value["field"], order: "descending" }] },
      { filter: `datum.rank <= ${shorthand.topK}` },
    ];
    spec["mark"] = { type: "bar", tooltip: true };
    const encoding: JsonObject = { y: { ...key, sort: "-x" }, x: value };
    if (color !== false) encoding["color"] = channel(color, windows, sample, "nominal");
    spec["encoding"] = encoding;
    return spec;
  }

  spec["mark"] = shorthand.mark === "line" ? { type: "line", point: true, tooltip: true } : { type: shorthand.mark, tooltip: true };
  const encoding: JsonObject = {
    x: channel(shorthand.x ?? "end", windows, sample, "quantitative"),
    y: channel(shorthand.y ?? "value", windows, sample, "quantitative"),
  };
  if (color !== false) encoding["color"] = channel(color, windows, sample, "nominal");
  spec["encoding"] = encoding;
  return spec;
}

/** An encoding channel for `name` (with an optional `:Q`-style type suffix). */
function channel(name: string, windows: boolean, sample: ChartRow | undefined, fallback: VegaLiteType): JsonObject {
  const suffix = /^(.+):([QNOT])$/.exec(name);
  const field = suffix ? suffix[1]! : name;
  if (windows && (field === "start" || field === "end")) {
    return { field, type: "temporal", scale: { type: "utc" }, title: `window ${field}` };
  }
  const type = suffix ? TYPE_SUFFIX[suffix[2]!]! : inferType(field, windows, sample, fallback);
  return { field, type, title: field };
}

function inferType(field: string, windows: boolean, sample: ChartRow | undefined, fallback: VegaLiteType): VegaLiteType {
  if (windows && field === "key") return "nominal";
  if (windows && field === "value" && sample === undefined) return "quantitative";
  const value = sample === undefined ? undefined : lookup(sample, field);
  if (typeof value === "number") return "quantitative";
  if (typeof value === "string") return ISO_DATE.test(value) ? "temporal" : "nominal";
  if (typeof value === "boolean") return "nominal";
  return fallback;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** `a.b.c` looked up as Vega-Lite does (dots are nested fields). */
function lookup(row: ChartRow, field: string): unknown {
  let value: unknown = row;
  for (const part of field.split(".")) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}
