/**
 * `connect()`: the entry point of the Table API. With no options, an embedded HBase-model store in
 * `./.sluice/hbase` under the current directory; `path` chooses another directory. A `zookeeper`
 * quorum will select the cluster client (a later issue).
 */
import path from "node:path";
import type { Connection } from "./table.js";
import { EmbeddedConnection } from "./backends/embedded/embedded-connection.js";

/** Options of {@link connect}. */
export interface ConnectOptions {
  /** Data directory of the embedded store (default `./.sluice/hbase` under `process.cwd()`). */
  path?: string;
  /** ZooKeeper quorum of a real cluster, "host:port,...": not available yet. */
  zookeeper?: string;
  /** The cluster's ZooKeeper root znode (with `zookeeper`). */
  root?: string;
}

/** The default data directory of the embedded store. */
export function defaultDataDirectory(): string {
  return path.join(process.cwd(), ".sluice", "hbase");
}

/** Opens a connection: the embedded store unless a cluster is named. */
export async function connect(options: ConnectOptions = {}): Promise<Connection> {
  if (options === null || typeof options !== "object") throw new TypeError("connect options must be an object: { path? }");
  if (options.zookeeper !== undefined || options.root !== undefined) {
    throw new Error("the HBase cluster client is not available yet: connect() without zookeeper uses the embedded store");
  }
  if (options.path !== undefined && (typeof options.path !== "string" || options.path.length === 0)) {
    throw new TypeError(`connect: path must be a non-empty string, got ${String(options.path)}`);
  }
  return EmbeddedConnection.open(options.path ?? defaultDataDirectory());
}
