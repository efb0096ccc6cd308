/** Fires every N elements (Flink's `CountTrigger`). */
import { requirePositiveCount } from "./option-checks.js";
import type { TimeWindow } from "./time-window.js";
import type { Trigger, TriggerContext, TriggerMergeContext, TriggerResult } from "./trigger.js";
import { describedAs } from "../aggregates/factory-descriptor.js";

/** Name of the trigger state holding the elements counted since the last firing. */
const COUNT = "count.elements";

class CountTrigger implements Trigger {
  readonly description: string;

  constructor(private readonly n: number) {
    this.description = `count(${n})`;
  }

  onElement(_timestamp: number, _window: TimeWindow, ctx: TriggerContext): TriggerResult {
    const seen = ctx.getState(COUNT);
    const count = (typeof seen === "number" ? seen : 0) + 1;
    if (count >= this.n) {
      ctx.clearState(COUNT);
      return "fire";
    }
    ctx.setState(COUNT, count);
    return "continue";
  }

  onEventTime(): TriggerResult {
    return "continue";
  }

  onProcessingTime(): TriggerResult {
    return "continue";
  }

  canMerge(): boolean {
    return true;
  }

  onMerge(_window: TimeWindow, ctx: TriggerMergeContext): void {
    // As Flink: the counts add up; the merged window fires at its next element if the sum reached n.
    let sum = 0;
    for (const v of ctx.mergedStates(COUNT)) if (typeof v === "number") sum += v;
    if (sum > 0) ctx.setState(COUNT, sum);
  }

  clear(_window: TimeWindow, ctx: TriggerContext): void {
    ctx.clearState(COUNT);
  }
}

/**
 * Fires a window each time `n` more elements arrived in it (counted in trigger state, reset at each
 * firing). Fires without purging: the result covers every element so far unless wrapped in
 * {@link purging}. Typical with global windows: `globalWindows()` + `countTrigger(100)` is a count window.
 *
 * @param n - positive integer number of elements.
 * @example
 * ```ts
 * stream.keyBy((b) => b.bidder).window(globalWindows()).trigger(purging(countTrigger(100))).aggregate(avg((b) => b.price))
 * ```
 */
export function countTrigger(n: number): Trigger {
  return describedAs(new CountTrigger(requirePositiveCount("countTrigger", "n", n)), "countTrigger", [n]);
}
