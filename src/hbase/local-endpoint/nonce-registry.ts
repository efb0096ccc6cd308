/**
 * Nonce deduplication of INCREMENT and APPEND (HBase's ServerNonceManager, simplified): a request
 * carrying a non-zero `nonce_group` and `nonce` is applied once; a repeat while the first runs waits for
 * it and answers its result, a repeat after it answers the stored response without applying anything.
 * A failed operation leaves no entry (a retry applies it, as HBase). Entries expire `ttlMs` after the
 * operation finished (the scanner lease time, as HBase's `hbase.client.scanner.timeout.period`-based
 * nonce expiry).
 *
 * Keys are table + nonce group + nonce: the region's table rather than the region itself, so that a
 * retry re-located to a daughter region after a split is still recognised (a nonce is one operation
 * on one row, so it never meets another region of the table).
 */

interface Entry<T> {
  readonly result: Promise<T>;
  /** ms since the epoch after which a finished entry is dropped; Infinity while running. */
  expiresAt: number;
}

/** A finished operation's answer, or the one still running, per (table, nonce group, nonce). */
export class NonceRegistry<T = unknown> {
  readonly #entries = new Map<string, Entry<T>>();
  #nextSweep = 0;

  /** @param ttlMs how long a finished operation's answer is kept */
  constructor(readonly ttlMs: number) {
    if (!(Number.isFinite(ttlMs) && ttlMs > 0)) throw new RangeError(`NonceRegistry: ttlMs must be a positive number of ms, got ${String(ttlMs)}`);
  }

  /** The key of an operation, or undefined when it carries no nonce (group or nonce absent or 0). */
  static key(table: string, nonceGroup: bigint | number | undefined, nonce: bigint | number | undefined): string | undefined {
    if (nonceGroup === undefined || nonce === undefined) return undefined;
    const group = BigInt(nonceGroup);
    const n = BigInt(nonce);
    if (group === 0n || n === 0n) return undefined;
    return `${table}\u0000${group}\u0000${n}`;
  }

  /** Number of entries kept (running and finished, not yet swept). */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Runs `apply` once per `key`: a repeat while it runs gets its result (or, if it fails, runs itself);
   * a repeat within `ttlMs` after it succeeded gets the stored result without running anything.
   */
  async run(key: string, apply: () => Promise<T>): Promise<T> {
    this.#sweep();
    for (;;) {
      const existing = this.#entries.get(key);
      if (existing !== undefined && existing.expiresAt > Date.now()) {
        try {
          return await existing.result;
        } catch {
          // the first attempt failed and left no entry: this one applies (unless another repeat got there first)
          if (this.#entries.get(key) === existing) this.#entries.delete(key);
          continue;
        }
      }
      const entry: Entry<T> = { result: apply(), expiresAt: Number.POSITIVE_INFINITY };
      this.#entries.set(key, entry);
      try {
        const result = await entry.result;
        entry.expiresAt = Date.now() + this.ttlMs;
        return result;
      } catch (error) {
        if (this.#entries.get(key) === entry) this.#entries.delete(key);
        throw error;
      }
    }
  }

  /** Drops every entry (the endpoint stopped). */
  clear(): void {
    this.#entries.clear();
  }

  #sweep(): void {
    const now = Date.now();
    if (now < this.#nextSweep) return;
    this.#nextSweep = now + Math.max(1_000, this.ttlMs / 4);
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
  }
}
