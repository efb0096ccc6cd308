/**
 * Groups the stored entries a scan's storage-engine iterator yields, batch by batch, into rows: each row's
 * entries in key order (also for reversed scans), its row key decoded once per row, and the row of each
 * next entry recognised by comparing its key prefix in place.
 */
import type { FamilyDescriptor } from "../../model/table-descriptor.js";
import type { Cell } from "../../model/cell.js";
import type { RowFilterRun } from "../../filters/row-filter.js";
import { Result } from "../../result.js";
import type { DecodedCellKey } from "./key-codec.js";
import type { ReadPlan, RowEntry } from "./row-reader.js";
import { decodeCellKeyInRow, rowOfKey, rowPrefixLength, startsWithRowPrefix } from "./key-codec.js";
import { readRow } from "./row-reader.js";
import { PackedRowAssembler, type PackedRows } from "./packed-rows.js";

/** The storage engine's `highWaterMarkBytes` for scan iterators: one `nextv` may return this many bytes. */
export const SCAN_HIGH_WATER_MARK_BYTES = 1024 * 1024;

/** Receives one complete row: its row key and its stored entries in key order. */
export type RowSink = (row: Uint8Array, entries: RowEntry[]) => void;

/** Assembles rows from the entries of one scan (one instance per iterator). */
export class ScanAssembler {
  /** A key of the open row (its first bytes are the row's key prefix), or undefined when none is open. */
  private rowKey: Uint8Array | undefined;
  private prefixLength = 0;
  private row: Uint8Array = new Uint8Array(0);
  private entries: RowEntry[] = [];
  /** The entries of the row before, in arrival order: hints for the families and qualifiers of the next. */
  private previousRow: RowEntry[] = [];

  /** @param reversed whether the iterator runs backwards (entries of a row then arrive last first) */
  constructor(private readonly reversed: boolean) {}

  /**
   * Adds one batch of `[key, value]` pairs in iteration order; gives `sink` every row the batch
   * completes (the last row stays open until a later batch shows another row, or {@link end}).
   */
  add(pairs: readonly (readonly [Uint8Array, Uint8Array])[], sink: RowSink): void {
    let rowKey = this.rowKey;
    let prefixLength = this.prefixLength;
    let row = this.row;
    let entries = this.entries;
    for (let i = 0; i < pairs.length; i++) {
      const pair = pairs[i]!;
      const key = pair[0];
      let previous: DecodedCellKey | undefined;
      if (rowKey !== undefined && startsWithRowPrefix(key, rowKey, prefixLength)) {
        previous = entries[entries.length - 1]!.key;
      } else {
        if (rowKey !== undefined) this.emit(row, entries, sink);
        rowKey = key;
        prefixLength = rowPrefixLength(key);
        row = rowOfKey(key, prefixLength);
        entries = [];
      }
      // Hints: the previous entry (versions of one column) and the same place in the row before
      // (tables whose rows have the same columns): equal families and qualifiers are shared.
      const above = this.previousRow[entries.length]?.key;
      entries.push({ key: decodeCellKeyInRow(key, rowKey, row, above ?? previous, prefixLength, previous), value: pair[1] });
    }
    this.rowKey = rowKey;
    this.prefixLength = prefixLength;
    this.row = row;
    this.entries = entries;
  }

  /** The iteration ended: gives `sink` the open row, if any. */
  end(sink: RowSink): void {
    if (this.rowKey !== undefined) this.emit(this.row, this.entries, sink);
    this.rowKey = undefined;
    this.entries = [];
  }

  private emit(row: Uint8Array, entries: RowEntry[], sink: RowSink): void {
    this.previousRow = this.reversed ? entries.slice() : entries;
    sink(row, this.reversed ? entries.reverse() : entries);
  }
}

/**
 * Entries to ask the storage engine for per `nextv` of a scan that returns `batchSize` rows at a time: at least
 * 1000 (fewer per call costs more native round trips than it saves on short scans).
 */
export function scanNextvSize(batchSize: number): number {
  return Math.max(batchSize * 4, 1000);
}

/**
 * Makes a scan's batches of rows from its entries: {@link ScanBatcher.add} the pairs of each `nextv`
 * (after {@link ScanBatcher.setNow} for a new batch), {@link ScanBatcher.end} when the range is done, and
 * {@link ScanBatcher.take} the complete rows.
 */
export interface ScanBatcher {
  /** Complete rows held. */
  readonly length: number;
  /** The time TTLs are measured against for the rows completed from now on. */
  setNow(now: number): void;
  add(pairs: readonly (readonly [Uint8Array, Uint8Array])[]): void;
  end(): void;
  /** Up to `max` complete rows (the rest are dropped); the next batch starts empty. */
  take(max: number): Result[] | PackedRows;
}

/**
 * The batcher of one region's scan: without a filter, rows packed as columns ({@link PackedRowAssembler});
 * with one, `Result`s that passed the filter run (filters work on cells).
 */
export function scanBatcher(
  reversed: boolean,
  families: ReadonlyMap<string, FamilyDescriptor>,
  plan: ReadPlan,
  run: RowFilterRun | undefined,
): ScanBatcher {
  return run === undefined ? new PackedRowAssembler(reversed, families, plan) : new FilteredRowBatcher(reversed, families, plan, run);
}

/** Rows as `Result`s, each through the filter run. */
class FilteredRowBatcher implements ScanBatcher {
  private readonly assembler: ScanAssembler;
  private ready: Result[] = [];
  private now = Date.now();
  private readonly sink: RowSink;

  constructor(
    reversed: boolean,
    private readonly families: ReadonlyMap<string, FamilyDescriptor>,
    private readonly plan: ReadPlan,
    private readonly run: RowFilterRun,
  ) {
    this.assembler = new ScanAssembler(reversed);
    this.sink = (row, entries) => {
      const result = filteredRow(row, entries, this.families, this.plan, this.run, this.now);
      if (result !== undefined) this.ready.push(result);
    };
  }

  get length(): number {
    return this.ready.length;
  }

  setNow(now: number): void {
    this.now = now;
  }

  add(pairs: readonly (readonly [Uint8Array, Uint8Array])[]): void {
    this.assembler.add(pairs, this.sink);
  }

  end(): void {
    this.assembler.end(this.sink);
  }

  take(max: number): Result[] {
    const ready = this.ready;
    this.ready = [];
    return ready.length > max ? ready.slice(0, Math.max(0, max)) : ready;
  }
}

/** A row's visible cells through a filter run: its Result, or undefined when nothing is left. */
function filteredRow(
  row: Uint8Array,
  entries: readonly RowEntry[],
  families: ReadonlyMap<string, FamilyDescriptor>,
  plan: ReadPlan,
  run: RowFilterRun,
  now: number,
): Result | undefined {
  const cells: Cell[] = readRow(entries, families, plan, now);
  if (cells.length === 0) return undefined;
  const passed = run.filterRow(cells);
  if (passed === undefined || passed.length === 0) return undefined;
  return new Result(row, passed);
}
