/** Durations as short text for assigner and trigger descriptions ("10s", "1m30s", "250ms"). */

const UNITS: readonly (readonly [string, number])[] = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1_000],
  ["ms", 1],
];

/**
 * Formats integer milliseconds compactly: `formatDuration(10_000)` is "10s", `formatDuration(90_000)`
 * "1m30s", `formatDuration(1_500)` "1s500ms", `formatDuration(0)` "0ms".
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms === 0) return "0ms";
  let rest = Math.abs(ms);
  let text = "";
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      text += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return (ms < 0 ? "-" : "") + text;
}
