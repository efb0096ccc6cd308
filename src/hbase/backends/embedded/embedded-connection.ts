/**
 * A connection to the embedded store: one LevelDB directory (classic-level), held by one process at a
 * time. Opening a directory another process holds fails with a clear error.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { ClassicLevel } from "classic-level";
import type { Admin, BufferedMutator, BufferedMutatorOptions, Connection, Table, TableRef } from "../../table.js";
import type { ByteLevel } from "./catalog.js";
import type { TableContext } from "./embedded-table.js";
import { createBufferedMutator } from "../../buffered-mutator.js";
import { Catalog } from "./catalog.js";
import { Compactor } from "./compaction.js";
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
  private closing: Promise<void> | undefined;
  private readonly context: TableContext;
  /** Buffered mutators made here and maybe still open (closed ones are dropped on the next call). */
  private readonly mutators = new Set<BufferedMutator>();
  private readonly compactor: Compactor;
  /** Table operations started and not yet settled. */
  private readonly inFlight = new Set<Promise<unknown>>();

  private constructor(
    private readonly db: ByteLevel,
    catalog: Catalog,
    /** The data directory (absolute). */
    readonly directory: string,
  ) {
    const checkOpen = () => {
      if (this.closed) throw new Error(`the connection to the HBase data directory ${directory} is closed`);
    };
    const locks = new RowLocks();
    this.compactor = new Compactor({ db, catalog, locks });
    this.admin = new EmbeddedAdmin(db, catalog, checkOpen, this.compactor);
    this.context = {
      db,
      catalog,
      locks,
      checkOpen,
      compactor: this.compactor,
      operation: (run) => this.operation(run),
      isClosed: () => this.closed,
    };
  }

  /** Runs a table operation, tracked so that close() waits for it; refused once closing began. */
  private operation<T>(run: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`the connection to the HBase data directory ${this.directory} is closed`));
    const pending = run();
    this.inFlight.add(pending);
    const forget = () => void this.inFlight.delete(pending);
    pending.then(forget, forget);
    return pending;
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

  /**
   * A buffered mutator writing to `table` through this connection's table handle (see
   * {@link createBufferedMutator}); closing the connection closes and flushes it.
   */
  bufferedMutator(table: TableRef, options?: BufferedMutatorOptions): BufferedMutator {
    const mutator = createBufferedMutator(this.table(table), options);
    for (const m of this.mutators) if (m.closed) this.mutators.delete(m);
    this.mutators.add(mutator);
    return mutator;
  }

  /**
   * Closes the open buffered mutators (flushing them), waits for the table operations already running,
   * stops background compaction, then closes the store; later operations throw. Rejects with the first
   * mutator flush (or background compaction) error, after closing the store.
   * Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    const open = [...this.mutators].filter((m) => !m.closed);
    this.mutators.clear();
    const flushed = await Promise.allSettled(open.map((m) => m.close()));
    // From here on new operations are refused; those already running finish first.
    this.closed = true;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    const compaction = await Promise.allSettled([this.compactor.stop()]);
    await this.db.close();
    const failed = [...flushed, ...compaction].find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed !== undefined) throw failed.reason;
  }
}
