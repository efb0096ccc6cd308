/**
 * Records as chart rows: the plain JSON objects a Vega-Lite spec's inline `data.values` holds.
 * Window results (src/stream/api/window-result.ts) become `{key, start, end, value, firing, watermark}`;
 * other records are copied as JSON (dates as ISO text, bigints as numbers, bytes as UTF-8 text,
 * non-finite numbers as null) so the spec always survives JSON encoding on the wire.
 */
import type { JsonObject } from "../protocol/message.js";
import type { WindowResult } from "../stream/api/window-result.js";

/** One row of a chart's data: a JSON object. */
export type ChartRow = JsonObject;

/** What a chart is drawing: window results (keyed by window) or plain records. */
export type RecordKind = "windows" | "rows";

/** Whether `record` is shaped like a {@link WindowResult}: numeric `start` and `end`, a `key` and a `value`. */
export function isWindowResult(record: unknown): record is WindowResult<unknown, unknown> {
  if (typeof record !== "object" || record === null) return false;
  const r = record as Partial<Record<string, unknown>>;
  return typeof r["start"] === "number" && typeof r["end"] === "number" && "key" in r && "value" in r;
}

/** The chart row of a window result. */
export function windowRow(result: WindowResult<unknown, unknown>): ChartRow {
  return {
    key: keyValue(result.key),
    start: finiteOrNull(result.start),
    end: finiteOrNull(result.end),
    value: toJson(result.value, 0),
    firing: typeof result.firing === "string" ? result.firing : "onTime",
    watermark: finiteOrNull(result.watermark),
  };
}

/**
 * The chart row of any other record: objects are copied as JSON; a primitive becomes `{value: x}`.
 */
export function plainRow(record: unknown): ChartRow {
  const json = toJson(record, 0);
  if (typeof json === "object" && json !== null && !Array.isArray(json)) return json as ChartRow;
  return { value: json };
}

/** The identity of a window key, for telling windows of different keys apart. */
export function keyIdentity(key: unknown): string {
  const value = keyValue(key);
  return typeof value === "string" ? `s:${value}` : `${typeof value}:${JSON.stringify(value)}`;
}

/** A key as a chart shows it: strings, numbers and booleans as they are, anything else as text. */
function keyValue(key: unknown): string | number | boolean | null {
  if (key === null || key === undefined) return null;
  if (typeof key === "string" || typeof key === "boolean") return key;
  if (typeof key === "number") return Number.isFinite(key) ? key : String(key);
  if (typeof key === "bigint") return key.toString();
  if (key instanceof Uint8Array) return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString("utf8");
  const json = toJson(key, 0);
  return typeof json === "string" ? json : JSON.stringify(json);
}

function finiteOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

const MAX_DEPTH = 8;

/** A JSON copy of `value`: what `JSON.stringify` would keep, with dates, bigints, bytes and maps made readable. */
function toJson(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : null;
    case "bigint":
      return Number(value);
    case "undefined":
    case "function":
    case "symbol":
      return null;
  }
  if (value === null) return null;
  if (depth >= MAX_DEPTH) return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("utf8");
  if (Array.isArray(value)) return value.map((item) => toJson(item, depth + 1));
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), toJson(v, depth + 1)]));
  if (value instanceof Set) return [...value].map((item) => toJson(item, depth + 1));
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined || typeof v === "function" || typeof v === "symbol") continue;
    out[k] = toJson(v, depth + 1);
  }
  return out;
}
