/**
 * Compaction of the embedded store: physically removes the stored entries no read can return any more
 * (versions beyond a family's maxVersions, cells past the TTL beyond minVersions, cells hidden by delete
 * markers, and the markers themselves), as HBase's major compaction does. It runs on request
 * (`admin.compact`) and on its own in the background once a table has taken enough writes.
 *
 * Each chunk of rows is compacted under those rows' locks, re-reading them first, so a concurrent
 * write is never removed by a decision taken on an older view of its row.
 */
import type { FamilyDescriptor, TableName } from "../../model/table-descriptor.js";
import type { CompactionStats, TableRef } from "../../table.js";
import type { Catalog } from "./catalog.js";
import type { StorageEngine } from "./storage-engine.js";
import type { RowEntry } from "./row-reader.js";
import type { RowLocks } from "./row-locks.js";
import { rowLockKey } from "./row-locks.js";
import { binaryKey, readRow } from "./row-reader.js";
import { decodeCellKey, prefixSuccessor, rowKeyEnd, rowKeyPrefix, rowPrefixLength, tablePrefix } from "./key-codec.js";
import { formatTableName } from "./table-name.js";
import { equalBytes } from "../../bytes/bytes.js";

/** Rows compacted under one set of locks, in one batch. */
const ROWS_PER_CHUNK = 256;
/** Stored entries a table takes before it is compacted in the background (default). */
export const DEFAULT_COMPACTION_THRESHOLD = 200_000;

const EMPTY = new Uint8Array(0);

/** What the compactor works on (shared with the connection's tables). */
export interface CompactionContext {
  readonly db: StorageEngine;
  readonly catalog: Catalog;
  readonly locks: RowLocks;
}

function cellId(family: Uint8Array, qualifier: Uint8Array, timestamp: number): string {
  return `${binaryKey(family)}\u0000${family.length}\u0000${binaryKey(qualifier)}\u0000${timestamp}`;
}

/**
 * The keys of one row's stored entries that compaction removes. `entries` in key order; `now` is the
 * time TTLs are measured against. Delete markers newer than `now` are kept: they still hide writes
 * that are yet to come with timestamps up to theirs.
 */
export function purgeableKeys(
  entries: readonly (RowEntry & { readonly raw: Uint8Array })[],
  families: ReadonlyMap<string, FamilyDescriptor>,
  now: number,
): Uint8Array[] {
  const visible = readRow(entries, families, { columns: undefined, minTime: 0, maxTime: Infinity, maxVersions: Infinity }, now);
  const keep = new Set<string>();
  for (const cell of visible) keep.add(cellId(cell.family, cell.qualifier, cell.timestamp));
  const purge: Uint8Array[] = [];
  for (const entry of entries) {
    const { key } = entry;
    if (key.type === "put") {
      if (!keep.has(cellId(key.family, key.qualifier, key.timestamp))) purge.push(entry.raw);
    } else if (key.timestamp <= now) {
      purge.push(entry.raw);
    }
  }
  return purge;
}

/** Runs compactions of one connection's tables: one at a time per table, background ones stoppable. */
export class Compactor {
  private readonly running = new Map<string, Promise<CompactionStats>>();
  private readonly written = new Map<string, number>();
  private stopping = false;
  private backgroundError: Error | undefined;

  constructor(
    private readonly context: CompactionContext,
    /** Entries written to a table since its last compaction that start a background compaction. */
    private readonly threshold: number = DEFAULT_COMPACTION_THRESHOLD,
  ) {}

  /** Compacts a table now (joins a compaction of it already running). */
  compact(ref: TableRef): Promise<CompactionStats> {
    const entry = this.context.catalog.require(ref);
    return this.start(entry.descriptor.table);
  }

  /** Whether a compaction of the table is running. */
  isRunning(ref: TableRef): boolean {
    const entry = this.context.catalog.require(ref);
    return this.running.has(formatTableName(entry.descriptor.table));
  }

  /** Counts entries written to a table; past the threshold, compacts it in the background. */
  noteWrites(table: TableName, entries: number): void {
    if (this.stopping || !Number.isFinite(this.threshold)) return;
    const key = formatTableName(table);
    const total = (this.written.get(key) ?? 0) + entries;
    this.written.set(key, total);
    if (total < this.threshold || this.running.has(key)) return;
    this.start(table).catch((error: unknown) => {
      // A table deleted meanwhile needs no compaction; anything else is reported when the store closes.
      if (this.context.catalog.find(table) !== undefined && !this.stopping) {
        this.backgroundError ??= new Error(`background compaction of table ${key} failed: ${(error as Error).message}`, { cause: error });
      }
    });
  }

  /**
   * Stops background work at the next chunk boundary and waits for every compaction in flight; throws
   * the first background failure, if any (the connection reports it from close()).
   */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.running.values()]);
    if (this.backgroundError !== undefined) throw this.backgroundError;
  }

  private start(table: TableName): Promise<CompactionStats> {
    const key = formatTableName(table);
    const current = this.running.get(key);
    if (current !== undefined) return current;
    this.written.set(key, 0);
    const run = this.run(table).finally(() => this.running.delete(key));
    this.running.set(key, run);
    return run;
  }

  private async run(table: TableName): Promise<CompactionStats> {
    const { db, catalog, locks } = this.context;
    const entry = catalog.require(table);
    const id = entry.id;
    const families = new Map(entry.descriptor.families.map((f) => [f.name, f]));
    const start = tablePrefix(id);
    const end = prefixSuccessor(start)!;
    let cursor = start;
    let rows = 0;
    let removed = 0;
    while (db.status === "open") {
      const chunk = await this.nextRows(cursor, end);
      if (chunk.length === 0) break;
      const release = await locks.acquire(chunk.map((row) => rowLockKey(id, row)));
      try {
        if (db.status !== "open") break;
        const now = Date.now();
        const deletes: Uint8Array[] = [];
        for (const row of chunk) {
          const pairs = await db.iterator({ gte: rowKeyPrefix(id, row), lt: rowKeyEnd(id, row), values: false }).all();
          const entries = pairs.map(([raw]) => ({ key: decodeCellKey(raw), value: EMPTY, raw }));
          for (const raw of purgeableKeys(entries, families, now)) deletes.push(raw);
        }
        if (deletes.length > 0) {
          const batch = db.batch();
          for (const key of deletes) batch.del(key);
          await batch.write();
        }
        removed += deletes.length;
        rows += chunk.length;
      } finally {
        release();
      }
      cursor = rowKeyEnd(id, chunk[chunk.length - 1]!);
      if (this.stopping) break;
    }
    if (removed > 0 && db.status === "open" && !this.stopping) await db.compactRange(start, end);
    return { rows, removed };
  }

  /** The next rows (up to a chunk) whose keys lie in [from, end). */
  private async nextRows(from: Uint8Array, end: Uint8Array): Promise<Uint8Array[]> {
    const iterator = this.context.db.iterator({ gte: from, lt: end, values: false });
    const rows: Uint8Array[] = [];
    let last: Uint8Array | undefined;
    try {
      while (rows.length < ROWS_PER_CHUNK) {
        const pairs = await iterator.nextv(1024);
        if (pairs.length === 0) break;
        for (const [key] of pairs) {
          const prefix = key.subarray(0, rowPrefixLength(key));
          if (last !== undefined && equalBytes(prefix, last)) continue;
          if (rows.length === ROWS_PER_CHUNK) break;
          last = prefix.slice();
          rows.push(decodeCellKey(key).row);
        }
      }
    } finally {
      await iterator.close();
    }
    return rows;
  }
}
