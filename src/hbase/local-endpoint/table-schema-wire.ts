/**
 * Table descriptors ↔ HBase's protobuf `TableSchema`, as HBase encodes them, shared by the endpoint's
 * MasterService and the wire backend's Admin:
 *
 * - Family options travel as `ColumnFamilySchema.attributes`, keys and values as UTF-8 strings, as
 *   HBase's ColumnFamilyDescriptor stores them: `VERSIONS` (max versions), `MIN_VERSIONS`, `TTL` in
 *   whole **seconds** (`2147483647`, HBase's FOREVER, for none). A TTL that is not a whole number of
 *   seconds is sent rounded up in `TTL` and exactly in `SLUICE_TTL_MS` (ms; read first when present).
 *   Absent attributes take HBase's defaults (1 version, 0 min versions, forever); other attributes
 *   (BLOOMFILTER, COMPRESSION, ...) are ignored.
 * - A typed schema (`setSchema`, `createTable({ schema })`) travels as the table attribute
 *   `sluice.schema` holding its JSON.
 */
import type { FamilyDescriptor, TableDescriptor, TableName } from "../model/table-descriptor.js";
import type { CreateTableOptions, FamilySpec } from "../table.js";
import type { SchemaSpec } from "../schema/schema-spec.js";
import type { BytesBytesPair, ColumnFamilySchema, TableSchema, TableName as WireTableName } from "../wire/hbase-protos.js";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** HBase's HConstants.FOREVER: the TTL (seconds) of a family whose cells never expire. */
export const HBASE_FOREVER_SECONDS = 2_147_483_647;
/** Family attribute keys. */
export const FAMILY_ATTRIBUTES = { versions: "VERSIONS", minVersions: "MIN_VERSIONS", ttl: "TTL", ttlMs: "SLUICE_TTL_MS" } as const;
/** The table attribute carrying a typed schema (JSON). */
export const SCHEMA_ATTRIBUTE = "sluice.schema";

/** A malformed TableSchema (a bad attribute value, no table name): a DoNotRetryIOException on the endpoint. */
export class TableSchemaError extends Error {
  override readonly name = "TableSchemaError";
}

function pair(key: string, value: string): BytesBytesPair {
  return { first: enc.encode(key), second: enc.encode(value) };
}

function attributes(pairs: readonly BytesBytesPair[] | undefined): Map<string, string> {
  return new Map((pairs ?? []).map((p) => [dec.decode(p.first), dec.decode(p.second)]));
}

/** The wire's TableName of a Table API name. */
export function tableNameToWire(name: TableName): WireTableName {
  return { namespace: enc.encode(name.namespace), qualifier: enc.encode(name.name) };
}

/** A wire TableName as the Table API's (`default` namespace when empty). */
export function tableNameFromWire(name: WireTableName): TableName {
  const namespace = dec.decode(name.namespace);
  return { namespace: namespace === "" ? "default" : namespace, name: dec.decode(name.qualifier) };
}

/** A family's options as a ColumnFamilySchema. */
export function familyToWire(f: FamilyDescriptor): ColumnFamilySchema {
  const attrs = [pair(FAMILY_ATTRIBUTES.versions, String(f.maxVersions)), pair(FAMILY_ATTRIBUTES.minVersions, String(f.minVersions))];
  if (!Number.isFinite(f.ttlMs)) attrs.push(pair(FAMILY_ATTRIBUTES.ttl, String(HBASE_FOREVER_SECONDS)));
  else {
    attrs.push(pair(FAMILY_ATTRIBUTES.ttl, String(Math.min(HBASE_FOREVER_SECONDS - 1, Math.ceil(f.ttlMs / 1000)))));
    if (f.ttlMs % 1000 !== 0) attrs.push(pair(FAMILY_ATTRIBUTES.ttlMs, String(f.ttlMs)));
  }
  return { name: enc.encode(f.name), attributes: attrs };
}

function integerAttribute(attrs: Map<string, string>, key: string, family: string): number | undefined {
  const raw = attrs.get(key);
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw.trim())) throw new TableSchemaError(`column family ${family}: attribute ${key} must be an integer, got ${JSON.stringify(raw)}`);
  return Number(raw.trim());
}

/** A ColumnFamilySchema as a Table API family spec (HBase's defaults for absent attributes). */
export function familyFromWire(schema: ColumnFamilySchema): { name: string; maxVersions?: number; minVersions?: number; ttlMs?: number } {
  const name = dec.decode(schema.name);
  const attrs = attributes(schema.attributes);
  const out: { name: string; maxVersions?: number; minVersions?: number; ttlMs?: number } = { name };
  const versions = integerAttribute(attrs, FAMILY_ATTRIBUTES.versions, name);
  if (versions !== undefined) out.maxVersions = versions;
  const minVersions = integerAttribute(attrs, FAMILY_ATTRIBUTES.minVersions, name);
  if (minVersions !== undefined) out.minVersions = minVersions;
  const ttlMs = integerAttribute(attrs, FAMILY_ATTRIBUTES.ttlMs, name);
  const ttl = integerAttribute(attrs, FAMILY_ATTRIBUTES.ttl, name);
  if (ttlMs !== undefined) out.ttlMs = ttlMs;
  else if (ttl !== undefined) out.ttlMs = ttl === HBASE_FOREVER_SECONDS ? Infinity : ttl * 1000;
  return out;
}

/** A table descriptor as a TableSchema (families with their options, the typed schema as an attribute). */
export function tableSchemaToWire(descriptor: TableDescriptor): TableSchema {
  const schema: TableSchema = { table_name: tableNameToWire(descriptor.table), column_families: descriptor.families.map(familyToWire) };
  if (descriptor.schema !== undefined) schema.attributes = [pair(SCHEMA_ATTRIBUTE, JSON.stringify(descriptor.schema))];
  return schema;
}

/** The typed schema a TableSchema carries, if any. */
export function schemaFromWire(schema: TableSchema): SchemaSpec | undefined {
  const raw = attributes(schema.attributes).get(SCHEMA_ATTRIBUTE);
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as SchemaSpec;
  } catch (error) {
    throw new TableSchemaError(`table attribute ${SCHEMA_ATTRIBUTE} is not JSON: ${(error as Error).message}`);
  }
}

/** A CreateTableRequest's schema and split keys as `createTable` arguments. */
export function createTableFromWire(schema: TableSchema, splitKeys: readonly Uint8Array[] | undefined): { table: TableName; options: CreateTableOptions } {
  if (!schema.table_name) throw new TableSchemaError("the table schema names no table");
  const table = tableNameFromWire(schema.table_name);
  const families: FamilySpec[] = (schema.column_families ?? []).map(familyFromWire);
  const typed = schemaFromWire(schema);
  const options: CreateTableOptions = {
    families,
    ...(splitKeys && splitKeys.length > 0 ? { splitKeys: [...splitKeys] } : {}),
    ...(typed === undefined ? {} : { schema: typed }),
  };
  return { table, options };
}

/** "name" for the default namespace, else "ns:name" (what `Connection.table()` takes). */
export function tableLabel(name: TableName): string {
  return name.namespace === "default" || name.namespace === "" ? name.name : `${name.namespace}:${name.name}`;
}
