/**
 * The text/plain form of a chart: what a terminal, a plain Node script or a text-only export shows,
 * e.g. `chart (line): 12 windows × 3 keys, last [10:00:00, 10:00:10) key "a" = 42 (onTime); 40 results received`.
 */
import type { RowBuffer } from "./row-buffer.js";

/** The one-line summary of a chart's data. `label` names the chart (its title or mark). */
export function chartSummary(label: string, buffer: RowBuffer, note?: string): string {
  const head = `chart (${label})`;
  const tail = note ? ` [${note}]` : "";
  if (buffer.receivedCount === 0) return `${head}: no records yet${tail}`;
  const n = buffer.receivedCount;
  const received = `${n.toLocaleString("en-US")} ${buffer.kind === "windows" ? "result" : "record"}${n === 1 ? "" : "s"} received`;
  if (buffer.kind === "windows") {
    const latest = buffer.latestSpan();
    const keys = buffer.keyCount();
    const windows = `${buffer.windowCount} window${buffer.windowCount === 1 ? "" : "s"} × ${keys} key${keys === 1 ? "" : "s"}`;
    const last = buffer.lastRow;
    const lastText =
      latest === undefined
        ? ""
        : `, last [${formatTime(latest.start)}, ${formatTime(latest.end)})` +
          (last ? ` key ${short(last["key"])} = ${short(last["value"])}${typeof last["firing"] === "string" ? ` (${last["firing"]})` : ""}` : "");
    return `${head}: ${windows}${lastText}; ${received}${tail}`;
  }
  const rows = buffer.rows().length;
  return `${head}: ${rows.toLocaleString("en-US")} row${rows === 1 ? "" : "s"} shown; ${received}${tail}`;
}

/** A time of day in UTC: `10:00:00`, or `10:00:00.250` when it has milliseconds. */
export function formatTime(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const iso = new Date(ms).toISOString();
  return ms % 1000 === 0 ? iso.slice(11, 19) : iso.slice(11, 23);
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
