/** User-defined aggregates from four functions. */
import type { AggregateFunction } from "./aggregate-function.js";
import { requireFunction } from "./require-function.js";
import { describedAs } from "./factory-descriptor.js";

/** The parts of a user-defined aggregate (see {@link aggregate}). */
export interface AggregateSpec<IN, ACC, OUT> {
  /** A fresh, empty accumulator (structured-cloneable data: it is checkpointed). */
  create(): ACC;
  /** Adds one element; may mutate and return `acc`, or return a new one. */
  add(acc: ACC, value: IN): ACC;
  /** Combines two accumulators (session windows merging); may reuse either. Must agree with `add`. */
  merge(a: ACC, b: ACC): ACC;
  /** The result so far; must not consume the accumulator (windows can fire more than once). */
  result(acc: ACC): OUT;
  /** For job displays; default "aggregate". */
  description?: string;
  /**
   * True when `merge` is exact, order-insensitive (any split of the elements, merged in any order,
   * gives what adding them in arrival order gives) and modifies neither argument: sliding windows are
   * then computed from slices (one accumulator per key and slice instead of per window). Default false.
   */
  sliceable?: boolean;
}

/**
 * Builds an {@link AggregateFunction} from `create`, `add`, `merge` and `result`. Note `add` takes the
 * accumulator first. `merge(add-all(xs), add-all(ys))` must give the result of adding xs then ys.
 *
 * @example
 * ```ts
 * // mean and max price in one pass
 * aggregate({
 *   create: () => ({ n: 0, total: 0, top: -Infinity }),
 *   add: (acc, b: Bid) => ({ n: acc.n + 1, total: acc.total + b.price, top: Math.max(acc.top, b.price) }),
 *   merge: (a, b) => ({ n: a.n + b.n, total: a.total + b.total, top: Math.max(a.top, b.top) }),
 *   result: (acc) => ({ mean: acc.total / acc.n, max: acc.top }),
 * })
 * ```
 */
export function aggregate<IN, ACC, OUT>(spec: AggregateSpec<IN, ACC, OUT>): AggregateFunction<IN, ACC, OUT> {
  if (typeof spec !== "object" || spec === null) {
    throw new TypeError(`aggregate: expected { create, add, merge, result }, got ${spec === null ? "null" : typeof spec}`);
  }
  for (const part of ["create", "add", "merge", "result"] as const) requireFunction("aggregate", part, spec[part]);
  if (spec.description !== undefined && typeof spec.description !== "string") {
    throw new TypeError(`aggregate: description must be a string, got ${typeof spec.description}`);
  }
  if (spec.sliceable !== undefined && typeof spec.sliceable !== "boolean") {
    throw new TypeError(`aggregate: sliceable must be a boolean, got ${typeof spec.sliceable}`);
  }
  const { create, add, merge, result } = spec;
  return describedAs({
    description: spec.description ?? "aggregate",
    createAccumulator: () => create(),
    add: (value, acc) => add(acc, value),
    getResult: (acc) => result(acc),
    merge: (a, b) => merge(a, b),
    ...(spec.sliceable === true ? { sliceMerge: (a: ACC, b: ACC) => merge(a, b) } : {}),
  }, "aggregate", [spec]);
}
