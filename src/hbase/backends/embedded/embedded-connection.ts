/**
 * A connection to the embedded store: one LevelDB directory (classic-level), held by one process at a
 * time. Opening a directory another process holds fails with a clear error.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { ClassicLevel } from "classic-level";
import type { Admin, Connection, Table, TableRef } from "../../table.js";
import type { ByteLevel } from "./catalog.js";
import type { TableContext } from "./embedded-table.js";
import { Catalog } from "./catalog.js";
import { EmbeddedAdmin } from "./embedded-admin.js";
import { EmbeddedTable } from "./embedded-table.js";
import { RowLocks } from "./row-locks.js";
import { parseTableRef } from "./table-name.js";

/** True when LevelDB refused to open because another process holds the directory's LOCK file. */
function isLockError(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (/\bLOCK\b|lock/i.test(e.message) && !/LEVEL_DATABASE_NOT_OPEN/.test(e.message)) return true;
    if ((e as { code?: unknown }).code === "LEVEL_LOCKED") return true;
  }
  return false;
}

/** An open embedded store. */
export class EmbeddedConnection implements Connection {
  readonly admin: Admin;
  private closed = false;
  private readonly context: TableContext;

  private constructor(
    private readonly db: ByteLevel,
    catalog: Catalog,
    /** The data directory (absolute). */
    readonly directory: string,
  ) {
    const checkOpen = () => {
      if (this.closed) throw new Error(`the connection to the HBase data directory ${directory} is closed`);
    };
    this.admin = new EmbeddedAdmin(db, catalog, checkOpen);
    this.context = { db, catalog, locks: new RowLocks(), checkOpen };
  }

  /** Opens (creating if needed) the store in `directory`. */
  static async open(directory: string): Promise<EmbeddedConnection> {
    const absolute = path.resolve(directory);
    await mkdir(absolute, { recursive: true });
    const db: ByteLevel = new ClassicLevel<Uint8Array, Uint8Array>(absolute, { keyEncoding: "view", valueEncoding: "view" });
    try {
      await db.open();
    } catch (error) {
      if (isLockError(error)) {
        throw new Error(`the HBase data directory ${absolute} is in use by another process`, { cause: error });
      }
      throw new Error(`cannot open the HBase data directory ${absolute}: ${(error as Error).message}`, { cause: error });
    }
    try {
      const catalog = await Catalog.load(db);
      return new EmbeddedConnection(db, catalog, absolute);
    } catch (error) {
      await db.close();
      throw error;
    }
  }

  /** A table handle; the table need not exist yet (operations on a missing table throw). */
  table(table: TableRef): Table {
    if (this.closed) throw new Error(`the connection to the HBase data directory ${this.directory} is closed`);
    return new EmbeddedTable(this.context, parseTableRef(table));
  }

  /** Closes the store (waits for pending writes); later operations throw. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.close();
  }
}
