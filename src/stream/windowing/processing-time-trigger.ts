/** The default trigger of processing-time windows (Flink's `ProcessingTimeTrigger`). */
import { maxTimestamp, type TimeWindow } from "./time-window.js";
import type { Trigger, TriggerContext, TriggerMergeContext, TriggerResult } from "./trigger.js";
import { describedAs } from "../aggregates/factory-descriptor.js";

class ProcessingTimeTrigger implements Trigger {
  readonly description = "processingTime";

  onElement(_timestamp: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    ctx.registerProcessingTimeTimer(maxTimestamp(window));
    return "continue";
  }

  onEventTime(): TriggerResult {
    return "continue";
  }

  onProcessingTime(): TriggerResult {
    return "fire";
  }

  canMerge(): boolean {
    return true;
  }

  onMerge(window: TimeWindow, ctx: TriggerMergeContext): void {
    const max = maxTimestamp(window);
    if (max > ctx.currentProcessingTime) ctx.registerProcessingTimeTimer(max);
  }

  clear(window: TimeWindow, ctx: TriggerContext): void {
    ctx.deleteProcessingTimeTimer(maxTimestamp(window));
  }
}

const INSTANCE: Trigger = new ProcessingTimeTrigger();

/**
 * Fires a window when the processing-time clock reaches its maxTimestamp (end − 1), through a
 * processing-time timer registered on each element. Fires without purging. The default trigger of
 * processing-time windows.
 *
 * @example
 * ```ts
 * stream.keyBy((b) => b.auction).window(tumbling(1_000, { time: "processing" })).trigger(processingTimeTrigger())
 * ```
 */
export function processingTimeTrigger(): Trigger {
  return describedAs(INSTANCE, "processingTimeTrigger", []);
}
