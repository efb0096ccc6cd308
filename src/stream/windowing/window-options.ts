/** Options shared by the time-window factories. */
import type { TimeDomain } from "./window-assigner.js";

/** Options of {@link tumbling} and {@link sliding}. */
export interface AlignedWindowOptions {
  /**
   * Shifts the alignment of window starts (integer ms, 0 ≤ offset < size for tumbling, < slide for
   * sliding); default 0. For example daily windows starting at 06:00 UTC: `tumbling(86_400_000, { offset: 21_600_000 })`.
   * A negative shift −o is written as size − o.
   */
  readonly offset?: number;
  /** Which clock the windows measure: "event" (default, element timestamps) or "processing" (the wall clock). */
  readonly time?: TimeDomain;
}

/** Options of {@link session}. */
export interface SessionWindowOptions {
  /** Which clock the windows measure: "event" (default) or "processing". */
  readonly time?: TimeDomain;
}
