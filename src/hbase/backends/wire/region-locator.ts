/**
 * Region locations: which region of a table holds a row, and which server serves it, found by a
 * REVERSED scan of hbase:meta (from `<table>,<row>,99999999999999` down to `<table>,,` — what HBase 2
 * clients do; it works on 1.x servers too) and cached per table, sorted by start key. Locations are
 * forgotten when a call fails with NotServingRegion / RegionMoved / WrongRegion or a lost connection,
 * when the meta server changes in ZooKeeper, and on request (`invalidate`).
 */
import { compareBytes, concatBytes, toStringBinary } from "../../bytes/bytes.js";
import type { RegionInfo as ModelRegionInfo, TableName } from "../../model/table-descriptor.js";
import { RegionSpecifierType, type RegionInfo, type Result as WireResult, type ScanRequest, type ScanResponse } from "../../wire/hbase-protos.js";
import {
  decodeRegionInfoCell,
  decodeServerCell,
  INFO_FAMILY,
  META_REGION_NAME,
  metaSearchKey,
  regionNameOf,
  REGIONINFO_QUALIFIER,
  SERVER_QUALIFIER,
  tableNameToString,
} from "../../wire/meta-row.js";
import type { ServerAddress, ServerConnections } from "./server-connections.js";
import { DiscoveryUnavailableError, RetriableLookupError, retryReason } from "./wire-errors.js";

const EMPTY = new Uint8Array(0);
const enc = new TextEncoder();

/**
 * For a lookup whose failure makes the locator fall back to the table's whole region list: a lost meta
 * server or an unreachable ZooKeeper is rethrown (the region list needs the same), anything else means
 * "not found this way".
 */
function passUnreachable(error: unknown): undefined {
  if (error instanceof DiscoveryUnavailableError || retryReason(error) === "connection") throw error;
  return undefined;
}

/** A region and where it is served. */
export interface RegionLocation {
  /** The region as hbase:meta describes it. */
  readonly info: RegionInfo;
  /** The region name (the meta row key), used as the RegionSpecifier of calls. */
  readonly name: Uint8Array;
  readonly startKey: Uint8Array;
  /** Empty for the table's last region. */
  readonly endKey: Uint8Array;
  readonly server: ServerAddress;
}

/** "ns:name", or "name" in the default namespace. */
export function tableLabel(table: TableName): string {
  return table.namespace === "default" ? table.name : `${table.namespace}:${table.name}`;
}

/** "<table>,": every meta row of the table starts with it (HBase's lookups stop at "<table>,,"). */
function tablePrefix(label: string): Uint8Array {
  return concatBytes(enc.encode(label), Uint8Array.of(0x2c));
}

/** Whether `row` lies in the region. */
export function regionContains(location: Pick<RegionLocation, "startKey" | "endKey">, row: Uint8Array): boolean {
  return compareBytes(row, location.startKey) >= 0 && (location.endKey.length === 0 || compareBytes(row, location.endKey) < 0);
}

/** The Table API's view of a located region. */
export function modelRegion(location: RegionLocation): ModelRegionInfo {
  return { startKey: location.startKey, endKey: location.endKey };
}

/** Thrown when hbase:meta has no region of the table: the same message as the embedded store's. */
export class TableNotFoundError extends Error {
  override readonly name = "TableNotFoundError";
  constructor(readonly table: string) {
    super(`table ${table} not found`);
  }
}

export interface RegionLocatorDeps {
  readonly servers: ServerConnections;
  /**
   * Where hbase:meta is served now (a retriable error while unknown); may wait for ZooKeeper until
   * `deadline` (ms since the epoch).
   */
  readonly metaServer: (deadline: number) => Promise<ServerAddress>;
  /** Told when a call to the meta server failed in a way that may mean it moved. */
  readonly metaServerFailed: (server: ServerAddress) => void;
  /** How long a lookup given no deadline may wait for ZooKeeper (the operation timeout). */
  readonly waitMs: number;
}

/** The region cache of one wire connection. */
export class RegionLocator {
  /** Per table label: locations sorted by start key, never overlapping. */
  private readonly cache = new Map<string, RegionLocation[]>();

  constructor(private readonly deps: RegionLocatorDeps) {}

  /**
   * The region holding `row` (cached, else looked up in hbase:meta). `deadline` (ms since the epoch)
   * bounds a wait for ZooKeeper (default: the operation timeout from now).
   */
  async locate(table: TableName, row: Uint8Array, deadline = this.defaultDeadline()): Promise<RegionLocation> {
    const cached = this.cached(table, row);
    if (cached !== undefined) return cached;
    const label = tableLabel(table);
    const found = await this.metaLookup(label, metaSearchKey(label, row), true, deadline).catch(passUnreachable);
    if (found !== undefined && regionContains(found, row)) {
      this.remember(label, found);
      return found;
    }
    // Start keys with bytes below ',' sort differently in a plain-bytes meta than in HBase's meta
    // order: then the lookup misses, and the table's whole region list decides.
    return this.fromRegionList(table, (l) => regionContains(l, row), `holding row ${toStringBinary(row)}`, deadline);
  }

  /** The region `pick` chooses among all of the table's regions (read fresh from meta and cached). */
  private async fromRegionList(table: TableName, pick: (location: RegionLocation) => boolean, what: string, deadline: number): Promise<RegionLocation> {
    const all = await this.regions(table, deadline);
    const hit = all.find(pick);
    if (hit === undefined) throw new RetriableLookupError(`hbase:meta has no region of table ${tableLabel(table)} ${what} (a region in transition?)`);
    return hit;
  }

  /** The region just before the one starting at `startKey` (for reversed scans; `startKey` is not empty). */
  async locateBefore(table: TableName, startKey: Uint8Array, deadline = this.defaultDeadline()): Promise<RegionLocation> {
    const label = tableLabel(table);
    const list = this.cache.get(label);
    const hit = list?.find((l) => l.endKey.length > 0 && compareBytes(l.endKey, startKey) === 0);
    if (hit !== undefined) return hit;
    const found = await this.metaLookup(label, concatBytes(enc.encode(label), Uint8Array.of(0x2c), startKey, Uint8Array.of(0x2c)), false, deadline).catch(passUnreachable);
    if (found !== undefined && found.endKey.length > 0 && compareBytes(found.endKey, startKey) === 0) {
      this.remember(label, found);
      return found;
    }
    return this.fromRegionList(table, (l) => l.endKey.length > 0 && compareBytes(l.endKey, startKey) === 0, `ending at ${toStringBinary(startKey)}`, deadline);
  }

  /** The table's last region (reversed scans without a start row). */
  async locateLast(table: TableName, deadline = this.defaultDeadline()): Promise<RegionLocation> {
    const label = tableLabel(table);
    const list = this.cache.get(label);
    const last = list?.[list.length - 1];
    if (last !== undefined && last.endKey.length === 0) return last;
    // Every meta row of the table starts with "<table>," (0x2c); "<table>-" (0x2d) is above all of them.
    const found = await this.metaLookup(label, concatBytes(enc.encode(label), Uint8Array.of(0x2d)), false, deadline).catch(passUnreachable);
    if (found !== undefined && found.endKey.length === 0) {
      this.remember(label, found);
      return found;
    }
    return this.fromRegionList(table, (l) => l.endKey.length === 0, "ending the table", deadline);
  }

  /** Every region of the table in key order, fresh from hbase:meta (the cache is refreshed with them). */
  async regions(table: TableName, deadline = this.defaultDeadline()): Promise<RegionLocation[]> {
    const label = tableLabel(table);
    const start = tablePrefix(label); // "<table>,": below every meta row of the table
    const stop = concatBytes(enc.encode(label), Uint8Array.of(0x2d));
    const out: RegionLocation[] = [];
    let from = start;
    let inclusive = true;
    for (;;) {
      const rows = await this.metaScan({ start_row: from, stop_row: stop, reversed: false, include_start_row: inclusive }, 1000, deadline);
      for (const row of rows) {
        const location = this.parseRow(row, label);
        if (location !== undefined && !location.info.offline && !location.info.split) out.push(location);
      }
      if (rows.length < 1000) break;
      from = rows[rows.length - 1]!.cell![0]!.row!;
      inclusive = false;
    }
    if (out.length === 0) throw new TableNotFoundError(label);
    out.sort((a, b) => compareBytes(a.startKey, b.startKey));
    this.cache.set(label, out.slice());
    return out;
  }

  /** Forgets the table's locations. */
  invalidate(table: TableName): void {
    this.cache.delete(tableLabel(table));
  }

  /** Forgets one location (after the server said it does not serve it). */
  invalidateLocation(table: TableName, location: RegionLocation): void {
    const label = tableLabel(table);
    const list = this.cache.get(label);
    if (list === undefined) return;
    const kept = list.filter((l) => compareBytes(l.name, location.name) !== 0);
    if (kept.length === 0) this.cache.delete(label);
    else this.cache.set(label, kept);
  }

  /** Forgets every location served by `server` (after losing the connection to it). */
  invalidateServer(server: ServerAddress): void {
    for (const [label, list] of this.cache) {
      const kept = list.filter((l) => l.server.host !== server.host || l.server.port !== server.port);
      if (kept.length === 0) this.cache.delete(label);
      else this.cache.set(label, kept);
    }
  }

  /** Forgets everything (the meta server changed). */
  clear(): void {
    this.cache.clear();
  }

  private defaultDeadline(): number {
    return Date.now() + this.deps.waitMs;
  }

  private cached(table: TableName, row: Uint8Array): RegionLocation | undefined {
    const list = this.cache.get(tableLabel(table));
    if (list === undefined) return undefined;
    let lo = 0;
    let hi = list.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (compareBytes(list[mid]!.startKey, row) <= 0) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const candidate = best < 0 ? undefined : list[best];
    return candidate !== undefined && regionContains(candidate, row) ? candidate : undefined;
  }

  private remember(label: string, location: RegionLocation): void {
    const list = (this.cache.get(label) ?? []).filter(
      (l) =>
        // drop every cached region overlapping the new one
        !((location.endKey.length === 0 || compareBytes(l.startKey, location.endKey) < 0) && (l.endKey.length === 0 || compareBytes(l.endKey, location.startKey) > 0)),
    );
    list.push(location);
    list.sort((a, b) => compareBytes(a.startKey, b.startKey));
    this.cache.set(label, list);
  }

  /** The first usable region of a reversed meta scan from `searchKey` (inclusive or not) down to the table's first. */
  private async metaLookup(label: string, searchKey: Uint8Array, inclusive: boolean, deadline: number): Promise<RegionLocation> {
    const rows = await this.metaScan({ start_row: searchKey, stop_row: tablePrefix(label), reversed: true, include_start_row: inclusive }, 5, deadline);
    let sawRegion = false;
    for (const row of rows) {
      const location = this.parseRow(row, label);
      if (location === undefined) continue;
      sawRegion = true;
      if (location.info.offline || location.info.split) continue;
      return location;
    }
    if (!sawRegion) throw new TableNotFoundError(label);
    throw new RetriableLookupError(`hbase:meta shows only offline or split regions of table ${label} there (a split in progress?)`);
  }

  /** One meta scan call (scanner opened and closed in the same call). */
  private async metaScan(scan: NonNullable<ScanRequest["scan"]>, rows: number, deadline: number): Promise<WireResult[]> {
    const server = await this.deps.metaServer(deadline);
    const request: ScanRequest = {
      region: { type: RegionSpecifierType.REGION_NAME, value: META_REGION_NAME },
      scan: { ...scan, column: [{ family: INFO_FAMILY }], caching: rows },
      number_of_rows: rows,
      close_scanner: true,
    };
    let response: ScanResponse;
    try {
      response = await this.deps.servers.call<ScanResponse>(server, "ClientService", "Scan", request);
    } catch (error) {
      if (retryReason(error) !== undefined) this.deps.metaServerFailed(server);
      throw error;
    }
    return (response.results ?? []).filter((r) => (r.cell ?? []).length > 0);
  }

  /** A meta row as a location, or undefined when it is another table's or not assigned to a server. */
  private parseRow(row: WireResult, label: string): RegionLocation | undefined {
    let info: RegionInfo | undefined;
    let server: ServerAddress | undefined;
    for (const cell of row.cell ?? []) {
      const q = cell.qualifier ?? EMPTY;
      if (compareBytes(q, REGIONINFO_QUALIFIER) === 0) info = decodeRegionInfoCell(cell.value ?? EMPTY);
      else if (compareBytes(q, SERVER_QUALIFIER) === 0 && (cell.value ?? EMPTY).length > 0) server = decodeServerCell(cell.value!);
    }
    if (info === undefined || tableNameToString(info.table_name) !== label) return undefined;
    if (server === undefined) {
      throw new RetriableLookupError(`region ${new TextDecoder().decode(regionNameOf(info))} of table ${label} is not assigned to a server yet`);
    }
    const name = row.cell?.[0]?.row ?? regionNameOf(info);
    return { info, name, startKey: info.start_key ?? EMPTY, endKey: info.end_key ?? EMPTY, server };
  }
}
