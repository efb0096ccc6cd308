/**
 * The Table API: one interface for every backend (the embedded store, and later a real cluster over
 * HBase's RPC protocol). Byte-level; typed records and codecs sit on top.
 */
import type { Cell } from "./model/cell.js";
import type { FamilyDescriptor, RegionInfo, TableDescriptor, TableName } from "./model/table-descriptor.js";
import type { Filter } from "./filters/filter.js";
import type { SchemaSpec } from "./schema/schema-spec.js";

/** A table name as users write it: "name" or "namespace:name", or the structured form. */
export type TableRef = string | TableName;

import type { BytesLike } from "./bytes/bytes-like.js";
import type { RowResult } from "./model/row-result.js";
import type { Result } from "./result.js";

export type { BytesLike, RowResult };

/** A column family to create. Defaults: maxVersions 1, minVersions 0, ttlMs Infinity. */
export type FamilySpec = string | ({ name: string } & Partial<Omit<FamilyDescriptor, "name">>);

/** Options of createTable. */
export interface CreateTableOptions {
  families: readonly FamilySpec[];
  /** Split keys: n keys make n+1 regions. */
  splitKeys?: readonly BytesLike[];
  /**
   * A typed schema stored with the table (see `schema()` and `typedTableOf` in "./schema/"): validated
   * here (known codecs, only families of the table); `describeTable` returns it.
   */
  schema?: SchemaSpec;
}

/** A column selection: a whole family ("d") or one column ("d:price"). */
export type ColumnRef = string | { family: BytesLike; qualifier?: BytesLike };

/** Time range [min, max) in ms, as HBase's TimeRange. */
export interface TimeRange {
  min?: number;
  max?: number;
}

/** Options common to get and scan. */
export interface ReadOptions {
  columns?: readonly ColumnRef[];
  timeRange?: TimeRange;
  /** Versions per column to return (default 1). */
  maxVersions?: number;
  filter?: Filter;
}

/** A get of one row. */
export interface GetOptions extends ReadOptions {}

/** A scan. Rows come in unsigned byte order (reversed: descending). */
export interface ScanOptions extends ReadOptions {
  /** First row (inclusive; for reversed scans, the highest row). */
  startRow?: BytesLike;
  /** Whether `startRow` itself is included (default true), as HBase's `Scan.withStartRow(row, inclusive)`. */
  includeStartRow?: boolean;
  /** Last row (exclusive; for reversed scans, the lowest, exclusive). */
  stopRow?: BytesLike;
  /** Whether `stopRow` itself is included (default false), as HBase's `Scan.withStopRow(row, inclusive)`. */
  includeStopRow?: boolean;
  /** Only rows starting with this prefix. */
  prefix?: BytesLike;
  reversed?: boolean;
  /** At most this many rows. */
  limit?: number;
  /** Rows fetched from the store at a time (backpressure unit). */
  batchSize?: number;
}

/** A put of one row: columns to values, one timestamp (default: server time) unless a cell names its own. */
export interface Put {
  row: BytesLike;
  cells: readonly { family: BytesLike; qualifier: BytesLike; value: BytesLike; timestamp?: number }[];
  timestamp?: number;
}

/** The delete kinds HBase offers. */
export type Delete =
  /** The whole row: every family, versions with timestamp ≤ `timestamp` (default: now). */
  | { row: BytesLike; timestamp?: number }
  /**
   * A family: every column's versions ≤ timestamp (`allVersions` true, the default), or with
   * `allVersions: false` every column's version at exactly `timestamp`, which is then required
   * (HBase's `Delete.addFamilyVersion`).
   */
  | { row: BytesLike; family: BytesLike; timestamp?: number; allVersions?: boolean }
  /** A column: all versions ≤ timestamp (`allVersions` true, the default), or one version: the latest, or exactly `timestamp`. */
  | { row: BytesLike; family: BytesLike; qualifier: BytesLike; timestamp?: number; allVersions?: boolean };

/** A mutation of a row (for atomic row mutations and check-and-mutate). */
export type Mutation = ({ kind: "put" } & Put) | ({ kind: "delete" } & Delete);

/** The condition of check-and-mutate: the latest version of a column compared with a value. */
export interface CheckCondition {
  family: BytesLike;
  qualifier: BytesLike;
  /** Compare op applied as `stored <op> value`; "equal" with `value` undefined means "column absent". */
  op?: "equal" | "notEqual" | "less" | "lessOrEqual" | "greater" | "greaterOrEqual";
  value?: BytesLike;
}

/** Catalog operations. */
export interface Admin {
  createTable(table: TableRef, options: CreateTableOptions): Promise<TableDescriptor>;
  deleteTable(table: TableRef): Promise<void>;
  listTables(namespace?: string): Promise<TableName[]>;
  describeTable(table: TableRef): Promise<TableDescriptor>;
  tableExists(table: TableRef): Promise<boolean>;
  truncateTable(table: TableRef): Promise<void>;
  /**
   * A major compaction: physically removes what no read can return any more — versions beyond a
   * family's maxVersions, cells past the TTL (beyond minVersions), cells hidden by delete markers, and
   * the markers themselves. As in HBase, once a delete marker is compacted away, a put written later
   * with an older timestamp than the marker is visible again. Stores also compact on their own.
   */
  compact(table: TableRef): Promise<CompactionStats>;
  /** Whether a compaction of the table is running ("major"), as HBase's `Admin.getCompactionState`. */
  compactionState(table: TableRef): Promise<"none" | "major">;
  /**
   * Stores `schema` as the table's typed schema, replacing any (validated: known codecs, only families
   * of the table), or removes it with `undefined`. The cells are untouched. Returns the new descriptor.
   */
  setSchema(table: TableRef, schema: SchemaSpec | undefined): Promise<TableDescriptor>;
  /**
   * Splits the region holding `splitKey` in two at that key (HBase's `Admin.split(table, splitPoint)`):
   * the key becomes a region boundary, stored durably with the table. The parent region is gone and
   * its two daughters take its place; no cell moves. Rejected with an error naming the problem, and
   * nothing changed, when the key is empty or already a region boundary. Scans already running keep
   * the regions they started with and still return every row exactly once. Returns the new descriptor.
   */
  splitRegion(table: TableRef, splitKey: BytesLike): Promise<TableDescriptor>;
}

/** What a compaction removed. */
export interface CompactionStats {
  /** Rows examined. */
  readonly rows: number;
  /** Stored entries (cell versions and delete markers) removed. */
  readonly removed: number;
}

/** One region's part of a scan: run `scan` (or give it to another worker) to read that part. */
export interface ScanSplit {
  readonly region: RegionInfo;
  /** The scan's options with the row bounds clipped to the region. */
  readonly scan: ScanOptions;
}

/** Reads and writes of one table. */
export interface Table {
  readonly name: TableName;
  get(row: BytesLike, options?: GetOptions): Promise<Result | undefined>;
  getMany(rows: readonly BytesLike[], options?: GetOptions): Promise<(Result | undefined)[]>;
  /** An async iterator over rows; rows are read from the store in batches as the consumer pulls. */
  scan(options?: ScanOptions): AsyncIterable<Result>;
  count(options?: ScanOptions): Promise<number>;
  /**
   * The scan split by region, in scan order, as a cluster's client runs it: one part per region the
   * scan's row range touches. Filters run per region (a page filter passes up to its page size in each
   * region), and `limit` applies to each part. `scan()` itself also reads region by region.
   */
  splitScan(options?: ScanOptions): Promise<ScanSplit[]>;
  put(put: Put): Promise<void>;
  putMany(puts: readonly Put[]): Promise<void>;
  delete(del: Delete): Promise<void>;
  /** Adds `amount` to an 8-byte big-endian int64 column (absent = 0); returns the new value. */
  increment(row: BytesLike, family: BytesLike, qualifier: BytesLike, amount?: bigint): Promise<bigint>;
  /** Appends bytes to a column's latest value; returns the new value. */
  append(row: BytesLike, family: BytesLike, qualifier: BytesLike, value: BytesLike): Promise<Uint8Array>;
  /** Applies `mutations` to `row` if the condition holds; true when applied. Atomic. */
  checkAndMutate(row: BytesLike, condition: CheckCondition, mutations: readonly Mutation[]): Promise<boolean>;
  /** Applies all mutations of one row atomically. */
  mutateRow(row: BytesLike, mutations: readonly Mutation[]): Promise<void>;
}

/** Options of {@link Connection.bufferedMutator} (HBase's `BufferedMutatorParams`). */
export interface BufferedMutatorOptions {
  /** Flush when this many mutations are buffered (a positive integer; default: no row limit, as HBase). */
  maxRows?: number;
  /**
   * Flush when the estimated heap size of the buffered mutations reaches this many bytes (a positive
   * integer; default 2 MiB, HBase's `hbase.client.write.buffer`).
   */
  maxBytes?: number;
  /**
   * Flush at most this many milliseconds after a mutation entered an empty buffer (default 1000;
   * 0 disables the timer). The timer never keeps a Node process alive.
   */
  flushIntervalMs?: number;
  /**
   * Called once for every flush that could not write some mutations, with the error (a
   * `BufferedMutatorError`) and those mutations (HBase's `ExceptionListener`). The mutations are dropped
   * from the buffer; write them again to retry. Without `onError`, the failure of a flush nobody awaited
   * (one started by the timer) rejects the next `mutate`, `flush` or `close`.
   */
  onError?: (error: Error, failedMutations: readonly Mutation[]) => void;
}

/**
 * Batched writes to one table (HBase's `BufferedMutator`): mutations are buffered and written in
 * batches when the buffer holds `maxRows` mutations or `maxBytes` bytes, `flushIntervalMs` after the
 * first one, on `flush()` and on `close()`. Mutations of one row are applied in the order given. Until a
 * flush has resolved, buffered mutations can be lost with the process.
 */
export interface BufferedMutator {
  /** The table written to. */
  readonly table: TableName;
  /** Mutations buffered and not yet taken by a flush. */
  readonly pendingMutations: number;
  /** Estimated heap size in bytes of the mutations counted by `pendingMutations`. */
  readonly pendingBytes: number;
  /** True once `close()` was called. */
  readonly closed: boolean;
  /**
   * Buffers mutations. Invalid ones (no row, an empty row, an unknown kind, malformed cells) throw at
   * once — the returned promise rejects and nothing of the call is buffered. Resolves at once unless the
   * buffer became full: then it settles with the flush that writes it (backpressure), rejecting when
   * that flush fails. A mutation must not be changed after it was passed here.
   */
  mutate(mutations: Mutation | readonly Mutation[]): Promise<void>;
  /**
   * Writes everything buffered so far; resolves when it is durable. Rejects with a
   * `BufferedMutatorError` naming the mutations that could not be written (also given to `onError`).
   * Flushes never overlap: one waits for the flush in flight.
   */
  flush(): Promise<void>;
  /** Flushes and stops the timer; later `mutate` calls reject. Idempotent (returns the same promise). */
  close(): Promise<void>;
}

/** A connection to a store: catalog plus tables. */
export interface Connection {
  readonly admin: Admin;
  table(table: TableRef): Table;
  /**
   * A buffered mutator writing to `table` (which must exist by the first flush). Throws at once on an
   * invalid table name or invalid options. Closing the connection closes (and flushes) its mutators.
   */
  bufferedMutator(table: TableRef, options?: BufferedMutatorOptions): BufferedMutator;
  close(): Promise<void>;
}
