/** The error a job fails with when a user function throws: names the operator and shows the record. */
import { inspect } from "node:util";

/** A user function threw while processing a record. */
export class UserFunctionError extends Error {
  constructor(
    /** The operator's name, e.g. "map" or "window tumbling(10s) count". */
    readonly operator: string,
    /** The record being processed. */
    readonly record: unknown,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(`${operator} failed on record ${inspect(record, { depth: 3, breakLength: Infinity, maxStringLength: 200 })}: ${reason}`, { cause });
    this.name = "UserFunctionError";
  }
}

/** Runs `fn(record)`, turning a throw into a {@link UserFunctionError}. */
export function callUser<R>(operator: string, record: unknown, fn: () => R): R {
  try {
    return fn();
  } catch (error) {
    if (error instanceof UserFunctionError) throw error;
    throw new UserFunctionError(operator, record, error);
  }
}
