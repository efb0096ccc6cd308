import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClassicLevel } from "classic-level";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { compareBytes, concatBytes, startsWith, toBytes } from "../../src/hbase/bytes/bytes.js";
import { CodecError } from "../../src/hbase/bytes/codec.js";
import { INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN } from "../../src/hbase/bytes/int-range.js";
import {
  compositeKey,
  compositeKeyOf,
  fnv1a32,
  reverseTimestamp,
  saltedKeys,
  sortableDouble,
  sortableInt32,
  sortableInt64,
} from "../../src/hbase/bytes/row-keys.js";
import { codecs, stringCodec } from "../../src/hbase/bytes/value-codecs.js";

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");
const sign = (n: number): number => (n > 0 ? 1 : n < 0 ? -1 : 0);
const compareNumbers = (a: number | bigint, b: number | bigint): number => (a < b ? -1 : a > b ? 1 : 0);

/** Java's Double.compare: -0 < +0, NaN above everything and equal to itself. */
function compareDoubles(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number(Number.isNaN(a)) - Number(Number.isNaN(b));
  if (a !== b) return a < b ? -1 : 1;
  return Number(!Object.is(a, -0)) - Number(!Object.is(b, -0));
}

/** Tuple order: part by part (unsigned bytes), a tuple before its extensions. */
function compareTuples(a: readonly Uint8Array[], b: readonly Uint8Array[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareBytes(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** Byte strings rich in the separator and escape bytes, and in 0xFF. */
const trickyBytes = fc.uint8Array({ maxLength: 6 }).map((b) => b.map((x) => [0x00, 0x01, 0x02, 0x7f, 0xfe, 0xff][x % 6]!));
const parts = fc.array(fc.oneof(trickyBytes, fc.uint8Array({ maxLength: 8 })), { minLength: 1, maxLength: 4 });

let dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  dirs = [];
});

/** A real LevelDB (HBase's unsigned byte order) holding `keys`; returns them in the engine's iteration order. */
async function levelOrder(keys: readonly Uint8Array[]): Promise<Uint8Array[]> {
  const dir = await mkdtemp(join(tmpdir(), "sluice-row-keys-"));
  dirs.push(dir);
  const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: "view", valueEncoding: "view" });
  try {
    await db.batch(keys.map((key) => ({ type: "put" as const, key, value: new Uint8Array(0) })));
    const out: Uint8Array[] = [];
    for await (const key of db.keys()) out.push(key);
    return out;
  } finally {
    await db.close();
  }
}

describe("sortable numbers", () => {
  it("flip the sign bit of big-endian integers", () => {
    expect(hex(sortableInt32.encode(0))).toBe("80000000");
    expect(hex(sortableInt32.encode(-1))).toBe("7fffffff");
    expect(hex(sortableInt32.encode(INT32_MIN))).toBe("00000000");
    expect(hex(sortableInt32.encode(INT32_MAX))).toBe("ffffffff");
    expect(hex(sortableInt64.encode(0n))).toBe("8000000000000000");
    expect(hex(sortableInt64.encode(-1))).toBe("7fffffffffffffff");
    expect(hex(sortableInt64.encode(INT64_MIN))).toBe("0000000000000000");
    expect(hex(sortableInt64.encode(INT64_MAX))).toBe("ffffffffffffffff");
  });

  it("encode doubles with the IEEE trick: positives sign-flipped, negatives all bits flipped", () => {
    expect(hex(sortableDouble.encode(1))).toBe("bff0000000000000");
    expect(hex(sortableDouble.encode(0))).toBe("8000000000000000");
    expect(hex(sortableDouble.encode(-0))).toBe("7fffffffffffffff");
    expect(hex(sortableDouble.encode(-1))).toBe("400fffffffffffff");
    expect(hex(sortableDouble.encode(-Infinity))).toBe("000fffffffffffff");
    expect(hex(sortableDouble.encode(Infinity))).toBe("fff0000000000000");
  });

  it("round-trip edge values", () => {
    for (const n of [0, 1, -1, INT32_MIN, INT32_MAX]) expect(sortableInt32.decode(sortableInt32.encode(n))).toBe(n);
    for (const n of [0n, 1n, -1n, INT64_MIN, INT64_MAX]) expect(sortableInt64.decode(sortableInt64.encode(n))).toBe(n);
    for (const x of [0, -0, 1, -1, NaN, Infinity, -Infinity, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE]) {
      expect(Object.is(sortableDouble.decode(sortableDouble.encode(x)), x)).toBe(true);
    }
  });

  it("sort edge values in numeric order", () => {
    const doubles = [-Infinity, -Number.MAX_VALUE, -1, -Number.MIN_VALUE, -0, 0, Number.MIN_VALUE, 1, Number.MAX_VALUE, Infinity, NaN];
    const encoded = doubles.map((x) => sortableDouble.encode(x));
    for (let i = 1; i < encoded.length; i++) expect(compareBytes(encoded[i - 1]!, encoded[i]!)).toBeLessThan(0);
    const ints = [INT64_MIN, -(2n ** 32n), -1n, 0n, 1n, 2n ** 32n, INT64_MAX].map((n) => sortableInt64.encode(n));
    for (let i = 1; i < ints.length; i++) expect(compareBytes(ints[i - 1]!, ints[i]!)).toBeLessThan(0);
  });

  it("property: byte order has the sign of numeric order (int32, int64, double)", () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer(), (a, b) => {
        expect(sign(compareBytes(sortableInt32.encode(a), sortableInt32.encode(b)))).toBe(sign(compareNumbers(a, b)));
      }),
    );
    const int64 = fc.bigInt({ min: INT64_MIN, max: INT64_MAX });
    fc.assert(
      fc.property(int64, int64, (a, b) => {
        expect(sign(compareBytes(sortableInt64.encode(a), sortableInt64.encode(b)))).toBe(sign(compareNumbers(a, b)));
      }),
    );
    fc.assert(
      fc.property(fc.double(), fc.double(), (a, b) => {
        expect(sign(compareBytes(sortableDouble.encode(a), sortableDouble.encode(b)))).toBe(sign(compareDoubles(a, b)));
      }),
    );
  });

  it("property: decode(encode(x)) = x", () => {
    fc.assert(fc.property(fc.integer(), (n) => sortableInt32.decode(sortableInt32.encode(n)) === n));
    fc.assert(fc.property(fc.bigInt({ min: INT64_MIN, max: INT64_MAX }), (n) => sortableInt64.decode(sortableInt64.encode(n)) === n));
    fc.assert(fc.property(fc.maxSafeInteger(), (n) => sortableInt64.decode(sortableInt64.encode(n)) === BigInt(n)));
    fc.assert(fc.property(fc.double(), (x) => Object.is(sortableDouble.decode(sortableDouble.encode(x)), x)));
  });

  it("reject bad values and lengths naming the codec", () => {
    expect(() => sortableInt32.encode(2 ** 31)).toThrow(/sortableInt32 codec: expected an integer number in \[-2147483648, 2147483647\], got number 2147483648/);
    expect(() => sortableInt64.encode(2 ** 60)).toThrow(/sortableInt64 codec: expected a bigint .* or a safe integer number, got number/);
    expect(() => sortableDouble.encode("1" as unknown as number)).toThrow(/sortableDouble codec: expected a number, got string "1"/);
    expect(() => sortableDouble.decode(new Uint8Array(7))).toThrow(/sortableDouble codec: expected 8 bytes, got 7 bytes/);
    expect(() => sortableInt32.decode(new Uint8Array(8))).toThrow(CodecError);
  });

  it("keep numeric order as keys of a real LevelDB", async () => {
    const values = [5.5, -3, 0, -0, 1e300, -1e-300, Infinity, -Infinity, 42, -42.5];
    const order = await levelOrder(values.map((x) => sortableDouble.encode(x)));
    expect(order.map((k) => sortableDouble.decode(k))).toEqual([...values].sort(compareDoubles));
  });
});

describe("composite keys", () => {
  it("join parts with 0x00 and escape 0x00 / 0x01 inside parts", () => {
    expect(hex(compositeKey.encode(["user", "42"]))).toBe(`${hex(toBytes("user"))}00${hex(toBytes("42"))}`);
    expect(hex(compositeKey.encode([Uint8Array.of(0x00, 0x01, 0x02, 0xff)]))).toBe("01010102" + "02ff");
    expect(hex(compositeKey.encode([Uint8Array.of(0x61), new Uint8Array(0), Uint8Array.of(0x62)]))).toBe("61000062");
  });

  it("split parts that contain the separator and the escape byte correctly", () => {
    const key = compositeKey.encode(["a\u0000b", Uint8Array.of(0x01, 0x00, 0x01), "", "é"]);
    expect(compositeKey.decode(key)).toEqual([toBytes("a\u0000b"), Uint8Array.of(0x01, 0x00, 0x01), new Uint8Array(0), toBytes("é")]);
  });

  it("sort a part before its extensions and keep tuple order where a naive join would not", () => {
    const lt = (a: Uint8Array, b: Uint8Array): boolean => compareBytes(a, b) < 0;
    expect(lt(compositeKey.encode(["a", "z"]), compositeKey.encode(["ab", "a"]))).toBe(true);
    expect(lt(compositeKey.encode(["a", "z"]), compositeKey.encode(["a\u0000", "a"]))).toBe(true);
    expect(lt(compositeKey.encode(["a"]), compositeKey.encode(["a", ""]))).toBe(true);
    expect(lt(compositeKey.encode([new Uint8Array(0), Uint8Array.of(0xff)]), compositeKey.encode([Uint8Array.of(0x00)]))).toBe(true);
  });

  it("prefix() matches exactly the keys with those leading parts", () => {
    const prefix = compositeKey.prefix(["user"]);
    expect(startsWith(compositeKey.encode(["user", "1"]), prefix)).toBe(true);
    expect(startsWith(compositeKey.encode(["user", ""]), prefix)).toBe(true);
    expect(startsWith(compositeKey.encode(["username", "1"]), prefix)).toBe(false);
    expect(startsWith(compositeKey.encode(["user"]), prefix)).toBe(false);
    expect(compositeKey.prefix([])).toEqual(new Uint8Array(0));
  });

  it("property: byte order has the sign of tuple order, and decode(encode(x)) = x", () => {
    fc.assert(
      fc.property(parts, parts, (a, b) => {
        expect(sign(compareBytes(compositeKey.encode(a), compositeKey.encode(b)))).toBe(sign(compareTuples(a, b)));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(parts, (p) => {
        expect(compositeKey.decode(compositeKey.encode(p))).toEqual(p);
      }),
    );
  });

  it("property: prefix(p) is a prefix of encode(k) exactly when p is a proper leading sub-tuple of k", () => {
    fc.assert(
      fc.property(parts, parts, (p, k) => {
        const leading = p.length < k.length && p.every((part, i) => compareBytes(part, k[i]!) === 0);
        expect(startsWith(compositeKey.encode(k), compositeKey.prefix(p))).toBe(leading);
      }),
      { numRuns: 2000 },
    );
  });

  it("reject bad input naming the problem", () => {
    expect(() => compositeKey.encode([])).toThrow(/compositeKey codec: expected at least one part, got an empty array/);
    expect(() => compositeKey.encode(["a", 3 as unknown as string])).toThrow(/expected part 1 as bytes \(Uint8Array\) or a string, got number 3/);
    expect(() => compositeKey.encode(["a\uD800"])).toThrow(/part 0: a well-formed string/);
    expect(() => compositeKey.encode("ab" as unknown as string[])).toThrow(/expected an array of parts, got string "ab"/);
    expect(() => compositeKey.decode(Uint8Array.of(0x61, 0x01, 0x03))).toThrow(/escape 0x01 followed by 0x01 or 0x02 \(at offset 1\)/);
    expect(() => compositeKey.decode(Uint8Array.of(0x61, 0x01))).toThrow(/at offset 1/);
  });

  it("typed parts: compositeKeyOf([string, sortableInt64, reverseTimestamp])", () => {
    const key = compositeKeyOf([stringCodec, sortableInt64, reverseTimestamp]);
    expect(key.name).toBe("compositeKey(string, sortableInt64, reverseTimestamp)");
    const encoded = key.encode(["sensor\u00001", 7, 1_700_000_000_000]);
    expect(key.decode(encoded)).toEqual(["sensor\u00001", 7n, 1_700_000_000_000]);
    expect(startsWith(encoded, key.prefix(["sensor\u00001"]))).toBe(true);
    expect(startsWith(encoded, key.prefix(["sensor\u00001", -1]))).toBe(false);
    expect(() => key.encode(["a", 1n] as never)).toThrow(/compositeKey\(string, sortableInt64, reverseTimestamp\) codec: expected 3 parts, got 2 parts/);
    expect(() => key.encode(["a", 1.5, 0])).toThrow(/part 1 \(sortableInt64\): a bigint/);
    expect(() => key.prefix(["a", 1, 2, 3])).toThrow(/at most 3 parts/);
    expect(() => key.decode(compositeKey.encode(["a", "b"]))).toThrow(/expected 3 parts, got 2 parts/);
    expect(() => key.decode(compositeKey.encode(["a", "b", "c"]))).toThrow(/part 1 \(sortableInt64\): 8 bytes, got 1 byte/);
    expect(() => compositeKeyOf([])).toThrow(/non-empty array of part codecs/);
  });

  it("property: typed keys (string, sortable int32, sortable double) sort in tuple order and round-trip", () => {
    const key = compositeKeyOf([codecs.bytes, sortableInt32, sortableDouble]);
    const tuple = fc.tuple(trickyBytes, fc.integer(), fc.double());
    const compare = (a: [Uint8Array, number, number], b: [Uint8Array, number, number]): number =>
      compareBytes(a[0], b[0]) || compareNumbers(a[1], b[1]) || compareDoubles(a[2], b[2]);
    fc.assert(
      fc.property(tuple, tuple, (a, b) => {
        expect(sign(compareBytes(key.encode(a), key.encode(b)))).toBe(sign(compare(a, b)));
        const back = key.decode(key.encode(a));
        expect(back[0]).toEqual(a[0]);
        expect(back[1]).toBe(a[1]);
        expect(Object.is(back[2], a[2])).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it("keep tuple order as keys of a real LevelDB", async () => {
    const tuples = fc.sample(parts, { numRuns: 300, seed: 7 });
    const unique = [...new Map(tuples.map((t) => [hex(compositeKey.encode(t)), t])).values()];
    const order = await levelOrder(unique.map((t) => compositeKey.encode(t)));
    expect(order.map((k) => compositeKey.decode(k))).toEqual([...unique].sort(compareTuples));
  });
});

describe("salted keys", () => {
  it("hash with 32-bit FNV-1a (pinned: the bucket of a key is part of the stored format)", () => {
    expect(fnv1a32(new Uint8Array(0))).toBe(0x811c9dc5);
    expect(fnv1a32(toBytes("a"))).toBe(0xe40c292c);
    expect(fnv1a32(toBytes("foobar"))).toBe(0xbf9cf968);
    const salt = saltedKeys({ buckets: 16 });
    expect(salt.bucketOf("foobar")).toBe(0xbf9cf968 % 16);
    expect(hex(salt.encode("foobar"))).toBe(`0${(0xbf9cf968 % 16).toString(16)}${hex(toBytes("foobar"))}`);
  });

  it("expose one fixed-width prefix per bucket, in row order", () => {
    const small = saltedKeys({ buckets: 4 });
    expect(small.prefixLength).toBe(1);
    expect(small.prefixes.map(hex)).toEqual(["00", "01", "02", "03"]);
    const large = saltedKeys({ buckets: 300 });
    expect(large.prefixLength).toBe(2);
    expect(large.prefixes).toHaveLength(300);
    expect(hex(large.prefixes[299]!)).toBe("012b");
    for (let i = 1; i < large.prefixes.length; i++) expect(compareBytes(large.prefixes[i - 1]!, large.prefixes[i]!)).toBeLessThan(0);
    expect(saltedKeys({ buckets: 65536 }).prefixLength).toBe(2);
    expect(saltedKeys({ buckets: 256 }).prefixLength).toBe(1);
  });

  it("spread sequential keys over all buckets", () => {
    const salt = saltedKeys({ buckets: 8 });
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 8000; i++) counts[salt.bucketOf(`event-${String(i).padStart(6, "0")}`)]!++;
    for (const c of counts) expect(c).toBeGreaterThan(700);
  });

  it("property: decode(encode(k)) = k, and the prefix is the key's bucket", () => {
    const salt = saltedKeys({ buckets: 300 });
    fc.assert(
      fc.property(fc.uint8Array(), (k) => {
        const salted = salt.encode(k);
        expect(salt.decode(salted)).toEqual(k);
        const { bucket, key } = salt.split(salted);
        expect(bucket).toBe(salt.bucketOf(k));
        expect(key).toEqual(k);
        expect(startsWith(salted, salt.prefixes[bucket]!)).toBe(true);
      }),
    );
  });

  it("reject bad options and bad salted keys", () => {
    expect(() => saltedKeys({ buckets: 0 })).toThrow(/buckets must be an integer in \[1, 65536\], got number 0/);
    expect(() => saltedKeys({ buckets: 65537 })).toThrow(/got number 65537/);
    expect(() => saltedKeys({ buckets: 2.5 })).toThrow(/got number 2.5/);
    const salt = saltedKeys({ buckets: 10 });
    expect(() => salt.decode(new Uint8Array(0))).toThrow(/saltedKeys\(10\) codec: expected at least 1 prefix byte, got 0 bytes/);
    expect(() => salt.decode(Uint8Array.of(10, 0x61))).toThrow(/expected a bucket prefix in \[0, 9\], got bucket 10/);
    expect(() => salt.encode(5 as unknown as string)).toThrow(/expected a key as bytes \(Uint8Array\) or a string, got number 5/);
    expect(() => salt.scanRanges({ prefix: "a", startRow: "b" })).toThrow(/a prefix or a startRow\/stopRow range, not both/);
    expect(() => salt.scanRanges({ startRow: "b", stopRow: "a" })).toThrow(/startRow must not be after stopRow/);
  });

  it("fan a range or prefix scan out over the buckets of a real LevelDB, finding exactly the matching keys", async () => {
    const salt = saltedKeys({ buckets: 6 });
    const keys = Array.from({ length: 500 }, (_, i) => `k${String(i).padStart(4, "0")}`);
    const dir = await mkdtemp(join(tmpdir(), "sluice-salted-"));
    dirs.push(dir);
    const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: "view", valueEncoding: "view" });
    try {
      await db.batch(keys.map((k) => ({ type: "put" as const, key: salt.encode(k), value: new Uint8Array(0) })));
      const scan = async (spec: Parameters<typeof salt.scanRanges>[0]): Promise<string[]> => {
        const found: string[] = [];
        const ranges = salt.scanRanges(spec);
        expect(ranges.map((r) => r.bucket)).toEqual([0, 1, 2, 3, 4, 5]);
        for (const range of ranges) {
          const options = range.stopRow ? { gte: range.startRow, lt: range.stopRow } : { gte: range.startRow };
          for await (const key of db.keys(options)) found.push(new TextDecoder().decode(salt.decode(key)));
        }
        return found.sort();
      };
      expect(await scan(undefined)).toEqual(keys);
      expect(await scan({ startRow: "k0100", stopRow: "k0250" })).toEqual(keys.filter((k) => k >= "k0100" && k < "k0250"));
      expect(await scan({ startRow: "k0400" })).toEqual(keys.filter((k) => k >= "k0400"));
      expect(await scan({ stopRow: "k0003" })).toEqual(["k0000", "k0001", "k0002"]);
      expect(await scan({ prefix: "k01" })).toEqual(keys.filter((k) => k.startsWith("k01")));
    } finally {
      await db.close();
    }
  });

  it("the last of 256 buckets (prefix 0xFF) scans to the end of the table", () => {
    const salt = saltedKeys({ buckets: 256 });
    const ranges = salt.scanRanges();
    expect(ranges[254]!.stopRow).toEqual(Uint8Array.of(0xff));
    expect(ranges[255]!.stopRow).toBeUndefined();
    expect(salt.scanRanges({ prefix: Uint8Array.of(0xff) })[255]!.stopRow).toBeUndefined();
    expect(salt.scanRanges({ prefix: Uint8Array.of(0x61, 0xff) })[3]!.stopRow).toEqual(Uint8Array.of(3, 0x62));
  });
});

describe("reverse timestamps", () => {
  it("are Long.MAX_VALUE - ts as 8 big-endian bytes", () => {
    expect(hex(reverseTimestamp.encode(0))).toBe("7fffffffffffffff");
    expect(hex(reverseTimestamp.encode(1))).toBe("7ffffffffffffffe");
    const ts = 1_700_000_000_000;
    expect(reverseTimestamp.encode(ts)).toEqual(codecs.int64.encode(INT64_MAX - BigInt(ts)));
  });

  it("property: a later timestamp sorts first, and decode(encode(ts)) = ts", () => {
    const ts = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
    fc.assert(
      fc.property(ts, ts, (a, b) => {
        expect(sign(compareBytes(reverseTimestamp.encode(a), reverseTimestamp.encode(b)))).toBe(sign(b - a));
      }),
    );
    fc.assert(fc.property(ts, (t) => reverseTimestamp.decode(reverseTimestamp.encode(t)) === t));
  });

  it("newest first under a composite prefix", () => {
    const key = (t: number): Uint8Array => concatBytes(compositeKey.prefix(["sensor-1"]), reverseTimestamp.encode(t));
    const sorted = [1000, 3000, 2000].map(key).sort(compareBytes);
    expect(sorted.map((k) => reverseTimestamp.decode(k.subarray(k.length - 8)))).toEqual([3000, 2000, 1000]);
  });

  it("reject negative, fractional and unsafe timestamps, and bytes out of range", () => {
    expect(() => reverseTimestamp.encode(-1)).toThrow(/reverseTimestamp codec: expected an integer number in \[0, 9007199254740991\], got number -1/);
    expect(() => reverseTimestamp.encode(1.5)).toThrow(/got number 1.5/);
    expect(() => reverseTimestamp.encode(2 ** 53)).toThrow(/got number 9007199254740992/);
    expect(() => reverseTimestamp.encode(10n as unknown as number)).toThrow(/got bigint 10n/);
    expect(() => reverseTimestamp.decode(new Uint8Array(4))).toThrow(/expected 8 bytes, got 4 bytes/);
    expect(() => reverseTimestamp.decode(Uint8Array.of(0x80, 0, 0, 0, 0, 0, 0, 0))).toThrow(/first bit 0/);
    expect(() => reverseTimestamp.decode(new Uint8Array(8))).toThrow(/a timestamp ≤ 9007199254740991/);
  });
});
