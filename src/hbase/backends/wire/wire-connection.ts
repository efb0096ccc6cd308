/**
 * A connection to an HBase cluster (or the local endpoint) through its native RPC protocol: ZooKeeper
 * discovery of hbase:meta and the master (`cluster-discovery.ts`), a region cache
 * (`region-locator.ts`), one RPC connection per server (`server-connections.ts`), tables
 * (`wire-table.ts`), buffered mutators over them, and the Admin over MasterService (`wire-admin.ts`,
 * given a {@link WireAdminContext}).
 */
import { createBufferedMutator } from "../../buffered-mutator.js";
import type { TableName } from "../../model/table-descriptor.js";
import type { Admin, BufferedMutator, BufferedMutatorOptions, Connection, Table, TableRef } from "../../table.js";
import type { GetTableDescriptorsResponse } from "../../wire/hbase-protos.js";
import { parseTableRef } from "../embedded/table-name.js";
import { ClusterDiscovery, type DiscoveryStatus } from "./cluster-discovery.js";
import { createWireAdmin } from "./wire-admin.js";
import { RegionLocator, TableNotFoundError, tableLabel } from "./region-locator.js";
import { withRetries } from "./retry.js";
import { ServerConnections, type ServerAddress } from "./server-connections.js";
import type { WireAdminContext } from "./wire-admin-context.js";
import { NonceGenerator } from "./nonce-generator.js";
import { familyMap, type TableShape } from "./wire-codec.js";
import { retryReason, WireConnectionClosedError } from "./wire-errors.js";
import { wireSettings, type WireConnectOptions, type WireSettings } from "./wire-options.js";
import { closeScanner, type OpenScanner } from "./wire-scanner.js";
import { WireTable, type WireTableContext } from "./wire-table.js";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** How long "the families of this table are unknown" (no master answered) is believed. */
const UNKNOWN_SHAPE_MS = 10_000;

/** An open connection to a cluster. */
export class WireConnection implements Connection {
  readonly admin: Admin;
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly servers: ServerConnections;
  private readonly locator: RegionLocator;
  private readonly tableContext: WireTableContext;
  private readonly shapes = new Map<string, { at: number; shape: Promise<TableShape> }>();
  private readonly scanners = new Set<OpenScanner>();
  private readonly mutators = new Set<BufferedMutator>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private master: ServerAddress | undefined;

  private constructor(
    readonly settings: WireSettings,
    private readonly discovery: ClusterDiscovery,
    adminFactory: (context: WireAdminContext) => Admin,
  ) {
    const nonces = new NonceGenerator();
    this.servers = new ServerConnections({
      callTimeoutMs: settings.callTimeoutMs,
      connectTimeoutMs: settings.connectTimeoutMs,
      closedMessage: () => this.closedMessage(),
    });
    this.locator = new RegionLocator({
      servers: this.servers,
      metaServer: (deadline) => discovery.metaServer(deadline),
      metaServerFailed: (server) => discovery.metaServerFailed(server),
      waitMs: settings.operationTimeoutMs,
    });
    discovery.onMetaChange(() => this.locator.clear());
    discovery.onMasterChange(() => {
      const previous = this.master;
      this.master = undefined;
      if (previous !== undefined) void this.servers.drop(previous);
    });
    this.tableContext = {
      settings,
      locator: this.locator,
      servers: this.servers,
      checkOpen: () => this.checkOpen(),
      operation: (run) => this.operation(run),
      shape: (table, fresh) => this.shape(table, fresh),
      nonces,
      trackScanner: (scanner) => {
        this.scanners.add(scanner);
        return () => void this.scanners.delete(scanner);
      },
    };
    this.admin = adminFactory(this.adminContext());
  }

  /**
   * Connects to ZooKeeper and checks that an HBase is registered under the root. Rejects with a clear
   * error when ZooKeeper cannot be reached or `<root>/meta-region-server` is absent.
   */
  static async open(options: WireConnectOptions, adminFactory: (context: WireAdminContext) => Admin = createWireAdmin): Promise<WireConnection> {
    const settings = wireSettings(options);
    const discovery = await ClusterDiscovery.connect({
      quorum: settings.quorum,
      root: settings.root,
      connectTimeoutMs: settings.connectTimeoutMs,
      operationTimeoutMs: settings.operationTimeoutMs,
      sessionTimeoutMs: settings.zookeeperSessionTimeoutMs,
    });
    return new WireConnection(settings, discovery, adminFactory);
  }

  /**
   * The ZooKeeper side now: connected, disconnected (same session), renewing (session lost, a new one
   * being made) or closed; sessions made so far; why the last one was given up.
   */
  get zookeeper(): DiscoveryStatus {
    return this.discovery.status;
  }

  /** This connection's nonce group (HBase's per-client `nonce_group`, sent with increments and appends). */
  get nonceGroup(): bigint {
    return this.tableContext.nonces.group;
  }

  /** "quorum/root", as in messages. */
  get cluster(): string {
    return this.discovery.description;
  }

  /** A table handle; the table need not exist yet (operations on a missing table reject). */
  table(table: TableRef): Table {
    this.checkOpen();
    return new WireTable(this.tableContext, parseTableRef(table));
  }

  /** A buffered mutator over this connection's table handle; closing the connection flushes it. */
  bufferedMutator(table: TableRef, options?: BufferedMutatorOptions): BufferedMutator {
    const mutator = createBufferedMutator(this.table(table), options);
    for (const m of this.mutators) if (m.closed) this.mutators.delete(m);
    this.mutators.add(mutator);
    return mutator;
  }

  /**
   * Flushes and closes the buffered mutators, waits for running operations, closes the scanners still
   * open on servers, the RPC connections and the ZooKeeper session. Later calls reject. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    const open = [...this.mutators].filter((m) => !m.closed);
    this.mutators.clear();
    const flushed = await Promise.allSettled(open.map((m) => m.close()));
    this.closed = true;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    const scanners = [...this.scanners];
    this.scanners.clear();
    await Promise.allSettled(scanners.map((s) => closeScanner(this.servers, s)));
    await this.servers.close();
    await this.discovery.close();
    const failed = flushed.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed !== undefined) throw failed.reason;
  }

  private closedMessage(): string {
    return `the connection to HBase at ${this.discovery.description} is closed`;
  }

  private checkOpen(): void {
    if (this.closed) throw new WireConnectionClosedError(this.closedMessage());
  }

  private operation<T>(run: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new WireConnectionClosedError(this.closedMessage()));
    const pending = run();
    this.inFlight.add(pending);
    const forget = () => void this.inFlight.delete(pending);
    pending.then(forget, forget);
    return pending;
  }

  /**
   * The table's family names, from the master's GetTableDescriptors (cached); unknown (the server
   * checks) while no master answers. A table the master does not know is "not found".
   */
  private shape(table: TableName, fresh = false): Promise<TableShape> {
    const label = tableLabel(table);
    const cached = this.shapes.get(label);
    if (!fresh && cached !== undefined) return cached.shape;
    const request = { table_names: [{ namespace: enc.encode(table.namespace), qualifier: enc.encode(table.name) }] };
    // no waiting for ZooKeeper here: while the master cannot be found, the server checks families
    const shape = this.callMaster("GetTableDescriptors", request, false).then(
      (response): TableShape => {
        const schema = ((response as GetTableDescriptorsResponse).table_schema ?? [])[0];
        if (schema === undefined) {
          this.shapes.delete(label);
          throw new TableNotFoundError(label);
        }
        const names = (schema.column_families ?? []).map((f) => dec.decode(f.name));
        return { label, families: familyMap(names.map((name) => ({ name, maxVersions: 1, minVersions: 0, ttlMs: Infinity }))) };
      },
      (error: unknown): TableShape => {
        if (error instanceof WireConnectionClosedError) throw error;
        setTimeout(() => {
          if (this.shapes.get(label)?.shape === shape) this.shapes.delete(label);
        }, UNKNOWN_SHAPE_MS).unref();
        return { label, families: undefined };
      },
    );
    this.shapes.set(label, { at: Date.now(), shape });
    shape.catch(() => undefined);
    return shape;
  }

  /**
   * A MasterService call on the active master, reconnecting once when the connection was lost. Finding
   * the master may wait for ZooKeeper up to the operation timeout (`wait`), or not at all.
   */
  private async callMaster(method: string, request: object, wait = true): Promise<object> {
    this.checkOpen();
    const deadline = wait ? Date.now() + this.settings.operationTimeoutMs : 0;
    const master = (this.master ??= await this.discovery.master(deadline));
    try {
      return await this.servers.call<object>(master, "MasterService", method, request);
    } catch (error) {
      if (retryReason(error) !== "connection") throw error;
      this.discovery.masterFailed(master);
      this.master = undefined;
      await this.servers.drop(master);
      const again = (this.master = await this.discovery.master(deadline));
      return this.servers.call<object>(again, "MasterService", method, request);
    }
  }

  private adminContext(): WireAdminContext {
    return {
      callMaster: (method, request) => this.callMaster(method, request),
      callAdmin: (server, method, request) => {
        this.checkOpen();
        return this.servers.call<object>(server, "AdminService", method, request);
      },
      regions: async (table) => {
        const scope = { settings: this.settings, checkOpen: () => this.checkOpen(), table: tableLabel(table) };
        const locations = await withRetries(scope, undefined, (_n, deadline) => this.locator.regions(table, deadline));
        return locations.map((l) => ({ region: l.info, regionName: l.name, server: { host: l.server.host, port: l.server.port } }));
      },
      invalidate: (table) => {
        this.locator.invalidate(table);
        this.shapes.delete(tableLabel(table));
      },
    };
  }
}
