/**
 * The regions the endpoint serves: every user table's regions (from the store's `describeTable`), each
 * with its HBase region name `<table>,<startKey>,<regionId>.<md5>.`, looked up by full or encoded name.
 * Rebuilt from the catalog on demand (tables created or split after start appear on the next refresh).
 *
 * Region ids: every region served at the first refresh gets the endpoint's start code; a region that
 * appears later (a new table's, or a daughter of a split) gets a fresh id above every id handed out
 * (the current time in ms, as HBase's), and keeps it while its table and bounds stay the same. So after
 * a split both daughters carry new names and the parent's name is no longer served
 * (NotServingRegionException: clients re-locate).
 */
import type { Connection } from "../table.js";
import type { FamilyDescriptor, TableDescriptor, TableName } from "../model/table-descriptor.js";
import { encodedRegionName, regionName } from "../wire/meta-row.js";

/** One served region of a user table. */
export interface ServedRegion {
  /** "name" (default namespace) or "ns:name": what `Connection.table()` takes and meta shows. */
  readonly table: string;
  readonly startKey: Uint8Array;
  /** Exclusive; empty = the table's end. */
  readonly endKey: Uint8Array;
  readonly regionId: bigint;
  /** The region name (meta row key). */
  readonly name: Uint8Array;
  /** The md5 hex of the name's first part. */
  readonly encodedName: string;
  readonly families: readonly FamilyDescriptor[];
}

/** "name" for the default namespace, else "ns:name". */
export function tableRefString(name: TableName): string {
  return name.namespace === "default" || name.namespace === "" ? name.name : `${name.namespace}:${name.name}`;
}

function key(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("latin1");
}

/** Region names → regions of the store behind a connection. */
export class RegionDirectory {
  private byName = new Map<string, ServedRegion>();
  private byEncoded = new Map<string, ServedRegion>();
  private all: ServedRegion[] = [];
  private refreshing: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private loaded = false;
  /** `table \0 start \0 end` → region id, for regions served so far. */
  private ids = new Map<string, bigint>();
  private lastId: bigint;
  /** The descriptor each table's regions were built from (a different one means: re-read). */
  private seen = new Map<string, TableDescriptor>();

  /**
   * @param connection the store served
   * @param regionId the id every region name carries (HBase uses the region's creation time)
   */
  constructor(
    private readonly connection: Connection,
    private readonly regionId: bigint,
  ) {
    this.lastId = regionId;
  }

  /** Every region of every user table, in table then key order. */
  get regions(): readonly ServedRegion[] {
    return this.all;
  }

  /** Re-reads the catalog; resolves once a load that started after this call has finished. */
  refresh(): Promise<void> {
    if (this.refreshing === undefined) {
      this.refreshing = this.load().finally(() => {
        this.refreshing = undefined;
      });
      return this.refreshing;
    }
    // A load already running may have read the catalog before the caller's change (a split): queue
    // one more that starts after it; every caller waiting meanwhile shares that one.
    this.queued ??= this.refreshing
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.refresh();
      });
    return this.queued;
  }

  /**
   * The region with this full or encoded name, refreshing once when it is unknown or when its table's
   * descriptor changed since (split, deleted, re-created): a split parent is then no longer found.
   */
  async find(name: Uint8Array, encoded: boolean): Promise<ServedRegion | undefined> {
    const look = (): ServedRegion | undefined => (encoded ? this.byEncoded.get(new TextDecoder().decode(name)) : this.byName.get(key(name)));
    const hit = look();
    if (hit && (await this.current(hit.table))) return hit;
    await this.refresh();
    return look();
  }

  /** Whether the regions of `table` were built from its current descriptor. */
  private async current(table: string): Promise<boolean> {
    try {
      return (await this.connection.admin.describeTable(table)) === this.seen.get(table);
    } catch {
      return false;
    }
  }

  /** A known region's id, else `fresh()` (one new id per refresh: both daughters of a split share it, as in HBase). */
  private idOf(table: string, startKey: Uint8Array, endKey: Uint8Array, fresh: () => bigint): bigint {
    return this.ids.get(`${table}\u0000${key(startKey)}\u0000${key(endKey)}`) ?? fresh();
  }

  private async load(): Promise<void> {
    const first = !this.loaded;
    this.loaded = true;
    const names = await this.connection.admin.listTables();
    const regions: ServedRegion[] = [];
    const seen = new Map<string, TableDescriptor>();
    const ids = new Map<string, bigint>();
    let freshId: bigint | undefined;
    const fresh = (): bigint => {
      if (first) return this.regionId;
      if (freshId === undefined) {
        const now = BigInt(Date.now());
        freshId = now > this.lastId ? now : this.lastId + 1n;
        this.lastId = freshId;
      }
      return freshId;
    };
    for (const tableName of names) {
      const table = tableRefString(tableName);
      let descriptor;
      try {
        descriptor = await this.connection.admin.describeTable(table);
      } catch {
        continue; // deleted meanwhile
      }
      seen.set(table, descriptor);
      for (const r of descriptor.regions) {
        const regionId = this.idOf(table, r.startKey, r.endKey, fresh);
        ids.set(`${table}\u0000${key(r.startKey)}\u0000${key(r.endKey)}`, regionId);
        const name = regionName(table, r.startKey, regionId);
        const firstPartLength = name.length - 34; // ".<32 hex>."
        regions.push({
          table,
          startKey: r.startKey,
          endKey: r.endKey,
          regionId,
          name,
          encodedName: encodedRegionName(name.subarray(0, firstPartLength)),
          families: descriptor.families,
        });
      }
    }
    this.all = regions;
    this.seen = seen;
    this.ids = ids;
    this.byName = new Map(regions.map((r) => [key(r.name), r]));
    this.byEncoded = new Map(regions.map((r) => [r.encodedName, r]));
  }
}
