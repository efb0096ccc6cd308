/**
 * Keyed snapshot entries packed into one Float64Array: for the common shape of keyed state — a number
 * key whose entry is a short array of numbers (a window's bounds, flags, a numeric accumulator, timer
 * times) — writing doubles into a typed array costs a fraction of building an array per key and
 * serialising it value by value, which is what makes checkpoints of a million keys cheap. Entries of
 * any other shape stay in the snapshot's generic `ids` / `entries`.
 *
 * Layout per entry: id, header (= length + 64 × mask, where bit i of mask marks value i as undefined),
 * then `length` values (undefined written as 0). At most {@link MAX_PACKED_LENGTH} values per entry.
 */

/** The longest entry that packs (the undefined mask must fit a double's 53 bits with the length). */
export const MAX_PACKED_LENGTH = 46;

/**
 * Builds a packed Float64Array entry by entry. Keep one writer per operator and {@link reset} it per
 * snapshot: its buffer is reused (large typed-array allocations make V8 collect the whole heap).
 */
export class PackedKeysWriter {
  private buf = new Float64Array(4_096);
  private n = 0;

  /** Starts over, with room for about `doubles` values. */
  reset(doubles = 0): void {
    this.n = 0;
    if (doubles > this.buf.length) this.buf = new Float64Array(Math.ceil(doubles * 1.25));
  }

  /** How many doubles are written. */
  get length(): number {
    return this.n;
  }

  /**
   * Starts an entry of `length` values (≤ {@link MAX_PACKED_LENGTH}) for key id `id`, with `undefinedMask`
   * marking undefined values; returns the index where value 0 goes (write them with {@link set}).
   */
  entry(id: number, length: number, undefinedMask: number): number {
    const need = this.n + 2 + length;
    if (need > this.buf.length) {
      const bigger = new Float64Array(Math.max(need, Math.ceil(this.buf.length * 1.5)));
      bigger.set(this.buf.subarray(0, this.n));
      this.buf = bigger;
    }
    const buf = this.buf;
    buf[this.n] = id;
    buf[this.n + 1] = length + undefinedMask * 64;
    const at = this.n + 2;
    this.n = need;
    return at;
  }

  /** Frees the buffer (a small one replaces it). */
  release(): void {
    this.n = 0;
    this.buf = new Float64Array(4_096);
  }

  /** Writes a value at an index {@link entry} returned (plus the value's position). */
  set(index: number, value: number): void {
    this.buf[index] = value;
  }

  /** The packed entries (a copy of exactly the written length), or undefined when none were written. */
  finish(): Float64Array | undefined {
    return this.n === 0 ? undefined : this.buf.slice(0, this.n);
  }
}

/** The index of the entry after the one at `p` (the layout's id, header, values); throws on a damaged entry. */
export function nextEntry(packed: Float64Array, p: number): number {
  const header = packed[p + 1];
  const length = header === undefined ? -1 : header % 64;
  if (!Number.isInteger(header) || length < 0 || length > MAX_PACKED_LENGTH || p + 2 + length > packed.length) throw new Error("a checkpoint's packed keyed state is damaged");
  return p + 2 + length;
}

/** Unpacks {@link PackedKeysWriter.finish}'s result into ids and entries (arrays of numbers and undefined). */
export function unpackKeys(packed: Float64Array): { ids: number[]; entries: (number | undefined)[][] } {
  const ids: number[] = [];
  const entries: (number | undefined)[][] = [];
  let p = 0;
  while (p < packed.length) {
    const header = packed[p + 1]!;
    const length = header % 64;
    let mask = Math.floor(header / 64);
    if (!Number.isInteger(header) || length > MAX_PACKED_LENGTH || p + 2 + length > packed.length) throw new Error("a checkpoint's packed keyed state is damaged");
    const entry: (number | undefined)[] = new Array(length);
    for (let i = 0; i < length; i++) {
      entry[i] = mask % 2 === 1 ? undefined : packed[p + 2 + i];
      mask = Math.floor(mask / 2);
    }
    ids.push(packed[p]!);
    entries.push(entry);
    p += 2 + length;
  }
  return { ids, entries };
}
