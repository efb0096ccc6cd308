/** Sliding windows (Flink's `SlidingEventTimeWindows` / `SlidingProcessingTimeWindows`, rule 5). */
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

class SlidingWindows implements WindowAssigner, HasAlignedLayout {
  readonly description: string;
  readonly alignedLayout: AlignedLayout;

  constructor(
    readonly size: number,
    readonly slide: number,
    readonly offset: number,
    readonly domain: TimeDomain,
  ) {
    const extras = [offset !== 0 ? `offset ${formatDuration(offset)}` : "", domain === "processing" ? "processing time" : ""];
    this.alignedLayout = { size, slide, offset };
    this.description = `sliding(${[formatDuration(size), formatDuration(slide), ...extras.filter((e) => e !== "")].join(", ")})`;
  }

  assignWindows(timestamp: number): readonly TimeWindow[] {
    requireTimestamp(this.description, timestamp);
    const windows: TimeWindow[] = [];
    // From the latest window start at or before ts, step down while the window still contains ts.
    for (let start = windowStart(timestamp, this.offset, this.slide); start > timestamp - this.size; start -= this.slide) {
      windows.push({ start, end: start + this.size });
    }
    return windows;
  }

  defaultTrigger(): Trigger {
    return this.domain === "event" ? eventTimeTrigger() : processingTimeTrigger();
  }
}

/**
 * Windows of length `size` starting every `slide` ms: an element with timestamp ts is in [s, s + size)
 * for s = `ts − ((ts − offset) mod slide)` and every s stepping down by `slide` while s > ts − size.
 * size 10 s / slide 5 s puts each element in 2 windows; slide > size leaves gaps whose elements belong to
 * no window (the operator drops them; only late ones go to the late side output). Windows come latest start first.
 *
 * @param size - window length, a positive integer number of milliseconds.
 * @param slide - distance between window starts, a positive integer number of milliseconds.
 * @param options - `offset` (0 ≤ offset < slide) and `time` ("event" by default, or "processing").
 * @example
 * ```ts
 * sliding(10_000, 5_000).assignWindows(12_000) // [{ start: 10_000, end: 20_000 }, { start: 5_000, end: 15_000 }]
 * sliding(5_000, 10_000).assignWindows(7_000) // [] (in the gap)
 * ```
 */
export function sliding(size: number, slide: number, options?: AlignedWindowOptions): WindowAssigner {
  checkOptionKeys("sliding", options, ["offset", "time"]);
  requirePositiveInteger("sliding", "size", size);
  requirePositiveInteger("sliding", "slide", slide);
  const offset = options?.offset === undefined ? 0 : requireOffset("sliding", options.offset, "slide", slide);
  const domain = options?.time === undefined ? "event" : requireTimeDomain("sliding", options.time);
  return describedAs(new SlidingWindows(size, slide, offset, domain), "sliding", [size, slide, options]);
}
