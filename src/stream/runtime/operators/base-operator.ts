/**
 * What most operators share: counters, a watermark valve over the input channels, and forwarding of
 * the combined watermark and idleness downstream. Subclasses implement {@link processElement} and may
 * act on a rising watermark before it is forwarded ({@link onWatermark}).
 */
import type { Operator, OperatorCounters, Output } from "../operator.js";
import { WatermarkValve } from "../../time/watermark-valve.js";
import { NO_WATERMARK } from "../../time/watermark.js";

/** An operator with a valve over `channels` inputs. */
export abstract class BaseOperator implements Operator {
  readonly counters: OperatorCounters = { recordsIn: 0, recordsOut: 0, watermark: NO_WATERMARK, lateRecordsDropped: 0 };
  protected readonly valve: WatermarkValve;

  constructor(
    /** The operator's name (for errors and metrics). */
    readonly name: string,
    protected readonly out: Output,
    readonly channels: number,
  ) {
    this.valve = new WatermarkValve(channels);
  }

  abstract processElement(value: unknown, timestamp: number | undefined, channel: number): void;

  processWatermark(value: number, channel: number): void {
    const change = this.valve.inputWatermark(channel, value);
    if (change.idle === false) this.out.idle(false);
    if (change.watermark !== undefined) this.advance(change.watermark);
  }

  processIdle(idle: boolean, channel: number): void {
    const change = this.valve.inputIdle(channel, idle);
    if (change.idle !== undefined) this.out.idle(change.idle);
    if (change.watermark !== undefined) this.advance(change.watermark);
  }

  onProcessingTime(_now: number): void {}

  snapshotState(): unknown {
    return { valve: this.valve.snapshot(), extra: this.snapshotExtra() };
  }

  restoreState(state: unknown): void {
    const s = state as { valve: ReturnType<WatermarkValve["snapshot"]>; extra: unknown };
    this.valve.restore(s.valve);
    this.counters.watermark = s.valve.output;
    this.restoreExtra(s.extra);
  }

  /** A subclass's own state for checkpoints (none by default). */
  protected snapshotExtra(): unknown {
    return null;
  }

  /** Restores {@link snapshotExtra}'s result. */
  protected restoreExtra(_state: unknown): void {}

  /** Called with the combined watermark when it rises, before it is forwarded (fire timers here). */
  protected onWatermark(_watermark: number): void {}

  protected emit(value: unknown, timestamp: number | undefined): void {
    this.counters.recordsOut++;
    this.out.collect(value, timestamp);
  }

  private advance(watermark: number): void {
    this.counters.watermark = watermark;
    this.onWatermark(watermark);
    this.out.watermark(watermark);
  }
}
