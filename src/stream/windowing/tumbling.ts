/** Tumbling windows (Flink's `TumblingEventTimeWindows` / `TumblingProcessingTimeWindows`, rule 4). */
import { eventTimeTrigger } from "./event-time-trigger.js";
import { formatDuration } from "./format-duration.js";
import { checkOptionKeys, requireOffset, requirePositiveInteger, requireTimeDomain, requireTimestamp } from "./option-checks.js";
import { processingTimeTrigger } from "./processing-time-trigger.js";
import type { TimeWindow } from "./time-window.js";
import type { Trigger } from "./trigger.js";
import type { TimeDomain, WindowAssigner } from "./window-assigner.js";
import type { AlignedWindowOptions } from "./window-options.js";
import { windowStart } from "./window-start.js";
import type { AlignedLayout, HasAlignedLayout } from "./aligned-layout.js";
import { describedAs } from "../aggregates/factory-descriptor.js";

class TumblingWindows implements WindowAssigner, HasAlignedLayout {
  readonly description: string;
  readonly alignedLayout: AlignedLayout;

  constructor(
    readonly size: number,
    readonly offset: number,
    readonly domain: TimeDomain,
  ) {
    const extras = [offset !== 0 ? `offset ${formatDuration(offset)}` : "", domain === "processing" ? "processing time" : ""];
    this.alignedLayout = { size, slide: size, offset };
    this.description = `tumbling(${[formatDuration(size), ...extras.filter((e) => e !== "")].join(", ")})`;
  }

  assignWindows(timestamp: number): readonly TimeWindow[] {
    requireTimestamp(this.description, timestamp);
    const start = windowStart(timestamp, this.offset, this.size);
    return [{ start, end: start + this.size }];
  }

  defaultTrigger(): Trigger {
    return this.domain === "event" ? eventTimeTrigger() : processingTimeTrigger();
  }
}

/**
 * Fixed-size, non-overlapping windows [start, start + size): an element with timestamp ts falls in the
 * window starting at `ts − ((ts − offset) mod size)` (a non-negative modulo: ts −1 with size 10 is in
 * [−10, 0)). ts = end − 1 is inside a window, ts = end starts the next. The default trigger fires when the
 * watermark reaches end − 1 (processing time: when the wall clock does).
 *
 * Processing-time windows are the same assigner with `{ time: "processing" }`: the runtime passes the
 * current processing time instead of the element's timestamp.
 *
 * @param size - window length, a positive integer number of milliseconds.
 * @param options - `offset` (0 ≤ offset < size) and `time` ("event" by default, or "processing").
 * @example
 * ```ts
 * tumbling(10_000).assignWindows(12_345) // [{ start: 10_000, end: 20_000 }]
 * tumbling(10_000, { offset: 2_000 }).assignWindows(1_000) // [{ start: -8_000, end: 2_000 }]
 * tumbling(1_000, { time: "processing" })
 * ```
 */
export function tumbling(size: number, options?: AlignedWindowOptions): WindowAssigner {
  checkOptionKeys("tumbling", options, ["offset", "time"]);
  requirePositiveInteger("tumbling", "size", size);
  const offset = options?.offset === undefined ? 0 : requireOffset("tumbling", options.offset, "size", size);
  const domain = options?.time === undefined ? "event" : requireTimeDomain("tumbling", options.time);
  return describedAs(new TumblingWindows(size, offset, domain), "tumbling", [size, options]);
}
