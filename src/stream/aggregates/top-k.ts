/** The top-k aggregate. */
import type { AggregateFunction } from "./aggregate-function.js";
import { describeAccessor } from "./describe-accessor.js";
import { requireFunction } from "./require-function.js";
import { type OrderKey, requireOrderable } from "./order-key.js";
import { describedAs } from "./factory-descriptor.js";

/** One kept element of {@link topK} with its key. */
export interface TopKEntry<IN, K extends OrderKey> {
  key: K;
  value: IN;
}

/** Options of {@link topK}. */
export interface TopKOptions {
  /** "desc" (default): the k largest keys, largest first; "asc": the k smallest, smallest first. */
  readonly order?: "asc" | "desc";
}

/**
 * The k elements with the largest (or smallest) keys in each window, best first. Ties keep arrival order
 * (an earlier element ranks before a later one with the same key) and the k-th place goes to the earlier.
 * The accumulator is the sorted array of at most k `{ key, value }` entries, so elements must be
 * structured-cloneable records.
 *
 * @param k - how many elements to keep, a positive integer.
 * @param by - the ranking key, read from each element (number, string or bigint; NaN throws).
 * @example
 * ```ts
 * topK(3, (b: Bid) => b.price) // AggregateFunction<Bid, TopKEntry<Bid, number>[], Bid[]>
 * topK(3, (b: Bid) => b.price, { order: "asc" }) // the three cheapest bids
 * ```
 */
export function topK<IN, K extends OrderKey>(
  k: number,
  by: (value: IN) => K,
  options?: TopKOptions,
): AggregateFunction<IN, TopKEntry<IN, K>[], IN[]> {
  if (typeof k !== "number" || !Number.isSafeInteger(k) || k <= 0) {
    throw new RangeError(`topK: k must be a positive integer, got ${String(k)}`);
  }
  requireFunction("topK", "by", by);
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw new TypeError(`topK: options must be an object, got ${String(options)}`);
  }
  const order = options?.order ?? "desc";
  if (order !== "asc" && order !== "desc") {
    throw new RangeError(`topK: order must be "asc" or "desc", got ${JSON.stringify(order)}`);
  }
  /** Whether key `a` ranks strictly before key `b`. */
  const before = order === "desc" ? (a: K, b: K) => a > b : (a: K, b: K) => a < b;
  const description = `topK(${k}, ${describeAccessor(by)}${order === "asc" ? ", asc" : ""})`;

  return describedAs({
    description,
    createAccumulator: () => [],
    add: (value, acc) => {
      const key = by(value);
      requireOrderable("topK", key);
      // First position whose key ranks strictly after the new key (after all equal keys: stable).
      let lo = 0;
      let hi = acc.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (before(key, acc[mid]!.key)) hi = mid;
        else lo = mid + 1;
      }
      if (lo >= k) return acc;
      acc.splice(lo, 0, { key, value });
      if (acc.length > k) acc.pop();
      return acc;
    },
    getResult: (acc) => acc.map((e) => e.value),
    merge: (a, b) => {
      const out: TopKEntry<IN, K>[] = [];
      let i = 0;
      let j = 0;
      while (out.length < k && (i < a.length || j < b.length)) {
        // Take from b only when it ranks strictly before a: ties go to a (the earlier elements).
        if (j < b.length && (i >= a.length || before(b[j]!.key, a[i]!.key))) out.push(b[j++]!);
        else out.push(a[i++]!);
      }
      return out;
    },
  }, "topK", [k, by, options]);
}
