/** Aggregate functions for windows: built-ins and user-defined ones. */
export type { AggregateFunction } from "./aggregate-function.js";
export { aggregate, type AggregateSpec } from "./aggregate.js";
export { avg, type AvgAccumulator } from "./avg.js";
export { count } from "./count.js";
export { distinctCount, type DistinctKey } from "./distinct-count.js";
export { type ExtremeByAccumulator, maxBy, minBy } from "./extreme-by.js";
export { max } from "./max.js";
export { min } from "./min.js";
export type { OrderKey } from "./order-key.js";
export { sum } from "./sum.js";
export { topK, type TopKEntry, type TopKOptions } from "./top-k.js";
