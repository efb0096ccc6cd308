/**
 * The backend-independent check of a mutation's shape (kind, row, cells, timestamps), done before a
 * buffered mutator accepts it, and the estimate of its heap size (HBase's `Mutation.heapSize()`) that
 * the buffer's byte limit counts. What needs the table (its families, value size limits) is checked by
 * the table when the mutation is written.
 */
import type { BytesLike } from "./bytes/bytes-like.js";
import type { Mutation } from "./table.js";
import { familyVersionNeedsTimestamp } from "./delete-options.js";

/** Longest row key HBase accepts (Short.MAX_VALUE). */
export const MAX_ROW_KEY_LENGTH = 32767;

/** Estimated fixed heap cost of one mutation object (its row, maps and bookkeeping). */
const MUTATION_OVERHEAD = 64;
/** Estimated fixed heap cost of one cell (HBase's KeyValue: lengths, timestamp, type, object header). */
const CELL_OVERHEAD = 48;

/** Byte length of a BytesLike (strings as UTF-8), or undefined when it is neither bytes nor a string. */
function byteLength(value: unknown): number | undefined {
  if (typeof value === "string") return Buffer.byteLength(value, "utf8");
  if (value instanceof Uint8Array) return value.length;
  return undefined;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return `an object (${(value as object).constructor?.name ?? "Object"})`;
  return `${typeof value} ${String(value)}`;
}

/** Length of a required BytesLike field; throws naming the field. */
function requireBytes(value: unknown, field: string, where: string): number {
  const n = byteLength(value);
  if (n === undefined) throw new TypeError(`${where}: ${field} must be bytes (Uint8Array) or a string, got ${describe(value)}`);
  return n;
}

function checkTimestamp(value: unknown, field: string, where: string): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new Error(`${where}: ${field} must be an integer number of milliseconds from 0 to ${Number.MAX_SAFE_INTEGER}, got ${describe(value)}`);
  }
}

/**
 * Checks that `mutation` is a well-formed put or delete and returns its estimated heap size in bytes.
 * Throws a clear error, prefixed with `where`, naming the first problem.
 */
export function checkMutation(mutation: Mutation, where: string): number {
  if (mutation === null || typeof mutation !== "object" || Array.isArray(mutation)) {
    throw new TypeError(`${where}: a mutation is { kind: "put", row, cells } or { kind: "delete", row, ... }, got ${describe(mutation)}`);
  }
  const kind: unknown = mutation.kind;
  if (kind !== "put" && kind !== "delete") {
    throw new TypeError(`${where}: unknown mutation kind ${describe(kind)}: use "put" or "delete"`);
  }
  if (!("row" in mutation) || mutation.row === undefined) throw new TypeError(`${where}: the ${kind} has no row`);
  const rowLength = requireBytes(mutation.row, "the row key", where);
  if (rowLength === 0) throw new Error(`${where}: the row key must not be empty`);
  if (rowLength > MAX_ROW_KEY_LENGTH) throw new Error(`${where}: a row key of ${rowLength} bytes is longer than ${MAX_ROW_KEY_LENGTH}`);
  checkTimestamp(mutation.timestamp, "timestamp", where);
  let size = MUTATION_OVERHEAD + rowLength;
  if (mutation.kind === "put") {
    const cells: unknown = mutation.cells;
    if (!Array.isArray(cells)) throw new TypeError(`${where}: a put needs cells: [{ family, qualifier, value, timestamp? }], got ${describe(cells)}`);
    if (cells.length === 0) throw new Error(`${where}: a put has no cells`);
    cells.forEach((cell: unknown, i: number) => {
      const at = `cell ${i}`;
      if (cell === null || typeof cell !== "object") throw new TypeError(`${where}: ${at} must be { family, qualifier, value, timestamp? }, got ${describe(cell)}`);
      const c = cell as { family?: BytesLike; qualifier?: BytesLike; value?: BytesLike; timestamp?: number };
      const family = requireBytes(c.family, `${at} family`, where);
      if (family === 0) throw new Error(`${where}: ${at} family must not be empty`);
      const qualifier = requireBytes(c.qualifier, `${at} qualifier`, where);
      const value = requireBytes(c.value, `${at} value`, where);
      checkTimestamp(c.timestamp, `${at} timestamp`, where);
      size += CELL_OVERHEAD + family + qualifier + value;
    });
    return size;
  }
  const del = mutation as { family?: unknown; qualifier?: unknown; allVersions?: unknown };
  if (del.family !== undefined) {
    const family = requireBytes(del.family, "family", where);
    if (family === 0) throw new Error(`${where}: family must not be empty`);
    size += family;
  }
  if (del.qualifier !== undefined) {
    if (del.family === undefined) throw new Error(`${where}: a delete with a qualifier needs its family`);
    size += requireBytes(del.qualifier, "qualifier", where);
  }
  if (del.allVersions !== undefined && typeof del.allVersions !== "boolean") {
    throw new TypeError(`${where}: allVersions must be a boolean, got ${describe(del.allVersions)}`);
  }
  if (del.family !== undefined && del.qualifier === undefined && del.allVersions === false && mutation.timestamp === undefined) {
    throw new Error(familyVersionNeedsTimestamp(where));
  }
  return size + CELL_OVERHEAD;
}
