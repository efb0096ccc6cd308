/** The single global window (Flink's `GlobalWindows`, rule 7). */
import { neverTrigger } from "./never-trigger.js";
import { GLOBAL_WINDOW, type TimeWindow } from "./time-window.js";
import type { Trigger } from "./trigger.js";
import type { WindowAssigner } from "./window-assigner.js";
import { describedAs } from "../aggregates/factory-descriptor.js";

const ONLY: readonly TimeWindow[] = Object.freeze([GLOBAL_WINDOW]);

class GlobalWindows implements WindowAssigner {
  readonly description = "global";
  readonly domain = "event" as const;

  assignWindows(): readonly TimeWindow[] {
    return ONLY;
  }

  defaultTrigger(): Trigger {
    return neverTrigger();
  }
}

const INSTANCE: WindowAssigner = new GlobalWindows();

/**
 * One window per key holding every element ([−∞, +∞)). Its default trigger never fires, so a pipeline
 * must set one (a count or continuous trigger) to see results.
 *
 * @example
 * ```ts
 * stream.keyBy((b) => b.bidder).window(globalWindows()).trigger(purging(countTrigger(100))).aggregate(count())
 * ```
 */
export function globalWindows(): WindowAssigner {
  return describedAs(INSTANCE, "globalWindows", []);
}
