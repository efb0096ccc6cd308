/**
 * A running pipeline as the builder API sees it (implemented by the runtime): status, metrics, stop and
 * cancel, checkpoints and savepoints, and a promise of the end.
 */
import type { CheckpointInfo, CheckpointStore } from "../checkpoint/checkpoint-store.js";
import type { StateOptions } from "../state/state-options.js";

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
  /**
   * Incremental checkpoints (default true, in stores that keep chains, as the directory store): a
   * checkpoint writes only the keys whose state changed since the previous one, on top of a full one.
   */
  incremental?: boolean;
  /**
   * With incremental checkpoints: a new base at least every this many checkpoints (default 10). In a
   * store that can materialise (the directory store) the base is built in the background from the stored
   * chain and the job writes deltas only; otherwise the job writes a full checkpoint.
   */
  fullEvery?: number;
  /**
   * Periodic checkpoints whose encoded state is at least this many bytes are written in the background:
   * the job goes on processing while the store writes, and the checkpoint counts (is restorable, shows
   * in `metrics().lastCheckpoint`) once the write completes; the next periodic checkpoint waits for it.
   * Smaller ones are written before the job goes on (a few ms). Default 1 MiB; 0: all in the background;
   * `Infinity`: none. Requested checkpoints and savepoints always resolve once written.
   */
  backgroundAbove?: number;
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
   * Where keyed state lives: `{ backend: "heap" }` (the default) or `{ backend: "disk", path }` (LMDB:
   * keyed process state larger than memory; see src/stream/state/README.md).
   */
  state?: StateOptions;
  /**
   * Start from stored state instead of from the beginning: "latest" (the newest checkpoint or savepoint
   * in the checkpoint storage), `{ savepoint: name }` or `{ checkpoint: id }` (any retained checkpoint, see
   * the store's `list()`). The pipeline must be the same shape as the one
   * that wrote it (same operators in the same order), or the start fails naming the difference.
   */
  restore?: "latest" | { savepoint: string } | { checkpoint: number };
  /**
   * Worker threads per keyed operator (window, keyed process function), default 1 (no threads: the
   * single-threaded path). With n > 1 keys are spread over n threads by key group (128 groups), with
   * results identical to parallelism 1; user functions are shipped to the threads as source text, so
   * they may only refer to their parameters, JS/Node globals and {@link captures}.
   * See src/stream/runtime/parallel/README.md.
   */
  parallelism?: number;
  /**
   * Variables the shipped functions of a parallel job refer to, by name: structured-cloneable values,
   * or functions (shipped the same way). A function referring to anything else fails the start with a
   * message naming the operator and the variable. @example `start({ parallelism: 4, captures: { threshold } })`
   */
  captures?: Readonly<Record<string, unknown>>;
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
  /**
   * Restarts the job from stored state as a new job running the same plan (same sources, operators and
   * sinks; the sinks are opened again, so they must support being reopened after close — `collect()`,
   * `callback()`, charts). A running job is first stopped exactly at a final checkpoint, so "latest"
   * (the default) continues where it stopped; `{ checkpoint: id }` or `{ savepoint: name }` go back to a
   * retained one. The new job keeps the start options (name, checkpoint storage, ...).
   * @throws (rejects) when the job has no checkpoint storage, or the checkpoint or savepoint does not
   *   exist (the job is then left running).
   */
  restart(from?: "latest" | { checkpoint: number } | { savepoint: string }): Promise<Job>;
  /** Resolves when the job has ended (finished, stopped or cancelled); rejects with the error if it failed. */
  readonly done: Promise<void>;
}
