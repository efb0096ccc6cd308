/**
 * Groups the stored entries a scan's LevelDB iterator yields, batch by batch, into rows: each row's
 * entries in key order (also for reversed scans), its row key decoded once per row, and the row of each
 * next entry recognised by comparing its key prefix in place.
 */
import type { RowEntry } from "./row-reader.js";
import { decodeCellKeyInRow, rowOfKey, rowPrefixLength, startsWithRowPrefix } from "./key-codec.js";

/** LevelDB `highWaterMarkBytes` for scan iterators: one `nextv` may return this many bytes. */
export const SCAN_HIGH_WATER_MARK_BYTES = 1024 * 1024;

/** Receives one complete row: its row key and its stored entries in key order. */
export type RowSink = (row: Uint8Array, entries: RowEntry[]) => void;

/** Assembles rows from the entries of one scan (one instance per iterator). */
export class ScanAssembler {
  private prefix: Uint8Array | undefined;
  private row: Uint8Array = new Uint8Array(0);
  private entries: RowEntry[] = [];

  /** @param reversed whether the iterator runs backwards (entries of a row then arrive last first) */
  constructor(private readonly reversed: boolean) {}

  /**
   * Adds one batch of `[key, value]` pairs in iteration order; gives `sink` every row the batch
   * completes (the last row stays open until a later batch shows another row, or {@link end}).
   */
  add(pairs: readonly (readonly [Uint8Array, Uint8Array])[], sink: RowSink): void {
    let prefix = this.prefix;
    let row = this.row;
    let entries = this.entries;
    for (let i = 0; i < pairs.length; i++) {
      const pair = pairs[i]!;
      const key = pair[0];
      if (prefix === undefined || !startsWithRowPrefix(key, prefix)) {
        if (prefix !== undefined) this.emit(row, entries, sink);
        const prefixLength = rowPrefixLength(key);
        prefix = key.subarray(0, prefixLength);
        row = rowOfKey(key, prefixLength);
        entries = [];
      }
      const previous = entries.length === 0 ? undefined : entries[entries.length - 1]!.key;
      entries.push({ key: decodeCellKeyInRow(key, prefix, row, previous), value: pair[1] });
    }
    this.prefix = prefix;
    this.row = row;
    this.entries = entries;
  }

  /** The iteration ended: gives `sink` the open row, if any. */
  end(sink: RowSink): void {
    if (this.prefix !== undefined) this.emit(this.row, this.entries, sink);
    this.prefix = undefined;
    this.entries = [];
  }

  private emit(row: Uint8Array, entries: RowEntry[], sink: RowSink): void {
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
