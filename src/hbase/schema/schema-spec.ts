/**
 * A typed table schema as data: the codec of the row key and, per column family, the codec of each
 * qualifier — the Flink HBase connector's mapping (one atomic row-key field, one ROW-typed field per
 * family whose fields are the qualifiers). Plain JSON, so the catalog stores it with the table.
 */
import type { CodecName } from "../bytes/value-codecs.js";

/** The qualifiers of one family a schema maps, each to the codec of its values: `{ price: "double" }`. */
export interface FamilySchema {
  readonly [qualifier: string]: CodecName;
}

/**
 * A table schema: `{ rowKey: "string", families: { d: { price: "double", bidder: "int64" } } }`.
 * Families and qualifiers the schema does not name are ignored by typed reads (as in Flink).
 */
export interface SchemaSpec {
  /** The codec of the row key (the record's `rowKey` field). */
  readonly rowKey: CodecName;
  /** Family name → qualifier → codec. At least one family, each with at least one qualifier. */
  readonly families: { readonly [family: string]: FamilySchema };
}
