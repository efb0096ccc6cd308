/**
 * Retrying an operation: on a retriable failure (see {@link retryReason}) the caller's `forget` drops
 * what the failure made stale (a cached location, a server's connection), then the operation runs again
 * after HBase's backoff, until it succeeds, fails for good, or its attempts or time run out — then a
 * {@link WireRetriesExhaustedError} names the table, the row, the attempts and the last cause.
 */
import { toStringBinary } from "../../bytes/bytes.js";
import { retryPause, type WireSettings } from "./wire-options.js";
import { retryReason, WireRetriesExhaustedError } from "./wire-errors.js";

/** What a retry loop needs besides the operation. */
export interface RetryScope {
  readonly settings: WireSettings;
  /** Throws when the connection was closed meanwhile (no further attempt then). */
  readonly checkOpen: () => void;
  /** "ns:name" or "name". */
  readonly table: string;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs `attempt` until it succeeds or fails with a non-retriable error (thrown as it is). `row` names
 * the row being worked on (or gives the first row still failing), for the final error. Each attempt
 * gets the operation's deadline (ms since the epoch): what it waits for (ZooKeeper) waits no longer.
 */
export async function withRetries<T>(
  scope: RetryScope,
  row: Uint8Array | undefined | (() => Uint8Array | undefined),
  attempt: (n: number, deadline: number) => Promise<T>,
): Promise<T> {
  const started = Date.now();
  const deadline = started + scope.settings.operationTimeoutMs;
  for (let n = 1; ; n++) {
    scope.checkOpen();
    try {
      return await attempt(n, deadline);
    } catch (error) {
      if (retryReason(error) === undefined) throw error;
      const elapsed = Date.now() - started;
      const pause = retryPause(scope.settings, n);
      if (n >= scope.settings.retries || elapsed + pause > scope.settings.operationTimeoutMs) {
        const failedRow = typeof row === "function" ? row() : row;
        throw new WireRetriesExhaustedError(scope.table, failedRow === undefined ? undefined : toStringBinary(failedRow), n, elapsed, error);
      }
      await sleep(pause);
    }
  }
}

/**
 * A retry budget for work that advances between failures (a scan moving through regions): each
 * failure counts, a success resets the count.
 */
export class RetryBudget {
  private failures = 0;
  private firstFailure = 0;

  constructor(private readonly scope: RetryScope) {}

  /** The time (ms since the epoch) until which the current step may wait: the operation timeout from its first failure (or from now). */
  deadline(): number {
    return (this.failures === 0 ? Date.now() : this.firstFailure) + this.scope.settings.operationTimeoutMs;
  }

  /** Call after a successful step. */
  succeeded(): void {
    this.failures = 0;
  }

  /** Call with a failure: rethrows it when final, throws the exhausted error, else waits the backoff. */
  async failed(error: unknown, row: Uint8Array | undefined): Promise<void> {
    if (retryReason(error) === undefined) throw error;
    if (this.failures === 0) this.firstFailure = Date.now();
    this.failures++;
    const elapsed = Date.now() - this.firstFailure;
    const pause = retryPause(this.scope.settings, this.failures);
    if (this.failures >= this.scope.settings.retries || elapsed + pause > this.scope.settings.operationTimeoutMs) {
      throw new WireRetriesExhaustedError(this.scope.table, row === undefined ? undefined : toStringBinary(row), this.failures, elapsed, error);
    }
    await sleep(pause);
    this.scope.checkOpen();
  }
}
