/**
 * Where checkpoints live: durable storage of a job's snapshots, each complete or absent (a crash while
 * writing leaves no half checkpoint behind), the newest N retained, savepoints kept until deleted.
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
}

/** Durable storage of one job's checkpoints. */
export interface CheckpointStore {
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
}
