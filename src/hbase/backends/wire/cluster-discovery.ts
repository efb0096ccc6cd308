/**
 * Where the cluster is: a ZooKeeper session under the root znode, and watches on
 * `<root>/meta-region-server` (who serves hbase:meta) and `<root>/master` (the active master). A change
 * of either is reported, so that what depends on it (cached region locations, the master connection)
 * is dropped.
 */
import { connectZooKeeper, readMetaRegionServer, watchHBaseZNode, type ZNode, type ZNodeWatch, type ZooKeeperSession } from "../../discovery/index.js";
import { decodeMaster, decodeMetaRegionServer } from "../../wire/zk-envelope.js";
import type { ServerAddress } from "./server-connections.js";
import { RetriableLookupError } from "./wire-errors.js";

export interface ClusterDiscoveryOptions {
  readonly quorum: string;
  readonly root: string | undefined;
  readonly connectTimeoutMs: number;
  readonly operationTimeoutMs: number;
}

function serverOf(node: ZNode | null, decode: (data: Uint8Array) => { host_name: string; port?: number | undefined }): ServerAddress | undefined {
  if (node === null) return undefined;
  try {
    const server = decode(node.data);
    return { host: server.host_name, port: server.port ?? 16020 };
  } catch {
    return undefined; // not HBase's envelope (yet): treated as absent
  }
}

/** The ZooKeeper side of a wire connection. */
export class ClusterDiscovery {
  private constructor(
    private readonly session: ZooKeeperSession,
    private readonly metaWatch: ZNodeWatch,
    private readonly masterWatch: ZNodeWatch,
    /** "quorum" + root, for messages. */
    readonly description: string,
  ) {}

  /**
   * Connects to ZooKeeper and starts both watches. Rejects (closing the session) when ZooKeeper cannot
   * be reached, or when `<root>/meta-region-server` is absent (no HBase under that root).
   */
  static async connect(options: ClusterDiscoveryOptions): Promise<ClusterDiscovery> {
    const session = await connectZooKeeper({
      quorum: options.quorum,
      ...(options.root === undefined ? {} : { root: options.root }),
      connectTimeoutMs: options.connectTimeoutMs,
      operationTimeoutMs: options.operationTimeoutMs,
    });
    try {
      const metaWatch = await watchHBaseZNode(session, "meta-region-server");
      if (metaWatch.current === null) await readMetaRegionServer(session); // throws "is HBase running? no …"
      const masterWatch = await watchHBaseZNode(session, "master");
      return new ClusterDiscovery(session, metaWatch, masterWatch, `${options.quorum}${session.fullPath("/").replace(/\/$/, "")}`);
    } catch (error) {
      await session.close();
      throw error;
    }
  }

  /** Where hbase:meta is served now; a retriable error while the znode is absent. */
  metaServer(): ServerAddress {
    const server = serverOf(this.metaWatch.current, (d) => decodeMetaRegionServer(d).server);
    if (server === undefined) throw new RetriableLookupError(`no ${this.metaWatch.fullPath} in ZooKeeper: is HBase running?`);
    return server;
  }

  /** The active master now; a retriable error while the znode is absent. */
  master(): ServerAddress {
    const server = serverOf(this.masterWatch.current, (d) => decodeMaster(d).master);
    if (server === undefined) throw new RetriableLookupError(`no ${this.masterWatch.fullPath} in ZooKeeper: is the HBase master running?`);
    return server;
  }

  /** Calls `listener` after every change of `<root>/meta-region-server`. */
  onMetaChange(listener: () => void): void {
    this.metaWatch.on("change", () => listener());
  }

  /** Calls `listener` after every change of `<root>/master`. */
  onMasterChange(listener: () => void): void {
    this.masterWatch.on("change", () => listener());
  }

  /** Stops the watches and closes the session. */
  async close(): Promise<void> {
    this.metaWatch.close();
    this.masterWatch.close();
    await this.session.close();
  }
}
