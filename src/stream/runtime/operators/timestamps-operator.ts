/**
 * withTimestamps: gives each record its event timestamp and generates this split's watermarks (bounded
 * out-of-orderness, idleness). Upstream watermarks are replaced, except the end of input (+∞).
 */
import type { OutputTag } from "../../api/output-tag.js";
import type { InvalidTimestampPolicy } from "../../api/graph.js";
import type { Output } from "../operator.js";
import { BoundedOutOfOrdernessWatermarks } from "../../time/bounded-out-of-orderness.js";
import { END_OF_TIME, isValidTimestamp } from "../../time/watermark.js";
import { callUser, UserFunctionError } from "../user-function-error.js";
import { BaseOperator } from "./base-operator.js";

/** Options of the operator. */
export interface TimestampsOperatorOptions {
  readonly extract: (value: unknown) => number;
  readonly outOfOrderness: number;
  readonly idleness: number | undefined;
  readonly onInvalid: InvalidTimestampPolicy;
  readonly invalidTag: OutputTag<unknown>;
  readonly now: number;
}

/** Assigns timestamps and watermarks for one split. */
export class TimestampsOperator extends BaseOperator {
  private readonly generator: BoundedOutOfOrdernessWatermarks;
  private lastNow: number;
  private ended = false;

  constructor(name: string, out: Output, private readonly options: TimestampsOperatorOptions) {
    super(name, out, 1);
    this.generator = new BoundedOutOfOrdernessWatermarks(options.outOfOrderness, options.idleness, options.now);
    this.lastNow = options.now;
  }

  processElement(value: unknown): void {
    this.counters.recordsIn++;
    const ts = callUser(this.name, value, () => this.options.extract(value));
    if (!isValidTimestamp(ts)) {
      switch (this.options.onInvalid) {
        case "drop":
          return;
        case "sideOutput":
          this.out.side(this.options.invalidTag, value, undefined);
          return;
        default:
          throw new UserFunctionError(this.name, value, new TypeError(`the timestamp must be a finite integer (ms), got ${String(ts)}`));
      }
    }
    if (this.generator.onEvent(ts, this.lastNow)) this.out.idle(false);
    this.emit(value, ts);
  }

  override processWatermark(value: number): void {
    if (value !== END_OF_TIME || this.ended) return;
    this.ended = true;
    this.counters.watermark = END_OF_TIME;
    this.out.watermark(END_OF_TIME);
  }

  override processIdle(): void {}

  protected override snapshotExtra(): unknown {
    return { generator: this.generator.snapshot(), ended: this.ended };
  }

  protected override restoreExtra(state: unknown): void {
    const s = state as { generator: { maxTimestamp: number; emitted: number }; ended: boolean };
    this.generator.restore(s.generator);
    this.ended = s.ended;
    this.counters.watermark = s.ended ? END_OF_TIME : s.generator.emitted;
  }

  override onProcessingTime(now: number): void {
    this.lastNow = now;
    if (this.ended) return;
    const update = this.generator.onPeriodicEmit(now);
    if (update.kind === "idle") this.out.idle(true);
    else if (update.kind === "watermark") {
      this.counters.watermark = update.value;
      this.out.watermark(update.value);
    }
  }
}
