/** Options of `chart()` (live charts) and `chartOf()` (bounded results), with their defaults and checks. */
import type { JsonObject } from "../protocol/message.js";
import { describe } from "../display/mime-bundles.js";

/** Options of a chart. */
export interface ChartOptions {
  /** Live updates (update_display_data) per second at most; later records are coalesced (default 4). */
  maxUpdatesPerSecond?: number;
  /** Window spans kept for window results; older ones are dropped (default 100 for chart(), all for chartOf()). */
  keepWindows?: number;
  /** Rows kept for other records; older ones are dropped (default 1,000 for chart(), all for chartOf()). */
  keepRows?: number;
  /** How often the static PNG is re-rendered while a job runs, ms (default 2,000); always at the end. */
  pngIntervalMs?: number;
  /** `false`: no static PNG (the chart then shows only where Vega-Lite is rendered). Default true. */
  png?: boolean;
  /** Pixel ratio of the PNG (default 1). */
  pngScale?: number;
  /** The display id to use (default: a generated one). */
  displayId?: string;
  /** The sink's description in job displays (default "chart <mark>"). */
  name?: string;
}

/** Options with every default filled in. */
export interface ResolvedChartOptions {
  maxUpdatesPerSecond: number;
  keepWindows: number;
  keepRows: number;
  pngIntervalMs: number;
  png: boolean;
  pngScale: number;
  displayId: string | undefined;
  name: string | undefined;
}

/** Defaults of a live chart. */
export const LIVE_DEFAULTS: ResolvedChartOptions = {
  maxUpdatesPerSecond: 4,
  keepWindows: 100,
  keepRows: 1_000,
  pngIntervalMs: 2_000,
  png: true,
  pngScale: 1,
  displayId: undefined,
  name: undefined,
};

const KEYS: (keyof ChartOptions)[] = ["maxUpdatesPerSecond", "keepWindows", "keepRows", "pngIntervalMs", "png", "pngScale", "displayId", "name"];

/**
 * Checks options and fills in `defaults`.
 * @throws TypeError/RangeError naming the bad option and value.
 */
export function resolveChartOptions(options: ChartOptions | undefined, defaults: ResolvedChartOptions, what = "chart"): ResolvedChartOptions {
  if (options === undefined) return { ...defaults };
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new TypeError(`${what}: options must be an object, got ${describe(options)}`);
  }
  const given = options as JsonObject;
  for (const key of Object.keys(given)) {
    if (!KEYS.includes(key as keyof ChartOptions)) throw new TypeError(`${what}: unknown option "${key}" (options: ${KEYS.join(", ")})`);
  }
  const out = { ...defaults };
  if (given["maxUpdatesPerSecond"] !== undefined) out.maxUpdatesPerSecond = positive(given["maxUpdatesPerSecond"], "maxUpdatesPerSecond", what);
  if (given["keepWindows"] !== undefined) out.keepWindows = count(given["keepWindows"], "keepWindows", what);
  if (given["keepRows"] !== undefined) out.keepRows = count(given["keepRows"], "keepRows", what);
  if (given["pngIntervalMs"] !== undefined) {
    const v = given["pngIntervalMs"];
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new RangeError(`${what}: pngIntervalMs must be a number of ms ≥ 0, got ${describe(v)}`);
    out.pngIntervalMs = v;
  }
  if (given["png"] !== undefined) {
    if (typeof given["png"] !== "boolean") throw new TypeError(`${what}: png must be true or false, got ${describe(given["png"])}`);
    out.png = given["png"];
  }
  if (given["pngScale"] !== undefined) out.pngScale = positive(given["pngScale"], "pngScale", what);
  for (const key of ["displayId", "name"] as const) {
    const v = given[key];
    if (v === undefined) continue;
    if (typeof v !== "string" || v.length === 0) throw new TypeError(`${what}: ${key} must be a non-empty string, got ${describe(v)}`);
    out[key] = v;
  }
  return out;
}

function positive(value: unknown, key: string, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) throw new RangeError(`${what}: ${key} must be a positive number, got ${describe(value)}`);
  return value;
}

function count(value: unknown, key: string, what: string): number {
  if (value === Infinity) return value;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`${what}: ${key} must be a positive integer (or Infinity), got ${describe(value)}`);
  }
  return value;
}
