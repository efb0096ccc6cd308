/** The default trigger of event-time windows (Flink's `EventTimeTrigger`, rule 8). */
import { maxTimestamp, type TimeWindow } from "./time-window.js";
import type { Trigger, TriggerContext, TriggerMergeContext, TriggerResult } from "./trigger.js";
import { describedAs } from "../aggregates/factory-descriptor.js";

class EventTimeTrigger implements Trigger {
  readonly description = "eventTime";

  onElement(_timestamp: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    const max = maxTimestamp(window);
    // The watermark already passed the window (a late element within allowed lateness): fire at once.
    if (max <= ctx.currentWatermark) return "fire";
    ctx.registerEventTimeTimer(max);
    return "continue";
  }

  onEventTime(time: number, window: TimeWindow): TriggerResult {
    return time === maxTimestamp(window) ? "fire" : "continue";
  }

  onProcessingTime(): TriggerResult {
    return "continue";
  }

  canMerge(): boolean {
    return true;
  }

  onMerge(window: TimeWindow, ctx: TriggerMergeContext): void {
    // Only register when the merged window is not already due: a timer in the past would fire at once,
    // and the operator fires late windows from onElement anyway.
    const max = maxTimestamp(window);
    if (max > ctx.currentWatermark) ctx.registerEventTimeTimer(max);
  }

  clear(window: TimeWindow, ctx: TriggerContext): void {
    ctx.deleteEventTimeTimer(maxTimestamp(window));
  }
}

const INSTANCE: Trigger = new EventTimeTrigger();

/**
 * Fires a window once the watermark reaches its maxTimestamp (end − 1), through an event-time timer;
 * an element arriving when that already holds (late, within allowed lateness) fires it at once. Fires
 * without purging. The default trigger of event-time tumbling, sliding and session windows.
 *
 * @example
 * ```ts
 * stream.keyBy((b) => b.auction).window(tumbling(10_000)).trigger(eventTimeTrigger())
 * ```
 */
export function eventTimeTrigger(): Trigger {
  return describedAs(INSTANCE, "eventTimeTrigger", []);
}
