/**
 * The storage engine under the embedded store: the small ordered key-value interface the store uses
 * (keys and values are bytes, keys iterate in unsigned byte order). Two implementations:
 * `leveldb-engine.ts` (classic-level) and `lmdb-engine.ts` (lmdb-js).
 */

/** The engines a data directory can be made with. */
export type StorageEngineKind = "lmdb" | "leveldb";

/** Every engine kind, in the order they are named in messages. */
export const STORAGE_ENGINE_KINDS: readonly StorageEngineKind[] = ["lmdb", "leveldb"];

/** One stored entry: its key and its value (views; the engine does not reuse their bytes). */
export type EngineEntry = [key: Uint8Array, value: Uint8Array];

/** An entry read with `values: false`: the key only. */
export type EngineKeyEntry = [key: Uint8Array, value?: undefined];

/** A consistent read view across many reads, held until {@link EngineSnapshot.close}. */
export interface EngineSnapshot {
  /** Releases the view (iterators reading it must be closed first). Idempotent. */
  close(): Promise<void>;
}

/** A key range: `gte` ≤ key < `lt` (either bound may be left out). */
export interface EngineRange {
  readonly gte?: Uint8Array;
  readonly lt?: Uint8Array;
}

/** Options of {@link StorageEngine.iterator}. */
export interface EngineIteratorOptions extends EngineRange {
  /** Iterate from the last key of the range down (default false). */
  readonly reverse?: boolean;
  /** Whether entries carry values (default true). */
  readonly values?: boolean;
  /** Read this snapshot (default: a view of its own, taken when the iterator is made). */
  readonly snapshot?: EngineSnapshot;
  /**
   * A `nextv` returns early once it holds about this many bytes of keys and values (at least one
   * entry). Default 16 KiB (LevelDB's).
   */
  readonly highWaterMarkBytes?: number;
}

/** A range iterator; {@link EngineIterator.close} it when done (also after an error). */
export interface EngineIterator<E> {
  /** Up to `size` next entries; an empty array once the range is exhausted. */
  nextv(size: number): Promise<E[]>;
  /** Every remaining entry; closes the iterator. */
  all(): Promise<E[]>;
  /** Releases the iterator. Idempotent. */
  close(): Promise<void>;
}

/** A chained batch: puts and deletes written by {@link EngineBatch.write} as one atomic write. */
export interface EngineBatch {
  put(key: Uint8Array, value: Uint8Array): void;
  del(key: Uint8Array): void;
  /** Writes every operation, all or nothing; the batch cannot be used afterwards. */
  write(): Promise<void>;
  /** Discards the batch without writing. */
  close(): Promise<void>;
}

/** An open storage engine. Writes are acknowledged once they survive the process being killed. */
export interface StorageEngine {
  readonly kind: StorageEngineKind;
  /**
   * Whether reads run off the calling thread (LevelDB's thread pool), so that asking for the next
   * entries early overlaps with work on them; false when they run synchronously on it (LMDB).
   */
  readonly readsInBackground: boolean;
  /** "open" until {@link StorageEngine.close} starts. */
  readonly status: "open" | "closing" | "closed";
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  put(key: Uint8Array, value: Uint8Array): Promise<void>;
  del(key: Uint8Array): Promise<void>;
  /** A chained batch (the fast way to write many entries atomically). */
  batch(): EngineBatch;
  iterator(options: EngineIteratorOptions & { readonly values: false }): EngineIterator<EngineKeyEntry>;
  iterator(options?: EngineIteratorOptions): EngineIterator<EngineEntry>;
  /** A consistent read view for iterators, held until closed. */
  snapshot(): EngineSnapshot;
  /** Deletes every entry of the range (not necessarily atomically). */
  clear(range: EngineRange): Promise<void>;
  /** Lets the engine reclaim the space of deleted entries in [start, end) (may do nothing). */
  compactRange(start: Uint8Array, end: Uint8Array): Promise<void>;
  /** Closes the engine (iterators and snapshots must be closed first). */
  close(): Promise<void>;
}
