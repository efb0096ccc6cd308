/**
 * The runtime's operator contract: records, watermarks and idleness pushed in per input channel,
 * results pushed to an {@link Output}. Operators run synchronously inside a job's batch; only sources
 * and sinks are asynchronous.
 */
import type { OutputTag } from "../api/output-tag.js";

/** Where an operator sends what it produces. */
export interface Output {
  /** A record (timestamp: event time in ms, or undefined without event time). */
  collect(value: unknown, timestamp: number | undefined): void;
  /** A record to a side output. */
  side(tag: OutputTag<unknown>, value: unknown, timestamp: number | undefined): void;
  watermark(value: number): void;
  idle(idle: boolean): void;
}

/** Counters every operator keeps (read by job metrics). */
export interface OperatorCounters {
  recordsIn: number;
  recordsOut: number;
  watermark: number;
  lateRecordsDropped: number;
}

/** A running operator instance. */
export interface Operator {
  readonly counters: OperatorCounters;
  /** How many input channels feed it (one per upstream instance). */
  readonly channels: number;
  processElement(value: unknown, timestamp: number | undefined, channel: number): void;
  processWatermark(value: number, channel: number): void;
  processIdle(idle: boolean, channel: number): void;
  /** The periodic tick (processing time): watermark generators emit, processing-time timers fire. */
  onProcessingTime(now: number): void;
  /**
   * The operator's state for a checkpoint (structured-cloneable data), taken between rounds, when no
   * record is in flight.
   */
  snapshotState(): unknown;
  /** Restores {@link snapshotState}'s result (on a fresh instance, before any record). */
  restoreState(state: unknown): void;
  /**
   * Asynchronous operators only (lookup joins): finishes the work the round started and emits its
   * results; the job awaits it before the round's sinks are written and before checkpoints.
   */
  settle?(): Promise<void>;
}
