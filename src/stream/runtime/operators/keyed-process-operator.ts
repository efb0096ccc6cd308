/**
 * Runs a keyed process function: per record, the key's state and timers; event-time timers fire when
 * the watermark reaches them (before the watermark is forwarded), processing-time timers on the ticks.
 * At the end of input every remaining timer fires (as Flink's batch execution does).
 */
import type { OutputTag } from "../../api/output-tag.js";
import type { KeyedProcessFunction, ProcessContext, TimerContext, TimerService } from "../../api/process-function.js";
import type { Output } from "../operator.js";
import { END_OF_TIME } from "../../time/watermark.js";
import { KeyedStateStore } from "../keyed-state.js";
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

/** One keyed process operator instance. */
export class KeyedProcessOperator extends BaseOperator {
  private readonly state: KeyedStateStore;
  private readonly keys = new Map<string, unknown>();
  private readonly eventTimers = new TimerHeap();
  private readonly processingTimers = new TimerHeap();

  constructor(name: string, out: Output, channels: number, private readonly spec: KeyedProcessSpec) {
    super(name, out, channels);
    this.state = new KeyedStateStore(spec.now);
  }

  processElement(value: unknown, timestamp: number | undefined): void {
    this.counters.recordsIn++;
    const key = callUser(this.name, value, () => this.spec.key(value));
    const id = callUser(this.name, value, () => keyId(key));
    this.keys.set(id, key);
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

  protected override snapshotExtra(): unknown {
    return {
      state: this.state.snapshot(),
      keys: [...this.keys],
      eventTimers: this.eventTimers.all(),
      processingTimers: this.processingTimers.all(),
    };
  }

  protected override restoreExtra(state: unknown): void {
    const s = state as {
      state: ReturnType<KeyedStateStore["snapshot"]>;
      keys: [string, unknown][];
      eventTimers: { time: number; key: string }[];
      processingTimers: { time: number; key: string }[];
    };
    this.state.restore(s.state);
    for (const [id, key] of s.keys) this.keys.set(id, key);
    for (const t of s.eventTimers) this.eventTimers.add(t.time, t.key, "");
    for (const t of s.processingTimers) this.processingTimers.add(t.time, t.key, "");
  }

  private fire(time: number, id: string, domain: "event" | "processing"): void {
    const onTimer = this.spec.fn.onTimer;
    if (onTimer === undefined) return;
    const key = this.keys.get(id);
    const ctx: TimerContext<unknown, unknown> = Object.assign(this.context(id, key, domain === "event" ? time : undefined), { domain });
    callUser(this.name, { timer: time, domain, key }, () => onTimer.call(this.spec.fn, time, ctx));
  }

  private context(id: string, key: unknown, timestamp: number | undefined): ProcessContext<unknown, unknown> {
    const operator = this;
    const timers: TimerService = {
      registerEventTime: (time) => this.eventTimers.add(checkTime(time), id, ""),
      deleteEventTime: (time) => this.eventTimers.delete(time, id, ""),
      registerProcessingTime: (time) => this.processingTimers.add(checkTime(time), id, ""),
      deleteProcessingTime: (time) => this.processingTimers.delete(time, id, ""),
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
      state: this.state.access(id),
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
