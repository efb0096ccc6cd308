/**
 * The regions the endpoint serves: every user table's regions (from the store's `describeTable`), each
 * with its HBase region name `<table>,<startKey>,<regionId>.<md5>.`, looked up by full or encoded name.
 * Rebuilt from the catalog on demand (tables created or split after start appear on the next refresh).
 */
import type { Connection } from "../table.js";
import type { FamilyDescriptor, TableName } from "../model/table-descriptor.js";
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

  /**
   * @param connection the store served
   * @param regionId the id every region name carries (HBase uses the region's creation time)
   */
  constructor(
    private readonly connection: Connection,
    private readonly regionId: bigint,
  ) {}

  /** Every region of every user table, in table then key order. */
  get regions(): readonly ServedRegion[] {
    return this.all;
  }

  /** Re-reads the catalog (calls made meanwhile share one refresh). */
  refresh(): Promise<void> {
    this.refreshing ??= this.load().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** The region with this full or encoded name, refreshing once when it is unknown. */
  async find(name: Uint8Array, encoded: boolean): Promise<ServedRegion | undefined> {
    const look = (): ServedRegion | undefined => (encoded ? this.byEncoded.get(new TextDecoder().decode(name)) : this.byName.get(key(name)));
    const hit = look();
    if (hit) return hit;
    await this.refresh();
    return look();
  }

  private async load(): Promise<void> {
    const names = await this.connection.admin.listTables();
    const regions: ServedRegion[] = [];
    for (const tableName of names) {
      const table = tableRefString(tableName);
      let descriptor;
      try {
        descriptor = await this.connection.admin.describeTable(table);
      } catch {
        continue; // deleted meanwhile
      }
      for (const r of descriptor.regions) {
        const name = regionName(table, r.startKey, this.regionId);
        const firstPartLength = name.length - 34; // ".<32 hex>."
        regions.push({
          table,
          startKey: r.startKey,
          endKey: r.endKey,
          regionId: this.regionId,
          name,
          encodedName: encodedRegionName(name.subarray(0, firstPartLength)),
          families: descriptor.families,
        });
      }
    }
    this.all = regions;
    this.byName = new Map(regions.map((r) => [key(r.name), r]));
    this.byEncoded = new Map(regions.map((r) => [r.encodedName, r]));
  }
}
