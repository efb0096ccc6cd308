/**
 * The key layout of the embedded store: the storage engine's unsigned byte order over these keys IS HBase's order (rows
 * unsigned, then family, qualifier, timestamp descending, delete markers before values at the same
 * timestamp). See README.md in this folder for the layout.
 */
import type { CellType } from "../../model/cell.js";

/** First byte of every catalog key. */
export const CATALOG_PREFIX = 0x00;
/** First byte of every data (cell) key. */
export const DATA_PREFIX = 0x01;

/** Largest timestamp a key can hold (the largest exact integer of a JS number). */
export const MAX_TIMESTAMP = Number.MAX_SAFE_INTEGER;

const TYPE_CODES: Record<CellType, number> = {
  deleteFamily: 0,
  deleteFamilyVersion: 1,
  deleteColumn: 2,
  delete: 3,
  put: 4,
};
const TYPES_BY_CODE: readonly CellType[] = ["deleteFamily", "deleteFamilyVersion", "deleteColumn", "delete", "put"];

/** Length of `value` escaped and terminated. */
function escapedLength(value: Uint8Array): number {
  let n = value.length + 2;
  for (let i = 0; i < value.length; i++) if (value[i] === 0) n++;
  return n;
}

/** Writes `value` escaped (0x00 → 0x00 0xFF) and terminated (0x00 0x00) at `offset`; returns the offset after it. */
function writeEscaped(out: Uint8Array, offset: number, value: Uint8Array): number {
  let o = offset;
  for (let i = 0; i < value.length; i++) {
    const b = value[i]!;
    out[o++] = b;
    if (b === 0) out[o++] = 0xff;
  }
  out[o++] = 0;
  out[o++] = 0;
  return o;
}

/** Writes DATA_PREFIX and the table id (big-endian uint32) at the start of `out`. */
function writeTablePrefix(out: Uint8Array, tableId: number): void {
  out[0] = DATA_PREFIX;
  out[1] = (tableId >>> 24) & 0xff;
  out[2] = (tableId >>> 16) & 0xff;
  out[3] = (tableId >>> 8) & 0xff;
  out[4] = tableId & 0xff;
}

/** The escaped form of `value` without its terminator (a prefix of the escaped form of every extension). */
export function escapeUnterminated(value: Uint8Array): Uint8Array {
  const out = new Uint8Array(escapedLength(value));
  writeEscaped(out, 0, value);
  return out.subarray(0, out.length - 2);
}

/** The 5-byte key prefix of a table's data: DATA_PREFIX then the table id, big-endian uint32. */
export function tablePrefix(tableId: number): Uint8Array {
  const out = new Uint8Array(5);
  writeTablePrefix(out, tableId);
  return out;
}

/** The key prefix every entry of one row starts with: table prefix, escaped row, terminator. */
export function rowKeyPrefix(tableId: number, row: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + escapedLength(row));
  writeTablePrefix(out, tableId);
  writeEscaped(out, 5, row);
  return out;
}

/** A key greater than every entry of `row` and smaller than every entry of any later row. */
export function rowKeyEnd(tableId: number, row: Uint8Array): Uint8Array {
  const prefix = rowKeyPrefix(tableId, row);
  prefix[prefix.length - 1] = 0x01;
  return prefix;
}

const SLAB_SIZE = 64 * 1024;
let slab = new ArrayBuffer(SLAB_SIZE);
let slabUsed = 0;

/**
 * A byte array of `length` bytes for a key the caller writes completely. Small keys are carved from a
 * shared slab (as Node's Buffer pool does), which is several times cheaper than a zero-filled
 * `new Uint8Array` of its own per key; the result is a plain Uint8Array.
 */
function allocKey(length: number): Uint8Array {
  if (length > 1024) return new Uint8Array(length);
  if (slabUsed + length > SLAB_SIZE) {
    slab = new ArrayBuffer(SLAB_SIZE);
    slabUsed = 0;
  }
  const out = new Uint8Array(slab, slabUsed, length);
  slabUsed += (length + 7) & ~7;
  return out;
}

/** Writes the timestamp (inverted big-endian uint64) and the type code at `o`; `out` ends there. */
function writeVersion(out: Uint8Array, o: number, timestamp: number, type: CellType): void {
  // Inverted big-endian uint64 (2^64 - 1 - ts): newer timestamps sort first. ts < 2^53, so split in two words.
  const high = Math.floor(timestamp / 0x1_0000_0000);
  const low = timestamp - high * 0x1_0000_0000;
  writeUint32(out, o, ~high >>> 0);
  writeUint32(out, o + 4, ~low >>> 0);
  out[o + 8] = TYPE_CODES[type];
}

/** The full key of one stored entry. */
export function encodeCellKey(
  tableId: number,
  row: Uint8Array,
  family: Uint8Array,
  qualifier: Uint8Array,
  timestamp: number,
  type: CellType,
): Uint8Array {
  const out = allocKey(5 + escapedLength(row) + escapedLength(family) + escapedLength(qualifier) + 9);
  writeTablePrefix(out, tableId);
  let o = writeEscaped(out, 5, row);
  o = writeEscaped(out, o, family);
  o = writeEscaped(out, o, qualifier);
  writeVersion(out, o, timestamp, type);
  return out;
}

/**
 * The full key of one stored entry whose row key prefix ({@link rowKeyPrefix}) is already encoded: the
 * same bytes as {@link encodeCellKey}, without escaping the row again for every cell of a row.
 */
export function encodeCellKeyInRow(
  rowPrefix: Uint8Array,
  family: Uint8Array,
  qualifier: Uint8Array,
  timestamp: number,
  type: CellType,
): Uint8Array {
  const n = rowPrefix.length;
  const out = allocKey(n + escapedLength(family) + escapedLength(qualifier) + 9);
  if (n <= 64) {
    for (let i = 0; i < n; i++) out[i] = rowPrefix[i]!;
  } else {
    out.set(rowPrefix, 0);
  }
  let o = writeEscaped(out, n, family);
  o = writeEscaped(out, o, qualifier);
  writeVersion(out, o, timestamp, type);
  return out;
}

function writeUint32(out: Uint8Array, offset: number, value: number): void {
  out[offset] = (value >>> 24) & 0xff;
  out[offset + 1] = (value >>> 16) & 0xff;
  out[offset + 2] = (value >>> 8) & 0xff;
  out[offset + 3] = value & 0xff;
}

function readUint32(key: Uint8Array, offset: number): number {
  return ((key[offset]! << 24) | (key[offset + 1]! << 16) | (key[offset + 2]! << 8) | key[offset + 3]!) >>> 0;
}

/** A data key taken apart. */
export interface DecodedCellKey {
  tableId: number;
  row: Uint8Array;
  family: Uint8Array;
  qualifier: Uint8Array;
  timestamp: number;
  type: CellType;
}

/** Segments up to this many bytes are copied rather than viewed (see {@link part}). */
const COPY_LIMIT = 64;

/**
 * `key[start, end)` as a plain Uint8Array: a copy when short (the usual row, family and qualifier), a
 * view of `key`'s memory otherwise. A short copy lives in V8's heap and costs less than a view: a view
 * needs `key.buffer`, which moves a small key held in V8's heap (the LMDB engine's) out of it, and every
 * view is a heavier object for the garbage collector. A view is cheaper than `subarray` on the Buffers
 * LevelDB returns (which builds a Buffer through the species constructor).
 */
function part(key: Uint8Array, start: number, end: number): Uint8Array {
  const n = end - start;
  if (n > COPY_LIMIT) return new Uint8Array(key.buffer, key.byteOffset + start, n);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = key[start + i]!;
  return out;
}

/** Where a segment read by {@link readEscaped} ended (the offset after its terminator); set by it. */
let segmentEnd = 0;

/**
 * Reads one escaped, terminated segment starting at `offset` and sets {@link segmentEnd}. Without
 * escapes (the common case) the bytes are taken as they are ({@link part}: a short copy or a view).
 */
function readEscaped(key: Uint8Array, offset: number): Uint8Array {
  let i = offset;
  let escapes = 0;
  const length = key.length;
  for (;;) {
    if (i >= length) throw new Error("corrupt key in the HBase data directory: unterminated segment");
    if (key[i] !== 0) {
      i++;
      continue;
    }
    const next = key[i + 1];
    if (next === 0xff) {
      escapes++;
      i += 2;
    } else if (next === 0) {
      break;
    } else {
      throw new Error("corrupt key in the HBase data directory: bad escape");
    }
  }
  segmentEnd = i + 2;
  if (escapes === 0) return part(key, offset, i);
  const out = new Uint8Array(i - offset - escapes);
  let o = 0;
  for (let j = offset; j < i; j++) {
    out[o++] = key[j]!;
    if (key[j] === 0) j++;
  }
  return out;
}

/**
 * Whether the segment of `key` at `offset` is exactly `bytes` (holding no 0x00 byte) followed by the
 * terminator: then an equal family or qualifier decoded before can be shared instead of read again.
 */
function segmentIs(key: Uint8Array, offset: number, bytes: Uint8Array): boolean {
  const n = bytes.length;
  if (key.length < offset + n + 2) return false;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b === 0 || key[offset + i] !== b) return false;
  }
  return key[offset + n] === 0 && key[offset + n + 1] === 0;
}

/** Reads the segment at `offset` (setting {@link segmentEnd}), sharing `hint` or `hint2` when equal to it. */
function readSegment(key: Uint8Array, offset: number, hint: Uint8Array | undefined, hint2: Uint8Array | undefined): Uint8Array {
  if (hint !== undefined && segmentIs(key, offset, hint)) {
    segmentEnd = offset + hint.length + 2;
    return hint;
  }
  if (hint2 !== undefined && hint2 !== hint && segmentIs(key, offset, hint2)) {
    segmentEnd = offset + hint2.length + 2;
    return hint2;
  }
  return readEscaped(key, offset);
}

/**
 * Decodes the part of a data key after the row (family, qualifier, timestamp, type), at `offset`.
 * `like` and `like2` are keys decoded before whose family and qualifier the key probably has: equal
 * parts are shared (the same Uint8Array) instead of read again.
 */
function decodeAfterRow(key: Uint8Array, offset: number, tableId: number, row: Uint8Array, like?: DecodedCellKey, like2?: DecodedCellKey): DecodedCellKey {
  const family = readSegment(key, offset, like?.family, like2?.family);
  const qualifier = readSegment(key, segmentEnd, like?.qualifier, like2?.qualifier);
  const o = segmentEnd;
  if (key.length !== o + 9) throw new Error("corrupt key in the HBase data directory: bad length");
  const high = ~readUint32(key, o) >>> 0;
  const low = ~readUint32(key, o + 4) >>> 0;
  const timestamp = high * 0x1_0000_0000 + low;
  const type = TYPES_BY_CODE[key[o + 8]!];
  if (type === undefined) throw new Error("corrupt key in the HBase data directory: unknown entry type");
  return { tableId, row, family, qualifier, timestamp, type };
}

/**
 * The parts of a data key after its row, as {@link readCellKeyParts} leaves them: one object, reused by
 * every call (copy what you keep before the next call).
 */
export interface CellKeyParts {
  family: Uint8Array;
  qualifier: Uint8Array;
  timestamp: number;
  /** The entry type's code: 4 is a put, lower codes are delete markers. */
  typeCode: number;
}

/** Type code of a put entry ({@link CellKeyParts.typeCode}). */
export const PUT_TYPE_CODE = 4;

/** What {@link readCellKeyParts} decoded last. */
export const cellKeyParts: CellKeyParts = { family: new Uint8Array(0), qualifier: new Uint8Array(0), timestamp: 0, typeCode: PUT_TYPE_CODE };

/**
 * Decodes the family, qualifier, timestamp and type of a data key whose row prefix is `prefixLength`
 * bytes long into {@link cellKeyParts} (no object made per key). Family and qualifier are shared with
 * `family1`/`family2` and `qualifier1`/`qualifier2` (parts decoded before) when equal, else read as in
 * {@link decodeCellKey}. Throws on a corrupt key.
 */
export function readCellKeyParts(
  key: Uint8Array,
  prefixLength: number,
  family1: Uint8Array | undefined,
  qualifier1: Uint8Array | undefined,
  family2: Uint8Array | undefined,
  qualifier2: Uint8Array | undefined,
): CellKeyParts {
  const family = readSegment(key, prefixLength, family1, family2);
  const qualifier = readSegment(key, segmentEnd, qualifier1, qualifier2);
  const o = segmentEnd;
  if (key.length !== o + 9) throw new Error("corrupt key in the HBase data directory: bad length");
  const high = ~readUint32(key, o) >>> 0;
  const low = ~readUint32(key, o + 4) >>> 0;
  const typeCode = key[o + 8]!;
  if (typeCode > PUT_TYPE_CODE) throw new Error("corrupt key in the HBase data directory: unknown entry type");
  const parts = cellKeyParts;
  parts.family = family;
  parts.qualifier = qualifier;
  parts.timestamp = high * 0x1_0000_0000 + low;
  parts.typeCode = typeCode;
  return parts;
}

/** The cell type of a type code ({@link CellKeyParts.typeCode}). */
export function cellTypeOfCode(code: number): CellType {
  const type = TYPES_BY_CODE[code];
  if (type === undefined) throw new Error("corrupt key in the HBase data directory: unknown entry type");
  return type;
}

/**
 * Decodes a data key written by {@link encodeCellKey}. Row, family and qualifier are copies, or views
 * into `key` when longer than 64 bytes and free of escaped bytes: `key` must not be modified afterwards.
 */
export function decodeCellKey(key: Uint8Array): DecodedCellKey {
  if (key[0] !== DATA_PREFIX || key.length < 5) throw new Error("corrupt key in the HBase data directory: not a data key");
  const row = readEscaped(key, 5);
  return decodeAfterRow(key, segmentEnd, readUint32(key, 1), row);
}

/**
 * Decodes a data key of a row already known: `rowPrefix` is the row's key prefix ({@link rowKeyPrefix}),
 * or with `prefixLength` its first `prefixLength` bytes (e.g. another key of the row), and `row` its row
 * key; `key` must start with that prefix (see {@link startsWithRowPrefix}). Shares `row` instead of
 * decoding it again, and the family and qualifier of `like` or `like2` (keys decoded before, e.g. the
 * previous entry, and the entry at the same place in the previous row) where they are equal. Parts not
 * shared are read as in {@link decodeCellKey}. Shared parts are the same Uint8Array objects.
 */
export function decodeCellKeyInRow(
  key: Uint8Array,
  rowPrefix: Uint8Array,
  row: Uint8Array,
  like?: DecodedCellKey,
  prefixLength: number = rowPrefix.length,
  like2?: DecodedCellKey,
): DecodedCellKey {
  return decodeAfterRow(key, prefixLength, readUint32(key, 1), row, like, like2);
}

/**
 * Whether data key `key` belongs to the row whose key prefix is `rowPrefix` (compared in place; the
 * escaped encoding is prefix-free, so a key starting with a row's prefix is that row's). With
 * `prefixLength`, the prefix is the first `prefixLength` bytes of `rowPrefix` (e.g. another key of the row).
 */
export function startsWithRowPrefix(key: Uint8Array, rowPrefix: Uint8Array, prefixLength: number = rowPrefix.length): boolean {
  const n = prefixLength;
  if (key.length <= n) return false;
  // From the end: keys of neighbouring rows usually differ in their last row bytes.
  for (let i = n - 1; i >= 0; i--) if (key[i] !== rowPrefix[i]) return false;
  return true;
}

/**
 * The row key of a data key whose row prefix is `prefixLength` bytes long ({@link rowPrefixLength}): a
 * copy, or a view into `key` when longer than 64 bytes and free of escaped bytes.
 */
export function rowOfKey(key: Uint8Array, prefixLength: number): Uint8Array {
  const row = readEscaped(key, 5);
  if (segmentEnd !== prefixLength) throw new Error("corrupt key in the HBase data directory: bad row prefix");
  return row;
}

/** Length of the row part of a data key (table prefix + escaped row + terminator): the row's key prefix. */
export function rowPrefixLength(key: Uint8Array): number {
  let i = 5;
  while (i < key.length) {
    if (key[i] === 0) {
      if (key[i + 1] === 0) return i + 2;
      i += 2;
    } else i++;
  }
  throw new Error("corrupt key in the HBase data directory: unterminated row");
}

/** The smallest key greater than every key starting with `prefix`, or undefined when there is none. */
export function prefixSuccessor(prefix: Uint8Array): Uint8Array | undefined {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i] !== 0xff) {
      const out = new Uint8Array(i + 1);
      out.set(prefix.subarray(0, i + 1));
      out[i] = prefix[i]! + 1;
      return out;
    }
  }
  return undefined;
}
