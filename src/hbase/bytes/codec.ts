/**
 * The codec contract: a named, reversible mapping between typed values and HBase bytes, and the error
 * every codec and row-key builder throws for a value or byte string it cannot take.
 */
import { toStringBinary } from "./bytes.js";

/**
 * Encodes values of type `T` to bytes and decodes them back. `TInput` is what `encode` accepts; it is
 * `T` unless a codec takes more (the int64 codec decodes to `bigint` but also encodes safe `number`s).
 */
export interface Codec<T, TInput = T> {
  /** The codec's name, as errors and schemas spell it (e.g. "int64"). */
  readonly name: string;
  /** The bytes of `value`; throws {@link CodecError} when `value` is not of the codec's type or range. */
  encode(value: TInput): Uint8Array;
  /** The value of `bytes`; throws {@link CodecError} when `bytes` is not a valid encoding. */
  decode(bytes: Uint8Array): T;
}

/** Bytes shown in an error message at most; longer inputs are cut with "…". */
const SHOWN_BYTES = 32;

/** A value or byte string a codec cannot take: names the codec, what it expected and what it got. */
export class CodecError extends Error {
  override readonly name = "CodecError";

  /**
   * @param codec the codec's name
   * @param expected what the codec expected, e.g. "4 bytes" or "an integer in [0, 255]"
   * @param actual what it got, already described (see {@link describeValue} and {@link describeBytes})
   */
  constructor(
    readonly codec: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`${codec} codec: expected ${expected}, got ${actual}`);
  }
}

/** A value described for an error message: its type and, for primitives, the value. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (value instanceof Uint8Array) return describeBytes(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  switch (typeof value) {
    case "string":
      return `string ${JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value)}`;
    case "bigint":
      return `bigint ${value}n`;
    case "number":
      return `number ${Object.is(value, -0) ? "-0" : String(value)}`;
    case "object":
      return `an object (${(value as object).constructor?.name ?? "null prototype"})`;
    default:
      return `${typeof value} ${String(value)}`;
  }
}

/** A byte string described for an error message: its length and printable form. */
export function describeBytes(bytes: Uint8Array): string {
  const shown = bytes.length > SHOWN_BYTES ? `${toStringBinary(bytes.subarray(0, SHOWN_BYTES))}…` : toStringBinary(bytes);
  return `${bytes.length} byte${bytes.length === 1 ? "" : "s"} ("${shown}")`;
}

/** Throws a {@link CodecError} unless `bytes` is a Uint8Array (a decode given something else). */
export function requireBytes(codec: string, bytes: unknown): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new CodecError(codec, "bytes (Uint8Array) to decode", describeValue(bytes));
}

/** Throws a {@link CodecError} unless `bytes` is a Uint8Array of exactly `length` bytes. */
export function requireLength(codec: string, bytes: unknown, length: number): asserts bytes is Uint8Array {
  requireBytes(codec, bytes);
  if (bytes.length !== length) throw new CodecError(codec, `${length} byte${length === 1 ? "" : "s"}`, describeBytes(bytes));
}
