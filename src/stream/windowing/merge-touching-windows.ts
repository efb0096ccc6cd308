/** The merge rule of session windows (Flink's `TimeWindow.mergeWindows`, rule 6). */
import { compareWindows, coverWindows, type TimeWindow, windowsTouch } from "./time-window.js";
import type { WindowMerge } from "./window-assigner.js";

/**
 * Groups windows that overlap or touch (start ≤ other.end and end ≥ other.start), transitively, and
 * returns one merge per group of two or more, in order of start; windows alone in their group are not
 * mentioned. `[0,10)`, `[10,20)` and `[25,30)` give one merge of the first two into `[0,20)`.
 */
export function mergeTouchingWindows(windows: readonly TimeWindow[]): WindowMerge[] {
  const sorted = [...windows].sort(compareWindows);
  const merges: WindowMerge[] = [];
  let cover: TimeWindow | undefined;
  let group: TimeWindow[] = [];
  const close = (): void => {
    if (cover !== undefined && group.length > 1) merges.push({ result: cover, merged: group });
  };
  for (const w of sorted) {
    if (cover !== undefined && windowsTouch(cover, w)) {
      cover = coverWindows(cover, w);
      group.push(w);
    } else {
      close();
      cover = w;
      group = [w];
    }
  }
  close();
  return merges;
}
