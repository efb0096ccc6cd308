/**
 * Composite row keys: several parts in one key, joined with a 0x00 separator byte. Parts may contain
 * any bytes: 0x00 is written 0x01 0x01 and 0x01 is written 0x01 0x02, so an escaped part never holds
 * the separator. The encoding keeps tuple order: keys compare (unsigned bytes) as their parts do, part
 * by part, each part by unsigned bytes, a tuple before its extensions — so ("a", "z") < ("ab", "a") and
 * a key prefix built from the leading parts matches exactly the keys with those leading parts.
 *
 * The separator is 0x00 because only the lowest byte keeps that order: with "|" as separator,
 * ("a", "z") would sort after ("a!", ...). Unescaped parts stay readable: ("user", "42") → `user\x0042`.
 */
import { CodecError, describeBytes, describeValue, requireBytes } from "./codec.js";
import type { Codec } from "./codec.js";
import { stringCodec } from "./value-codecs.js";
import type { BytesLike } from "../bytes/bytes-like.js";

const SEPARATOR = 0x00;
const ESCAPE = 0x01;

function partBytes(codec: string, part: unknown, index: number): Uint8Array {
  if (part instanceof Uint8Array) return part;
  if (typeof part === "string") {
    try {
      return stringCodec.encode(part);
    } catch (error) {
      if (error instanceof CodecError) throw new CodecError(codec, `part ${index}: ${error.expected}`, error.actual);
      throw error;
    }
  }
  throw new CodecError(codec, `part ${index} as bytes (Uint8Array) or a string`, describeValue(part));
}

/** The escaped parts, each followed by the separator when `terminate` or not last. */
function join(codec: string, parts: readonly unknown[], terminateLast: boolean): Uint8Array {
  if (!Array.isArray(parts)) throw new CodecError(codec, "an array of parts", describeValue(parts));
  const raw = parts.map((part, i) => partBytes(codec, part, i));
  let length = 0;
  for (const p of raw) {
    length += p.length + 1;
    for (const b of p) if (b <= ESCAPE) length++;
  }
  if (!terminateLast && raw.length > 0) length--;
  const out = new Uint8Array(length);
  let o = 0;
  raw.forEach((p, i) => {
    for (const b of p) {
      if (b <= ESCAPE) {
        out[o++] = ESCAPE;
        out[o++] = b + 1;
      } else {
        out[o++] = b;
      }
    }
    if (terminateLast || i < raw.length - 1) out[o++] = SEPARATOR;
  });
  return out;
}

function split(codec: string, bytes: unknown): Uint8Array[] {
  requireBytes(codec, bytes);
  const parts: Uint8Array[] = [];
  let current: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === SEPARATOR) {
      parts.push(Uint8Array.from(current));
      current = [];
    } else if (b === ESCAPE) {
      const next = bytes[i + 1];
      if (next !== 0x01 && next !== 0x02) {
        throw new CodecError(codec, `an escape 0x01 followed by 0x01 or 0x02 (at offset ${i})`, describeBytes(bytes));
      }
      current.push(next - 1);
      i++;
    } else {
      current.push(b);
    }
  }
  parts.push(Uint8Array.from(current));
  return parts;
}

/** A composite key of untyped parts (bytes, or strings taken as UTF-8). */
export interface CompositeKey extends Codec<Uint8Array[], readonly BytesLike[]> {
  /**
   * The key of at least one part. A single empty part gives the empty key (not a valid row key; the
   * table rejects it), so the empty key decodes to one empty part.
   */
  encode(parts: readonly BytesLike[]): Uint8Array;
  /** The parts of a key (always at least one); an escape byte not followed by 0x01 or 0x02 is an error. */
  decode(bytes: Uint8Array): Uint8Array[];
  /**
   * A row prefix matching exactly the keys whose leading parts are `parts` (the parts, each followed
   * by the separator), for prefix scans: prefix(["user"]) matches ("user", …) but not ("username", …).
   */
  prefix(parts: readonly BytesLike[]): Uint8Array;
}

/** Composite keys: `compositeKey.encode(["user", id])`, `compositeKey.decode(row)`, `compositeKey.prefix(["user"])`. */
export const compositeKey: CompositeKey = {
  name: "compositeKey",
  encode(parts) {
    if (Array.isArray(parts) && parts.length === 0) throw new CodecError("compositeKey", "at least one part", "an empty array");
    return join("compositeKey", parts, false);
  },
  decode: (bytes) => split("compositeKey", bytes),
  prefix: (parts) => join("compositeKey", parts, true),
};

/** The value types of a tuple of codecs. */
export type CodecValues<C extends readonly Codec<unknown, never>[]> = { -readonly [K in keyof C]: C[K] extends Codec<infer T, never> ? T : never };
/** The encode input types of a tuple of codecs. */
export type CodecInputs<C extends readonly Codec<unknown, never>[]> = {
  readonly [K in keyof C]: C[K] extends Codec<unknown, infer I> ? I : never;
};

/** A composite key whose parts are typed values, each through its own codec. */
export interface TypedCompositeKey<C extends readonly Codec<unknown, never>[]> extends Codec<CodecValues<C>, CodecInputs<C>> {
  /** A row prefix matching the keys whose leading parts are `values` (the first `values.length` codecs). */
  prefix(values: readonly unknown[]): Uint8Array;
}

/**
 * A composite key of typed parts: `compositeKeyOf([stringCodec, sortableInt64])` encodes
 * `["user", 42n]` and decodes back to it. Keys sort in tuple order when every part's codec sorts
 * (strings by code point, the sortable numbers numerically; not the plain int/double value codecs).
 */
export function compositeKeyOf<const C extends readonly Codec<unknown, never>[]>(partCodecs: C): TypedCompositeKey<C> {
  if (!Array.isArray(partCodecs) || partCodecs.length === 0) {
    throw new TypeError("compositeKeyOf: expected a non-empty array of part codecs");
  }
  const name = `compositeKey(${partCodecs.map((c) => c.name).join(", ")})`;
  const encodeParts = (values: unknown, allowFewer: boolean): Uint8Array[] => {
    if (!Array.isArray(values)) throw new CodecError(name, "an array of part values", describeValue(values));
    const countOk = allowFewer ? values.length <= partCodecs.length : values.length === partCodecs.length;
    if (!countOk) {
      throw new CodecError(name, `${allowFewer ? "at most " : ""}${partCodecs.length} parts`, `${values.length} parts`);
    }
    return values.map((value, i) => {
      const codec = partCodecs[i] as unknown as Codec<unknown, unknown>;
      try {
        return codec.encode(value);
      } catch (error) {
        if (error instanceof CodecError) throw new CodecError(name, `part ${i} (${error.codec}): ${error.expected}`, error.actual);
        throw error;
      }
    });
  };
  return {
    name,
    encode: (values) => join(name, encodeParts(values, false), false),
    decode(bytes) {
      const parts = split(name, bytes);
      if (parts.length !== partCodecs.length) {
        throw new CodecError(name, `${partCodecs.length} parts`, `${parts.length} parts in ${describeBytes(bytes)}`);
      }
      return parts.map((part, i) => {
        const codec = partCodecs[i]!;
        try {
          return codec.decode(part);
        } catch (error) {
          if (error instanceof CodecError) throw new CodecError(name, `part ${i} (${error.codec}): ${error.expected}`, error.actual);
          throw error;
        }
      }) as CodecValues<C>;
    },
    prefix: (values) => join(name, encodeParts(values, true), true),
  };
}

