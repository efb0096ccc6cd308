/**
 * One window's keyed state in columns (the window operator's columnar layout, see
 * `columnar-windows.ts`): per key a row — the key, its accumulator, a changed flag — instead of an
 * object per key and window. Rows are appended in the order keys first reach the window and never
 * removed one by one (the whole window goes when it fires), so the row order is the order the window
 * fires its keys in, and a checkpoint visits two arrays and a byte array in order.
 */
import { keyId } from "../key-id.js";

/** The keys and accumulators of one window [start, end), one row per key. */
export class WindowColumns {
  /** Rows of keys that are strings, numbers, booleans, bigints, null or undefined: by value. */
  private readonly rows = new Map<unknown, number>();
  /** Rows of other keys (objects): by their {@link keyId} text. */
  private objectRows: Map<string, number> | undefined;
  /** The key of each row (numbers stay a packed array of doubles when every key is a number). */
  readonly keys: unknown[] = [];
  /** The accumulator of each row. */
  readonly accs: unknown[] = [];
  /** 1 for rows changed since the last checkpoint (while changes are tracked). */
  private changed = new Uint8Array(1_024);
  /** How many rows are marked in {@link changed}. */
  changedCount = 0;

  constructor(
    readonly start: number,
    readonly end: number,
  ) {}

  /** How many keys hold state in the window. */
  get size(): number {
    return this.keys.length;
  }

  /** The row of `key`, if it has one. */
  rowOf(key: unknown): number | undefined {
    if (key !== null && typeof key === "object") return this.objectRows?.get(keyId(key));
    return this.rows.get(key);
  }

  /** Appends a row for `key` (which has none) holding `acc`; marks it changed when `track`. */
  add(key: unknown, acc: unknown, track: boolean): number {
    const row = this.keys.length;
    if (key !== null && typeof key === "object") (this.objectRows ??= new Map()).set(keyId(key), row);
    else this.rows.set(key, row);
    this.keys.push(key);
    this.accs.push(acc);
    if (track) this.markChanged(row);
    return row;
  }

  /** Marks `row` changed (once). */
  markChanged(row: number): void {
    let changed = this.changed;
    if (row >= changed.length) {
      const bigger = new Uint8Array(Math.max(row + 1, changed.length * 2));
      bigger.set(changed);
      this.changed = changed = bigger;
    }
    if (changed[row] === 0) {
      changed[row] = 1;
      this.changedCount++;
    }
  }

  /** Whether `row` changed since {@link clearChanges}. */
  isChanged(row: number): boolean {
    return this.changed[row] === 1;
  }

  /** Forgets which rows changed. */
  clearChanges(): void {
    if (this.changedCount === 0) return;
    this.changed.fill(0, 0, Math.min(this.changed.length, this.keys.length));
    this.changedCount = 0;
  }

  /**
   * Puts the rows in order of `compare` on their keys (after a restore: the order a checkpoint lists
   * keys in depends on the chain that wrote it, this order does not). Forgets which rows changed.
   */
  sortRows(compare: (a: unknown, b: unknown) => number): void {
    const n = this.keys.length;
    const order = Array.from({ length: n }, (_, i) => i);
    const keys = this.keys;
    order.sort((a, b) => compare(keys[a], keys[b]));
    const sortedKeys = order.map((i) => keys[i]);
    const sortedAccs = order.map((i) => this.accs[i]);
    this.rows.clear();
    this.objectRows = undefined;
    keys.length = 0;
    this.accs.length = 0;
    this.changed.fill(0);
    this.changedCount = 0;
    for (let i = 0; i < n; i++) this.add(sortedKeys[i], sortedAccs[i], false);
  }

  /** Drops everything but {@link keys} (a fired window kept until the next checkpoint lists its deletions). */
  releaseRows(): void {
    this.rows.clear();
    this.objectRows = undefined;
    this.accs.length = 0;
    this.changed = new Uint8Array(0);
    this.changedCount = 0;
  }
}
