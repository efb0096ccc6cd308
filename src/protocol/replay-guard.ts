/**
 * Replay protection: a signed message whose signature was already seen in this session is refused.
 * Memory is bounded: only the most recent `capacity` signatures are remembered.
 */

/** Default number of signatures remembered. */
export const DEFAULT_REPLAY_CAPACITY = 100_000;

/** Options for {@link ReplayGuard}. */
export interface ReplayGuardOptions {
  /**
   * False disables the guard (every check passes). Use false when the session has no key: unsigned
   * messages all carry the empty signature.
   */
  enabled: boolean;
  /** How many recent signatures to remember; a positive integer. Default {@link DEFAULT_REPLAY_CAPACITY}. */
  capacity?: number;
}

/** Remembers recent signatures and refuses repeats. */
export class ReplayGuard {
  readonly enabled: boolean;
  readonly capacity: number;
  private readonly seen = new Set<string>();
  /** Ring of remembered signatures in arrival order; `next` is the slot the next one goes to. */
  private readonly ring: (string | undefined)[];
  private next = 0;

  constructor(options: ReplayGuardOptions) {
    const capacity = options.capacity ?? DEFAULT_REPLAY_CAPACITY;
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`ReplayGuard: capacity must be a positive integer, got ${String(capacity)}`);
    }
    this.enabled = options.enabled;
    this.capacity = capacity;
    this.ring = options.enabled ? new Array<string | undefined>(capacity) : [];
  }

  /** How many signatures are remembered now (at most {@link capacity}). */
  get size(): number {
    return this.seen.size;
  }

  /**
   * True when `signature` is new (and remembers it); false when it is a repeat of a remembered one.
   * Always true when the guard is disabled.
   */
  check(signature: string): boolean {
    if (!this.enabled) return true;
    if (this.seen.has(signature)) return false;
    const evicted = this.ring[this.next];
    if (evicted !== undefined) this.seen.delete(evicted);
    this.ring[this.next] = signature;
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
    this.seen.add(signature);
    return true;
  }
}
