/**
 * Where a keyed operator keeps its per-key state: one entry per key (plain, structured-cloneable data),
 * addressed by the key's id (see `runtime/key-id.ts`). Two implementations: {@link HeapStateBackend}
 * (a Map: the default, today's speed) and `DiskStateBackend` (LMDB, for state larger than memory).
 *
 * Reads are synchronous (operators run synchronously per record). An entry returned by {@link get} may
 * be changed in place; the caller then says so with {@link changed}, so the disk backend writes it back
 * and incremental checkpoints include it.
 */

/** The entries changed since change tracking last started (for an incremental checkpoint). */
export interface KeyedChanges<E> {
  /** Keys whose entry is new or changed. */
  readonly ids: string[];
  /** The entry of `ids[i]` now. */
  readonly entries: E[];
  /** Keys whose entry was deleted. */
  readonly deletes: string[];
}

/** Per-key state of one operator instance. */
export interface KeyedStateBackend<E> {
  /** "heap" or "disk". */
  readonly kind: "heap" | "disk";
  /** How many keys hold an entry. */
  readonly size: number;
  /** The entry of a key (undefined when the key has none). */
  get(id: string): E | undefined;
  /** Stores the entry of a key (new or replaced). */
  put(id: string, entry: E): void;
  /** The entry got from {@link get} was changed in place. */
  changed(id: string): void;
  /** Deletes the entry of a key (no-op when absent). */
  delete(id: string): void;
  /** Every entry (for a full checkpoint), in no particular order. */
  entries(): IterableIterator<[string, E]>;
  /** Starts (or restarts) change tracking: the next {@link takeChanges} reports changes from now on. */
  trackChanges(): void;
  /** The changes since tracking (re)started, then restarts tracking. */
  takeChanges(): KeyedChanges<E>;
  /** Drops every entry (a restore starts from empty). */
  clear(): void;
  /** Releases files and memory; the backend is unusable afterwards. */
  close(): void;
}
