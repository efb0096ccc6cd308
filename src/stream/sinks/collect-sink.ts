/** collect(): a sink that keeps every record in memory (for tests, notebooks and small results). */
import type { Sink } from "../api/sink.js";

/** A sink whose records are readable as they arrive. */
export interface CollectSink<T> extends Sink<T> {
  /** Every record so far, in arrival order. */
  readonly records: readonly T[];
}

/**
 * Keeps every record. @example
 * ```ts
 * const out = collect<number>();
 * await from(fromArray([1, 2, 3])).map((x) => x * 2).to(out).start().done;
 * out.records; // [2, 4, 6]
 * ```
 */
export function collect<T>(): CollectSink<T> {
  const records: T[] = [];
  return {
    description: "collect",
    records,
    write(batch) {
      for (const r of batch) records.push(r);
    },
  };
}
