/**
 * Where the cluster is: a ZooKeeper session under the root znode, and watches on
 * `<root>/meta-region-server` (who serves hbase:meta) and `<root>/master` (the active master). A change
 * of either is reported, so that what depends on it (cached region locations, the master connection)
 * is dropped.
 *
 * The session is renewed as HBase's client does: when the quorum expires it (or the connection has been
 * down for twice the session timeout, after which the quorum has surely expired it — a quorum that lost
 * its data refuses the old session without saying so), a new session is created, both znodes are read
 * and watched again, and a change since the last known state is reported. While ZooKeeper is
 * unreachable the last known addresses stay in use as long as calls to them work; a lookup whose address
 * failed meanwhile waits for ZooKeeper (up to its deadline), then fails naming the quorum.
 */
import { connectZooKeeper, readMetaRegionServer, watchHBaseZNode, type ZNode, type ZNodeWatch, type ZooKeeperSession } from "../../discovery/index.js";
import { decodeMaster, decodeMetaRegionServer } from "../../wire/zk-envelope.js";
import type { ServerAddress } from "./server-connections.js";
import { DiscoveryUnavailableError, RetriableLookupError, WireConnectionClosedError } from "./wire-errors.js";

export interface ClusterDiscoveryOptions {
  readonly quorum: string;
  readonly root: string | undefined;
  readonly connectTimeoutMs: number;
  readonly operationTimeoutMs: number;
  /** The ZooKeeper session timeout asked for. */
  readonly sessionTimeoutMs: number;
}

/** The state of the ZooKeeper side, for diagnostics (`WireConnection.zookeeper`). */
export interface DiscoveryStatus {
  /** `connected`; `disconnected` (same session, the client reconnects); `renewing` (the session is lost, a new one is being created); `closed`. */
  readonly state: "connected" | "disconnected" | "renewing" | "closed";
  /** Sessions created so far (1 until the first renewal). */
  readonly sessions: number;
  /** Why the last session was given up: `expired` (the quorum said so) or `no contact` (down for twice the session timeout). */
  readonly lastLoss: "expired" | "no contact" | undefined;
  /** The last failure to create a new session, if any. */
  readonly lastError: string | undefined;
}

type Decoder = (data: Uint8Array) => { host_name: string; port?: number | undefined };
const decodeMeta: Decoder = (d) => decodeMetaRegionServer(d).server;
const decodeMasterServer: Decoder = (d) => decodeMaster(d).master;

function serverOf(node: ZNode | null, decode: Decoder): ServerAddress | undefined {
  if (node === null) return undefined;
  try {
    const server = decode(node.data);
    return { host: server.host_name, port: server.port ?? 16020 };
  } catch {
    return undefined; // not HBase's envelope (yet): treated as absent
  }
}

function sameData(a: ZNode | null, b: ZNode | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.data.length !== b.data.length) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** One watched HBase znode across sessions: its last known state, and whether a call to it failed since. */
class TrackedZNode {
  node: ZNode | null = null;
  watch: ZNodeWatch | undefined;
  /** A call to the address failed while ZooKeeper could not confirm it. */
  suspect = false;
  readonly listeners: Array<() => void> = [];

  constructor(
    readonly znode: "meta-region-server" | "master",
    readonly decode: Decoder,
  ) {}

  get address(): ServerAddress | undefined {
    return serverOf(this.node, this.decode);
  }

  /** Takes a new state; tells the listeners when it differs from the last known one (or always, for a watch event). */
  update(node: ZNode | null, always: boolean): void {
    const changed = always || !sameData(this.node, node);
    this.node = node;
    this.suspect = false;
    if (changed) for (const listener of this.listeners) listener();
  }
}

/** The ZooKeeper side of a wire connection. */
export class ClusterDiscovery {
  #session: ZooKeeperSession | undefined;
  #state: DiscoveryStatus["state"] = "connected";
  #sessions = 1;
  #lastLoss: DiscoveryStatus["lastLoss"];
  #lastError: string | undefined;
  #disconnectedAt = 0;
  #noContactTimer: NodeJS.Timeout | undefined;
  readonly #meta = new TrackedZNode("meta-region-server", decodeMeta);
  readonly #master = new TrackedZNode("master", decodeMasterServer);
  /** Woken on every change of state or of a znode. */
  #waiters = new Set<() => void>();

  private constructor(
    private readonly options: ClusterDiscoveryOptions,
    /** "quorum" + root, for messages. */
    readonly description: string,
    /** The full paths of the two znodes. */
    private readonly paths: { meta: string; master: string },
  ) {}

  /**
   * Connects to ZooKeeper and starts both watches. Rejects (closing the session) when ZooKeeper cannot
   * be reached, or when `<root>/meta-region-server` is absent (no HBase under that root).
   */
  static async connect(options: ClusterDiscoveryOptions): Promise<ClusterDiscovery> {
    const session = await ClusterDiscovery.#open(options);
    try {
      const metaWatch = await watchHBaseZNode(session, "meta-region-server");
      if (metaWatch.current === null) await readMetaRegionServer(session); // throws "is HBase running? no …"
      const masterWatch = await watchHBaseZNode(session, "master");
      const description = `${options.quorum}${session.fullPath("/").replace(/\/$/, "")}`;
      const discovery = new ClusterDiscovery(options, description, { meta: metaWatch.fullPath, master: masterWatch.fullPath });
      discovery.#attach(session, metaWatch, masterWatch);
      return discovery;
    } catch (error) {
      await session.close();
      throw error;
    }
  }

  static #open(options: ClusterDiscoveryOptions): Promise<ZooKeeperSession> {
    return connectZooKeeper({
      quorum: options.quorum,
      ...(options.root === undefined ? {} : { root: options.root }),
      connectTimeoutMs: options.connectTimeoutMs,
      operationTimeoutMs: options.operationTimeoutMs,
      sessionTimeoutMs: options.sessionTimeoutMs,
    });
  }

  /** The state of the ZooKeeper side now. */
  get status(): DiscoveryStatus {
    return { state: this.#state, sessions: this.#sessions, lastLoss: this.#lastLoss, lastError: this.#lastError };
  }

  /**
   * Where hbase:meta is served. While ZooKeeper is connected: the watched znode (a retriable error while
   * it is absent). While it is not: the last known address unless a call to it failed meanwhile; then
   * this waits for ZooKeeper until `deadline` (ms since the epoch) and fails with a
   * {@link DiscoveryUnavailableError} naming the quorum.
   */
  metaServer(deadline: number): Promise<ServerAddress> {
    return this.#lookup(this.#meta, deadline, "is HBase running?", "where hbase:meta is served");
  }

  /** The active master, as {@link metaServer}. */
  master(deadline: number): Promise<ServerAddress> {
    return this.#lookup(this.#master, deadline, "is the HBase master running?", "the active HBase master");
  }

  /** Notes that a call to the meta server at `server` failed (lost connection, region not served there). */
  metaServerFailed(server: ServerAddress): void {
    this.#failed(this.#meta, server);
  }

  /** Notes that a call to the master at `server` failed. */
  masterFailed(server: ServerAddress): void {
    this.#failed(this.#master, server);
  }

  /** Calls `listener` after every change of `<root>/meta-region-server` (a renewed session included). */
  onMetaChange(listener: () => void): void {
    this.#meta.listeners.push(listener);
  }

  /** Calls `listener` after every change of `<root>/master` (a renewed session included). */
  onMasterChange(listener: () => void): void {
    this.#master.listeners.push(listener);
  }

  /** Stops the watches and closes the session; waiting lookups reject. */
  async close(): Promise<void> {
    if (this.#state === "closed") return;
    this.#state = "closed";
    clearTimeout(this.#noContactTimer);
    this.#wake();
    const session = this.#session;
    this.#session = undefined;
    this.#meta.watch?.close();
    this.#master.watch?.close();
    await session?.close();
  }

  // ---------------------------------------------------------------------------------------------

  #failed(tracked: TrackedZNode, server: ServerAddress): void {
    const known = tracked.address;
    if (this.#state !== "connected" && known !== undefined && known.host === server.host && known.port === server.port) tracked.suspect = true;
  }

  async #lookup(tracked: TrackedZNode, deadline: number, hint: string, what: string): Promise<ServerAddress> {
    for (;;) {
      if (this.#state === "closed") throw new WireConnectionClosedError(`the connection to HBase at ${this.description} is closed`);
      const address = tracked.address;
      if (this.#state === "connected") {
        if (address !== undefined) return address;
        const path = tracked === this.#meta ? this.paths.meta : this.paths.master;
        throw new RetriableLookupError(`no ${path} in ZooKeeper at ${this.options.quorum}: ${hint}`);
      }
      if (address !== undefined && !tracked.suspect) return address; // the last known one, while it works
      const left = deadline - Date.now();
      if (left <= 0) throw this.#unavailable(what);
      await this.#nextChange(left);
    }
  }

  #unavailable(what: string): DiscoveryUnavailableError {
    const quorum = this.options.quorum;
    const since = this.#disconnectedAt === 0 ? "" : ` for ${Date.now() - this.#disconnectedAt} ms`;
    const why =
      this.#state === "renewing"
        ? `the ZooKeeper session with ${quorum} was lost (${this.#lastLoss ?? "expired"}) and no new one could be made${since}` +
          (this.#lastError === undefined ? "" : ` (last attempt: ${this.#lastError})`)
        : `ZooKeeper at ${quorum} has been unreachable${since}`;
    return new DiscoveryUnavailableError(`cannot find ${what}: ${why}`, quorum);
  }

  #nextChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#waiters.add(done);
    });
  }

  #wake(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }

  /** Makes `session` (with its two watches) the current one. */
  #attach(session: ZooKeeperSession, metaWatch: ZNodeWatch, masterWatch: ZNodeWatch): void {
    this.#session = session;
    this.#state = "connected";
    this.#disconnectedAt = 0;
    for (const [tracked, watch] of [
      [this.#meta, metaWatch],
      [this.#master, masterWatch],
    ] as const) {
      tracked.watch = watch;
      tracked.update(watch.current, false);
      watch.on("change", (node) => {
        if (this.#session !== session) return;
        tracked.update(node, true);
        this.#wake();
      });
    }
    session.on("disconnected", () => {
      if (this.#session !== session || this.#state === "closed") return;
      this.#state = "disconnected";
      this.#disconnectedAt = Date.now();
      clearTimeout(this.#noContactTimer);
      // The quorum expires a session after its timeout without contact; twice that, and a session that
      // still cannot get back in is taken as gone (a quorum that lost its data refuses it silently).
      this.#noContactTimer = setTimeout(() => this.#lost(session, "no contact"), 2 * session.sessionTimeoutMs);
      this.#noContactTimer.unref();
      this.#wake();
    });
    session.on("reconnected", () => {
      if (this.#session !== session || this.#state === "closed") return;
      clearTimeout(this.#noContactTimer);
      this.#state = "connected";
      this.#disconnectedAt = 0;
      // the watches are restored, and fire if the znodes changed meanwhile
      this.#meta.suspect = false;
      this.#master.suspect = false;
      this.#wake();
    });
    session.on("expired", () => this.#lost(session, "expired"));
  }

  /** The session is gone: close it and make a new one, until that works or the connection closes. */
  #lost(session: ZooKeeperSession, why: "expired" | "no contact"): void {
    if (this.#session !== session || this.#state === "closed") return;
    clearTimeout(this.#noContactTimer);
    this.#session = undefined;
    this.#state = "renewing";
    this.#lastLoss = why;
    if (this.#disconnectedAt === 0) this.#disconnectedAt = Date.now();
    this.#meta.watch?.close();
    this.#master.watch?.close();
    void session.close().catch(() => undefined);
    this.#wake();
    void this.#renew();
  }

  async #renew(): Promise<void> {
    while (this.#state === "renewing") {
      let session: ZooKeeperSession | undefined;
      try {
        session = await ClusterDiscovery.#open(this.options);
        const metaWatch = await watchHBaseZNode(session, "meta-region-server");
        const masterWatch = await watchHBaseZNode(session, "master");
        if (this.#state !== "renewing") {
          metaWatch.close();
          masterWatch.close();
          await session.close();
          return;
        }
        this.#sessions++;
        this.#lastError = undefined;
        this.#attach(session, metaWatch, masterWatch);
        this.#wake();
        return;
      } catch (error) {
        this.#lastError = error instanceof Error ? error.message : String(error);
        await session?.close().catch(() => undefined);
        if (this.#state !== "renewing") return;
        await sleep(250);
      }
    }
  }
}
