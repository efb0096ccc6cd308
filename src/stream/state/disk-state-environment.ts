/**
 * One job's LMDB environment for the disk state backend: a directory of scratch state (emptied at start,
 * deleted at the end), one named database per keyed operator. LMDB gives synchronous reads (a
 * memory-mapped B-tree: no copy across threads, microseconds per get) and synchronous write
 * transactions, which the per-record operators need. `lmdb` is loaded only when a job asks for it.
 */
import { mkdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Database, RootDatabase } from "lmdb";

const require = createRequire(import.meta.url);
/** Paths of environments open in this process (one job per path). */
const openPaths = new Set<string>();

/** An open LMDB environment. */
export class DiskStateEnvironment {
  private readonly root: RootDatabase<Uint8Array, string>;
  private readonly directory: string;
  private closed = false;

  /** Opens (creating) the directory; throws when another job of this process uses it. */
  constructor(directory: string) {
    this.directory = path.resolve(directory);
    if (openPaths.has(this.directory)) throw new Error(`state path ${directory} is in use by another running job (one job per state directory)`);
    mkdirSync(this.directory, { recursive: true });
    const lmdb = require("lmdb") as typeof import("lmdb");
    // A fresh environment each run: the working state is rebuilt from a checkpoint on restore.
    for (const f of ["data.mdb", "lock.mdb"]) rmSync(path.join(this.directory, f), { force: true });
    this.root = lmdb.open<Uint8Array, string>({ path: this.directory, noSync: true, compression: false, encoding: "binary", maxDbs: 256 });
    openPaths.add(this.directory);
  }

  /** A database for one operator (named by its key in the plan), empty. */
  database(name: string): Database<Uint8Array, string> {
    const db = this.root.openDB<Uint8Array, string>({ name, encoding: "binary", compression: false });
    db.clearSync();
    return db;
  }

  /** Closes the environment and deletes its files (idempotent). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    openPaths.delete(this.directory);
    // Closing is asynchronous in lmdb-js; the files can go right away (the mapping stays valid until unmapped).
    void this.root.close().catch(() => {});
    for (const f of ["data.mdb", "lock.mdb"]) rmSync(path.join(this.directory, f), { force: true });
  }
}
