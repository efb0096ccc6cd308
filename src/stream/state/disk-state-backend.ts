/**
 * Keyed state in an LMDB database (state larger than memory): one record per key, its entry encoded
 * with Node's structured serialisation. A write-back cache of decoded entries (two generations: an
 * approximate LRU) keeps hot keys in memory; entries leaving it dirty are written in batches (one write transaction per
 * {@link WRITE_BATCH} entries, not one per record). Reads are synchronous: cache, then pending writes,
 * then LMDB.
 *
 * On the heap per key remain only: the key's id in the change set until the next checkpoint (when
 * checkpoints are incremental) and, in the operator, its timers.
 */
import { deserialize, serialize } from "node:v8";
import type { Database } from "lmdb";
import type { KeyedChanges, KeyedStateBackend } from "./keyed-state-backend.js";

/** Dirty entries written per LMDB transaction. */
export const WRITE_BATCH = 2_048;

interface Cached<E> {
  entry: E;
  dirty: boolean;
}

/** Keyed state of one operator on disk. */
export class DiskStateBackend<E> implements KeyedStateBackend<E> {
  readonly kind = "disk";
  /**
   * The cache, in two generations (an approximate LRU with O(1) steps: Map iteration from the start
   * would scan the holes deleted entries leave): entries used since the last rotation are in `young`;
   * when it is full, `old` leaves the cache (dirty entries written) and `young` becomes `old`. An entry
   * is in at most one of them.
   */
  private young = new Map<string, Cached<E>>();
  private old = new Map<string, Cached<E>>();
  private readonly generation: number;
  /** Encoded entries (or null: deleted) not yet committed to LMDB. */
  private readonly pending = new Map<string, Uint8Array | null>();
  private touched: Set<string> | undefined;
  private count = 0;

  /**
   * @param db - an empty LMDB database (binary values, string keys)
   * @param cacheKeys - how many decoded entries stay in memory (at most)
   */
  constructor(
    private readonly db: Database<Uint8Array, string>,
    cacheKeys: number,
  ) {
    this.generation = Math.max(1, Math.floor(cacheKeys / 2));
  }

  get size(): number {
    return this.count;
  }

  get(id: string): E | undefined {
    const hit = this.young.get(id);
    if (hit !== undefined) return hit.entry;
    const older = this.old.get(id);
    if (older !== undefined) {
      this.old.delete(id);
      this.remember(id, older);
      return older.entry;
    }
    const bytes = this.stored(id);
    if (bytes === undefined) return undefined;
    const entry = deserialize(bytes) as E;
    this.remember(id, { entry, dirty: false });
    return entry;
  }

  put(id: string, entry: E): void {
    const cached = this.young.delete(id) || this.old.delete(id);
    if (!cached && this.stored(id) === undefined) this.count++;
    this.remember(id, { entry, dirty: true });
    this.touched?.add(id);
  }

  changed(id: string): void {
    const hit = this.young.get(id) ?? this.old.get(id);
    if (hit === undefined) throw new Error(`disk state: key ${JSON.stringify(id)} changed after it left the cache (a backend misuse)`);
    hit.dirty = true;
    this.touched?.add(id);
  }

  delete(id: string): void {
    const cached = this.young.delete(id) || this.old.delete(id);
    if (!cached && this.stored(id) === undefined) return;
    this.count--;
    this.pending.set(id, null);
    if (this.pending.size >= WRITE_BATCH) this.flush();
    this.touched?.add(id);
  }

  *entries(): IterableIterator<[string, E]> {
    this.flushAll();
    for (const { key, value } of this.db.getRange()) yield [key, deserialize(value) as E];
  }

  trackChanges(): void {
    this.touched = new Set();
  }

  takeChanges(): KeyedChanges<E> {
    const ids: string[] = [];
    const entries: E[] = [];
    const deletes: string[] = [];
    for (const id of this.touched ?? []) {
      const hit = this.young.get(id) ?? this.old.get(id);
      if (hit !== undefined) {
        ids.push(id);
        entries.push(hit.entry);
        continue;
      }
      const bytes = this.stored(id);
      if (bytes === undefined) deletes.push(id);
      else {
        ids.push(id);
        entries.push(deserialize(bytes) as E);
      }
    }
    this.touched = new Set();
    return { ids, entries, deletes };
  }

  clear(): void {
    this.young.clear();
    this.old.clear();
    this.pending.clear();
    this.db.clearSync();
    this.count = 0;
    this.touched?.clear();
  }

  close(): void {
    this.young.clear();
    this.old.clear();
    this.pending.clear();
    this.touched = undefined;
  }

  /** Writes every dirty cached entry and pending write to LMDB (cached entries stay, now clean). */
  flushAll(): void {
    for (const generation of [this.young, this.old]) {
      for (const [id, c] of generation) {
        if (!c.dirty) continue;
        this.pending.set(id, serialize(c.entry));
        c.dirty = false;
      }
    }
    this.flush();
  }

  /** The encoded entry of a key not in the cache: a pending write, else LMDB. */
  private stored(id: string): Uint8Array | undefined {
    const p = this.pending.get(id);
    if (p !== undefined) return p === null ? undefined : p;
    return this.db.getBinary(id);
  }

  /** Puts an entry in the young generation; rotates the generations when it is full. */
  private remember(id: string, cached: Cached<E>): void {
    this.young.set(id, cached);
    if (this.young.size < this.generation) return;
    for (const [oldId, old] of this.old) if (old.dirty) this.pending.set(oldId, serialize(old.entry));
    this.old = this.young;
    this.young = new Map();
    if (this.pending.size >= WRITE_BATCH) this.flush();
  }

  /** Commits the pending writes in one transaction. */
  private flush(): void {
    if (this.pending.size === 0) return;
    const db = this.db;
    const pending = this.pending;
    db.transactionSync(() => {
      for (const [id, bytes] of pending) {
        if (bytes === null) db.removeSync(id);
        else db.putSync(id, bytes);
      }
    });
    pending.clear();
  }
}
