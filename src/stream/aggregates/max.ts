/** The max aggregate. */
import type { AggregateFunction } from "./aggregate-function.js";
import { describeAccessor } from "./describe-accessor.js";
import { requireFunction } from "./require-function.js";
import { describedAs } from "./factory-descriptor.js";

/**
 * The largest value of a numeric field over each window's elements. The accumulator is a number
 * starting at −Infinity (the result with no elements, as `Math.max()`); a NaN value makes the result NaN.
 *
 * @param fn - the value to compare, read from each element.
 * @example
 * ```ts
 * max((b: Bid) => b.price) // AggregateFunction<Bid, number, number>
 * ```
 */
export function max<IN>(fn: (value: IN) => number): AggregateFunction<IN, number, number> {
  requireFunction("max", "fn", fn);
  return describedAs({
    description: `max(${describeAccessor(fn)})`,
    createAccumulator: () => -Infinity,
    add: (value, acc) => Math.max(acc, fn(value)),
    getResult: (acc) => acc,
    merge: (a, b) => Math.max(a, b),
    sliceMerge: (a, b) => Math.max(a, b),
  }, "max", [fn]);
}
