/**
 * A scanner over one region: rows pulled from a source (the Table API's scan, or a list of meta rows)
 * in batches, with one row read ahead so a batch knows whether the region has more.
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

/** A scanner over one region. */
export class RegionScanner {
  private lookahead: RowResult | undefined;
  private done = false;
  private busy: Promise<unknown> = Promise.resolve();

  /**
   * @param source the rows, in scan order
   * @param endsScan whether the whole scan ends with this region (HBase's more_results false once exhausted)
   */
  constructor(
    private readonly source: AsyncIterator<RowResult>,
    readonly endsScan: boolean,
  ) {}

  /** A scanner over a fixed list of rows. */
  static ofRows(rows: readonly RowResult[], endsScan: boolean): RegionScanner {
    async function* gen(): AsyncGenerator<RowResult> {
      yield* rows;
    }
    return new RegionScanner(gen(), endsScan);
  }

  get exhausted(): boolean {
    return this.done && this.lookahead === undefined;
  }

  /** Up to `n` rows (calls on one scanner run one after another). */
  next(n: number): Promise<ScanBatch> {
    const run = this.busy.then(() => this.pull(n));
    this.busy = run.catch(() => undefined);
    return run;
  }

  private async pull(n: number): Promise<ScanBatch> {
    const rows: RowResult[] = [];
    while (rows.length < n) {
      const row = await this.read();
      if (!row) break;
      rows.push(row);
    }
    if (!this.done && this.lookahead === undefined) {
      const peek = await this.source.next();
      if (peek.done) this.done = true;
      else this.lookahead = peek.value;
    }
    return { rows, exhausted: this.exhausted };
  }

  private async read(): Promise<RowResult | undefined> {
    if (this.lookahead) {
      const r = this.lookahead;
      this.lookahead = undefined;
      return r;
    }
    if (this.done) return undefined;
    const step = await this.source.next();
    if (step.done) {
      this.done = true;
      return undefined;
    }
    return step.value;
  }

  /** Releases the source (ends the Table API scan). */
  async close(): Promise<void> {
    this.done = true;
    this.lookahead = undefined;
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

/** Opens a Table API scan as a region scanner. */
export function tableScanner(table: Table, options: ScanOptions, endsScan: boolean): RegionScanner {
  return new RegionScanner(table.scan(options)[Symbol.asyncIterator](), endsScan);
}
