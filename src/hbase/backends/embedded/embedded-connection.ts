/**
 * A connection to the embedded store: one data directory, held by one process at a time, on one of
 * the storage engines (LMDB or LevelDB, see open-storage-engine.ts). Opening a directory another
 * process holds fails with a clear error.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Admin, BufferedMutator, BufferedMutatorOptions, Connection, Table, TableRef } from "../../table.js";
import type { TableContext } from "./embedded-table.js";
import type { StorageEngine, StorageEngineKind } from "./storage-engine.js";
import { createBufferedMutator } from "../../buffered-mutator.js";
import { Catalog } from "./catalog.js";
import { Compactor } from "./compaction.js";
import { EmbeddedAdmin } from "./embedded-admin.js";
import { EmbeddedTable } from "./embedded-table.js";
import { openStorageEngine } from "./open-storage-engine.js";
import { RowLocks } from "./row-locks.js";
import { parseTableRef } from "./table-name.js";

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
    private readonly db: StorageEngine,
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

  /**
   * Opens (creating if needed) the store in `directory`: with the engine that made it, a new one with
   * `engine` (default: see open-storage-engine.ts).
   */
  static async open(directory: string, engine?: StorageEngineKind): Promise<EmbeddedConnection> {
    const absolute = path.resolve(directory);
    await mkdir(absolute, { recursive: true });
    const db = await openStorageEngine(absolute, engine);
    try {
      const catalog = await Catalog.load(db);
      return new EmbeddedConnection(db, catalog, absolute);
    } catch (error) {
      await db.close();
      throw error;
    }
  }

  /** The storage engine of the open directory. */
  get engine(): StorageEngineKind {
    return this.db.kind;
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
