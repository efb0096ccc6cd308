/**
 * Puts and deletes as batch entries of the storage engine, checked completely before anything is written (a bad
 * cell anywhere rejects the whole mutation). Deletes are written as HBase's delete markers.
 */
import type { CellType } from "../../model/cell.js";
import type { FamilyDescriptor } from "../../model/table-descriptor.js";
import type { BytesLike, Delete, Put } from "../../table.js";
import { toBytes, toStringBinary } from "../../bytes/bytes.js";
import { checkAllVersions, familyVersionNeedsTimestamp } from "../../delete-options.js";
import type { StorageEngine } from "./storage-engine.js";
import { encodeCellKey, encodeCellKeyInRow, MAX_TIMESTAMP, rowKeyPrefix } from "./key-codec.js";

/** One write of a batch: an entry (value or delete marker) under its key. */
export interface BatchPut {
  readonly type: "put";
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

/** Longest row key HBase accepts (Short.MAX_VALUE). */
export const MAX_ROW_LENGTH = 32767;
/** Largest value accepted (HBase's default hbase.client.keyvalue.maxsize, 10 MiB). */
export const MAX_VALUE_LENGTH = 10 * 1024 * 1024;

const EMPTY = new Uint8Array(0);
const decoder = new TextDecoder();

/** What the encoder needs of the table. */
export interface EncodeContext {
  readonly tableId: number;
  readonly tableLabel: string;
  readonly families: ReadonlyMap<string, FamilyDescriptor>;
  /** Server time for mutations without a timestamp. */
  readonly now: number;
}

/**
 * Bytes of a BytesLike, as `toBytes` (strings UTF-8), but through Buffer.from for strings, which is
 * several times faster than TextEncoder for the short strings of keys and values.
 */
export function fastBytes(value: BytesLike): Uint8Array {
  return typeof value === "string" ? Buffer.from(value, "utf8") : toBytes(value);
}

/** `fastBytes(value)`, or a TypeError naming what the value was meant to be (`what()`). */
function bytesOf(value: BytesLike, what: () => string): Uint8Array {
  if (typeof value === "string") return Buffer.from(value, "utf8");
  if (value instanceof Uint8Array) return value;
  try {
    return toBytes(value);
  } catch (error) {
    throw new TypeError(`${what()}: ${(error as Error).message}`, { cause: error });
  }
}

/** The row key as bytes; throws on an empty, oversized or non-bytes key. */
export function checkRow(row: BytesLike, table: string): Uint8Array {
  const bytes = bytesOf(row, () => `table ${table}: the row key`);
  if (bytes.length === 0) throw new Error(`table ${table}: the row key must not be empty`);
  if (bytes.length > MAX_ROW_LENGTH) throw new Error(`table ${table}: row key of ${bytes.length} bytes is longer than ${MAX_ROW_LENGTH}`);
  return bytes;
}

/** The family as bytes; throws when the table has no such family. */
export function checkFamily(family: BytesLike, context: Pick<EncodeContext, "families" | "tableLabel">): Uint8Array {
  if (typeof family === "string" && context.families.has(family)) return familyBytes(family);
  const bytes = bytesOf(family, () => `table ${context.tableLabel}: the column family`);
  const name = decoder.decode(bytes);
  if (!context.families.has(name)) {
    throw new Error(`table ${context.tableLabel} has no column family "${toStringBinary(bytes)}" (families: ${[...context.families.keys()].join(", ")})`);
  }
  return bytes;
}

const familyCache = new Map<string, Uint8Array>();

/** UTF-8 bytes of a family name (cached: family names are few). */
function familyBytes(name: string): Uint8Array {
  let bytes = familyCache.get(name);
  if (bytes === undefined) {
    bytes = new TextEncoder().encode(name);
    if (familyCache.size < 10_000) familyCache.set(name, bytes);
  }
  return bytes;
}

/** A timestamp given by the caller, checked (an integer from 0 to 2^53 - 1), or `fallback`. */
export function checkTimestamp(timestamp: number | undefined, fallback: number, table: string): number {
  if (timestamp === undefined) return fallback;
  if (typeof timestamp !== "number" || !Number.isInteger(timestamp) || timestamp < 0 || timestamp > MAX_TIMESTAMP) {
    throw new Error(`table ${table}: a timestamp must be an integer number of milliseconds from 0 to ${MAX_TIMESTAMP}, got ${String(timestamp)}`);
  }
  return timestamp;
}

/** The batch entries of a put. */
export function encodePut(put: Put, context: EncodeContext): BatchPut[] {
  return encodePutOfRow(put, context).ops;
}

/** The batch entries of a put, and its row key as bytes. */
export function encodePutOfRow(put: Put, context: EncodeContext): { row: Uint8Array; ops: BatchPut[] } {
  if (put === null || typeof put !== "object" || !Array.isArray(put.cells)) {
    throw new TypeError(`table ${context.tableLabel}: a put is { row, cells: [{ family, qualifier, value, timestamp? }], timestamp? }`);
  }
  const row = checkRow(put.row, context.tableLabel);
  const rowTs = checkTimestamp(put.timestamp, context.now, context.tableLabel);
  const cells = put.cells;
  if (cells.length === 0) throw new Error(`table ${context.tableLabel}: a put of row ${toStringBinary(row)} has no cells`);
  // The row's key prefix is escaped once, then copied into every cell's key.
  const prefix = rowKeyPrefix(context.tableId, row);
  const ops = new Array<BatchPut>(cells.length);
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]!;
    if (cell === null || typeof cell !== "object") {
      throw new TypeError(`table ${context.tableLabel}: cell ${i} of the put of row ${toStringBinary(row)} is not { family, qualifier, value, timestamp? }: got ${cell === null ? "null" : typeof cell}`);
    }
    const family = checkFamily(cell.family, context);
    const qualifier = bytesOf(cell.qualifier, () => `table ${context.tableLabel}: row ${toStringBinary(row)}: the qualifier of cell ${i}`);
    const value = bytesOf(cell.value, () => `table ${context.tableLabel}: row ${toStringBinary(row)}: the value of cell ${i}`);
    if (value.length > MAX_VALUE_LENGTH) {
      throw new Error(`table ${context.tableLabel}: value of ${value.length} bytes in row ${toStringBinary(row)} exceeds the maximum of ${MAX_VALUE_LENGTH} bytes`);
    }
    const ts = cell.timestamp === undefined ? rowTs : checkTimestamp(cell.timestamp, rowTs, context.tableLabel);
    ops[i] = { type: "put", key: encodeCellKeyInRow(prefix, family, qualifier, ts, "put"), value };
  }
  return { row, ops };
}

/**
 * Writes `ops` as one atomic batch of the storage engine. Uses the chained batch (for classic-level
 * about twice as fast as `db.batch(arrayOfOperations)` for the same entries), and a plain `put` for a
 * single entry (cheaper than a batch of one). See bench/hbase-embedded.mjs.
 */
export async function writeBatch(db: StorageEngine, ops: readonly BatchPut[]): Promise<void> {
  if (ops.length === 0) return;
  if (ops.length === 1) {
    await db.put(ops[0]!.key, ops[0]!.value);
    return;
  }
  const batch = db.batch();
  try {
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      batch.put(op.key, op.value);
    }
  } catch (error) {
    await batch.close();
    throw error;
  }
  await batch.write();
}

/**
 * The delete markers of a delete. `latestTimestamp` gives the newest visible version of a column
 * (a delete of "the latest version" marks exactly that one; nothing is written when there is none).
 */
export async function encodeDelete(
  del: Delete,
  context: EncodeContext,
  latestTimestamp: (row: Uint8Array, family: Uint8Array, qualifier: Uint8Array) => Promise<number | undefined>,
): Promise<BatchPut[]> {
  if (del === null || typeof del !== "object") throw new TypeError(`table ${context.tableLabel}: a delete is { row, family?, qualifier?, timestamp? }`);
  const row = checkRow(del.row, context.tableLabel);
  const ts = checkTimestamp(del.timestamp, context.now, context.tableLabel);
  const marker = (family: Uint8Array, qualifier: Uint8Array, at: number, type: CellType): BatchPut => ({
    type: "put",
    key: encodeCellKey(context.tableId, row, family, qualifier, at, type),
    value: EMPTY,
  });
  if (!("family" in del) || del.family === undefined) {
    if ("qualifier" in del && del.qualifier !== undefined) throw new Error(`table ${context.tableLabel}: a delete with a qualifier needs its family`);
    const encoder = new TextEncoder();
    return [...context.families.keys()].map((name) => marker(encoder.encode(name), EMPTY, ts, "deleteFamily"));
  }
  const family = checkFamily(del.family, context);
  if (!("qualifier" in del) || del.qualifier === undefined) {
    if (!checkAllVersions(del.allVersions, context.tableLabel)) {
      if (del.timestamp === undefined) throw new Error(familyVersionNeedsTimestamp(`table ${context.tableLabel}`));
      return [marker(family, EMPTY, ts, "deleteFamilyVersion")];
    }
    return [marker(family, EMPTY, ts, "deleteFamily")];
  }
  const qualifier = toBytes(del.qualifier);
  if (checkAllVersions(del.allVersions, context.tableLabel)) return [marker(family, qualifier, ts, "deleteColumn")];
  if (del.timestamp !== undefined) return [marker(family, qualifier, ts, "delete")];
  const latest = await latestTimestamp(row, family, qualifier);
  return latest === undefined ? [] : [marker(family, qualifier, latest, "delete")];
}
