/**
 * Keyed snapshot entries packed into one Float64Array: for the common shape of keyed state — a number
 * key whose entry is a short array of numbers (a window's bounds, flags, a numeric accumulator, timer
 * times) — writing doubles into a typed array costs a fraction of building an array per key and
 * serialising it value by value, which is what makes checkpoints of a million keys cheap. Entries of
 * any other shape stay in the snapshot's generic `ids` / `entries`.
 *
 * Two kinds of records follow each other in the array:
 * - an **entry**: id, header (= length + 64 × mask ≥ 0, where bit i of mask marks value i as
 *   undefined), then `length` values (undefined written as 0) — the only kind earlier versions wrote;
 * - a **run** of entries that share everything but their id and a few values (e.g. a million keys in
 *   the same window, differing only in their count): n (the number of entries), −(1 + header), varying
 *   (bit i: value i differs per entry), idFirst (1: value 0 is the entry's id and stored nowhere), the
 *   shared values (every other value, in order), then per entry its id and its varying values in order.
 *   A window checkpoint of 1M counts is then 16 bytes per key instead of 72.
 * At most {@link MAX_PACKED_LENGTH} values per entry.
 */

/** The longest entry that packs (the undefined mask must fit a double's 53 bits with the length). */
export const MAX_PACKED_LENGTH = 46;

const DAMAGED = "a checkpoint's packed keyed state is damaged";

/** The same number, telling −0 from 0 (a shared value must restore exactly as each entry had it). */
function same(a: number, b: number): boolean {
  return a === b && (a !== 0 || 1 / a === 1 / b);
}

/**
 * Builds a packed Float64Array entry by entry. Keep one writer per operator and {@link reset} it per
 * snapshot: its buffer is reused (large typed-array allocations make V8 collect the whole heap).
 */
export class PackedKeysWriter {
  private buf = new Float64Array(4_096);
  private n = 0;
  /** The values of the next {@link runEntry} (write `values[0 .. length)` first). */
  readonly values = new Float64Array(MAX_PACKED_LENGTH);
  /** The open run: the index of its count, its template (-1: none open). */
  private runAt = -1;
  private runHeader = 0;
  private runVarying = 0;
  private runIdFirst = false;
  /** The open run's shared values (in order) and their positions. */
  private readonly runShared = new Float64Array(MAX_PACKED_LENGTH);
  private readonly runSharedAt = new Uint8Array(MAX_PACKED_LENGTH);
  private runSharedCount = 0;
  /** The positions of the open run's varying values. */
  private readonly runVaryingAt = new Uint8Array(MAX_PACKED_LENGTH);
  private runVaryingCount = 0;

  /** Starts over, with room for about `doubles` values. */
  reset(doubles = 0): void {
    this.n = 0;
    this.runAt = -1;
    if (doubles > this.buf.length) this.buf = new Float64Array(Math.ceil(doubles * 1.25));
  }

  /**
   * Starts over in a fresh buffer of exactly `doubles` values: when that many are written,
   * {@link finish} hands the buffer itself out instead of a copy (for a caller that knows the size).
   */
  resetExact(doubles: number): void {
    this.n = 0;
    this.runAt = -1;
    this.buf = new Float64Array(Math.max(1, doubles));
  }

  /** How many doubles are written. */
  get length(): number {
    return this.n;
  }

  private room(need: number): Float64Array {
    if (need > this.buf.length) {
      const bigger = new Float64Array(Math.max(need, Math.ceil(this.buf.length * 1.5)));
      bigger.set(this.buf.subarray(0, this.n));
      this.buf = bigger;
    }
    return this.buf;
  }

  /**
   * Starts an entry of `length` values (≤ {@link MAX_PACKED_LENGTH}) for key id `id`, with `undefinedMask`
   * marking undefined values; returns the index where value 0 goes (write them with {@link set}).
   */
  entry(id: number, length: number, undefinedMask: number): number {
    this.runAt = -1;
    const need = this.n + 2 + length;
    const buf = this.room(need);
    buf[this.n] = id;
    buf[this.n + 1] = length + undefinedMask * 64;
    const at = this.n + 2;
    this.n = need;
    return at;
  }

  /**
   * Writes an entry of `length` values, taken from {@link values}, into a run: `varying` (bit i = 2^i)
   * marks the values that differ between keys, `idFirst` says value 0 equals the id. Consecutive entries
   * whose other values (and length, mask, `varying`, `idFirst`) are equal share one run, so only their
   * ids and varying values are written; any other entry opens a new run.
   */
  runEntry(id: number, length: number, undefinedMask: number, varying: number, idFirst: boolean): void {
    const values = this.values;
    if (idFirst && !same(values[0]!, id)) idFirst = false;
    const header = length + undefinedMask * 64;
    let open = this.runAt >= 0 && header === this.runHeader && varying === this.runVarying && idFirst === this.runIdFirst;
    if (open) {
      const at = this.runSharedAt;
      const shared = this.runShared;
      for (let j = 0; j < this.runSharedCount; j++) {
        if (!same(values[at[j]!]!, shared[j]!)) {
          open = false;
          break;
        }
      }
    }
    if (!open) this.openRun(length, header, varying, idFirst);
    const count = this.runVaryingCount;
    const at = this.runVaryingAt;
    let n = this.n;
    const buf = this.room(n + 1 + count);
    buf[n++] = id;
    for (let j = 0; j < count; j++) buf[n++] = values[at[j]!]!;
    this.n = n;
    buf[this.runAt]!++;
  }

  /**
   * Opens a new run of entries shaped as {@link values} (as {@link runEntry} would), for entries that
   * differ only in their id (value 0: `idFirst`) and ONE value (`varying` has one bit set); then add them
   * with {@link appendToRun} — a column of keys and numbers written without comparing each entry's values.
   */
  beginRun(length: number, undefinedMask: number, varying: number): void {
    if (varying <= 0 || (varying & (varying - 1)) !== 0 || varying >= 2 ** length || varying === 1) {
      throw new RangeError("beginRun: varying must mark exactly one value other than the id");
    }
    this.openRun(length, length + undefinedMask * 64, varying, true);
  }

  /** Adds an entry to the run {@link beginRun} opened: its id (= value 0) and its varying value. */
  appendToRun(id: number, value: number): void {
    const n = this.n;
    const buf = n + 2 > this.buf.length ? this.room(n + 2) : this.buf;
    buf[n] = id;
    buf[n + 1] = value;
    this.n = n + 2;
    buf[this.runAt]!++;
  }

  private openRun(length: number, header: number, varying: number, idFirst: boolean): void {
    const values = this.values;
    let bits = varying;
    let shared = 0;
    let vary = 0;
    for (let i = 0; i < length; i++) {
      if (i === 0 && idFirst) {
        // the id: stored per entry already
      } else if (bits % 2 === 1) this.runVaryingAt[vary++] = i;
      else {
        this.runSharedAt[shared] = i;
        this.runShared[shared++] = values[i]!;
      }
      bits = Math.floor(bits / 2);
    }
    let n = this.n;
    const buf = this.room(n + 4 + shared);
    this.runAt = n;
    buf[n++] = 0;
    buf[n++] = -(1 + header);
    buf[n++] = varying;
    buf[n++] = idFirst ? 1 : 0;
    for (let j = 0; j < shared; j++) buf[n++] = this.runShared[j]!;
    this.n = n;
    this.runHeader = header;
    this.runVarying = varying;
    this.runIdFirst = idFirst;
    this.runSharedCount = shared;
    this.runVaryingCount = vary;
  }

  /** Frees the buffer (a small one replaces it). */
  release(): void {
    this.n = 0;
    this.runAt = -1;
    this.buf = new Float64Array(4_096);
  }

  /** Writes a value at an index {@link entry} returned (plus the value's position). */
  set(index: number, value: number): void {
    this.buf[index] = value;
  }

  /**
   * The packed entries (exactly the written length: the buffer itself when full, which the writer then
   * no longer uses, else a copy), or undefined when none were written.
   */
  finish(): Float64Array | undefined {
    this.runAt = -1;
    if (this.n === 0) return undefined;
    if (this.n < this.buf.length) return this.buf.slice(0, this.n);
    const full = this.buf;
    this.buf = new Float64Array(4_096);
    this.n = 0;
    return full;
  }
}

/**
 * Reads packed entries one at a time, runs expanded: after {@link next} returns true, {@link id},
 * {@link length}, {@link mask} and {@link values} describe the entry, and {@link run} whether it came from
 * a run (then {@link varying} and {@link idFirst} are its run's). Throws on a damaged array.
 */
export class PackedKeysReader {
  id = 0;
  length = 0;
  mask = 0;
  run = false;
  varying = 0;
  idFirst = false;
  /** The entry's values (undefined ones as 0: see {@link mask}). */
  readonly values = new Float64Array(MAX_PACKED_LENGTH);
  private p = 0;
  /** Entries left in the current run. */
  private left = 0;
  private readonly kinds = new Uint8Array(MAX_PACKED_LENGTH);

  constructor(private readonly packed: Float64Array) {}

  next(): boolean {
    const packed = this.packed;
    if (this.left > 0) {
      this.left--;
      this.readRunEntry();
      return true;
    }
    for (;;) {
      const p = this.p;
      if (p >= packed.length) return false;
      const first = packed[p]!;
      const header = packed[p + 1];
      if (header === undefined || !Number.isInteger(header)) throw new Error(DAMAGED);
      if (header >= 0) {
        const length = header % 64;
        if (length > MAX_PACKED_LENGTH || p + 2 + length > packed.length) throw new Error(DAMAGED);
        this.id = first;
        this.length = length;
        this.mask = Math.floor(header / 64);
        this.run = false;
        this.varying = 0;
        this.idFirst = false;
        for (let i = 0; i < length; i++) this.values[i] = packed[p + 2 + i]!;
        this.p = p + 2 + length;
        return true;
      }
      // A run: n, −(1 + header), varying, idFirst, shared values, then n × (id, varying values).
      const h = -1 - header;
      const length = h % 64;
      const varying = packed[p + 2];
      const idFirst = packed[p + 3];
      if (!Number.isInteger(first) || first < 0 || length > MAX_PACKED_LENGTH || varying === undefined || !Number.isInteger(varying) || varying < 0 || varying >= 2 ** length || (idFirst !== 0 && idFirst !== 1)) {
        throw new Error(DAMAGED);
      }
      this.length = length;
      this.mask = Math.floor(h / 64);
      this.run = true;
      this.varying = varying;
      this.idFirst = idFirst === 1;
      let q = p + 4;
      let bits = varying;
      let perEntry = 1;
      for (let i = 0; i < length; i++) {
        const kind = i === 0 && idFirst === 1 ? 2 : bits % 2 === 1 ? 1 : 0;
        bits = Math.floor(bits / 2);
        this.kinds[i] = kind;
        if (kind === 0) {
          if (q >= packed.length) throw new Error(DAMAGED);
          this.values[i] = packed[q++]!;
        } else if (kind === 1) perEntry++;
      }
      if (q + first * perEntry > packed.length) throw new Error(DAMAGED);
      this.p = q;
      if (first === 0) continue;
      this.left = first - 1;
      this.readRunEntry();
      return true;
    }
  }

  private readRunEntry(): void {
    const packed = this.packed;
    const kinds = this.kinds;
    const values = this.values;
    let p = this.p;
    const id = packed[p++]!;
    this.id = id;
    for (let i = 0; i < this.length; i++) {
      const kind = kinds[i];
      if (kind === 1) values[i] = packed[p++]!;
      else if (kind === 2) values[i] = id;
    }
    this.p = p;
  }

  /** The current entry as an array (undefined where its mask says so). */
  entry(): (number | undefined)[] {
    const entry: (number | undefined)[] = new Array(this.length);
    let mask = this.mask;
    for (let i = 0; i < this.length; i++) {
      entry[i] = mask % 2 === 1 ? undefined : this.values[i];
      mask = Math.floor(mask / 2);
    }
    return entry;
  }

  /** Writes the current entry to `writer` the way it was stored (into a run, or as a lone entry). */
  copyTo(writer: PackedKeysWriter): void {
    if (this.run) {
      writer.values.set(this.values.subarray(0, this.length));
      writer.runEntry(this.id, this.length, this.mask, this.varying, this.idFirst);
    } else {
      const at = writer.entry(this.id, this.length, this.mask);
      for (let i = 0; i < this.length; i++) writer.set(at + i, this.values[i]!);
    }
  }
}

/** Unpacks {@link PackedKeysWriter.finish}'s result into ids and entries (arrays of numbers and undefined). */
export function unpackKeys(packed: Float64Array): { ids: number[]; entries: (number | undefined)[][] } {
  const ids: number[] = [];
  const entries: (number | undefined)[][] = [];
  const reader = new PackedKeysReader(packed);
  while (reader.next()) {
    ids.push(reader.id);
    entries.push(reader.entry());
  }
  return { ids, entries };
}
