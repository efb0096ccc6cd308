/** The min aggregate. */
import type { AggregateFunction } from "./aggregate-function.js";
import { describeAccessor } from "./describe-accessor.js";
import { requireFunction } from "./require-function.js";
import { describedAs } from "./factory-descriptor.js";

/**
 * The smallest value of a numeric field over each window's elements. The accumulator is a number
 * starting at +Infinity (the result with no elements, as `Math.min()`); a NaN value makes the result NaN.
 *
 * @param fn - the value to compare, read from each element.
 * @example
 * ```ts
 * min((b: Bid) => b.price) // AggregateFunction<Bid, number, number>
 * ```
 */
export function min<IN>(fn: (value: IN) => number): AggregateFunction<IN, number, number> {
  requireFunction("min", "fn", fn);
  return describedAs({
    description: `min(${describeAccessor(fn)})`,
    createAccumulator: () => Infinity,
    add: (value, acc) => Math.min(acc, fn(value)),
    getResult: (acc) => acc,
    merge: (a, b) => Math.min(a, b),
    sliceMerge: (a, b) => Math.min(a, b),
  }, "min", [fn]);
}
