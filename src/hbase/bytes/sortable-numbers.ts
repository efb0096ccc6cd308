/**
 * Fixed-width numbers for row keys whose unsigned byte order (HBase's row order) is numeric order.
 * HBase's plain `Bytes.toBytes(int/long/double)` put negative numbers after positive ones; these flip
 * the sign bit (integers) or, for doubles, flip the sign bit of positives and every bit of negatives.
 *
 * Double order is Java's `Double.compare` total order: -Infinity < … < -0 < +0 < … < +Infinity < NaN.
 */
import { CodecError, describeValue, requireLength } from "./codec.js";
import type { Codec } from "./codec.js";
import { requireInt32, requireInt64 } from "./int-range.js";

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A 4-byte int32 that sorts numerically: big-endian two's complement with the sign bit flipped. */
export const sortableInt32: Codec<number> = {
  name: "sortableInt32",
  encode(value) {
    const out = new Uint8Array(4);
    view(out).setUint32(0, (requireInt32("sortableInt32", value) ^ 0x8000_0000) >>> 0);
    return out;
  },
  decode(bytes) {
    requireLength("sortableInt32", bytes, 4);
    return (view(bytes).getUint32(0) ^ 0x8000_0000) | 0;
  },
};

const SIGN64 = 1n << 63n;

/** An 8-byte int64 that sorts numerically: big-endian two's complement with the sign bit flipped. Encode takes a bigint or a safe integer. */
export const sortableInt64: Codec<bigint, bigint | number> = {
  name: "sortableInt64",
  encode(value) {
    const out = new Uint8Array(8);
    view(out).setBigUint64(0, BigInt.asUintN(64, requireInt64("sortableInt64", value)) ^ SIGN64);
    return out;
  },
  decode(bytes) {
    requireLength("sortableInt64", bytes, 8);
    return BigInt.asIntN(64, view(bytes).getBigUint64(0) ^ SIGN64);
  },
};

/**
 * An 8-byte double that sorts numerically: the IEEE-754 bits with the sign bit flipped for positives
 * and all bits flipped for negatives. -0 sorts just below +0 and NaN above +Infinity; both round-trip.
 */
export const sortableDouble: Codec<number> = {
  name: "sortableDouble",
  encode(value) {
    if (typeof value !== "number") throw new CodecError("sortableDouble", "a number", describeValue(value));
    const out = new Uint8Array(8);
    const v = view(out);
    v.setFloat64(0, value);
    if ((out[0]! & 0x80) !== 0) {
      for (let i = 0; i < 8; i++) out[i] = ~out[i]! & 0xff;
    } else {
      out[0] = out[0]! | 0x80;
    }
    return out;
  },
  decode(bytes) {
    requireLength("sortableDouble", bytes, 8);
    const raw = Uint8Array.from(bytes);
    if ((raw[0]! & 0x80) !== 0) {
      raw[0] = raw[0]! & 0x7f;
    } else {
      for (let i = 0; i < 8; i++) raw[i] = ~raw[i]! & 0xff;
    }
    return view(raw).getFloat64(0);
  },
};
