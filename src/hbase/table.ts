/**
 * The Table API: one interface for every backend (the embedded store, and later a real cluster over
 * HBase's RPC protocol). Byte-level; typed records and codecs sit on top.
 */
import type { Cell } from "./model/cell.js";
import type { FamilyDescriptor, TableDescriptor, TableName } from "./model/table-descriptor.js";
import type { Filter } from "./filters/filter.js";

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
  /** Last row (exclusive; for reversed scans, the lowest, exclusive). */
  stopRow?: BytesLike;
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
  /** A family: versions ≤ timestamp. */
  | { row: BytesLike; family: BytesLike; timestamp?: number }
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
}

/** Reads and writes of one table. */
export interface Table {
  readonly name: TableName;
  get(row: BytesLike, options?: GetOptions): Promise<Result | undefined>;
  getMany(rows: readonly BytesLike[], options?: GetOptions): Promise<(Result | undefined)[]>;
  /** An async iterator over rows; rows are read from the store in batches as the consumer pulls. */
  scan(options?: ScanOptions): AsyncIterable<Result>;
  count(options?: ScanOptions): Promise<number>;
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

/** A connection to a store: catalog plus tables. */
export interface Connection {
  readonly admin: Admin;
  table(table: TableRef): Table;
  close(): Promise<void>;
}
