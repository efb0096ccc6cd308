/**
 * The error of a buffered mutator's flush that could not write some mutations (HBase's
 * `RetriesExhaustedWithDetailsException`): which mutations failed, and why each one did.
 */
import type { Mutation } from "./table.js";

/** One mutation a flush could not write, and the error the table gave for it. */
export interface MutationFailure {
  readonly mutation: Mutation;
  readonly error: Error;
}

/** A flush of a buffered mutator that could not write some of its mutations (the others were written). */
export class BufferedMutatorError extends Error {
  override readonly name = "BufferedMutatorError";
  /** The table written to ("namespace:name", or "name" in the default namespace). */
  readonly table: string;
  /** Every failed mutation with its error, in the order the mutations were given. */
  readonly failures: readonly MutationFailure[];
  /** The mutations that were not written, in the order they were given. */
  readonly failedMutations: readonly Mutation[];
  /** How many mutations the flush tried to write. */
  readonly attempted: number;

  /** `failures` must not be empty. */
  constructor(table: string, failures: readonly MutationFailure[], attempted: number) {
    const first = failures[0];
    const more = failures.length > 1 ? ` (and ${failures.length - 1} more failure${failures.length > 2 ? "s" : ""})` : "";
    super(
      `${failures.length} of ${attempted} buffered mutation${attempted === 1 ? "" : "s"} could not be written to table ${table}: ${first?.error.message ?? "unknown error"}${more}`,
      { cause: first?.error },
    );
    this.table = table;
    this.failures = failures;
    this.failedMutations = failures.map((f) => f.mutation);
    this.attempted = attempted;
  }
}
