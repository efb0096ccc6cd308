/** Equality of schemas as data (key order does not matter). */
import type { SchemaSpec } from "./schema-spec.js";

function sameKeys(a: object, b: object): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k));
}

/** True when both schemas give the row key and every family's qualifiers the same codecs. */
export function sameSchema(a: SchemaSpec, b: SchemaSpec): boolean {
  if (a.rowKey !== b.rowKey || !sameKeys(a.families, b.families)) return false;
  for (const [family, qualifiers] of Object.entries(a.families)) {
    const other = b.families[family]!;
    if (!sameKeys(qualifiers, other)) return false;
    for (const [qualifier, codec] of Object.entries(qualifiers)) if (other[qualifier] !== codec) return false;
  }
  return true;
}
