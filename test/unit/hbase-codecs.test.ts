import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CodecError } from "../../src/hbase/bytes/codec.js";
import { INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN } from "../../src/hbase/bytes/int-range.js";
import { codecByName, codecs, isCodecName } from "../../src/hbase/bytes/value-codecs.js";
import type { CodecName, CodecValue, JsonValue } from "../../src/hbase/bytes/value-codecs.js";

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");
const fromHex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, "hex"));

/** Expects `fn` to throw a CodecError of `codec` whose message names the expectation and the actual value. */
function expectCodecError(fn: () => unknown, codec: string, expected: RegExp, actual: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(CodecError);
  const error = caught as CodecError;
  expect(error.codec).toBe(codec);
  expect(error.message).toContain(`${codec} codec`);
  expect(error.expected).toMatch(expected);
  expect(error.actual).toMatch(actual);
}

describe("value codecs: bytes as HBase's Bytes.toBytes writes them", () => {
  it("string is UTF-8", () => {
    expect(hex(codecs.string.encode("héllo €𝄞"))).toBe("68c3a96c6c6f20e282acf09d849e");
    expect(codecs.string.encode("")).toEqual(new Uint8Array(0));
  });

  it("int32 is 4-byte big-endian two's complement", () => {
    expect(hex(codecs.int32.encode(0))).toBe("00000000");
    expect(hex(codecs.int32.encode(1))).toBe("00000001");
    expect(hex(codecs.int32.encode(-1))).toBe("ffffffff");
    expect(hex(codecs.int32.encode(INT32_MIN))).toBe("80000000");
    expect(hex(codecs.int32.encode(INT32_MAX))).toBe("7fffffff");
    expect(hex(codecs.int32.encode(0x01020304))).toBe("01020304");
  });

  it("int64 is 8-byte big-endian two's complement, from bigint or a safe-integer number", () => {
    expect(hex(codecs.int64.encode(0n))).toBe("0000000000000000");
    expect(hex(codecs.int64.encode(-1n))).toBe("ffffffffffffffff");
    expect(hex(codecs.int64.encode(INT64_MIN))).toBe("8000000000000000");
    expect(hex(codecs.int64.encode(INT64_MAX))).toBe("7fffffffffffffff");
    expect(hex(codecs.int64.encode(258))).toBe("0000000000000102");
    expect(hex(codecs.int64.encode(-2))).toBe("fffffffffffffffe");
    expect(codecs.int64.encode(Number.MAX_SAFE_INTEGER)).toEqual(codecs.int64.encode(2n ** 53n - 1n));
  });

  it("float and double are IEEE-754 big-endian", () => {
    expect(hex(codecs.float.encode(1))).toBe("3f800000");
    expect(hex(codecs.float.encode(-2.5))).toBe("c0200000");
    expect(hex(codecs.double.encode(1))).toBe("3ff0000000000000");
    expect(hex(codecs.double.encode(-0))).toBe("8000000000000000");
    expect(hex(codecs.double.encode(Infinity))).toBe("7ff0000000000000");
    expect(hex(codecs.double.encode(-Infinity))).toBe("fff0000000000000");
  });

  it("boolean is one byte: 0xFF true, 0x00 false; any non-zero byte decodes as true (Bytes.toBoolean)", () => {
    expect(hex(codecs.boolean.encode(true))).toBe("ff");
    expect(hex(codecs.boolean.encode(false))).toBe("00");
    expect(codecs.boolean.decode(fromHex("ff"))).toBe(true);
    expect(codecs.boolean.decode(fromHex("01"))).toBe(true);
    expect(codecs.boolean.decode(fromHex("00"))).toBe(false);
  });

  it("json is UTF-8 JSON text", () => {
    expect(new TextDecoder().decode(codecs.json.encode({ a: [1, "é", null, true] }))).toBe('{"a":[1,"é",null,true]}');
  });

  it("bytes is the identity", () => {
    const b = Uint8Array.of(0, 1, 255);
    expect(codecs.bytes.encode(b)).toBe(b);
    expect(codecs.bytes.decode(b)).toBe(b);
  });

  it("decodes values written at an offset of a larger buffer (subarray views)", () => {
    const buffer = fromHex("aa0000000000000102bb");
    expect(codecs.int64.decode(buffer.subarray(1, 9))).toBe(258n);
    expect(codecs.int32.decode(buffer.subarray(5, 9))).toBe(258);
    expect(codecs.double.decode(codecs.double.encode(3.25).slice())).toBe(3.25);
  });
});

describe("value codecs: round trips of edge values", () => {
  const roundTrip = <N extends CodecName>(name: N, value: CodecValue<N>): CodecValue<N> => {
    const codec = codecByName(name);
    return codec.decode(codec.encode(value));
  };

  it("string: empty, unicode beyond the BMP, a leading BOM, NUL and 0xFF-ish characters", () => {
    for (const s of ["", "a", "héllo", "日本語", "𝄞🎉", "\uFEFFbom", "\u0000nul", "\u00ff\u0100", "line\nbreak"]) {
      expect(roundTrip("string", s)).toBe(s);
    }
  });

  it("int32: 0, ±1, min and max", () => {
    for (const n of [0, 1, -1, INT32_MIN, INT32_MAX, 123456789, -987654321]) expect(roundTrip("int32", n)).toBe(n);
  });

  it("int64: 0, ±1, min and max, beyond 2^53", () => {
    for (const n of [0n, 1n, -1n, INT64_MIN, INT64_MAX, 2n ** 53n + 1n, -(2n ** 60n) - 7n]) expect(roundTrip("int64", n)).toBe(n);
  });

  it("double: NaN, ±Infinity, -0, subnormals, extremes", () => {
    for (const x of [0, -0, 1, -1, NaN, Infinity, -Infinity, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE, 0.1, Math.PI]) {
      expect(Object.is(roundTrip("double", x), x)).toBe(true);
    }
  });

  it("float: values rounded to float32; NaN, ±Infinity, -0 kept", () => {
    for (const x of [0, -0, 1, -1, NaN, Infinity, -Infinity, 0.1, 3.4028234663852886e38, 1.401298464324817e-45]) {
      expect(Object.is(roundTrip("float", x), Math.fround(x))).toBe(true);
    }
  });

  it("boolean, json and bytes", () => {
    expect(roundTrip("boolean", true)).toBe(true);
    expect(roundTrip("boolean", false)).toBe(false);
    const doc: JsonValue = { s: "é𝄞", n: -1.5e-7, list: [null, false, [], {}], nested: { "key with space": 0 } };
    expect(roundTrip("json", doc)).toEqual(doc);
    expect(roundTrip("json", null)).toBe(null);
    expect(roundTrip("json", "")).toBe("");
    expect(roundTrip("bytes", new Uint8Array(0))).toEqual(new Uint8Array(0));
  });

  it("property: decode(encode(x)) = x for random values of every codec", () => {
    fc.assert(fc.property(fc.string({ unit: "grapheme" }), (s) => roundTrip("string", s) === s));
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        // Any UTF-16 string: either it round-trips or it has a lone surrogate and is refused.
        try {
          return codecs.string.decode(codecs.string.encode(s)) === s;
        } catch (error) {
          return error instanceof CodecError && /lone surrogate/.test(error.actual);
        }
      }),
    );
    fc.assert(fc.property(fc.integer(), (n) => roundTrip("int32", n) === n));
    fc.assert(fc.property(fc.bigInt({ min: INT64_MIN, max: INT64_MAX }), (n) => roundTrip("int64", n) === n));
    fc.assert(fc.property(fc.maxSafeInteger(), (n) => codecs.int64.decode(codecs.int64.encode(n)) === BigInt(n)));
    fc.assert(fc.property(fc.double(), (x) => Object.is(roundTrip("double", x), x)));
    fc.assert(fc.property(fc.float(), (x) => Object.is(roundTrip("float", x), x)));
    fc.assert(fc.property(fc.double(), (x) => Object.is(codecs.float.decode(codecs.float.encode(Math.fround(x))), Math.fround(x))));
    fc.assert(fc.property(fc.jsonValue(), (v) => {
      expect(roundTrip("json", v as JsonValue)).toEqual(JSON.parse(JSON.stringify(v)));
    }));
    fc.assert(fc.property(fc.uint8Array(), (b) => roundTrip("bytes", b) === b));
  });

  it("property: int32 and int64 agree with Node's Buffer big-endian writers", () => {
    fc.assert(
      fc.property(fc.integer(), (n) => {
        const buf = Buffer.alloc(4);
        buf.writeInt32BE(n);
        expect(hex(codecs.int32.encode(n))).toBe(buf.toString("hex"));
      }),
    );
    fc.assert(
      fc.property(fc.bigInt({ min: INT64_MIN, max: INT64_MAX }), (n) => {
        const buf = Buffer.alloc(8);
        buf.writeBigInt64BE(n);
        expect(hex(codecs.int64.encode(n))).toBe(buf.toString("hex"));
      }),
    );
  });
});

describe("value codecs: bad input is an error naming the codec, the expected and the actual", () => {
  it("wrong value types", () => {
    expectCodecError(() => codecs.string.encode(42 as unknown as string), "string", /a string/, /number 42/);
    expectCodecError(() => codecs.int32.encode("1" as unknown as number), "int32", /integer number/, /string "1"/);
    expectCodecError(() => codecs.int64.encode("1" as unknown as bigint), "int64", /bigint/, /string "1"/);
    expectCodecError(() => codecs.double.encode(1n as unknown as number), "double", /a number/, /bigint 1n/);
    expectCodecError(() => codecs.float.encode(null as unknown as number), "float", /a number/, /null/);
    expectCodecError(() => codecs.boolean.encode(1 as unknown as boolean), "boolean", /a boolean/, /number 1/);
    expectCodecError(() => codecs.bytes.encode("x" as unknown as Uint8Array), "bytes", /Uint8Array/, /string "x"/);
    expectCodecError(() => codecs.bytes.encode([1, 2] as unknown as Uint8Array), "bytes", /Uint8Array/, /an array of 2/);
  });

  it("numbers out of range or not integers", () => {
    expectCodecError(() => codecs.int32.encode(INT32_MAX + 1), "int32", /\[-2147483648, 2147483647\]/, /number 2147483648/);
    expectCodecError(() => codecs.int32.encode(INT32_MIN - 1), "int32", /integer/, /-2147483649/);
    expectCodecError(() => codecs.int32.encode(1.5), "int32", /integer/, /number 1.5/);
    expectCodecError(() => codecs.int32.encode(NaN), "int32", /integer/, /NaN/);
    expectCodecError(() => codecs.int64.encode(INT64_MAX + 1n), "int64", /bigint in/, /bigint 9223372036854775808n/);
    expectCodecError(() => codecs.int64.encode(INT64_MIN - 1n), "int64", /bigint in/, /-9223372036854775809n/);
    expectCodecError(() => codecs.int64.encode(2 ** 53), "int64", /safe integer/, /number 9007199254740992/);
    expectCodecError(() => codecs.int64.encode(0.5), "int64", /safe integer/, /number 0.5/);
    expectCodecError(() => codecs.float.encode(1e39), "float", /float32 range/, /number 1e\+39/);
  });

  it("wrong byte lengths", () => {
    expectCodecError(() => codecs.int32.decode(fromHex("000102")), "int32", /^4 bytes$/, /^3 bytes \("\\x00\\x01\\x02"\)$/);
    expectCodecError(() => codecs.int64.decode(fromHex("00000000")), "int64", /^8 bytes$/, /^4 bytes/);
    expectCodecError(() => codecs.float.decode(fromHex("0000000000000000")), "float", /^4 bytes$/, /^8 bytes/);
    expectCodecError(() => codecs.double.decode(new Uint8Array(0)), "double", /^8 bytes$/, /^0 bytes/);
    expectCodecError(() => codecs.boolean.decode(fromHex("0000")), "boolean", /^1 byte$/, /^2 bytes/);
    expectCodecError(() => codecs.int32.decode("abcd" as unknown as Uint8Array), "int32", /bytes \(Uint8Array\)/, /string "abcd"/);
  });

  it("strings that have no UTF-8 form and bytes that are not UTF-8", () => {
    expectCodecError(() => codecs.string.encode("a\uD800b"), "string", /well-formed/, /lone surrogate at index 1/);
    expectCodecError(() => codecs.string.encode("\uDC00"), "string", /well-formed/, /index 0/);
    expectCodecError(() => codecs.string.decode(fromHex("61ff62")), "string", /valid UTF-8/, /3 bytes \("a\\xFFb"\)/);
    expectCodecError(() => codecs.string.decode(fromHex("c3")), "string", /valid UTF-8/, /1 byte/);
  });

  it("json values JSON cannot represent exactly, and bytes that are not JSON", () => {
    expectCodecError(() => codecs.json.encode({ a: undefined } as unknown as JsonValue), "json", /JSON value at \$\.a/, /undefined/);
    expectCodecError(() => codecs.json.encode([1, NaN] as JsonValue), "json", /finite number at \$\[1\]/, /NaN/);
    expectCodecError(() => codecs.json.encode({ when: new Date(0) } as unknown as JsonValue), "json", /plain object\) at \$\.when/, /Date/);
    expectCodecError(() => codecs.json.encode({ "a-b": 1n } as unknown as JsonValue), "json", /at \$\["a-b"\]/, /bigint 1n/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expectCodecError(() => codecs.json.encode(cyclic as JsonValue), "json", /acyclic value at \$\.self/, /enclosing/);
    expectCodecError(() => codecs.json.decode(new TextEncoder().encode("{oops")), "json", /JSON text/, /5 bytes/);
    expectCodecError(() => codecs.json.decode(fromHex("22ff22")), "json", /valid UTF-8/, /3 bytes/);
  });

  it("a shared (not cyclic) object is fine", () => {
    const shared = { x: 1 };
    expect(codecs.json.decode(codecs.json.encode({ a: shared, b: shared }))).toEqual({ a: { x: 1 }, b: { x: 1 } });
  });

  it("long byte strings are shown cut in messages", () => {
    expectCodecError(() => codecs.int32.decode(new Uint8Array(100)), "int32", /4 bytes/, /^100 bytes \("(\\x00){32}…"\)$/);
  });
});

describe("codec registry", () => {
  it("has every codec under its own name", () => {
    expect(Object.keys(codecs).sort()).toEqual(["boolean", "bytes", "double", "float", "int32", "int64", "json", "string"]);
    for (const [name, codec] of Object.entries(codecs)) expect(codec.name).toBe(name);
    expect(Object.isFrozen(codecs)).toBe(true);
  });

  it("looks codecs up by name, rejecting unknown names with the known ones listed", () => {
    expect(codecByName("double")).toBe(codecs.double);
    expect(isCodecName("int64")).toBe(true);
    expect(isCodecName("toString")).toBe(false);
    expect(isCodecName(3)).toBe(false);
    expect(() => codecByName("long")).toThrow(/unknown codec "long"; known codecs: string, int32, int64, float, double, boolean, json, bytes/);
    expect(() => codecByName("constructor")).toThrow(/unknown codec "constructor"/);
  });

  it("types map names to values (compile-time check, exercised at run time)", () => {
    const d: CodecValue<"double"> = codecs.double.decode(codecs.double.encode(2.5));
    const l: CodecValue<"int64"> = codecs.int64.decode(codecs.int64.encode(7));
    expect(d + 1).toBe(3.5);
    expect(l + 1n).toBe(8n);
  });
});
