/** Window assigners, triggers and merging-window bookkeeping. */
export { type AlignedLayout, alignedLayout } from "./aligned-layout.js";
export { type SliceLayout, sliceLayout } from "./slice-layout.js";
export { continuousEventTimeTrigger } from "./continuous-event-time-trigger.js";
export { continuousProcessingTimeTrigger } from "./continuous-processing-time-trigger.js";
export { countTrigger } from "./count-trigger.js";
export { eventTimeTrigger } from "./event-time-trigger.js";
export { formatDuration } from "./format-duration.js";
export { globalWindows } from "./global-windows.js";
export { mergeTouchingWindows } from "./merge-touching-windows.js";
export {
  MergingWindowSet,
  type MergingWindowSetSnapshot,
  type WindowAddition,
  type WindowSetMerge,
} from "./merging-window-set.js";
export { neverTrigger } from "./never-trigger.js";
export { processingTimeTrigger } from "./processing-time-trigger.js";
export { purging } from "./purging-trigger.js";
export { session } from "./session.js";
export { sliding } from "./sliding.js";
export {
  compareWindows,
  coverWindows,
  GLOBAL_WINDOW,
  maxTimestamp,
  type TimeWindow,
  windowKey,
  windowsTouch,
} from "./time-window.js";
export type { Trigger, TriggerContext, TriggerMergeContext, TriggerResult, TriggerStateValue } from "./trigger.js";
export { tumbling } from "./tumbling.js";
export type { TimeDomain, WindowAssigner, WindowMerge } from "./window-assigner.js";
export type { AlignedWindowOptions, SessionWindowOptions } from "./window-options.js";
export { windowStart } from "./window-start.js";
