/** The distinct-count aggregate. */
import type { AggregateFunction } from "./aggregate-function.js";
import { describeAccessor } from "./describe-accessor.js";
import { requireFunction } from "./require-function.js";
import { describedAs } from "./factory-descriptor.js";

/** Values {@link distinctCount} can tell apart (compared as a `Set` does: SameValueZero). */
export type DistinctKey = string | number | bigint | boolean | null | undefined;

/**
 * The number of distinct values of a field over each window's elements (exact; the accumulator is the
 * `Set` of values seen, so memory grows with the number of distinct values).
 *
 * @param fn - the value to count once, read from each element.
 * @example
 * ```ts
 * distinctCount((b: Bid) => b.bidder) // AggregateFunction<Bid, Set<number>, number>
 * ```
 */
export function distinctCount<IN, K extends DistinctKey>(fn: (value: IN) => K): AggregateFunction<IN, Set<K>, number> {
  requireFunction("distinctCount", "fn", fn);
  return describedAs({
    description: `distinctCount(${describeAccessor(fn)})`,
    createAccumulator: () => new Set<K>(),
    add: (value, acc) => acc.add(fn(value)),
    getResult: (acc) => acc.size,
    merge: (a, b) => {
      if (a.size < b.size) [a, b] = [b, a];
      for (const k of b) a.add(k);
      return a;
    },
    sliceMerge: (a, b) => {
      const union = new Set(a);
      for (const k of b) union.add(k);
      return union;
    },
  }, "distinctCount", [fn]);
}
