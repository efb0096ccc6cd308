/**
 * A scanner over one region: rows pulled from a source (the Table API's scan, or a list of meta rows)
 * a batch at a time, with one row read ahead so a batch knows whether the region has more.
 */
import type { RowResult } from "../model/row-result.js";
import type { ScanOptions, Table } from "../table.js";
import { compareBytes } from "../bytes/bytes.js";
import type { ServedRegion } from "./region-directory.js";

/** One batch of a scanner. */
export interface ScanBatch {
  readonly rows: readonly RowResult[];
  /** True when the region has no more rows for this scan. */
  readonly exhausted: boolean;
}

/** A source of rows in batches (arrays of rows in scan order; an empty array is skipped). */
export type RowBatchSource = AsyncIterator<readonly RowResult[]>;

/** A scanner over one region. */
export class RegionScanner {
  /** Rows read from the source and not returned yet: `buffer[next…]`. */
  private buffer: readonly RowResult[] = [];
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
    async function* gen(): AsyncGenerator<readonly RowResult[]> {
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
    let rows: readonly RowResult[] = [];
    while (rows.length < n) {
      if (this.next_ >= this.buffer.length && !(await this.fill())) break;
      const take = Math.min(n - rows.length, this.buffer.length - this.next_);
      // a whole batch is answered as it is (batches are never changed once read)
      if (rows.length === 0 && this.next_ === 0 && take === this.buffer.length) rows = this.buffer;
      else {
        const out = rows.slice();
        for (let i = 0; i < take; i++) out.push(this.buffer[this.next_ + i]!);
        rows = out;
      }
      this.next_ += take;
    }
    // one row read ahead, so that the batch says whether the region has more
    if (this.next_ >= this.buffer.length) await this.fill();
    return { rows, exhausted: this.exhausted };
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

function inBatches(rows: AsyncIterator<RowResult>): rows is BatchedRows {
  return typeof (rows as Partial<BatchedRows>).nextBatch === "function";
}

/** A row iterator's rows as batches: as it hands them out, else one row a batch. */
function batchesOf(rows: AsyncIterator<RowResult>): RowBatchSource {
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
 * offers it (`nextBatch`, the embedded store's), else row by row.
 */
export function tableScanner(table: Table, options: ScanOptions, endsScan: boolean): RegionScanner {
  return new RegionScanner(batchesOf(table.scan(options)[Symbol.asyncIterator]()), endsScan);
}
