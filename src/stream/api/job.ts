/**
 * A running pipeline as the builder API sees it (implemented by the runtime): status, metrics, stop and
 * cancel, and a promise of the end.
 */

/** Where a job is in its life. */
export type JobStatus = "running" | "finished" | "stopped" | "cancelled" | "failed";

/** Counters of one operator. */
export interface OperatorMetrics {
  readonly id: number;
  readonly name: string;
  readonly kind: string;
  readonly recordsIn: number;
  readonly recordsOut: number;
  /** The operator's current event-time watermark (−Infinity before the first, Infinity at the end). */
  readonly watermark: number;
  /** Records dropped as late (windows with no late side output). */
  readonly lateRecordsDropped: number;
}

/** A snapshot of a job's progress. */
export interface JobMetrics {
  readonly status: JobStatus;
  /** Records read from all sources. */
  readonly recordsIn: number;
  /** Records handed to all sinks. */
  readonly recordsOut: number;
  /** The lowest watermark among the sinks' inputs. */
  readonly watermark: number;
  /** Processing time minus the watermark, ms (undefined before the first watermark or after the end). */
  readonly eventTimeLag: number | undefined;
  /** Time spent processing batches, ms. */
  readonly busyMs: number;
  readonly startedAt: number;
  readonly operators: readonly OperatorMetrics[];
}

/** Options of `start`. */
export interface StartOptions {
  /** Shown in job displays (default "job-N"). */
  name?: string;
  /** Records taken from a split per poll (default 1,000). */
  batchSize?: number;
  /** How often watermarks are emitted and processing-time timers run, ms (default 200, as Flink). */
  watermarkInterval?: number;
}

/** A started pipeline. */
export interface Job {
  readonly name: string;
  readonly status: JobStatus;
  /** The error that failed the job, if it failed. */
  readonly error: Error | undefined;
  metrics(): JobMetrics;
  /** Stops gracefully: sources stop, windows are NOT flushed, sinks are flushed and closed. */
  stop(): Promise<void>;
  /** Stops at once: sinks are closed without waiting for pending writes. */
  cancel(): Promise<void>;
  /** Resolves when the job has ended (finished, stopped or cancelled); rejects with the error if it failed. */
  readonly done: Promise<void>;
}
