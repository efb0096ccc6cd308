/**
 * The HBase exceptions the local endpoint answers with, as `HBaseRemoteError`s the RPC server turns
 * into ExceptionResponses carrying HBase's class names.
 */
import { HBaseExceptions, HBaseRemoteError } from "../wire/errors.js";
import { UnsupportedFilterError } from "../wire/hbase-protos.js";
import { InvalidFilterError } from "../filters/invalid-filter-error.js";

/** `NotServingRegionException` for a region name this endpoint does not serve (clients re-locate). */
export function notServingRegion(name: string): HBaseRemoteError {
  return new HBaseRemoteError({ className: HBaseExceptions.NotServingRegionException }, `Region ${name} is not online on this server`);
}

/** `NoSuchColumnFamilyException` (a DoNotRetryIOException). */
export function noSuchColumnFamily(table: string, family: string, families: readonly string[]): HBaseRemoteError {
  return new HBaseRemoteError(
    { className: HBaseExceptions.NoSuchColumnFamilyException, doNotRetry: true },
    `Column family ${family} does not exist in region of table ${table} (families: ${families.join(", ")})`,
  );
}

/** `DoNotRetryIOException` with a message. */
export function doNotRetry(message: string): HBaseRemoteError {
  return new HBaseRemoteError({ className: HBaseExceptions.DoNotRetryIOException, doNotRetry: true }, message);
}

/** `UnknownScannerException` for a scanner id that never existed here or whose lease expired. */
export function unknownScanner(id: bigint): HBaseRemoteError {
  return new HBaseRemoteError(
    { className: HBaseExceptions.UnknownScannerException, doNotRetry: true },
    `Unknown scanner '${id}'. This can happen due to any of the following reasons: a) Scanner id given is wrong, b) Scanner lease expired because of long wait between consecutive client checkins`,
  );
}

/**
 * HBase 2.x's answer to a Get with `closest_row_before` (RSRpcServices, HBASE-13954 / HBASE-20225):
 * `UnknownProtocolException`, a DoNotRetryIOException.
 */
export function closestRowBeforeRemoved(): HBaseRemoteError {
  return new HBaseRemoteError(
    { className: HBaseExceptions.UnknownProtocolException, doNotRetry: true },
    "Is this a pre-hbase-1.0.0 or asynchbase client? Client is invoking getClosestRowBefore removed in hbase-2.0.0 replaced by reverse Scan.",
  );
}

/**
 * Any error as an `HBaseRemoteError`: remote errors as they are, bad requests (unsupported or invalid
 * filters, malformed values) as DoNotRetryIOException, anything else as java.io.IOException.
 */
export function toRemoteError(error: unknown): HBaseRemoteError {
  if (error instanceof HBaseRemoteError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof UnsupportedFilterError || error instanceof InvalidFilterError || error instanceof TypeError || error instanceof RangeError) {
    return doNotRetry(message);
  }
  return new HBaseRemoteError({ className: HBaseExceptions.IOException }, message);
}

/** `TableNotFoundException` (a DoNotRetryIOException), message as HBase's: the table name. */
export function tableNotFound(table: string): HBaseRemoteError {
  return new HBaseRemoteError({ className: HBaseExceptions.TableNotFoundException, doNotRetry: true }, table);
}

/** `TableExistsException` (a DoNotRetryIOException), message as HBase's: the table name. */
export function tableExists(table: string): HBaseRemoteError {
  return new HBaseRemoteError({ className: HBaseExceptions.TableExistsException, doNotRetry: true }, table);
}

/** `TableNotDisabledException`: delete/truncate/enable of an enabled table. */
export function tableNotDisabled(table: string): HBaseRemoteError {
  return new HBaseRemoteError({ className: "org.apache.hadoop.hbase.TableNotDisabledException", doNotRetry: true }, table);
}

/** `TableNotEnabledException`: disable of a disabled table, or reads and writes of a disabled table. */
export function tableNotEnabled(table: string, detail = ""): HBaseRemoteError {
  return new HBaseRemoteError({ className: "org.apache.hadoop.hbase.TableNotEnabledException", doNotRetry: true }, detail ? `${table} ${detail}` : table);
}

/** `UnknownRegionException` (a DoNotRetryRegionException): a split of a region that is not served. */
export function unknownRegion(name: string): HBaseRemoteError {
  return new HBaseRemoteError({ className: "org.apache.hadoop.hbase.UnknownRegionException", doNotRetry: true }, name);
}
