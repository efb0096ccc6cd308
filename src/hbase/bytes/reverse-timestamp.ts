/**
 * Reverse timestamps for row keys: `Long.MAX_VALUE - ts` as 8 big-endian bytes, so that in HBase's
 * ascending row order the newest entry of a key prefix comes first (the usual "latest first" design).
 */
import { CodecError, describeBytes, describeValue, requireLength } from "./codec.js";
import type { Codec } from "./codec.js";
import { INT64_MAX } from "./int-range.js";

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * A timestamp (ms since the epoch, as cell timestamps: an integer in [0, 2^53 - 1]) as
 * `Long.MAX_VALUE - ts`, 8 bytes big-endian: a later timestamp gives a smaller key. Decoding bytes
 * whose timestamp is beyond 2^53 - 1 (written by another client) is an error, not a rounded number.
 */
export const reverseTimestamp: Codec<number> = {
  name: "reverseTimestamp",
  encode(value) {
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
      throw new CodecError("reverseTimestamp", `an integer number in [0, ${Number.MAX_SAFE_INTEGER}]`, describeValue(value));
    }
    const out = new Uint8Array(8);
    view(out).setBigUint64(0, INT64_MAX - BigInt(value));
    return out;
  },
  decode(bytes) {
    requireLength("reverseTimestamp", bytes, 8);
    const reversed = view(bytes).getBigUint64(0);
    if (reversed > INT64_MAX) throw new CodecError("reverseTimestamp", "bytes of Long.MAX_VALUE - ts with ts ≥ 0 (first bit 0)", describeBytes(bytes));
    const ts = INT64_MAX - reversed;
    if (ts > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new CodecError("reverseTimestamp", `a timestamp ≤ ${Number.MAX_SAFE_INTEGER} (exact as a number)`, `${ts}n from ${describeBytes(bytes)}`);
    }
    return Number(ts);
  },
};
