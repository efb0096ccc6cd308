/**
 * The watermark generator of one split (Flink's BoundedOutOfOrdernessWatermarks + idleness): tracks the
 * largest timestamp seen, offers max − d − 1 when it rises, and reports the split idle after a quiet
 * period of processing time.
 */
import { NO_WATERMARK } from "./watermark.js";

/** What a periodic emit decides. */
export type WatermarkUpdate = { readonly kind: "watermark"; readonly value: number } | { readonly kind: "idle" } | { readonly kind: "none" };

/** Watermarks of bounded out-of-orderness for one split. */
export class BoundedOutOfOrdernessWatermarks {
  private maxTimestamp = -Infinity;
  private emitted = NO_WATERMARK;
  private lastActivity: number;
  private idle = false;

  /**
   * @param outOfOrderness d in ms (watermark = max − d − 1)
   * @param idleness ms of processing time without records after which the split is idle (undefined: never)
   * @param now the processing time at creation
   */
  constructor(
    private readonly outOfOrderness: number,
    private readonly idleness: number | undefined,
    now: number,
  ) {
    this.lastActivity = now;
  }

  /** A record with this timestamp arrived (at processing time `now`). Returns true when the split was idle. */
  onEvent(timestamp: number, now: number): boolean {
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    this.lastActivity = now;
    const wasIdle = this.idle;
    this.idle = false;
    return wasIdle;
  }

  /** Periodic emit: a higher watermark, or "idle" once quiet for the idleness timeout, or nothing. */
  onPeriodicEmit(now: number): WatermarkUpdate {
    if (this.idleness !== undefined && !this.idle && now - this.lastActivity >= this.idleness) {
      this.idle = true;
      return { kind: "idle" };
    }
    if (this.maxTimestamp === -Infinity) return { kind: "none" };
    const candidate = this.maxTimestamp - this.outOfOrderness - 1;
    if (candidate <= this.emitted) return { kind: "none" };
    this.emitted = candidate;
    return { kind: "watermark", value: candidate };
  }

  /** The last watermark offered. */
  get current(): number {
    return this.emitted;
  }

  /** State for checkpoints. */
  snapshot(): { maxTimestamp: number; emitted: number } {
    return { maxTimestamp: this.maxTimestamp, emitted: this.emitted };
  }

  /** Restores {@link snapshot}. */
  restore(state: { maxTimestamp: number; emitted: number }): void {
    this.maxTimestamp = state.maxTimestamp;
    this.emitted = state.emitted;
  }
}
