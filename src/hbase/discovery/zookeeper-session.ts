/**
 * A ZooKeeper session under a root znode: a small typed wrapper over `node-zookeeper-client` that gives
 * promises, clear errors, time limits, data watches as events and async iterators, ephemeral znodes, and
 * a close that ends the session at once (so the session's ephemeral znodes vanish at once too).
 *
 * Paths are relative to the root, as under a ZooKeeper chroot: with root `/hbase`, `"master"` and
 * `"/master"` both mean the znode `/hbase/master`. The root itself is `""` or `"/"`. Data is raw bytes:
 * what HBase keeps in its znodes is decoded elsewhere (see `hbase-znodes.ts`).
 */
import { EventEmitter } from "node:events";
import zookeeper from "node-zookeeper-client";
import type { Client, Exception as ClientException, Stat as ClientStat } from "node-zookeeper-client";
import {
  ZNodeExistsError,
  ZNodeMissingError,
  ZooKeeperError,
  ZooKeeperSessionEndedError,
  ZooKeeperTimeoutError,
  ZooKeeperUnreachableError,
} from "./errors.js";

/** HBase's default root znode (`zookeeper.znode.parent`). */
export const DEFAULT_ROOT = "/hbase";

export interface ZooKeeperConnectOptions {
  /**
   * The quorum, `host:port[,host:port...]`. A chroot suffix (`host:port/hbase`) is taken as the root
   * when `root` is not given.
   */
  readonly quorum: string;
  /** The root znode every path is relative to (default `/hbase`; `/` for none). */
  readonly root?: string;
  /** The session timeout asked for, in ms (default 30 000); the server bounds it to 2–20 of its ticks. */
  readonly sessionTimeoutMs?: number;
  /** How long to wait for a session before giving up with {@link ZooKeeperUnreachableError} (default 10 000). */
  readonly connectTimeoutMs?: number;
  /** How long one call may take, reconnects included, before {@link ZooKeeperTimeoutError} (default 15 000). */
  readonly operationTimeoutMs?: number;
}

/** A znode's metadata (ZooKeeper's Stat). */
export interface ZNodeStat {
  /** Data version: 0 at creation, +1 at every `set`. */
  readonly version: number;
  readonly dataLength: number;
  readonly numChildren: number;
  /** Transaction ids of the creation and the last change. */
  readonly czxid: bigint;
  readonly mzxid: bigint;
  /** Creation and last change, ms since the epoch. */
  readonly ctime: number;
  readonly mtime: number;
  /** The session holding an ephemeral znode; 0n for a persistent one. */
  readonly ephemeralOwner: bigint;
}

/** A znode read at one moment. */
export interface ZNode {
  /** The path relative to the root, with a leading `/` (`/master`). */
  readonly path: string;
  /** The full path in ZooKeeper (`/hbase/master`). */
  readonly fullPath: string;
  readonly data: Uint8Array;
  readonly stat: ZNodeStat;
}

export interface CreateOptions {
  /** `ephemeral`: deleted when this session ends (default `persistent`). */
  readonly mode?: "persistent" | "ephemeral";
  /** Create missing parent znodes (persistent, empty) first (default false). */
  readonly parents?: boolean;
}

/** The events of a {@link ZooKeeperSession}. */
export interface ZooKeeperSessionEvents {
  /** The connection to the quorum dropped; the client reconnects on its own while the session lives. */
  disconnected: [];
  /** Connected again after `disconnected`, with the same session (watches are restored). */
  reconnected: [];
  /** The quorum expired the session: its ephemeral znodes are gone, and this object is dead. */
  expired: [];
  /** The session ended (by `close()` or expiry). */
  closed: [];
}

/** The events of a {@link ZNodeWatch}. */
export interface ZNodeWatchEvents {
  /** The znode's new state: its data and stat, or null once it is absent. */
  change: [ZNode | null];
  /** The watch stopped on an error (session expired, …). */
  error: [Error];
  /** The watch ended (by `close()`, the session's close, or an error). */
  end: [];
}

const EMPTY = new Uint8Array(0);
const CLOSE_WAIT_MS = 3_000;
const CLOSE_WAIT_DISCONNECTED_MS = 1_000;

/**
 * Connects to the quorum and resolves once a session is established. Rejects with
 * {@link ZooKeeperUnreachableError} when no server answers within `connectTimeoutMs` (the client is then
 * closed: nothing keeps retrying in the background).
 */
export function connectZooKeeper(options: ZooKeeperConnectOptions): Promise<ZooKeeperSession> {
  return ZooKeeperSession.connect(options);
}

/**
 * One ZooKeeper session. Created by {@link connectZooKeeper}; end it with {@link ZooKeeperSession.close}.
 * Calls made while the connection is down wait for the reconnect, up to the operation timeout.
 */
export class ZooKeeperSession extends EventEmitter<ZooKeeperSessionEvents> {
  readonly #client: Client;
  readonly #watchdog: StallWatchdog;
  #ended: ZooKeeperSessionEndedError | null = null;
  #connected = true;
  #watches = new Set<ZNodeWatch>();

  /** The same as {@link connectZooKeeper}. */
  static async connect(options: ZooKeeperConnectOptions): Promise<ZooKeeperSession> {
    const { quorum, root } = splitQuorum(options.quorum, options.root);
    const sessionTimeoutMs = options.sessionTimeoutMs ?? 30_000;
    const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    const operationTimeoutMs = options.operationTimeoutMs ?? 15_000;
    const client = zookeeper.createClient(quorum, { sessionTimeout: sessionTimeoutMs, spinDelay: 250, retries: 0 });
    const watchdog = new StallWatchdog(client);
    watchdog.start();
    await new Promise<void>((resolve, reject) => {
      const onConnected = (): void => {
        clearTimeout(timer);
        client.off("authenticationFailed", onAuthFailed);
        resolve();
      };
      const onAuthFailed = (): void => {
        clearTimeout(timer);
        client.off("connected", onConnected);
        client.close();
        reject(new ZooKeeperError(`ZooKeeper at ${quorum} refused authentication`, quorum, "AUTH_FAILED"));
      };
      const timer = setTimeout(() => {
        client.off("connected", onConnected);
        client.off("authenticationFailed", onAuthFailed);
        client.close();
        dropSocket(client); // nothing answered: no close to wait for, and no reconnect after it
        reject(new ZooKeeperUnreachableError(quorum, connectTimeoutMs));
      }, connectTimeoutMs);
      client.once("connected", onConnected);
      client.once("authenticationFailed", onAuthFailed);
      client.connect();
    }).finally(() => watchdog.stop());
    return new ZooKeeperSession(client, quorum, root, operationTimeoutMs, watchdog);
  }

  private constructor(
    client: Client,
    /** The quorum, without a chroot suffix. */
    readonly quorum: string,
    /** The root znode (`/hbase`), or `/`. */
    readonly root: string,
    readonly operationTimeoutMs: number,
    watchdog: StallWatchdog,
  ) {
    super();
    this.#client = client;
    this.#watchdog = watchdog;
    client.on("disconnected", () => {
      if (this.#ended !== null || !this.#connected) return;
      this.#connected = false;
      watchdog.start();
      this.emit("disconnected");
    });
    client.on("connected", () => {
      if (this.#ended !== null || this.#connected) return;
      this.#connected = true;
      watchdog.stop();
      this.emit("reconnected");
    });
    client.on("expired", () => {
      if (this.#ended !== null) return;
      this.#end(new ZooKeeperSessionEndedError(`the ZooKeeper session with ${quorum} expired (its ephemeral znodes are gone)`, quorum, "SESSION_EXPIRED"));
      this.emit("expired");
      this.emit("closed");
    });
  }

  /** The session id ZooKeeper gave (what a znode's `ephemeralOwner` shows). */
  get sessionId(): bigint {
    return this.#client.getSessionId().readBigUInt64BE(0);
  }

  /** The session timeout the server granted, in ms. */
  get sessionTimeoutMs(): number {
    return this.#client.getSessionTimeout();
  }

  /** True once the session is over (closed or expired). */
  get ended(): boolean {
    return this.#ended !== null;
  }

  /** The full ZooKeeper path of a path relative to the root (`"master"` → `/hbase/master`). */
  fullPath(path: string): string {
    const relative = normalizeRelative(path);
    if (relative === "/") return this.root;
    return this.root === "/" ? relative : this.root + relative;
  }

  /** Reads a znode's data and stat. Rejects with {@link ZNodeMissingError} when it does not exist. */
  async get(path: string): Promise<ZNode> {
    const full = this.fullPath(path);
    const [data, stat] = await this.#call<[Buffer | undefined, ClientStat]>(`get ${full}`, full, (done) =>
      this.#client.getData(full, undefined, (error, data, stat) => done(error, [data, stat])),
    );
    return this.#node(full, data, stat);
  }

  /** The znode's stat, or null when it does not exist. */
  async exists(path: string): Promise<ZNodeStat | null> {
    const full = this.fullPath(path);
    const stat = await this.#call<ClientStat | null>(`exists ${full}`, full, (done) =>
      this.#client.exists(full, undefined, (error, stat) => done(error, stat)),
    );
    return stat === null ? null : toStat(stat);
  }

  /** The names of a znode's children, sorted. Rejects with {@link ZNodeMissingError} when it does not exist. */
  async children(path: string): Promise<string[]> {
    const full = this.fullPath(path);
    const names = await this.#call<string[]>(`children of ${full}`, full, (done) =>
      this.#client.getChildren(full, undefined, (error, children) => done(error, children)),
    );
    return [...names].sort();
  }

  /**
   * Creates a znode with `data` and resolves with its path relative to the root. Rejects with
   * {@link ZNodeExistsError} when it exists, and {@link ZNodeMissingError} when its parent does not (unless
   * `parents`). An ephemeral znode lives as long as this session.
   */
  async create(path: string, data: Uint8Array = EMPTY, options: CreateOptions = {}): Promise<string> {
    const full = this.fullPath(path);
    if (full === "/") throw new ZNodeExistsError(this.quorum, full);
    if (options.parents) await this.#createParents(full);
    const mode = options.mode === "ephemeral" ? zookeeper.CreateMode.EPHEMERAL : zookeeper.CreateMode.PERSISTENT;
    const created = await this.#call<string>(`create ${full}`, full, (done) =>
      this.#client.create(full, toBuffer(data), zookeeper.ACL.OPEN_ACL_UNSAFE, mode, (error, created) => done(error, created)),
    );
    return this.#relative(created);
  }

  /**
   * Creates an ephemeral znode (and any missing persistent parents): it is deleted by ZooKeeper when this
   * session ends, at once on {@link close}, or after the session timeout if this process dies.
   */
  createEphemeral(path: string, data: Uint8Array = EMPTY): Promise<string> {
    return this.create(path, data, { mode: "ephemeral", parents: true });
  }

  /** Replaces a znode's data (only at `version` unless it is -1, the default) and resolves with the new stat. */
  async set(path: string, data: Uint8Array, version = -1): Promise<ZNodeStat> {
    const full = this.fullPath(path);
    const stat = await this.#call<ClientStat>(`set ${full}`, full, (done) =>
      this.#client.setData(full, toBuffer(data) ?? Buffer.alloc(0), version, (error, stat) => done(error, stat)),
    );
    return toStat(stat);
  }

  /**
   * Deletes a znode (only at `version` unless it is -1, the default). Rejects with
   * {@link ZNodeMissingError} when it does not exist, unless `ifExists`.
   */
  async delete(path: string, options: { version?: number; ifExists?: boolean } = {}): Promise<void> {
    const full = this.fullPath(path);
    try {
      await this.#call<void>(`delete ${full}`, full, (done) => this.#client.remove(full, options.version ?? -1, (error) => done(error, undefined)));
    } catch (error) {
      if (options.ifExists && error instanceof ZNodeMissingError) return;
      throw error;
    }
  }

  /** Creates the root znode and its parents (persistent, empty) when absent. */
  async ensureRoot(): Promise<void> {
    if (this.root === "/") return;
    await this.#createParents(this.root + "/x");
  }

  /**
   * Watches a znode's data: resolves after the first read with a {@link ZNodeWatch} whose `current` is
   * the znode (or null while it does not exist), which then emits `change` on every creation, data change
   * and deletion, and is an async iterator of the same states. ZooKeeper watches fire once and are set
   * again by a new read, so changes that follow each other within that read are seen as their last state.
   */
  async watch(path: string): Promise<ZNodeWatch> {
    this.#throwIfEnded();
    const watch = new ZNodeWatch(this, this.fullPath(path), (w) => this.#watches.delete(w));
    this.#watches.add(watch);
    try {
      await watch.start();
    } catch (error) {
      watch.close();
      throw error;
    }
    return watch;
  }

  /**
   * Ends the session: ZooKeeper deletes its ephemeral znodes at once, watches end, and later calls reject
   * with {@link ZooKeeperSessionEndedError}. Resolves when the server has closed the connection, or gives
   * up after 3 s (1 s when the connection is down at the time: then the quorum cannot be told, and the
   * ephemeral znodes go only when the session times out). Idempotent.
   */
  async close(): Promise<void> {
    if (this.#ended !== null) return;
    const waitMs = this.#connected ? CLOSE_WAIT_MS : CLOSE_WAIT_DISCONNECTED_MS;
    this.#end(new ZooKeeperSessionEndedError(`the ZooKeeper session with ${this.quorum} is closed`, this.quorum, "CLOSED"));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#client.off("disconnected", onDisconnected);
        dropSocket(this.#client);
        resolve();
      }, waitMs);
      const onDisconnected = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.#client.once("disconnected", onDisconnected);
      this.#client.close();
    });
    this.emit("closed");
  }

  /** @internal a data read that leaves a watch (used by {@link ZNodeWatch}) */
  async getAndWatch(full: string, watcher: () => void): Promise<ZNode | null> {
    for (;;) {
      try {
        const [data, stat] = await this.#call<[Buffer | undefined, ClientStat]>(`get ${full}`, full, (done) =>
          this.#client.getData(full, watcher, (error, data, stat) => done(error, [data, stat])),
        );
        return this.#node(full, data, stat);
      } catch (error) {
        if (!(error instanceof ZNodeMissingError)) throw error;
      }
      // Absent: leave an existence watch instead. If it was created meanwhile, read it again.
      const stat = await this.#call<ClientStat | null>(`exists ${full}`, full, (done) =>
        this.#client.exists(full, watcher, (error, stat) => done(error, stat)),
      );
      if (stat === null) return null;
    }
  }

  #end(error: ZooKeeperSessionEndedError): void {
    this.#ended = error;
    this.#watchdog.stop();
    for (const watch of [...this.#watches]) watch.finish(error.code === "CLOSED" ? null : error);
    this.#watches.clear();
  }

  #throwIfEnded(): void {
    if (this.#ended !== null) throw this.#ended;
  }

  /** Runs one client call with the operation timeout, mapping the client's errors to ours. */
  #call<T>(operation: string, full: string, run: (done: (error: ClientException | null, value: T) => void) => void): Promise<T> {
    this.#throwIfEnded();
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        reject(new ZooKeeperTimeoutError(this.quorum, operation, this.operationTimeoutMs));
      }, this.operationTimeoutMs);
      run((error, value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(this.#mapError(error, full, operation));
        else resolve(value);
      });
    });
  }

  #mapError(error: ClientException, full: string, operation: string): Error {
    if (this.#ended !== null) return this.#ended;
    const code = typeof error.getCode === "function" ? error.getCode() : NaN;
    const { Exception } = zookeeper;
    if (code === Exception.NO_NODE) {
      const message = operation.startsWith("create ")
        ? `cannot create ${full}: its parent does not exist in ZooKeeper at ${this.quorum}`
        : undefined;
      return new ZNodeMissingError(this.quorum, full, message);
    }
    if (code === Exception.NODE_EXISTS) return new ZNodeExistsError(this.quorum, full);
    if (code === Exception.SESSION_EXPIRED) {
      return new ZooKeeperSessionEndedError(`the ZooKeeper session with ${this.quorum} expired during ${operation}`, this.quorum, "SESSION_EXPIRED", { cause: error });
    }
    const name = typeof error.getName === "function" ? error.getName() : "UNKNOWN";
    const hints: Record<string, string> = {
      CONNECTION_LOSS: "the connection to ZooKeeper was lost",
      BAD_VERSION: "the znode changed meanwhile (version mismatch)",
      NOT_EMPTY: "the znode has children",
      NO_CHILDREN_FOR_EPHEMERALS: "ephemeral znodes cannot have children",
      NO_AUTH: "not allowed by the znode's ACL",
    };
    const hint = hints[name] ?? name;
    return new ZooKeeperError(`ZooKeeper at ${this.quorum}: ${operation} failed: ${hint}`, this.quorum, name, { cause: error });
  }

  async #createParents(full: string): Promise<void> {
    const parts = full.split("/").filter((p) => p !== "");
    let path = "";
    for (const part of parts.slice(0, -1)) {
      path += "/" + part;
      const current = path;
      try {
        await this.#call<string>(`create ${current}`, current, (done) =>
          this.#client.create(current, null, zookeeper.ACL.OPEN_ACL_UNSAFE, zookeeper.CreateMode.PERSISTENT, (error, created) => done(error, created)),
        );
      } catch (error) {
        if (!(error instanceof ZNodeExistsError)) throw error;
      }
    }
  }

  #relative(full: string): string {
    if (this.root === "/") return full;
    if (full === this.root) return "/";
    return full.startsWith(this.root + "/") ? full.slice(this.root.length) : full;
  }

  #node(full: string, data: Buffer | undefined, stat: ClientStat): ZNode {
    const bytes = data === undefined || data === null ? EMPTY : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    return { path: this.#relative(full), fullPath: full, data: bytes, stat: toStat(stat) };
  }
}

/**
 * A watch on one znode's data, from {@link ZooKeeperSession.watch}. `current` is the latest state seen;
 * `change` fires on each new state; iterating yields the current state first, then each change, and ends
 * when the watch is closed (or throws the error that stopped it).
 */
export class ZNodeWatch extends EventEmitter<ZNodeWatchEvents> implements AsyncIterable<ZNode | null> {
  #current: ZNode | null = null;
  #ended = false;
  #error: Error | null = null;
  #reading = false;
  #again = false;
  readonly #watcher = (): void => this.#refresh();

  /** @internal use {@link ZooKeeperSession.watch} */
  constructor(
    private readonly session: ZooKeeperSession,
    /** The full path watched. */
    readonly fullPath: string,
    private readonly onFinish: (watch: ZNodeWatch) => void,
  ) {
    super();
    // An error with no listener would throw from emit(); iterators and `error` report it instead.
    this.on("error", () => {});
  }

  /** The znode as last read, or null while it does not exist. */
  get current(): ZNode | null {
    return this.#current;
  }

  /** True once the watch has ended. */
  get ended(): boolean {
    return this.#ended;
  }

  /** @internal the first read */
  async start(): Promise<void> {
    this.#current = await this.session.getAndWatch(this.fullPath, this.#watcher);
  }

  /** Stops watching (ZooKeeper's one-shot watch may still fire once; it is ignored). */
  close(): void {
    this.finish(null);
  }

  /**
   * Resolves with the first state, the current one included, that satisfies `predicate`; rejects if the
   * watch ends first or after `timeoutMs` (default: no limit). Unlike {@link nextChange} it cannot miss a
   * change that happened before the call.
   */
  waitFor(predicate: (node: ZNode | null) => boolean, timeoutMs?: number): Promise<ZNode | null> {
    return new Promise((resolve, reject) => {
      if (predicate(this.#current)) {
        resolve(this.#current);
        return;
      }
      if (this.#ended) {
        reject(this.#error ?? new Error(`the watch on ${this.fullPath} has ended`));
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      const cleanup = (): void => {
        clearTimeout(timer);
        this.off("change", onChange);
        this.off("end", onEnd);
      };
      const onChange = (node: ZNode | null): void => {
        if (!predicate(node)) return;
        cleanup();
        resolve(node);
      };
      const onEnd = (): void => {
        cleanup();
        reject(this.#error ?? new Error(`the watch on ${this.fullPath} has ended`));
      };
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          cleanup();
          reject(new Error(`the watch on ${this.fullPath}: no matching state within ${timeoutMs} ms`));
        }, timeoutMs);
      }
      this.on("change", onChange);
      this.on("end", onEnd);
    });
  }

  /**
   * Waits for the next change and resolves with it (rejects if the watch ends first). Call it before
   * the action whose effect you wait for, or use {@link waitFor}.
   */
  nextChange(): Promise<ZNode | null> {
    return new Promise((resolve, reject) => {
      if (this.#ended) {
        reject(this.#error ?? new Error(`the watch on ${this.fullPath} has ended`));
        return;
      }
      const onChange = (node: ZNode | null): void => {
        this.off("end", onEnd);
        resolve(node);
      };
      const onEnd = (): void => {
        this.off("change", onChange);
        reject(this.#error ?? new Error(`the watch on ${this.fullPath} has ended`));
      };
      this.once("change", onChange);
      this.once("end", onEnd);
    });
  }

  /** @internal ends the watch, with the error that ended it if any */
  finish(error: Error | null): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    this.onFinish(this);
    if (error !== null) this.emit("error", error);
    this.emit("end");
  }

  [Symbol.asyncIterator](): AsyncIterator<ZNode | null> {
    const queue: (ZNode | null)[] = [this.#current];
    let wake: (() => void) | null = null;
    const onChange = (node: ZNode | null): void => {
      queue.push(node);
      wake?.();
    };
    const onEnd = (): void => wake?.();
    this.on("change", onChange);
    this.on("end", onEnd);
    const detach = (): void => {
      this.off("change", onChange);
      this.off("end", onEnd);
    };
    return {
      next: async (): Promise<IteratorResult<ZNode | null>> => {
        for (;;) {
          if (queue.length > 0) return { value: queue.shift()!, done: false };
          if (this.#ended) {
            detach();
            if (this.#error !== null) throw this.#error;
            return { value: undefined, done: true };
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = null;
        }
      },
      return: async (): Promise<IteratorResult<ZNode | null>> => {
        detach();
        return { value: undefined, done: true };
      },
    };
  }

  /** Reads again after the one-shot watch fired, and publishes the new state if it differs. */
  #refresh(): void {
    if (this.#ended) return;
    if (this.#reading) {
      this.#again = true;
      return;
    }
    this.#reading = true;
    void (async () => {
      try {
        do {
          this.#again = false;
          const node = await this.session.getAndWatch(this.fullPath, this.#watcher);
          if (this.#ended) return;
          if (!sameState(this.#current, node)) {
            this.#current = node;
            this.emit("change", node);
          }
        } while (this.#again && !this.#ended);
      } catch (error) {
        if (this.#ended) return;
        if (error instanceof ZooKeeperTimeoutError || (error instanceof ZooKeeperError && error.code === "CONNECTION_LOSS")) {
          // The quorum is away: read again once the session is back.
          this.session.once("reconnected", () => this.#refresh());
          return;
        }
        this.finish(error instanceof Error ? error : new Error(String(error)));
      } finally {
        this.#reading = false;
      }
    })();
  }
}

/** Splits `host:port[,…][/chroot]` and checks the root. */
function splitQuorum(quorum: string, root: string | undefined): { quorum: string; root: string } {
  const trimmed = quorum.trim();
  if (trimmed === "") throw new TypeError("connectZooKeeper: quorum is empty (expected host:port[,host:port...])");
  const slash = trimmed.indexOf("/");
  const servers = slash < 0 ? trimmed : trimmed.slice(0, slash);
  const chroot = slash < 0 ? undefined : trimmed.slice(slash);
  if (chroot !== undefined && root !== undefined && normalizeRoot(chroot) !== normalizeRoot(root)) {
    throw new TypeError(`connectZooKeeper: the quorum's chroot ${chroot} and root ${root} disagree`);
  }
  for (const server of servers.split(",")) {
    if (!/^[^:\s]+:\d{1,5}$/.test(server) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(server)) {
      throw new TypeError(`connectZooKeeper: bad server ${JSON.stringify(server)} in quorum ${JSON.stringify(quorum)} (expected host:port)`);
    }
  }
  return { quorum: servers, root: normalizeRoot(root ?? chroot ?? DEFAULT_ROOT) };
}

function normalizeRoot(root: string): string {
  if (!root.startsWith("/")) throw new TypeError(`ZooKeeper root must start with "/": ${JSON.stringify(root)}`);
  const relative = normalizeRelative(root);
  return relative;
}

/** `"a/b"`, `"/a/b"` → `"/a/b"`; `""`, `"/"` → `"/"`. Rejects empty, `.` and `..` segments. */
function normalizeRelative(path: string): string {
  if (path === "" || path === "/") return "/";
  const inner = path.startsWith("/") ? path.slice(1) : path;
  const segments = inner.endsWith("/") ? inner.slice(0, -1).split("/") : inner.split("/");
  for (const segment of segments) {
    if (segment === "" || segment === "." || segment === ".." || segment.includes("\u0000")) {
      throw new TypeError(`bad znode path ${JSON.stringify(path)}`);
    }
  }
  return "/" + segments.join("/");
}

function toBuffer(data: Uint8Array): Buffer | null {
  if (data.byteLength === 0) return null;
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function toStat(stat: ClientStat): ZNodeStat {
  return {
    version: stat.version,
    dataLength: stat.dataLength,
    numChildren: stat.numChildren,
    czxid: stat.czxid.readBigInt64BE(0),
    mzxid: stat.mzxid.readBigInt64BE(0),
    ctime: Number(stat.ctime.readBigInt64BE(0)),
    mtime: Number(stat.mtime.readBigInt64BE(0)),
    ephemeralOwner: stat.ephemeralOwner.readBigUInt64BE(0),
  };
}

function sameState(a: ZNode | null, b: ZNode | null): boolean {
  if (a === null || b === null) return a === b;
  return a.stat.czxid === b.stat.czxid && a.stat.mzxid === b.stat.mzxid;
}

/** How long a connected socket may wait for ZooKeeper's answer to the session request. */
const HANDSHAKE_STALL_MS = 2_000;

/**
 * Unsticks the client's reconnect loop. `node-zookeeper-client` times out the TCP connect but not the
 * session handshake after it: a server that accepts the connection while it is still starting (or
 * restarting) and never answers leaves the client waiting forever. While not connected, this checks
 * every second and drops a socket that has been open for {@link HANDSHAKE_STALL_MS} without an answer,
 * so the client tries again. Reaches into the client (it has no public way to do this).
 */
class StallWatchdog {
  #timer: NodeJS.Timeout | null = null;
  #socket: object | null = null;
  #since = 0;

  readonly #client: Client;

  constructor(client: Client) {
    this.#client = client;
  }

  start(): void {
    if (this.#timer !== null) return;
    this.#socket = null;
    this.#timer = setInterval(() => this.#check(), 500);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    this.#socket = null;
  }

  #check(): void {
    const socket = clientSocket(this.#client);
    if (socket === undefined || socket.readyState !== "open" || socket.bytesRead > 0) {
      this.#socket = null;
      return;
    }
    if (this.#socket !== socket) {
      this.#socket = socket;
      this.#since = Date.now();
    } else if (Date.now() - this.#since >= HANDSHAKE_STALL_MS) {
      this.#socket = null;
      socket.destroy();
    }
  }
}

interface ClientSocket {
  readonly readyState: string;
  readonly bytesRead: number;
  destroy(): void;
}

function clientSocket(client: Client): ClientSocket | undefined {
  return (client as unknown as { connectionManager?: { socket?: ClientSocket } }).connectionManager?.socket;
}

/**
 * Last resort of `close()` when the server did not answer the close: drop the client's socket so no
 * timer or reconnect keeps running. Reaches into the client (it has no public way to do this).
 */
function dropSocket(client: Client): void {
  clientSocket(client)?.destroy();
}
