/**
 * `startLocalEndpoint`: serves an embedded store `Connection` over HBase's native RPC (ClientService on
 * hbase:meta and on every user region, MasterService for table admin, AdminService for region admin),
 * registered in ZooKeeper as `<root>/meta-region-server` and `<root>/master` so that HBase clients find
 * it as they find a cluster.
 */
import os from "node:os";
import type { Connection } from "../table.js";
import type { MutateResponse } from "../wire/hbase-protos.js";
import { RpcServer, typedService } from "../wire/rpc-server.js";
import { defaultZnodeId, encodeMaster, encodeMetaRegionServer } from "../wire/zk-envelope.js";
import { adminService } from "./admin-service.js";
import { clientService } from "./client-service.js";
import { masterService } from "./master-service.js";
import { MasterState } from "./table-states.js";
import { RegionDirectory } from "./region-directory.js";
import { ScannerRegistry } from "./scanner-registry.js";
import { NonceRegistry } from "./nonce-registry.js";
import { ZooKeeperRegistration, type RegistrationStatus } from "./zookeeper-registration.js";

/** Options of {@link startLocalEndpoint}. */
export interface LocalEndpointOptions {
  /** The store served (e.g. from `connect({ path })`); not closed by `stop()`. */
  connection: Connection;
  /** ZooKeeper quorum, `host:port[,host:port...]`. */
  zookeeper: string;
  /** Root znode (default `/hbase`). */
  root?: string;
  /** Address to listen on and to register (default 127.0.0.1). */
  host?: string;
  /** Port to listen on (default 0: a free port). */
  port?: number;
  /**
   * 2 (default): behave as HBase 2.x — Get with closest_row_before is rejected with
   * UnknownProtocolException, exhausted scanners close on their own. 1: answer closest_row_before on
   * hbase:meta as 1.x (what hbase-rpc-client needs) and keep exhausted scanners open until closed.
   */
  compat?: 1 | 2;
  /** Scanner lease in ms (the `ttl` answered; default 60 000). */
  scannerLeaseMs?: number;
  /** Replace znodes still held by an earlier session (a crashed endpoint's; default false). */
  replaceZNodes?: boolean;
  /** ZooKeeper session timeout (default 10 000 ms). */
  sessionTimeoutMs?: number;
}

/** A running local endpoint. */
export interface LocalEndpoint {
  readonly host: string;
  readonly port: number;
  /** The start code registered in ZooKeeper and in meta's `info:serverstartcode`. */
  readonly startCode: number;
  readonly compat: 1 | 2;
  /**
   * The ZooKeeper registration now: `registered`, `disconnected`, `renewing` (the session was lost — expired,
   * or disconnected for twice its timeout — and a new one is being made, which registers both znodes
   * again), `closed`; `sessions` counts the sessions that registered.
   */
  readonly zookeeper: RegistrationStatus;
  /** Closes the ZooKeeper session (its ephemeral znodes go at once), the scanners and the server. */
  stop(): Promise<void>;
}

function checkOptions(o: LocalEndpointOptions): void {
  if (o === null || typeof o !== "object") throw new TypeError("startLocalEndpoint needs options { connection, zookeeper }");
  if (!o.connection || typeof o.connection.table !== "function") throw new TypeError("startLocalEndpoint: connection must be a Table API Connection (from connect())");
  if (typeof o.zookeeper !== "string" || o.zookeeper.trim() === "") throw new TypeError("startLocalEndpoint: zookeeper must be a quorum string host:port[,host:port...]");
  if (o.compat !== undefined && o.compat !== 1 && o.compat !== 2) throw new TypeError(`startLocalEndpoint: compat must be 1 or 2, got ${String(o.compat)}`);
  if (o.port !== undefined && (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535)) throw new TypeError(`startLocalEndpoint: port must be an integer 0..65535, got ${String(o.port)}`);
}

/** Starts the endpoint: listens, then registers itself in ZooKeeper. */
export async function startLocalEndpoint(options: LocalEndpointOptions): Promise<LocalEndpoint> {
  checkOptions(options);
  const host = options.host ?? "127.0.0.1";
  const compat = options.compat ?? 2;
  const startCode = Date.now();
  const directory = new RegionDirectory(options.connection, BigInt(startCode));
  const scanners = new ScannerRegistry(options.scannerLeaseMs ?? 60_000);
  const nonces = new NonceRegistry<MutateResponse>(options.scannerLeaseMs ?? 60_000);
  const serverRef = { host, port: 0, startCode };
  const state = new MasterState();
  const connection = options.connection;
  const server = await RpcServer.start({
    host,
    port: options.port ?? 0,
    services: {
      ClientService: typedService(
        "ClientService",
        clientService({ connection, directory, scanners, nonces, server: serverRef, compat, isDisabled: (t) => state.isDisabled(t) }),
      ),
      MasterService: typedService("MasterService", masterService({ connection, directory, state })),
      AdminService: typedService("AdminService", adminService({ connection, directory, state })),
    },
  });
  serverRef.port = server.port;
  let registration: ZooKeeperRegistration;
  try {
    await directory.refresh();
    const serverName = { host_name: host, port: server.port, start_code: startCode };
    const id = defaultZnodeId(os.hostname());
    registration = await ZooKeeperRegistration.start({
      quorum: options.zookeeper,
      root: options.root ?? "/hbase",
      sessionTimeoutMs: options.sessionTimeoutMs ?? 10_000,
      metaRegionServer: encodeMetaRegionServer({ server: serverName, rpc_version: 0, state: 3 }, id),
      master: encodeMaster({ master: serverName, rpc_version: 0, info_port: 0 }, id),
      replace: options.replaceZNodes ?? false,
    });
  } catch (error) {
    await server.close();
    await scanners.closeAll();
    nonces.clear();
    throw error;
  }
  const zk = registration;
  let stopping: Promise<void> | undefined;
  return {
    host,
    port: server.port,
    startCode,
    compat,
    get zookeeper() {
      return zk.status;
    },
    stop() {
      stopping ??= (async () => {
        await zk.close().catch(() => undefined);
        await server.close();
        await scanners.closeAll();
        nonces.clear();
      })();
      return stopping;
    },
  };
}
