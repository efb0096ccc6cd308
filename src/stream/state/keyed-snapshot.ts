/**
 * Snapshots of keyed operators, full or incremental. A keyed operator's full snapshot is
 * `{ valve, extra: { common, keys } }` (its non-keyed state, and one entry per key id); an incremental
 * one ({@link KeyedDeltaSnapshot}) carries only the keys changed since the previous checkpoint of its
 * chain and the keys deleted since (expired TTL, cleared state, purged windows), so a restore applies
 * base + deltas in order ({@link applyKeyedDelta}) and nothing deleted comes back.
 */
import type { Operator } from "../runtime/operator.js";
import { unpackKeys } from "./packed-keys.js";

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

/** `base` with `delta` applied: upserted keys replaced, deleted keys removed, valve and common taken from the delta. */
export function applyKeyedDelta(base: KeyedFullSnapshot, delta: KeyedDeltaSnapshot): KeyedFullSnapshot {
  const extra = base?.extra;
  if (extra === null || typeof extra !== "object" || !Array.isArray(extra.ids) || !Array.isArray(extra.entries)) {
    throw new Error("an incremental checkpoint follows a checkpoint without keyed state for the same operator (the chain is damaged)");
  }
  const keys = new Map<KeyId, unknown>();
  for (const part of [extra, unpacked(extra.packed)]) for (let i = 0; i < part.ids.length; i++) keys.set(part.ids[i]!, part.entries[i]);
  for (const id of delta.deletes) keys.delete(id);
  for (const part of [delta, unpacked(delta.packed)]) for (let i = 0; i < part.ids.length; i++) keys.set(part.ids[i]!, part.entries[i]);
  return { valve: delta.valve, extra: { common: delta.common, ids: [...keys.keys()], entries: [...keys.values()] } };
}

/** The keys of a packed part as ids and entries (none when absent). */
export function unpacked(packed: Float64Array | undefined): { ids: readonly KeyId[]; entries: readonly unknown[] } {
  return packed === undefined ? { ids: [], entries: [] } : unpackKeys(packed);
}
