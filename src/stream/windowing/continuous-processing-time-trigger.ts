/** Early firings every N ms of processing time (Flink's `ContinuousProcessingTimeTrigger`, rule 9). */
import { earliestTime } from "./earliest-time.js";
import { formatDuration } from "./format-duration.js";
import { requirePositiveInteger } from "./option-checks.js";
import { maxTimestamp, type TimeWindow } from "./time-window.js";
import type { Trigger, TriggerContext, TriggerMergeContext, TriggerResult } from "./trigger.js";
import { mod } from "./window-start.js";
import { describedAs } from "../aggregates/factory-descriptor.js";

/** Name of the trigger state holding the next fire time. */
const NEXT_FIRE = "continuousProcessingTime.nextFire";

class ContinuousProcessingTimeTrigger implements Trigger {
  readonly description: string;

  constructor(private readonly interval: number) {
    this.description = `continuousProcessingTime(${formatDuration(interval)})`;
  }

  onElement(_timestamp: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    if (ctx.getState(NEXT_FIRE) === undefined) {
      const now = ctx.currentProcessingTime;
      this.registerNext(now - mod(now, this.interval), window, ctx);
    }
    return "continue";
  }

  onEventTime(): TriggerResult {
    return "continue";
  }

  onProcessingTime(time: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    if (time === maxTimestamp(window)) return "fire";
    if (ctx.getState(NEXT_FIRE) === time) {
      ctx.clearState(NEXT_FIRE);
      this.registerNext(time, window, ctx);
      return "fire";
    }
    return "continue";
  }

  canMerge(): boolean {
    return true;
  }

  onMerge(_window: TimeWindow, ctx: TriggerMergeContext): void {
    const next = earliestTime(ctx.mergedStates(NEXT_FIRE));
    if (next !== undefined) {
      ctx.setState(NEXT_FIRE, next);
      ctx.registerProcessingTimeTimer(next);
    }
  }

  clear(_window: TimeWindow, ctx: TriggerContext): void {
    const next = ctx.getState(NEXT_FIRE);
    if (typeof next === "number") ctx.deleteProcessingTimeTimer(next);
    ctx.clearState(NEXT_FIRE);
  }

  private registerNext(time: number, window: TimeWindow, ctx: TriggerContext): void {
    const next = Math.min(time + this.interval, maxTimestamp(window));
    ctx.setState(NEXT_FIRE, next);
    ctx.registerProcessingTimeTimer(next);
  }
}

/**
 * Fires a window every `interval` ms of processing time (at aligned boundaries of the wall clock: the
 * first element at processing time p schedules `p − (p mod interval) + interval`, capped at the window's
 * end − 1), and at end − 1 of processing time. Works with event-time windows too, for charts that update
 * on the wall clock; the final event-time firing then needs the event-time trigger's timer, so prefer
 * {@link continuousEventTimeTrigger} for event-time windows that must also fire at their end. Fires
 * without purging.
 *
 * @param interval - positive integer milliseconds between firings.
 * @example
 * ```ts
 * stream.keyBy((b) => b.auction).window(globalWindows()).trigger(continuousProcessingTimeTrigger(1_000))
 * ```
 */
export function continuousProcessingTimeTrigger(interval: number): Trigger {
  return describedAs(new ContinuousProcessingTimeTrigger(requirePositiveInteger("continuousProcessingTimeTrigger", "interval", interval)), "continuousProcessingTimeTrigger", [interval]);
}
