/**
 * A scanner over one region: rows pulled from a source (the Table API's scan, or a list of meta rows)
 * a batch at a time, with one row read ahead so a batch knows whether the region has more. Batches are
 * arrays of rows or, from the embedded store, rows packed as columns (encoded into the ScanResponse as
 * they are, see `ScanResultRuns`).
 */
import type { RowResult } from "../model/row-result.js";
import type { ScanOptions, Table } from "../table.js";
import type { PackedCells } from "../wire/result-codecs.js";
import { compareBytes } from "../bytes/bytes.js";
import type { ServedRegion } from "./region-directory.js";

/** Rows packed as columns (the embedded store's `PackedRows`): sliceable, and readable as rows. */
export interface PackedRowRun extends PackedCells {
  readonly length: number;
  /** Rows `[from, to)` of these (relative indexes). */
  slice(from: number, to?: number): PackedRowRun;
  toRows(): readonly RowResult[];
}

/** Rows of a source in scan order: an array, or packed as columns. */
export type RowRun = readonly RowResult[] | PackedRowRun;

function slice(run: RowRun, from: number, to: number): RowRun {
  return run.slice(from, to);
}

/** One batch of a scanner: its rows as the runs they were read in. */
export class ScanBatch {
  #rows: readonly RowResult[] | undefined;

  constructor(
    /** The rows, in order, as runs. */
    readonly runs: readonly RowRun[],
    /** True when the region has no more rows for this scan. */
    readonly exhausted: boolean,
  ) {}

  /** Rows in the batch. */
  get rowCount(): number {
    let n = 0;
    for (const run of this.runs) n += run.length;
    return n;
  }

  /** The rows as row objects (packed runs read as rows). */
  get rows(): readonly RowResult[] {
    if (this.#rows === undefined) {
      const runs = this.runs;
      if (runs.length === 1 && Array.isArray(runs[0])) this.#rows = runs[0] as readonly RowResult[];
      else {
        const out: RowResult[] = [];
        for (const run of runs) for (const row of Array.isArray(run) ? (run as readonly RowResult[]) : (run as PackedRowRun).toRows()) out.push(row);
        this.#rows = out;
      }
    }
    return this.#rows;
  }
}

/** A source of rows in batches (runs of rows in scan order; an empty one is skipped). */
export type RowBatchSource = AsyncIterator<RowRun>;

/** A scanner over one region. */
export class RegionScanner {
  /** Rows read from the source and not returned yet: `buffer[next…]`. */
  private buffer: RowRun = [];
  private next_ = 0;
  private done = false;
  private busy: Promise<unknown> = Promise.resolve();

  /**
   * @param source the rows, in scan order, a batch at a time
   * @param endsScan whether the whole scan ends with this region (HBase's more_results false once exhausted)
   */
  constructor(
    private readonly source: RowBatchSource,
    readonly endsScan: boolean,
  ) {}

  /** A scanner over a fixed list of rows. */
  static ofRows(rows: readonly RowResult[], endsScan: boolean): RegionScanner {
    async function* gen(): AsyncGenerator<RowRun> {
      yield rows;
    }
    return new RegionScanner(gen(), endsScan);
  }

  get exhausted(): boolean {
    return this.done && this.next_ >= this.buffer.length;
  }

  /** Up to `n` rows (calls on one scanner run one after another). */
  next(n: number): Promise<ScanBatch> {
    const run = this.busy.then(() => this.pull(n));
    this.busy = run.catch(() => undefined);
    return run;
  }

  private async pull(n: number): Promise<ScanBatch> {
    const runs: RowRun[] = [];
    let count = 0;
    while (count < n) {
      if (this.next_ >= this.buffer.length && !(await this.fill())) break;
      const take = Math.min(n - count, this.buffer.length - this.next_);
      // a whole batch is answered as it is (batches are never changed once read)
      runs.push(this.next_ === 0 && take === this.buffer.length ? this.buffer : slice(this.buffer, this.next_, this.next_ + take));
      count += take;
      this.next_ += take;
    }
    // one row read ahead, so that the batch says whether the region has more
    if (this.next_ >= this.buffer.length) await this.fill();
    return new ScanBatch(runs, this.exhausted);
  }

  /** Reads the next non-empty batch into the buffer; false when the source has ended. */
  private async fill(): Promise<boolean> {
    while (!this.done) {
      const step = await this.source.next();
      if (step.done === true) {
        this.done = true;
        break;
      }
      if (step.value.length > 0) {
        this.buffer = step.value;
        this.next_ = 0;
        return true;
      }
    }
    this.buffer = [];
    this.next_ = 0;
    return false;
  }

  /** Releases the source (ends the Table API scan). */
  async close(): Promise<void> {
    this.done = true;
    this.buffer = [];
    this.next_ = 0;
    try {
      await this.source.return?.();
    } catch {
      /* the source is being dropped anyway */
    }
  }
}

/** A wire scan's row bounds and direction. */
export interface WireScanBounds {
  startRow?: Uint8Array;
  stopRow?: Uint8Array;
  includeStartRow?: boolean;
  includeStopRow?: boolean;
  reversed?: boolean;
}

function nonEmpty(b: Uint8Array | undefined): Uint8Array | undefined {
  return b && b.length > 0 ? b : undefined;
}

/**
 * The scan's bounds clipped to the region (a scanner covers its region only), and whether the scan
 * ends within the region. Forward: rows in [max(start, regionStart), min(stop, regionEnd)); reversed:
 * from min(start, just below regionEnd) down to max(stop, regionStart).
 */
export function clipToRegion(region: ServedRegion, scan: WireScanBounds): { bounds: ScanOptions; endsScan: boolean } {
  const start = nonEmpty(scan.startRow);
  const stop = nonEmpty(scan.stopRow);
  const rStart = nonEmpty(region.startKey);
  const rEnd = nonEmpty(region.endKey);
  const out: { startRow?: Uint8Array; stopRow?: Uint8Array; includeStartRow?: boolean; includeStopRow?: boolean; reversed?: boolean } = {};
  if (!scan.reversed) {
    if (start && (!rStart || compareBytes(start, rStart) >= 0)) {
      out.startRow = start;
      out.includeStartRow = scan.includeStartRow ?? true;
    } else if (rStart) {
      out.startRow = rStart;
      out.includeStartRow = true;
    }
    const stopInside = stop !== undefined && (!rEnd || compareBytes(stop, rEnd) < 0 || (compareBytes(stop, rEnd) === 0 && !scan.includeStopRow));
    if (stop && stopInside) {
      out.stopRow = stop;
      out.includeStopRow = scan.includeStopRow ?? false;
    } else if (rEnd) {
      out.stopRow = rEnd;
      out.includeStopRow = false;
    }
    return { bounds: out, endsScan: !rEnd || stopInside };
  }
  out.reversed = true;
  if (start && (!rEnd || compareBytes(start, rEnd) < 0)) {
    out.startRow = start;
    out.includeStartRow = scan.includeStartRow ?? true;
  } else if (rEnd) {
    out.startRow = rEnd;
    out.includeStartRow = false;
  }
  const stopInside = stop !== undefined && (!rStart || compareBytes(stop, rStart) > 0 || (compareBytes(stop, rStart) === 0 && !scan.includeStopRow));
  if (stop && stopInside) {
    out.stopRow = stop;
    out.includeStopRow = scan.includeStopRow ?? false;
  } else if (rStart) {
    out.stopRow = rStart;
    out.includeStopRow = true;
  }
  return { bounds: out, endsScan: !rStart || stopInside };
}

/** A row iterator that can also hand out its rows a batch at a time (the embedded store's scans). */
interface BatchedRows extends AsyncIterator<RowResult> {
  nextBatch(): Promise<IteratorResult<readonly RowResult[], undefined>>;
}

/** A row iterator that hands out its batches as it made them (the embedded store's `nextRun`). */
interface RunRows extends AsyncIterator<RowResult> {
  nextRun(): Promise<IteratorResult<RowRun, undefined>>;
}

function inBatches(rows: AsyncIterator<RowResult>): rows is BatchedRows {
  return typeof (rows as Partial<BatchedRows>).nextBatch === "function";
}

function inRuns(rows: AsyncIterator<RowResult>): rows is RunRows {
  return typeof (rows as Partial<RunRows>).nextRun === "function";
}

/** A row iterator's rows as batches: as it hands them out (runs, else arrays), else one row a batch. */
function batchesOf(rows: AsyncIterator<RowResult>): RowBatchSource {
  if (inRuns(rows)) return { next: () => rows.nextRun(), return: async () => (await rows.return?.(), { value: undefined, done: true }) };
  if (inBatches(rows)) return { next: () => rows.nextBatch(), return: async () => (await rows.return?.(), { value: undefined, done: true }) };
  return {
    next: async () => {
      const step = await rows.next();
      return step.done === true ? { value: undefined, done: true } : { value: [step.value], done: false };
    },
    return: async () => (await rows.return?.(), { value: undefined, done: true }),
  };
}

/**
 * Opens a Table API scan as a region scanner: rows taken a batch at a time where the scan's iterator
 * offers it (`nextRun` or `nextBatch`, the embedded store's), else row by row.
 */
export function tableScanner(table: Table, options: ScanOptions, endsScan: boolean): RegionScanner {
  return new RegionScanner(batchesOf(table.scan(options)[Symbol.asyncIterator]()), endsScan);
}
