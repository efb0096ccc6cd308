/**
 * The key layout of the embedded store: LevelDB's byte order over these keys IS HBase's order (rows
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

/** The full key of one stored entry. */
export function encodeCellKey(
  tableId: number,
  row: Uint8Array,
  family: Uint8Array,
  qualifier: Uint8Array,
  timestamp: number,
  type: CellType,
): Uint8Array {
  const out = new Uint8Array(5 + escapedLength(row) + escapedLength(family) + escapedLength(qualifier) + 9);
  writeTablePrefix(out, tableId);
  let o = writeEscaped(out, 5, row);
  o = writeEscaped(out, o, family);
  o = writeEscaped(out, o, qualifier);
  // Inverted big-endian uint64 (2^64 - 1 - ts): newer timestamps sort first. ts < 2^53, so split in two words.
  const high = Math.floor(timestamp / 0x1_0000_0000);
  const low = timestamp - high * 0x1_0000_0000;
  writeUint32(out, o, ~high >>> 0);
  writeUint32(out, o + 4, ~low >>> 0);
  out[o + 8] = TYPE_CODES[type];
  return out;
}

function writeUint32(out: Uint8Array, offset: number, value: number): void {
  out[offset] = (value >>> 24) & 0xff;
  out[offset + 1] = (value >>> 16) & 0xff;
  out[offset + 2] = (value >>> 8) & 0xff;
  out[offset + 3] = value & 0xff;
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

/** Reads one escaped, terminated segment starting at `offset`; returns the bytes and the offset after it. */
function readEscaped(key: Uint8Array, offset: number): [Uint8Array, number] {
  let i = offset;
  let escapes = 0;
  for (;;) {
    if (i >= key.length) throw new Error("corrupt key in the HBase data directory: unterminated segment");
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
  if (escapes === 0) return [key.slice(offset, i), i + 2];
  const out = new Uint8Array(i - offset - escapes);
  let o = 0;
  for (let j = offset; j < i; j++) {
    out[o++] = key[j]!;
    if (key[j] === 0) j++;
  }
  return [out, i + 2];
}

/** Decodes a data key written by {@link encodeCellKey}. */
export function decodeCellKey(key: Uint8Array): DecodedCellKey {
  if (key[0] !== DATA_PREFIX || key.length < 5) throw new Error("corrupt key in the HBase data directory: not a data key");
  const view = new DataView(key.buffer, key.byteOffset, key.byteLength);
  const tableId = view.getUint32(1);
  const [row, afterRow] = readEscaped(key, 5);
  const [family, afterFamily] = readEscaped(key, afterRow);
  const [qualifier, afterQualifier] = readEscaped(key, afterFamily);
  if (key.length !== afterQualifier + 9) throw new Error("corrupt key in the HBase data directory: bad length");
  const high = ~view.getUint32(afterQualifier) >>> 0;
  const low = ~view.getUint32(afterQualifier + 4) >>> 0;
  const timestamp = high * 0x1_0000_0000 + low;
  const type = TYPES_BY_CODE[key[afterQualifier + 8]!];
  if (type === undefined) throw new Error("corrupt key in the HBase data directory: unknown entry type");
  return { tableId, row, family, qualifier, timestamp, type };
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
      const out = prefix.slice(0, i + 1);
      out[i] = prefix[i]! + 1;
      return out;
    }
  }
  return undefined;
}
