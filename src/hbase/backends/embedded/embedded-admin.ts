/** Catalog operations of the embedded store: tables are created, described, truncated and dropped here. */
import type { TableDescriptor, TableName } from "../../model/table-descriptor.js";
import type { Admin, BytesLike, CompactionStats, CreateTableOptions, TableRef } from "../../table.js";
import type { SchemaSpec } from "../../schema/schema-spec.js";
import type { Catalog } from "./catalog.js";
import type { StorageEngine } from "./storage-engine.js";
import type { Compactor } from "./compaction.js";
import { prefixSuccessor, tablePrefix } from "./key-codec.js";

/** The Admin of an embedded connection. */
export class EmbeddedAdmin implements Admin {
  constructor(
    private readonly db: StorageEngine,
    private readonly catalog: Catalog,
    private readonly checkOpen: () => void,
    private readonly compactor: Compactor,
  ) {}

  /** A major compaction of the table (see {@link Admin.compact}). */
  async compact(table: TableRef): Promise<CompactionStats> {
    this.checkOpen();
    return this.compactor.compact(table);
  }

  async compactionState(table: TableRef): Promise<"none" | "major"> {
    this.checkOpen();
    return this.compactor.isRunning(table) ? "major" : "none";
  }

  async createTable(table: TableRef, options: CreateTableOptions): Promise<TableDescriptor> {
    this.checkOpen();
    return (await this.catalog.create(table, options)).descriptor;
  }

  /** Drops the table from the catalog (at once invisible), then clears its cells. */
  async deleteTable(table: TableRef): Promise<void> {
    this.checkOpen();
    const entry = await this.catalog.remove(table);
    await this.clearData(entry.id);
  }

  async listTables(namespace?: string): Promise<TableName[]> {
    this.checkOpen();
    if (namespace !== undefined && typeof namespace !== "string") {
      throw new TypeError(`listTables: the namespace must be a string, got ${namespace === null ? "null" : typeof namespace}`);
    }
    return this.catalog.list(namespace);
  }

  async describeTable(table: TableRef): Promise<TableDescriptor> {
    this.checkOpen();
    return this.catalog.require(table).descriptor;
  }

  async tableExists(table: TableRef): Promise<boolean> {
    this.checkOpen();
    return this.catalog.find(table) !== undefined;
  }

  /** Empties the table, keeping its descriptor and regions: it gets a fresh id, the old cells are cleared. */
  async truncateTable(table: TableRef): Promise<void> {
    this.checkOpen();
    const { old } = await this.catalog.renew(table);
    await this.clearData(old.id);
  }

  /** Stores (or with undefined removes) the table's typed schema in its catalog entry; cells are untouched. */
  async setSchema(table: TableRef, schema: SchemaSpec | undefined): Promise<TableDescriptor> {
    this.checkOpen();
    return (await this.catalog.setSchema(table, schema)).descriptor;
  }

  /**
   * Splits the region holding `splitKey` at that key (see {@link Admin.splitRegion}): a catalog change
   * only — data keys carry no region, so no cell moves. Scans running meanwhile keep the descriptor
   * they resolved and read one snapshot, so they return every row once.
   */
  async splitRegion(table: TableRef, splitKey: BytesLike): Promise<TableDescriptor> {
    this.checkOpen();
    return (await this.catalog.split(table, splitKey)).descriptor;
  }

  private async clearData(tableId: number): Promise<void> {
    const start = tablePrefix(tableId);
    await this.db.clear({ gte: start, lt: prefixSuccessor(start)! });
  }
}
