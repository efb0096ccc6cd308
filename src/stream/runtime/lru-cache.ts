/** A small LRU cache with expire-after-write (the lookup join's partial cache). */

interface Entry<V> {
  value: V;
  writtenAt: number;
}

/** Keys to values, at most `maxRows`, least recently used evicted first. */
export class LruCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>();
  hits = 0;
  misses = 0;

  constructor(
    private readonly maxRows: number,
    private readonly expireAfterWriteMs: number,
    private readonly now: () => number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The cached value (refreshing its recency), or undefined when absent or expired. */
  get(key: K): Entry<V> | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) {
      this.misses++;
      return undefined;
    }
    if (this.now() - entry.writtenAt >= this.expireAfterWriteMs) {
      this.entries.delete(key);
      this.misses++;
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.hits++;
    return entry;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, writtenAt: this.now() });
    while (this.entries.size > this.maxRows) this.entries.delete(this.entries.keys().next().value as K);
  }
}
