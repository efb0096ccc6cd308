/**
 * Typed cell values with HBase's `Bytes` conventions, so cells written here read back with
 * `Bytes.toString`, `Bytes.toInt`, `Bytes.toLong`, `Bytes.toFloat`, `Bytes.toDouble` and
 * `Bytes.toBoolean` in Java, and the other way round:
 *
 * | name      | TS type      | bytes                                                            |
 * |-----------|--------------|------------------------------------------------------------------|
 * | "string"  | `string`     | UTF-8                                                            |
 * | "int32"   | `number`     | 4, big-endian two's complement                                   |
 * | "int64"   | `bigint`     | 8, big-endian two's complement (encode also takes safe integers) |
 * | "float"   | `number`     | 4, IEEE-754 binary32 big-endian (values rounded to float32)      |
 * | "double"  | `number`     | 8, IEEE-754 binary64 big-endian                                  |
 * | "boolean" | `boolean`    | 1: 0xFF true, 0x00 false (decode: any non-zero byte is true)     |
 * | "json"    | `JsonValue`  | UTF-8 JSON text                                                  |
 * | "bytes"   | `Uint8Array` | the bytes themselves                                             |
 *
 * These encodings do not sort numerically (negative numbers sort after positive ones): for row keys
 * use the sortable codecs of `sortable-numbers.ts`.
 */
import { CodecError, describeBytes, describeValue, requireBytes, requireLength } from "./codec.js";
import type { Codec } from "./codec.js";
import { requireInt32, requireInt64 } from "./int-range.js";

/** A value JSON represents exactly: what the "json" codec encodes and decodes. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** The TS type each codec decodes to. */
export interface CodecTypes {
  string: string;
  int32: number;
  int64: bigint;
  float: number;
  double: number;
  boolean: boolean;
  json: JsonValue;
  bytes: Uint8Array;
}

/** A codec's name. */
export type CodecName = keyof CodecTypes;

/** The type a codec decodes to: `CodecValue<"double">` is `number`, `CodecValue<"int64">` is `bigint`. */
export type CodecValue<N extends CodecName> = CodecTypes[N];

/** The type a codec's encode accepts: its value type, and for "int64" also a safe-integer number. */
export type CodecInput<N extends CodecName> = CodecTypes[N] | (N extends "int64" ? number : never);

/** The codec registered under name `N`. */
export type CodecOf<N extends CodecName> = Codec<CodecValue<N>, CodecInput<N>>;

const utf8Encoder = new TextEncoder();
/** Strict: invalid UTF-8 is an error, not U+FFFD; a leading BOM is kept as the character it is. */
const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
/** A UTF-16 surrogate without its partner: such a string has no UTF-8 encoding. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** The largest finite float32. */
const FLOAT32_MAX = 3.4028234663852886e38;

function encodeUtf8(codec: string, value: unknown): Uint8Array {
  if (typeof value !== "string") throw new CodecError(codec, "a string", describeValue(value));
  const lone = LONE_SURROGATE.exec(value);
  if (lone) {
    throw new CodecError(codec, "a well-formed string (UTF-8 has no lone surrogates)", `a lone surrogate at index ${lone.index} of ${describeValue(value)}`);
  }
  return utf8Encoder.encode(value);
}

function decodeUtf8(codec: string, bytes: unknown): string {
  requireBytes(codec, bytes);
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    throw new CodecError(codec, "valid UTF-8", describeBytes(bytes));
  }
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** UTF-8 text (HBase's `Bytes.toBytes(String)`); strings with lone surrogates and invalid UTF-8 are errors. */
export const stringCodec: Codec<string> = {
  name: "string",
  encode: (value) => encodeUtf8("string", value),
  decode: (bytes) => decodeUtf8("string", bytes),
};

/** 4-byte big-endian two's complement (HBase's `Bytes.toBytes(int)`). */
export const int32Codec: Codec<number> = {
  name: "int32",
  encode(value) {
    const out = new Uint8Array(4);
    view(out).setInt32(0, requireInt32("int32", value));
    return out;
  },
  decode(bytes) {
    requireLength("int32", bytes, 4);
    return view(bytes).getInt32(0);
  },
};

/** 8-byte big-endian two's complement (HBase's `Bytes.toBytes(long)`, and the format of increments). */
export const int64Codec: Codec<bigint, bigint | number> = {
  name: "int64",
  encode(value) {
    const out = new Uint8Array(8);
    view(out).setBigInt64(0, requireInt64("int64", value));
    return out;
  },
  decode(bytes) {
    requireLength("int64", bytes, 8);
    return view(bytes).getBigInt64(0);
  },
};

/**
 * 4-byte IEEE-754 binary32 big-endian (HBase's `Bytes.toBytes(float)`). A number is rounded to the
 * nearest float32 (as Java's `(float)` cast); a finite number beyond the float32 range is an error
 * rather than silently becoming ±Infinity.
 */
export const floatCodec: Codec<number> = {
  name: "float",
  encode(value) {
    if (typeof value !== "number") throw new CodecError("float", "a number", describeValue(value));
    if (Number.isFinite(value) && Math.abs(value) > FLOAT32_MAX && !Number.isFinite(Math.fround(value))) {
      throw new CodecError("float", `a number within the float32 range (|x| ≤ ${FLOAT32_MAX}) or ±Infinity/NaN`, describeValue(value));
    }
    const out = new Uint8Array(4);
    view(out).setFloat32(0, value);
    return out;
  },
  decode(bytes) {
    requireLength("float", bytes, 4);
    return view(bytes).getFloat32(0);
  },
};

/** 8-byte IEEE-754 binary64 big-endian (HBase's `Bytes.toBytes(double)`); -0, ±Infinity and NaN round-trip. */
export const doubleCodec: Codec<number> = {
  name: "double",
  encode(value) {
    if (typeof value !== "number") throw new CodecError("double", "a number", describeValue(value));
    const out = new Uint8Array(8);
    view(out).setFloat64(0, value);
    return out;
  },
  decode(bytes) {
    requireLength("double", bytes, 8);
    return view(bytes).getFloat64(0);
  },
};

/** One byte, 0xFF true and 0x00 false (HBase's `Bytes.toBytes(boolean)`); decoding, as `Bytes.toBoolean`, takes any non-zero byte as true. */
export const booleanCodec: Codec<boolean> = {
  name: "boolean",
  encode(value) {
    if (typeof value !== "boolean") throw new CodecError("boolean", "a boolean", describeValue(value));
    return Uint8Array.of(value ? 0xff : 0x00);
  },
  decode(bytes) {
    requireLength("boolean", bytes, 1);
    return bytes[0] !== 0;
  },
};

/**
 * Checks that `value` is a JSON value that round-trips exactly: no undefined, functions, symbols,
 * bigints, non-finite numbers, class instances (Date, Map, ...) or cycles. Throws naming the path.
 */
function requireJson(value: unknown, path: string, ancestors: Set<object>): void {
  switch (typeof value) {
    case "string":
      if (LONE_SURROGATE.test(value)) throw new CodecError("json", `a well-formed string at ${path}`, "a string with a lone surrogate");
      return;
    case "boolean":
      return;
    case "number":
      if (!Number.isFinite(value)) throw new CodecError("json", `a finite number at ${path}`, describeValue(value));
      return;
    case "object": {
      if (value === null) return;
      if (ancestors.has(value)) throw new CodecError("json", `an acyclic value at ${path}`, "a reference to an enclosing object");
      ancestors.add(value);
      if (Array.isArray(value)) {
        value.forEach((item, i) => requireJson(item, `${path}[${i}]`, ancestors));
      } else {
        const proto = Object.getPrototypeOf(value) as unknown;
        if (proto !== Object.prototype && proto !== null) {
          throw new CodecError("json", `a JSON value (plain object) at ${path}`, describeValue(value));
        }
        for (const [key, item] of Object.entries(value)) requireJson(item, `${path}${/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`}`, ancestors);
      }
      ancestors.delete(value);
      return;
    }
    default:
      throw new CodecError("json", `a JSON value at ${path}`, describeValue(value));
  }
}

/**
 * UTF-8 JSON text. Encoding rejects what JSON cannot represent exactly (undefined, NaN, bigint, Date,
 * cycles, ...) instead of dropping or converting it; decoding rejects invalid UTF-8 and invalid JSON.
 */
export const jsonCodec: Codec<JsonValue> = {
  name: "json",
  encode(value) {
    requireJson(value, "$", new Set());
    return utf8Encoder.encode(JSON.stringify(value));
  },
  decode(bytes) {
    const text = decodeUtf8("json", bytes);
    try {
      return JSON.parse(text) as JsonValue;
    } catch (error) {
      throw new CodecError("json", `JSON text (${(error as Error).message})`, describeBytes(bytes));
    }
  },
};

/** The bytes themselves (no copy either way). */
export const bytesCodec: Codec<Uint8Array> = {
  name: "bytes",
  encode(value) {
    if (!(value instanceof Uint8Array)) throw new CodecError("bytes", "bytes (Uint8Array)", describeValue(value));
    return value;
  },
  decode(bytes) {
    requireBytes("bytes", bytes);
    return bytes;
  },
};

/** Every value codec, by name. */
export const codecs: { readonly [N in CodecName]: CodecOf<N> } = Object.freeze({
  string: stringCodec,
  int32: int32Codec,
  int64: int64Codec,
  float: floatCodec,
  double: doubleCodec,
  boolean: booleanCodec,
  json: jsonCodec,
  bytes: bytesCodec,
});

/** True when `name` is a registered codec name. */
export function isCodecName(name: unknown): name is CodecName {
  return typeof name === "string" && Object.prototype.hasOwnProperty.call(codecs, name);
}

/** The codec named `name` (e.g. from a stored schema); an unknown name is an error listing the known ones. */
export function codecByName<N extends CodecName>(name: N): CodecOf<N>;
export function codecByName(name: string): CodecOf<CodecName>;
export function codecByName(name: string): CodecOf<CodecName> {
  if (!isCodecName(name)) {
    throw new TypeError(`unknown codec ${JSON.stringify(name)}; known codecs: ${Object.keys(codecs).join(", ")}`);
  }
  return codecs[name] as CodecOf<CodecName>;
}
