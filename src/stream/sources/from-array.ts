/**
 * An in-memory array as a bounded, single-split source. Position = number of items consumed; restore
 * resumes at that index (the array must hold the same items as when the checkpoint was taken).
 */
import type { Source, SourceBatch, SplitPosition, SplitReader } from "./source.js";
import { singleSplitSource } from "./single-split-source.js";

/** Options of {@link fromArray}. */
export interface FromArrayOptions {
  /** Shown in job displays. Default "array(<length> items)". */
  readonly description?: string;
}

/**
 * A bounded source reading `items` in order.
 *
 * @example
 * ```ts
 * const source = fromArray([{ user: "a", ts: 1000 }, { user: "b", ts: 2000 }]);
 * ```
 */
export function fromArray<T>(items: readonly T[], options: FromArrayOptions = {}): Source<T> {
  if (!Array.isArray(items)) throw new TypeError(`fromArray: items must be an array, got ${typeof items}`);
  const description = options.description ?? `array(${items.length} items)`;
  return singleSplitSource(description, true, "array", async (start) => {
    if (start > items.length) {
      throw new Error(`${description}: position ${start} is past the end of the array (${items.length} items)`);
    }
    return new ArrayReader(items, start);
  }, items.length);
}

class ArrayReader<T> implements SplitReader<T> {
  constructor(private readonly items: readonly T[], private next: number) {}

  async poll(max: number): Promise<SourceBatch<T>> {
    const end = Math.min(this.items.length, this.next + Math.max(0, Math.floor(max)));
    const records = this.items.slice(this.next, end);
    this.next = end;
    return { records, status: end >= this.items.length ? "end" : "more" };
  }

  position(): SplitPosition {
    return this.next;
  }

  async close(): Promise<void> {}
}
