/**
 * The keyed window operator (Flink's WindowOperator): assigns each record to its windows, aggregates
 * incrementally per key and window, asks the trigger when to fire, and frees a window once the watermark
 * passes its end plus the allowed lateness. Merging assigners (sessions) merge windows and accumulators.
 *
 * Rules (../shared/reference/stream-semantics.md): 8 (event-time firing, at once when already due),
 * 9 (early firings are updates of the same window), 10 (lateness, late side output, re-firing,
 * cleanup), 11 (results carry end − 1; firings before the watermark is forwarded), 12 (aggregates).
 */
import type { AggregateFunction } from "../../aggregates/aggregate-function.js";
import type { OutputTag } from "../../api/output-tag.js";
import type { FiringKind, WindowContext } from "../../api/window-result.js";
import type { TimeWindow } from "../../windowing/time-window.js";
import type { Trigger, TriggerContext, TriggerMergeContext, TriggerResult, TriggerStateValue } from "../../windowing/trigger.js";
import type { WindowAssigner } from "../../windowing/window-assigner.js";
import type { Output } from "../operator.js";
import { maxTimestamp, windowKey } from "../../windowing/time-window.js";
import { END_OF_TIME, isValidTimestamp } from "../../time/watermark.js";
import { keyId } from "../key-id.js";
import { TimerHeap } from "../timer-heap.js";
import { callUser, UserFunctionError } from "../user-function-error.js";
import { BaseOperator } from "./base-operator.js";

/** What the window operator needs from the plan. */
export interface WindowOperatorSpec {
  readonly key: (value: unknown) => unknown;
  readonly assigner: WindowAssigner;
  readonly trigger: Trigger;
  readonly allowedLateness: number;
  readonly lateTag: OutputTag<unknown> | undefined;
  readonly aggregate: AggregateFunction<unknown, unknown, unknown>;
  readonly result: (value: unknown, context: WindowContext<unknown>) => unknown;
  /** The processing-time clock. */
  readonly now: () => number;
}

interface WindowState {
  readonly window: TimeWindow;
  /** Undefined after a purge until the next record. */
  acc: unknown;
  hasContents: boolean;
  readonly triggerState: Map<string, TriggerStateValue>;
  firedOnTime: boolean;
}

interface KeyState {
  readonly key: unknown;
  readonly windows: Map<string, WindowState>;
}

/** One keyed window operator instance. */
export class WindowOperator extends BaseOperator {
  private readonly keys = new Map<string, KeyState>();
  private readonly eventTimers = new TimerHeap();
  private readonly processingTimers = new TimerHeap();
  private readonly eventTime: boolean;

  constructor(name: string, out: Output, channels: number, private readonly spec: WindowOperatorSpec) {
    super(name, out, channels);
    this.eventTime = spec.assigner.domain === "event";
  }

  /** Live windows over all keys (for metrics and tests). */
  get windowCount(): number {
    let n = 0;
    for (const k of this.keys.values()) n += k.windows.size;
    return n;
  }

  processElement(value: unknown, timestamp: number | undefined): void {
    this.counters.recordsIn++;
    const { spec } = this;
    let ts: number;
    if (this.eventTime) {
      if (!isValidTimestamp(timestamp)) {
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
    const key = callUser(this.name, value, () => spec.key(value));
    const id = callUser(this.name, value, () => keyId(key));
    let keyState = this.keys.get(id);
    if (keyState === undefined) {
      keyState = { key, windows: new Map() };
      this.keys.set(id, keyState);
    }
    const assigned = callUser(this.name, value, () => spec.assigner.assignWindows(ts));
    let skipped = true;
    for (const candidate of assigned) {
      const window = spec.assigner.mergeWindows !== undefined ? this.mergeInto(keyState, id, candidate) : candidate;
      if (this.isWindowLate(window)) continue;
      skipped = false;
      const state = this.windowState(keyState, window);
      state.acc = callUser(this.name, value, () => spec.aggregate.add(value, state.hasContents ? state.acc : spec.aggregate.createAccumulator()));
      state.hasContents = true;
      const result = spec.trigger.onElement(ts, window, this.triggerContext(id, state));
      this.act(result, keyState, state, this.valve.watermark);
      this.registerCleanup(id, window);
    }
    if (this.keys.get(id)?.windows.size === 0) this.keys.delete(id);
    if (skipped && this.isElementLate(ts)) {
      if (spec.lateTag !== undefined) this.out.side(spec.lateTag, value, timestamp);
      else this.counters.lateRecordsDropped++;
    }
  }

  protected override onWatermark(watermark: number): void {
    for (let timer = this.eventTimers.pop(watermark); timer !== undefined; timer = this.eventTimers.pop(watermark)) {
      this.onTimer(timer.time, timer.key, timer.window, "event");
    }
    if (watermark === END_OF_TIME) this.flushProcessingTime();
  }

  override onProcessingTime(now: number): void {
    for (let timer = this.processingTimers.pop(now); timer !== undefined; timer = this.processingTimers.pop(now)) {
      this.onTimer(timer.time, timer.key, timer.window, "processing");
    }
  }

  // ---------------------------------------------------------------------------------------------

  /** At the end of input, processing-time windows fire too (a bounded notebook run shows every result). */
  private flushProcessingTime(): void {
    this.onProcessingTime(Infinity);
  }

  private isWindowLate(window: TimeWindow): boolean {
    return this.eventTime && maxTimestamp(window) + this.spec.allowedLateness <= this.valve.watermark;
  }

  private isElementLate(ts: number): boolean {
    return this.eventTime && ts + this.spec.allowedLateness <= this.valve.watermark;
  }

  private cleanupTime(window: TimeWindow): number {
    if (!this.eventTime) return maxTimestamp(window);
    const t = maxTimestamp(window) + this.spec.allowedLateness;
    return t >= maxTimestamp(window) ? t : Infinity;
  }

  private registerCleanup(keyId: string, window: TimeWindow): void {
    const time = this.cleanupTime(window);
    if (time === Infinity) return; // the global window lives for ever
    (this.eventTime ? this.eventTimers : this.processingTimers).add(time, keyId, windowKey(window));
  }

  private deleteCleanup(keyId: string, window: TimeWindow): void {
    const time = this.cleanupTime(window);
    (this.eventTime ? this.eventTimers : this.processingTimers).delete(time, keyId, windowKey(window));
  }

  private windowState(keyState: KeyState, window: TimeWindow): WindowState {
    const k = windowKey(window);
    let state = keyState.windows.get(k);
    if (state === undefined) {
      state = { window, acc: undefined, hasContents: false, triggerState: new Map(), firedOnTime: false };
      keyState.windows.set(k, state);
    }
    return state;
  }

  private onTimer(time: number, id: string, windowId: string, domain: "event" | "processing"): void {
    const keyState = this.keys.get(id);
    const state = keyState?.windows.get(windowId);
    if (keyState === undefined || state === undefined) return;
    const ctx = this.triggerContext(id, state);
    const result =
      domain === "event" ? this.spec.trigger.onEventTime(time, state.window, ctx) : this.spec.trigger.onProcessingTime(time, state.window, ctx);
    this.act(result, keyState, state, domain === "event" ? time : this.valve.watermark);
    const cleanupDomain = this.eventTime ? "event" : "processing";
    if (domain === cleanupDomain && time === this.cleanupTime(state.window)) this.clearWindow(keyState, id, state);
  }

  /**
   * Carries out a trigger's decision. `time` is the event time the decision belongs to: an event-time
   * timer's time, else the watermark (it tells early firings from on-time ones).
   */
  private act(result: TriggerResult, keyState: KeyState, state: WindowState, time: number): void {
    if ((result === "fire" || result === "fireAndPurge") && state.hasContents) this.fire(keyState, state, time);
    if (result === "purge" || result === "fireAndPurge") {
      state.acc = undefined;
      state.hasContents = false;
    }
  }

  private fire(keyState: KeyState, state: WindowState, time: number): void {
    const { window } = state;
    const watermark = this.valve.watermark;
    let firing: FiringKind = "onTime";
    if (this.eventTime) {
      if (time < maxTimestamp(window)) firing = "early";
      else if (state.firedOnTime) firing = "late";
      else state.firedOnTime = true;
    }
    const context: WindowContext<unknown> = { key: keyState.key, start: window.start, end: window.end, watermark, firing };
    const value = callUser(this.name, context, () => this.spec.aggregate.getResult(state.acc));
    const output = callUser(this.name, context, () => this.spec.result(value, context));
    this.emit(output, Number.isFinite(window.end) ? maxTimestamp(window) : undefined);
  }

  private clearWindow(keyState: KeyState, id: string, state: WindowState): void {
    this.spec.trigger.clear(state.window, this.triggerContext(id, state));
    keyState.windows.delete(windowKey(state.window));
    if (keyState.windows.size === 0) this.keys.delete(id);
  }

  /**
   * Merging assigners: adds `candidate` to the key's windows and performs the merges the assigner asks
   * for (accumulators merged, trigger told, old windows' timers removed); returns the window that now
   * holds `candidate`.
   */
  private mergeInto(keyState: KeyState, id: string, candidate: TimeWindow): TimeWindow {
    const live = [...keyState.windows.values()].map((s) => s.window);
    const merges = this.spec.assigner.mergeWindows!([...live, candidate]);
    let target = candidate;
    for (const merge of merges) {
      if (merge.merged.some((w) => sameWindow(w, candidate))) target = merge.result;
      // The candidate may equal a live window: each state once.
      const mergedStates = [...new Set(merge.merged.map((w) => keyState.windows.get(windowKey(w))).filter((s) => s !== undefined))];
      if (mergedStates.length === 0) continue;
      // Combine the accumulators and trigger state into the result window.
      const combined: WindowState = {
        window: merge.result,
        acc: undefined,
        hasContents: false,
        triggerState: new Map(),
        firedOnTime: mergedStates.some((s) => s.firedOnTime),
      };
      for (const s of mergedStates) {
        if (!s.hasContents) continue;
        combined.acc = combined.hasContents ? this.spec.aggregate.merge(combined.acc, s.acc) : s.acc;
        combined.hasContents = true;
      }
      for (const s of mergedStates) {
        this.spec.trigger.clear(s.window, this.triggerContext(id, s));
        this.deleteCleanup(id, s.window);
        keyState.windows.delete(windowKey(s.window));
      }
      keyState.windows.set(windowKey(merge.result), combined);
      this.spec.trigger.onMerge(merge.result, this.mergeContext(id, combined, mergedStates));
      this.registerCleanup(id, merge.result);
    }
    return target;
  }

  private triggerContext(id: string, state: WindowState): TriggerContext {
    const w = windowKey(state.window);
    const operator = this;
    return {
      get currentWatermark() {
        return operator.valve.watermark;
      },
      get currentProcessingTime() {
        return operator.spec.now();
      },
      registerEventTimeTimer: (time) => this.eventTimers.add(time, id, w),
      deleteEventTimeTimer: (time) => this.eventTimers.delete(time, id, w),
      registerProcessingTimeTimer: (time) => this.processingTimers.add(time, id, w),
      deleteProcessingTimeTimer: (time) => this.processingTimers.delete(time, id, w),
      getState: (name) => state.triggerState.get(name),
      setState: (name, value) => void state.triggerState.set(name, value),
      clearState: (name) => void state.triggerState.delete(name),
    };
  }

  private mergeContext(id: string, state: WindowState, merged: readonly WindowState[]): TriggerMergeContext {
    return Object.assign(this.triggerContext(id, state), {
      mergedStates: (name: string) => merged.map((s) => s.triggerState.get(name)),
    });
  }
}

function sameWindow(a: TimeWindow, b: TimeWindow): boolean {
  return a.start === b.start && a.end === b.end;
}
