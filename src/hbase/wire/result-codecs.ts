/**
 * Hand-written protobuf coders for the messages that carry cells — `Cell`, `Result`, `ScanResponse`,
 * `GetResponse`, `MultiResponse` — the hot path of scans and gets on both sides of the wire. They follow the same rules
 * as the generic conversion of `hbase-protos.ts` (see README.md: longs decode to `bigint`, encoding
 * takes a `bigint` or a safe-integer `number`; only present fields decoded; unknown keys and
 * ill-typed values refused on encode with `ProtobufCodecError`; unknown fields skipped on decode) and
 * produce the same bytes, but write straight into protobufjs' `Writer` and read straight from its
 * `Reader`, without the generic per-type plan, protobufjs' `verify` and intermediate objects. Field
 * numbers are HBase's (Cell.proto, Client.proto; 2.x's for the fields the 1.x copies lack).
 */
import protobuf from "protobufjs";
import { ProtobufCodecError } from "./protobuf-codec-error.js";
import type { RawCoder } from "./raw-coder.js";

const { Reader, Writer } = protobuf;
type PbWriter = protobuf.Writer;
type PbReader = protobuf.Reader;
type Plain = Record<string, unknown>;
// Decoded messages are plain objects shaped as hbase-protos.ts' interfaces (which type them there:
// this file does not import that module, which imports it).
type Cell = Plain;
type Result = Plain;
type ScanResponse = Plain;
type GetResponse = Plain;
type MultiResponse = Plain;
type RegionActionResult = Plain;
type ResultOrException = Plain;
type NameBytesPair = Plain;

/** Wire types. */
export const VARINT = 0;
export const LDELIM = 2;

/** HBase's CellType values (Cell.proto). */
const CELL_TYPES: ReadonlySet<number> = new Set([0, 4, 8, 12, 14, 255]);
const TWO_32 = 4294967296;
const UINT64_END = 1n << 64n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** HBase's LATEST_TIMESTAMP (2^63−1) and its two 32-bit halves, as protobufjs' writer takes them. */
const LATEST = (1n << 63n) - 1n;
const LATEST_BITS = { low: -1, high: 0x7fffffff, unsigned: true };
const textEncoder = new TextEncoder();

// ---------------------------------------------------------------------------------------------------
// Encoding: checks as the generic conversion (and protobufjs' verify) do

export function fail(typeName: string, message: string): never {
  throw new ProtobufCodecError(typeName, message);
}

export function checkKeys(typeName: string, obj: Plain, known: ReadonlySet<string>): void {
  for (const key in obj) if (!known.has(key) && obj[key] !== undefined) fail(typeName, `unknown field ${key}`);
}

function writeBytes(w: PbWriter, tag: number, v: unknown, typeName: string, key: string): void {
  if (v instanceof Uint8Array) w.uint32(tag).bytes(v);
  else if (typeof v === "string") w.uint32(tag).bytes(textEncoder.encode(v));
  else fail(typeName, `field ${key} needs bytes`);
}

/** Writes a uint64 field (tag included): a bigint or a safe-integer number, checked. */
export function writeUint64(w: PbWriter, tag: number, v: unknown, typeName: string, key: string): void {
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) fail(typeName, `field ${key} needs a bigint or a safe integer, got ${String(v)}`);
    if (v < 0) fail(typeName, `field ${key} out of range: ${v}`);
    w.uint32(tag).uint64(v);
    return;
  }
  if (typeof v !== "bigint") fail(typeName, `field ${key} needs a bigint or a safe integer, got ${String(v)}`);
  if (v === LATEST) {
    // HBase's "server time" on every cell of a put: its bits computed once
    w.uint32(tag).uint64(LATEST_BITS as unknown as number);
    return;
  }
  if (v < 0n || v >= UINT64_END) fail(typeName, `field ${key} out of range: ${v}`);
  if (v <= MAX_SAFE) w.uint32(tag).uint64(Number(v));
  else w.uint32(tag).uint64({ low: Number(v & 0xffffffffn) | 0, high: Number(v >> 32n) | 0, unsigned: true } as unknown as number);
}

function writeUint32(w: PbWriter, tag: number, v: unknown, typeName: string, key: string): void {
  if (typeof v !== "number" || !Number.isInteger(v)) fail(typeName, `field ${key}: integer expected`);
  w.uint32(tag).uint32(v);
}

function writeInt32(w: PbWriter, tag: number, v: unknown, typeName: string, key: string): void {
  if (typeof v !== "number" || !Number.isInteger(v)) fail(typeName, `field ${key}: integer expected`);
  w.uint32(tag).int32(v);
}

function writeBool(w: PbWriter, tag: number, v: unknown, typeName: string, key: string): void {
  if (typeof v !== "boolean") fail(typeName, `field ${key}: boolean expected`);
  w.uint32(tag).bool(v);
}

function message(v: unknown, typeName: string, key: string): Plain {
  if (typeof v !== "object" || v === null) fail(typeName, `field ${key} needs a message`);
  return v as Plain;
}

function list(v: unknown, typeName: string, key: string): unknown[] {
  if (!Array.isArray(v)) fail(typeName, `field ${key} must be an array`);
  return v;
}

const CELL_KEYS: ReadonlySet<string> = new Set(["row", "family", "qualifier", "timestamp", "cell_type", "value"]);

function writeCell(w: PbWriter, c: Plain): void {
  checkKeys("Cell", c, CELL_KEYS);
  if (c.row != null) writeBytes(w, (1 << 3) | LDELIM, c.row, "Cell", "row");
  if (c.family != null) writeBytes(w, (2 << 3) | LDELIM, c.family, "Cell", "family");
  if (c.qualifier != null) writeBytes(w, (3 << 3) | LDELIM, c.qualifier, "Cell", "qualifier");
  if (c.timestamp != null) writeUint64(w, (4 << 3) | VARINT, c.timestamp, "Cell", "timestamp");
  if (c.cell_type != null) {
    if (typeof c.cell_type !== "number" || !CELL_TYPES.has(c.cell_type)) fail("Cell", "field cell_type: enum value expected");
    w.uint32((5 << 3) | VARINT).int32(c.cell_type);
  }
  if (c.value != null) writeBytes(w, (6 << 3) | LDELIM, c.value, "Cell", "value");
}

const RESULT_KEYS: ReadonlySet<string> = new Set(["cell", "associated_cell_count", "exists", "stale", "partial"]);

function writeResult(w: PbWriter, r: Plain): void {
  if (r instanceof RowCellsResult) {
    // (a Result nested elsewhere than a ScanResponse: the cells as plain messages)
    for (const c of r.cell) {
      w.uint32((1 << 3) | LDELIM).fork();
      writeCell(w, c);
      w.ldelim();
    }
    return;
  }
  checkKeys("Result", r, RESULT_KEYS);
  if (r.cell != null) {
    for (const c of list(r.cell, "Result", "cell")) {
      w.uint32((1 << 3) | LDELIM).fork();
      writeCell(w, message(c, "Result", "cell"));
      w.ldelim();
    }
  }
  if (r.associated_cell_count != null) writeInt32(w, (2 << 3) | VARINT, r.associated_cell_count, "Result", "associated_cell_count");
  if (r.exists != null) writeBool(w, (3 << 3) | VARINT, r.exists, "Result", "exists");
  if (r.stale != null) writeBool(w, (4 << 3) | VARINT, r.stale, "Result", "stale");
  if (r.partial != null) writeBool(w, (5 << 3) | VARINT, r.partial, "Result", "partial");
}

function writeNested(w: PbWriter, tag: number, v: unknown, typeName: string, key: string, write: (w: PbWriter, m: Plain) => void): void {
  w.uint32(tag).fork();
  write(w, message(v, typeName, key));
  w.ldelim();
}

const SCAN_RESPONSE_KEYS: ReadonlySet<string> = new Set([
  "cells_per_result",
  "scanner_id",
  "more_results",
  "ttl",
  "results",
  "stale",
  "partial_flag_per_result",
  "more_results_in_region",
  "heartbeat_message",
  "mvcc_read_point",
]);

function writeScanResponseHead(w: PbWriter, s: Plain): void {
  const T = "ScanResponse";
  checkKeys(T, s, SCAN_RESPONSE_KEYS);
  if (s.cells_per_result != null) for (const n of list(s.cells_per_result, T, "cells_per_result")) writeUint32(w, (1 << 3) | VARINT, n, T, "cells_per_result");
  if (s.scanner_id != null) writeUint64(w, (2 << 3) | VARINT, s.scanner_id, T, "scanner_id");
  if (s.more_results != null) writeBool(w, (3 << 3) | VARINT, s.more_results, T, "more_results");
  if (s.ttl != null) writeUint32(w, (4 << 3) | VARINT, s.ttl, T, "ttl");
}

function writeScanResponse(w: PbWriter, s: Plain): void {
  const T = "ScanResponse";
  writeScanResponseHead(w, s);
  if (s.results != null) {
    const results = s.results instanceof ScanResultRuns ? s.results.toResults() : list(s.results, T, "results");
    for (const r of results) {
      if (r instanceof RowCellsResult) w.uint32((5 << 3) | LDELIM).bytes(encodeRowCells(r));
      else writeNested(w, (5 << 3) | LDELIM, r, T, "results", writeResult);
    }
  }
  writeScanResponseTail(w, s);
}

function writeScanResponseTail(w: PbWriter, s: Plain): void {
  const T = "ScanResponse";
  if (s.stale != null) writeBool(w, (6 << 3) | VARINT, s.stale, T, "stale");
  if (s.partial_flag_per_result != null) {
    for (const f of list(s.partial_flag_per_result, T, "partial_flag_per_result")) writeBool(w, (7 << 3) | VARINT, f, T, "partial_flag_per_result");
  }
  if (s.more_results_in_region != null) writeBool(w, (8 << 3) | VARINT, s.more_results_in_region, T, "more_results_in_region");
  if (s.heartbeat_message != null) writeBool(w, (9 << 3) | VARINT, s.heartbeat_message, T, "heartbeat_message");
  if (s.mvcc_read_point != null) writeUint64(w, (11 << 3) | VARINT, s.mvcc_read_point, T, "mvcc_read_point");
}

const GET_RESPONSE_KEYS: ReadonlySet<string> = new Set(["result"]);

function writeGetResponse(w: PbWriter, g: Plain): void {
  checkKeys("GetResponse", g, GET_RESPONSE_KEYS);
  if (g.result != null) writeNested(w, (1 << 3) | LDELIM, g.result, "GetResponse", "result", writeResult);
}

const PAIR_KEYS: ReadonlySet<string> = new Set(["name", "value"]);

function writePair(w: PbWriter, p: Plain): void {
  checkKeys("NameBytesPair", p, PAIR_KEYS);
  if (p.name == null) fail("NameBytesPair", "missing required field name");
  if (typeof p.name !== "string") fail("NameBytesPair", "field name: string expected");
  w.uint32((1 << 3) | LDELIM).string(p.name);
  if (p.value != null) writeBytes(w, (2 << 3) | LDELIM, p.value, "NameBytesPair", "value");
}

const RESULT_OR_EXCEPTION_KEYS: ReadonlySet<string> = new Set(["index", "result", "exception"]);

function writeResultOrException(w: PbWriter, x: Plain): void {
  const T = "ResultOrException";
  checkKeys(T, x, RESULT_OR_EXCEPTION_KEYS);
  if (x.index != null) writeUint32(w, (1 << 3) | VARINT, x.index, T, "index");
  if (x.result != null) writeNested(w, (2 << 3) | LDELIM, x.result, T, "result", writeResult);
  if (x.exception != null) writeNested(w, (3 << 3) | LDELIM, x.exception, T, "exception", writePair);
}

const REGION_ACTION_RESULT_KEYS: ReadonlySet<string> = new Set(["resultOrException", "exception"]);

function writeRegionActionResult(w: PbWriter, r: Plain): void {
  const T = "RegionActionResult";
  checkKeys(T, r, REGION_ACTION_RESULT_KEYS);
  if (r.resultOrException != null) {
    for (const x of list(r.resultOrException, T, "resultOrException")) writeNested(w, (1 << 3) | LDELIM, x, T, "resultOrException", writeResultOrException);
  }
  if (r.exception != null) writeNested(w, (2 << 3) | LDELIM, r.exception, T, "exception", writePair);
}

const MULTI_RESPONSE_KEYS: ReadonlySet<string> = new Set(["regionActionResult", "processed"]);

function writeMultiResponse(w: PbWriter, m: Plain): void {
  const T = "MultiResponse";
  checkKeys(T, m, MULTI_RESPONSE_KEYS);
  if (m.regionActionResult != null) {
    for (const r of list(m.regionActionResult, T, "regionActionResult")) writeNested(w, (1 << 3) | LDELIM, r, T, "regionActionResult", writeRegionActionResult);
  }
  // HBase 2's answer to a conditional Multi
  if (m.processed != null) writeBool(w, (2 << 3) | VARINT, m.processed, T, "processed");
}

// ---------------------------------------------------------------------------------------------------
// Results encoded straight from a store row's cells

/** One cell of a store row, as the Table API's `Cell` holds it. */
export interface StoreCell {
  readonly family: Uint8Array;
  readonly qualifier: Uint8Array;
  /** ms, a non-negative safe integer */
  readonly timestamp: number;
  readonly type: string;
  readonly value: Uint8Array;
}

/** A store row: its key and cells (only the `put` cells are encoded). */
export interface StoreRow {
  readonly row: Uint8Array;
  readonly cells: readonly StoreCell[];
}

/** HBase's CellType PUT. */
const PUT = 4;

/**
 * A protobuf `Result` holding a store row's PUT cells inline (row, family, qualifier, timestamp,
 * PUT, value), which `ScanResponse` (and `Result`, wherever it is nested) encodes straight from the
 * row's cells, with no per-cell message object. Reading `cell` gives the same cells as plain messages.
 */
export class RowCellsResult {
  readonly #row: StoreRow;
  constructor(row: StoreRow) {
    this.#row = row;
  }
  /** The row this Result encodes. */
  get source(): StoreRow {
    return this.#row;
  }
  /** The cells as plain `Cell` messages (made on each read). */
  get cell(): Plain[] {
    const { row, cells } = this.#row;
    const out: Plain[] = [];
    for (const c of cells) {
      if (c.type !== "put") continue;
      out.push({ row, family: c.family, qualifier: c.qualifier, timestamp: c.timestamp, cell_type: PUT, value: c.value });
    }
    return out;
  }
}

/**
 * Rows `[start, end)` packed as columns (the embedded store's scan batches): row `i` has key `rows[i]`
 * and the PUT cells `[i === 0 ? 0 : cellEnds[i - 1], cellEnds[i])` of the cell columns (`families`,
 * `qualifiers`, `timestamps`; cell `c`'s value is `valueBytes[valueStarts[c], valueStarts[c] +
 * valueLengths[c])`).
 */
export interface PackedCells {
  readonly rows: readonly Uint8Array[];
  readonly cellEnds: readonly number[];
  readonly families: readonly Uint8Array[];
  readonly qualifiers: readonly Uint8Array[];
  readonly timestamps: readonly number[];
  readonly valueBytes: Uint8Array;
  readonly valueStarts: readonly number[];
  readonly valueLengths: readonly number[];
  readonly start: number;
  readonly end: number;
}

/** One run of a {@link ScanResultRuns}: store rows, or rows packed as columns. */
export type ResultRun = readonly StoreRow[] | PackedCells;

/**
 * A ScanResponse's `results` given as runs of rows (store rows, or rows packed as columns), in order:
 * `ScanResponse`'s coder encodes them straight into the response's buffer, each row one Result with
 * its PUT cells inline (the same bytes as the rows' Results encoded one by one). Use it as the value of
 * `results` itself (not as an element).
 */
export class ScanResultRuns {
  constructor(readonly runs: readonly ResultRun[]) {}

  /** Results held. */
  get length(): number {
    let n = 0;
    for (const run of this.runs) n += isPacked(run) ? run.end - run.start : run.length;
    return n;
  }

  /** The results as {@link RowCellsResult}s (reading `cell` gives plain messages). */
  toResults(): RowCellsResult[] {
    const out: RowCellsResult[] = [];
    for (const run of this.runs) {
      if (!isPacked(run)) {
        for (const row of run) out.push(new RowCellsResult(row));
        continue;
      }
      for (let r = run.start; r < run.end; r++) {
        const cells: StoreCell[] = [];
        for (let c = r === 0 ? 0 : run.cellEnds[r - 1]!; c < run.cellEnds[r]!; c++) {
          const at = run.valueStarts[c]!;
          const value = run.valueBytes.subarray(at, at + run.valueLengths[c]!);
          cells.push({ family: run.families[c]!, qualifier: run.qualifiers[c]!, timestamp: run.timestamps[c]!, type: "put", value });
        }
        out.push(new RowCellsResult({ row: run.rows[r]!, cells }));
      }
    }
    return out;
  }
}

function isPacked(run: ResultRun): run is PackedCells {
  return !Array.isArray(run);
}

function allocBytes(n: number): Uint8Array {
  const b = Buffer.allocUnsafe(n);
  return new Uint8Array(b.buffer, b.byteOffset, n);
}

/** Bytes of a varint of a non-negative safe integer. */
function varintLength(v: number): number {
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  if (v < 0x800000000) return 5;
  if (v < 0x40000000000) return 6;
  if (v < 0x2000000000000) return 7;
  return 8; // < 2^53 (safe integers) < 2^56
}

/** Writes a non-negative safe integer as a varint at `pos`; returns the position after it. */
function writeVarint(out: Uint8Array, pos: number, v: number): number {
  let lo = v >>> 0;
  if (lo !== v) {
    // above 32 bits (timestamps): the two 32-bit halves, 7 bits at a time
    let hi = Math.floor(v / TWO_32) >>> 0;
    lo = (v - hi * TWO_32) >>> 0;
    while (hi !== 0) {
      out[pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
  }
  while (lo > 0x7f) {
    out[pos++] = (lo & 0x7f) | 0x80;
    lo >>>= 7;
  }
  out[pos++] = lo;
  return pos;
}

function copyInto(out: Uint8Array, pos: number, src: Uint8Array): number {
  const n = src.length;
  if (n < 48) for (let i = 0; i < n; i++) out[pos + i] = src[i]!;
  else out.set(src, pos);
  return pos + n;
}

function checkTimestamp(ts: number): void {
  if (!Number.isSafeInteger(ts)) fail("Cell", `field timestamp needs a bigint or a safe integer, got ${String(ts)}`);
  if (ts < 0) fail("Cell", `field timestamp out of range: ${ts}`);
}

/** The body length of one cell (row, family, qualifier, timestamp, type, value, each with its tag and length). */
function cellLengthOf(rowLength: number, f: number, q: number, timestamp: number, v: number): number {
  checkTimestamp(timestamp);
  return 1 + varintLength(rowLength) + rowLength + 1 + varintLength(f) + f + 1 + varintLength(q) + q + 1 + varintLength(timestamp) + 2 + 1 + varintLength(v) + v;
}

/** The body length of one cell of `row`. */
function cellLength(rowLength: number, c: StoreCell): number {
  return cellLengthOf(rowLength, c.family.length, c.qualifier.length, c.timestamp, c.value.length);
}

/**
 * Body lengths of the cells measured by {@link rowCellsLength} since {@link startMeasuring}, in order:
 * {@link writeRowCells} takes them in the same order instead of measuring every cell again.
 */
let cellLengths = new Int32Array(4096);
let measured = 0;
let written = 0;

function startMeasuring(): void {
  measured = 0;
  written = 0;
}

/** Notes the length of the next cell measured. */
function noteCellLength(n: number): void {
  if (measured === cellLengths.length) {
    const grown = new Int32Array(cellLengths.length * 2);
    grown.set(cellLengths);
    cellLengths = grown;
  }
  cellLengths[measured++] = n;
}

/** The encoded length of a store row's Result body (its cells, each tag + length + Cell); notes each cell's length. */
function rowCellsLength(source: StoreRow): number {
  const { row, cells } = source;
  if (!(row instanceof Uint8Array)) fail("Cell", "field row needs bytes");
  let total = 0;
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i]!;
    if (c.type !== "put") continue;
    const n = cellLength(row.length, c);
    noteCellLength(n);
    total += 1 + varintLength(n) + n;
  }
  return total;
}

/** Writes a store row's Result body at `pos` (measured before, in this order); returns the position after it. */
function writeRowCells(out: Uint8Array, pos: number, source: StoreRow): number {
  const { row, cells } = source;
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i]!;
    if (c.type !== "put") continue;
    out[pos++] = (1 << 3) | LDELIM;
    pos = writeVarint(out, pos, cellLengths[written++]!);
    out[pos++] = (1 << 3) | LDELIM;
    pos = copyInto(out, writeVarint(out, pos, row.length), row);
    out[pos++] = (2 << 3) | LDELIM;
    pos = copyInto(out, writeVarint(out, pos, c.family.length), c.family);
    out[pos++] = (3 << 3) | LDELIM;
    pos = copyInto(out, writeVarint(out, pos, c.qualifier.length), c.qualifier);
    out[pos++] = (4 << 3) | VARINT;
    pos = writeVarint(out, pos, c.timestamp);
    out[pos++] = (5 << 3) | VARINT;
    out[pos++] = PUT;
    out[pos++] = (6 << 3) | LDELIM;
    pos = copyInto(out, writeVarint(out, pos, c.value.length), c.value);
  }
  return pos;
}

/** A RowCellsResult's body as bytes. */
function encodeRowCells(r: RowCellsResult): Uint8Array {
  startMeasuring();
  const out = allocBytes(rowCellsLength(r.source));
  writeRowCells(out, 0, r.source);
  return out;
}

/** The encoded length of row `r` of packed rows as a Result body; notes each cell's length. */
function packedRowLength(p: PackedCells, r: number): number {
  const row = p.rows[r]!;
  const rowLength = row.length;
  const { families, qualifiers, timestamps, valueLengths } = p;
  const last = p.cellEnds[r]!;
  let total = 0;
  for (let c = r === 0 ? 0 : p.cellEnds[r - 1]!; c < last; c++) {
    const n = cellLengthOf(rowLength, families[c]!.length, qualifiers[c]!.length, timestamps[c]!, valueLengths[c]!);
    noteCellLength(n);
    total += 1 + varintLength(n) + n;
  }
  return total;
}

/** Writes row `r` of packed rows as a Result body at `pos` (measured before, in this order). */
function writePackedRow(out: Uint8Array, pos: number, p: PackedCells, r: number): number {
  const row = p.rows[r]!;
  const { families, qualifiers, timestamps, valueBytes, valueStarts, valueLengths } = p;
  const last = p.cellEnds[r]!;
  for (let c = r === 0 ? 0 : p.cellEnds[r - 1]!; c < last; c++) {
    out[pos++] = (1 << 3) | LDELIM;
    pos = writeVarint(out, pos, cellLengths[written++]!);
    out[pos++] = (1 << 3) | LDELIM;
    pos = copyInto(out, writeVarint(out, pos, row.length), row);
    const family = families[c]!;
    out[pos++] = (2 << 3) | LDELIM;
    pos = copyInto(out, writeVarint(out, pos, family.length), family);
    const qualifier = qualifiers[c]!;
    out[pos++] = (3 << 3) | LDELIM;
    pos = copyInto(out, writeVarint(out, pos, qualifier.length), qualifier);
    out[pos++] = (4 << 3) | VARINT;
    pos = writeVarint(out, pos, timestamps[c]!);
    out[pos++] = (5 << 3) | VARINT;
    out[pos++] = PUT;
    const n = valueLengths[c]!;
    out[pos++] = (6 << 3) | LDELIM;
    pos = writeVarint(out, pos, n);
    const at = valueStarts[c]!;
    if (n < 48) for (let i = 0; i < n; i++) out[pos + i] = valueBytes[at + i]!;
    else out.set(valueBytes.subarray(at, at + n), pos);
    pos += n;
  }
  return pos;
}

/** Body lengths of the results measured by {@link ScanResponse}'s encoder, in order. */
let resultLengths = new Int32Array(1024);

function noteResultLength(i: number, n: number): void {
  if (i === resultLengths.length) {
    const grown = new Int32Array(resultLengths.length * 2);
    grown.set(resultLengths);
    resultLengths = grown;
  }
  resultLengths[i] = n;
}

// ---------------------------------------------------------------------------------------------------
// Decoding

/** A uint64 varint as a bigint: one BigInt from a number when it fits in 49 bits (timestamps, ids). */
export function readUint64(r: PbReader): bigint {
  const buf = r.buf;
  let pos = r.pos;
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 7 && pos < r.len; i++) {
    const byte = buf[pos++]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      r.pos = pos;
      return BigInt(value);
    }
    scale *= 128;
  }
  // HBase's LATEST_TIMESTAMP (2^63−1: eight 0xff bytes, then 0x7f), on every cell of a plain put
  pos = r.pos;
  if (pos + 9 <= r.len && buf[pos + 8] === 0x7f) {
    let all = true;
    for (let i = 0; i < 8; i++) if (buf[pos + i] !== 0xff) all = false;
    if (all) {
      r.pos = pos + 9;
      return LATEST;
    }
  }
  // longer (or truncated: protobufjs throws its RangeError)
  const long = r.uint64() as unknown as { low: number; high: number } | number;
  if (typeof long === "number") return BigInt(long);
  const low = long.low >>> 0;
  const high = long.high >>> 0;
  return high < 0x200000 ? BigInt(high * TWO_32 + low) : (BigInt(high) << 32n) | BigInt(low);
}

function readCell(r: PbReader, end: number): Cell {
  const c: Cell = {};
  while (r.pos < end) {
    const tag = r.uint32();
    const wire = tag & 7;
    switch (tag >>> 3) {
      case 1:
        if (wire !== LDELIM) break;
        c.row = r.bytes();
        continue;
      case 2:
        if (wire !== LDELIM) break;
        c.family = r.bytes();
        continue;
      case 3:
        if (wire !== LDELIM) break;
        c.qualifier = r.bytes();
        continue;
      case 4:
        if (wire !== VARINT) break;
        c.timestamp = readUint64(r);
        continue;
      case 5:
        if (wire !== VARINT) break;
        c.cell_type = r.int32();
        continue;
      case 6:
        if (wire !== LDELIM) break;
        c.value = r.bytes();
        continue;
    }
    r.skipType(wire);
  }
  return c;
}

/** The end of a length-delimited nested message starting at the reader's position. */
export function nestedEnd(r: PbReader, end: number): number {
  const e = r.uint32() + r.pos;
  if (e > end) throw new RangeError(`index out of range: ${e} > ${end}`);
  return e;
}

function readResult(r: PbReader, end: number): Result {
  const out: Result = {};
  let cells: Cell[] | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    const wire = tag & 7;
    switch (tag >>> 3) {
      case 1:
        if (wire !== LDELIM) break;
        (cells ??= []).push(readCell(r, nestedEnd(r, end)));
        continue;
      case 2:
        if (wire !== VARINT) break;
        out.associated_cell_count = r.int32();
        continue;
      case 3:
        if (wire !== VARINT) break;
        out.exists = r.bool();
        continue;
      case 4:
        if (wire !== VARINT) break;
        out.stale = r.bool();
        continue;
      case 5:
        if (wire !== VARINT) break;
        out.partial = r.bool();
        continue;
    }
    r.skipType(wire);
  }
  if (cells !== undefined) out.cell = cells;
  return out;
}

/** A repeated scalar, packed or not. */
function readRepeated<T>(r: PbReader, wire: number, into: T[], read: () => T): void {
  if (wire === LDELIM) {
    const end = r.uint32() + r.pos;
    while (r.pos < end) into.push(read());
  } else into.push(read());
}

function readScanResponse(r: PbReader, end: number): ScanResponse {
  return readScanResponseWith(r, end, (reader, resultEnd) => readResult(reader, resultEnd));
}

/** A ScanResponse whose results are read by `readResultOf` (given the reader and the result's end). */
function readScanResponseWith<T>(r: PbReader, end: number, readResultOf: (r: PbReader, end: number) => T): ScanResponse {
  const out: ScanResponse = {};
  const cellsPerResult: number[] = [];
  const partialFlags: boolean[] = [];
  let results: T[] | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    const wire = tag & 7;
    switch (tag >>> 3) {
      case 1:
        if (wire !== VARINT && wire !== LDELIM) break;
        readRepeated(r, wire, cellsPerResult, () => r.uint32());
        continue;
      case 2:
        if (wire !== VARINT) break;
        out.scanner_id = readUint64(r);
        continue;
      case 3:
        if (wire !== VARINT) break;
        out.more_results = r.bool();
        continue;
      case 4:
        if (wire !== VARINT) break;
        out.ttl = r.uint32();
        continue;
      case 5:
        if (wire !== LDELIM) break;
        {
          const resultEnd = nestedEnd(r, end);
          (results ??= []).push(readResultOf(r, resultEnd));
          r.pos = resultEnd;
        }
        continue;
      case 6:
        if (wire !== VARINT) break;
        out.stale = r.bool();
        continue;
      case 7:
        if (wire !== VARINT && wire !== LDELIM) break;
        readRepeated(r, wire, partialFlags, () => r.bool());
        continue;
      case 8:
        if (wire !== VARINT) break;
        out.more_results_in_region = r.bool();
        continue;
      case 9:
        if (wire !== VARINT) break;
        out.heartbeat_message = r.bool();
        continue;
      case 11:
        if (wire !== VARINT) break;
        out.mvcc_read_point = readUint64(r);
        continue;
    }
    r.skipType(wire);
  }
  if (cellsPerResult.length > 0) out.cells_per_result = cellsPerResult;
  if (results !== undefined) out.results = results;
  if (partialFlags.length > 0) out.partial_flag_per_result = partialFlags;
  return out;
}

function readGetResponse(r: PbReader, end: number): GetResponse {
  const out: GetResponse = {};
  while (r.pos < end) {
    const tag = r.uint32();
    const wire = tag & 7;
    if (tag >>> 3 === 1 && wire === LDELIM) {
      out.result = readResult(r, nestedEnd(r, end));
      continue;
    }
    r.skipType(wire);
  }
  return out;
}

function readPair(r: PbReader, end: number): NameBytesPair {
  let name: string | undefined;
  let value: Uint8Array | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    const wire = tag & 7;
    if (tag >>> 3 === 1 && wire === LDELIM) name = r.string();
    else if (tag >>> 3 === 2 && wire === LDELIM) value = r.bytes();
    else r.skipType(wire);
  }
  if (name === undefined) throw new ProtobufCodecError("NameBytesPair", "missing required field name");
  return value === undefined ? { name } : { name, value };
}

function readResultOrException(r: PbReader, end: number): ResultOrException {
  const out: ResultOrException = {};
  while (r.pos < end) {
    const tag = r.uint32();
    const wire = tag & 7;
    if (tag >>> 3 === 1 && wire === VARINT) out.index = r.uint32();
    else if (tag >>> 3 === 2 && wire === LDELIM) out.result = readResult(r, nestedEnd(r, end));
    else if (tag >>> 3 === 3 && wire === LDELIM) out.exception = readPair(r, nestedEnd(r, end));
    else r.skipType(wire);
  }
  return out;
}

function readRegionActionResult(r: PbReader, end: number): RegionActionResult {
  const out: RegionActionResult = {};
  let results: ResultOrException[] | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    const wire = tag & 7;
    if (tag >>> 3 === 1 && wire === LDELIM) (results ??= []).push(readResultOrException(r, nestedEnd(r, end)));
    else if (tag >>> 3 === 2 && wire === LDELIM) out.exception = readPair(r, nestedEnd(r, end));
    else r.skipType(wire);
  }
  if (results !== undefined) out.resultOrException = results;
  return out;
}

function readMultiResponse(r: PbReader, end: number): MultiResponse {
  let results: RegionActionResult[] | undefined;
  let processed: boolean | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    const wire = tag & 7;
    if (tag >>> 3 === 1 && wire === LDELIM) (results ??= []).push(readRegionActionResult(r, nestedEnd(r, end)));
    else if (tag >>> 3 === 2 && wire === VARINT) processed = r.bool();
    else r.skipType(wire);
  }
  const out: MultiResponse = results === undefined ? {} : { regionActionResult: results };
  if (processed !== undefined) out.processed = processed;
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Codecs

function fastCodec(typeName: string, write: (w: PbWriter, m: Plain) => void, read: (r: PbReader, end: number) => Plain): RawCoder {
  return {
    typeName,
    encode(value: unknown): Uint8Array {
      const w = Writer.create();
      write(w, message(value, typeName, "(message)"));
      const out = w.finish();
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    },
    decode(bytes: Uint8Array): Plain {
      // a plain Uint8Array (not a Buffer) makes bytes fields Uint8Array views, as the generic decode
      const view = Buffer.isBuffer(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes;
      try {
        const r = Reader.create(view);
        return read(r, r.len);
      } catch (e) {
        throw new ProtobufCodecError(typeName, e instanceof Error ? e.message : String(e));
      }
    },
  };
}

/** `Cell`. */
export const cellCodec: RawCoder = fastCodec("Cell", writeCell, readCell);
/** `Result` (cells inline). */
export const resultCodec: RawCoder = fastCodec("Result", writeResult, readResult);
/**
 * `ScanResponse`. Results that are {@link RowCellsResult}s are encoded straight from the store's cells
 * into one buffer (sizes first, then the bytes), without protobufjs' per-field writer operations; the
 * bytes are the same as the generic encoding's.
 */
export const scanResponseCodec: RawCoder = {
  ...fastCodec("ScanResponse", writeScanResponse, readScanResponse),
  encode(value: unknown): Uint8Array {
    const T = "ScanResponse";
    const s = message(value, T, "(message)");
    const head = Writer.create();
    writeScanResponseHead(head, s);
    const headBytes = head.finish();
    const tail = Writer.create();
    writeScanResponseTail(tail, s);
    const tailBytes = tail.finish();
    const runs: readonly ResultRun[] | undefined = s.results instanceof ScanResultRuns ? s.results.runs : undefined;
    const results = s.results == null || runs !== undefined ? [] : list(s.results, T, "results");
    startMeasuring();
    // Each result's body length (noted in order), and the bodies of results that are plain messages.
    let count = 0;
    const plainBodies: Uint8Array[] = [];
    let total = headBytes.length + tailBytes.length;
    if (runs !== undefined) {
      for (const run of runs) {
        if (isPacked(run)) {
          for (let r = run.start; r < run.end; r++) {
            const length = packedRowLength(run, r);
            noteResultLength(count++, length);
            total += 1 + varintLength(length) + length;
          }
        } else {
          for (let i = 0; i < run.length; i++) {
            const length = rowCellsLength(run[i]!);
            noteResultLength(count++, length);
            total += 1 + varintLength(length) + length;
          }
        }
      }
    }
    for (let i = 0; i < results.length; i++) {
      const r = results[i];
      let length: number;
      if (r instanceof RowCellsResult) length = rowCellsLength(r.source);
      else {
        const w = Writer.create();
        writeResult(w, message(r, T, "results"));
        const body = w.finish();
        plainBodies.push(body);
        length = body.length;
      }
      noteResultLength(count++, length);
      total += 1 + varintLength(length) + length;
    }
    const out = allocBytes(total);
    out.set(headBytes, 0);
    let pos = headBytes.length;
    let at = 0;
    if (runs !== undefined) {
      for (const run of runs) {
        if (isPacked(run)) {
          for (let r = run.start; r < run.end; r++) {
            out[pos++] = (5 << 3) | LDELIM;
            pos = writePackedRow(out, writeVarint(out, pos, resultLengths[at++]!), run, r);
          }
        } else {
          for (let i = 0; i < run.length; i++) {
            out[pos++] = (5 << 3) | LDELIM;
            pos = writeRowCells(out, writeVarint(out, pos, resultLengths[at++]!), run[i]!);
          }
        }
      }
    }
    let plain = 0;
    for (let i = 0; i < results.length; i++) {
      const r = results[i];
      out[pos++] = (5 << 3) | LDELIM;
      pos = writeVarint(out, pos, resultLengths[at++]!);
      if (r instanceof RowCellsResult) pos = writeRowCells(out, pos, r.source);
      else {
        const body = plainBodies[plain++]!;
        out.set(body, pos);
        pos += body.length;
      }
    }
    out.set(tailBytes, pos);
    pos += tailBytes.length;
    if (pos !== total) throw new ProtobufCodecError(T, `internal: encoded ${pos} bytes, expected ${total}`);
    return out;
  },
};
/**
 * Decodes a `ScanResponse` as {@link scanResponseCodec} does, except its `results`: each is what
 * `readResult(bytes, start, end)` makes of the Result's body `bytes[start, end)` (e.g. a row of the
 * Table API straight from the bytes, without the plain `Cell` messages and their bigint timestamps).
 * `bytes` are not copied: what `readResult` keeps of them (views) shares their buffer.
 * @throws ProtobufCodecError when the bytes are not a ScanResponse (or `readResult` throws)
 */
export function decodeScanResponseWith<T>(
  bytes: Uint8Array,
  readResult: (bytes: Uint8Array, start: number, end: number) => T,
): Omit<ScanResponse, "results"> & { results?: T[] } {
  const view = Buffer.isBuffer(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes;
  try {
    const r = Reader.create(view);
    return readScanResponseWith(r, r.len, (reader, end) => readResult(view, reader.pos, end)) as Omit<ScanResponse, "results"> & { results?: T[] };
  } catch (e) {
    throw e instanceof ProtobufCodecError ? e : new ProtobufCodecError("ScanResponse", e instanceof Error ? e.message : String(e));
  }
}

/** `MultiResponse` (results and exceptions per action). */
export const multiResponseCodec: RawCoder = fastCodec("MultiResponse", writeMultiResponse, readMultiResponse);
/** `GetResponse`. */
export const getResponseCodec: RawCoder = fastCodec("GetResponse", writeGetResponse, readGetResponse);
