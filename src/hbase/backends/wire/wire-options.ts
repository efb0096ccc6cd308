/**
 * Options of the wire backend (`connect({ zookeeper, root, ... })`), checked, with HBase-like defaults.
 */

/** Options of a connection to an HBase cluster through ZooKeeper. */
export interface WireConnectOptions {
  /** ZooKeeper quorum, "host:port[,host:port...]" (a "/chroot" suffix is the root when `root` is not given). */
  zookeeper: string;
  /** The cluster's root znode (HBase's `zookeeper.znode.parent`, default "/hbase"). */
  root?: string;
  /** Attempts per operation, the first included (default 10; HBase's `hbase.client.retries.number` is 15). */
  retries?: number;
  /** Base pause between attempts in ms, grown by HBase's backoff table (default 100, `hbase.client.pause`). */
  retryPauseMs?: number;
  /** Time limit of one operation with all its retries, in ms (default 60 000, `hbase.client.operation.timeout`). */
  operationTimeoutMs?: number;
  /** Time limit of one RPC, in ms (default 30 000, `hbase.rpc.timeout`). */
  callTimeoutMs?: number;
  /** Time limit to reach ZooKeeper and to connect to a server, in ms (default 10 000). */
  connectTimeoutMs?: number;
  /** Rows per scanner call when a scan gives no `batchSize` (default 1000; HBase 2 asks for up to `hbase.client.scanner.caching`, 2^31−1, capped by size). */
  scannerCaching?: number;
  /**
   * ZooKeeper session timeout asked for, in ms (default 30 000; HBase's `zookeeper.session.timeout`); the
   * quorum bounds it to 2–20 of its ticks. A session down for twice this long is replaced by a new one.
   */
  zookeeperSessionTimeoutMs?: number;
}

/** The options with defaults applied. */
export interface WireSettings {
  readonly quorum: string;
  readonly root: string | undefined;
  readonly retries: number;
  readonly retryPauseMs: number;
  readonly operationTimeoutMs: number;
  readonly callTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly scannerCaching: number;
  readonly zookeeperSessionTimeoutMs: number;
}

const KEYS = new Set(["zookeeper", "root", "retries", "retryPauseMs", "operationTimeoutMs", "callTimeoutMs", "connectTimeoutMs", "scannerCaching", "zookeeperSessionTimeoutMs", "path"]);

function positiveInt(options: WireConnectOptions, key: keyof WireConnectOptions, fallback: number, min = 1): number {
  const value = options[key];
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    throw new Error(`connect: ${key} must be an integer ≥ ${min}, got ${String(value)}`);
  }
  return value;
}

/** Checks the options; throws naming the first bad one. */
export function wireSettings(options: WireConnectOptions): WireSettings {
  for (const key of Object.keys(options)) {
    if (!KEYS.has(key)) throw new Error(`connect: unknown option "${key}" (with zookeeper: ${[...KEYS].filter((k) => k !== "path").join(", ")})`);
  }
  if (typeof options.zookeeper !== "string" || !/^[^,\s]+:\d+(,[^,\s]+:\d+)*(\/.*)?$/.test(options.zookeeper)) {
    throw new Error(`connect: zookeeper must be "host:port[,host:port...]", got ${JSON.stringify(options.zookeeper)}`);
  }
  if (options.root !== undefined && (typeof options.root !== "string" || !options.root.startsWith("/"))) {
    throw new Error(`connect: root must be a znode path starting with "/", got ${JSON.stringify(options.root)}`);
  }
  if ((options as { path?: unknown }).path !== undefined) {
    throw new Error("connect: path (an embedded store's directory) and zookeeper (a cluster) exclude each other");
  }
  return {
    quorum: options.zookeeper,
    root: options.root,
    retries: positiveInt(options, "retries", 10),
    retryPauseMs: positiveInt(options, "retryPauseMs", 100, 0),
    operationTimeoutMs: positiveInt(options, "operationTimeoutMs", 60_000),
    callTimeoutMs: positiveInt(options, "callTimeoutMs", 30_000),
    connectTimeoutMs: positiveInt(options, "connectTimeoutMs", 10_000),
    scannerCaching: positiveInt(options, "scannerCaching", 1000),
    zookeeperSessionTimeoutMs: positiveInt(options, "zookeeperSessionTimeoutMs", 30_000),
  };
}

/** HBase's client backoff multipliers (HConstants.RETRY_BACKOFF). */
const BACKOFF = [1, 2, 3, 5, 10, 20, 40, 100, 100, 100, 100, 200, 200];

/** The pause before attempt `attempt + 1` (attempt counts from 1), with up to 1 % jitter as HBase. */
export function retryPause(settings: WireSettings, attempt: number): number {
  const base = settings.retryPauseMs * BACKOFF[Math.min(attempt - 1, BACKOFF.length - 1)]!;
  return Math.round(base + base * 0.01 * Math.random());
}
