/**
 * Groups the stored entries a scan's LevelDB iterator yields, batch by batch, into rows: each row's
 * entries in key order (also for reversed scans), its row key decoded once per row, and the row of each
 * next entry recognised by comparing its key prefix in place.
 */
import type { DecodedCellKey } from "./key-codec.js";
import type { RowEntry } from "./row-reader.js";
import { decodeCellKeyInRow, rowOfKey, rowPrefixLength, startsWithRowPrefix } from "./key-codec.js";

/** LevelDB `highWaterMarkBytes` for scan iterators: one `nextv` may return this many bytes. */
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
 * Entries to ask LevelDB for per `nextv` of a scan that returns `batchSize` rows at a time: at least
 * 1000 (fewer per call costs more native round trips than it saves on short scans).
 */
export function scanNextvSize(batchSize: number): number {
  return Math.max(batchSize * 4, 1000);
}
