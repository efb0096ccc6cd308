/**
 * Salted row keys: a fixed-width bucket prefix (a stable hash of the key modulo the bucket count) in
 * front of the key, so that monotonically increasing keys (timestamps, sequence numbers) spread over
 * regions instead of all landing in the last one. A scan over a key range then fans out: one range
 * per bucket ({@link SaltedKeys.scanRanges}), merged by the caller if it needs global key order.
 *
 * The hash is 32-bit FNV-1a of the key bytes, taken unsigned, modulo the bucket count: stable across
 * processes, platforms and versions (it is part of the stored format and must never change).
 * The prefix is the bucket number big-endian: 1 byte for up to 256 buckets, 2 bytes for up to 65536.
 */
import { compareBytes, concatBytes, toBytes } from "./bytes.js";
import { CodecError, describeBytes, describeValue, requireBytes } from "./codec.js";
import type { Codec } from "./codec.js";
import type { BytesLike } from "../bytes/bytes-like.js";

/** 32-bit FNV-1a of `bytes`, unsigned (offset basis 0x811C9DC5, prime 0x01000193). */
export function fnv1a32(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (const b of bytes) {
    hash ^= b;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** One bucket's part of a fan-out scan: rows startRow ≤ r < stopRow (no stopRow: to the end of the table). */
export interface SaltedScanRange {
  readonly bucket: number;
  readonly startRow: Uint8Array;
  readonly stopRow: Uint8Array | undefined;
}

/** What to scan, in unsalted keys: a range [startRow, stopRow), or every key starting with `prefix`. */
export interface SaltedScanSpec {
  startRow?: BytesLike;
  stopRow?: BytesLike;
  prefix?: BytesLike;
}

/** Salting with a fixed number of buckets; `decode` strips (and checks) the prefix. */
export interface SaltedKeys extends Codec<Uint8Array, BytesLike> {
  readonly buckets: number;
  /** Bytes of the bucket prefix: 1 (≤ 256 buckets) or 2. */
  readonly prefixLength: number;
  /** The prefix of each bucket, in bucket order, which is also their row order. */
  readonly prefixes: readonly Uint8Array[];
  /** The bucket of an unsalted key. */
  bucketOf(key: BytesLike): number;
  /** The salted key: the key's bucket prefix followed by the key. */
  encode(key: BytesLike): Uint8Array;
  /** The unsalted key of a salted key; a key too short or with a bucket out of range is an error. */
  decode(salted: Uint8Array): Uint8Array;
  /** A salted key's bucket and unsalted key. */
  split(salted: Uint8Array): { bucket: number; key: Uint8Array };
  /** One forward scan range per bucket covering the given unsalted range or prefix (default: everything). */
  scanRanges(spec?: SaltedScanSpec): SaltedScanRange[];
}

/** The smallest key greater than every key starting with `prefix`; undefined when there is none (all 0xFF). */
function nextPrefix(prefix: Uint8Array): Uint8Array | undefined {
  let end = prefix.length;
  while (end > 0 && prefix[end - 1] === 0xff) end--;
  if (end === 0) return undefined;
  const out = prefix.slice(0, end);
  out[end - 1]! += 1;
  return out;
}

function keyBytes(codec: string, key: unknown, what: string): Uint8Array {
  if (key instanceof Uint8Array || typeof key === "string") return toBytes(key);
  throw new CodecError(codec, `${what} as bytes (Uint8Array) or a string`, describeValue(key));
}

/** Salting into `buckets` buckets (an integer in [1, 65536]). */
export function saltedKeys(options: { buckets: number }): SaltedKeys {
  const buckets = options?.buckets;
  if (typeof buckets !== "number" || !Number.isInteger(buckets) || buckets < 1 || buckets > 65536) {
    throw new RangeError(`saltedKeys: buckets must be an integer in [1, 65536], got ${describeValue(buckets)}`);
  }
  const name = `saltedKeys(${buckets})`;
  const prefixLength = buckets <= 256 ? 1 : 2;
  const prefixOf = (bucket: number): Uint8Array => (prefixLength === 1 ? Uint8Array.of(bucket) : Uint8Array.of(bucket >>> 8, bucket & 0xff));
  const prefixes = Object.freeze(Array.from({ length: buckets }, (_, b) => prefixOf(b)));
  const bucketOfBytes = (key: Uint8Array): number => fnv1a32(key) % buckets;

  const split = (salted: Uint8Array): { bucket: number; key: Uint8Array } => {
    requireBytes(name, salted);
    if (salted.length < prefixLength) throw new CodecError(name, `at least ${prefixLength} prefix byte${prefixLength === 1 ? "" : "s"}`, describeBytes(salted));
    const bucket = prefixLength === 1 ? salted[0]! : (salted[0]! << 8) | salted[1]!;
    if (bucket >= buckets) throw new CodecError(name, `a bucket prefix in [0, ${buckets - 1}]`, `bucket ${bucket} in ${describeBytes(salted)}`);
    return { bucket, key: salted.subarray(prefixLength) };
  };

  return {
    name,
    buckets,
    prefixLength,
    prefixes,
    bucketOf: (key) => bucketOfBytes(keyBytes(name, key, "a key")),
    encode(key) {
      const bytes = keyBytes(name, key, "a key");
      return concatBytes(prefixes[bucketOfBytes(bytes)]!, bytes);
    },
    decode: (salted) => split(salted).key,
    split,
    scanRanges(spec = {}) {
      const { startRow, stopRow, prefix } = spec;
      if (prefix !== undefined && (startRow !== undefined || stopRow !== undefined)) {
        throw new TypeError(`${name}: scanRanges takes a prefix or a startRow/stopRow range, not both`);
      }
      const start = startRow === undefined ? undefined : keyBytes(name, startRow, "startRow");
      const stop = stopRow === undefined ? undefined : keyBytes(name, stopRow, "stopRow");
      const pre = prefix === undefined ? undefined : keyBytes(name, prefix, "prefix");
      if (start && stop && stop.length > 0 && compareBytes(start, stop) > 0) {
        throw new RangeError(`${name}: startRow must not be after stopRow`);
      }
      return prefixes.map((p, bucket) => {
        if (pre) {
          const from = concatBytes(p, pre);
          return { bucket, startRow: from, stopRow: nextPrefix(from) };
        }
        return {
          bucket,
          startRow: start ? concatBytes(p, start) : p,
          // An empty stopRow means "to the end", as in HBase's Scan.
          stopRow: stop && stop.length > 0 ? concatBytes(p, stop) : nextPrefix(p),
        };
      });
    },
  };
}
