/**
 * Keyed state of one keyed process operator: per key, named value/list/map states, with Flink's TTL
 * rules (rule 13): processing-time TTL from the last write (create and write refresh it, reads do not);
 * expired values are never returned and are dropped when met.
 *
 * The per-key entries live in a {@link KeyedStateBackend} (the heap by default, or LMDB on disk); each
 * entry also carries the key itself and the key's registered timers, so one entry is all a key needs
 * to be restored (and all an incremental checkpoint writes for it).
 */
import type { KeyedStateAccess, ListState, MapState, StateOptions, ValueState } from "../api/process-function.js";
import type { KeyedExtra } from "../state/keyed-snapshot.js";
import type { KeyedStateBackend } from "../state/keyed-state-backend.js";
import { HeapStateBackend } from "../state/heap-state-backend.js";
import { keyId } from "./key-id.js";

type Kind = "value" | "list" | "map";

interface Stamped<V> {
  value: V;
  writtenAt: number;
}

/** One named state of one key. */
export interface StateCell {
  kind: Kind;
  ttl: number;
  value?: Stamped<unknown>;
  list?: Stamped<unknown>[];
  map?: Map<string, Stamped<[unknown, unknown]>>;
}

/** Everything one key holds in a keyed process operator (plain data: stored by the backend as is). */
export interface ProcessKeyEntry {
  /** The key (as the key selector returned it). */
  key: unknown;
  /** Named states. */
  cells: Map<string, StateCell>;
  /** Registered event-time / processing-time timers of the key. */
  eventTimers?: number[];
  processingTimers?: number[];
}

/** What the store keeps besides the keys: the declared kind and TTL of each state name. */
interface Common {
  kinds: [string, { kind: Kind; ttl: number }][];
}

function checkTtl(name: string, options: StateOptions | undefined): number {
  const ttl = options?.ttl ?? Infinity;
  if (ttl !== Infinity && (!Number.isInteger(ttl) || ttl <= 0)) {
    throw new RangeError(`state ${JSON.stringify(name)}: ttl must be a positive integer (ms), got ${String(options?.ttl)}`);
  }
  return ttl;
}

/** All keyed state of one operator instance. */
export class KeyedStateStore {
  private readonly kinds = new Map<string, { kind: Kind; ttl: number }>();

  constructor(
    private readonly now: () => number,
    /** Where the entries live. */
    readonly backend: KeyedStateBackend<ProcessKeyEntry> = new HeapStateBackend<ProcessKeyEntry>(),
  ) {}

  /** Keys that hold any state or timer. */
  get keyCount(): number {
    return this.backend.size;
  }

  /** The entry of a key, created when absent and `key` is given. */
  entry(id: string, key?: { value: unknown }): ProcessKeyEntry | undefined {
    const found = this.backend.get(id);
    if (found !== undefined || key === undefined) return found;
    const entry: ProcessKeyEntry = { key: key.value, cells: new Map() };
    this.backend.put(id, entry);
    return entry;
  }

  /** Deletes the entry of a key when it holds no state and no timer any more. */
  dropIfEmpty(id: string, entry: ProcessKeyEntry): void {
    if (entry.cells.size === 0 && entry.eventTimers === undefined && entry.processingTimers === undefined) this.backend.delete(id);
  }

  /** All state, as plain data (for full checkpoints): the entries are the backend's own (not copies). */
  snapshot(): KeyedExtra {
    const common: Common = { kinds: [...this.kinds] };
    const ids: string[] = [];
    const entries: ProcessKeyEntry[] = [];
    for (const [id, entry] of this.backend.entries()) {
      ids.push(id);
      entries.push(entry);
    }
    return { common, ids, entries };
  }

  /** The state's common part (for incremental checkpoints). */
  snapshotCommon(): unknown {
    const common: Common = { kinds: [...this.kinds] };
    return common;
  }

  /** Restores {@link snapshot}'s result. */
  restore(state: KeyedExtra): void {
    this.kinds.clear();
    this.backend.clear();
    for (const [name, kind] of (state.common as Common).kinds) this.kinds.set(name, kind);
    for (let i = 0; i < state.ids.length; i++) this.backend.put(String(state.ids[i]), state.entries[i] as ProcessKeyEntry);
  }

  /** The state of one key. */
  access(id: string, key: unknown): KeyedStateAccess {
    const holder = { value: key };
    return {
      value: <V>(name: string, options?: StateOptions) => this.valueState<V>(id, holder, name, options),
      list: <V>(name: string, options?: StateOptions) => this.listState<V>(id, holder, name, options),
      map: <MK, V>(name: string, options?: StateOptions) => this.mapState<MK, V>(id, holder, name, options),
    };
  }

  private declare(name: string, kind: Kind, options: StateOptions | undefined): number {
    if (typeof name !== "string" || name.length === 0) throw new TypeError("a state needs a non-empty name");
    const ttl = checkTtl(name, options);
    const declared = this.kinds.get(name);
    if (declared === undefined) this.kinds.set(name, { kind, ttl });
    else if (declared.kind !== kind) throw new TypeError(`state ${JSON.stringify(name)} is a ${declared.kind} state, not a ${kind} state`);
    else if (declared.ttl !== ttl) throw new TypeError(`state ${JSON.stringify(name)} was declared with ttl ${declared.ttl}, now ${ttl}`);
    return ttl;
  }

  /** The cell of (key, name): read-only lookups get undefined when absent; `create` makes it. */
  private cell(id: string, holder: { value: unknown }, name: string, kind: Kind, ttl: number, create: boolean): StateCell | undefined {
    const entry = this.entry(id, create ? holder : undefined);
    if (entry === undefined) return undefined;
    let cell = entry.cells.get(name);
    if (cell === undefined && create) {
      cell = { kind, ttl };
      entry.cells.set(name, cell);
    }
    return cell;
  }

  private expired(stamped: { writtenAt: number }, ttl: number): boolean {
    return ttl !== Infinity && this.now() - stamped.writtenAt >= ttl;
  }

  private changed(id: string): void {
    this.backend.changed(id);
  }

  private drop(id: string, name: string): void {
    const entry = this.backend.get(id);
    if (entry === undefined || !entry.cells.delete(name)) return;
    this.changed(id);
    this.dropIfEmpty(id, entry);
  }

  private valueState<V>(id: string, holder: { value: unknown }, name: string, options: StateOptions | undefined): ValueState<V> {
    const ttl = this.declare(name, "value", options);
    return {
      get: () => {
        const cell = this.cell(id, holder, name, "value", ttl, false);
        if (cell?.value === undefined) return undefined;
        if (this.expired(cell.value, cell.ttl)) {
          this.drop(id, name);
          return undefined;
        }
        return cell.value.value as V;
      },
      set: (value) => {
        this.cell(id, holder, name, "value", ttl, true)!.value = { value, writtenAt: this.now() };
        this.changed(id);
      },
      clear: () => this.drop(id, name),
    };
  }

  private listState<V>(id: string, holder: { value: unknown }, name: string, options: StateOptions | undefined): ListState<V> {
    const ttl = this.declare(name, "list", options);
    const live = (): Stamped<unknown>[] => {
      const cell = this.cell(id, holder, name, "list", ttl, false);
      if (cell?.list === undefined) return [];
      const kept = cell.list.filter((e) => !this.expired(e, cell.ttl));
      if (kept.length === 0) this.drop(id, name);
      else if (kept.length !== cell.list.length) {
        cell.list = kept;
        this.changed(id);
      }
      return kept;
    };
    return {
      get: () => live().map((e) => e.value as V),
      add: (value) => {
        const cell = this.cell(id, holder, name, "list", ttl, true)!;
        (cell.list ??= []).push({ value, writtenAt: this.now() });
        this.changed(id);
      },
      update: (values) => {
        if (!Array.isArray(values)) throw new TypeError(`list state ${JSON.stringify(name)}: update takes an array`);
        if (values.length === 0) return this.drop(id, name);
        const now = this.now();
        this.cell(id, holder, name, "list", ttl, true)!.list = values.map((value) => ({ value, writtenAt: now }));
        this.changed(id);
      },
      clear: () => this.drop(id, name),
    };
  }

  private mapState<MK, V>(id: string, holder: { value: unknown }, name: string, options: StateOptions | undefined): MapState<MK, V> {
    const ttl = this.declare(name, "map", options);
    const removeEntry = (cell: StateCell, mapId: string): void => {
      cell.map!.delete(mapId);
      if (cell.map!.size === 0) this.drop(id, name);
      else this.changed(id);
    };
    const entry = (mapKey: MK): Stamped<[unknown, unknown]> | undefined => {
      const cell = this.cell(id, holder, name, "map", ttl, false);
      const mapId = keyId(mapKey);
      const found = cell?.map?.get(mapId);
      if (found === undefined || cell === undefined) return undefined;
      if (this.expired(found, cell.ttl)) {
        removeEntry(cell, mapId);
        return undefined;
      }
      return found;
    };
    return {
      get: (mapKey) => entry(mapKey)?.value[1] as V | undefined,
      has: (mapKey) => entry(mapKey) !== undefined,
      set: (mapKey, value) => {
        const mapId = keyId(mapKey);
        const cell = this.cell(id, holder, name, "map", ttl, true)!;
        (cell.map ??= new Map()).set(mapId, { value: [mapKey, value], writtenAt: this.now() });
        this.changed(id);
      },
      delete: (mapKey) => {
        const cell = this.cell(id, holder, name, "map", ttl, false);
        if (cell?.map === undefined || !cell.map.has(keyId(mapKey))) return;
        removeEntry(cell, keyId(mapKey));
      },
      entries: () => {
        const cell = this.cell(id, holder, name, "map", ttl, false);
        if (cell?.map === undefined) return [];
        const out: [MK, V][] = [];
        let removed = false;
        for (const [mapId, e] of cell.map) {
          if (this.expired(e, cell.ttl)) {
            cell.map.delete(mapId);
            removed = true;
          } else out.push([e.value[0] as MK, e.value[1] as V]);
        }
        if (cell.map.size === 0) this.drop(id, name);
        else if (removed) this.changed(id);
        return out;
      },
      clear: () => this.drop(id, name),
    };
  }
}
