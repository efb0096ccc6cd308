/**
 * An async iterable as a single-split source. Position = number of items handed out by `poll`.
 *
 * The reader pulls from the iterable in the background into a small buffer (at most `prefetch` items
 * ahead), so `poll` never blocks on a slow producer: it returns what has arrived, or "idle" when nothing
 * has (after letting pending callbacks run once), or "end" when the iterable finished. An error thrown
 * by the iterable is rethrown by the next `poll`.
 *
 * Restore follows {@link fromIterable}: a factory `() => asyncIterable` (or a re-iterable value) is
 * re-created and `position` items are skipped; a one-shot async iterable (an async generator object)
 * can be opened only once.
 */
import type { Source, SourceBatch, SplitPosition, SplitReader } from "./source.js";
import { oneShotGuard, singleSplitSource } from "./single-split-source.js";

/** Options of {@link fromAsyncIterable}. */
export interface FromAsyncIterableOptions {
  /** Shown in job displays. Default "async iterable". */
  readonly description?: string;
  /** Whether the iterable ends (default true); pass false for an endless feed. */
  readonly bounded?: boolean;
  /** Items pulled ahead of `poll` at most. Default 1024. */
  readonly prefetch?: number;
}

/**
 * A source reading an async iterable in order.
 *
 * @example
 * ```ts
 * async function* ticks() { for (let i = 0; ; i++) { await new Promise((r) => setTimeout(r, 100)); yield { i, ts: Date.now() }; } }
 * const source = fromAsyncIterable(() => ticks(), { bounded: false });
 * ```
 */
export function fromAsyncIterable<T>(
  iterable: AsyncIterable<T> | (() => AsyncIterable<T>),
  options: FromAsyncIterableOptions = {},
): Source<T> {
  const description = options.description ?? "async iterable";
  const prefetch = options.prefetch ?? 1024;
  if (!Number.isSafeInteger(prefetch) || prefetch < 1) {
    throw new RangeError(`fromAsyncIterable: option prefetch must be an integer ≥ 1, got ${String(prefetch)}`);
  }
  const isFactory = typeof iterable === "function";
  if (!isFactory && (iterable === null || typeof iterable !== "object" || typeof iterable[Symbol.asyncIterator] !== "function")) {
    throw new TypeError(`fromAsyncIterable: expected an async iterable or a factory () => asyncIterable, got ${String(iterable)}`);
  }
  const guard = oneShotGuard(description, "async iterable (async generator or iterator)", "() => asyncIterable");
  return singleSplitSource(description, options.bounded ?? true, "async-iterable", async (skip) => {
    const source = isFactory ? (iterable as () => AsyncIterable<T>)() : iterable;
    const iterator = source[Symbol.asyncIterator]();
    if (!isFactory) guard(iterator, source);
    for (let i = 0; i < skip; i++) {
      if ((await iterator.next()).done) {
        throw new Error(`${description}: cannot restore at position ${skip}: the iterable has only ${i} items`);
      }
    }
    return new AsyncIterableReader(iterator, skip, prefetch);
  });
}

class AsyncIterableReader<T> implements SplitReader<T> {
  private readonly buffer: T[] = [];
  private head = 0;
  private done = false;
  private closed = false;
  private failure: { readonly error: unknown } | undefined;
  /** Resolves the current `poll` waiting for an item. */
  private wakePoll: (() => void) | undefined;
  /** Resolves the pump waiting for buffer space. */
  private wakePump: (() => void) | undefined;

  constructor(private readonly iterator: AsyncIterator<T>, private consumed: number, private readonly prefetch: number) {
    void this.pump();
  }

  private buffered(): number {
    return this.buffer.length - this.head;
  }

  private async pump(): Promise<void> {
    try {
      while (!this.closed) {
        if (this.buffered() >= this.prefetch) {
          await new Promise<void>((resolve) => (this.wakePump = resolve));
          continue;
        }
        const r = await this.iterator.next();
        if (this.closed) return;
        if (r.done) {
          this.done = true;
          break;
        }
        this.buffer.push(r.value);
        this.wakePoll?.();
      }
    } catch (error) {
      this.failure = { error };
    }
    this.wakePoll?.();
  }

  async poll(max: number): Promise<SourceBatch<T>> {
    if (this.closed) throw new Error("async iterable source: poll after close");
    if (this.buffered() === 0 && !this.done && this.failure === undefined) {
      // Give a producer whose next item is ready (resolved promises) a turn, without blocking on it.
      await new Promise<void>((resolve) => {
        const timer = setImmediate(() => resolve());
        this.wakePoll = () => {
          clearImmediate(timer);
          resolve();
        };
      });
      this.wakePoll = undefined;
    }
    const n = Math.min(Math.max(0, Math.floor(max)), this.buffered());
    const records = this.buffer.slice(this.head, this.head + n);
    this.head += n;
    if (this.head > 4096 && this.head * 2 > this.buffer.length) {
      this.buffer.splice(0, this.head);
      this.head = 0;
    }
    this.consumed += n;
    this.wakePump?.();
    this.wakePump = undefined;
    if (records.length === 0 && this.failure !== undefined) throw this.failure.error;
    const status = this.buffered() > 0 ? "more" : this.done ? "end" : this.failure !== undefined ? "more" : records.length > 0 ? "more" : "idle";
    return { records, status };
  }

  position(): SplitPosition {
    return this.consumed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wakePump?.();
    if (!this.done) {
      // Not awaited: an endless producer's pending next() would hold close() forever.
      this.iterator.return?.()?.catch(() => undefined);
    }
  }
}
