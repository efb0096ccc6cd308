/** Session windows (Flink's `EventTimeSessionWindows` / `ProcessingTimeSessionWindows`, rule 6). */
import { eventTimeTrigger } from "./event-time-trigger.js";
import { formatDuration } from "./format-duration.js";
import { mergeTouchingWindows } from "./merge-touching-windows.js";
import { checkOptionKeys, requirePositiveInteger, requireTimeDomain, requireTimestamp } from "./option-checks.js";
import { processingTimeTrigger } from "./processing-time-trigger.js";
import type { TimeWindow } from "./time-window.js";
import type { Trigger } from "./trigger.js";
import type { TimeDomain, WindowAssigner, WindowMerge } from "./window-assigner.js";
import type { SessionWindowOptions } from "./window-options.js";
import { describedAs } from "../aggregates/factory-descriptor.js";

class SessionWindows implements WindowAssigner {
  readonly description: string;

  constructor(
    readonly gap: number,
    readonly domain: TimeDomain,
  ) {
    this.description = `session(${formatDuration(gap)}${domain === "processing" ? ", processing time" : ""})`;
  }

  assignWindows(timestamp: number): readonly TimeWindow[] {
    requireTimestamp(this.description, timestamp);
    return [{ start: timestamp, end: timestamp + this.gap }];
  }

  defaultTrigger(): Trigger {
    return this.domain === "event" ? eventTimeTrigger() : processingTimeTrigger();
  }

  mergeWindows(windows: readonly TimeWindow[]): readonly WindowMerge[] {
    return mergeTouchingWindows(windows);
  }
}

/**
 * Whether `assigner` is one made by {@link session} (the window operator takes a shortcut for the
 * common merges of its windows; behaviour is the same as through `mergeWindows`).
 */
export function isSessionWindows(assigner: WindowAssigner): boolean {
  return assigner instanceof SessionWindows;
}

/**
 * Per-key sessions closed by a gap of inactivity: each element at ts opens [ts, ts + gap), and windows
 * that overlap or touch merge (transitively), so elements at t and t + gap share a session while t and
 * t + gap + 1 do not. A late element can bridge two sessions; their accumulators then merge. A session
 * fires when the watermark reaches its end − 1 (last element + gap − 1).
 *
 * @param gap - the inactivity gap, a positive integer number of milliseconds.
 * @param options - `time`: "event" (default) or "processing".
 * @example
 * ```ts
 * session(10_000).assignWindows(3_000) // [{ start: 3_000, end: 13_000 }]
 * stream.keyBy((b) => b.bidder).window(session(10_000)).aggregate(count())
 * ```
 */
export function session(gap: number, options?: SessionWindowOptions): WindowAssigner {
  checkOptionKeys("session", options, ["time"]);
  requirePositiveInteger("session", "gap", gap);
  const domain = options?.time === undefined ? "event" : requireTimeDomain("session", options.time);
  return describedAs(new SessionWindows(gap, domain), "session", [gap, options]);
}
