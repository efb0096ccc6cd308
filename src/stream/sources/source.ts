/**
 * Sources (the new Flink Source shape, simplified): a source lists its splits; a reader reads one split
 * in batches and can say where it is, so a checkpoint can record the position and a restore resume there.
 */

/** A position in a split, as recorded in checkpoints: structured-cloneable data. */
export type SplitPosition = number | string | bigint | null | readonly SplitPosition[] | { readonly [k: string]: SplitPosition };

/** One independently readable part of a source (a file, a region, a generator partition). */
export interface SourceSplit {
  /** Unique within the source, stable across runs (checkpoints key positions by it). */
  readonly id: string;
}

/** What a poll returned. */
export interface SourceBatch<T> {
  readonly records: readonly T[];
  /**
   * "more": call again now; "idle": nothing right now (an unbounded source waiting for data; the runtime
   * polls again later and may mark the split idle for watermarks); "end": the split is finished.
   */
  readonly status: "more" | "idle" | "end";
}

/** Reads one split. */
export interface SplitReader<T> {
  /** Up to `max` next records. Records of one split come in the order the split defines. */
  poll(max: number): Promise<SourceBatch<T>>;
  /** The position after the last record returned by poll (for checkpoints). */
  position(): SplitPosition;
  /** Releases files, iterators, timers. Idempotent. */
  close(): Promise<void>;
}

/** A source of T records. */
export interface Source<T> {
  /** For messages and job displays, e.g. "nexmark(seed 1)" or "file events.jsonl". */
  readonly description: string;
  /**
   * What a checkpoint of this source must have been written by to be restored (defaults to
   * {@link description}): the settings that decide which records the source yields, without those that
   * only decide when (a paced replay restores a checkpoint of an unpaced run).
   */
  readonly identity?: string;
  /** Whether every split ends (a bounded source); an unbounded source runs until the job stops. */
  readonly bounded: boolean;
  /** How many records the source holds in all, when known (job displays show progress against it). */
  readonly size?: number;
  splits(): Promise<readonly SourceSplit[]>;
  /** Opens a reader of `split`, at `position` (from a checkpoint) or at the split's start. */
  open(split: SourceSplit, position?: SplitPosition): Promise<SplitReader<T>>;
}
