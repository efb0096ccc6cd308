/**
 * A running pipeline as the builder API sees it (implemented by the runtime): status, metrics, stop and
 * cancel, checkpoints and savepoints, and a promise of the end.
 */
import type { CheckpointInfo, CheckpointStore } from "../checkpoint/checkpoint-store.js";

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
  /**
   * How far a bounded job is: records read of the sources' known size, or else splits finished of all
   * splits; undefined for a job with an unbounded source.
   */
  readonly progress: { readonly done: number; readonly total: number; readonly unit: "records" | "splits" } | undefined;
  /** The last completed checkpoint, if any. */
  readonly lastCheckpoint: CheckpointMetrics | undefined;
}

/** Periodic checkpoints of a job. */
export interface CheckpointOptions {
  /** Take a checkpoint this often, ms of processing time. */
  every: number;
  /** Where checkpoints go: a directory (created when missing) or a store. */
  storage: string | CheckpointStore;
  /** Periodic checkpoints kept in a directory (default 3; savepoints are kept until deleted). */
  retain?: number;
}

/** What the job last checkpointed. */
export interface CheckpointMetrics {
  readonly id: number;
  readonly completedAt: number;
  readonly bytes: number;
  readonly durationMs: number;
}

/** Options of `start`. */
export interface StartOptions {
  /** Periodic checkpoints (none by default). */
  checkpoint?: CheckpointOptions;
  /**
   * Start from stored state instead of from the beginning: "latest" (the newest checkpoint or savepoint
   * in the checkpoint storage), `{ savepoint: name }` or `{ checkpoint: id }` (any retained checkpoint, see
   * the store's `list()`). The pipeline must be the same shape as the one
   * that wrote it (same operators in the same order), or the start fails naming the difference.
   */
  restore?: "latest" | { savepoint: string } | { checkpoint: number };
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
  /** Takes a checkpoint now (at the next round boundary); needs `checkpoint` storage. */
  checkpoint(): Promise<CheckpointInfo>;
  /** Takes a savepoint with this name (kept until deleted); needs `checkpoint` storage. */
  savepoint(name: string): Promise<CheckpointInfo>;
  /** Stops gracefully: sources stop, windows are NOT flushed, sinks are flushed and closed. */
  stop(): Promise<void>;
  /** Stops at once: sinks are closed without waiting for pending writes. */
  cancel(): Promise<void>;
  /** Resolves when the job has ended (finished, stopped or cancelled); rejects with the error if it failed. */
  readonly done: Promise<void>;
}
