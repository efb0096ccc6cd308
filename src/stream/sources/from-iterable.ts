/**
 * A synchronous iterable as a single-split source. Position = number of items consumed.
 *
 * Restore: pass a factory `() => iterable` (or a re-iterable value such as an array, Set or Map): a
 * restored reader takes a fresh iterator and skips `position` items, so the continuation is identical
 * if the factory yields the same items each time. A one-shot iterable (a generator object or any
 * iterator whose `[Symbol.iterator]()` returns itself) can be opened only once: the first open may skip
 * to a position, a second open throws.
 */
import type { Source, SourceBatch, SplitPosition, SplitReader } from "./source.js";
import { oneShotGuard, singleSplitSource } from "./single-split-source.js";

/** Options of {@link fromIterable}. */
export interface FromIterableOptions {
  /** Shown in job displays. Default "iterable". */
  readonly description?: string;
  /** Whether the iterable ends (default true); pass false for an endless generator. */
  readonly bounded?: boolean;
}

/**
 * A source reading a synchronous iterable in order.
 *
 * @example
 * ```ts
 * function* numbers() { for (let i = 0; i < 1000; i++) yield { n: i, ts: i * 10 }; }
 * const source = fromIterable(() => numbers()); // a factory: restorable
 * ```
 */
export function fromIterable<T>(iterable: Iterable<T> | (() => Iterable<T>), options: FromIterableOptions = {}): Source<T> {
  const description = options.description ?? "iterable";
  const isFactory = typeof iterable === "function";
  if (!isFactory && (iterable === null || typeof iterable !== "object" || typeof iterable[Symbol.iterator] !== "function")) {
    throw new TypeError(`fromIterable: expected an iterable or a factory () => iterable, got ${String(iterable)}`);
  }
  const guard = oneShotGuard(description, "iterable (generator or iterator)", "() => iterable");
  return singleSplitSource(description, options.bounded ?? true, "iterable", async (skip) => {
    const source = isFactory ? (iterable as () => Iterable<T>)() : iterable;
    const iterator = source[Symbol.iterator]();
    if (!isFactory) guard(iterator, source);
    for (let i = 0; i < skip; i++) {
      if (iterator.next().done) {
        throw new Error(`${description}: cannot restore at position ${skip}: the iterable has only ${i} items`);
      }
    }
    return new IterableReader(iterator, skip);
  });
}

class IterableReader<T> implements SplitReader<T> {
  private done = false;

  constructor(private readonly iterator: Iterator<T>, private consumed: number) {}

  async poll(max: number): Promise<SourceBatch<T>> {
    const records: T[] = [];
    const n = Math.floor(max);
    while (!this.done && records.length < n) {
      const r = this.iterator.next();
      if (r.done) this.done = true;
      else records.push(r.value);
    }
    this.consumed += records.length;
    return { records, status: this.done ? "end" : "more" };
  }

  position(): SplitPosition {
    return this.consumed;
  }

  async close(): Promise<void> {
    if (!this.done) {
      this.done = true;
      this.iterator.return?.();
    }
  }
}
