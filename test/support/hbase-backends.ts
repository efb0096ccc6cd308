/**
 * Backends of the shared Table API suite (test/unit/hbase-table-suite.ts): each factory gives a fresh,
 * empty store behind a `Connection`, and takes everything down again.
 *
 * - `embeddedBackend(engine?)` — the embedded store on a fresh temp dir (`connect({ path, engine })`):
 *   LMDB (the default) or LevelDB.
 * - `wireBackend({ zookeeper, compat })` — an embedded store on a fresh temp dir served by the local
 *   HBase-compatible endpoint (`startLocalEndpoint`) under its own ZooKeeper root, and Sluice's wire
 *   client on it (`connect({ zookeeper, root })`).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { connect } from "../../src/hbase/connect.js";
import type { StorageEngineKind } from "../../src/hbase/backends/embedded/storage-engine.js";
import { startLocalEndpoint, type LocalEndpoint } from "../../src/hbase/local-endpoint/index.js";
import type { Admin, Connection } from "../../src/hbase/table.js";

/** One opened backend: the connection under test and what the tests may do around it. */
export interface OpenedBackend {
  /** The connection under test (replaced by {@link OpenedBackend.reconnect}). */
  readonly connection: Connection;
  /**
   * The admin used to set tables up and to run the catalog tests: the connection's own admin when the
   * backend has admin, else the admin of the store behind it (the wire backend before MasterService).
   */
  readonly admin: Admin;
  /** Closes the current connection (if still open) and opens a new one to the same data. */
  reconnect(): Promise<Connection>;
  /** Closes everything and removes the data. Idempotent. */
  cleanup(): Promise<void>;
}

/** A backend of the suite: its name and a factory of fresh, empty stores behind a connection. */
export interface TableBackend {
  readonly name: string;
  /**
   * Whether a `putMany` is applied as one atomic write across rows and regions and a scan reads one
   * snapshot, so that scans see a batch whole or not at all (the embedded store: one LevelDB batch,
   * one snapshot). HBase guarantees atomicity per row only: a batch is applied row by row (region by
   * region) and a scan sees rows as they are written, so over the wire scans see every row whole but
   * may see part of a batch.
   */
  readonly atomicBatches: boolean;
  open(): Promise<OpenedBackend>;
}

async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}

/**
 * The embedded store, on a fresh temp dir per `open()`, with `engine` (default: the store's default
 * engine, LMDB); named "embedded (ENGINE)" when an engine is given.
 */
export function embeddedBackend(engine?: StorageEngineKind): TableBackend {
  const options = engine === undefined ? {} : { engine };
  return {
    name: engine === undefined ? "embedded" : `embedded (${engine})`,
    atomicBatches: true,
    async open() {
      const dir = await tempDir("sluice-hbase-");
      let connection = await connect({ path: dir, ...options });
      let cleaned: Promise<void> | undefined;
      return {
        get connection() {
          return connection;
        },
        get admin() {
          return connection.admin;
        },
        async reconnect() {
          await connection.close().catch(() => undefined);
          connection = await connect({ path: dir, ...options });
          return connection;
        },
        cleanup() {
          cleaned ??= (async () => {
            await connection.close().catch(() => undefined);
            await rm(dir, { recursive: true, force: true });
          })();
          return cleaned;
        },
      };
    },
  };
}

/** Options of {@link wireBackend}. */
export interface WireBackendOptions {
  /**
   * ZooKeeper quorum (one server per test file: `startZooKeeper().connectString`), or a function giving
   * it when a backend is opened (the server is started in `beforeAll`, after the suite is declared).
   */
  zookeeper: string | (() => string);
  /** The endpoint's compat mode. */
  compat: 1 | 2;
  /**
   * Whether admin goes over the wire (MasterService). False: tables are set up with the admin of the
   * embedded store behind the endpoint.
   */
  adminOverWire: boolean;
}

let rootSeq = 0;

/**
 * A running local endpoint over a store, restartable on the same store (same data, another port):
 * what the wire backend and the restart tests use.
 */
export interface ServedStore {
  /** The embedded store behind the endpoint. */
  readonly store: Connection;
  /** The endpoint now running (undefined while stopped). */
  readonly endpoint: LocalEndpoint | undefined;
  readonly zookeeper: string;
  readonly root: string;
  /** Stops the endpoint (the store stays open). */
  stopEndpoint(): Promise<void>;
  /** Starts the endpoint again on the same store and root (a new port unless `port` is given). */
  startEndpoint(port?: number): Promise<LocalEndpoint>;
  /** Stops the endpoint, closes the store, removes its dir. Idempotent. */
  close(): Promise<void>;
}

/** An embedded store on a fresh temp dir served by a local endpoint under a fresh ZooKeeper root. */
export async function serveStore(options: { zookeeper: string; compat: 1 | 2 }): Promise<ServedStore> {
  const dir = await tempDir("sluice-hbase-wire-");
  const store = await connect({ path: dir });
  const root = `/hbase-suite-${process.pid}-${++rootSeq}`;
  let endpoint: LocalEndpoint | undefined;
  const start = async (port?: number) => {
    endpoint = await startLocalEndpoint({ connection: store, zookeeper: options.zookeeper, root, compat: options.compat, ...(port === undefined ? {} : { port }) });
    return endpoint;
  };
  try {
    await start();
  } catch (error) {
    await store.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  let closed: Promise<void> | undefined;
  const served: ServedStore = {
    store,
    get endpoint() {
      return endpoint;
    },
    zookeeper: options.zookeeper,
    root,
    async stopEndpoint() {
      const running = endpoint;
      endpoint = undefined;
      await running?.stop();
    },
    startEndpoint: start,
    close() {
      closed ??= (async () => {
        await served.stopEndpoint().catch(() => undefined);
        await store.close().catch(() => undefined);
        await rm(dir, { recursive: true, force: true });
      })();
      return closed;
    },
  };
  return served;
}

/**
 * Sluice's wire client against a local endpoint: per `open()` a fresh embedded store, an endpoint in
 * `compat` mode under its own ZooKeeper root, and `connect({ zookeeper, root })`.
 */
export function wireBackend(options: WireBackendOptions): TableBackend {
  return {
    name: `wire (compat ${options.compat})`,
    atomicBatches: false,
    async open() {
      const zookeeper = typeof options.zookeeper === "function" ? options.zookeeper() : options.zookeeper;
      const served = await serveStore({ zookeeper, compat: options.compat });
      const open = () => connect({ zookeeper, root: served.root });
      let connection: Connection;
      try {
        connection = await open();
      } catch (error) {
        await served.close();
        throw error;
      }
      let cleaned: Promise<void> | undefined;
      return {
        get connection() {
          return connection;
        },
        get admin() {
          return options.adminOverWire ? connection.admin : served.store.admin;
        },
        async reconnect() {
          await connection.close().catch(() => undefined);
          connection = await open();
          return connection;
        },
        cleanup() {
          cleaned ??= (async () => {
            await connection.close().catch(() => undefined);
            await served.close();
          })();
          return cleaned;
        },
      };
    },
  };
}
