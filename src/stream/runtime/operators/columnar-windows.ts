/**
 * The window operator's columnar layout: tumbling event-time windows with the event-time trigger and
 * no allowed lateness (the common case: every window fires once, at end − 1, and is gone) keep their
 * keyed state per window in columns ({@link WindowColumns}: a row per key) instead of an object per key
 * and window. A window's one timer is the window itself (windows are kept in order of their end), so
 * nothing per key is queued; firing walks the rows in order (the order keys reached the window, as the
 * object layout's timer buckets fire them); changes for incremental checkpoints are a byte per row.
 *
 * Checkpoints keep the keyed snapshot format of the object layout (`state/keyed-snapshot.ts`: one entry
 * per key holding all its windows, number keys with numeric accumulators packed into runs), so restores
 * of either layout's checkpoints, chains, materialisation and the parallel runtime's split and merge by
 * key group are unchanged. What the job's thread pays at a checkpoint is a pass over the windows' arrays
 * (a delta: over their changed flags), not a visit of objects scattered over the heap.
 */
import type { KeyId } from "../../state/keyed-snapshot.js";
import { MAX_PACKED_LENGTH, type PackedKeysWriter } from "../../state/packed-keys.js";
import { keyId } from "../key-id.js";
import { WindowColumns } from "./window-columns.js";

/** The flag of a window entry with contents (see the window operator's checkpoint entry layout). */
const HAS_CONTENTS = 1;
/** A packed one-window entry: key, start, end, flags, acc, event time, processing time (undefined), trigger state (undefined). */
const ENTRY_LENGTH = 8;
/** Values 6 and 7 (processing time, trigger state) undefined. */
const ENTRY_MASK = 2 ** 6 + 2 ** 7;
/** Value 4 (the accumulator) differs between the keys of a run. */
const ENTRY_VARYING = 2 ** 4;
/** Values per window in an entry (after the key): start, end, flags, acc, event times, processing times, trigger state. */
const WINDOW_SLOTS = 7;

/** The parts of a keyed snapshot the columns fill in. */
export interface ColumnarSnapshot {
  readonly ids: KeyId[];
  readonly entries: unknown[][];
  readonly deletes: KeyId[];
}

/** The live windows of a columnar window operator, in order of their end. */
export class ColumnarWindows {
  /** Live windows by start (= by end: they all have one size). */
  private readonly windows: WindowColumns[] = [];
  /** The window the last element went to (elements mostly come in order). */
  private last: WindowColumns | undefined;
  /** Whether changes are recorded (incremental checkpoints), see {@link trackChanges}. */
  tracking = false;
  /** Windows fired since the last checkpoint (while tracking): their keys are deleted unless in a live window. */
  private fired: WindowColumns[] = [];

  constructor(
    /** The operator's name (for errors). */
    private readonly name: string,
    /** The windows' size. */
    private readonly size: number,
  ) {}

  /** The window [start, start + size), created when absent. */
  window(start: number): WindowColumns {
    const last = this.last;
    if (last !== undefined && last.start === start) return last;
    const windows = this.windows;
    let i = windows.length;
    while (i > 0 && windows[i - 1]!.start > start) i--;
    let w = i > 0 ? windows[i - 1] : undefined;
    if (w === undefined || w.start !== start) {
      w = new WindowColumns(start, start + this.size);
      windows.splice(i, 0, w);
    }
    this.last = w;
    return w;
  }

  /** The window that ends first, if any. */
  first(): WindowColumns | undefined {
    return this.windows[0];
  }

  /** Removes the first window (it fired). */
  dropFirst(): void {
    const w = this.windows.shift();
    if (w === undefined) return;
    if (this.last === w) this.last = undefined;
    if (this.tracking && w.size > 0) {
      w.releaseRows();
      this.fired.push(w);
    }
  }

  /**
   * The doubles {@link snapshot} packs when every key is in one window and has a number key and a numeric
   * accumulator (each window's run: 4 + 6 shared values, then id and accumulator per key); `changedOnly`:
   * of the changed keys.
   */
  packedSize(changedOnly: boolean): number {
    let n = 0;
    for (const w of this.windows) {
      const rows = changedOnly ? w.changedCount : w.size;
      if (rows > 0) n += 10 + 2 * rows;
    }
    return n;
  }

  /** Live (key, window) pairs. */
  get rowCount(): number {
    let n = 0;
    for (const w of this.windows) n += w.size;
    return n;
  }

  /** Starts (or restarts) recording changes: the next delta is relative to now. */
  trackChanges(): void {
    this.tracking = true;
    for (const w of this.windows) w.clearChanges();
    this.fired = [];
  }

  /** An upper bound of the keys a delta visits (changed or deleted), and of the keys holding state. */
  changeCount(): { changed: number; keys: number } {
    let changed = 0;
    for (const w of this.windows) changed += w.changedCount;
    for (const w of this.fired) changed += w.size;
    return { changed, keys: this.rowCount };
  }

  /**
   * Writes every key's entry, or with `changedOnly` only the keys changed since the last delta or
   * {@link trackChanges} and into `out.deletes` the keys deleted since, then restarts recording (a full
   * snapshot leaves recording as it is: a savepoint is no checkpoint of the chain).
   * Keys with a number key and numeric accumulators go to `packer` — those in one window into a run per
   * window (the key and its accumulator each), those in several as one entry holding all their windows,
   * as the object layout writes them; other keys into `out.ids` / `out.entries`.
   */
  snapshot(packer: PackedKeysWriter, changedOnly: boolean, out: ColumnarSnapshot): void {
    const windows = this.windows;
    const several = windows.length > 1;
    /** Ids of keys written with all their windows (keys in several windows). */
    let written: Set<KeyId> | undefined;
    const values = packer.values;
    for (const w of windows) {
      if (changedOnly && w.changedCount === 0) continue;
      const { keys, accs, start, end } = w;
      const n = keys.length;
      let open = false;
      for (let r = 0; r < n; r++) {
        if (changedOnly && !w.isChanged(r)) continue;
        const key = keys[r];
        if (several && this.inAnother(w, key)) {
          const id = snapshotId(key);
          written ??= new Set();
          if (written.has(id)) continue;
          written.add(id);
          writeEntry(packer, out, key, this.entryOf(key));
          open = false; // the packer's run may have changed
          continue;
        }
        const acc = accs[r];
        if (typeof key === "number" && typeof acc === "number" && (key !== 0 || 1 / key > 0)) {
          if (!open) {
            // The window's run: bounds, flags and timer shared; per key its id and accumulator.
            values[0] = key;
            values[1] = start;
            values[2] = end;
            values[3] = HAS_CONTENTS;
            values[4] = 0;
            values[5] = end - 1;
            values[6] = 0;
            values[7] = 0;
            packer.beginRun(ENTRY_LENGTH, ENTRY_MASK, ENTRY_VARYING);
            open = true;
          }
          packer.appendToRun(key, acc);
        } else {
          out.ids.push(snapshotId(key));
          out.entries.push([key, start, end, HAS_CONTENTS, acc, end - 1, undefined, undefined]);
        }
      }
    }
    if (!changedOnly) return;
    this.writeFired(packer, out, written ?? new Set());
    this.trackChanges();
  }

  /**
   * The keys of windows fired since the last checkpoint: deleted when in no live window now; a key still
   * in one whose rows did not change (and so was not written) gets its entry written as it is now.
   */
  private writeFired(packer: PackedKeysWriter, out: ColumnarSnapshot, written: Set<KeyId>): void {
    if (this.fired.length === 0) return;
    const seen = new Set<KeyId>();
    for (const f of this.fired) {
      for (const key of f.keys) {
        const id = snapshotId(key);
        if (seen.has(id) || written.has(id)) continue;
        seen.add(id);
        let live = false;
        let changed = false;
        for (const w of this.windows) {
          const row = w.rowOf(key);
          if (row === undefined) continue;
          live = true;
          if (w.isChanged(row)) changed = true;
        }
        if (!live) out.deletes.push(id);
        else if (!changed) writeEntry(packer, out, key, this.entryOf(key));
      }
    }
  }

  /** Whether `key` has a row in a live window other than `w`. */
  private inAnother(w: WindowColumns, key: unknown): boolean {
    for (const o of this.windows) if (o !== w && o.rowOf(key) !== undefined) return true;
    return false;
  }

  /** The key's entry: the key, then its windows (latest first, as the object layout lists them). */
  private entryOf(key: unknown): unknown[] {
    const entry: unknown[] = [key];
    for (let i = this.windows.length - 1; i >= 0; i--) {
      const w = this.windows[i]!;
      const row = w.rowOf(key);
      if (row !== undefined) entry.push(w.start, w.end, HAS_CONTENTS, w.accs[row], w.end - 1, undefined, undefined);
    }
    return entry;
  }

  /**
   * Restores one key's windows from a checkpoint entry's slots ({@link WINDOW_SLOTS} per window).
   * Refuses windows this layout does not hold (another size, no contents, fired already, other timers,
   * trigger state): the checkpoint was taken with another window, trigger or allowed lateness.
   */
  restoreKey(key: unknown, slots: readonly unknown[]): void {
    if (slots.length % WINDOW_SLOTS !== 0) throw new Error(`window operator "${this.name}": a checkpoint entry of key ${String(key)} is damaged`);
    for (let i = 0; i < slots.length; i += WINDOW_SLOTS) {
      const start = slots[i] as number;
      const end = slots[i + 1] as number;
      if (end - start !== this.size) {
        throw new Error(
          `window operator "${this.name}": the checkpoint holds [${start}, ${end}), not a window of ${this.size} ms: ` +
            `it was taken with another window layout (sliding windows kept as slices, or another size): restore needs a checkpoint of this pipeline`,
        );
      }
      const eventTimes = slots[i + 4];
      const trigger = slots[i + 6];
      const plain =
        slots[i + 2] === HAS_CONTENTS &&
        (eventTimes === end - 1 || (Array.isArray(eventTimes) && eventTimes.length === 1 && eventTimes[0] === end - 1)) &&
        slots[i + 5] === undefined &&
        (trigger === undefined || (Array.isArray(trigger) && trigger.length === 0));
      if (!plain) {
        throw new Error(
          `window operator "${this.name}": the checkpoint holds the window [${start}, ${end}) of key ${JSON.stringify(snapshotId(key))} with ` +
            `trigger state, other timers or a firing already done — state of another trigger or allowed lateness: restore needs a checkpoint of this pipeline`,
        );
      }
      const w = this.window(start);
      const row = w.rowOf(key);
      if (row === undefined) w.add(key, slots[i + 3], false);
      else w.accs[row] = slots[i + 3];
    }
  }

  /**
   * After a restore: each window's rows in order of their keys' ids (numbers ascending, then texts), so
   * the firing order after a restore does not depend on which chain of checkpoints wrote the state (a
   * delta chain folded and a full snapshot of the same moment list keys in different orders).
   */
  restored(): void {
    for (const w of this.windows) w.sortRows(compareKeys);
  }

  /** Drops every window (the job has ended). */
  release(): void {
    this.windows.length = 0;
    this.last = undefined;
    this.fired = [];
    this.tracking = false;
  }
}

/**
 * Writes a key's entry packed when it has the shape the object layout packs (a number key, numeric
 * accumulators, at most {@link MAX_PACKED_LENGTH} values), else into `out.ids` / `out.entries`.
 */
function writeEntry(packer: PackedKeysWriter, out: ColumnarSnapshot, key: unknown, entry: unknown[]): void {
  let packable = typeof key === "number" && !Object.is(key, -0) && entry.length <= MAX_PACKED_LENGTH;
  for (let i = 1 + 3; packable && i < entry.length; i += WINDOW_SLOTS) if (typeof entry[i] !== "number") packable = false;
  if (!packable) {
    out.ids.push(snapshotId(key));
    out.entries.push(entry);
    return;
  }
  // As the object layout packs a key: per window start, end, flags, acc, event time varying only in acc.
  const values = packer.values;
  values[0] = key as number;
  let mask = 0;
  let varying = 0;
  let bit = 2; // 2^i for value i
  for (let i = 1; i < entry.length; i += WINDOW_SLOTS, bit *= 128) {
    for (let j = 0; j < WINDOW_SLOTS; j++) values[i + j] = (entry[i + j] as number | undefined) ?? 0;
    mask += bit * 32 + bit * 64; // processing time, trigger state: undefined
    varying += bit * 8; // the accumulator
  }
  packer.runEntry(key as number, entry.length, mask, varying, true);
}

/** Keys by their snapshot ids: numbers ascending (NaN last), then texts. */
function compareKeys(a: unknown, b: unknown): number {
  const x = snapshotId(a);
  const y = snapshotId(b);
  if (typeof x === "number") {
    if (typeof y !== "number") return -1;
    if (x < y) return -1;
    if (x > y) return 1;
    return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : Number.isNaN(y) ? -1 : 0;
  }
  if (typeof y === "number") return 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A key's id in snapshots (see `KeyId`): a number key itself (−0 as 0), else its {@link keyId}. */
export function snapshotId(key: unknown): KeyId {
  return typeof key === "number" ? (Object.is(key, -0) ? 0 : key) : keyId(key);
}
