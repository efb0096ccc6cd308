/**
 * Runs a keyed process function: per record, the key's state and timers; event-time timers fire when
 * the watermark reaches them (before the watermark is forwarded), processing-time timers on the ticks.
 * At the end of input every remaining timer fires (as Flink's batch execution does).
 *
 * The per-key state lives in a keyed state backend (heap by default; LMDB with `start({ state: {
 * backend: "disk" } })`); each key's entry also records its timers, so checkpoints are per key and can
 * be incremental. The timer queues themselves stay on the heap.
 */
import type { OutputTag } from "../../api/output-tag.js";
import type { KeyedProcessFunction, ProcessContext, TimerContext, TimerService } from "../../api/process-function.js";
import type { Output } from "../operator.js";
import type { IncrementalSnapshots, KeyedDeltaSnapshot, KeyedExtra, KeyedFullSnapshot } from "../../state/keyed-snapshot.js";
import type { KeyedStateBackend } from "../../state/keyed-state-backend.js";
import { END_OF_TIME } from "../../time/watermark.js";
import { KeyedStateStore, type ProcessKeyEntry, type StateCell } from "../keyed-state.js";
import { keyId } from "../key-id.js";
import { TimerHeap } from "../timer-heap.js";
import { callUser } from "../user-function-error.js";
import { BaseOperator } from "./base-operator.js";

/** What the operator needs from the plan. */
export interface KeyedProcessSpec {
  readonly key: (value: unknown) => unknown;
  readonly fn: KeyedProcessFunction<unknown, unknown, unknown>;
  readonly now: () => number;
}

type Domain = "event" | "processing";

/** One keyed process operator instance. */
export class KeyedProcessOperator extends BaseOperator implements IncrementalSnapshots {
  private state: KeyedStateStore;
  private readonly eventTimers = new TimerHeap();
  private readonly processingTimers = new TimerHeap();

  constructor(name: string, out: Output, channels: number, private readonly spec: KeyedProcessSpec) {
    super(name, out, channels);
    this.state = new KeyedStateStore(spec.now);
  }

  /** Keys holding state or timers (for metrics and tests). */
  get keyCount(): number {
    return this.state.keyCount;
  }

  /**
   * Moves the operator's keyed state to `backend` (before any record or restore: the job runner calls it
   * for `start({ state })`). The current backend is closed.
   */
  useStateBackend(backend: KeyedStateBackend<ProcessKeyEntry>): void {
    if (this.state.keyCount > 0) throw new Error(`operator ${this.name}: the state backend can only be set before the job runs`);
    this.state.backend.close();
    this.state = new KeyedStateStore(this.spec.now, backend);
  }

  processElement(value: unknown, timestamp: number | undefined): void {
    this.counters.recordsIn++;
    const key = callUser(this.name, value, () => this.spec.key(value));
    const id = callUser(this.name, value, () => keyId(key));
    const ctx = this.context(id, key, timestamp);
    callUser(this.name, value, () => this.spec.fn.processElement(value, ctx));
  }

  protected override onWatermark(watermark: number): void {
    for (let t = this.eventTimers.pop(watermark); t !== undefined; t = this.eventTimers.pop(watermark)) this.fire(t.time, t.key, "event");
    if (watermark === END_OF_TIME) this.onProcessingTime(Infinity);
  }

  override onProcessingTime(now: number): void {
    for (let t = this.processingTimers.pop(now); t !== undefined; t = this.processingTimers.pop(now)) this.fire(t.time, t.key, "processing");
  }

  override snapshotState(): KeyedFullSnapshot {
    return { valve: this.valve.snapshot(), extra: this.state.snapshot() };
  }

  /** Drops all keyed state and timers (the job has ended); counters are kept. */
  releaseState(): void {
    this.state.backend.close();
    while (this.eventTimers.pop(Infinity) !== undefined);
    while (this.processingTimers.pop(Infinity) !== undefined);
  }

  trackChanges(): void {
    this.state.backend.trackChanges();
  }

  snapshotChanges(): KeyedDeltaSnapshot {
    const { ids, entries, deletes } = this.state.backend.takeChanges();
    return { delta: true, valve: this.valve.snapshot(), common: this.state.snapshotCommon(), ids, entries, deletes };
  }

  protected override restoreExtra(state: unknown): void {
    const extra = isLegacy(state) ? fromLegacy(state) : (state as KeyedExtra);
    this.state.restore(extra);
    for (let i = 0; i < extra.ids.length; i++) {
      const id = String(extra.ids[i]);
      const entry = extra.entries[i] as ProcessKeyEntry;
      for (const t of entry.eventTimers ?? []) this.eventTimers.add(t, id, "");
      for (const t of entry.processingTimers ?? []) this.processingTimers.add(t, id, "");
    }
  }

  private fire(time: number, id: string, domain: Domain): void {
    const entry = this.state.entry(id);
    if (entry !== undefined) this.forgetTimer(id, entry, domain, time);
    const onTimer = this.spec.fn.onTimer;
    if (onTimer === undefined) return;
    const key = entry?.key;
    const ctx: TimerContext<unknown, unknown> = Object.assign(this.context(id, key, domain === "event" ? time : undefined), { domain });
    callUser(this.name, { timer: time, domain, key }, () => onTimer.call(this.spec.fn, time, ctx));
  }

  private registerTimer(id: string, key: unknown, domain: Domain, time: number): void {
    checkTime(time);
    const entry = this.state.entry(id, { value: key })!;
    const field = domain === "event" ? "eventTimers" : "processingTimers";
    const times = entry[field];
    if (times?.includes(time)) return;
    if (times === undefined) entry[field] = [time];
    else times.push(time);
    this.state.backend.changed(id);
    (domain === "event" ? this.eventTimers : this.processingTimers).add(time, id, "");
  }

  private deleteTimer(id: string, domain: Domain, time: number): void {
    (domain === "event" ? this.eventTimers : this.processingTimers).delete(time, id, "");
    const entry = this.state.entry(id);
    if (entry !== undefined) this.forgetTimer(id, entry, domain, time);
  }

  /** Takes a timer out of the key's entry (deleting the entry when nothing is left). */
  private forgetTimer(id: string, entry: ProcessKeyEntry, domain: Domain, time: number): void {
    const field = domain === "event" ? "eventTimers" : "processingTimers";
    const times = entry[field];
    const i = times === undefined ? -1 : times.indexOf(time);
    if (i < 0) return;
    if (times!.length === 1) delete entry[field];
    else times!.splice(i, 1);
    this.state.backend.changed(id);
    this.state.dropIfEmpty(id, entry);
  }

  private context(id: string, key: unknown, timestamp: number | undefined): ProcessContext<unknown, unknown> {
    const operator = this;
    const timers: TimerService = {
      registerEventTime: (time) => this.registerTimer(id, key, "event", time),
      deleteEventTime: (time) => this.deleteTimer(id, "event", time),
      registerProcessingTime: (time) => this.registerTimer(id, key, "processing", time),
      deleteProcessingTime: (time) => this.deleteTimer(id, "processing", time),
    };
    return {
      key,
      timestamp,
      get watermark() {
        return operator.valve.watermark;
      },
      get processingTime() {
        return operator.spec.now();
      },
      state: this.state.access(id, key),
      timers,
      emit: (value) => this.emit(value, timestamp),
      output: <S>(tag: OutputTag<S>, value: S) => this.out.side(tag as OutputTag<unknown>, value, timestamp),
    };
  }
}

function checkTime(time: number): number {
  if (typeof time !== "number" || Number.isNaN(time)) throw new TypeError(`a timer time must be a number (ms), got ${String(time)}`);
  return time;
}

/** The snapshot layout before per-key entries (checkpoints written by earlier versions). */
interface LegacySnapshot {
  state: { kinds: [string, unknown][]; byKey: [string, [string, StateCell][]][] };
  keys: [string, unknown][];
  eventTimers: { time: number; key: string }[];
  processingTimers: { time: number; key: string }[];
}

function isLegacy(state: unknown): state is LegacySnapshot {
  return state !== null && typeof state === "object" && "byKey" in ((state as { state?: object }).state ?? {});
}

function fromLegacy(s: LegacySnapshot): KeyedExtra {
  const keyOf = new Map(s.keys);
  const entries = new Map<string, ProcessKeyEntry>();
  const entry = (id: string): ProcessKeyEntry => {
    let e = entries.get(id);
    if (e === undefined) entries.set(id, (e = { key: keyOf.get(id), cells: new Map() }));
    return e;
  };
  for (const [id, cells] of s.state.byKey) entry(id).cells = new Map(cells);
  for (const t of s.eventTimers) (entry(t.key).eventTimers ??= []).push(t.time);
  for (const t of s.processingTimers) (entry(t.key).processingTimers ??= []).push(t.time);
  return { common: { kinds: s.state.kinds }, ids: [...entries.keys()], entries: [...entries.values()] };
}
