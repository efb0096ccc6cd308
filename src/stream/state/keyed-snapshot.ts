/**
 * Snapshots of keyed operators, full or incremental. A keyed operator's full snapshot is
 * `{ valve, extra: { common, keys } }` (its non-keyed state, and one entry per key id); an incremental
 * one ({@link KeyedDeltaSnapshot}) carries only the keys changed since the previous checkpoint of its
 * chain and the keys deleted since (expired TTL, cleared state, purged windows), so a restore applies
 * base + deltas in order ({@link applyKeyedDelta}) and nothing deleted comes back.
 */
import type { Operator } from "../runtime/operator.js";
import { nextEntry, unpackKeys } from "./packed-keys.js";

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
 * the delta. Packed keys stay packed: the base's packed entries are copied segment by segment into one
 * new `Float64Array` (a replaced key's delta entry written in its place, new keys appended), so folding
 * a chain of a million packed keys costs a pass over the doubles, not an array per key.
 */
export function applyKeyedDelta(base: KeyedFullSnapshot, delta: KeyedDeltaSnapshot): KeyedFullSnapshot {
  const extra = base?.extra;
  if (extra === null || typeof extra !== "object" || !Array.isArray(extra.ids) || !Array.isArray(extra.entries)) {
    throw new Error("an incremental checkpoint follows a checkpoint without keyed state for the same operator (the chain is damaged)");
  }
  const deletes = new Set<KeyId>(delta.deletes);
  // The delta's packed entries by id (id → index of the entry's id in delta.packed).
  const upsertPacked = new Map<number, number>();
  const dp = delta.packed;
  if (dp !== undefined) for (let p = 0; p < dp.length; p = nextEntry(dp, p)) upsertPacked.set(dp[p]!, p);
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
  const out = new Float64Array((bp?.length ?? 0) + (dp?.length ?? 0));
  let n = 0;
  const copy = (from: Float64Array, p: number): number => {
    const end = nextEntry(from, p);
    out.set(from.subarray(p, end), n);
    n += end - p;
    return end;
  };
  if (bp !== undefined) {
    for (let p = 0; p < bp.length; ) {
      const id = bp[p]!;
      const replacement = upsertPacked.get(id);
      if (replacement !== undefined) {
        copy(dp!, replacement);
        upsertPacked.delete(id);
        p = nextEntry(bp, p);
      } else if (deletes.has(id) || upsertGeneric.has(id)) p = nextEntry(bp, p);
      else p = copy(bp, p);
    }
  }
  if (dp !== undefined) for (let p = 0; p < dp.length; p = nextEntry(dp, p)) if (upsertPacked.has(dp[p]!)) copy(dp, p);
  const packed = n === 0 ? undefined : n === out.length ? out : out.slice(0, n);
  return { valve: delta.valve, extra: { common: delta.common, ids: [...generic.keys()], entries: [...generic.values()], ...(packed === undefined ? {} : { packed }) } };
}

/** The keys of a packed part as ids and entries (none when absent). */
export function unpacked(packed: Float64Array | undefined): { ids: readonly KeyId[]; entries: readonly unknown[] } {
  return packed === undefined ? { ids: [], entries: [] } : unpackKeys(packed);
}
