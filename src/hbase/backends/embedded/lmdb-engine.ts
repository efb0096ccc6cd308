/**
 * The LMDB storage engine (lmdb-js): one memory-mapped B-tree in the directory's `data.mdb`, read
 * synchronously without a copy across threads per entry (about 4–7× LevelDB's range reads).
 *
 * - **Owner.** LMDB lets many processes open an environment; the store needs one owner (its catalog
 *   and row locks live in memory), so an {@link OwnerLock} file guards the directory.
 * - **Writes** are synchronous write transactions (`transactionSync`): a batch is one transaction, all
 *   or nothing, committed before the returned promise settles (entries kept as parallel arrays, one
 *   native write per entry). Without an fsync per commit (`noSync`, as LevelDB writes by default) a
 *   commit is in the OS page cache when it returns: it survives the process being killed, not a power
 *   cut. The map is read-only to the process (no `useWritemap`): a writable map would make batches of
 *   scattered rows about a third cheaper in CPU, but on a full disk the process would die of SIGBUS
 *   instead of a write failing with an error — not a trade for a notebook kernel. The map grows as the
 *   data does; the file never shrinks (freed pages are reused).
 * - **Reads** of a snapshot are one read transaction, held until the snapshot is closed; an iterator
 *   without a snapshot holds its own.
 * - **Long keys.** LMDB keys are at most 1,978 bytes, HBase rows up to 32,767. A key longer than
 *   {@link INLINE_KEY_LIMIT} bytes is kept in a *bucket*: the entry under its first
 *   INLINE_KEY_LIMIT bytes followed by 0x00, whose value lists the long keys with that prefix and their
 *   values, sorted. That entry sorts exactly where its keys belong (no short key lies between them), so
 *   iteration expands a bucket in place and the engine's byte order is kept.
 */
import type { RangeOptions, RootDatabase, Transaction } from "lmdb";
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
import { OwnerLock } from "./owner-lock.js";

/** Keys up to this many bytes are stored as they are; longer ones in buckets (part of the file format). */
export const INLINE_KEY_LIMIT = 1900;
/** The length of a bucket's key: the prefix and a 0x00. */
const BUCKET_KEY_LENGTH = INLINE_KEY_LIMIT + 1;
/** LevelDB's default `highWaterMarkBytes`. */
const DEFAULT_HIGH_WATER_MARK_BYTES = 16 * 1024;
/** Keys removed per write transaction by `clear`. */
const CLEAR_CHUNK = 10_000;
/** Concurrent read transactions (snapshots, iterators) the environment allows. */
const MAX_READERS = 1024;
const EMPTY = new Uint8Array(0);
const FIRST_KEY = Uint8Array.of(0x00);

type ByteDatabase = RootDatabase<Uint8Array, Uint8Array>;

/** The longest the engine's promises settle without the event loop having had a turn, in ms. */
const MAX_TURNLESS_MS = 2;
/** When the event loop last had a turn (as seen by a setImmediate of ours). */
let lastTurn = performance.now();
let turnWatched = false;

/** Notes the next turn of the event loop. */
function watchTurn(): void {
  if (turnWatched) return;
  turnWatched = true;
  setImmediate(() => {
    turnWatched = false;
    lastTurn = performance.now();
  });
}

/**
 * The outcome of work done now, as a promise. LMDB's reads and writes are synchronous; promises that
 * always settle at once would let a loop of awaited writes (or a long scan) run without ever giving
 * the event loop a turn — no I/O, no timers, no interrupts — where LevelDB's asynchronous calls do.
 * So they settle at once only while the event loop had a turn in the last {@link MAX_TURNLESS_MS};
 * otherwise on the next turn (setImmediate).
 */
function later<T>(run: () => T): Promise<T> {
  let value: T;
  try {
    value = run();
  } catch (error) {
    return Promise.reject(error as Error);
  }
  if (performance.now() - lastTurn < MAX_TURNLESS_MS) {
    watchTurn();
    return Promise.resolve(value);
  }
  return new Promise<T>((resolve) =>
    setImmediate(() => {
      lastTurn = performance.now();
      resolve(value);
    }),
  );
}

function compare(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/** The bucket key of a long key. */
function bucketKey(key: Uint8Array): Uint8Array {
  const bucket = new Uint8Array(BUCKET_KEY_LENGTH);
  bucket.set(key.subarray(0, INLINE_KEY_LIMIT));
  return bucket;
}

/** A bucket's entries (sorted by key). Layout: per entry, uint32 BE key length, key, uint32 BE value length, value. */
function decodeBucket(bytes: Uint8Array): EngineEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries: EngineEntry[] = [];
  let at = 0;
  while (at < bytes.length) {
    const keyLength = view.getUint32(at);
    const key = bytes.slice(at + 4, at + 4 + keyLength);
    at += 4 + keyLength;
    const valueLength = view.getUint32(at);
    const value = bytes.slice(at + 4, at + 4 + valueLength);
    at += 4 + valueLength;
    entries.push([key, value]);
  }
  return entries;
}

function encodeBucket(entries: readonly EngineEntry[]): Uint8Array {
  let size = 0;
  for (const [key, value] of entries) size += 8 + key.length + value.length;
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  let at = 0;
  for (const [key, value] of entries) {
    view.setUint32(at, key.length);
    bytes.set(key, at + 4);
    at += 4 + key.length;
    view.setUint32(at, value.length);
    bytes.set(value, at + 4);
    at += 4 + value.length;
  }
  return bytes;
}

/** The storage range of [gte, lt): bucket-aware (a long bound starts or ends at its bucket). */
function storageRange(range: EngineRange): { start: Uint8Array; end: Uint8Array | undefined } {
  const { gte, lt } = range;
  let start: Uint8Array = FIRST_KEY;
  if (gte !== undefined && gte.length > 0) start = gte.length <= INLINE_KEY_LIMIT ? gte : bucketKey(gte);
  let end: Uint8Array | undefined;
  if (lt !== undefined) {
    if (lt.length <= INLINE_KEY_LIMIT) end = lt;
    else {
      end = bucketKey(lt);
      end[INLINE_KEY_LIMIT] = 0x01; // just past lt's bucket
    }
  }
  return { start, end };
}

function checkKey(key: unknown, what: string): asserts key is Uint8Array {
  if (!(key instanceof Uint8Array)) throw new TypeError(`${what}: a key must be bytes (Uint8Array), got ${key === null ? "null" : typeof key}`);
  if (key.length === 0) throw new Error(`${what}: a key must not be empty`);
}

function checkValue(value: unknown, what: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${what}: a value must be bytes (Uint8Array), got ${value === null ? "null" : typeof value}`);
}

/** What iterators and snapshots need of their engine: to check it is open, and to be released on close. */
interface Owner {
  /** Throws "not open" naming the directory. */
  checkOpen(): void;
  readonly resources: Set<{ release(): void }>;
}

/** A snapshot: one LMDB read transaction. */
class LmdbSnapshot implements EngineSnapshot {
  private done = false;

  constructor(
    readonly transaction: Transaction,
    private readonly owner: Owner,
  ) {
    owner.resources.add(this);
  }

  get isOpen(): boolean {
    return !this.done;
  }

  async close(): Promise<void> {
    this.release();
  }

  /** Ends the read transaction (the engine calls it for snapshots still open when it closes). */
  release(): void {
    if (this.done) return;
    this.done = true;
    this.owner.resources.delete(this);
    this.transaction.done();
  }
}

/** A range iterator over lmdb-js's synchronous range, buckets expanded in place. */
class LmdbIterator implements EngineIterator<EngineEntry> {
  private source: Iterator<{ key: Uint8Array; value: Uint8Array }> | undefined;
  /** The rest of a bucket being handed out. */
  private expanded: EngineEntry[] = [];
  private expandedAt = 0;
  private readonly values: boolean;
  private readonly highWaterMarkBytes: number;
  private readonly gte: Uint8Array | undefined;
  private readonly lt: Uint8Array | undefined;
  private readonly reverse: boolean;

  constructor(
    db: ByteDatabase,
    options: EngineIteratorOptions,
    private readonly owner: Owner,
  ) {
    this.values = options.values !== false;
    this.highWaterMarkBytes = options.highWaterMarkBytes ?? DEFAULT_HIGH_WATER_MARK_BYTES;
    this.gte = options.gte;
    this.lt = options.lt;
    this.reverse = options.reverse === true;
    const { snapshot } = options;
    if (snapshot !== undefined && !(snapshot instanceof LmdbSnapshot)) throw new TypeError("an LMDB iterator takes a snapshot of the same engine");
    if (snapshot !== undefined && !snapshot.isOpen) throw new Error("the snapshot is closed");
    const { start, end } = storageRange(options);
    if (end !== undefined && compare(start, end) >= 0) return; // an empty range: no cursor
    const range: RangeOptions = snapshot === undefined ? {} : { transaction: snapshot.transaction };
    if (this.reverse) {
      // Backwards from just below `end` (from the last key when there is none) down to `start`.
      range.reverse = true;
      if (end !== undefined) {
        range.start = end;
        range.exclusiveStart = true;
      }
      range.end = start;
      range.inclusiveEnd = true;
    } else {
      range.start = start;
      if (end !== undefined) range.end = end;
    }
    this.source = db.getRange(range)[Symbol.iterator]();
    owner.resources.add(this);
  }

  nextv(size: number): Promise<EngineEntry[]> {
    return later(() => this.take(size));
  }

  all(): Promise<EngineEntry[]> {
    return later(() => {
      try {
        return this.take(Infinity, Infinity);
      } finally {
        this.release();
      }
    });
  }

  async close(): Promise<void> {
    this.release();
  }

  /** Ends the cursor (the engine calls it for iterators still open when it closes). */
  release(): void {
    this.expanded = [];
    this.expandedAt = 0;
    const source = this.source;
    this.source = undefined;
    this.owner.resources.delete(this);
    source?.return?.();
  }

  private take(size: number, highWaterMarkBytes = this.highWaterMarkBytes): EngineEntry[] {
    const out: EngineEntry[] = [];
    // No native call on a cursor of a closed environment.
    this.owner.checkOpen();
    let bytes = 0;
    while (out.length < size && bytes < highWaterMarkBytes) {
      if (this.expandedAt < this.expanded.length) {
        const entry = this.expanded[this.expandedAt++]!;
        out.push(this.values ? entry : [entry[0], EMPTY]);
        bytes += entry[0].length + entry[1].length;
        continue;
      }
      const source = this.source;
      if (source === undefined) break;
      const step = source.next();
      if (step.done === true) {
        this.release();
        break;
      }
      const { key, value } = step.value;
      if (key.length === BUCKET_KEY_LENGTH) {
        this.expand(value);
        continue;
      }
      out.push([key, this.values ? value : EMPTY]);
      bytes += key.length + value.length;
    }
    return out;
  }

  /** Queues the bucket's keys that lie in the range, in iteration order. */
  private expand(bucket: Uint8Array): void {
    const inRange = decodeBucket(bucket).filter(
      ([key]) => (this.gte === undefined || compare(key, this.gte) >= 0) && (this.lt === undefined || compare(key, this.lt) < 0),
    );
    this.expanded = this.reverse ? inRange.reverse() : inRange;
    this.expandedAt = 0;
  }
}

/** lmdb-js under the {@link StorageEngine} interface. */
export class LmdbEngine implements StorageEngine {
  readonly kind = "lmdb" as const;
  readonly readsInBackground = false;
  private state: "open" | "closing" | "closed" = "open";
  private closing: Promise<void> | undefined;
  /** Open iterators and snapshots (released when the engine closes). */
  private readonly owner: Owner = {
    checkOpen: () => this.checkOpen(),
    resources: new Set(),
  };

  private constructor(
    private readonly db: ByteDatabase,
    private readonly lock: OwnerLock,
    private readonly directory: string,
  ) {}

  /**
   * Opens (creating) the LMDB environment in `directory` (absolute, existing), after taking its owner
   * lock: throws "in use by another process" when another opener holds it.
   */
  static async open(directory: string): Promise<LmdbEngine> {
    const lock = await OwnerLock.acquire(directory);
    try {
      const lmdb = await import("lmdb");
      const db = lmdb.open<Uint8Array, Uint8Array>({
        path: directory,
        // A directory holding data.mdb and lock.mdb, also when its name has a dot.
        noSubdir: false,
        keyEncoding: "binary",
        encoding: "binary",
        compression: false,
        cache: false,
        noSync: true,
        maxReaders: MAX_READERS,
      });
      return new LmdbEngine(db, lock, directory);
    } catch (error) {
      await lock.release().catch(() => undefined);
      throw new Error(`cannot open the HBase data directory ${directory}: ${(error as Error).message}`, { cause: error });
    }
  }

  get status(): "open" | "closing" | "closed" {
    return this.state;
  }

  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return later(() => {
      this.checkOpen();
      return this.read(key);
    });
  }

  put(key: Uint8Array, value: Uint8Array): Promise<void> {
    return this.write([key], [value]);
  }

  del(key: Uint8Array): Promise<void> {
    return this.write([key], [undefined]);
  }

  batch(): EngineBatch {
    // Parallel arrays (no object per entry); a delete has `undefined` as its value.
    const keys: Uint8Array[] = [];
    const values: (Uint8Array | undefined)[] = [];
    let used = false;
    const check = () => {
      if (used) throw new Error("the batch was written or closed already");
    };
    return {
      put(key, value) {
        check();
        keys.push(key);
        values.push(value);
      },
      del(key) {
        check();
        keys.push(key);
        values.push(undefined);
      },
      write: () => {
        if (used) return Promise.reject(new Error("the batch was written or closed already"));
        used = true;
        return this.write(keys, values);
      },
      async close() {
        used = true;
        keys.length = 0;
        values.length = 0;
      },
    };
  }

  iterator(options: EngineIteratorOptions & { readonly values: false }): EngineIterator<EngineKeyEntry>;
  iterator(options?: EngineIteratorOptions): EngineIterator<EngineEntry>;
  iterator(options: EngineIteratorOptions = {}): EngineIterator<EngineEntry> | EngineIterator<EngineKeyEntry> {
    this.checkOpen();
    return new LmdbIterator(this.db, options, this.owner);
  }

  snapshot(): EngineSnapshot {
    this.checkOpen();
    return new LmdbSnapshot(this.db.useReadTransaction(), this.owner);
  }

  async clear(range: EngineRange): Promise<void> {
    this.checkOpen();
    const { start, end } = storageRange(range);
    let from = start;
    let exclusive = false;
    for (;;) {
      const last = this.db.transactionSync(() => {
        const keys: { key: Uint8Array; value: Uint8Array }[] = [];
        for (const entry of this.db.getRange({ start: from, ...(end === undefined ? {} : { end }), exclusiveStart: exclusive, snapshot: false })) {
          keys.push(entry);
          if (keys.length >= CLEAR_CHUNK) break;
        }
        for (const { key, value } of keys) {
          if (key.length !== BUCKET_KEY_LENGTH) this.db.removeSync(key);
          else {
            const kept = decodeBucket(value).filter(
              ([k]) => (range.gte !== undefined && compare(k, range.gte) < 0) || (range.lt !== undefined && compare(k, range.lt) >= 0),
            );
            if (kept.length === 0) this.db.removeSync(key);
            else this.db.putSync(key, encodeBucket(kept));
          }
        }
        return keys.length < CLEAR_CHUNK ? undefined : keys[keys.length - 1]!.key;
      });
      if (last === undefined) return;
      from = last;
      exclusive = true;
      // Let other work run between chunks.
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.checkOpen();
    }
  }

  /** LMDB reuses freed pages itself; its file never shrinks. */
  async compactRange(_start: Uint8Array, _end: Uint8Array): Promise<void> {
    this.checkOpen();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.state = "closing";
      try {
        // Cursors and read transactions end before the environment does (later reads fail "not open").
        const open = [...this.owner.resources];
        // Cursors first, then the read transactions they read.
        for (const resource of [...open.filter((r) => r instanceof LmdbIterator), ...open.filter((r) => !(r instanceof LmdbIterator))]) {
          try {
            resource.release();
          } catch {
            // already ended
          }
        }
        await this.db.close();
      } finally {
        this.state = "closed";
        await this.lock.release();
      }
    })();
    return this.closing;
  }

  private checkOpen(): void {
    if (this.state !== "open") throw new Error(`the LMDB store of the HBase data directory ${this.directory} is not open`);
  }

  /** The value under `key` (bucket-aware), in the current transaction or the latest commit. */
  private read(key: Uint8Array): Uint8Array | undefined {
    checkKey(key, "get");
    if (key.length <= INLINE_KEY_LIMIT) return this.db.getBinary(key);
    const bucket = this.db.getBinary(bucketKey(key));
    if (bucket === undefined) return undefined;
    return decodeBucket(bucket).find(([k]) => compare(k, key) === 0)?.[1];
  }

  /**
   * Writes the entries in order (`values[i]` undefined: delete `keys[i]`) as one synchronous write
   * transaction (all checked first: all or nothing), now; the promise settles on a later turn of the
   * event loop.
   */
  private write(keys: readonly Uint8Array[], values: readonly (Uint8Array | undefined)[]): Promise<void> {
    return later(() => this.writeNow(keys, values));
  }

  private writeNow(keys: readonly Uint8Array[], values: readonly (Uint8Array | undefined)[]): void {
    this.checkOpen();
    const count = keys.length;
    let long = false;
    for (let i = 0; i < count; i++) {
      const key = keys[i];
      const value = values[i];
      checkKey(key, value === undefined ? "del" : "put");
      if (value !== undefined) checkValue(value, "put");
      if (key.length > INLINE_KEY_LIMIT) long = true;
    }
    if (count === 0) return;
    const db = this.db;
    db.transactionSync(() => {
      if (!long) {
        // The common case: every key inline, one native write per entry (`put` inside a write
        // transaction writes at once, as `putSync` does, without its wrapper).
        for (let i = 0; i < count; i++) {
          const value = values[i];
          if (value !== undefined) db.put(keys[i]!, value);
          else db.remove(keys[i]!);
        }
        return;
      }
      for (let i = 0; i < count; i++) {
        const key = keys[i]!;
        const value = values[i];
        if (key.length > INLINE_KEY_LIMIT) this.writeLong(key, value);
        else if (value !== undefined) db.put(key, value);
        else db.remove(key);
      }
    });
  }

  /** A put or delete of a long key: its bucket rewritten (inside the write transaction). */
  private writeLong(key: Uint8Array, value: Uint8Array | undefined): void {
    const where = bucketKey(key);
    const stored = this.db.getBinary(where);
    const entries = stored === undefined ? [] : decodeBucket(stored);
    let low = 0;
    let high = entries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compare(entries[mid]![0], key) < 0) low = mid + 1;
      else high = mid;
    }
    const found = low < entries.length && compare(entries[low]![0], key) === 0;
    if (value !== undefined) {
      const entry: EngineEntry = [key.slice(), value];
      if (found) entries[low] = entry;
      else entries.splice(low, 0, entry);
    } else if (found) {
      entries.splice(low, 1);
    } else {
      return;
    }
    if (entries.length === 0) this.db.removeSync(where);
    else this.db.putSync(where, encodeBucket(entries));
  }
}
