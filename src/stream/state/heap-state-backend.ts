/**
 * The default keyed state backend: entries in a Map on the JavaScript heap (mutated in place). Change
 * tracking, when on, remembers the ids of changed keys in a Set until the next checkpoint.
 */
import type { KeyedChanges, KeyedStateBackend } from "./keyed-state-backend.js";

/** Keyed state on the heap. */
export class HeapStateBackend<E> implements KeyedStateBackend<E> {
  readonly kind = "heap";
  private readonly map = new Map<string, E>();
  /** Ids changed since tracking started; undefined while not tracking (nothing is remembered then). */
  private touched: Set<string> | undefined;

  get size(): number {
    return this.map.size;
  }

  get(id: string): E | undefined {
    return this.map.get(id);
  }

  put(id: string, entry: E): void {
    this.map.set(id, entry);
    this.touched?.add(id);
  }

  changed(id: string): void {
    this.touched?.add(id);
  }

  delete(id: string): void {
    if (this.map.delete(id)) this.touched?.add(id);
  }

  entries(): IterableIterator<[string, E]> {
    return this.map.entries();
  }

  trackChanges(): void {
    this.touched = new Set();
  }

  takeChanges(): KeyedChanges<E> {
    const ids: string[] = [];
    const entries: E[] = [];
    const deletes: string[] = [];
    for (const id of this.touched ?? []) {
      const entry = this.map.get(id);
      if (entry === undefined) deletes.push(id);
      else {
        ids.push(id);
        entries.push(entry);
      }
    }
    this.touched = new Set();
    return { ids, entries, deletes };
  }

  clear(): void {
    this.map.clear();
    this.touched?.clear();
  }

  close(): void {
    this.map.clear();
    this.touched = undefined;
  }
}
