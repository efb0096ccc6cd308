/**
 * The byte basics every part of the HBase layer shares: BytesLike → bytes (strings as UTF-8, as
 * HBase's `Bytes.toBytes(String)`), unsigned lexicographic comparison (HBase's row and column order),
 * prefix tests, concatenation, and printable forms for error messages.
 */
import type { BytesLike } from "./bytes-like.js";

const encoder = new TextEncoder();

/** Bytes of a BytesLike: strings are UTF-8 encoded; bytes are returned as they are (not copied). */
export function toBytes(value: BytesLike): Uint8Array {
  if (typeof value === "string") return encoder.encode(value);
  if (value instanceof Uint8Array) return value;
  throw new TypeError(`expected bytes (Uint8Array) or a string, got ${describeValue(value)}`);
}

/** Unsigned lexicographic order: negative when a < b, 0 when equal, positive when a > b. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** Whether two byte strings are equal. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether `value` starts with `prefix`. */
export function startsWith(value: Uint8Array, prefix: Uint8Array): boolean {
  if (prefix.length > value.length) return false;
  for (let i = 0; i < prefix.length; i++) if (value[i] !== prefix[i]) return false;
  return true;
}

/**
 * The smallest byte string greater than every string that starts with `prefix` (the prefix with its
 * last non-0xFF byte incremented and the rest cut); undefined when there is none (all 0xFF, or empty).
 */
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

/** The parts joined into one new array. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** HBase's `Bytes.toStringBinary`: printable ASCII as is, other bytes as \xNN. */
export function toStringBinary(value: Uint8Array): string {
  let out = "";
  for (const b of value) {
    out += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? `an object (${(value as object).constructor?.name ?? "Object"})` : `${typeof value} ${String(value)}`;
}
