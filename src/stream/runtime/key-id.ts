/**
 * Keys of keyed streams as map keys: primitives by value, other values by their JSON text (so two
 * equal records are the same key). Functions and symbols are refused.
 */

/** A string identifying `key`; equal keys give equal ids. */
export function keyId(key: unknown): string {
  switch (typeof key) {
    case "string":
      return `s${key}`;
    case "number":
      return `n${Object.is(key, -0) ? 0 : key}`;
    case "bigint":
      return `b${key}`;
    case "boolean":
      return key ? "t" : "f";
    case "undefined":
      return "u";
    case "object":
      if (key === null) return "z";
      return `j${JSON.stringify(key, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v))}`;
    default:
      throw new TypeError(`a key must be a string, number, bigint, boolean, null or JSON-like value, got a ${typeof key}`);
  }
}
