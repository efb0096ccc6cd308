/**
 * Errors of the ZooKeeper discovery layer. Every one is a {@link ZooKeeperError} carrying the quorum it
 * talked to; the ones about a znode also carry its full path (root included).
 */

/** The base of every error this folder throws. `code` is ZooKeeper's error name where there is one. */
export class ZooKeeperError extends Error {
  override name = "ZooKeeperError";
  constructor(
    message: string,
    /** The quorum as given, `host:port[,host:port...]`. */
    readonly quorum: string,
    /** ZooKeeper's error name (`NO_NODE`, `CONNECTION_LOSS`, …) or one of ours (`UNREACHABLE`, `TIMEOUT`, `CLOSED`). */
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** No server of the quorum accepted a session within the connect timeout. */
export class ZooKeeperUnreachableError extends ZooKeeperError {
  override name = "ZooKeeperUnreachableError";
  constructor(quorum: string, readonly timeoutMs: number) {
    super(`cannot reach ZooKeeper at ${quorum} within ${timeoutMs} ms (is ZooKeeper running there?)`, quorum, "UNREACHABLE");
  }
}

/** A znode that was read, written or deleted does not exist. */
export class ZNodeMissingError extends ZooKeeperError {
  override name = "ZNodeMissingError";
  constructor(
    quorum: string,
    /** The full path, root included. */
    readonly path: string,
    message = `no znode ${path} in ZooKeeper at ${quorum}`,
  ) {
    super(message, quorum, "NO_NODE");
  }
}

/** A znode that was to be created exists already (for an ephemeral one: `owner` is the session holding it). */
export class ZNodeExistsError extends ZooKeeperError {
  override name = "ZNodeExistsError";
  constructor(
    quorum: string,
    readonly path: string,
    message = `znode ${path} exists already in ZooKeeper at ${quorum}`,
  ) {
    super(message, quorum, "NODE_EXISTS");
  }
}

/** A call did not complete within the operation timeout (the quorum stopped answering). */
export class ZooKeeperTimeoutError extends ZooKeeperError {
  override name = "ZooKeeperTimeoutError";
  constructor(quorum: string, operation: string, readonly timeoutMs: number) {
    super(`ZooKeeper at ${quorum} did not answer ${operation} within ${timeoutMs} ms`, quorum, "TIMEOUT");
  }
}

/** The session is over: closed by `close()` (`CLOSED`) or expired by the quorum (`SESSION_EXPIRED`). */
export class ZooKeeperSessionEndedError extends ZooKeeperError {
  override name = "ZooKeeperSessionEndedError";
}
