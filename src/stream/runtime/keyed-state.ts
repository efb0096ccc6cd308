/**
 * Keyed state of one operator: per key, named value/list/map states, with Flink's TTL rules (rule 13):
 * processing-time TTL from the last write (create and write refresh it, reads do not); expired values are
 * never returned and are dropped when met.
 */
import type { KeyedStateAccess, ListState, MapState, StateOptions, ValueState } from "../api/process-function.js";
import { keyId } from "./key-id.js";

type Kind = "value" | "list" | "map";

interface Stamped<V> {
  value: V;
  writtenAt: number;
}

interface StateCell {
  kind: Kind;
  ttl: number;
  value?: Stamped<unknown>;
  list?: Stamped<unknown>[];
  map?: Map<string, Stamped<[unknown, unknown]>>;
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
  private readonly byKey = new Map<string, Map<string, StateCell>>();
  private readonly kinds = new Map<string, { kind: Kind; ttl: number }>();

  constructor(private readonly now: () => number) {}

  /** Keys that hold any state. */
  get keyCount(): number {
    return this.byKey.size;
  }

  /** All state, as plain data (for checkpoints). */
  snapshot(): { kinds: [string, { kind: Kind; ttl: number }][]; byKey: [string, [string, StateCell][]][] } {
    return {
      kinds: [...this.kinds],
      byKey: [...this.byKey].map(([key, states]) => [key, [...states].map(([name, cell]) => [name, structuredClone(cell)] as [string, StateCell])]),
    };
  }

  /** Restores {@link snapshot}'s result. */
  restore(state: ReturnType<KeyedStateStore["snapshot"]>): void {
    this.kinds.clear();
    this.byKey.clear();
    for (const [name, kind] of state.kinds) this.kinds.set(name, kind);
    for (const [key, states] of state.byKey) this.byKey.set(key, new Map(states));
  }

  /** The state of one key. */
  access(key: string): KeyedStateAccess {
    return {
      value: <V>(name: string, options?: StateOptions) => this.valueState<V>(key, name, options),
      list: <V>(name: string, options?: StateOptions) => this.listState<V>(key, name, options),
      map: <MK, V>(name: string, options?: StateOptions) => this.mapState<MK, V>(key, name, options),
    };
  }

  private cell(key: string, name: string, kind: Kind, options: StateOptions | undefined, create: boolean): StateCell | undefined {
    if (typeof name !== "string" || name.length === 0) throw new TypeError("a state needs a non-empty name");
    const ttl = checkTtl(name, options);
    const declared = this.kinds.get(name);
    if (declared === undefined) this.kinds.set(name, { kind, ttl });
    else if (declared.kind !== kind) throw new TypeError(`state ${JSON.stringify(name)} is a ${declared.kind} state, not a ${kind} state`);
    else if (declared.ttl !== ttl) throw new TypeError(`state ${JSON.stringify(name)} was declared with ttl ${declared.ttl}, now ${ttl}`);
    let states = this.byKey.get(key);
    if (states === undefined) {
      if (!create) return undefined;
      states = new Map();
      this.byKey.set(key, states);
    }
    let cell = states.get(name);
    if (cell === undefined && create) {
      cell = { kind, ttl };
      states.set(name, cell);
    }
    return cell;
  }

  private expired(stamped: { writtenAt: number }, ttl: number): boolean {
    return ttl !== Infinity && this.now() - stamped.writtenAt >= ttl;
  }

  private drop(key: string, name: string): void {
    const states = this.byKey.get(key);
    if (states === undefined) return;
    states.delete(name);
    if (states.size === 0) this.byKey.delete(key);
  }

  private valueState<V>(key: string, name: string, options: StateOptions | undefined): ValueState<V> {
    this.cell(key, name, "value", options, false);
    return {
      get: () => {
        const cell = this.cell(key, name, "value", options, false);
        if (cell?.value === undefined) return undefined;
        if (this.expired(cell.value, cell.ttl)) {
          this.drop(key, name);
          return undefined;
        }
        return cell.value.value as V;
      },
      set: (value) => {
        this.cell(key, name, "value", options, true)!.value = { value, writtenAt: this.now() };
      },
      clear: () => this.drop(key, name),
    };
  }

  private listState<V>(key: string, name: string, options: StateOptions | undefined): ListState<V> {
    this.cell(key, name, "list", options, false);
    const live = (): Stamped<unknown>[] => {
      const cell = this.cell(key, name, "list", options, false);
      if (cell?.list === undefined) return [];
      const kept = cell.list.filter((e) => !this.expired(e, cell.ttl));
      if (kept.length === 0) this.drop(key, name);
      else cell.list = kept;
      return kept;
    };
    return {
      get: () => live().map((e) => e.value as V),
      add: (value) => {
        const cell = this.cell(key, name, "list", options, true)!;
        (cell.list ??= []).push({ value, writtenAt: this.now() });
      },
      update: (values) => {
        if (!Array.isArray(values)) throw new TypeError(`list state ${JSON.stringify(name)}: update takes an array`);
        if (values.length === 0) return this.drop(key, name);
        const now = this.now();
        this.cell(key, name, "list", options, true)!.list = values.map((value) => ({ value, writtenAt: now }));
      },
      clear: () => this.drop(key, name),
    };
  }

  private mapState<MK, V>(key: string, name: string, options: StateOptions | undefined): MapState<MK, V> {
    this.cell(key, name, "map", options, false);
    const entry = (mapKey: MK): Stamped<[unknown, unknown]> | undefined => {
      const cell = this.cell(key, name, "map", options, false);
      const id = keyId(mapKey);
      const found = cell?.map?.get(id);
      if (found === undefined || cell === undefined) return undefined;
      if (this.expired(found, cell.ttl)) {
        cell.map!.delete(id);
        if (cell.map!.size === 0) this.drop(key, name);
        return undefined;
      }
      return found;
    };
    return {
      get: (mapKey) => entry(mapKey)?.value[1] as V | undefined,
      has: (mapKey) => entry(mapKey) !== undefined,
      set: (mapKey, value) => {
        const cell = this.cell(key, name, "map", options, true)!;
        (cell.map ??= new Map()).set(keyId(mapKey), { value: [mapKey, value], writtenAt: this.now() });
      },
      delete: (mapKey) => {
        const cell = this.cell(key, name, "map", options, false);
        if (cell?.map === undefined) return;
        cell.map.delete(keyId(mapKey));
        if (cell.map.size === 0) this.drop(key, name);
      },
      entries: () => {
        const cell = this.cell(key, name, "map", options, false);
        if (cell?.map === undefined) return [];
        const out: [MK, V][] = [];
        for (const [id, e] of cell.map) {
          if (this.expired(e, cell.ttl)) cell.map.delete(id);
          else out.push([e.value[0] as MK, e.value[1] as V]);
        }
        if (cell.map.size === 0) this.drop(key, name);
        return out;
      },
      clear: () => this.drop(key, name),
    };
  }
}
