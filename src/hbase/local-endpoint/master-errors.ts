/**
 * The store's admin errors as the HBase exceptions a master answers: "table X not found" →
 * TableNotFoundException, "table X already exists" → TableExistsException, any other error of a
 * request (invalid families, split keys, schema) → DoNotRetryIOException.
 */
import { HBaseRemoteError } from "../wire/errors.js";
import { doNotRetry, tableExists, tableNotFound } from "./endpoint-errors.js";

/** An error thrown by the store's Admin as an HBase exception. */
export function mapAdminError(error: unknown): HBaseRemoteError {
  if (error instanceof HBaseRemoteError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const notFound = /^table (\S+) not found$/.exec(message);
  if (notFound) return tableNotFound(notFound[1]!);
  const exists = /^table (\S+) already exists$/.exec(message);
  if (exists) return tableExists(exists[1]!);
  return doNotRetry(message);
}
