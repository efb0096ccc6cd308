/**
 * Sinks: where a pipeline's records go. The runtime hands a sink the records of each batch; a sink that
 * returns a promise holds the job until it resolves (backpressure from slow sinks).
 */

/** A destination of T records. */
export interface Sink<T> {
  /** For messages and job displays, e.g. "collect" or "hbase bids_by_window". */
  readonly description: string;
  /**
   * Called synchronously by `start()`, in the caller's context (in a notebook: while the cell that
   * starts the job runs, so a sink that displays something shows it under that cell).
   */
  start?(): void;
  /** Called once before the first batch. */
  open?(): void | Promise<void>;
  /** The records of one batch, in order. */
  write(records: readonly T[]): void | Promise<void>;
  /**
   * Makes every record written so far durable (called before a checkpoint completes, so that a restore
   * from it never loses output). Sinks without it are at-most-once for the records of the last round.
   */
  flush?(): void | Promise<void>;
  /** The job ended (finished, stopped, failed or cancelled): flush and release. */
  close?(): void | Promise<void>;
}
