/**
 * Checkpoints in a directory: `<dir>/chk-<id>/` for periodic checkpoints (the newest `retain` kept) and
 * `<dir>/savepoint-<name>/` for savepoints. Each holds `state.bin` and `_metadata.json`; the metadata is
 * written last, through a temporary file renamed into place after fsync, so a directory without it is an
 * incomplete checkpoint (ignored, and removed by the next write). Incremental checkpoints name their
 * parent in the metadata; retention keeps the chains of the retained checkpoints. A materialised
 * checkpoint (a delta replaced by its folded full state) holds `base.bin`, named by its metadata
 * (`stateFile`), which is swapped in by the same rename: a crash leaves the delta or the base, never
 * neither. Writes, materialisations and pruning run one at a time (a queue per store object).
 */
import { mkdir, open, readdir, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { CheckpointInfo, CheckpointStore } from "./checkpoint-store.js";
import { SerialQueue } from "./serial-queue.js";

const METADATA = "_metadata.json";
const STATE = "state.bin";
const BASE = "base.bin";
const NAME_PATTERN = /^[A-Za-z0-9._-]{1,100}$/;

async function writeDurably(file: string, data: Uint8Array | string): Promise<void> {
  const temporary = `${file}.tmp`;
  const handle = await open(temporary, "w");
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function folderOf(info: Pick<CheckpointInfo, "id" | "kind" | "name">): string {
  return info.kind === "savepoint" ? `savepoint-${info.name}` : `chk-${info.id}`;
}

/** A checkpoint store in a local directory. */
export class DirectoryCheckpointStore implements CheckpointStore {
  /** Retention keeps the chain (parents up to the base) of every retained checkpoint. */
  readonly keepsChains = true;

  /**
   * @param directory where this job's checkpoints go (created when missing)
   * @param retain how many periodic checkpoints to keep (default 3); savepoints are not counted
   */
  constructor(
    readonly directory: string,
    private readonly retain = 3,
  ) {
    if (typeof directory !== "string" || directory.length === 0) throw new TypeError("a checkpoint directory must be a non-empty path");
    if (!Number.isInteger(retain) || retain < 1) throw new RangeError(`checkpoints: retain must be an integer ≥ 1, got ${String(retain)}`);
  }

  /** Writes, materialisations, prunes and deletions, one at a time. */
  private readonly queue = new SerialQueue();

  write(info: Omit<CheckpointInfo, "bytes" | "completedAt">, state: Uint8Array): Promise<CheckpointInfo> {
    return this.queue.run(() => this.writeNow(info, state));
  }

  materialize(info: CheckpointInfo, state: Uint8Array): Promise<CheckpointInfo> {
    return this.queue.run(async () => {
      if (info.kind !== "checkpoint" || info.parent === undefined) throw new Error(`checkpoint ${info.id} is not an incremental checkpoint: nothing to materialise`);
      const folder = path.join(this.directory, folderOf(info));
      const current = await this.find(folder);
      if (current === undefined || current.parent !== info.parent || current.completedAt !== info.completedAt) {
        throw new Error(`checkpoint ${info.id} is no longer stored as that incremental checkpoint in ${this.directory}`);
      }
      // The full state first (durably), then the metadata naming it (rename: atomic), then the delta's file.
      await writeDurably(path.join(folder, BASE), state);
      const { parent: _parent, base: _base, ...rest } = current;
      const complete: CheckpointInfo & { stateFile: string } = { ...rest, bytes: state.byteLength, stateFile: BASE };
      await writeDurably(path.join(folder, METADATA), `${JSON.stringify(complete)}\n`);
      await syncDirectory(folder);
      await rm(path.join(folder, STATE), { force: true });
      await this.prune();
      return complete;
    });
  }

  private async writeNow(info: Omit<CheckpointInfo, "bytes" | "completedAt">, state: Uint8Array): Promise<CheckpointInfo> {
    if (info.kind === "savepoint" && (info.name === undefined || !NAME_PATTERN.test(info.name))) {
      throw new Error(`a savepoint name is 1 to 100 letters, digits, ".", "_" or "-", got ${JSON.stringify(info.name)}`);
    }
    if (!Number.isSafeInteger(info.id) || info.id < 0) throw new RangeError(`a checkpoint id is a non-negative integer, got ${String(info.id)}`);
    await mkdir(this.directory, { recursive: true });
    const folder = path.join(this.directory, folderOf(info));
    if (info.kind === "savepoint" && (await this.find(folder)) !== undefined) {
      throw new Error(`a savepoint named ${JSON.stringify(info.name)} exists already in ${this.directory}`);
    }
    await rm(folder, { recursive: true, force: true });
    await mkdir(folder);
    await writeDurably(path.join(folder, STATE), state);
    const complete: CheckpointInfo = { ...info, completedAt: Date.now(), bytes: state.byteLength };
    await writeDurably(path.join(folder, METADATA), `${JSON.stringify(complete)}\n`);
    await syncDirectory(folder);
    await syncDirectory(this.directory);
    if (info.kind === "checkpoint") await this.prune();
    return complete;
  }

  async list(): Promise<CheckpointInfo[]> {
    let entries: string[];
    try {
      entries = await readdir(this.directory);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const found: CheckpointInfo[] = [];
    for (const entry of entries) {
      if (!entry.startsWith("chk-") && !entry.startsWith("savepoint-")) continue;
      const info = await this.find(path.join(this.directory, entry));
      if (info !== undefined) found.push(info);
    }
    return found.sort((a, b) => a.id - b.id || a.completedAt - b.completedAt);
  }

  async latest(): Promise<CheckpointInfo | undefined> {
    const all = await this.list();
    return all.at(-1);
  }

  async read(info: CheckpointInfo): Promise<Uint8Array> {
    const stored = (info as { stateFile?: unknown }).stateFile === BASE ? BASE : STATE;
    const file = path.join(this.directory, folderOf(info), stored);
    const bytes = await readFile(file);
    if (bytes.byteLength !== info.bytes) {
      throw new Error(`checkpoint ${folderOf(info)} in ${this.directory} is damaged: ${bytes.byteLength} bytes of state, its metadata says ${info.bytes}`);
    }
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  deleteSavepoint(name: string): Promise<void> {
    return this.queue.run(() => this.deleteSavepointNow(name));
  }

  private async deleteSavepointNow(name: string): Promise<void> {
    if (!NAME_PATTERN.test(name)) throw new Error(`no savepoint named ${JSON.stringify(name)}`);
    const folder = path.join(this.directory, `savepoint-${name}`);
    if ((await this.find(folder)) === undefined) throw new Error(`no savepoint named ${JSON.stringify(name)} in ${this.directory}`);
    await rm(folder, { recursive: true, force: true });
  }

  /** The metadata of a complete checkpoint folder, or undefined (incomplete or unreadable). */
  private async find(folder: string): Promise<CheckpointInfo | undefined> {
    let text: string;
    try {
      text = await readFile(path.join(folder, METADATA), "utf8");
    } catch {
      return undefined;
    }
    try {
      return JSON.parse(text) as CheckpointInfo;
    } catch {
      return undefined;
    }
  }

  /**
   * Keeps the newest `retain` periodic checkpoints, every checkpoint their parent chains need, and what
   * savepoints need; removes the rest and incomplete folders (metadata first, so a crash mid-removal
   * leaves an incomplete folder, never a complete-looking one without its state).
   */
  private async prune(): Promise<void> {
    const entries = await readdir(this.directory);
    const all = await this.list();
    const byId = new Map(all.filter((c) => c.kind === "checkpoint").map((c) => [c.id, c]));
    const newest = [...byId.values()].sort((a, b) => b.id - a.id).slice(0, this.retain);
    const keep = new Set<number>();
    for (const c of [...newest, ...all.filter((s) => s.kind === "savepoint")]) {
      for (let p = c.parent; p !== undefined && !keep.has(p); p = byId.get(p)?.parent) keep.add(p);
      if (c.kind === "checkpoint") keep.add(c.id);
    }
    for (const entry of entries) {
      if (!entry.startsWith("chk-")) continue;
      const id = Number(entry.slice(4));
      if (byId.has(id) && keep.has(id)) continue;
      const folder = path.join(this.directory, entry);
      await rm(path.join(folder, METADATA), { force: true });
      await rm(folder, { recursive: true, force: true });
    }
  }
}
