/**
 * Triggers (Flink's `Trigger`): stateless strategies deciding when a window's result is emitted. Their
 * per-window state lives in the context (so checkpoints capture it), never in the trigger object.
 */
import type { TimeWindow } from "./time-window.js";

/** What a trigger decides: emit the result, and/or drop the window's contents. */
export type TriggerResult = "continue" | "fire" | "purge" | "fireAndPurge";

/** Trigger state values: structured-cloneable data (numbers, strings, plain objects, arrays). */
export type TriggerStateValue = number | string | boolean | null | readonly TriggerStateValue[] | { readonly [k: string]: TriggerStateValue };

/** What a trigger may do while deciding, scoped to the current key and window. */
export interface TriggerContext {
  /** The operator's current event-time watermark (−∞ before the first). */
  readonly currentWatermark: number;
  /** The current processing time (ms since the epoch). */
  readonly currentProcessingTime: number;
  registerEventTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
  registerProcessingTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
  /** Trigger state of this key and window, by name. */
  getState(name: string): TriggerStateValue | undefined;
  setState(name: string, value: TriggerStateValue): void;
  clearState(name: string): void;
}

/** The context of {@link Trigger.onMerge}: also reads the state of the windows being merged. */
export interface TriggerMergeContext extends TriggerContext {
  /** The values of state `name` in each merged window (undefined where unset). */
  mergedStates(name: string): readonly (TriggerStateValue | undefined)[];
}

/** Decides when a window fires. */
export interface Trigger {
  /** For messages and job displays. */
  readonly description: string;
  onElement(timestamp: number, window: TimeWindow, ctx: TriggerContext): TriggerResult;
  onEventTime(time: number, window: TimeWindow, ctx: TriggerContext): TriggerResult;
  onProcessingTime(time: number, window: TimeWindow, ctx: TriggerContext): TriggerResult;
  /** Whether the trigger supports merging windows (needed by session windows). */
  canMerge(): boolean;
  /** After windows merged into `window`: re-register timers, combine state. */
  onMerge(window: TimeWindow, ctx: TriggerMergeContext): void;
  /** The window is purged for good: delete its timers and state. */
  clear(window: TimeWindow, ctx: TriggerContext): void;
}
