/**
 * What the embedded store's `scan()` returns: the rows of a scan read in batches (see
 * `EmbeddedTable.scan`), handed out one by one without a promise turn per row in hand, or a batch at a
 * time through {@link ScanRows.nextBatch} (the local endpoint's scanners take them so).
 */
import type { Result } from "../../result.js";

/** An iterator of a scan's rows that can also give the rows read so far as one array. */
export interface BatchedRowIterator<R> extends AsyncIterableIterator<R> {
  /**
   * The rows in hand (the rest of the current batch), else the next batch: never empty; `done` once
   * the scan has no more rows. Interleaves with `next()` in call order.
   */
  nextBatch(): Promise<IteratorResult<readonly R[], undefined>>;
}

/** The rows of a scan's batches (arrays of rows in scan order; empty ones are skipped). */
export class ScanRows implements BatchedRowIterator<Result> {
  #batch: readonly Result[] = [];
  #next = 0;
  #done = false;
  /** The pull in progress, if any: later calls wait for it (calls are answered in order). */
  #pulling: Promise<unknown> | undefined;

  /** @param batches the scan's batches; `return()` on it releases the scan */
  constructor(private readonly batches: AsyncGenerator<readonly Result[]>) {}

  [Symbol.asyncIterator](): ScanRows {
    return this;
  }

  next(): Promise<IteratorResult<Result, undefined>> {
    if (this.#pulling === undefined && this.#next < this.#batch.length) return Promise.resolve({ value: this.#batch[this.#next++]!, done: false });
    return this.#serial(async (): Promise<IteratorResult<Result, undefined>> => {
      if (this.#next < this.#batch.length || (await this.#fill())) return { value: this.#batch[this.#next++]!, done: false };
      return { value: undefined, done: true };
    });
  }

  nextBatch(): Promise<IteratorResult<readonly Result[], undefined>> {
    return this.#serial(async (): Promise<IteratorResult<readonly Result[], undefined>> => {
      if (this.#next >= this.#batch.length && !(await this.#fill())) return { value: undefined, done: true };
      const rows = this.#next === 0 ? this.#batch : this.#batch.slice(this.#next);
      this.#next = this.#batch.length;
      return { value: rows, done: false };
    });
  }

  /** Ends the scan (its LevelDB iterator and snapshot are released). */
  async return(): Promise<IteratorResult<Result, undefined>> {
    this.#done = true;
    this.#batch = [];
    this.#next = 0;
    await this.batches.return(undefined);
    return { value: undefined, done: true };
  }

  #serial<T>(run: () => Promise<T>): Promise<T> {
    const result = (this.#pulling ?? Promise.resolve()).then(run);
    const settled: Promise<unknown> = result.then(
      () => this.#settle(settled),
      () => this.#settle(settled),
    );
    this.#pulling = settled;
    return result;
  }

  #settle(pull: Promise<unknown>): void {
    if (this.#pulling === pull) this.#pulling = undefined;
  }

  /** Reads the next non-empty batch; false once the scan has ended. */
  async #fill(): Promise<boolean> {
    while (!this.#done) {
      const step = await this.batches.next();
      if (step.done === true) break;
      if (step.value.length > 0) {
        this.#batch = step.value;
        this.#next = 0;
        return true;
      }
    }
    this.#done = true;
    this.#batch = [];
    this.#next = 0;
    return false;
  }
}
