/**
 * Checkpoints in an HBase table (any backend: it uses only the Table API), as `start({ checkpoint: {
 * every, storage: hbaseCheckpointStore(connection, { job }) } })`.
 *
 * Row design, one column family (default "c") and per job a row-key prefix `<job>/`, so the jobs of
 * one table never see each other:
 *
 * - `<job>/m/<id, 16 digits>/<write token>` — the metadata row of one write of a checkpoint or
 *   savepoint. `c:pending` (the write's intent) is put FIRST; `c:meta` (the checkpoint's info as JSON)
 *   is the commit marker, put LAST by a check-and-mutate that also deletes `c:pending` and applies only
 *   while `c:pending` still holds this write's intent. A row with `c:meta` is a complete checkpoint; a
 *   row with only `c:pending` is a write that never finished (a crash): `list()` ignores it.
 * - `<job>/d/<id, 16 digits>/<write token>/<chunk, 8 digits>` — the state, in chunks of `chunkBytes`
 *   (1 MiB by default; HBase refuses cells over 10 MiB by default), column `c:data`.
 *
 * Every write uses a fresh random token, so no row is ever written again after it was deleted (HBase's
 * delete markers would hide a put in the same millisecond) and a rewritten checkpoint replaces the old
 * one only once it is complete. Removal deletes the metadata row first (the checkpoint disappears at
 * once), then its chunk rows; after each write the store removes what a crash can leave behind —
 * metadata rows without a commit marker and chunk rows whose metadata row is gone — and the periodic
 * checkpoints beyond the newest `retain` — but never a checkpoint that the parent chain of a retained
 * checkpoint or savepoint needs (the store keeps chains, so jobs write incremental checkpoints into it).
 * `materialize` writes a delta's folded full state as a new write of the same checkpoint (same id and
 * completion time, no parent) and then removes the delta's write: a crash in between leaves both, and the
 * full one is the one read. One writer per job at a time (a running job; its writes, materialisations and
 * deletions run one after another); `list()` and `read()` may run anywhere.
 */
import type { Admin, BytesLike, Connection, Put, Table } from "../hbase/table.js";
import type { Result } from "../hbase/result.js";
import type { CheckpointInfo, CheckpointStore } from "../stream/checkpoint/checkpoint-store.js";
import { SerialQueue } from "../stream/checkpoint/serial-queue.js";

/** Options of {@link hbaseCheckpointStore}. */
export interface HBaseCheckpointStoreOptions {
  /** The job whose checkpoints these are: 1 to 100 letters, digits, ".", "_" or "-" (the row-key prefix). */
  job: string;
  /** How many periodic checkpoints to keep (default 3); savepoints are kept until deleted. */
  retain?: number;
  /** Bytes of state per cell (default 1 MiB; at most 8 MiB, below HBase's 10 MiB cell limit). */
  chunkBytes?: number;
  /** The table, when a connection is given (default "sluice_checkpoints"; created when missing). */
  table?: string;
  /** The column family used (default "c"). */
  family?: string;
}

/** The default table of {@link hbaseCheckpointStore} given a connection. */
export const DEFAULT_CHECKPOINT_TABLE = "sluice_checkpoints";

const NAME_PATTERN = /^[A-Za-z0-9._-]{1,100}$/;
const DEFAULT_CHUNK_BYTES = 1024 * 1024;
const MAX_CHUNK_BYTES = 8 * 1024 * 1024;
/** Bytes of chunks given to one putMany call. */
const PUT_BATCH_BYTES = 8 * 1024 * 1024;
const ID_DIGITS = 16;
const CHUNK_DIGITS = 8;
const FORMAT = 1;
/** `<id>/<token>`: a metadata row's key after `<job>/m/`. */
const SLOT_PATTERN = /^\d{16}\/[0-9a-f]{16}$/;
/** `<id>/<token>/<chunk>`: a chunk row's key after `<job>/d/`. */
const CHUNK_ROW_PATTERN = /^(\d{16}\/[0-9a-f]{16})\/\d{8}$/;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What the commit marker holds: the info, and how the state is cut. */
interface StoredMeta extends CheckpointInfo {
  readonly format: number;
  readonly chunks: number;
}

/** One metadata row as found by a scan. */
interface MetaRow {
  /** `<id16>/<token>`: also the data rows' slot. */
  readonly slot: string;
  readonly row: string;
  /** Undefined: a write that never committed. */
  readonly meta: StoredMeta | undefined;
}

function pad(n: number, digits: number): string {
  return String(n).padStart(digits, "0");
}

function newToken(): string {
  const bytes = new Uint8Array(8);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The info as the store was given it (every field kept), without the store's own fields. */
function publicInfo(meta: CheckpointInfo | StoredMeta): CheckpointInfo {
  const { format: _format, chunks: _chunks, ...info } = meta as StoredMeta;
  return info;
}

function parseMeta(value: Uint8Array | undefined): StoredMeta | undefined {
  if (value === undefined) return undefined;
  try {
    const meta = JSON.parse(decoder.decode(value)) as StoredMeta;
    return typeof meta === "object" && meta !== null && Number.isSafeInteger(meta.id) && Number.isSafeInteger(meta.chunks) ? meta : undefined;
  } catch {
    return undefined;
  }
}

type CommittedRow = MetaRow & { readonly meta: StoredMeta };

function committedOf(rows: readonly MetaRow[]): CommittedRow[] {
  return rows.filter((m): m is CommittedRow => m.meta !== undefined);
}

function isConnection(target: Connection | Table): target is Connection {
  return typeof (target as Connection).table === "function" && typeof (target as Connection).admin === "object";
}

/**
 * Which of two committed writes of the same checkpoint id counts: the later one, and of two equally late
 * (a materialisation and the delta it replaced) the full one.
 */
function supersedes(a: StoredMeta, b: StoredMeta): boolean {
  if (a.completedAt !== b.completedAt) return a.completedAt > b.completedAt;
  return a.parent === undefined && b.parent !== undefined;
}

/** A checkpoint store in an HBase table; see the module documentation for the row design. */
class HBaseCheckpointStore implements CheckpointStore {
  /** Retention keeps the parent chain of every retained checkpoint and savepoint. */
  readonly keepsChains = true;
  private readonly table: Table;
  private readonly label: string;
  private readonly retain: number;
  private readonly chunkBytes: number;
  private readonly family: string;
  private readonly prefix: string;
  private ready: Promise<boolean> | undefined;
  /** Writes, materialisations, prunes and deletions, one at a time. */
  private readonly queue = new SerialQueue();

  constructor(
    private readonly connection: Connection | undefined,
    table: Table,
    readonly job: string,
    options: HBaseCheckpointStoreOptions,
  ) {
    this.table = table;
    this.label = `${table.name.namespace}:${table.name.name}`;
    this.retain = options.retain ?? 3;
    this.chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    this.family = options.family ?? "c";
    this.prefix = `${job}/`;
  }

  write(info: Omit<CheckpointInfo, "bytes" | "completedAt">, state: Uint8Array): Promise<CheckpointInfo> {
    return this.queue.run(() => this.writeNow(info, state));
  }

  materialize(info: CheckpointInfo, state: Uint8Array): Promise<CheckpointInfo> {
    return this.queue.run(async () => {
      if (info === null || typeof info !== "object" || info.kind !== "checkpoint" || info.parent === undefined) {
        throw new Error(`checkpoint ${String(info?.id)} is not an incremental checkpoint: nothing to materialise`);
      }
      if (!(state instanceof Uint8Array)) throw new TypeError("a checkpoint's state must be a Uint8Array");
      const current = (await this.open(false)) ? this.find(await this.metaRows(), info) : undefined;
      if (current === undefined || current.meta.parent !== info.parent || current.meta.completedAt !== info.completedAt) {
        throw new Error(`checkpoint ${info.id} is no longer stored as that incremental checkpoint in ${this.where()}`);
      }
      const { parent: _parent, base: _base, ...rest } = publicInfo(current.meta);
      const complete: CheckpointInfo = { ...rest, bytes: state.byteLength };
      await this.commit(complete, state);
      // The full write supersedes the delta's (same id and time, no parent): the delta's rows can go.
      await this.table.delete({ row: current.row });
      await this.removeData(current.slot);
      await this.prune();
      return complete;
    });
  }

  private async writeNow(info: Omit<CheckpointInfo, "bytes" | "completedAt">, state: Uint8Array): Promise<CheckpointInfo> {
    if (info === null || typeof info !== "object") throw new TypeError("a checkpoint's info must be an object { id, kind, pipeline }");
    if (info.kind !== "checkpoint" && info.kind !== "savepoint") {
      throw new Error(`a checkpoint's kind is "checkpoint" or "savepoint", got ${JSON.stringify(info.kind)}`);
    }
    if (info.kind === "savepoint" && (info.name === undefined || !NAME_PATTERN.test(info.name))) {
      throw new Error(`a savepoint name is 1 to 100 letters, digits, ".", "_" or "-", got ${JSON.stringify(info.name)}`);
    }
    if (!Number.isSafeInteger(info.id) || info.id < 0) throw new RangeError(`a checkpoint id is a non-negative integer, got ${String(info.id)}`);
    if (typeof info.pipeline !== "string") throw new TypeError(`a checkpoint's pipeline fingerprint must be a string, got ${typeof info.pipeline}`);
    if (!(state instanceof Uint8Array)) throw new TypeError("a checkpoint's state must be a Uint8Array");
    await this.open(true);
    if (info.kind === "savepoint") {
      const existing = (await this.metaRows()).find((m) => m.meta?.kind === "savepoint" && m.meta.name === info.name);
      if (existing !== undefined) throw new Error(`a savepoint named ${JSON.stringify(info.name)} exists already in ${this.where()}`);
    }

    const complete: CheckpointInfo = { ...info, completedAt: Date.now(), bytes: state.byteLength };
    await this.commit(complete, state);
    await this.prune();
    return publicInfo(complete);
  }

  /**
   * Writes `complete` and its state as a new write (fresh token): intent, chunks, then the commit
   * marker by check-and-mutate. Visible only once it resolves; on failure nothing of it stays visible.
   */
  private async commit(info: CheckpointInfo, state: Uint8Array): Promise<void> {
    const slot = `${pad(info.id, ID_DIGITS)}/${newToken()}`;
    const row = `${this.prefix}m/${slot}`;
    const chunks = Math.ceil(state.byteLength / this.chunkBytes);
    const intent = encoder.encode(JSON.stringify({ id: info.id, kind: info.kind, chunks, startedAt: Date.now() }));
    await this.table.put({ row, cells: [{ family: this.family, qualifier: "pending", value: intent }] });

    const perBatch = Math.max(1, Math.floor(PUT_BATCH_BYTES / this.chunkBytes));
    try {
      for (let first = 0; first < chunks; first += perBatch) {
        const puts: Put[] = [];
        for (let n = first; n < Math.min(chunks, first + perBatch); n++) {
          const value = state.subarray(n * this.chunkBytes, Math.min(state.byteLength, (n + 1) * this.chunkBytes));
          puts.push({ row: this.dataRow(slot, n), cells: [{ family: this.family, qualifier: "data", value }] });
        }
        await this.table.putMany(puts);
      }
    } catch (error) {
      // Never committed, so never visible; remove what was written (the next write would otherwise).
      await this.table.delete({ row }).then(() => this.removeData(slot)).catch(() => {});
      throw error;
    }

    const meta: StoredMeta = { ...publicInfo(info), format: FORMAT, chunks };
    const committed = await this.table.checkAndMutate(row, { family: this.family, qualifier: "pending", op: "equal", value: intent }, [
      { kind: "put", row, cells: [{ family: this.family, qualifier: "meta", value: encoder.encode(JSON.stringify(meta)) }] },
      { kind: "delete", row, family: this.family, qualifier: "pending" },
    ]);
    if (!committed) {
      await this.removeData(slot);
      throw new Error(
        `checkpoint ${info.id} of job ${this.job} in ${this.label} was removed while it was being written ` +
          "(another writer of the same job cleaned it up): it was not stored",
      );
    }
  }

  async list(): Promise<CheckpointInfo[]> {
    if (!(await this.open(false))) return [];
    // One entry per checkpoint: of several committed writes of one (a crash between a materialisation
    // and the removal of the delta it replaced, a rewritten id), the one that counts.
    const counting = new Map<string, StoredMeta>();
    for (const { meta } of committedOf(await this.metaRows())) {
      const key = meta.kind === "savepoint" ? `s/${String(meta.name)}` : `c/${meta.id}`;
      const other = counting.get(key);
      if (other === undefined || supersedes(meta, other)) counting.set(key, meta);
    }
    return [...counting.values()].map(publicInfo).sort((a, b) => a.id - b.id || a.completedAt - b.completedAt);
  }

  async latest(): Promise<CheckpointInfo | undefined> {
    return (await this.list()).at(-1);
  }

  async read(info: CheckpointInfo): Promise<Uint8Array> {
    if (info === null || typeof info !== "object" || !Number.isSafeInteger(info.id)) throw new TypeError("read() takes a checkpoint's info from list()");
    const found = (await this.open(false)) ? this.find(await this.metaRows(), info) : undefined;
    if (found === undefined) {
      throw new Error(`no ${info.kind === "savepoint" ? `savepoint named ${JSON.stringify(info.name)}` : `checkpoint ${info.id}`} in ${this.where()}`);
    }
    const { slot, meta } = found;
    const state = new Uint8Array(meta.bytes);
    let n = 0;
    let offset = 0;
    const damaged = (why: string): Error => new Error(`checkpoint ${meta.id} of job ${this.job} in ${this.label} is damaged: ${why}`);
    const batchSize = Math.max(1, Math.floor(PUT_BATCH_BYTES / this.chunkBytes));
    for await (const r of this.table.scan({ prefix: `${this.prefix}d/${slot}/`, columns: [`${this.family}:data`], batchSize })) {
      if (r.rowKey !== this.dataRow(slot, n)) throw damaged(`chunk ${n} of ${meta.chunks} is missing`);
      const value = r.getBytes(`${this.family}:data`) ?? new Uint8Array(0);
      if (offset + value.byteLength > meta.bytes) throw damaged(`more than the ${meta.bytes} bytes of state its metadata says`);
      state.set(value, offset);
      offset += value.byteLength;
      n++;
    }
    if (n !== meta.chunks) throw damaged(`${n} chunks of state, its metadata says ${meta.chunks}`);
    if (offset !== meta.bytes) throw damaged(`${offset} bytes of state, its metadata says ${meta.bytes}`);
    return state;
  }

  deleteSavepoint(name: string): Promise<void> {
    return this.queue.run(() => this.deleteSavepointNow(name));
  }

  private async deleteSavepointNow(name: string): Promise<void> {
    if (typeof name !== "string" || !NAME_PATTERN.test(name) || !(await this.open(false))) {
      throw new Error(`no savepoint named ${JSON.stringify(name)} in ${this.where()}`);
    }
    const rows = (await this.metaRows()).filter((m) => m.meta?.kind === "savepoint" && m.meta.name === name);
    if (rows.length === 0) throw new Error(`no savepoint named ${JSON.stringify(name)} in ${this.where()}`);
    for (const m of rows) {
      await this.table.delete({ row: m.row });
      await this.removeData(m.slot);
    }
  }

  // ---------------------------------------------------------------------------------------------

  private where(): string {
    return `table ${this.label} (job ${this.job})`;
  }

  private dataRow(slot: string, n: number): string {
    return `${this.prefix}d/${slot}/${pad(n, CHUNK_DIGITS)}`;
  }

  /**
   * Creates (for writes) or validates the table once; false when it does not exist and `create` is
   * false. Only with a connection: a table given directly is used as it is.
   */
  private async open(create: boolean): Promise<boolean> {
    if (this.connection === undefined) return true;
    for (;;) {
      const attempt = (this.ready ??= this.prepare(this.connection.admin, create));
      let exists: boolean;
      try {
        exists = await attempt;
      } catch (error) {
        if (this.ready === attempt) this.ready = undefined;
        throw error;
      }
      if (exists) return true;
      if (this.ready === attempt) this.ready = undefined; // look again next time: a write creates it
      if (!create) return false;
    }
  }

  private async prepare(admin: Admin, create: boolean): Promise<boolean> {
    if (!(await admin.tableExists(this.table.name))) {
      if (!create) return false;
      try {
        await admin.createTable(this.table.name, { families: [{ name: this.family, maxVersions: 1 }] });
      } catch (error) {
        // Created meanwhile by another store: validated below.
        if (!(await admin.tableExists(this.table.name))) throw error;
      }
    }
    const descriptor = await admin.describeTable(this.table.name);
    const family = descriptor.families.find((f) => f.name === this.family);
    const families = descriptor.families.map((f) => f.name).join(", ");
    if (family === undefined) {
      throw new Error(
        `table ${this.label} cannot hold checkpoints: it has no column family "${this.family}" (its families: ${families || "none"}); ` +
          "use another table, or pass { family } naming one of its families",
      );
    }
    if (family.ttlMs !== Infinity) {
      throw new Error(`table ${this.label} cannot hold checkpoints: family "${this.family}" has a TTL of ${family.ttlMs} ms, so stored checkpoints would expire`);
    }
    return true;
  }

  /** Every metadata row of this job (committed or not). */
  private async metaRows(): Promise<MetaRow[]> {
    const rows: MetaRow[] = [];
    const start = `${this.prefix}m/`;
    for await (const r of this.table.scan({ prefix: start, columns: [this.family] })) {
      const slot = r.rowKey.slice(start.length);
      if (SLOT_PATTERN.test(slot)) rows.push({ row: r.rowKey, slot, meta: this.metaOf(r) }); // else not a row of this store
    }
    return rows;
  }

  private metaOf(r: Result): StoredMeta | undefined {
    return parseMeta(r.getBytes(`${this.family}:meta`));
  }

  /**
   * The committed row holding `info`: of the writes of that id and kind, those completed when `info`
   * says (else all of them), and of those the one that counts ({@link supersedes}).
   */
  private find(rows: readonly MetaRow[], info: CheckpointInfo): CommittedRow | undefined {
    const matches = committedOf(rows).filter(
      (m) =>
        m.meta.id === info.id && m.meta.kind === info.kind && (info.kind !== "savepoint" || m.meta.name === info.name),
    );
    const sameTime = matches.filter((m) => m.meta.completedAt === info.completedAt);
    let best: CommittedRow | undefined;
    for (const m of sameTime.length > 0 ? sameTime : matches) if (best === undefined || supersedes(m.meta, best.meta)) best = m;
    return best;
  }

  /**
   * After a write: removes metadata rows without a commit marker (crashed writes), periodic
   * checkpoints beyond the newest `retain` that no retained checkpoint's or savepoint's parent chain
   * needs (and superseded writes of an id), then every chunk row whose metadata row is gone. Metadata
   * rows go first, so a crash here never leaves a visible checkpoint without its state.
   */
  private async prune(): Promise<void> {
    const rows = await this.metaRows();
    const newestPerId = new Map<number, CommittedRow>();
    const remove: MetaRow[] = [];
    for (const m of rows) {
      if (m.meta === undefined) {
        remove.push(m);
      } else if (m.meta.kind === "checkpoint") {
        const other = newestPerId.get(m.meta.id);
        if (other === undefined || supersedes(m.meta, other.meta)) {
          if (other !== undefined) remove.push(other);
          newestPerId.set(m.meta.id, m as CommittedRow);
        } else {
          remove.push(m);
        }
      }
    }
    const ids = [...newestPerId.keys()].sort((a, b) => b - a);
    const keep = new Set(ids.slice(0, this.retain));
    const savepoints = committedOf(rows).filter((m) => m.meta.kind === "savepoint");
    for (const m of [...ids.slice(0, this.retain).map((id) => newestPerId.get(id)!), ...savepoints]) {
      for (let p = m.meta.parent; p !== undefined && !keep.has(p); p = newestPerId.get(p)?.meta.parent) keep.add(p);
    }
    for (const id of ids) if (!keep.has(id)) remove.push(newestPerId.get(id)!);
    for (const m of remove) await this.table.delete({ row: m.row });
    const live = new Set(rows.filter((m) => !remove.includes(m)).map((m) => m.slot));
    for (const slot of await this.dataSlots()) if (!live.has(slot)) await this.removeData(slot);
  }

  /** The slots having chunk rows: one short key-only scan per slot (skipping over its chunks). */
  private async dataSlots(): Promise<string[]> {
    const base = `${this.prefix}d/`;
    const stopRow = `${this.prefix}d0`; // "0" follows "/": just past every row of base
    const slots: string[] = [];
    let startRow: BytesLike = base;
    for (;;) {
      let next: Result | undefined;
      for await (const r of this.table.scan({ startRow, stopRow, limit: 1, filter: { type: "keyOnly" } })) next = r;
      if (next === undefined) return slots;
      const chunk = CHUNK_ROW_PATTERN.exec(next.rowKey.slice(base.length));
      if (chunk === null) {
        startRow = Uint8Array.of(...next.row, 0); // not a row of this store: step over it
        continue;
      }
      slots.push(chunk[1]!);
      startRow = `${base}${chunk[1]!}0`; // just past every `<slot>/…` row ("0" follows "/")
    }
  }

  /** Deletes every chunk row of a slot. */
  private async removeData(slot: string): Promise<void> {
    const rows: BytesLike[] = [];
    for await (const r of this.table.scan({ prefix: `${this.prefix}d/${slot}/`, filter: { type: "keyOnly" } })) rows.push(r.row);
    for (const row of rows) await this.table.delete({ row });
  }
}

/**
 * Checkpoint storage in an HBase table, for `start({ checkpoint: { every, storage } })`. Given a
 * connection, the table (`options.table`, default "sluice_checkpoints") is created on the first write
 * when missing (one family "c", one version) and otherwise checked to have the family (no TTL); given a
 * table, it is used as it is.
 * @example
 * ```ts
 * const hbase = await connect();
 * const job = pipeline.start({ name: "bids", checkpoint: { every: 1_000, storage: hbaseCheckpointStore(hbase, { job: "bids" }) }, restore: "latest" });
 * ```
 */
export function hbaseCheckpointStore(target: Connection | Table, options: HBaseCheckpointStoreOptions): CheckpointStore {
  if (target === null || typeof target !== "object" || (!isConnection(target) && typeof (target as Table).putMany !== "function")) {
    throw new TypeError("hbaseCheckpointStore() takes a connection or a table: hbaseCheckpointStore(connection, { job })");
  }
  if (options === null || typeof options !== "object") throw new TypeError("hbaseCheckpointStore() needs options { job }");
  const { job, retain, chunkBytes, table, family } = options;
  if (typeof job !== "string" || !NAME_PATTERN.test(job)) {
    throw new Error(`hbaseCheckpointStore: job is 1 to 100 letters, digits, ".", "_" or "-", got ${JSON.stringify(job)}`);
  }
  if (retain !== undefined && (!Number.isInteger(retain) || retain < 1)) {
    throw new RangeError(`hbaseCheckpointStore: retain must be an integer ≥ 1, got ${String(retain)}`);
  }
  if (chunkBytes !== undefined && (!Number.isInteger(chunkBytes) || chunkBytes < 1 || chunkBytes > MAX_CHUNK_BYTES)) {
    throw new RangeError(`hbaseCheckpointStore: chunkBytes must be an integer from 1 to ${MAX_CHUNK_BYTES}, got ${String(chunkBytes)}`);
  }
  if (family !== undefined && (typeof family !== "string" || !/^[A-Za-z0-9._-]+$/.test(family))) {
    throw new Error(`hbaseCheckpointStore: family must be a column family name, got ${JSON.stringify(family)}`);
  }
  if (isConnection(target)) {
    if (table !== undefined && (typeof table !== "string" || table.length === 0)) {
      throw new TypeError(`hbaseCheckpointStore: table must be a table name, got ${JSON.stringify(table)}`);
    }
    return new HBaseCheckpointStore(target, target.table(table ?? DEFAULT_CHECKPOINT_TABLE), job, options);
  }
  if (table !== undefined) throw new TypeError("hbaseCheckpointStore: the table option is for a connection; a table was given");
  return new HBaseCheckpointStore(undefined, target, job, options);
}
