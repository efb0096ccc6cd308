/**
 * In-process row locks: writers of the same row (read-modify-write operations above all) run one after
 * another, in the order they asked. A writer takes all its rows' locks at once, so there is no deadlock.
 */

/**
 * Lock stripes keyed by a 32-bit hash of (table id, row) ({@link rowLockKey}): two rows that share a
 * hash are serialised together, which costs only concurrency, never correctness.
 */
export class RowLocks {
  private readonly tails = new Map<number, Promise<void>>();

  /** Waits until every key is free, holding them from the call on; returns the release function. */
  async acquire(keys: readonly number[]): Promise<() => void> {
    const unique = [...new Set(keys)];
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const waits: Promise<void>[] = [];
    for (const key of unique) {
      const previous = this.tails.get(key);
      if (previous !== undefined) waits.push(previous);
      this.tails.set(key, mine);
    }
    if (waits.length > 0) await Promise.all(waits);
    return () => {
      release();
      for (const key of unique) if (this.tails.get(key) === mine) this.tails.delete(key);
    };
  }
}

/** The lock key of a row: FNV-1a over the row's bytes, seeded with the table id. */
export function rowLockKey(tableId: number, row: Uint8Array): number {
  let h = (0x811c9dc5 ^ tableId) >>> 0;
  for (let i = 0; i < row.length; i++) h = Math.imul(h ^ row[i]!, 0x01000193) >>> 0;
  return h;
}
