/**
 * Where checkpoints live: durable storage of a job's snapshots, each complete or absent (a crash while
 * writing leaves no half checkpoint behind), the newest N retained, savepoints kept until deleted.
 * Incremental checkpoints name their parent; a store that keeps chains (`keepsChains`) retains the
 * parents of retained checkpoints too, and one that can `materialize` lets a delta be replaced by the full
 * state its chain folds to (a new base, built off the job's thread).
 */

/** What a stored checkpoint says about itself. */
export interface CheckpointInfo {
  /** Increasing per job. */
  readonly id: number;
  /** "checkpoint" (periodic, retained N) or "savepoint" (user-triggered, kept until deleted). */
  readonly kind: "checkpoint" | "savepoint";
  /** The savepoint's name (savepoints only). */
  readonly name?: string;
  /** When it completed, ms since the epoch. */
  readonly completedAt: number;
  /** Size of the stored state, bytes. */
  readonly bytes: number;
  /** The fingerprint of the pipeline that wrote it (a restore checks it matches). */
  readonly pipeline: string;
  /**
   * Incremental checkpoints only: the checkpoint this one is a delta of (its state is the parent's
   * state with this one's changes applied). Absent on full checkpoints and savepoints.
   */
  readonly parent?: number;
  /**
   * Incremental checkpoints only: the full checkpoint the chain of parents started at when this one was
   * written (a later materialisation of one of its ancestors can make the chain shorter: follow `parent`).
   */
  readonly base?: number;
}

/** Durable storage of one job's checkpoints. */
export interface CheckpointStore {
  /**
   * True when the store keeps, with every retained checkpoint, the checkpoints its `parent` chain needs
   * (retention never deletes a base or delta a retained checkpoint depends on): only then does a job
   * write incremental checkpoints into it. Stores without it get full checkpoints every time.
   */
  readonly keepsChains?: boolean;
  /** Stores a completed checkpoint; it is visible (and counts as complete) only once this resolves. */
  write(info: Omit<CheckpointInfo, "bytes" | "completedAt">, state: Uint8Array): Promise<CheckpointInfo>;
  /** Complete checkpoints and savepoints, oldest first. */
  list(): Promise<CheckpointInfo[]>;
  /** The newest complete checkpoint or savepoint, if any. */
  latest(): Promise<CheckpointInfo | undefined>;
  /** The state of a stored checkpoint. */
  read(info: CheckpointInfo): Promise<Uint8Array>;
  /** Deletes a savepoint by name. */
  deleteSavepoint(name: string): Promise<void>;
  /**
   * Optional (background materialisation): replaces the stored state of the incremental checkpoint
   * `info` by `state`, the full state its chain folds to, so it becomes a base (no `parent`, no `base`)
   * and its ancestors are no longer needed. Atomic: a crash leaves either the delta (chain intact) or
   * the base. Rejects, changing nothing, when `info` is no longer stored as that incremental
   * checkpoint. A store with it and `keepsChains` lets a job write deltas only and materialise new
   * bases off its thread.
   */
  materialize?(info: CheckpointInfo, state: Uint8Array): Promise<CheckpointInfo>;
}
