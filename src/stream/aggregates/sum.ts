/** The sum aggregate. */
import type { AggregateFunction } from "./aggregate-function.js";
import { describeAccessor } from "./describe-accessor.js";
import { requireFunction } from "./require-function.js";
import { describedAs } from "./factory-descriptor.js";

/**
 * Sums a numeric field of each window's elements (0 for none). The accumulator is a number. Floating-point
 * sums can differ in the last bits with the order of additions (merges included); integers are exact up
 * to 2^53.
 *
 * @param fn - the value to sum, read from each element.
 * @example
 * ```ts
 * sum((b: Bid) => b.price) // AggregateFunction<Bid, number, number>
 * ```
 */
export function sum<IN>(fn: (value: IN) => number): AggregateFunction<IN, number, number> {
  requireFunction("sum", "fn", fn);
  return describedAs({
    description: `sum(${describeAccessor(fn)})`,
    createAccumulator: () => 0,
    add: (value, acc) => acc + fn(value),
    getResult: (acc) => acc,
    merge: (a, b) => a + b,
  }, "sum", [fn]);
}
