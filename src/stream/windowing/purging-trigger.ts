/** Turns firings into fire-and-purge (Flink's `PurgingTrigger`). */
import type { TimeWindow } from "./time-window.js";
import type { Trigger, TriggerContext, TriggerMergeContext, TriggerResult } from "./trigger.js";
import { describedAs } from "../aggregates/factory-descriptor.js";

function purge(result: TriggerResult): TriggerResult {
  return result === "fire" ? "fireAndPurge" : result;
}

class PurgingTrigger implements Trigger {
  readonly description: string;

  constructor(private readonly inner: Trigger) {
    this.description = `purging(${inner.description})`;
  }

  onElement(timestamp: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    return purge(this.inner.onElement(timestamp, window, ctx));
  }

  onEventTime(time: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    return purge(this.inner.onEventTime(time, window, ctx));
  }

  onProcessingTime(time: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    return purge(this.inner.onProcessingTime(time, window, ctx));
  }

  canMerge(): boolean {
    return this.inner.canMerge();
  }

  onMerge(window: TimeWindow, ctx: TriggerMergeContext): void {
    this.inner.onMerge(window, ctx);
  }

  clear(window: TimeWindow, ctx: TriggerContext): void {
    this.inner.clear(window, ctx);
  }
}

/**
 * Wraps a trigger so that each of its firings also purges the window's contents ("fire" becomes
 * "fireAndPurge"): every result then covers only the elements since the previous firing. Timers, state
 * and merging are the wrapped trigger's.
 *
 * @example
 * ```ts
 * purging(countTrigger(100)).description // "purging(count(100))"
 * ```
 */
export function purging(trigger: Trigger): Trigger {
  if (typeof trigger !== "object" || trigger === null || typeof trigger.onElement !== "function") {
    throw new TypeError(`purging: trigger must be a Trigger (for example countTrigger(100)), got ${String(trigger)}`);
  }
  return describedAs(new PurgingTrigger(trigger), "purging", [trigger]);
}
