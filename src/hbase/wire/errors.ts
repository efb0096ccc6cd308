/**
 * Errors of the HBase wire layer, shared by the client and the server side.
 */

/** HBase exception class names the wire layer itself uses. */
export const HBaseExceptions = {
  IOException: "java.io.IOException",
  DoNotRetryIOException: "org.apache.hadoop.hbase.DoNotRetryIOException",
  UnknownProtocolException: "org.apache.hadoop.hbase.exceptions.UnknownProtocolException",
  UnsupportedOperationException: "java.lang.UnsupportedOperationException",
  UnknownServiceException: "org.apache.hadoop.hbase.ipc.UnknownServiceException",
  FatalConnectionException: "org.apache.hadoop.hbase.ipc.FatalConnectionException",
  NotServingRegionException: "org.apache.hadoop.hbase.NotServingRegionException",
  RegionMovedException: "org.apache.hadoop.hbase.exceptions.RegionMovedException",
  ServerNotRunningYetException: "org.apache.hadoop.hbase.ipc.ServerNotRunningYetException",
  UnknownScannerException: "org.apache.hadoop.hbase.UnknownScannerException",
  NoSuchColumnFamilyException: "org.apache.hadoop.hbase.regionserver.NoSuchColumnFamilyException",
  TableNotFoundException: "org.apache.hadoop.hbase.TableNotFoundException",
  TableExistsException: "org.apache.hadoop.hbase.TableExistsException",
} as const;

export interface HBaseRemoteErrorFields {
  /** HBase's (Java) exception class name, e.g. `org.apache.hadoop.hbase.NotServingRegionException`. */
  className: string;
  /** The server said not to retry (DoNotRetryIOException and its subclasses). */
  doNotRetry?: boolean;
  /** The server's stack trace text (HBase sends the Java stack trace; the local endpoint a message). */
  stackTrace?: string;
  /** For RegionMovedException and the like: where the region went. */
  hostname?: string;
  port?: number;
}

/**
 * An exception the server answered a call with (ExceptionResponse). On the client it is what a failed
 * call rejects with; on the server a handler throws it to answer with that class name.
 */
export class HBaseRemoteError extends Error {
  override readonly name = "HBaseRemoteError";
  readonly className: string;
  readonly doNotRetry: boolean;
  readonly stackTrace: string | undefined;
  readonly hostname: string | undefined;
  readonly port: number | undefined;

  constructor(fields: HBaseRemoteErrorFields, message?: string) {
    const text = message ?? firstLine(fields.stackTrace) ?? "";
    super(text ? `${fields.className}: ${text}` : fields.className);
    this.className = fields.className;
    this.doNotRetry = fields.doNotRetry ?? false;
    this.stackTrace = fields.stackTrace;
    this.hostname = fields.hostname;
    this.port = fields.port;
  }

  /** The simple class name (`NotServingRegionException`). */
  get simpleClassName(): string {
    return this.className.slice(this.className.lastIndexOf(".") + 1);
  }
}

function firstLine(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const line = text.split("\n", 1)[0]!.trim();
  return line || undefined;
}

/** A byte stream that is not HBase RPC: bad preamble, bad length, garbage header, oversized frame. */
export class HBaseFramingError extends Error {
  override readonly name = "HBaseFramingError";
}

/** The connection is not usable (could not connect, lost, closed, or the peer broke the protocol). */
export class HBaseConnectionError extends Error {
  override readonly name = "HBaseConnectionError";
  constructor(
    message: string,
    readonly host: string,
    readonly port: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A call not answered within its timeout (HBase's CallTimeoutException, client side). */
export class HBaseCallTimeoutError extends Error {
  override readonly name = "HBaseCallTimeoutError";
  constructor(
    readonly method: string,
    readonly callId: number,
    readonly timeoutMs: number,
  ) {
    super(`call ${callId} (${method}) timed out after ${timeoutMs} ms`);
  }
}
