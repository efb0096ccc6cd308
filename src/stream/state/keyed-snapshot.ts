/**
 * Snapshots of keyed operators, full or incremental. A keyed operator's full snapshot is
 * `{ valve, extra: { common, keys } }` (its non-keyed state, and one entry per key id); an incremental
 * one ({@link KeyedDeltaSnapshot}) carries only the keys changed since the previous checkpoint of its
 * chain and the keys deleted since (expired TTL, cleared state, purged windows), so a restore applies
 * base + deltas in order ({@link applyKeyedDelta}) and nothing deleted comes back.
 */
import type { Operator } from "../runtime/operator.js";
import { PackedKeysReader, PackedKeysWriter, unpackKeys } from "./packed-keys.js";

/**
 * A key's id in snapshots: the key itself when it is a number, else its `keyId` text (strings and
 * objects: prefixed by type, so no two keys share an id).
 */
export type KeyId = string | number;

/** The keyed part of a full snapshot: parallel arrays of key ids and their entries. */
export interface KeyedExtra {
  /** State that is not per key (e.g. declared state kinds). */
  readonly common: unknown;
  /** Ids of every key holding state. */
  readonly ids: readonly KeyId[];
  /** The entry of `ids[i]`. */
  readonly entries: readonly unknown[];
  /** More keys, packed (number ids, entries of numbers: see `packed-keys.ts`). */
  readonly packed?: Float64Array;
}

/** A keyed operator's full snapshot. */
export interface KeyedFullSnapshot {
  readonly valve: unknown;
  readonly extra: KeyedExtra;
}

/** A keyed operator's incremental snapshot: the changes since the previous checkpoint of the chain. */
export interface KeyedDeltaSnapshot {
  readonly delta: true;
  readonly valve: unknown;
  readonly common: unknown;
  /** Ids of keys whose state is new or changed. */
  readonly ids: readonly KeyId[];
  /** The entry of `ids[i]` now. */
  readonly entries: readonly unknown[];
  /** More changed keys, packed (see `packed-keys.ts`). */
  readonly packed?: Float64Array;
  /** Ids of keys whose state is gone. */
  readonly deletes: readonly KeyId[];
}

/** An operator that can take incremental snapshots (the keyed window and process operators). */
export interface IncrementalSnapshots {
  /** Starts (or restarts) recording which keys change: the next delta is relative to now. */
  trackChanges(): void;
  /** The changes since {@link trackChanges} or the previous call, then restarts recording. */
  snapshotChanges(): KeyedDeltaSnapshot;
  /**
   * How many keys a delta would visit now (`changed`: changed or deleted since the last snapshot) and
   * how many keys hold state (`keys`: what a full snapshot visits). When most changed keys were deleted
   * (a window fired for every key), a full snapshot costs less than the delta: the job then writes one.
   */
  changeCount?(): { changed: number; keys: number };
}

/**
 * Whether a full snapshot of `operators` visits fewer keys than their deltas would (see
 * {@link IncrementalSnapshots.changeCount}); false when none can tell.
 */
export function fullIsSmaller(operators: readonly Operator[]): boolean {
  let changed = 0;
  let keys = 0;
  for (const operator of operators) {
    if (!isIncremental(operator)) continue;
    const count = operator.changeCount?.();
    if (count === undefined) return false;
    changed += count.changed;
    keys += count.keys;
  }
  return changed > keys;
}

/** Whether `operator` takes incremental snapshots. */
export function isIncremental(operator: Operator): operator is Operator & IncrementalSnapshots {
  const o = operator as Partial<IncrementalSnapshots>;
  return typeof o.trackChanges === "function" && typeof o.snapshotChanges === "function";
}

/** Whether an operator's stored state is an incremental snapshot. */
export function isKeyedDelta(state: unknown): state is KeyedDeltaSnapshot {
  return state !== null && typeof state === "object" && (state as { delta?: unknown }).delta === true;
}

/**
 * `base` with `delta` applied: upserted keys replaced, deleted keys removed, valve and common taken from
 * the delta. Packed keys stay packed: the base's packed entries are rewritten in order into one new
 * `Float64Array` (a replaced key's delta entry written in its place, new keys appended, runs of entries
 * sharing their values kept as runs), so folding a chain of a million packed keys costs a pass over the
 * doubles, not an array per key.
 */
export function applyKeyedDelta(base: KeyedFullSnapshot, delta: KeyedDeltaSnapshot): KeyedFullSnapshot {
  const extra = base?.extra;
  if (extra === null || typeof extra !== "object" || !Array.isArray(extra.ids) || !Array.isArray(extra.entries)) {
    throw new Error("an incremental checkpoint follows a checkpoint without keyed state for the same operator (the chain is damaged)");
  }
  const deletes = new Set<KeyId>(delta.deletes);
  // The delta's packed entries, read once: by id → their number; each entry's values, length, mask and run template.
  const dp = delta.packed;
  const upsertPacked = new Map<number, number>();
  const dIds: number[] = [];
  const dAt: number[] = [];
  const dLength: number[] = [];
  const dMask: number[] = [];
  const dVarying: number[] = [];
  const dFlags: number[] = []; // 1: from a run, 2: idFirst
  const dValues: number[] = [];
  if (dp !== undefined) {
    const r = new PackedKeysReader(dp);
    while (r.next()) {
      upsertPacked.set(r.id, dIds.length);
      dIds.push(r.id);
      dAt.push(dValues.length);
      dLength.push(r.length);
      dMask.push(r.mask);
      dVarying.push(r.varying);
      dFlags.push((r.run ? 1 : 0) + (r.idFirst ? 2 : 0));
      for (let i = 0; i < r.length; i++) dValues.push(r.values[i]!);
    }
  }
  const upsertGeneric = new Set<KeyId>(delta.ids);
  // Generic (unpacked) keys: the base's in order, then the delta's (a replaced key keeps its place).
  const generic = new Map<KeyId, unknown>();
  for (let i = 0; i < extra.ids.length; i++) {
    const id = extra.ids[i]!;
    if (!deletes.has(id) && !(typeof id === "number" && upsertPacked.has(id))) generic.set(id, extra.entries[i]);
  }
  for (let i = 0; i < delta.ids.length; i++) generic.set(delta.ids[i]!, delta.entries[i]);
  // Packed keys: the base's, replaced in place or dropped, then the delta's new ones.
  const bp = extra.packed;
  const out = new PackedKeysWriter();
  out.reset((bp?.length ?? 0) + (dp?.length ?? 0));
  const written = new Uint8Array(dIds.length);
  const writeDelta = (k: number): void => {
    written[k] = 1;
    const length = dLength[k]!;
    const at = dAt[k]!;
    if ((dFlags[k]! & 1) !== 0) {
      for (let i = 0; i < length; i++) out.values[i] = dValues[at + i]!;
      out.runEntry(dIds[k]!, length, dMask[k]!, dVarying[k]!, (dFlags[k]! & 2) !== 0);
    } else {
      const to = out.entry(dIds[k]!, length, dMask[k]!);
      for (let i = 0; i < length; i++) out.set(to + i, dValues[at + i]!);
    }
  };
  if (bp !== undefined) {
    const r = new PackedKeysReader(bp);
    while (r.next()) {
      const id = r.id;
      const replacement = upsertPacked.get(id);
      if (replacement !== undefined) {
        if (written[replacement] === 0) writeDelta(replacement);
      } else if (!deletes.has(id) && !upsertGeneric.has(id)) r.copyTo(out);
    }
  }
  for (let k = 0; k < dIds.length; k++) if (written[k] === 0 && upsertPacked.get(dIds[k]!) === k) writeDelta(k);
  const packed = out.finish();
  return { valve: delta.valve, extra: { common: delta.common, ids: [...generic.keys()], entries: [...generic.values()], ...(packed === undefined ? {} : { packed }) } };
}

/** The keys of a packed part as ids and entries (none when absent). */
export function unpacked(packed: Float64Array | undefined): { ids: readonly KeyId[]; entries: readonly unknown[] } {
  return packed === undefined ? { ids: [], entries: [] } : unpackKeys(packed);
}
