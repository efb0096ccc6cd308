/**
 * A window of event (or processing) time: the interval [start, end) in integer milliseconds, as
 * Flink's `TimeWindow`. The global window is [-∞, +∞).
 */

/** A window [start, end). */
export interface TimeWindow {
  readonly start: number;
  readonly end: number;
}

/** The largest timestamp inside the window (end − 1): the window fires when the watermark reaches it. */
export function maxTimestamp(window: TimeWindow): number {
  return window.end - 1;
}

/** The one window of global windowing: every element, never fired by time. */
export const GLOBAL_WINDOW: TimeWindow = Object.freeze({ start: -Infinity, end: Infinity });

/** Whether two windows overlap or touch (start ≤ other.end and end ≥ other.start): sessions merge then. */
export function windowsTouch(a: TimeWindow, b: TimeWindow): boolean {
  return a.start <= b.end && a.end >= b.start;
}

/** The smallest window covering both. */
export function coverWindows(a: TimeWindow, b: TimeWindow): TimeWindow {
  return { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}

/** A stable text key of a window (for maps and state). */
export function windowKey(window: TimeWindow): string {
  return `${window.start}:${window.end}`;
}

/** Orders windows by start, then end. */
export function compareWindows(a: TimeWindow, b: TimeWindow): number {
  return a.start - b.start || a.end - b.end;
}
