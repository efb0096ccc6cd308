/**
 * Incremental aggregation (Flink's `AggregateFunction`): an accumulator per key and window, updated per
 * element, merged when session windows merge, turned into the result when the window fires.
 */

/**
 * An aggregation of IN elements into OUT results through an ACC accumulator. Accumulators are state:
 * they must be structured-cloneable data (numbers, bigints, strings, plain objects, arrays, Maps, Sets) —
 * no functions or class instances — so that checkpoints can store them.
 */
export interface AggregateFunction<IN, ACC, OUT> {
  /** For messages and job displays, e.g. "count" or "max(price)". */
  readonly description?: string;
  createAccumulator(): ACC;
  /** Adds one element; may mutate and return `accumulator`, or return a new one. */
  add(value: IN, accumulator: ACC): ACC;
  /** The result so far (called at every firing; must not consume the accumulator). */
  getResult(accumulator: ACC): OUT;
  /** Combines two accumulators (session windows merging); may reuse either. */
  merge(a: ACC, b: ACC): ACC;
  /**
   * Present when sliding windows may be computed from slices (one accumulator per key and slice, a
   * window's result merged from its slices when it fires): combines two accumulators WITHOUT modifying
   * either (a slice is shared by several windows), exactly and order-insensitively — merging the
   * accumulators of any split of a window's elements, in any order, gives the result of adding the
   * elements one by one in arrival order. count, min, max and distinctCount have it; sum and avg do not
   * (float sums depend on order), nor topK, minBy, maxBy and reduce (ties and folds keep arrival order).
   */
  readonly sliceMerge?: (a: ACC, b: ACC) => ACC;
}
