/**
 * The LevelDB storage engine (classic-level): LevelDB's own LOCK file keeps a directory to one opener
 * (another process, or a second open in this process), reported as "in use by another process".
 * Iterators, batches and snapshots are classic-level's own objects, handed out as they are.
 */
import { ClassicLevel } from "classic-level";
import type {
  EngineBatch,
  EngineEntry,
  EngineIterator,
  EngineIteratorOptions,
  EngineKeyEntry,
  EngineRange,
  EngineSnapshot,
  StorageEngine,
} from "./storage-engine.js";
import { inUseError } from "./owner-lock.js";

type ByteLevel = ClassicLevel<Uint8Array, Uint8Array>;

/** True when LevelDB refused to open because another opener holds the directory's LOCK file. */
function isLockError(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (/\bLOCK\b|lock/i.test(e.message) && !/LEVEL_DATABASE_NOT_OPEN/.test(e.message)) return true;
    if ((e as { code?: unknown }).code === "LEVEL_LOCKED") return true;
  }
  return false;
}

/** classic-level under the {@link StorageEngine} interface. */
export class LevelDbEngine implements StorageEngine {
  readonly kind = "leveldb" as const;
  readonly readsInBackground = true;

  private constructor(private readonly db: ByteLevel) {}

  /** Opens (creating) the LevelDB store in `directory` (absolute, existing). */
  static async open(directory: string): Promise<LevelDbEngine> {
    const db: ByteLevel = new ClassicLevel<Uint8Array, Uint8Array>(directory, { keyEncoding: "view", valueEncoding: "view" });
    try {
      await db.open();
    } catch (error) {
      if (isLockError(error)) throw inUseError(directory, error);
      throw new Error(`cannot open the HBase data directory ${directory}: ${(error as Error).message}`, { cause: error });
    }
    return new LevelDbEngine(db);
  }

  get status(): "open" | "closing" | "closed" {
    const status = this.db.status;
    return status === "open" ? "open" : status === "closing" ? "closing" : "closed";
  }

  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.db.get(key);
  }

  put(key: Uint8Array, value: Uint8Array): Promise<void> {
    return this.db.put(key, value);
  }

  del(key: Uint8Array): Promise<void> {
    return this.db.del(key);
  }

  batch(): EngineBatch {
    // classic-level's chained batch has exactly these methods (put/del return the batch).
    return this.db.batch();
  }

  iterator(options: EngineIteratorOptions & { readonly values: false }): EngineIterator<EngineKeyEntry>;
  iterator(options?: EngineIteratorOptions): EngineIterator<EngineEntry>;
  iterator(options: EngineIteratorOptions = {}): EngineIterator<EngineEntry> | EngineIterator<EngineKeyEntry> {
    const { snapshot, ...rest } = options;
    // The snapshot handed out by snapshot() is classic-level's own.
    return this.db.iterator(snapshot === undefined ? rest : { ...rest, snapshot: snapshot as ReturnType<ByteLevel["snapshot"]> });
  }

  snapshot(): EngineSnapshot {
    return this.db.snapshot();
  }

  clear(range: EngineRange): Promise<void> {
    return this.db.clear(range);
  }

  compactRange(start: Uint8Array, end: Uint8Array): Promise<void> {
    return this.db.compactRange(start, end);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
