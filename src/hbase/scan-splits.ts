/**
 * A scan's rows as an interval of row keys, and its split into one part per region, the way a
 * cluster's client walks a scan region by region. Backend independent: the embedded store and the
 * cluster client both scan through these parts.
 */
import type { RegionInfo } from "./model/table-descriptor.js";
import type { ScanOptions, ScanSplit } from "./table.js";
import { compareBytes, equalBytes, prefixSuccessor, toBytes } from "./bytes/bytes.js";

/** One end of a row interval. An empty `row` means unbounded (every row key has at least one byte). */
export interface RowBound {
  readonly row: Uint8Array;
  readonly inclusive: boolean;
}

/** The rows a scan can return, in unsigned byte order whatever the scan's direction. */
export interface RowInterval {
  readonly lower: RowBound;
  readonly upper: RowBound;
}

const UNBOUNDED: RowBound = { row: new Uint8Array(0), inclusive: false };

function bound(row: Uint8Array | undefined, inclusive: boolean): RowBound {
  return row === undefined || row.length === 0 ? UNBOUNDED : { row, inclusive };
}

/** The tighter of two lower bounds. */
function maxLower(a: RowBound, b: RowBound): RowBound {
  if (a.row.length === 0) return b;
  if (b.row.length === 0) return a;
  const c = compareBytes(a.row, b.row);
  if (c !== 0) return c > 0 ? a : b;
  return a.inclusive ? b : a;
}

/** The tighter of two upper bounds. */
function minUpper(a: RowBound, b: RowBound): RowBound {
  if (a.row.length === 0) return b;
  if (b.row.length === 0) return a;
  const c = compareBytes(a.row, b.row);
  if (c !== 0) return c < 0 ? a : b;
  return a.inclusive ? b : a;
}

/** The row interval a scan's start/stop rows (with their inclusiveness) and prefix select. */
export function scanRowInterval(options: ScanOptions): RowInterval {
  const start = options.startRow === undefined ? undefined : toBytes(options.startRow);
  const stop = options.stopRow === undefined ? undefined : toBytes(options.stopRow);
  const includeStart = options.includeStartRow ?? true;
  const includeStop = options.includeStopRow ?? false;
  let lower = options.reversed === true ? bound(stop, includeStop) : bound(start, includeStart);
  let upper = options.reversed === true ? bound(start, includeStart) : bound(stop, includeStop);
  if (options.prefix !== undefined) {
    const prefix = toBytes(options.prefix);
    if (prefix.length > 0) {
      lower = maxLower(lower, { row: prefix, inclusive: true });
      const end = prefixSuccessor(prefix);
      if (end !== undefined) upper = minUpper(upper, { row: end, inclusive: false });
    }
  }
  return { lower, upper };
}

/** Whether no row key lies in the interval. */
export function isEmptyInterval({ lower, upper }: RowInterval): boolean {
  if (upper.row.length === 0) return false;
  const c = compareBytes(lower.row, upper.row);
  if (c > 0) return true;
  if (c === 0) return !(lower.inclusive && upper.inclusive);
  // Nothing lies strictly between a row and the same row followed by one 0x00 byte.
  if (!lower.inclusive && !upper.inclusive && upper.row.length === lower.row.length + 1 && upper.row[lower.row.length] === 0) {
    return equalBytes(upper.row.subarray(0, lower.row.length), lower.row);
  }
  return false;
}

/** The rows of one region: startKey ≤ row < endKey. */
export function regionInterval(region: RegionInfo): RowInterval {
  return { lower: bound(region.startKey, true), upper: bound(region.endKey, false) };
}

/** The rows both intervals hold. */
export function intersectIntervals(a: RowInterval, b: RowInterval): RowInterval {
  return { lower: maxLower(a.lower, b.lower), upper: minUpper(a.upper, b.upper) };
}

/**
 * The scan's options for exactly the rows of `interval` (row bounds replaced; the prefix, filter,
 * columns and other options kept).
 */
export function scanOfInterval(options: ScanOptions, interval: RowInterval): ScanOptions {
  const { startRow: _s, stopRow: _t, includeStartRow: _is, includeStopRow: _it, ...rest } = options;
  const first = options.reversed === true ? interval.upper : interval.lower;
  const last = options.reversed === true ? interval.lower : interval.upper;
  const out: ScanOptions = { ...rest };
  if (first.row.length > 0) Object.assign(out, { startRow: first.row, includeStartRow: first.inclusive });
  if (last.row.length > 0) Object.assign(out, { stopRow: last.row, includeStopRow: last.inclusive });
  return out;
}

/**
 * The parts of a scan, one per region its rows touch, in scan order (descending regions for a reversed
 * scan). `regions` must be in key order and cover the key space, as a table descriptor's are.
 */
export function splitScanByRegion(options: ScanOptions, regions: readonly RegionInfo[]): ScanSplit[] {
  const rows = scanRowInterval(options);
  const splits: ScanSplit[] = [];
  for (const region of regions) {
    const part = intersectIntervals(rows, regionInterval(region));
    if (!isEmptyInterval(part)) splits.push({ region, scan: scanOfInterval(options, part) });
  }
  if (options.reversed === true) splits.reverse();
  return splits;
}
