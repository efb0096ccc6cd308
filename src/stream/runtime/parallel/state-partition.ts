/**
 * A keyed operator's checkpointed state split across workers by key group, and merged back. The
 * merged form is exactly the state the single-threaded operator snapshots, so checkpoints do not
 * depend on the parallelism: one taken with parallelism 4 restores with 1 or 2, and the other way.
 *
 * Understood layouts of the operator's `extra` state: `{ common, ids, entries }` (parallel arrays of key
 * ids and per-key entries: the keyed state backends' layout, src/stream/state/keyed-snapshot.ts),
 * `{ common, keys: [id, entry][] }`, and the older `{ keys: { key, windows }[] }` (windows) and
 * `{ state: { kinds, byKey }, keys, eventTimers, processingTimers }` (process functions).
 * Anything else is refused with a clear message rather than guessed.
 */
import { unpacked } from "../../state/keyed-snapshot.js";
import { keyId } from "../key-id.js";
import { keyGroupOfId, workerOfGroup } from "./key-group.js";

/** A keyed operator's snapshot: its input valve and its own state. */
interface OperatorSnapshot {
  readonly valve: ValveState;
  readonly extra: unknown;
}

interface ValveState {
  readonly channels: readonly { watermark: number; idle: boolean }[];
  readonly output: number;
  readonly idle: boolean;
}

type Layout = "columns" | "entries" | "windows" | "legacyProcess";

/** The {@link keyId} text of a snapshot key id (numbers are stored as themselves). */
function idText(id: string | number): string {
  return typeof id === "number" ? keyId(id) : id;
}

/** The state of one worker's operator (one input channel) for each worker, from a whole operator's state. */
export function splitState(operator: string, state: unknown, parallelism: number): unknown[] {
  const s = checkSnapshot(operator, state);
  const valve: ValveState = { channels: [{ watermark: s.valve.output, idle: s.valve.idle }], output: s.valve.output, idle: s.valve.idle };
  const owner = (id: string | number): number => workerOfGroup(keyGroupOfId(idText(id)), parallelism);
  const layout = layoutOf(operator, s.extra);
  const parts: unknown[] = [];
  for (let w = 0; w < parallelism; w++) {
    const mine = (id: string | number): boolean => owner(id) === w;
    let extra: unknown;
    if (layout === "columns") {
      const e = columns(operator, s.extra);
      const ids: (string | number)[] = [];
      const entries: unknown[] = [];
      e.ids.forEach((id, i) => {
        if (mine(id)) {
          ids.push(id);
          entries.push(e.entries[i]);
        }
      });
      extra = { common: e.common, ids, entries };
    } else if (layout === "entries") {
      const e = s.extra as { common: unknown; keys: [string, unknown][] };
      extra = { ...e, keys: e.keys.filter(([id]) => mine(id)) };
    } else if (layout === "windows") {
      const e = s.extra as { keys: { key: unknown }[] };
      extra = { ...e, keys: e.keys.filter((k) => mine(keyId(k.key))) };
    } else {
      const e = s.extra as LegacyProcess;
      extra = {
        state: { kinds: e.state.kinds, byKey: e.state.byKey.filter(([id]) => mine(id)) },
        keys: e.keys.filter(([id]) => mine(id)),
        eventTimers: e.eventTimers.filter((t) => mine(t.key)),
        processingTimers: e.processingTimers.filter((t) => mine(t.key)),
      };
    }
    parts.push({ valve, extra });
  }
  return parts;
}

/** The whole operator's state from its workers' states (in worker order) and the main thread's valve. */
export function mergeStates(operator: string, valve: ValveState, parts: readonly unknown[]): unknown {
  const snapshots = parts.map((p) => checkSnapshot(operator, p));
  const extras = snapshots.map((p) => p.extra);
  const layout = layoutOf(operator, extras[0]);
  for (const e of extras) {
    if (layoutOf(operator, e) !== layout) throw new Error(`operator ${operator}: its workers returned state of different layouts`);
  }
  let extra: unknown;
  if (layout === "columns") {
    const es = extras.map((e) => columns(operator, e));
    extra = { common: mergeCommon(es.map((e) => e.common)), ids: es.flatMap((e) => e.ids), entries: es.flatMap((e) => e.entries) };
  } else if (layout === "entries") {
    const es = extras as { common: unknown; keys: [string, unknown][] }[];
    extra = { ...es[0], common: mergeCommon(es.map((e) => e.common)), keys: es.flatMap((e) => e.keys) };
  } else if (layout === "windows") {
    const es = extras as { keys: unknown[] }[];
    extra = { ...es[0], keys: es.flatMap((e) => e.keys) };
  } else {
    const es = extras as LegacyProcess[];
    extra = {
      state: { kinds: unionKinds(es.map((e) => e.state.kinds)), byKey: es.flatMap((e) => e.state.byKey) },
      keys: es.flatMap((e) => e.keys),
      eventTimers: es.flatMap((e) => e.eventTimers),
      processingTimers: es.flatMap((e) => e.processingTimers),
    };
  }
  return { valve, extra };
}

/**
 * The `{ common, ids, entries }` layout with its optional `packed` part (numeric entries in one
 * Float64Array) unpacked into ids and entries. Any other field is refused: state it does not know how
 * to split must not be copied to every worker or dropped.
 */
function columns(operator: string, extra: unknown): { common: unknown; ids: (string | number)[]; entries: unknown[] } {
  const e = extra as { common: unknown; ids: (string | number)[]; entries: unknown[]; packed?: Float64Array };
  const unknown = Object.keys(e).filter((k) => k !== "common" && k !== "ids" && k !== "entries" && k !== "packed");
  if (unknown.length > 0) {
    throw new Error(`operator ${operator}: its state has fields parallel execution does not know how to split by key (${unknown.join(", ")}); run it with parallelism 1`);
  }
  if (e.packed === undefined) return { common: e.common, ids: e.ids, entries: e.entries };
  const packed = unpacked(e.packed);
  return { common: e.common, ids: [...e.ids, ...packed.ids], entries: [...e.entries, ...packed.entries] };
}

interface LegacyProcess {
  state: { kinds: [string, unknown][]; byKey: [string, unknown][] };
  keys: [string, unknown][];
  eventTimers: { time: number; key: string }[];
  processingTimers: { time: number; key: string }[];
}

function checkSnapshot(operator: string, state: unknown): OperatorSnapshot {
  const s = state as Partial<OperatorSnapshot> | null;
  const valve = s?.valve as Partial<ValveState> | undefined;
  if (s === null || typeof s !== "object" || valve === undefined || typeof valve.output !== "number" || (s as { delta?: unknown }).delta === true) {
    throw new Error(`operator ${operator}: its state is not a full keyed-operator snapshot { valve, extra }, so it cannot be split across workers`);
  }
  return s as OperatorSnapshot;
}

function layoutOf(operator: string, extra: unknown): Layout {
  const e = extra as Record<string, unknown> | null;
  if (e !== null && typeof e === "object" && "common" in e && Array.isArray(e["ids"]) && Array.isArray(e["entries"])) {
    if ((e["ids"] as unknown[]).length === (e["entries"] as unknown[]).length) return "columns";
  }
  if (e !== null && typeof e === "object" && Array.isArray(e["keys"])) {
    const keys = e["keys"] as unknown[];
    if ("common" in e && keys.every((k) => Array.isArray(k) && typeof k[0] === "string")) return "entries";
    if (!("state" in e) && keys.every((k) => k !== null && typeof k === "object" && !Array.isArray(k) && "key" in k)) return "windows";
    const st = e["state"] as { byKey?: unknown } | undefined;
    if (st !== undefined && Array.isArray(st.byKey) && Array.isArray(e["eventTimers"]) && Array.isArray(e["processingTimers"])) return "legacyProcess";
  }
  throw new Error(
    `operator ${operator}: its state has a layout parallel execution does not know how to split by key ` +
      `(expected { common, ids, entries }); run it with parallelism 1`,
  );
}

/** Non-keyed state of the workers: identical, or declared state kinds to be united. */
function mergeCommon(commons: readonly unknown[]): unknown {
  const first = commons[0];
  const kinds = (c: unknown): [string, unknown][] | undefined => {
    const k = (c as { kinds?: unknown } | null)?.kinds;
    return Array.isArray(k) ? (k as [string, unknown][]) : undefined;
  };
  if (commons.every((c) => kinds(c) !== undefined)) return { ...(first as object), kinds: unionKinds(commons.map((c) => kinds(c)!)) };
  return first;
}

function unionKinds(lists: readonly (readonly [string, unknown][])[]): [string, unknown][] {
  const byName = new Map<string, unknown>();
  for (const list of lists) for (const [name, kind] of list) if (!byName.has(name)) byName.set(name, kind);
  return [...byName];
}
