/** The average aggregate. */
import type { AggregateFunction } from "./aggregate-function.js";
import { describeAccessor } from "./describe-accessor.js";
import { requireFunction } from "./require-function.js";
import { describedAs } from "./factory-descriptor.js";

/** The accumulator of {@link avg}: a running sum and count. */
export interface AvgAccumulator {
  sum: number;
  count: number;
}

/**
 * The arithmetic mean of a numeric field over each window's elements (NaN for none). The accumulator is
 * `{ sum, count }`.
 *
 * @param fn - the value to average, read from each element.
 * @example
 * ```ts
 * avg((b: Bid) => b.price) // AggregateFunction<Bid, AvgAccumulator, number>
 * ```
 */
export function avg<IN>(fn: (value: IN) => number): AggregateFunction<IN, AvgAccumulator, number> {
  requireFunction("avg", "fn", fn);
  return describedAs({
    description: `avg(${describeAccessor(fn)})`,
    createAccumulator: () => ({ sum: 0, count: 0 }),
    add: (value, acc) => {
      acc.sum += fn(value);
      acc.count += 1;
      return acc;
    },
    getResult: (acc) => (acc.count === 0 ? NaN : acc.sum / acc.count),
    merge: (a, b) => {
      a.sum += b.sum;
      a.count += b.count;
      return a;
    },
  }, "avg", [fn]);
}
