/**
 * Errors of the wire backend itself (what the server answers stays an `HBaseRemoteError`), and which
 * failures are worth re-locating the region and trying again.
 */
import { HBaseCallTimeoutError, HBaseConnectionError, HBaseExceptions, HBaseRemoteError } from "../../wire/errors.js";

/**
 * An operation that kept failing with retriable errors (region moved or not served, connection lost)
 * until its attempts or its time ran out. `cause` is the last failure.
 */
export class WireRetriesExhaustedError extends Error {
  override readonly name = "WireRetriesExhaustedError";
  constructor(
    /** "namespace:name" or "name". */
    readonly table: string,
    /** The row being located when the last attempt failed (printable), or undefined for table-wide calls. */
    readonly row: string | undefined,
    readonly attempts: number,
    readonly elapsedMs: number,
    cause: unknown,
  ) {
    const what = row === undefined ? `table ${table}` : `table ${table}, row ${row}`;
    const last = cause instanceof Error ? cause.message : String(cause);
    super(`${what}: gave up after ${attempts} attempt${attempts === 1 ? "" : "s"} in ${elapsedMs} ms; last error: ${last}`, { cause });
  }
}

/** A call on a closed wire connection. */
export class WireConnectionClosedError extends Error {
  override readonly name = "WireConnectionClosedError";
}

/** HBase exceptions after which the client re-locates the region and tries again. */
const RELOCATE_CLASSES: ReadonlySet<string> = new Set([
  HBaseExceptions.NotServingRegionException,
  HBaseExceptions.RegionMovedException,
  "org.apache.hadoop.hbase.regionserver.WrongRegionException",
  "org.apache.hadoop.hbase.exceptions.RegionOpeningException",
  "org.apache.hadoop.hbase.regionserver.RegionServerStoppedException",
  "org.apache.hadoop.hbase.exceptions.RegionMovedException",
  HBaseExceptions.ServerNotRunningYetException,
  "org.apache.hadoop.hbase.ipc.ServerNotRunningYetException",
  "org.apache.hadoop.hbase.RegionTooBusyException",
  "org.apache.hadoop.hbase.CallQueueTooBigException",
  "org.apache.hadoop.hbase.PleaseHoldException",
  "org.apache.hadoop.hbase.RetryImmediatelyException",
]);

/** Why a failure is retriable: the region must be looked up again, or the server could not be reached. */
export type RetryReason = "relocate" | "connection";

/** Whether `error` is worth a retry (and what to forget first), or undefined when it is final. */
export function retryReason(error: unknown): RetryReason | undefined {
  if (error instanceof HBaseRemoteError) return !error.doNotRetry && RELOCATE_CLASSES.has(error.className) ? "relocate" : undefined;
  if (error instanceof HBaseConnectionError || error instanceof HBaseCallTimeoutError) return "connection";
  if (error instanceof RetriableLookupError) return "relocate";
  return undefined;
}

/**
 * A region lookup that found nothing usable yet (no meta server in ZooKeeper, a hole or an offline
 * region in hbase:meta): retried like a moved region.
 */
export class RetriableLookupError extends Error {
  override readonly name: string = "RetriableLookupError";
}

/**
 * ZooKeeper could not say where hbase:meta or the master is (unreachable, or its session lost and not
 * renewed yet) within the operation's time, and the last known address had failed. Retriable: the
 * retry loop gives up with it as the last cause once the operation's time is spent.
 */
export class DiscoveryUnavailableError extends RetriableLookupError {
  override readonly name: string = "DiscoveryUnavailableError";
  constructor(
    message: string,
    /** The ZooKeeper quorum, `host:port[,host:port...]`. */
    readonly quorum: string,
  ) {
    super(message);
  }
}

/** An `HBaseRemoteError` from a Multi action's `NameBytesPair` exception. */
export function remoteErrorOfPair(pair: { name: string; value?: Uint8Array }): HBaseRemoteError {
  let text = pair.value === undefined ? undefined : new TextDecoder().decode(pair.value);
  // the value often starts with the class name itself, which the error's message adds again
  while (text !== undefined && text.startsWith(`${pair.name}: `)) text = text.slice(pair.name.length + 2);
  return new HBaseRemoteError({ className: pair.name, doNotRetry: !RELOCATE_CLASSES.has(pair.name), ...(text === undefined ? {} : { stackTrace: text }) });
}
