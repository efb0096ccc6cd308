/**
 * Table API values ↔ HBase's protobuf messages, with every check done before anything is sent and the
 * same messages as the embedded store (its checks are shared where they do not need the storage engine):
 * read options → Get/Scan fields, puts and deletes → MutationProto, protobuf Results → `Result`.
 * Family checks need the table's families; when they are unknown (no master to ask) the server checks.
 */
import { equalBytes, toBytes, toStringBinary } from "../../bytes/bytes.js";
import type { Cell } from "../../model/cell.js";
import type { FamilyDescriptor } from "../../model/table-descriptor.js";
import { validateFilter } from "../../filters/compile-filter.js";
import { Result } from "../../result.js";
import type { BytesLike, ColumnRef, Delete, Mutation, Put, ReadOptions, ScanOptions } from "../../table.js";
import {
  DeleteType,
  LATEST_TIMESTAMP,
  MutationType,
  type Column,
  type ColumnValue,
  type Filter as WireFilter,
  type MutationProto,
  type QualifierValue,
  type Result as WireResult,
  type TimeRange as WireTimeRange,
} from "../../wire/hbase-protos.js";
import { checkFamily as checkKnownFamily, checkRow, checkTimestamp, MAX_VALUE_LENGTH } from "../embedded/mutation-encoder.js";
import { checkAllVersions, familyVersionNeedsTimestamp } from "../../delete-options.js";
import { filterToWire } from "./filter-to-wire.js";

export { checkRow };

/** What the checks know of a table. */
export interface TableShape {
  /** "ns:name" or "name". */
  readonly label: string;
  /** The table's families by name, when known. */
  readonly families: ReadonlyMap<string, FamilyDescriptor> | undefined;
}

const EMPTY = new Uint8Array(0);
const decoder = new TextDecoder();

/** `value` as bytes, or a TypeError `${what()}: <why>` (as the embedded store's encoder says it). */
function bytesOf(value: unknown, what: () => string): Uint8Array {
  try {
    return toBytes(value as BytesLike);
  } catch (error) {
    throw new TypeError(`${what()}: ${(error as Error).message}`, { cause: error });
  }
}

/** `value` as bytes, or a TypeError naming the table and what the argument is (as the embedded store). */
export function bytesArgument(value: unknown, what: string, label: string): Uint8Array {
  if (typeof value === "string" || value instanceof Uint8Array) return toBytes(value);
  const got = value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
  throw new TypeError(`table ${label}: ${what} must be bytes (Uint8Array) or a string, got ${got}`);
}

/** A family as bytes, checked against the table's families when they are known. */
export function checkFamily(family: BytesLike, shape: TableShape): Uint8Array {
  if (shape.families !== undefined) return checkKnownFamily(family, { families: shape.families, tableLabel: shape.label });
  return bytesOf(family, () => `table ${shape.label}: the column family`);
}

/** The Get/Scan fields of read options. */
export interface WireRead {
  column?: Column[];
  time_range?: WireTimeRange;
  max_versions?: number;
  filter?: WireFilter;
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

/** Checks read options (as the embedded store does) and turns them into Get/Scan fields. */
export function readToWire(options: ReadOptions | undefined, shape: TableShape): WireRead {
  const { label } = shape;
  if (options !== undefined && (options === null || typeof options !== "object" || Array.isArray(options))) {
    throw new TypeError(`table ${label}: read options must be an object, got ${options === null ? "null" : Array.isArray(options) ? "an array" : typeof options}`);
  }
  const o = options ?? {};
  const out: WireRead = {};
  if (o.columns !== undefined) {
    if (!Array.isArray(o.columns)) throw new TypeError(`table ${label}: columns must be an array of "family" or "family:qualifier"`);
    // family name → undefined (whole family) or its qualifiers
    const byFamily = new Map<string, { family: Uint8Array; qualifiers: Uint8Array[] | undefined }>();
    for (const ref of o.columns as readonly ColumnRef[]) {
      const { family, qualifier } = parseColumn(ref, label);
      const bytes = checkFamily(family, shape);
      const key = toStringBinary(bytes);
      const entry = byFamily.get(key) ?? { family: bytes, qualifiers: [] };
      if (qualifier === undefined) entry.qualifiers = undefined;
      else entry.qualifiers?.push(qualifier);
      byFamily.set(key, entry);
    }
    if (byFamily.size > 0) {
      out.column = [...byFamily.values()].map((e) => (e.qualifiers === undefined || e.qualifiers.length === 0 ? { family: e.family } : { family: e.family, qualifier: e.qualifiers }));
    }
  }
  const minTime = o.timeRange?.min ?? 0;
  const maxTime = o.timeRange?.max ?? Infinity;
  if (typeof minTime !== "number" || typeof maxTime !== "number" || Number.isNaN(minTime) || Number.isNaN(maxTime) || minTime < 0 || maxTime < minTime) {
    throw new Error(`table ${label}: invalid time range [${String(minTime)}, ${String(maxTime)}): need 0 ≤ min ≤ max`);
  }
  if (minTime > 0 || maxTime !== Infinity) {
    out.time_range = {
      from: BigInt(Math.ceil(minTime)),
      to: maxTime === Infinity || maxTime > Number.MAX_SAFE_INTEGER ? LATEST_TIMESTAMP : BigInt(Math.ceil(maxTime)),
    };
  }
  const maxVersions = o.maxVersions ?? 1;
  if (!Number.isInteger(maxVersions) || maxVersions < 1) {
    throw new Error(`table ${label}: maxVersions must be an integer ≥ 1, got ${String(maxVersions)}`);
  }
  if (maxVersions !== 1) out.max_versions = Math.min(maxVersions, 0xffffffff);
  if (o.filter !== undefined) {
    validateFilter(o.filter);
    out.filter = filterToWire(o.filter);
  }
  return out;
}

/** Checks a scan's own options (bounds, limit, batch size) as the embedded store does. */
export function checkScanOptions(options: ScanOptions, label: string): { limit: number; batchSize: number | undefined } {
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
  const limit = options.limit ?? Infinity;
  if (limit !== Infinity && (!Number.isInteger(limit) || limit < 0)) {
    throw new Error(`table ${label}: scan limit must be a non-negative integer, got ${String(limit)}`);
  }
  const batchSize = options.batchSize;
  if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1)) {
    throw new Error(`table ${label}: scan batchSize must be a positive integer, got ${String(batchSize)}`);
  }
  return { limit, batchSize };
}

// ---------------------------------------------------------------------------------------------------
// Mutations

function wireTimestamp(ts: number | undefined): bigint {
  return ts === undefined ? LATEST_TIMESTAMP : BigInt(ts);
}

/** Adds a qualifier value to the column values of a mutation, grouped by family. */
function addColumnValue(columns: ColumnValue[], family: Uint8Array, value: QualifierValue): void {
  let cv: ColumnValue | undefined;
  // families are few and usually the same (cached) bytes object: identity first, then the bytes
  for (const c of columns) {
    if (c.family === family || equalBytes(c.family, family)) {
      cv = c;
      break;
    }
  }
  if (cv === undefined) {
    cv = { family, qualifier_value: [] };
    columns.push(cv);
  }
  cv.qualifier_value!.push(value);
}

/** Qualifiers given as strings, encoded once (column names repeat across rows). */
const qualifierCache = new Map<string, Uint8Array>();
const QUALIFIER_CACHE_LIMIT = 10_000;
const QUALIFIER_CACHE_MAX_LENGTH = 64;
const encoder = new TextEncoder();

/** A cell's qualifier as bytes (strings cached: the bytes are shared, never written to). */
function qualifierBytes(qualifier: unknown, what: () => string): Uint8Array {
  if (typeof qualifier !== "string" || qualifier.length > QUALIFIER_CACHE_MAX_LENGTH) return bytesOf(qualifier, what);
  let bytes = qualifierCache.get(qualifier);
  if (bytes === undefined) {
    bytes = encoder.encode(qualifier);
    if (qualifierCache.size >= QUALIFIER_CACHE_LIMIT) qualifierCache.clear();
    qualifierCache.set(qualifier, bytes);
  }
  return bytes;
}

/** Checks a put (as the embedded store's encoder) and returns its row and column values. */
export function putColumns(put: Put, shape: TableShape): { row: Uint8Array; columns: ColumnValue[] } {
  const { label } = shape;
  if (put === null || typeof put !== "object" || !Array.isArray(put.cells)) {
    throw new TypeError(`table ${label}: a put is { row, cells: [{ family, qualifier, value, timestamp? }], timestamp? }`);
  }
  const row = checkRow(put.row, label);
  const rowTs = put.timestamp === undefined ? undefined : checkTimestamp(put.timestamp, 0, label);
  if (put.cells.length === 0) throw new Error(`table ${label}: a put of row ${toStringBinary(row)} has no cells`);
  const columns: ColumnValue[] = [];
  put.cells.forEach((cell, i) => {
    if (cell === null || typeof cell !== "object") {
      throw new TypeError(`table ${label}: cell ${i} of the put of row ${toStringBinary(row)} is not { family, qualifier, value, timestamp? }: got ${cell === null ? "null" : typeof cell}`);
    }
    const family = checkFamily(cell.family, shape);
    const qualifier = qualifierBytes(cell.qualifier, () => `table ${label}: row ${toStringBinary(row)}: the qualifier of cell ${i}`);
    const value = bytesOf(cell.value, () => `table ${label}: row ${toStringBinary(row)}: the value of cell ${i}`);
    if (value.length > MAX_VALUE_LENGTH) {
      throw new Error(`table ${label}: value of ${value.length} bytes in row ${toStringBinary(row)} exceeds the maximum of ${MAX_VALUE_LENGTH} bytes`);
    }
    const ts = cell.timestamp === undefined ? rowTs : checkTimestamp(cell.timestamp, 0, label);
    // no timestamp = the server's time, as LATEST_TIMESTAMP says (10 bytes less per cell)
    addColumnValue(columns, family, ts === undefined ? { qualifier, value } : { qualifier, value, timestamp: BigInt(ts) });
  });
  return { row, columns };
}

/** A put as a PUT MutationProto. */
export function putToWire(put: Put, shape: TableShape): { row: Uint8Array; mutation: MutationProto } {
  const { row, columns } = putColumns(put, shape);
  return { row, mutation: { row, mutate_type: MutationType.PUT, column_value: columns } };
}

/** What kind of delete a Delete is, with its parts checked. */
export type CheckedDelete =
  | { kind: "row"; row: Uint8Array; timestamp: number | undefined }
  | { kind: "family"; row: Uint8Array; family: Uint8Array; timestamp: number | undefined; allVersions: boolean }
  | { kind: "column"; row: Uint8Array; family: Uint8Array; qualifier: Uint8Array; timestamp: number | undefined; allVersions: boolean };

/** Checks a delete (as the embedded store's encoder). */
export function checkDelete(del: Delete, shape: TableShape): CheckedDelete {
  const { label } = shape;
  if (del === null || typeof del !== "object") throw new TypeError(`table ${label}: a delete is { row, family?, qualifier?, timestamp? }`);
  const row = checkRow(del.row, label);
  const timestamp = del.timestamp === undefined ? undefined : checkTimestamp(del.timestamp, 0, label);
  if (!("family" in del) || del.family === undefined) {
    if ("qualifier" in del && (del as { qualifier?: unknown }).qualifier !== undefined) throw new Error(`table ${label}: a delete with a qualifier needs its family`);
    return { kind: "row", row, timestamp };
  }
  const family = checkFamily(del.family, shape);
  if (!("qualifier" in del) || del.qualifier === undefined) {
    const allVersions = checkAllVersions(del.allVersions, label);
    if (!allVersions && timestamp === undefined) throw new Error(familyVersionNeedsTimestamp(`table ${label}`));
    return { kind: "family", row, family, timestamp, allVersions };
  }
  const qualifier = toBytes(del.qualifier);
  const allVersions = checkAllVersions(del.allVersions, label);
  return { kind: "column", row, family, qualifier, timestamp, allVersions };
}

/** The column values of a family or column delete (a row delete has none). */
function deleteColumns(d: CheckedDelete, columns: ColumnValue[]): void {
  if (d.kind === "family") {
    addColumnValue(columns, d.family, { delete_type: d.allVersions ? DeleteType.DELETE_FAMILY : DeleteType.DELETE_FAMILY_VERSION, timestamp: wireTimestamp(d.timestamp) });
  } else if (d.kind === "column") {
    addColumnValue(columns, d.family, {
      qualifier: d.qualifier,
      delete_type: d.allVersions ? DeleteType.DELETE_MULTIPLE_VERSIONS : DeleteType.DELETE_ONE_VERSION,
      timestamp: wireTimestamp(d.timestamp),
    });
  }
}

/** A delete as a DELETE MutationProto. */
export function deleteToWire(d: CheckedDelete): MutationProto {
  if (d.kind === "row") return { row: d.row, mutate_type: MutationType.DELETE, ...(d.timestamp === undefined ? {} : { timestamp: BigInt(d.timestamp) }) };
  const columns: ColumnValue[] = [];
  deleteColumns(d, columns);
  return { row: d.row, mutate_type: MutationType.DELETE, column_value: columns };
}

/** A mutation checked: a put's columns or a delete's parts. */
export type CheckedMutation = { kind: "put"; row: Uint8Array; columns: ColumnValue[] } | { kind: "delete"; row: Uint8Array; del: CheckedDelete };

/** Checks one mutation of an atomic row mutation. */
export function checkRowMutation(m: Mutation, shape: TableShape): CheckedMutation {
  if (m === null || typeof m !== "object" || (m.kind !== "put" && m.kind !== "delete")) {
    throw new TypeError(`table ${shape.label}: a mutation is { kind: "put", ... } or { kind: "delete", ... }`);
  }
  if (m.kind === "put") return { kind: "put", ...putColumns(m, shape) };
  const del = checkDelete(m, shape);
  return { kind: "delete", row: del.row, del };
}

/**
 * Mutations of one row as ONE MutationProto when that is possible (only puts; or only family and
 * column deletes; or one row delete): then the server applies them as one mutation, atomically.
 * Undefined when they must travel as several (puts mixed with deletes, a row delete among others).
 */
export function combineRowMutations(row: Uint8Array, mutations: readonly CheckedMutation[]): MutationProto | undefined {
  if (mutations.length === 0) return undefined;
  if (mutations.every((m) => m.kind === "put")) {
    const columns: ColumnValue[] = [];
    for (const m of mutations) for (const cv of m.columns) for (const qv of cv.qualifier_value ?? []) addColumnValue(columns, cv.family, qv);
    return { row, mutate_type: MutationType.PUT, column_value: columns };
  }
  if (mutations.every((m) => m.kind === "delete")) {
    const dels = mutations.map((m) => (m as { del: CheckedDelete }).del);
    if (dels.length === 1) return deleteToWire(dels[0]!);
    if (dels.some((d) => d.kind === "row")) return undefined;
    const columns: ColumnValue[] = [];
    for (const d of dels) deleteColumns(d, columns);
    return { row, mutate_type: MutationType.DELETE, column_value: columns };
  }
  return undefined;
}

/** One checked mutation as its own MutationProto. */
export function mutationToWire(m: CheckedMutation): MutationProto {
  return m.kind === "put" ? { row: m.row, mutate_type: MutationType.PUT, column_value: m.columns } : deleteToWire(m.del);
}

// ---------------------------------------------------------------------------------------------------
// Results

/** A protobuf Result as the Table API's (undefined for an empty one). Cells keep the server's order. */
export function resultFromWire(result: WireResult | undefined, row?: Uint8Array): Result | undefined {
  const cells = result?.cell ?? [];
  if (cells.length === 0) return undefined;
  const rowKey = cells[0]!.row ?? row ?? EMPTY;
  const out: Cell[] = new Array<Cell>(cells.length);
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i]!;
    out[i] = {
      row: c.row ?? rowKey,
      family: c.family ?? EMPTY,
      qualifier: c.qualifier ?? EMPTY,
      timestamp: c.timestamp === undefined ? 0 : Number(c.timestamp),
      type: "put",
      value: c.value ?? EMPTY,
    };
  }
  return new Result(rowKey, out);
}

/** Length-delimited and varint wire types; fixed 64 and 32 bits. */
const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LDELIM = 2;
const WIRE_FIXED32 = 5;
const TWO_POW_49 = 2 ** 49;

function truncated(): never {
  throw new RangeError("index out of range: a truncated Result");
}

/**
 * Protobuf `Result`s of one ScanResponse as the Table API's rows, read straight from the response's
 * bytes: the same rows as {@link resultFromWire} of the generically decoded Result (cells in the
 * server's order, type put, timestamp as a number, missing fields empty / 0), without the plain `Cell`
 * messages and bigint timestamps in between. Bytes are views into the response (not copies); a row
 * key, family or qualifier equal to the one of the cell before (or, for qualifiers, of the cell at the
 * same place in the row before) is the same Uint8Array. One instance per response.
 */
export class ScanRowsDecoder {
  #pos = 0;
  /** The row before's cells, as hints for equal families and qualifiers. */
  #previous: readonly Cell[] = [];

  /** The row of the Result whose body is `bytes[start, end)`, or undefined when it has no cells. */
  readonly read = (bytes: Uint8Array, start: number, end: number): Result | undefined => {
    const previous = this.#previous;
    let cells: Cell[] | undefined;
    let rowKey: Uint8Array | undefined;
    let family: Uint8Array | undefined;
    this.#pos = start;
    while (this.#pos < end) {
      const tag = this.#varint32(bytes, end);
      const wire = tag & 7;
      if (tag >>> 3 !== 1 || wire !== WIRE_LDELIM) {
        this.#skip(bytes, end, wire);
        continue;
      }
      const cellEnd = this.#varint32(bytes, end) + this.#pos;
      if (cellEnd > end) truncated();
      const at = cells === undefined ? 0 : cells.length;
      const hint = previous[at];
      let row: Uint8Array | undefined;
      let cellFamily: Uint8Array | undefined;
      let qualifier: Uint8Array | undefined;
      let value: Uint8Array | undefined;
      let timestamp = 0;
      while (this.#pos < cellEnd) {
        const t = this.#varint32(bytes, cellEnd);
        const w = t & 7;
        const field = t >>> 3;
        if (field >= 1 && field <= 6 && field !== 4 && field !== 5 && w === WIRE_LDELIM) {
          const n = this.#varint32(bytes, cellEnd);
          const from = this.#pos;
          if (from + n > cellEnd) truncated();
          this.#pos = from + n;
          if (field === 1) row = shared(bytes, from, n, row ?? rowKey);
          else if (field === 2) cellFamily = shared(bytes, from, n, family ?? hint?.family);
          else if (field === 3) qualifier = shared(bytes, from, n, hint?.qualifier);
          else value = view(bytes, from, n);
        } else if (field === 4 && w === WIRE_VARINT) {
          timestamp = this.#uint64(bytes, cellEnd);
        } else {
          this.#skip(bytes, cellEnd, w);
        }
      }
      this.#pos = cellEnd;
      if (cells === undefined) {
        cells = [];
        rowKey = row ?? EMPTY;
      }
      if (cellFamily !== undefined) family = cellFamily;
      cells.push({ row: row ?? rowKey!, family: cellFamily ?? EMPTY, qualifier: qualifier ?? EMPTY, timestamp, type: "put", value: value ?? EMPTY });
    }
    if (cells === undefined) return undefined;
    this.#previous = cells;
    return new Result(rowKey!, cells);
  };

  #varint32(bytes: Uint8Array, end: number): number {
    let pos = this.#pos;
    let value = 0;
    let shift = 0;
    for (;;) {
      if (pos >= end) truncated();
      const b = bytes[pos++]!;
      if (shift < 32) value |= (b & 0x7f) << shift;
      if (b < 0x80) break;
      shift += 7;
      if (shift >= 70) throw new Error("invalid varint encoding");
    }
    this.#pos = pos;
    return value >>> 0;
  }

  /** A uint64 varint as a number (as `Number` of the bigint the generic decoding gives). */
  #uint64(bytes: Uint8Array, end: number): number {
    const start = this.#pos;
    let pos = start;
    let value = 0;
    let scale = 1;
    for (;;) {
      if (pos >= end) truncated();
      const b = bytes[pos++]!;
      value += (b & 0x7f) * scale;
      if (b < 0x80) break;
      scale *= 128;
      if (scale > TWO_POW_49) {
        // more than 7 bytes: exactly, as a bigint (64 bits kept)
        let big = 0n;
        let shift = 0n;
        for (pos = start; ; ) {
          if (pos >= end) truncated();
          const c = bytes[pos++]!;
          big |= BigInt(c & 0x7f) << shift;
          if (c < 0x80) break;
          shift += 7n;
          if (shift >= 70n) throw new Error("invalid varint encoding");
        }
        this.#pos = pos;
        return Number(BigInt.asUintN(64, big));
      }
    }
    this.#pos = pos;
    return value;
  }

  #skip(bytes: Uint8Array, end: number, wire: number): void {
    if (wire === WIRE_VARINT) this.#uint64(bytes, end);
    else if (wire === WIRE_LDELIM) {
      const n = this.#varint32(bytes, end);
      if (this.#pos + n > end) truncated();
      this.#pos += n;
    } else if (wire === WIRE_FIXED64 || wire === WIRE_FIXED32) {
      const n = wire === WIRE_FIXED64 ? 8 : 4;
      if (this.#pos + n > end) truncated();
      this.#pos += n;
    } else throw new Error(`invalid wire type ${wire} in a Result`);
  }
}

function view(bytes: Uint8Array, from: number, n: number): Uint8Array {
  return n === 0 ? new Uint8Array(0) : new Uint8Array(bytes.buffer, bytes.byteOffset + from, n);
}

/** `bytes[from, from + n)`: `hint` itself when equal to it, else a view. */
function shared(bytes: Uint8Array, from: number, n: number, hint: Uint8Array | undefined): Uint8Array {
  if (hint !== undefined && hint.length === n) {
    let i = 0;
    // from the end: row keys of neighbouring cells differ (if at all) in their last bytes
    for (i = n - 1; i >= 0; i--) if (bytes[from + i] !== hint[i]) break;
    if (i < 0) return hint;
  }
  return view(bytes, from, n);
}

/** The family names of a table descriptor's families, as the checks want them. */
export function familyMap(families: readonly FamilyDescriptor[]): Map<string, FamilyDescriptor> {
  return new Map(families.map((f) => [f.name, f]));
}

/** UTF-8 of bytes (for messages). */
export function text(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
