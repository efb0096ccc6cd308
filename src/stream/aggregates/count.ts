/** The count aggregate. */
import type { AggregateFunction } from "./aggregate-function.js";
import { describedAs } from "./factory-descriptor.js";

const COUNT: AggregateFunction<unknown, number, number> = {
  description: "count",
  createAccumulator: () => 0,
  add: (_value, acc) => acc + 1,
  getResult: (acc) => acc,
  merge: (a, b) => a + b,
  sliceMerge: (a, b) => a + b,
};

/**
 * Counts the elements of each window. The accumulator is a number.
 *
 * @example
 * ```ts
 * stream.keyBy((b) => b.auction).window(tumbling(10_000)).aggregate(count())
 * ```
 */
export function count<IN = unknown>(): AggregateFunction<IN, number, number> {
  return describedAs(COUNT, "count", []);
}
