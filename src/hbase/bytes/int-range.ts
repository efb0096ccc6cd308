/**
 * Range checks of the integer codecs: a value must be an integer of the codec's width, or the codec
 * throws a {@link CodecError} naming the range and the value it got.
 */
import { CodecError, describeValue } from "./codec.js";

/** The smallest int32, -2^31. */
export const INT32_MIN = -0x8000_0000;
/** The largest int32, 2^31 - 1. */
export const INT32_MAX = 0x7fff_ffff;
/** The smallest int64 (Java's Long.MIN_VALUE), -2^63. */
export const INT64_MIN = -(2n ** 63n);
/** The largest int64 (Java's Long.MAX_VALUE), 2^63 - 1. */
export const INT64_MAX = 2n ** 63n - 1n;

/** `value` when it is a number that is an integer in the int32 range; else a CodecError of `codec`. */
export function requireInt32(codec: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) {
    throw new CodecError(codec, `an integer number in [${INT32_MIN}, ${INT32_MAX}]`, describeValue(value));
  }
  return value;
}

/**
 * `value` as a bigint when it is a bigint in the int64 range, or a number that is a safe integer
 * (|n| ≤ 2^53 - 1, where a number is exact); else a CodecError of `codec`.
 */
export function requireInt64(codec: string, value: unknown): bigint {
  if (typeof value === "bigint") {
    if (value >= INT64_MIN && value <= INT64_MAX) return value;
  } else if (typeof value === "number") {
    if (Number.isSafeInteger(value)) return BigInt(value);
  }
  throw new CodecError(codec, `a bigint in [${INT64_MIN}, ${INT64_MAX}] or a safe integer number`, describeValue(value));
}
