/**
 * Slicing (Flink's window "slicing", also called panes): when sliding event-time windows aggregate with
 * an exact, order-insensitive merge, the window operator keeps ONE accumulator per key and slice of
 * `gcd(size, slide)` ms instead of one per window, and merges a window's slices when it fires. This
 * file decides when that is allowed; the operator (`runtime/operators/window-operator.ts`) does it.
 */
import type { AggregateFunction } from "../aggregates/aggregate-function.js";
import { alignedLayout, type AlignedLayout } from "./aligned-layout.js";
import { eventTimeTrigger } from "./event-time-trigger.js";
import type { Trigger } from "./trigger.js";
import type { WindowAssigner } from "./window-assigner.js";

/** An aligned layout whose windows are computed from slices of `slice` ms (a divisor of size and slide). */
export interface SliceLayout extends AlignedLayout {
  /** The slice length: `gcd(size, slide)`. Every window is `size / slice` consecutive slices. */
  readonly slice: number;
}

/**
 * The slice layout of a keyed window, or undefined when it must keep one accumulator per window:
 * slicing needs event-time sliding windows (size > slide; tumbling windows gain nothing), the plain
 * event-time trigger (any allowed lateness), and an aggregate with `sliceMerge` (exact and
 * order-insensitive: count, min, max, distinctCount, or `aggregate({ ..., sliceable: true })`).
 *
 * @example
 * ```ts
 * sliceLayout(sliding(10_000, 2_000), eventTimeTrigger(), count()) // { size: 10_000, slide: 2_000, offset: 0, slice: 2_000 }
 * sliceLayout(sliding(10_000, 2_000), eventTimeTrigger(), sum((b) => b.price)) // undefined (float sums depend on order)
 * ```
 */
export function sliceLayout(
  assigner: WindowAssigner,
  trigger: Trigger,
  aggregate: AggregateFunction<unknown, unknown, unknown>,
): SliceLayout | undefined {
  if (assigner.domain !== "event" || assigner.mergeWindows !== undefined) return undefined;
  if (trigger !== eventTimeTrigger() || typeof aggregate.sliceMerge !== "function") return undefined;
  const layout = alignedLayout(assigner);
  if (layout === undefined || layout.slide >= layout.size) return undefined;
  return { size: layout.size, slide: layout.slide, offset: layout.offset, slice: gcd(layout.size, layout.slide) };
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
