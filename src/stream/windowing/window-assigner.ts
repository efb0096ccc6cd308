/**
 * Window assigners (Flink's `WindowAssigner`): tiny stateless strategies that say which windows an
 * element belongs to. Merging assigners (sessions) also say which windows merge.
 */
import type { TimeWindow } from "./time-window.js";
import type { Trigger } from "./trigger.js";

/** Which clock an assigner's windows are measured in. */
export type TimeDomain = "event" | "processing";

/** One merge: `merged` windows (two or more) become `result`. */
export interface WindowMerge {
  readonly result: TimeWindow;
  readonly merged: readonly TimeWindow[];
}

/** Assigns elements to windows. */
export interface WindowAssigner {
  /** For messages and job displays, e.g. "tumbling(10s)". */
  readonly description: string;
  readonly domain: TimeDomain;
  /**
   * The windows of an element with this timestamp (event time) — for processing-time assigners the
   * timestamp passed is the current processing time. May be empty (sliding windows with gaps).
   */
  assignWindows(timestamp: number): readonly TimeWindow[];
  /** The trigger used when the user sets none. */
  defaultTrigger(): Trigger;
  /**
   * Present on merging assigners only: given the live windows of one key (in any order), the merges to
   * perform (windows that overlap or touch, transitively). Windows not mentioned stay as they are.
   */
  mergeWindows?(windows: readonly TimeWindow[]): readonly WindowMerge[];
}
