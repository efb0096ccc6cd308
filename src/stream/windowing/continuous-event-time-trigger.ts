/** Early firings every N ms of event time (Flink's `ContinuousEventTimeTrigger`, rule 9). */
import { earliestTime } from "./earliest-time.js";
import { formatDuration } from "./format-duration.js";
import { requirePositiveInteger } from "./option-checks.js";
import { maxTimestamp, type TimeWindow } from "./time-window.js";
import type { Trigger, TriggerContext, TriggerMergeContext, TriggerResult } from "./trigger.js";
import { mod } from "./window-start.js";
import { describedAs } from "../aggregates/factory-descriptor.js";

/** Name of the trigger state holding the next early fire time. */
const NEXT_FIRE = "continuousEventTime.nextFire";

class ContinuousEventTimeTrigger implements Trigger {
  readonly description: string;

  constructor(private readonly interval: number) {
    this.description = `continuousEventTime(${formatDuration(interval)})`;
  }

  onElement(timestamp: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    const max = maxTimestamp(window);
    if (max <= ctx.currentWatermark) return "fire";
    ctx.registerEventTimeTimer(max);
    if (ctx.getState(NEXT_FIRE) === undefined) {
      // First element of the window: the next aligned boundary after it (non-negative modulo, so a
      // negative timestamp aligns downwards as window starts do).
      this.registerNext(timestamp - mod(timestamp, this.interval), window, ctx);
    }
    return "continue";
  }

  onEventTime(time: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    if (time === maxTimestamp(window)) return "fire";
    if (ctx.getState(NEXT_FIRE) === time) {
      ctx.clearState(NEXT_FIRE);
      this.registerNext(time, window, ctx);
      return "fire";
    }
    return "continue";
  }

  onProcessingTime(): TriggerResult {
    return "continue";
  }

  canMerge(): boolean {
    return true;
  }

  onMerge(window: TimeWindow, ctx: TriggerMergeContext): void {
    const max = maxTimestamp(window);
    if (max > ctx.currentWatermark) ctx.registerEventTimeTimer(max);
    const next = earliestTime(ctx.mergedStates(NEXT_FIRE));
    if (next !== undefined) {
      ctx.setState(NEXT_FIRE, next);
      ctx.registerEventTimeTimer(next);
    }
  }

  clear(window: TimeWindow, ctx: TriggerContext): void {
    const next = ctx.getState(NEXT_FIRE);
    if (typeof next === "number") ctx.deleteEventTimeTimer(next);
    ctx.clearState(NEXT_FIRE);
    ctx.deleteEventTimeTimer(maxTimestamp(window));
  }

  /** Schedules the early firing one interval after `time`, never later than the window's end. */
  private registerNext(time: number, window: TimeWindow, ctx: TriggerContext): void {
    const next = Math.min(time + this.interval, maxTimestamp(window));
    ctx.setState(NEXT_FIRE, next);
    ctx.registerEventTimeTimer(next);
  }
}

/**
 * Fires a window at aligned boundaries of event time before it ends, and once more when the watermark
 * reaches its end − 1 — for live charts, each firing is an update of the same window. The first element
 * of a window at timestamp t schedules a firing at `t − (t mod interval) + interval` (capped at end − 1);
 * each early firing at time f schedules the next at `min(f + interval, end − 1)`. A firing happens when the
 * watermark reaches the scheduled time. Fires without purging (wrap in {@link purging} to emit deltas).
 *
 * @param interval - positive integer milliseconds between early firings.
 * @example
 * ```ts
 * // a one-minute window updated every 10 s of event time
 * stream.keyBy((b) => b.auction).window(tumbling(60_000)).trigger(continuousEventTimeTrigger(10_000))
 * ```
 */
export function continuousEventTimeTrigger(interval: number): Trigger {
  return describedAs(new ContinuousEventTimeTrigger(requirePositiveInteger("continuousEventTimeTrigger", "interval", interval)), "continuousEventTimeTrigger", [interval]);
}
