/**
 * Reads between the wire and the Table API: a Get's or Scan's columns, time range, versions and filter
 * as `ReadOptions`; rows as protobuf `Result`s with their cells inline; family checks.
 */
import { CellType, LATEST_TIMESTAMP, type Cell as WireCell, type Column, type Filter as WireFilter, type Result as WireResult, type TimeRange as WireTimeRange } from "../wire/hbase-protos.js";
import type { ColumnRef, ReadOptions, TimeRange } from "../table.js";
import type { RowResult } from "../model/row-result.js";
import { noSuchColumnFamily } from "./endpoint-errors.js";
import type { ServedRegion } from "./region-directory.js";
import { filterFromWire } from "./filter-from-wire.js";

const dec = new TextDecoder();

const enc = new TextEncoder();
/** Each served region's family names as bytes (compared without decoding every request's family). */
const familyBytes = new WeakMap<ServedRegion, readonly Uint8Array[]>();

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Throws NoSuchColumnFamilyException when `family` is not one of the region's table's families. */
export function checkFamily(region: ServedRegion, family: Uint8Array): void {
  let known = familyBytes.get(region);
  if (known === undefined) familyBytes.set(region, (known = region.families.map((f) => enc.encode(f.name))));
  for (const k of known) if (sameBytes(k, family)) return;
  const name = dec.decode(family);
  if (!region.families.some((f) => f.name === name)) {
    throw noSuchColumnFamily(region.table, name, region.families.map((f) => f.name));
  }
}

/** A wire time range [from, to) in ms; `to` of 2^63−1 (or absent) is open. */
export function timeRangeFromWire(range: WireTimeRange | undefined): TimeRange | undefined {
  if (!range) return undefined;
  const out: { min?: number; max?: number } = {};
  if (range.from !== undefined && BigInt(range.from) > 0n) out.min = Number(range.from);
  if (range.to !== undefined && BigInt(range.to) < LATEST_TIMESTAMP) out.max = Number(range.to);
  return out.min === undefined && out.max === undefined ? undefined : out;
}

/** What a Get or Scan carries. */
export interface WireRead {
  column?: Column[];
  time_range?: WireTimeRange;
  max_versions?: number;
  filter?: WireFilter;
}

/** The Table API's read options of a Get or Scan (families checked against the region). */
export function readOptionsFromWire(region: ServedRegion, read: WireRead): ReadOptions {
  const columns: ColumnRef[] = [];
  for (const c of read.column ?? []) {
    checkFamily(region, c.family);
    const qualifiers = c.qualifier ?? [];
    if (qualifiers.length === 0) columns.push({ family: c.family });
    else for (const q of qualifiers) columns.push({ family: c.family, qualifier: q });
  }
  const options: { columns?: ColumnRef[]; timeRange?: TimeRange; maxVersions?: number; filter?: ReadOptions["filter"] } = {};
  if (columns.length > 0) options.columns = columns;
  const timeRange = timeRangeFromWire(read.time_range);
  if (timeRange) options.timeRange = timeRange;
  if (read.max_versions !== undefined && read.max_versions > 0) options.maxVersions = read.max_versions;
  if (read.filter) options.filter = filterFromWire(read.filter);
  return options;
}

/** A row as a protobuf Result (cells inline, PUT type); undefined → an empty Result. */
export function resultToWire(row: RowResult | undefined): WireResult {
  if (!row) return {};
  const cell: WireCell[] = [];
  for (const c of row.cells) {
    if (c.type !== "put") continue;
    // a number timestamp (a safe integer): encoded as is, no bigint per cell
    cell.push({ row: row.row, family: c.family, qualifier: c.qualifier, timestamp: c.timestamp, cell_type: CellType.PUT, value: c.value });
  }
  return { cell };
}
