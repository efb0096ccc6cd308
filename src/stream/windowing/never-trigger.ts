/** The default trigger of global windows (Flink's `GlobalWindows.NeverTrigger`, rule 7). */
import type { Trigger, TriggerResult } from "./trigger.js";
import { describedAs } from "../aggregates/factory-descriptor.js";

class NeverTrigger implements Trigger {
  readonly description = "never";

  onElement(): TriggerResult {
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

  onMerge(): void {}

  clear(): void {}
}

const INSTANCE: Trigger = new NeverTrigger();

/**
 * A trigger that never fires, registers no timers and keeps no state: global windows use it unless the
 * pipeline sets another trigger (for example {@link countTrigger} or a continuous trigger).
 *
 * @example
 * ```ts
 * globalWindows().defaultTrigger() === neverTrigger() // true
 * ```
 */
export function neverTrigger(): Trigger {
  return describedAs(INSTANCE, "neverTrigger", []);
}
