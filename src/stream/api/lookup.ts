/**
 * Lookup joins (Flink's lookup join with its partial cache): each record is enriched with a value looked
 * up by key in an external system (an HBase table), asynchronously with bounded concurrency, through an
 * LRU cache; results keep the records' order, and watermarks never overtake a pending lookup.
 */

/** Looks values up by key; undefined when there is none. */
export interface LookupFunction<K, V> {
  /** For messages and job displays, e.g. "hbase get people". */
  readonly description: string;
  lookup(key: K): Promise<V | undefined>;
}

/** Options of `lookupJoin`. */
export interface LookupJoinOptions<T, K, V, R> {
  /** The key of each record to look up. */
  key: (record: T) => K;
  /** The output for a record and its looked-up value (undefined when none); undefined drops the record. */
  join: (record: T, value: V | undefined) => R | undefined;
  /** Lookups in flight at most (default 16). */
  maxConcurrency?: number;
  /** Retries of a failed lookup before the job fails (default 3, as Flink's lookup.max-retries). */
  retries?: number;
  /** An LRU cache of looked-up values (none by default, as Flink's lookup.cache NONE). */
  cache?: {
    /** Keys kept at most. */
    maxRows: number;
    /** A cached value is dropped this long (ms of processing time) after it was looked up (default: never). */
    expireAfterWriteMs?: number;
    /** Whether "no value" results are cached too (default true, as Flink's caching-missing-key). */
    cacheMissing?: boolean;
  };
}
