/**
 * `connect()`: the entry point of the Table API. With no options, an embedded HBase-model store in
 * `./.sluice/hbase` under the current directory; `path` chooses another directory, `engine` the
 * storage engine of a new one (LMDB by default). With `zookeeper`,
 * a connection to an HBase cluster (or Sluice's local HBase endpoint) through HBase's native RPC
 * protocol, found through ZooKeeper under `root` (default "/hbase").
 */
import path from "node:path";
import type { Connection } from "./table.js";
import { EmbeddedConnection } from "./backends/embedded/embedded-connection.js";
import { checkStorageEngine } from "./backends/embedded/open-storage-engine.js";
import type { StorageEngineKind } from "./backends/embedded/storage-engine.js";
import { WireConnection } from "./backends/wire/wire-connection.js";
import type { WireConnectOptions } from "./backends/wire/wire-options.js";

/** Options of {@link connect}. */
export interface ConnectOptions extends Partial<Omit<WireConnectOptions, "zookeeper">> {
  /** Data directory of the embedded store (default `./.sluice/hbase` under `process.cwd()`). */
  path?: string;
  /**
   * Storage engine of the embedded store: `"lmdb"` (the default for new directories: memory-mapped,
   * reads several times faster; its file never shrinks) or `"leveldb"` (classic-level; compacts its
   * files). An existing directory opens with the engine that made it, whatever this says when left
   * out; naming the other engine than the directory's is an error.
   */
  engine?: StorageEngineKind;
  /**
   * ZooKeeper quorum of a cluster, "host:port[,host:port...]": selects the wire backend. Its other
   * options (`root`, `retries`, `retryPauseMs`, `operationTimeoutMs`, `callTimeoutMs`,
   * `connectTimeoutMs`, `scannerCaching`, `zookeeperSessionTimeoutMs`) are described in src/hbase/backends/wire/wire-options.ts.
   */
  zookeeper?: string;
  /** The cluster's ZooKeeper root znode (with `zookeeper`; default "/hbase"). */
  root?: string;
}

/** The default data directory of the embedded store. */
export function defaultDataDirectory(): string {
  return path.join(process.cwd(), ".sluice", "hbase");
}

const WIRE_ONLY = ["root", "retries", "retryPauseMs", "operationTimeoutMs", "callTimeoutMs", "connectTimeoutMs", "scannerCaching", "zookeeperSessionTimeoutMs"] as const;

/** Opens a connection: the embedded store unless a cluster is named. */
export async function connect(options: ConnectOptions = {}): Promise<Connection> {
  if (options === null || typeof options !== "object") throw new TypeError("connect options must be an object: { path?, engine? } or { zookeeper, root? }");
  if (options.zookeeper !== undefined) {
    if (options.engine !== undefined) throw new Error("connect: engine is an option of the embedded store, not of a connection through zookeeper");
    return WireConnection.open(options as WireConnectOptions);
  }
  const wireOption = WIRE_ONLY.find((k) => options[k] !== undefined);
  if (wireOption !== undefined) throw new Error(`connect: ${wireOption} needs zookeeper (the quorum of the HBase cluster)`);
  if (options.path !== undefined && (typeof options.path !== "string" || options.path.length === 0)) {
    throw new TypeError(`connect: path must be a non-empty string, got ${String(options.path)}`);
  }
  const engine = checkStorageEngine(options.engine, "connect: engine");
  return EmbeddedConnection.open(options.path ?? defaultDataDirectory(), engine);
}
