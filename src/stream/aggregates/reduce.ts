/** The aggregate behind `WindowedStream.reduce` (a factory, so parallel workers can rebuild it). */
import type { AggregateFunction } from "./aggregate-function.js";
import { describedAs } from "./factory-descriptor.js";
import { requireFunction } from "./require-function.js";

/** Accumulator of {@link reduceAggregate}: whether a value was seen, and the reduced value. */
export interface ReduceAccumulator<T> {
  has: boolean;
  value: T | undefined;
}

/** Combines a window's elements pairwise with `fn`; the result is of the element type. */
export function reduceAggregate<T>(fn: (a: T, b: T) => T): AggregateFunction<T, ReduceAccumulator<T>, T> {
  requireFunction("reduce", "fn", fn);
  return describedAs<AggregateFunction<T, ReduceAccumulator<T>, T>>(
    {
      description: "reduce",
      createAccumulator: () => ({ has: false, value: undefined }),
      add: (v, acc) => (acc.has ? { has: true, value: fn(acc.value as T, v) } : { has: true, value: v }),
      getResult: (acc) => acc.value as T,
      merge: (a, b) => (!a.has ? b : !b.has ? a : { has: true, value: fn(a.value as T, b.value as T) }),
    },
    "reduceAggregate",
    [fn],
  );
}
