/**
 * What a table is made of: a name in a namespace, column families with their retention settings, the
 * regions (key ranges) its rows are split into, and optionally a typed schema of its records.
 */
import type { SchemaSpec } from "../schema/schema-spec.js";

/** A table name; `namespace` is "default" when omitted. */
export interface TableName {
  readonly namespace: string;
  readonly name: string;
}

/** A column family and how long its cells are kept. */
export interface FamilyDescriptor {
  readonly name: string;
  /** Versions kept per column (HBase default 1). */
  readonly maxVersions: number;
  /** Versions kept even past the TTL (default 0). */
  readonly minVersions: number;
  /** Time to live of a cell in milliseconds; `Infinity` (default) keeps cells forever. */
  readonly ttlMs: number;
}

/** A key range of a table: rows r with startKey ≤ r < endKey (empty start = first, empty end = last). */
export interface RegionInfo {
  readonly startKey: Uint8Array;
  readonly endKey: Uint8Array;
}

/** A table's description. */
export interface TableDescriptor {
  readonly table: TableName;
  readonly families: readonly FamilyDescriptor[];
  /** Regions in key order, covering the whole key space. */
  readonly regions: readonly RegionInfo[];
  /**
   * The typed schema stored with the table (row key and qualifiers → codecs), if any: see
   * `createTable(name, { families, schema })`, `Admin.setSchema` and `typedTableOf`.
   */
  readonly schema?: SchemaSpec;
}
