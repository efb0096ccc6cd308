/** The min-by and max-by aggregates: the elements themselves, not just the extreme value. */
import type { AggregateFunction } from "./aggregate-function.js";
import { describeAccessor } from "./describe-accessor.js";
import { requireFunction } from "./require-function.js";
import { type OrderKey, requireOrderable } from "./order-key.js";
import { describedAs } from "./factory-descriptor.js";

/** The accumulator of {@link minBy} and {@link maxBy}: the best key so far and every element with it. */
export interface ExtremeByAccumulator<IN, K extends OrderKey> {
  key: K | null;
  values: IN[];
}

function extremeBy<IN, K extends OrderKey>(
  name: "minBy" | "maxBy",
  fn: (value: IN) => K,
): AggregateFunction<IN, ExtremeByAccumulator<IN, K>, IN[]> {
  requireFunction(name, "fn", fn);
  const better = name === "maxBy" ? (a: K, b: K) => a > b : (a: K, b: K) => a < b;
  return {
    description: `${name}(${describeAccessor(fn)})`,
    createAccumulator: () => ({ key: null, values: [] }),
    add: (value, acc) => {
      const key = fn(value);
      requireOrderable(name, key);
      if (acc.key === null || better(key, acc.key)) {
        acc.key = key;
        acc.values = [value];
      } else if (!better(acc.key, key)) {
        acc.values.push(value);
      }
      return acc;
    },
    getResult: (acc) => acc.values.slice(),
    merge: (a, b) => {
      if (b.key === null) return a;
      if (a.key === null || better(b.key, a.key)) return b;
      if (!better(a.key, b.key)) a.values.push(...b.values);
      return a;
    },
  };
}

/**
 * The element(s) with the smallest key in each window, ties kept in arrival order (an empty array for no
 * elements). The accumulator is `{ key, values }`.
 *
 * @param fn - the key to minimise (number, string or bigint; NaN throws).
 * @example
 * ```ts
 * minBy((b: Bid) => b.price) // AggregateFunction<Bid, ExtremeByAccumulator<Bid, number>, Bid[]>
 * ```
 */
export function minBy<IN, K extends OrderKey>(fn: (value: IN) => K): AggregateFunction<IN, ExtremeByAccumulator<IN, K>, IN[]> {
  return describedAs(extremeBy("minBy", fn), "minBy", [fn]);
}

/**
 * The element(s) with the largest key in each window, ties kept in arrival order — Nexmark q7's "the
 * bid(s) with the highest price". The accumulator is `{ key, values }`.
 *
 * @param fn - the key to maximise (number, string or bigint; NaN throws).
 * @example
 * ```ts
 * stream.window(tumbling(10_000)).aggregate(maxBy((b: Bid) => b.price)) // Bid[] per window
 * ```
 */
export function maxBy<IN, K extends OrderKey>(fn: (value: IN) => K): AggregateFunction<IN, ExtremeByAccumulator<IN, K>, IN[]> {
  return describedAs(extremeBy("maxBy", fn), "maxBy", [fn]);
}
