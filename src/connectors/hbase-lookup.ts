/**
 * Lookups in an HBase table for lookup joins: the row with the record's key (a get), optionally turned
 * into a value. Used with `stream.lookupJoin(hbaseLookup(table), { key, join, cache })`.
 */
import type { BytesLike, ColumnRef, Table } from "../hbase/table.js";
import type { Result } from "../hbase/result.js";
import type { LookupFunction } from "../stream/api/lookup.js";

/** Options of {@link hbaseLookup}. */
export interface HBaseLookupOptions<V> {
  /** Only these families or columns. */
  columns?: readonly ColumnRef[];
  /** The value of a found row (default: the row's Result). */
  map?: (row: Result) => V | undefined;
}

/**
 * Looks rows of `table` up by row key.
 * @example `hbaseLookup(conn.table("people"), { map: (row) => row.get("d:name", "string") })`
 */
export function hbaseLookup<V = Result>(table: Table, options: HBaseLookupOptions<V> = {}): LookupFunction<BytesLike, V> {
  if (table === null || typeof table !== "object" || typeof table.get !== "function") {
    throw new TypeError("hbaseLookup() takes a table: connection.table(name)");
  }
  const { columns, map } = options;
  if (map !== undefined && typeof map !== "function") throw new TypeError(`hbaseLookup: map must be a function, got ${typeof map}`);
  return {
    description: `hbase get ${table.name.namespace}:${table.name.name}`,
    async lookup(key) {
      const row = await table.get(key, columns === undefined ? undefined : { columns });
      if (row === undefined) return undefined;
      return map === undefined ? (row as V) : map(row);
    },
  };
}
