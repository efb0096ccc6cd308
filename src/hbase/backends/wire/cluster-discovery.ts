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
import {
  connectZooKeeper,
  readMetaRegionServer,
  RenewingSession,
  watchHBaseZNode,
  type OpenedSession,
  type SessionChange,
  type ZNode,
  type ZNodeWatch,
  type ZooKeeperSession,
} from "../../discovery/index.js";
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

/** The watches set up on one session. */
interface Watches {
  readonly meta: ZNodeWatch;
  readonly master: ZNodeWatch;
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
  /** The session, renewed when lost; set right after the first one is open. */
  #keeper!: RenewingSession<Watches>;
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
    let discovery: ClusterDiscovery | undefined;
    const keeper = await RenewingSession.start<Watches>({
      open: async (renewal) => {
        const opened = await ClusterDiscovery.#open(options, !renewal);
        // The first session decides the description and paths: the discovery exists from here on.
        discovery ??= new ClusterDiscovery(options, `${options.quorum}${opened.session.fullPath("/").replace(/\/$/, "")}`, {
          meta: opened.value.meta.fullPath,
          master: opened.value.master.fullPath,
        });
        return opened;
      },
      release: (watches) => {
        watches.meta.close();
        watches.master.close();
      },
      onSession: (_session, watches) => discovery!.#attach(watches),
      onStateChange: (change) => discovery!.#changed(change),
    });
    discovery!.#keeper = keeper;
    return discovery!;
  }

  /**
   * A new session with both znodes watched; the first one also requires `<root>/meta-region-server`
   * (no HBase under that root otherwise). The session is closed when this fails.
   */
  static async #open(options: ClusterDiscoveryOptions, requireMeta: boolean): Promise<OpenedSession<Watches>> {
    const session: ZooKeeperSession = await connectZooKeeper({
      quorum: options.quorum,
      ...(options.root === undefined ? {} : { root: options.root }),
      connectTimeoutMs: options.connectTimeoutMs,
      operationTimeoutMs: options.operationTimeoutMs,
      sessionTimeoutMs: options.sessionTimeoutMs,
    });
    const watches: ZNodeWatch[] = [];
    try {
      const meta = await watchHBaseZNode(session, "meta-region-server");
      watches.push(meta);
      if (requireMeta && meta.current === null) await readMetaRegionServer(session); // throws "is HBase running? no …"
      const master = await watchHBaseZNode(session, "master");
      watches.push(master);
      return { session, value: { meta, master } };
    } catch (error) {
      for (const watch of watches) watch.close();
      await session.close().catch(() => undefined);
      throw error;
    }
  }

  /** The state of the ZooKeeper side now. */
  get status(): DiscoveryStatus {
    const { state, sessions, lastLoss, lastError } = this.#keeper.status;
    return { state: state === "up" ? "connected" : state, sessions, lastLoss, lastError };
  }

  /** `connected`, `disconnected`, `renewing` or `closed`. */
  get #state(): DiscoveryStatus["state"] {
    return this.status.state;
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
  close(): Promise<void> {
    return this.#keeper.close();
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
    const { downSince, lastLoss, lastError } = this.#keeper.status;
    const since = downSince === 0 ? "" : ` for ${Date.now() - downSince} ms`;
    const why =
      this.#state === "renewing"
        ? `the ZooKeeper session with ${quorum} was lost (${lastLoss ?? "expired"}) and no new one could be made${since}` +
          (lastError === undefined ? "" : ` (last attempt: ${lastError})`)
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

  /** Takes the watches of a new session (the first or a renewed one): a change since the last known state is reported. */
  #attach(watches: Watches): void {
    for (const [tracked, watch] of [
      [this.#meta, watches.meta],
      [this.#master, watches.master],
    ] as const) {
      tracked.watch = watch;
      tracked.update(watch.current, false);
      watch.on("change", (node) => {
        if (tracked.watch !== watch) return;
        tracked.update(node, true);
        this.#wake();
      });
    }
  }

  #changed(change: SessionChange): void {
    if (change === "reconnected") {
      // the watches are restored, and fire if the znodes changed meanwhile
      this.#meta.suspect = false;
      this.#master.suspect = false;
    }
    this.#wake();
  }
}
