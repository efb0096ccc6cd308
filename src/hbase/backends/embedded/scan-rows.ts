/**
 * What the embedded store's `scan()` returns: the rows of a scan read in batches (see
 * `EmbeddedTable.scan`), handed out one by one without a promise turn per row in hand, a batch at a
 * time through {@link ScanRows.nextBatch}, or as the store made them through {@link ScanRows.nextRun}
 * (rows packed as columns where the scan has no filter: the local endpoint encodes those directly).
 */
import type { Result } from "../../result.js";
import { PackedRows } from "./packed-rows.js";

/** An iterator of a scan's rows that can also give the rows read so far as one array. */
export interface BatchedRowIterator<R> extends AsyncIterableIterator<R> {
  /**
   * The rows in hand (the rest of the current batch), else the next batch: never empty; `done` once
   * the scan has no more rows. Interleaves with `next()` in call order.
   */
  nextBatch(): Promise<IteratorResult<readonly R[], undefined>>;
}

/** A batch of a scan as the store made it: `Result`s, or rows packed as columns. */
export type ScanRun = readonly Result[] | PackedRows;

/** The rows of a scan's batches (in scan order; empty ones are skipped). */
export class ScanRows implements BatchedRowIterator<Result> {
  #run: ScanRun = [];
  /** `#run` as Results, once asked for (when it is packed). */
  #results: readonly Result[] | undefined;
  #next = 0;
  #done = false;
  /** The pull in progress, if any: later calls wait for it (calls are answered in order). */
  #pulling: Promise<unknown> | undefined;

  /** @param batches the scan's batches; `return()` on it releases the scan */
  constructor(private readonly batches: AsyncGenerator<ScanRun>) {}

  [Symbol.asyncIterator](): ScanRows {
    return this;
  }

  next(): Promise<IteratorResult<Result, undefined>> {
    if (this.#pulling === undefined && this.#next < this.#run.length) return Promise.resolve({ value: this.#rows()[this.#next++]!, done: false });
    return this.#serial(async (): Promise<IteratorResult<Result, undefined>> => {
      if (this.#next < this.#run.length || (await this.#fill())) return { value: this.#rows()[this.#next++]!, done: false };
      return { value: undefined, done: true };
    });
  }

  nextBatch(): Promise<IteratorResult<readonly Result[], undefined>> {
    return this.#serial(async (): Promise<IteratorResult<readonly Result[], undefined>> => {
      if (this.#next >= this.#run.length && !(await this.#fill())) return { value: undefined, done: true };
      const all = this.#rows();
      const rows = this.#next === 0 ? all : all.slice(this.#next);
      this.#next = all.length;
      return { value: rows, done: false };
    });
  }

  /**
   * As {@link nextBatch}, but the rows as the store made them: {@link PackedRows} (no object per cell)
   * for scans without a filter, else `Result`s. Never empty; `done` once the scan has no more rows.
   */
  nextRun(): Promise<IteratorResult<ScanRun, undefined>> {
    return this.#serial(async (): Promise<IteratorResult<ScanRun, undefined>> => {
      if (this.#next >= this.#run.length && !(await this.#fill())) return { value: undefined, done: true };
      const run = this.#run;
      const rows = this.#next === 0 ? run : run.slice(this.#next);
      this.#next = run.length;
      return { value: rows, done: false };
    });
  }

  /** Ends the scan (its storage-engine iterator and snapshot are released). */
  async return(): Promise<IteratorResult<Result, undefined>> {
    this.#done = true;
    this.#set([]);
    await this.batches.return(undefined);
    return { value: undefined, done: true };
  }

  #rows(): readonly Result[] {
    const run = this.#run;
    if (!(run instanceof PackedRows)) return run;
    return (this.#results ??= run.toRows());
  }

  #set(run: ScanRun): void {
    this.#run = run;
    this.#results = undefined;
    this.#next = 0;
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
        this.#set(step.value);
        return true;
      }
    }
    this.#done = true;
    this.#set([]);
    return false;
  }
}
