/**
 * The keyed window operator (Flink's WindowOperator): assigns each record to its windows, aggregates
 * incrementally per key and window, asks the trigger when to fire, and frees a window once the watermark
 * passes its end plus the allowed lateness. Merging assigners (sessions) merge windows and accumulators.
 *
 * Rules (../shared/reference/stream-semantics.md): 8 (event-time firing, at once when already due),
 * 9 (early firings are updates of the same window), 10 (lateness, late side output, re-firing,
 * cleanup), 11 (results carry end − 1; firings before the watermark is forwarded), 12 (aggregates).
 *
 * Laid out for the per-record path (bench/engine): primitive keys are map keys as they are (objects by
 * their JSON id); a key's windows are a short linked list (indexed by start once a key has many); timers
 * point at their window state (no string ids) in a heap of parallel arrays; one mutable trigger context
 * per operator; session windows with the event-time trigger grow in place instead of being re-created.
 * Tumbling and sliding windows are assigned by arithmetic (no window objects per element), their
 * event-time timers kept in time buckets, and the plain event-time trigger is not called per element
 * once its timer is registered. Sliding event-time windows with an exact, order-insensitive aggregate are
 * kept as slices (`windowing/slice-layout.ts`: one accumulator per key and slice; a window merged from its
 * slices when it fires; results as the plain path's, pinned by test/unit/stream-slices.test.ts). A
 * session's timer moves later without a new queue entry per element (queued at its time when the old
 * entry comes up), and an element touching its key's one session grows it without assigner objects.
 * Tumbling event-time windows with the event-time trigger and no allowed lateness keep their state in
 * columns per window instead (`columnar-windows.ts`: a row per key, the window itself its one timer),
 * which a checkpoint copies in one pass over typed and packed arrays; the same results, firing order and
 * checkpoint entries as the object layout (test/unit/stream-window-columns.test.ts).
 */
import type { PlanNode } from "../../api/graph.js";
import type { FiringKind, WindowContext } from "../../api/window-result.js";
import type { TimeWindow } from "../../windowing/time-window.js";
import type { WindowAssigner } from "../../windowing/window-assigner.js";
import type { TriggerMergeContext, TriggerResult, TriggerStateValue } from "../../windowing/trigger.js";
import type { Output } from "../operator.js";
import type { IncrementalSnapshots, KeyedDeltaSnapshot, KeyedExtra, KeyedFullSnapshot, KeyId } from "../../state/keyed-snapshot.js";
import { unpacked } from "../../state/keyed-snapshot.js";
import { MAX_PACKED_LENGTH, PackedKeysWriter } from "../../state/packed-keys.js";
import { END_OF_TIME } from "../../time/watermark.js";
import { alignedLayout } from "../../windowing/aligned-layout.js";
import { eventTimeTrigger } from "../../windowing/event-time-trigger.js";
import { mod } from "../../windowing/window-start.js";
import { isSessionWindows } from "../../windowing/session.js";
import { sliceLayout, type SliceLayout } from "../../windowing/slice-layout.js";
import { keyId } from "../key-id.js";
import { TimeBuckets, TimeQueue } from "../timer-heap.js";
import { UserFunctionError } from "../user-function-error.js";
import { BaseOperator } from "./base-operator.js";
import { ColumnarWindows, type ColumnarSnapshot } from "./columnar-windows.js";

/** What the window operator needs: its plan node's settings, and the processing-time clock. */
export type WindowOperatorSpec = Omit<Extract<PlanNode, { kind: "window" }>, "kind" | "id" | "name" | "input"> & {
  readonly now: () => number;
};

/**
 * One (key, window): its accumulator, trigger state and registered timers. Timers point at this object;
 * a timer is live while its time is in `eventTimes` / `processingTimes` and the state is
 * {@link live} (lazy deletion in the queues).
 */
interface WindowState {
  readonly keyState: KeyState;
  /** Changes only when a session grows in place (see `WindowOperator.extendSession`). */
  window: TimeWindow;
  /** `window.start` and `window.end`, kept here too (key lookups compare them without a pointer chase). */
  start: number;
  end: number;
  /** Undefined after a purge until the next record. */
  acc: unknown;
  hasContents: boolean;
  /** Created on the first write. */
  triggerState: Map<string, TriggerStateValue> | undefined;
  firedOnTime: boolean;
  /** Times of the live event-time / processing-time timers of this (key, window): usually one or none. */
  eventTimes: TimerTimes;
  processingTimes: TimerTimes;
  /** False once the window is cleared or merged away. */
  live: boolean;
  /** The key's windows as a doubly linked list. */
  prev: WindowState | undefined;
  next: WindowState | undefined;
  /** In the key's index: the next window with the same start and another end (rare: custom assigners). */
  sameStart: WindowState | undefined;
}

/**
 * One key's windows in a checkpoint, flat (no object per window: a checkpoint of 1M keys is mostly
 * these): the key, then {@link WINDOW_SLOTS} values per window — start, end, flags (1: has contents,
 * 2: fired on time), accumulator, event-time timer times, processing-time timer times, trigger state.
 */
type WindowKeyEntry = unknown[];
const WINDOW_SLOTS = 7;
const HAS_CONTENTS = 1;
const FIRED_ON_TIME = 2;

/** One window of a key in a checkpoint (the layout of earlier versions, still restored). */
interface WindowSnapshot {
  start: number;
  end: number;
  acc: unknown;
  hasContents: boolean;
  triggerState: [string, TriggerStateValue][] | undefined;
  firedOnTime: boolean;
  eventTimes: number[];
  processingTimes: number[];
}

/** One key's windows in a checkpoint (the layout of earlier versions, still restored). */
interface WindowKeySnapshot {
  key: unknown;
  windows: WindowSnapshot[];
}

/** A key with more live windows than this also indexes them by start (else a list walk is cheaper). */
const INDEX_ABOVE = 8;

/** Registered timer times: none, one (no array needed: the common case) or several. */
type TimerTimes = undefined | number | number[];

interface KeyState {
  readonly key: unknown;
  /** The key's identity in the operator's key maps. */
  readonly id: unknown;
  /** The live windows (a list: keys mostly have one to a few). */
  head: WindowState | undefined;
  /** Live windows by start (chained through `sameStart`), once the key has many. */
  index: Map<number, WindowState> | undefined;
  /** How many live windows the key has. */
  size: number;
  /** In the operator's changed keys since the last checkpoint (incremental checkpoints only). */
  changed: boolean;
}

/** With slicing and allowed lateness: the cleanup timer of one of the key's windows (see `sliceTimers`). */
class SliceCleanup {
  constructor(readonly keyState: KeyState) {}
}

/**
 * The trigger context: one mutable object per operator, pointed at the current (key, window) before
 * each trigger call (triggers must not keep it beyond the call).
 */
class WindowTriggerContext implements TriggerMergeContext {
  state!: WindowState;
  merged: readonly WindowState[] = [];

  constructor(private readonly operator: WindowOperator) {}

  get currentWatermark(): number {
    return this.operator.currentWatermark;
  }

  get currentProcessingTime(): number {
    return this.operator.processingTime();
  }

  registerEventTimeTimer(time: number): void {
    this.operator.addTimer(this.state, "event", time);
  }

  deleteEventTimeTimer(time: number): void {
    deleteTime(this.state, "event", time);
  }

  registerProcessingTimeTimer(time: number): void {
    this.operator.addTimer(this.state, "processing", time);
  }

  deleteProcessingTimeTimer(time: number): void {
    deleteTime(this.state, "processing", time);
  }

  getState(name: string): TriggerStateValue | undefined {
    return this.state.triggerState?.get(name);
  }

  setState(name: string, value: TriggerStateValue): void {
    (this.state.triggerState ??= new Map()).set(name, value);
  }

  clearState(name: string): void {
    this.state.triggerState?.delete(name);
  }

  mergedStates(name: string): readonly (TriggerStateValue | undefined)[] {
    return this.merged.map((s) => s.triggerState?.get(name));
  }
}

/** One keyed window operator instance. */
export class WindowOperator extends BaseOperator implements IncrementalSnapshots {
  /** Keys that are strings, numbers, booleans, bigints, null or undefined: by value. */
  private readonly keys = new Map<unknown, KeyState>();
  /** Other keys (objects): by their {@link keyId} text. */
  private readonly objectKeys = new Map<string, KeyState>();
  /** Bucketed by time for aligned windows (their timers share few times), else a heap. */
  private readonly eventTimers: TimeQueue<WindowState> | TimeBuckets<WindowState>;
  private readonly processingTimers = new TimeQueue<WindowState>();
  private readonly eventTime: boolean;
  private readonly merging: boolean;
  /** Session windows with the event-time trigger: the common merges are done in place. */
  private readonly sessionShortcut: boolean;
  /** Event-time sessions with the shortcut: their gap (elements grow a key's one session in place); else 0. */
  private readonly sessionGap: number;
  private readonly context: WindowTriggerContext;
  /** Windows of the record being processed. */
  private readonly scratch: WindowState[] = [];
  /**
   * Keys changed since the last checkpoint (each once: see `KeyState.changed`), while incremental
   * checkpoints track changes; undefined otherwise (then nothing is recorded).
   */
  private changedKeys: KeyState[] | undefined;
  /** Where snapshots pack their keys (reused). */
  private readonly packer = new PackedKeysWriter();
  /**
   * Tumbling and sliding windows: their size, slide and offset, so elements are assigned by arithmetic
   * (no window objects per element); slide 0 for other assigners.
   */
  private readonly alignedSize: number;
  private readonly alignedSlide: number;
  private readonly alignedOffset: number;
  private readonly allowedLateness: number;
  /**
   * The event-time trigger with no allowed lateness: a window whose one event-time timer (end − 1, both
   * the trigger's and the cleanup) is registered and not yet due needs no trigger call per element —
   * `onElement` would only re-register that timer.
   */
  private readonly plainEventTrigger: boolean;
  /**
   * Sliding event-time windows with an aggregate that has `sliceMerge` (see `windowing/slice-layout.ts`):
   * the key's list then holds SLICES (`[a, a + slice)`, one accumulator each), never windows; a window
   * exists for a key while one of its slices does and it is not cleaned up. Undefined otherwise.
   */
  private readonly slicing: SliceLayout | undefined;
  /**
   * With slicing: per window created, its key at end − 1 (fire; with no allowed lateness also the
   * cleanup) and, with allowed lateness, a {@link SliceCleanup} at end − 1 + lateness — pushed in the
   * order the plain path registers its window timers, so windows fire in the same order.
   */
  private readonly sliceTimers: TimeBuckets<KeyState | SliceCleanup> | undefined;
  /**
   * Tumbling event-time windows with the event-time trigger and no allowed lateness: their keyed state
   * in columns per window (`columnar-windows.ts`), none of the object layout's per-key state. Undefined
   * otherwise.
   */
  private readonly columns: ColumnarWindows | undefined;

  constructor(name: string, out: Output, channels: number, private readonly spec: WindowOperatorSpec) {
    super(name, out, channels);
    this.eventTime = spec.assigner.domain === "event";
    this.merging = spec.assigner.mergeWindows !== undefined;
    this.sessionShortcut = isSessionWindows(spec.assigner) && spec.trigger === eventTimeTrigger();
    this.sessionGap = this.sessionShortcut && this.eventTime ? (spec.assigner as WindowAssigner & { readonly gap: number }).gap : 0;
    this.context = new WindowTriggerContext(this);
    const layout = this.merging ? undefined : alignedLayout(spec.assigner);
    this.eventTimers = layout === undefined ? new TimeQueue() : new TimeBuckets();
    this.alignedSize = layout?.size ?? 0;
    this.alignedSlide = layout?.slide ?? 0;
    this.alignedOffset = layout?.offset ?? 0;
    this.allowedLateness = spec.allowedLateness;
    this.plainEventTrigger = this.eventTime && spec.trigger === eventTimeTrigger() && spec.allowedLateness === 0;
    this.slicing = this.merging ? undefined : sliceLayout(spec.assigner, spec.trigger, spec.aggregate);
    this.sliceTimers = this.slicing === undefined ? undefined : new TimeBuckets();
    const tumbling = layout !== undefined && layout.slide === layout.size && this.slicing === undefined;
    this.columns = tumbling && this.plainEventTrigger ? new ColumnarWindows(name, layout.size) : undefined;
  }

  /** Live windows over all keys (for metrics and tests). */
  get windowCount(): number {
    if (this.columns !== undefined) return this.columns.rowCount;
    if (this.slicing !== undefined) return this.slicedWindowCount();
    let n = 0;
    for (const k of this.keys.values()) n += k.size;
    for (const k of this.objectKeys.values()) n += k.size;
    return n;
  }

  /** @internal The combined input watermark (for the trigger context). */
  get currentWatermark(): number {
    return this.valve.watermark;
  }

  /** @internal The processing-time clock (for the trigger context). */
  processingTime(): number {
    return this.spec.now();
  }

  processElement(value: unknown, timestamp: number | undefined): void {
    this.counters.recordsIn++;
    const spec = this.spec;
    let ts: number;
    if (this.eventTime) {
      if (typeof timestamp !== "number" || !Number.isInteger(timestamp)) {
        throw new UserFunctionError(
          this.name,
          value,
          new Error(`event-time windows need record timestamps: call withTimestamps(...) before keyBy, or use processing-time windows`),
        );
      }
      ts = timestamp;
    } else {
      ts = spec.now();
    }
    if (this.columns !== undefined) return this.processColumnar(this.columns, value, ts, timestamp);
    const slide = this.alignedSlide;
    let keyState: KeyState;
    let assigned: readonly TimeWindow[] | undefined;
    let grow: WindowState | undefined;
    try {
      keyState = this.keyState(spec.key(value));
      // Aligned windows: the assigner only validates (its windows are computed below).
      if (slide === 0 || !Number.isSafeInteger(ts)) {
        // Event-time sessions: an element at or after the start of its key's one session, touching it,
        // grows that session in place (see mergeInto) — no window objects from the assigner needed.
        const only = this.sessionGap > 0 && keyState.size === 1 && Number.isSafeInteger(ts) ? keyState.head! : undefined;
        if (only !== undefined && ts >= only.start && ts <= only.end) grow = only;
        else assigned = spec.assigner.assignWindows(ts);
      }
    } catch (error) {
      throw wrap(this.name, value, error);
    }
    if (this.changedKeys !== undefined && !keyState.changed) this.markChanged(keyState);
    if (this.slicing !== undefined) return this.processSliced(keyState, value, ts, timestamp);
    const watermark = this.valve.watermark;
    const lateness = this.allowedLateness;
    let skipped = true;
    if (grow !== undefined) {
      const window = this.extendSession(grow, { start: ts, end: ts + this.sessionGap });
      if (window.end - 1 + lateness > watermark) {
        skipped = false;
        this.accumulate(grow, value, ts, watermark);
      }
    } else if (assigned === undefined) {
      // Latest start first, as the assigners list them (the same windows, in the same order).
      // A key's list is mostly newest first, as these windows come: each search starts after the last hit.
      const size = this.alignedSize;
      let hint: WindowState | undefined;
      for (let start = ts - mod(ts - this.alignedOffset, slide); start > ts - size; start -= slide) {
        const end = start + size;
        if (this.eventTime && end - 1 + lateness <= watermark) continue;
        skipped = false;
        hint = this.alignedState(keyState, start, end, hint);
        this.accumulate(hint, value, ts, watermark);
      }
    } else {
      for (let i = 0; i < assigned.length; i++) {
        const window = this.merging ? this.mergeInto(keyState, assigned[i]!) : assigned[i]!;
        if (this.eventTime && window.end - 1 + lateness <= watermark) continue;
        skipped = false;
        this.accumulate(this.windowState(keyState, window), value, ts, watermark);
      }
    }
    if (keyState.size === 0) this.deleteKey(keyState);
    if (skipped && this.eventTime && ts + spec.allowedLateness <= this.valve.watermark) {
      if (spec.lateTag !== undefined) this.out.side(spec.lateTag, value, timestamp);
      else this.counters.lateRecordsDropped++;
    }
  }

  /**
   * The columnar layout: adds the element to its window's row for the key (created when absent). As the
   * object layout with the event-time trigger and no allowed lateness: an element whose window is due
   * is late (side output or dropped); a window's one timer is the window itself.
   */
  private processColumnar(columns: ColumnarWindows, value: unknown, ts: number, timestamp: number | undefined): void {
    const spec = this.spec;
    let key: unknown;
    let start: number;
    try {
      key = spec.key(value);
      if (Number.isSafeInteger(ts)) start = ts - mod(ts - this.alignedOffset, this.alignedSize);
      else start = spec.assigner.assignWindows(ts)[0]!.start; // refuses the timestamp
    } catch (error) {
      throw wrap(this.name, value, error);
    }
    const watermark = this.valve.watermark;
    if (start + this.alignedSize - 1 <= watermark) {
      if (ts <= watermark) {
        if (spec.lateTag !== undefined) this.out.side(spec.lateTag, value, timestamp);
        else this.counters.lateRecordsDropped++;
      }
      return;
    }
    const w = columns.window(start);
    const row = w.rowOf(key);
    const aggregate = spec.aggregate;
    let acc: unknown;
    try {
      acc = aggregate.add(value, row === undefined ? aggregate.createAccumulator() : w.accs[row]);
    } catch (error) {
      throw wrap(this.name, value, error);
    }
    if (row === undefined) w.add(key, acc, columns.tracking);
    else {
      w.accs[row] = acc;
      if (columns.tracking) w.markChanged(row);
    }
  }

  /** The columnar layout: fires the windows due at `watermark` (in order of their end; each key in row order) and drops them. */
  private fireColumns(columns: ColumnarWindows): void {
    const aggregate = this.spec.aggregate;
    const result = this.spec.result;
    for (let w = columns.first(); w !== undefined && w.end - 1 <= this.valve.watermark; w = columns.first()) {
      const { keys, accs, start, end } = w;
      const watermark = this.valve.watermark;
      for (let r = 0; r < keys.length; r++) {
        const context: WindowContext<unknown> = { key: keys[r], start, end, watermark, firing: "onTime" };
        let output: unknown;
        try {
          output = result(aggregate.getResult(accs[r]), context);
        } catch (error) {
          throw wrap(this.name, context, error);
        }
        this.emit(output, end - 1);
      }
      columns.dropFirst();
    }
  }

  /** Adds the element to one of its windows and lets the trigger decide. */
  private accumulate(state: WindowState, value: unknown, ts: number, watermark: number): void {
    const aggregate = this.spec.aggregate;
    try {
      state.acc = aggregate.add(value, state.hasContents ? state.acc : aggregate.createAccumulator());
    } catch (error) {
      throw wrap(this.name, value, error);
    }
    state.hasContents = true;
    // The event-time trigger would only re-register the timer that is already there (see plainEventTrigger).
    if (this.plainEventTrigger && state.eventTimes === state.end - 1 && state.end - 1 > watermark) return;
    const context = this.context;
    context.state = state;
    const result = this.spec.trigger.onElement(ts, state.window, context);
    if (result !== "continue") this.act(result, state, this.valve.watermark);
    this.registerCleanup(state);
  }

  /**
   * Slicing: adds the element to its ONE slice. As the plain path: an element whose windows are all late
   * goes to the late side output; a window the element creates (none of its slices held anything) gets
   * its timers; a window already due (allowed lateness) fires at once — "onTime" when the element creates
   * it, else "late" (an existing due window has fired on time: it fired at its timer or at its creation).
   */
  private processSliced(keyState: KeyState, value: unknown, ts: number, timestamp: number | undefined): void {
    const { size, slide, offset, slice } = this.slicing!;
    const watermark = this.valve.watermark;
    const lateness = this.allowedLateness;
    const last = ts - mod(ts - offset, slide); // the latest window's start (it ends last)
    if (last + size - 1 + lateness <= watermark) {
      // Every window of the element is late.
      if (keyState.size === 0) this.deleteKey(keyState);
      if (ts + lateness <= watermark) {
        if (this.spec.lateTag !== undefined) this.out.side(this.spec.lateTag, value, timestamp);
        else this.counters.lateRecordsDropped++;
      }
      return;
    }
    const start = ts - mod(ts - offset, slice);
    const found = findStartEnd(keyState, start, start + slice);
    const aggregate = this.spec.aggregate;
    let acc: unknown;
    try {
      acc = aggregate.add(value, found !== undefined ? found.acc : aggregate.createAccumulator());
    } catch (error) {
      throw wrap(this.name, value, error);
    }
    if (found !== undefined) {
      found.acc = acc;
      // Its windows exist already (a slice lives as long as its latest window); only due ones need work.
      if (lateness === 0) return;
      for (let s = last; s > ts - size; s -= slide) {
        const end = s + size;
        if (end - 1 + lateness <= watermark) break;
        if (end - 1 <= watermark) this.fireSliced(keyState, s, end, "late");
      }
      return;
    }
    const state = newState(keyState, { start, end: start + slice });
    state.acc = acc;
    state.hasContents = true;
    insertState(keyState, state);
    const timers = this.sliceTimers!;
    // Latest start first, as the plain path creates them.
    for (let s = last; s > ts - size; s -= slide) {
      const end = s + size;
      if (end - 1 + lateness <= watermark) break;
      const due = end - 1 <= watermark;
      const created = !hasSliceIn(keyState, state, s, end);
      if (created) {
        if (!due) timers.push(end - 1, keyState);
        if (lateness > 0 && end - 1 + lateness !== Infinity) timers.push(end - 1 + lateness, new SliceCleanup(keyState));
      }
      if (due) this.fireSliced(keyState, s, end, created ? "onTime" : "late");
    }
  }

  /** Slicing: fires and cleans up the windows whose timers are due at `watermark`, in time order. */
  private sliceTimersUpTo(timers: TimeBuckets<KeyState | SliceCleanup>, watermark: number): void {
    const size = this.slicing!.size;
    const lateness = this.allowedLateness;
    while (timers.size > 0 && timers.peekTime() <= watermark) {
      const time = timers.peekTime();
      const item = timers.pop()!;
      if (item instanceof SliceCleanup) {
        const keyState = item.keyState;
        if (keyState.size === 0) continue;
        if (this.changedKeys !== undefined && !keyState.changed) this.markChanged(keyState);
        this.cleanupSliced(keyState, time + 1 - lateness - size);
        continue;
      }
      const keyState = item;
      if (keyState.size === 0) continue;
      if (this.changedKeys !== undefined && !keyState.changed) this.markChanged(keyState);
      this.fireSliced(keyState, time + 1 - size, time + 1, "onTime");
      if (lateness === 0) this.cleanupSliced(keyState, time + 1 - size);
    }
  }

  /** Slicing: emits the result of the key's window [start, end), merged from its slices. */
  private fireSliced(keyState: KeyState, start: number, end: number, firing: FiringKind): void {
    const aggregate = this.spec.aggregate;
    const merge = aggregate.sliceMerge!;
    const context: WindowContext<unknown> = { key: keyState.key, start, end, watermark: this.valve.watermark, firing };
    let output: unknown;
    try {
      let acc: unknown;
      let any = false;
      for (let s = keyState.head; s !== undefined; s = s.next) {
        if (s.start < start || s.start >= end) continue;
        acc = any ? merge(acc, s.acc) : s.acc;
        any = true;
      }
      if (!any) return;
      output = this.spec.result(aggregate.getResult(acc), context);
    } catch (error) {
      throw wrap(this.name, context, error);
    }
    this.emit(output, end - 1);
  }

  /**
   * Slicing: the key's window starting at `start` is cleaned up — the slices whose latest window it is
   * (those starting before `start + slide`) go, and the key when nothing is left.
   */
  private cleanupSliced(keyState: KeyState, start: number): void {
    const until = start + this.slicing!.slide;
    for (let s = keyState.head; s !== undefined; ) {
      const next = s.next;
      if (s.start < until) this.removeState(s);
      s = next;
    }
    if (keyState.size === 0) this.deleteKey(keyState);
  }

  /** Slicing: live windows over all keys (those with a slice and not yet cleaned up). */
  private slicedWindowCount(): number {
    const { size, slide, offset } = this.slicing!;
    const watermark = this.valve.watermark;
    let n = 0;
    for (const map of [this.keys, this.objectKeys] as const) {
      for (const keyState of map.values()) {
        const ends = new Set<number>();
        for (let s = keyState.head; s !== undefined; s = s.next) {
          for (let w = s.start - mod(s.start - offset, slide); w > s.start - size; w -= slide) {
            if (w + size - 1 + this.allowedLateness > watermark) ends.add(w + size);
          }
        }
        n += ends.size;
      }
    }
    return n;
  }

  /**
   * After a key's entries are restored: with slicing see {@link restoredSlices}; aligned windows without
   * slicing refuse entries of another length (slices, from a checkpoint of the sliced layout).
   */
  private restoredKey(keyState: KeyState): void {
    if (this.slicing !== undefined) return this.restoredSlices(keyState);
    if (this.alignedSlide === 0) return;
    for (let s = keyState.head; s !== undefined; s = s.next) {
      if (s.end - s.start === this.alignedSize) continue;
      throw new Error(
        `window operator "${this.name}": the checkpoint holds [${s.start}, ${s.end}), not a window of ${this.alignedSize} ms: ` +
          `it was taken with another window layout (sliding windows kept as slices, or another size): restore needs a checkpoint of this pipeline`,
      );
    }
  }

  /**
   * Slicing, after a restore: checks that the key's restored entries are slices of this layout (a
   * checkpoint of one accumulator per window cannot be split into slices: refused), and registers the
   * timers of its live windows as the plain path's restore does (by end, fire then cleanup).
   */
  private restoredSlices(keyState: KeyState): void {
    const { size, slide, offset, slice } = this.slicing!;
    const watermark = this.valve.watermark;
    const lateness = this.allowedLateness;
    const ends: number[] = [];
    for (let s = keyState.head; s !== undefined; s = s.next) {
      if (s.end - s.start !== slice || mod(s.start - offset, slice) !== 0 || s.eventTimes !== undefined || s.processingTimes !== undefined || !s.hasContents) {
        throw new Error(
          `window operator "${this.name}": the checkpoint holds the window [${s.start}, ${s.end}) with its own accumulator (the plain ` +
            `layout: a checkpoint of an earlier version, or of this window with another aggregate or trigger), but this operator keeps ` +
            `its sliding windows as slices of ${slice} ms and cannot split a window's accumulator into them: restore needs a checkpoint ` +
            `taken with this layout, or start the job without restoring`,
        );
      }
      for (let w = s.start - mod(s.start - offset, slide); w > s.start - size; w -= slide) {
        if (w + size - 1 + lateness > watermark && !ends.includes(w + size)) ends.push(w + size);
      }
    }
    ends.sort((a, b) => a - b);
    const timers = this.sliceTimers!;
    for (const end of ends) {
      if (end - 1 > watermark) timers.push(end - 1, keyState);
      if (lateness > 0 && end - 1 + lateness !== Infinity) timers.push(end - 1 + lateness, new SliceCleanup(keyState));
    }
  }

  protected override onWatermark(watermark: number): void {
    if (this.columns !== undefined) return this.fireColumns(this.columns);
    if (this.sliceTimers !== undefined) this.sliceTimersUpTo(this.sliceTimers, watermark);
    const timers = this.eventTimers;
    while (timers.size > 0 && timers.peekTime() <= watermark) {
      const time = timers.peekTime();
      const state = timers.pop()!;
      if (takeTime(state, "event", time)) this.onTimer(time, state, "event");
      // A session's timer moved later without queueing (extendSession): queue it at its time now. (A
      // stale entry of a timer queued anew anyway only adds an entry that finds it gone.)
      else if (this.sessionShortcut && state.live && typeof state.eventTimes === "number" && state.eventTimes > time) timers.push(state.eventTimes, state);
    }
    if (watermark === END_OF_TIME) this.flushProcessingTime();
  }

  override onProcessingTime(now: number): void {
    const timers = this.processingTimers;
    while (timers.size > 0 && timers.peekTime() <= now) {
      const time = timers.peekTime();
      const state = timers.pop()!;
      if (takeTime(state, "processing", time)) this.onTimer(time, state, "processing");
    }
  }

  /** @internal Registers a timer of `state` (no-op when already registered). */
  addTimer(state: WindowState, domain: "event" | "processing", time: number): void {
    if (domain === "event") {
      const times = withTime(state.eventTimes, time);
      if (times === state.eventTimes) return;
      state.eventTimes = times;
      this.eventTimers.push(time, state);
    } else {
      const times = withTime(state.processingTimes, time);
      if (times === state.processingTimes) return;
      state.processingTimes = times;
      this.processingTimers.push(time, state);
    }
  }

  override snapshotState(): KeyedFullSnapshot {
    if (this.columns !== undefined) return this.snapshotColumns(this.columns, false) as KeyedFullSnapshot;
    const ids: KeyId[] = [];
    const entries: WindowKeyEntry[] = [];
    const packer = this.packer;
    // Room for a run of one-window keys (id + accumulator each): a larger first guess would allocate
    // memory it never uses, and a large allocation makes V8 collect the whole heap.
    packer.reset((this.keys.size + this.objectKeys.size) * 2 + 64);
    for (const map of [this.keys, this.objectKeys] as const) {
      for (const keyState of map.values()) {
        if (packKey(packer, keyState)) continue;
        ids.push(snapshotId(keyState));
        entries.push(snapshotKey(keyState));
      }
    }
    const packed = packer.finish();
    return { valve: this.valve.snapshot(), extra: { common: null, ids, entries, ...(packed === undefined ? {} : { packed }) } };
  }

  trackChanges(): void {
    if (this.columns !== undefined) return this.columns.trackChanges();
    const changed = this.changedKeys;
    if (changed !== undefined) {
      // Deleted key states are out of the maps for good (a key that comes back gets a new one): when
      // most changed keys were deleted, only the live ones need their flag reset.
      if (changed.length > this.keys.size + this.objectKeys.size) {
        for (const map of [this.keys, this.objectKeys] as const) for (const k of map.values()) k.changed = false;
      } else for (const k of changed) k.changed = false;
    }
    this.changedKeys = [];
  }

  changeCount(): { changed: number; keys: number } {
    if (this.columns !== undefined) return this.columns.changeCount();
    return { changed: this.changedKeys?.length ?? 0, keys: this.keys.size + this.objectKeys.size };
  }

  snapshotChanges(): KeyedDeltaSnapshot {
    if (this.columns !== undefined) return this.snapshotColumns(this.columns, true) as KeyedDeltaSnapshot;
    const ids: KeyId[] = [];
    const entries: WindowKeyEntry[] = [];
    const deletes: KeyId[] = [];
    const packer = this.packer;
    packer.reset((this.changedKeys?.length ?? 0) * 2 + 64);
    let deleted: Set<KeyId> | undefined;
    // One pass (each key state is touched once: at a million keys these are cache misses).
    for (const old of this.changedKeys ?? []) {
      old.changed = false;
      // A key state with windows is in the maps (a key leaves them when its last window goes).
      const now = old.size > 0 ? old : this.currentKeyState(old);
      if (now === old) {
        if (old.size > 0 && !packKey(packer, old)) {
          ids.push(snapshotId(old));
          entries.push(snapshotKey(old));
        }
        continue;
      }
      // A key deleted since (its state purged); if it came back, its new state is in the list itself.
      if (now !== undefined) continue;
      const id = snapshotId(old);
      deleted ??= new Set();
      if (deleted.has(id)) continue;
      deleted.add(id);
      deletes.push(id);
    }
    this.changedKeys = [];
    const packed = packer.finish();
    return { delta: true, valve: this.valve.snapshot(), common: null, ids, entries, deletes, ...(packed === undefined ? {} : { packed }) };
  }

  /** The columnar layout's full snapshot, or (`delta`) its changes since the last delta. */
  private snapshotColumns(columns: ColumnarWindows, delta: boolean): KeyedFullSnapshot | KeyedDeltaSnapshot {
    const out: ColumnarSnapshot = { ids: [], entries: [], deletes: [] };
    const packer = this.packer;
    // The size of the common case (every key in one window, numbers): then the packed array needs no copy.
    packer.resetExact(columns.packedSize(delta));
    columns.snapshot(packer, delta, out);
    const packed = packer.finish();
    const part = packed === undefined ? {} : { packed };
    const valve = this.valve.snapshot();
    if (delta) return { delta: true, valve, common: null, ids: out.ids, entries: out.entries, deletes: out.deletes, ...part };
    return { valve, extra: { common: null, ids: out.ids, entries: out.entries, ...part } };
  }

  protected override restoreExtra(state: unknown): void {
    const extra = state as KeyedExtra | { keys: WindowKeySnapshot[] };
    if ("keys" in extra) {
      for (const k of extra.keys) this.restoreKey(k.key, k.windows.map(fromLegacyWindow).flat());
      this.columns?.restored();
      return;
    }
    for (const entry of extra.entries as WindowKeyEntry[]) this.restoreKey(entry[0], entry.slice(1));
    for (const entry of unpacked(extra.packed).entries as WindowKeyEntry[]) this.restoreKey(entry[0], entry.slice(1));
    this.columns?.restored();
  }

  private restoreKey(key: unknown, slots: readonly unknown[]): void {
    if (this.columns !== undefined) return this.columns.restoreKey(key, slots);
    const keyState = this.keyState(key);
    // Inserted last to first, so the key's list keeps its order.
    for (let i = slots.length - WINDOW_SLOTS; i >= 0; i -= WINDOW_SLOTS) {
      const st = newState(keyState, { start: slots[i] as number, end: slots[i + 1] as number });
      const flags = slots[i + 2] as number;
      st.hasContents = (flags & HAS_CONTENTS) !== 0;
      st.firedOnTime = (flags & FIRED_ON_TIME) !== 0;
      st.acc = slots[i + 3];
      const triggerState = slots[i + 6] as [string, TriggerStateValue][] | undefined;
      st.triggerState = triggerState === undefined ? undefined : new Map(triggerState);
      insertState(keyState, st);
      for (const t of timesOf(slots[i + 4] as TimerTimes)) this.addTimer(st, "event", t);
      for (const t of timesOf(slots[i + 5] as TimerTimes)) this.addTimer(st, "processing", t);
    }
    this.restoredKey(keyState);
  }

  /** The key's state now in the operator's maps (undefined when the key holds no state). */
  private currentKeyState(keyState: KeyState): KeyState | undefined {
    return typeof keyState.id === "string" && keyState.id !== keyState.key ? this.objectKeys.get(keyState.id) : this.keys.get(keyState.id);
  }

  /**
   * Drops all keyed state and timers (the job has ended: a finished job stays listed with its metrics,
   * its state must not stay in memory with it). Counters are kept.
   */
  releaseState(): void {
    this.columns?.release();
    this.keys.clear();
    this.objectKeys.clear();
    while (this.eventTimers.size > 0) this.eventTimers.pop();
    while (this.processingTimers.size > 0) this.processingTimers.pop();
    while (this.sliceTimers !== undefined && this.sliceTimers.size > 0) this.sliceTimers.pop();
    this.changedKeys = undefined;
    this.packer.reset();
    this.packer.release();
  }

  private markChanged(keyState: KeyState): void {
    keyState.changed = true;
    this.changedKeys!.push(keyState);
  }

  // ---------------------------------------------------------------------------------------------

  private keyState(key: unknown): KeyState {
    if (key !== null && (typeof key === "object" || typeof key === "function" || typeof key === "symbol")) {
      const id = keyId(key);
      let state = this.objectKeys.get(id);
      if (state === undefined) {
        state = { key, id, head: undefined, index: undefined, size: 0, changed: false };
        this.objectKeys.set(id, state);
      }
      return state;
    }
    // −0 and 0 are one key (Map compares by SameValueZero, as keyId does).
    let state = this.keys.get(key);
    if (state === undefined) {
      state = { key, id: key, head: undefined, index: undefined, size: 0, changed: false };
      this.keys.set(key, state);
    }
    return state;
  }

  private deleteKey(keyState: KeyState): void {
    if (typeof keyState.id === "string" && this.objectKeys.get(keyState.id) === keyState) this.objectKeys.delete(keyState.id);
    else if (this.keys.get(keyState.id) === keyState) this.keys.delete(keyState.id);
  }

  /** At the end of input, processing-time windows fire too (a bounded notebook run shows every result). */
  private flushProcessingTime(): void {
    this.onProcessingTime(Infinity);
  }

  private cleanupTime(window: TimeWindow): number {
    const max = window.end - 1;
    if (!this.eventTime) return max;
    const t = max + this.spec.allowedLateness;
    return t >= max ? t : Infinity;
  }

  private registerCleanup(state: WindowState): void {
    const time = this.cleanupTime(state.window);
    if (time === Infinity) return; // the global window lives for ever
    this.addTimer(state, this.eventTime ? "event" : "processing", time);
  }

  /** The state of `window` for the key, created when absent. */
  private windowState(keyState: KeyState, window: TimeWindow): WindowState {
    const found = this.findState(keyState, window);
    if (found !== undefined) return found;
    const state = newState(keyState, window);
    insertState(keyState, state);
    return state;
  }

  /**
   * The state of the aligned window [start, end) for the key, created when absent; the list search
   * starts after `hint` (a live window of the key) and wraps around.
   */
  private alignedState(keyState: KeyState, start: number, end: number, hint: WindowState | undefined): WindowState {
    const found = hint === undefined || keyState.index !== undefined || !hint.live ? findStartEnd(keyState, start, end) : findAfter(keyState, hint, start, end);
    if (found !== undefined) return found;
    const state = newState(keyState, { start, end });
    insertState(keyState, state);
    return state;
  }

  private findState(keyState: KeyState, window: TimeWindow): WindowState | undefined {
    return findStartEnd(keyState, window.start, window.end);
  }

  /** Takes `state` out of its key's windows (its timers die with it). */
  private removeState(state: WindowState): void {
    const keyState = state.keyState;
    if (state.prev === undefined) keyState.head = state.next;
    else state.prev.next = state.next;
    if (state.next !== undefined) state.next.prev = state.prev;
    state.prev = undefined;
    state.next = undefined;
    const index = keyState.index;
    if (index !== undefined) {
      const start = state.window.start;
      const first = index.get(start);
      if (first === state) {
        if (state.sameStart === undefined) index.delete(start);
        else index.set(start, state.sameStart);
      } else {
        let s = first;
        while (s !== undefined && s.sameStart !== state) s = s.sameStart;
        if (s !== undefined) s.sameStart = state.sameStart;
      }
      state.sameStart = undefined;
    }
    state.live = false;
    keyState.size--;
  }

  private onTimer(time: number, state: WindowState, domain: "event" | "processing"): void {
    if (!state.live) return;
    if (this.changedKeys !== undefined && !state.keyState.changed) this.markChanged(state.keyState);
    const context = this.context;
    context.state = state;
    const result =
      domain === "event" ? this.spec.trigger.onEventTime(time, state.window, context) : this.spec.trigger.onProcessingTime(time, state.window, context);
    this.act(result, state, domain === "event" ? time : this.valve.watermark);
    const cleanupDomain = this.eventTime ? "event" : "processing";
    if (domain === cleanupDomain && time === this.cleanupTime(state.window) && state.live) this.clearWindow(state);
  }

  /**
   * Carries out a trigger's decision. `time` is the event time the decision belongs to: an event-time
   * timer's time, else the watermark (it tells early firings from on-time ones).
   */
  private act(result: TriggerResult, state: WindowState, time: number): void {
    if ((result === "fire" || result === "fireAndPurge") && state.hasContents) this.fire(state, time);
    if (result === "purge" || result === "fireAndPurge") {
      state.acc = undefined;
      state.hasContents = false;
    }
  }

  private fire(state: WindowState, time: number): void {
    const { window } = state;
    const watermark = this.valve.watermark;
    let firing: FiringKind = "onTime";
    if (this.eventTime) {
      if (time < window.end - 1) firing = "early";
      else if (state.firedOnTime) firing = "late";
      else state.firedOnTime = true;
    }
    const context: WindowContext<unknown> = { key: state.keyState.key, start: window.start, end: window.end, watermark, firing };
    let output: unknown;
    try {
      output = this.spec.result(this.spec.aggregate.getResult(state.acc), context);
    } catch (error) {
      throw wrap(this.name, context, error);
    }
    this.emit(output, Number.isFinite(window.end) ? window.end - 1 : undefined);
  }

  private clearWindow(state: WindowState): void {
    const context = this.context;
    context.state = state;
    this.spec.trigger.clear(state.window, context);
    this.removeState(state);
    if (state.keyState.size === 0) this.deleteKey(state.keyState);
  }

  /**
   * Merging assigners: adds `candidate` to the key's windows and performs the merges the assigner asks
   * for (accumulators merged, trigger told, old windows' timers removed); returns the window that now
   * holds `candidate`.
   */
  private mergeInto(keyState: KeyState, candidate: TimeWindow): TimeWindow {
    if (this.sessionShortcut && keyState.size <= 1) {
      if (keyState.size === 0) return candidate;
      const only = keyState.head!;
      const w = only.window;
      if (w.start > candidate.end || w.end < candidate.start) return candidate; // touches nothing
      if (candidate.start >= w.start) return this.extendSession(only, candidate);
    }
    const live: TimeWindow[] = [];
    for (let s = keyState.head; s !== undefined; s = s.next) live.push(s.window);
    live.push(candidate);
    const merges = this.spec.assigner.mergeWindows!(live);
    let target = candidate;
    const context = this.context;
    for (const merge of merges) {
      if (merge.merged.some((w) => w.start === candidate.start && w.end === candidate.end)) target = merge.result;
      // The candidate may equal a live window: each state once.
      const mergedStates: WindowState[] = [];
      for (const w of merge.merged) {
        const s = this.findState(keyState, w);
        if (s !== undefined && !mergedStates.includes(s)) mergedStates.push(s);
      }
      if (mergedStates.length === 0) continue;
      // Combine the accumulators and trigger state into the result window.
      const combined = newState(keyState, merge.result);
      combined.firedOnTime = mergedStates.some((s) => s.firedOnTime);
      for (const s of mergedStates) {
        if (!s.hasContents) continue;
        combined.acc = combined.hasContents ? this.spec.aggregate.merge(combined.acc, s.acc) : s.acc;
        combined.hasContents = true;
      }
      for (const s of mergedStates) {
        context.state = s;
        this.spec.trigger.clear(s.window, context);
        const cleanup = this.cleanupTime(s.window);
        deleteTime(s, this.eventTime ? "event" : "processing", cleanup);
        this.removeState(s);
      }
      // Timers belong to (key, window): those a merged window with the result's bounds still had carry over.
      for (const s of mergedStates) if (s.window.start === merge.result.start && s.window.end === merge.result.end) this.adoptTimers(combined, s);
      insertState(keyState, combined);
      context.state = combined;
      context.merged = mergedStates;
      this.spec.trigger.onMerge(merge.result, context);
      context.merged = [];
      this.registerCleanup(combined);
    }
    return target;
  }

  /**
   * The one live session `state` of a key absorbs `candidate` (which touches it and starts no earlier):
   * exactly what the general merge does with the event-time trigger — the old window's trigger and
   * cleanup timers deleted, the result's registered (the trigger's only when not yet due), trigger state
   * reset — but keeping the state object (its start, hence its place in the key's map, is unchanged).
   */
  private extendSession(state: WindowState, candidate: TimeWindow): TimeWindow {
    const old = state.window;
    const result = candidate.end > old.end ? { start: old.start, end: candidate.end } : old;
    const domain = this.eventTime ? "event" : "processing";
    // Event time, no allowed lateness: the one timer (the trigger's and the cleanup, end − 1) is queued at
    // or before its time; the new one is later or the same, so it is moved without queueing again
    // (onWatermark queues it at its time when the old entry comes up): one queue entry per session and
    // gap rather than per element.
    const moved = this.eventTime && this.allowedLateness === 0 && state.eventTimes === old.end - 1 && state.processingTimes === undefined;
    deleteTime(state, "event", old.end - 1); // trigger.clear
    deleteTime(state, domain, this.cleanupTime(old));
    state.window = result;
    state.start = result.start;
    state.end = result.end;
    state.triggerState = undefined;
    if (!state.hasContents) state.acc = undefined;
    if (moved) state.eventTimes = result.end - 1; // trigger.onMerge (old.end − 1 was not yet due, so neither is this)
    else if (result.end - 1 > this.valve.watermark) this.addTimer(state, "event", result.end - 1); // trigger.onMerge
    this.registerCleanup(state);
    return result;
  }

  private adoptTimers(to: WindowState, from: WindowState): void {
    for (const t of timesOf(from.eventTimes)) this.addTimer(to, "event", t);
    for (const t of timesOf(from.processingTimes)) this.addTimer(to, "processing", t);
  }
}

/** A key's id in snapshots (see `KeyId`). */
function snapshotId(keyState: KeyState): KeyId {
  const key = keyState.key;
  return typeof key === "number" ? (Object.is(key, -0) ? 0 : key) : keyId(key);
}

/**
 * Writes a key's entry packed (see `state/packed-keys.ts`) when it has that shape: a number key, numeric
 * (or no) accumulators, at most one timer per domain, no trigger state. Returns false (nothing written)
 * otherwise.
 */
function packKey(packer: PackedKeysWriter, keyState: KeyState): boolean {
  const key = keyState.key;
  const length = 1 + keyState.size * WINDOW_SLOTS;
  if (typeof key !== "number" || length > MAX_PACKED_LENGTH) return false;
  // Values into the packer's scratch; keys with the same windows (bounds, flags, timers) share a run in
  // which only their id and accumulators are written (the key is the id).
  const values = packer.values;
  values[0] = key;
  let mask = 0;
  let varying = 0;
  let bit = 2; // 2^i for value i; value 0 (the key) is never undefined
  let i = 1;
  for (let st = keyState.head; st !== undefined; st = st.next, i += WINDOW_SLOTS) {
    const acc = st.hasContents ? st.acc : undefined;
    if ((acc !== undefined && typeof acc !== "number") || st.triggerState !== undefined) return false;
    const eventTimes = st.eventTimes;
    const processingTimes = st.processingTimes;
    if (typeof eventTimes === "object" || typeof processingTimes === "object") return false;
    // start, end, flags are numbers; acc, event time, processing time may be undefined; trigger state is.
    values[i] = st.start;
    values[i + 1] = st.end;
    values[i + 2] = (st.hasContents ? HAS_CONTENTS : 0) | (st.firedOnTime ? FIRED_ON_TIME : 0);
    values[i + 3] = acc ?? 0;
    values[i + 4] = eventTimes ?? 0;
    values[i + 5] = processingTimes ?? 0;
    values[i + 6] = 0;
    if (acc === undefined) mask += bit * 8;
    if (eventTimes === undefined) mask += bit * 16;
    if (processingTimes === undefined) mask += bit * 32;
    mask += bit * 64;
    varying += bit * 8;
    bit *= 128;
  }
  packer.runEntry(snapshotId(keyState) as number, length, mask, varying, true);
  return true;
}

/** One key's windows as a checkpoint entry. */
function snapshotKey(keyState: KeyState): WindowKeyEntry {
  const entry: unknown[] = [keyState.key];
  for (let st = keyState.head; st !== undefined; st = st.next) {
    entry.push(
      st.window.start,
      st.window.end,
      (st.hasContents ? HAS_CONTENTS : 0) | (st.firedOnTime ? FIRED_ON_TIME : 0),
      st.hasContents ? st.acc : undefined,
      st.eventTimes,
      st.processingTimes,
      st.triggerState === undefined ? undefined : [...st.triggerState],
    );
  }
  return entry;
}

function fromLegacyWindow(w: WindowSnapshot): unknown[] {
  const flags = (w.hasContents ? HAS_CONTENTS : 0) | (w.firedOnTime ? FIRED_ON_TIME : 0);
  const times = (ts: number[]): TimerTimes => (ts.length === 0 ? undefined : ts.length === 1 ? ts[0] : ts);
  return [w.start, w.end, flags, w.acc, times(w.eventTimes), times(w.processingTimes), w.triggerState];
}

/** Whether the key has a slice other than `except` starting in [start, end) (slicing). */
function hasSliceIn(keyState: KeyState, except: WindowState, start: number, end: number): boolean {
  for (let s = keyState.head; s !== undefined; s = s.next) if (s !== except && s.start >= start && s.start < end) return true;
  return false;
}

/** The key's live window [start, end), if any. */
function findStartEnd(keyState: KeyState, start: number, end: number): WindowState | undefined {
  if (keyState.index !== undefined) {
    for (let s = keyState.index.get(start); s !== undefined; s = s.sameStart) if (s.end === end) return s;
    return undefined;
  }
  for (let s = keyState.head; s !== undefined; s = s.next) if (s.start === start && s.end === end) return s;
  return undefined;
}

/** The key's live window [start, end), searched from after `hint` to the end of the list, then from its head. */
function findAfter(keyState: KeyState, hint: WindowState, start: number, end: number): WindowState | undefined {
  const from = hint.next;
  for (let s = from; s !== undefined; s = s.next) if (s.start === start && s.end === end) return s;
  for (let s = keyState.head; s !== from; s = s!.next) if (s!.start === start && s!.end === end) return s;
  return undefined;
}

/** Adds a new window to its key's list (and index). */
function insertState(keyState: KeyState, state: WindowState): void {
  const head = keyState.head;
  state.next = head;
  if (head !== undefined) head.prev = state;
  keyState.head = state;
  keyState.size++;
  if (keyState.index !== undefined) indexState(keyState.index, state);
  else if (keyState.size > INDEX_ABOVE) {
    const index = new Map<number, WindowState>();
    for (let s: WindowState | undefined = state; s !== undefined; s = s.next) indexState(index, s);
    keyState.index = index;
  }
}

function indexState(index: Map<number, WindowState>, state: WindowState): void {
  state.sameStart = index.get(state.window.start);
  index.set(state.window.start, state);
}

function newState(keyState: KeyState, window: TimeWindow): WindowState {
  return {
    keyState,
    window,
    start: window.start,
    end: window.end,
    acc: undefined,
    hasContents: false,
    triggerState: undefined,
    firedOnTime: false,
    eventTimes: undefined,
    processingTimes: undefined,
    live: true,
    prev: undefined,
    next: undefined,
    sameStart: undefined,
  };
}

/** `times` with `time` added; the same value when it was already there. */
function withTime(times: TimerTimes, time: number): TimerTimes {
  if (times === undefined) return time;
  if (typeof times === "number") return times === time ? times : [times, time];
  return times.includes(time) ? times : [...times, time];
}

/** `times` without `time`. */
function withoutTime(times: TimerTimes, time: number): TimerTimes {
  if (times === undefined || times === time) return undefined;
  if (typeof times === "number") return times;
  const i = times.indexOf(time);
  if (i < 0) return times;
  if (times.length === 2) return times[1 - i];
  const rest = times.slice();
  rest.splice(i, 1);
  return rest;
}

function hasTime(times: TimerTimes, time: number): boolean {
  return times === time || (typeof times === "object" && times.includes(time));
}

function timesOf(times: TimerTimes): readonly number[] {
  return times === undefined ? [] : typeof times === "number" ? [times] : times;
}

/** Cancels a timer of `state` (no-op when not registered). */
function deleteTime(state: WindowState, domain: "event" | "processing", time: number): void {
  if (domain === "event") state.eventTimes = withoutTime(state.eventTimes, time);
  else state.processingTimes = withoutTime(state.processingTimes, time);
}

/** A popped timer: whether it was live (then it is no longer registered). */
function takeTime(state: WindowState, domain: "event" | "processing", time: number): boolean {
  if (!state.live || !hasTime(domain === "event" ? state.eventTimes : state.processingTimes, time)) return false;
  deleteTime(state, domain, time);
  return true;
}

/** A user function's error as the job's error (naming the operator and the record). */
function wrap(operator: string, record: unknown, error: unknown): UserFunctionError {
  return error instanceof UserFunctionError ? error : new UserFunctionError(operator, record, error);
}
