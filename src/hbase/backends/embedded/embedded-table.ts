/**
 * A table of the embedded store: reads turn key ranges into rows (through {@link readRow}), writes
 * turn mutations into one batch of the storage engine each (atomic: all of it or nothing is visible).
 */
import type { Cell } from "../../model/cell.js";
import { Result } from "../../result.js";
import type { FamilyDescriptor, TableName } from "../../model/table-descriptor.js";
import type { Filter } from "../../filters/filter.js";
import type { RowFilterRun } from "../../filters/row-filter.js";
import type {
  BytesLike,
  CheckCondition,
  ColumnRef,
  Delete,
  GetOptions,
  Mutation,
  Put,
  ReadOptions,
  ScanOptions,
  ScanSplit,
  Table,
} from "../../table.js";
import type { RowInterval } from "../../scan-splits.js";
import { scanRowInterval, splitScanByRegion } from "../../scan-splits.js";
import type { Catalog, CatalogEntry } from "./catalog.js";
import type { EngineSnapshot, StorageEngine } from "./storage-engine.js";
import type { RowLocks } from "./row-locks.js";
import type { Compactor } from "./compaction.js";
import { rowLockKey } from "./row-locks.js";
import type { BatchPut, EncodeContext } from "./mutation-encoder.js";
import type { ReadPlan, RowEntry } from "./row-reader.js";
import { compareBytes, concatBytes, equalBytes, toBytes, toStringBinary } from "../../bytes/bytes.js";
import { conditionHolds } from "../../check-condition.js";
import {
  decodeCellKey,
  prefixSuccessor,
  rowKeyEnd,
  rowKeyPrefix,
  tablePrefix,
} from "./key-codec.js";
import { checkFamily, checkRow, encodeDelete, encodePut, encodePutOfRow, MAX_VALUE_LENGTH, writeBatch } from "./mutation-encoder.js";
import { SCAN_HIGH_WATER_MARK_BYTES, scanBatcher, scanNextvSize } from "./scan-assembler.js";
import { compileFilter, validateFilter } from "../../filters/compile-filter.js";
import { binaryKey, readRow } from "./row-reader.js";
import { ScanRows, type ScanRun } from "./scan-rows.js";
import { formatTableName } from "./table-name.js";

/** What the tables of one connection share. */
export interface TableContext {
  readonly db: StorageEngine;
  readonly catalog: Catalog;
  readonly locks: RowLocks;
  /** Compacts tables; told how many entries each write stored. */
  readonly compactor: Compactor;
  /** Runs one operation of a table: refused once the connection closes, which waits for it. */
  operation<T>(run: () => Promise<T>): Promise<T>;
  /** Whether the connection was closed. */
  isClosed(): boolean;
  /** Throws when the connection is closed. */
  checkOpen(): void;
}

/** Rows fetched from the storage engine at a time when a scan gives no batchSize. */
export const DEFAULT_BATCH_SIZE = 100;

interface Resolved {
  entry: CatalogEntry;
  families: Map<string, FamilyDescriptor>;
  label: string;
}

interface PreparedRead {
  plan: ReadPlan;
  filter: Filter | undefined;
}

interface KeyRange {
  gte: Uint8Array;
  lt: Uint8Array;
}

const decoder = new TextDecoder();

const COMPARE_OPS: readonly NonNullable<CheckCondition["op"]>[] = ["equal", "notEqual", "less", "lessOrEqual", "greater", "greaterOrEqual"];
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** A table of the embedded store (obtained from `connection.table(name)`). */
export class EmbeddedTable implements Table {
  constructor(
    private readonly context: TableContext,
    readonly name: TableName,
  ) {}

  async get(row: BytesLike, options?: GetOptions): Promise<Result | undefined> {
    const [result] = await this.getMany([row], options);
    return result;
  }

  getMany(rows: readonly BytesLike[], options?: GetOptions): Promise<(Result | undefined)[]> {
    return this.context.operation(() => this.getManyNow(rows, options));
  }

  private async getManyNow(rows: readonly BytesLike[], options?: GetOptions): Promise<(Result | undefined)[]> {
    const resolved = this.resolve();
    if (!Array.isArray(rows)) throw new TypeError(`table ${resolved.label}: getMany takes an array of row keys`);
    const read = this.prepareRead(options, resolved);
    const keys = rows.map((r) => checkRow(r, resolved.label));
    const now = Date.now();
    const results: (Result | undefined)[] = [];
    for (const row of keys) {
      const entries = await this.rowEntries(resolved.entry.id, row);
      const run = read.filter === undefined ? undefined : this.compile(read.filter, false);
      results.push(this.toResult(row, entries, resolved, read.plan, run, now));
    }
    return results;
  }

  /**
   * The rows of a scan, read from the storage engine in batches of about `batchSize` rows, all of one snapshot.
   * Options are checked now (throws naming the problem); reading starts with the first `next()`. The
   * iterator also hands out the rows a batch at a time (`nextBatch()`, the local endpoint's scanners
   * take them so); `return()` ends the scan (its engine iterator and snapshot are released).
   */
  scan(options: ScanOptions = {}): ScanRows {
    const resolved = this.resolve();
    const read = this.prepareRead(options, resolved);
    checkScanBounds(options, resolved.label);
    const limit = options.limit ?? Infinity;
    if (limit !== Infinity && (!Number.isInteger(limit) || limit < 0)) {
      throw new Error(`table ${resolved.label}: scan limit must be a non-negative integer, got ${String(limit)}`);
    }
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new Error(`table ${resolved.label}: scan batchSize must be a positive integer, got ${String(batchSize)}`);
    }
    const reversed = options.reversed === true;
    const ranges = splitScanByRegion(options, resolved.entry.descriptor.regions).map((split) =>
      this.keyRange(scanRowInterval(split.scan), resolved),
    );
    return new ScanRows(this.scanRegions(resolved, read, ranges, reversed, limit, batchSize));
  }

  async splitScan(options: ScanOptions = {}): Promise<ScanSplit[]> {
    const resolved = this.resolve();
    this.prepareRead(options, resolved);
    checkScanBounds(options, resolved.label);
    return splitScanByRegion(options, resolved.entry.descriptor.regions);
  }

  async count(options?: ScanOptions): Promise<number> {
    let n = 0;
    for await (const _row of this.scan(options)) n++;
    return n;
  }

  async put(put: Put): Promise<void> {
    await this.putMany([put]);
  }

  putMany(puts: readonly Put[]): Promise<void> {
    return this.context.operation(() => this.putManyNow(puts));
  }

  private async putManyNow(puts: readonly Put[]): Promise<void> {
    const resolved = this.resolve();
    if (!Array.isArray(puts)) throw new TypeError(`table ${resolved.label}: putMany takes an array of puts`);
    const context = this.encodeContext(resolved);
    const ops: { type: "put"; key: Uint8Array; value: Uint8Array }[] = [];
    const lockKeys: number[] = [];
    for (const p of puts) {
      const encoded = encodePutOfRow(p, context);
      lockKeys.push(this.lockKey(resolved, encoded.row));
      for (const op of encoded.ops) ops.push(op);
    }
    if (ops.length === 0) return;
    const release = await this.context.locks.acquire(lockKeys);
    try {
      this.context.checkOpen();
      await writeBatch(this.context.db, ops);
    } finally {
      release();
    }
    this.context.compactor.noteWrites(this.name, ops.length);
  }

  delete(del: Delete): Promise<void> {
    return this.context.operation(() => this.deleteNow(del));
  }

  private async deleteNow(del: Delete): Promise<void> {
    const resolved = this.resolve();
    const row = checkRow(del?.row, resolved.label);
    const release = await this.context.locks.acquire([this.lockKey(resolved, row)]);
    try {
      const ops = await encodeDelete(del, this.encodeContext(resolved), (r, f, q) => this.latest(resolved, r, f, q).then((c) => c?.timestamp));
      if (ops.length > 0) await this.write(ops);
    } finally {
      release();
    }
  }

  increment(row: BytesLike, family: BytesLike, qualifier: BytesLike, amount: bigint = 1n): Promise<bigint> {
    return this.context.operation(() => this.incrementNow(row, family, qualifier, amount));
  }

  private async incrementNow(row: BytesLike, family: BytesLike, qualifier: BytesLike, amount: bigint): Promise<bigint> {
    const resolved = this.resolve();
    if (typeof amount !== "bigint") throw new TypeError(`table ${resolved.label}: increment amount must be a bigint, got ${typeof amount}`);
    if (amount < INT64_MIN || amount > INT64_MAX) {
      throw new RangeError(`table ${resolved.label}: increment amount ${amount} is outside the 64-bit signed range`);
    }
    return this.readModifyWrite(resolved, row, family, qualifier, (old, where) => {
      let current = 0n;
      if (old !== undefined) {
        if (old.length !== 8) throw new Error(`table ${resolved.label}: cannot increment ${where}: its value has ${old.length} bytes, not an 8-byte long`);
        current = new DataView(old.buffer, old.byteOffset, 8).getBigInt64(0);
      }
      const next = BigInt.asIntN(64, current + amount);
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setBigInt64(0, next);
      return [bytes, next];
    });
  }

  append(row: BytesLike, family: BytesLike, qualifier: BytesLike, value: BytesLike): Promise<Uint8Array> {
    return this.context.operation(() => this.appendNow(row, family, qualifier, value));
  }

  private async appendNow(row: BytesLike, family: BytesLike, qualifier: BytesLike, value: BytesLike): Promise<Uint8Array> {
    const resolved = this.resolve();
    const suffix = bytesArgument(value, `append: the value`, resolved.label);
    return this.readModifyWrite(resolved, row, family, qualifier, (old, where) => {
      const next = old === undefined ? suffix.slice() : concatBytes(old, suffix);
      if (next.length > MAX_VALUE_LENGTH) throw new Error(`table ${resolved.label}: append to ${where} would exceed the maximum value size of ${MAX_VALUE_LENGTH} bytes`);
      return [next, next];
    });
  }

  checkAndMutate(row: BytesLike, condition: CheckCondition, mutations: readonly Mutation[]): Promise<boolean> {
    return this.context.operation(() => this.checkAndMutateNow(row, condition, mutations));
  }

  private async checkAndMutateNow(row: BytesLike, condition: CheckCondition, mutations: readonly Mutation[]): Promise<boolean> {
    const resolved = this.resolve();
    const rowBytes = checkRow(row, resolved.label);
    if (condition === null || typeof condition !== "object") throw new TypeError(`table ${resolved.label}: checkAndMutate needs a condition { family, qualifier, op?, value? }`);
    const family = checkFamily(condition.family, { families: resolved.families, tableLabel: resolved.label });
    const qualifier = bytesArgument(condition.qualifier, "checkAndMutate: the condition's qualifier", resolved.label);
    const op = condition.op ?? "equal";
    if (!COMPARE_OPS.includes(op)) {
      throw new Error(`table ${resolved.label}: checkAndMutate: unknown compare op ${JSON.stringify(op)}; use one of ${COMPARE_OPS.join(", ")}`);
    }
    const expected = condition.value === undefined ? undefined : bytesArgument(condition.value, "checkAndMutate: the condition's value", resolved.label);
    if (expected === undefined && op !== "equal" && op !== "notEqual") {
      throw new Error(`table ${resolved.label}: checkAndMutate with op "${op}" needs a value`);
    }
    this.checkMutations(rowBytes, mutations, resolved);
    const release = await this.context.locks.acquire([this.lockKey(resolved, rowBytes)]);
    try {
      const stored = (await this.latest(resolved, rowBytes, family, qualifier))?.value;
      if (!conditionHolds(stored, op, expected, resolved.label)) return false;
      await this.applyMutations(resolved, mutations);
      return true;
    } finally {
      release();
    }
  }

  mutateRow(row: BytesLike, mutations: readonly Mutation[]): Promise<void> {
    return this.context.operation(() => this.mutateRowNow(row, mutations));
  }

  private async mutateRowNow(row: BytesLike, mutations: readonly Mutation[]): Promise<void> {
    const resolved = this.resolve();
    const rowBytes = checkRow(row, resolved.label);
    this.checkMutations(rowBytes, mutations, resolved);
    const release = await this.context.locks.acquire([this.lockKey(resolved, rowBytes)]);
    try {
      await this.applyMutations(resolved, mutations);
    } finally {
      release();
    }
  }

  // ---------------------------------------------------------------------------------------------

  private resolve(): Resolved {
    this.context.checkOpen();
    const entry = this.context.catalog.require(this.name);
    return {
      entry,
      families: new Map(entry.descriptor.families.map((f) => [f.name, f])),
      label: formatTableName(this.name),
    };
  }

  private encodeContext(resolved: Resolved): EncodeContext {
    return { tableId: resolved.entry.id, tableLabel: resolved.label, families: resolved.families, now: Date.now() };
  }

  private lockKey(resolved: Resolved, row: Uint8Array): number {
    return rowLockKey(resolved.entry.id, row);
  }

  private compile(filter: Filter, reversed: boolean): RowFilterRun {
    return compileFilter(filter, { reversed });
  }

  private async write(ops: BatchPut[]): Promise<void> {
    this.context.checkOpen();
    await writeBatch(this.context.db, ops);
    this.context.compactor.noteWrites(this.name, ops.length);
  }

  /** Checks read options against the table; throws naming the problem. */
  private prepareRead(options: ReadOptions | undefined, resolved: Resolved): PreparedRead {
    if (options !== undefined && (options === null || typeof options !== "object" || Array.isArray(options))) {
      throw new TypeError(`table ${resolved.label}: read options must be an object, got ${options === null ? "null" : Array.isArray(options) ? "an array" : typeof options}`);
    }
    const o = options ?? {};
    const { label } = resolved;
    let columns: Map<string, Set<string> | undefined> | undefined;
    if (o.columns !== undefined) {
      if (!Array.isArray(o.columns)) throw new TypeError(`table ${label}: columns must be an array of "family" or "family:qualifier"`);
      columns = new Map();
      for (const ref of o.columns as readonly ColumnRef[]) {
        const { family, qualifier } = parseColumn(ref, label);
        const familyName = decoder.decode(checkFamily(family, { families: resolved.families, tableLabel: label }));
        if (qualifier === undefined) {
          columns.set(familyName, undefined);
        } else if (!columns.has(familyName) || columns.get(familyName) !== undefined) {
          const set = columns.get(familyName) ?? new Set<string>();
          set.add(binaryKey(qualifier));
          columns.set(familyName, set);
        }
      }
    }
    const minTime = o.timeRange?.min ?? 0;
    const maxTime = o.timeRange?.max ?? Infinity;
    if (typeof minTime !== "number" || typeof maxTime !== "number" || Number.isNaN(minTime) || Number.isNaN(maxTime) || minTime < 0 || maxTime < minTime) {
      throw new Error(`table ${label}: invalid time range [${String(minTime)}, ${String(maxTime)}): need 0 ≤ min ≤ max`);
    }
    const maxVersions = o.maxVersions ?? 1;
    if (!Number.isInteger(maxVersions) || maxVersions < 1) {
      throw new Error(`table ${label}: maxVersions must be an integer ≥ 1, got ${String(maxVersions)}`);
    }
    if (o.filter !== undefined) validateFilter(o.filter);
    return { plan: { columns, minTime, maxTime, maxVersions }, filter: o.filter };
  }

  /** The engine key range holding exactly the rows of `rows` (possibly empty: gte ≥ lt). */
  private keyRange(rows: RowInterval, resolved: Resolved): KeyRange {
    const id = resolved.entry.id;
    const { lower, upper } = rows;
    const gte = lower.row.length === 0 ? tablePrefix(id) : lower.inclusive ? rowKeyPrefix(id, lower.row) : rowKeyEnd(id, lower.row);
    const lt =
      upper.row.length === 0 ? prefixSuccessor(tablePrefix(id))! : upper.inclusive ? rowKeyEnd(id, upper.row) : rowKeyPrefix(id, upper.row);
    return { gte, lt };
  }

  /** A scan region by region, in batches: a fresh filter run per region (as region servers run filters), one limit overall. */
  private async *scanRegions(
    resolved: Resolved,
    read: PreparedRead,
    ranges: readonly KeyRange[],
    reversed: boolean,
    limit: number,
    batchSize: number,
  ): AsyncGenerator<ScanRun> {
    let remaining = limit;
    if (remaining <= 0 || ranges.length === 0) return;
    this.context.checkOpen();
    // One snapshot for all regions: a scan sees each atomic batch whole or not at all, across regions too.
    const snapshot = this.context.db.snapshot();
    try {
      for (const range of ranges) {
        if (remaining <= 0) return;
        const run = read.filter === undefined ? undefined : this.compile(read.filter, reversed);
        for await (const batch of this.scanRows(resolved, read.plan, run, range, reversed, remaining, batchSize, snapshot)) {
          remaining -= batch.length;
          yield batch;
        }
      }
    } finally {
      await snapshot.close();
    }
  }

  /** The stored entries of one row, in key order. */
  private async rowEntries(tableId: number, row: Uint8Array): Promise<RowEntry[]> {
    const pairs = await this.context.db.iterator({ gte: rowKeyPrefix(tableId, row), lt: rowKeyEnd(tableId, row) }).all();
    return pairs.map(([key, value]) => ({ key: decodeCellKey(key), value }));
  }

  private toResult(
    row: Uint8Array,
    entries: readonly RowEntry[],
    resolved: Resolved,
    plan: ReadPlan,
    run: RowFilterRun | undefined,
    now: number,
  ): Result | undefined {
    let cells: Cell[] | undefined = readRow(entries, resolved.families, plan, now);
    if (cells.length === 0) return undefined;
    if (run !== undefined) {
      cells = run.filterRow(cells);
      if (cells === undefined || cells.length === 0) return undefined;
    }
    return new Result(row, cells);
  }

  /**
   * The rows of one key range, in batches of at least `batchSize` rows (but the last), at most `limit`
   * in all. On an engine that reads in the background (LevelDB, in libuv's thread pool) the next `nextv`
   * is asked for before the entries of the current one are turned into rows, so reading and assembling
   * overlap; LMDB reads synchronously, and reading ahead would only keep a batch of entries alive longer.
   */
  private async *scanRows(
    resolved: Resolved,
    plan: ReadPlan,
    run: RowFilterRun | undefined,
    range: KeyRange,
    reversed: boolean,
    limit: number,
    batchSize: number,
    snapshot: EngineSnapshot,
  ): AsyncGenerator<ScanRun> {
    if (limit === 0 || compareBytes(range.gte, range.lt) >= 0) return;
    this.context.checkOpen();
    const iterator = this.context.db.iterator({ gte: range.gte, lt: range.lt, reverse: reversed, highWaterMarkBytes: SCAN_HIGH_WATER_MARK_BYTES, snapshot });
    const size = scanNextvSize(batchSize);
    const ahead = this.context.db.readsInBackground;
    let pending: Promise<[Uint8Array, Uint8Array][]> | undefined;
    const readAhead = (): void => {
      pending = this.readOrClosed(() => iterator.nextv(size));
      // awaited later (or in `finally`): not an unhandled rejection while the consumer holds a batch
      pending.catch(() => undefined);
    };
    let returned = 0;
    try {
      // rows packed as columns without a filter, Results through the filter run with one
      const batcher = scanBatcher(reversed, resolved.families, plan, run);
      let ended = false;
      if (ahead) readAhead();
      while (!ended) {
        batcher.setNow(Date.now());
        while (batcher.length < batchSize && !ended && !(run?.done() ?? false)) {
          if (pending === undefined) readAhead();
          const pairs = await pending!;
          pending = undefined;
          if (pairs.length === 0) {
            ended = true;
            batcher.end();
            break;
          }
          if (ahead) readAhead();
          batcher.add(pairs);
        }
        const ready = batcher.take(limit - returned);
        if (ready.length > 0) {
          returned += ready.length;
          yield ready;
          if (returned >= limit) return;
        }
        // A filter that can pass no later row (a full page, rows past a prefix) ends the scan.
        if (run?.done() ?? false) return;
      }
    } finally {
      if (pending !== undefined) await pending.catch(() => undefined);
      await iterator.close();
    }
  }

  /** Runs a read of the store; once the connection is closed, its failure says so. */
  private async readOrClosed<T>(read: () => Promise<T>): Promise<T> {
    this.context.checkOpen();
    try {
      return await read();
    } catch (error) {
      this.context.checkOpen();
      throw error;
    }
  }

  /** The latest visible version of one column (TTL, versions and deletes applied). */
  private async latest(resolved: Resolved, row: Uint8Array, family: Uint8Array, qualifier: Uint8Array): Promise<Cell | undefined> {
    const entries = await this.rowEntries(resolved.entry.id, row);
    const plan: ReadPlan = {
      columns: new Map([[decoder.decode(family), new Set([binaryKey(qualifier)])]]),
      minTime: 0,
      maxTime: Infinity,
      maxVersions: 1,
    };
    return readRow(entries, resolved.families, plan, Date.now())[0];
  }

  /** Increment and append: under the row lock, reads the latest value and writes the new one. */
  private async readModifyWrite<T>(
    resolved: Resolved,
    row: BytesLike,
    family: BytesLike,
    qualifier: BytesLike,
    change: (old: Uint8Array | undefined, where: string) => [Uint8Array, T],
  ): Promise<T> {
    const rowBytes = checkRow(row, resolved.label);
    const familyBytes = checkFamily(family, { families: resolved.families, tableLabel: resolved.label });
    const qualifierBytes = bytesArgument(qualifier, "the qualifier", resolved.label);
    const where = `row ${toStringBinary(rowBytes)} column ${toStringBinary(familyBytes)}:${toStringBinary(qualifierBytes)}`;
    const release = await this.context.locks.acquire([this.lockKey(resolved, rowBytes)]);
    try {
      const old = await this.latest(resolved, rowBytes, familyBytes, qualifierBytes);
      const [bytes, result] = change(old?.value, where);
      // A newer version than "now" (a put with a future timestamp) must not hide the result.
      const timestamp = Math.max(Date.now(), old === undefined ? 0 : old.timestamp + 1);
      const ops = encodePut(
        { row: rowBytes, cells: [{ family: familyBytes, qualifier: qualifierBytes, value: bytes }], timestamp },
        this.encodeContext(resolved),
      );
      await this.write(ops);
      return result;
    } finally {
      release();
    }
  }

  private checkMutations(row: Uint8Array, mutations: readonly Mutation[], resolved: Resolved): void {
    if (!Array.isArray(mutations)) throw new TypeError(`table ${resolved.label}: mutations must be an array`);
    for (const m of mutations) {
      if (m === null || typeof m !== "object" || (m.kind !== "put" && m.kind !== "delete")) {
        throw new TypeError(`table ${resolved.label}: a mutation is { kind: "put", ... } or { kind: "delete", ... }`);
      }
      const mRow = checkRow(m.row, resolved.label);
      if (!equalBytes(mRow, row)) {
        throw new Error(`table ${resolved.label}: a mutation of row ${toStringBinary(mRow)} in an atomic mutation of row ${toStringBinary(row)}`);
      }
    }
  }

  /** Encodes every mutation (all checked before any is written), then writes them as one batch. */
  private async applyMutations(resolved: Resolved, mutations: readonly Mutation[]): Promise<void> {
    const context = this.encodeContext(resolved);
    const ops: BatchPut[] = [];
    for (const m of mutations) {
      if (m.kind === "put") ops.push(...encodePut(m, context));
      else ops.push(...(await encodeDelete(m, context, (r, f, q) => this.latest(resolved, r, f, q).then((c) => c?.timestamp))));
    }
    if (ops.length > 0) await this.write(ops);
  }
}

/** `value` as bytes; anything else is refused naming the table and what the argument is. */
function bytesArgument(value: unknown, what: string, label: string): Uint8Array {
  if (typeof value === "string" || value instanceof Uint8Array) return toBytes(value);
  const got = value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
  throw new TypeError(`table ${label}: ${what} must be bytes (Uint8Array) or a string, got ${got}`);
}

/** Checks the row bounds of a scan; throws naming the bad option. */
function checkScanBounds(options: ScanOptions, label: string): void {
  for (const flag of ["includeStartRow", "includeStopRow", "reversed"] as const) {
    const value = options[flag];
    if (value !== undefined && typeof value !== "boolean") {
      throw new TypeError(`table ${label}: scan option ${flag} must be a boolean, got ${typeof value}`);
    }
  }
  for (const key of ["startRow", "stopRow", "prefix"] as const) {
    const value = options[key];
    if (value !== undefined) {
      try {
        toBytes(value);
      } catch (error) {
        throw new TypeError(`table ${label}: scan option ${key}: ${(error as Error).message}`, { cause: error });
      }
    }
  }
}

function parseColumn(ref: ColumnRef, label: string): { family: Uint8Array; qualifier: Uint8Array | undefined } {
  if (typeof ref === "string") {
    const colon = ref.indexOf(":");
    if (colon < 0) return { family: toBytes(ref), qualifier: undefined };
    return { family: toBytes(ref.slice(0, colon)), qualifier: toBytes(ref.slice(colon + 1)) };
  }
  if (ref === null || typeof ref !== "object" || ref.family === undefined) {
    throw new TypeError(`table ${label}: a column is "family", "family:qualifier" or { family, qualifier? }`);
  }
  return { family: toBytes(ref.family), qualifier: ref.qualifier === undefined ? undefined : toBytes(ref.qualifier) };
}

