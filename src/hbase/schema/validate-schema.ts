/** Validation of a {@link SchemaSpec}: its shape, its codec names, and its families against a table's. */
import { codecs, isCodecName } from "../bytes/value-codecs.js";
import type { SchemaSpec } from "./schema-spec.js";

/** The record field that holds the row key; no family may take this name. */
export const ROW_KEY_FIELD = "rowKey";

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function knownCodecs(): string {
  return Object.keys(codecs).join(", ");
}

/**
 * Checks that `spec` is a well-formed schema: `{ rowKey: codec, families: { family: { qualifier: codec } } }`
 * with known codec names, at least one family, at least one qualifier per family, no family named
 * "rowKey" and no other keys. With `tableFamilies`, every family of the schema must be one of them.
 *
 * @param context what the schema is for, prefixed to error messages (e.g. "createTable bids")
 * @throws TypeError (shape, codec names) or Error (families not in the table) naming the problem
 */
export function validateSchema(spec: unknown, tableFamilies?: readonly string[], context = "schema"): asserts spec is SchemaSpec {
  if (!isPlainObject(spec)) {
    throw new TypeError(`${context}: a schema is { rowKey: codec, families: { family: { qualifier: codec } } }, got ${describe(spec)}`);
  }
  for (const key of Object.keys(spec)) {
    if (key !== "rowKey" && key !== "families") throw new TypeError(`${context}: unknown schema key "${key}" (a schema has rowKey and families)`);
  }
  if (!isCodecName(spec.rowKey)) {
    throw new TypeError(`${context}: rowKey: unknown codec ${describe(spec.rowKey)}; known codecs: ${knownCodecs()}`);
  }
  const families = spec.families;
  if (!isPlainObject(families)) {
    throw new TypeError(`${context}: families must be an object { family: { qualifier: codec } }, got ${describe(families)}`);
  }
  const names = Object.keys(families);
  if (names.length === 0) throw new TypeError(`${context}: a schema maps at least one column family`);
  for (const family of names) {
    if (family === ROW_KEY_FIELD) {
      throw new TypeError(`${context}: family "${ROW_KEY_FIELD}" would clash with the row-key field of records; rename the family or map another`);
    }
    const qualifiers = families[family];
    if (!isPlainObject(qualifiers)) {
      throw new TypeError(`${context}: family "${family}" must map qualifiers to codecs { qualifier: codec }, got ${describe(qualifiers)}`);
    }
    const fields = Object.keys(qualifiers);
    if (fields.length === 0) throw new TypeError(`${context}: family "${family}" maps no qualifiers`);
    for (const qualifier of fields) {
      if (!isCodecName(qualifiers[qualifier])) {
        throw new TypeError(`${context}: ${family}:${qualifier}: unknown codec ${describe(qualifiers[qualifier])}; known codecs: ${knownCodecs()}`);
      }
    }
    if (tableFamilies !== undefined && !tableFamilies.includes(family)) {
      throw new Error(`${context}: the schema maps family "${family}", which the table does not have (families: ${tableFamilies.join(", ")})`);
    }
  }
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}
