/**
 * One owner per data directory for engines that allow many (LMDB is multi-process by design): a lock
 * file holding the owner's pid and host, created atomically (written aside, then hard-linked into
 * place, so it never exists half-written), removed on release. A lock whose process is gone (no such
 * pid on this host, a zombie, or another process since that pid was reused) is stale and taken over at
 * once: a directory opens right after its owner was killed with SIGKILL. Within one process, a
 * directory is held by one thread: another worker thread's open is refused too.
 *
 * Taking a stale lock over is race-safe between openers: the stale file is renamed aside and its
 * content compared with what was read (every lock carries a random token); an opener that moved a
 * fresh lock by mistake links it back and reports the directory in use.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { link, open, readFile, realpath, rename, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";

/** The lock file's name in the data directory. */
export const OWNER_LOCK_FILE = "sluice-owner.lock";

/** What the lock file holds (JSON). */
export interface OwnerRecord {
  readonly pid: number;
  readonly hostname: string;
  /** The process's start time (Linux: /proc/PID/stat field 22), to tell a reused pid; null if unknown. */
  readonly start: string | null;
  /** Random, unique per lock taken. */
  readonly token: string;
}

/** The error every engine gives when a directory is held by another opener. */
export function inUseError(directory: string, cause?: unknown): Error {
  return new Error(`the HBase data directory ${directory} is in use by another process`, cause === undefined ? undefined : { cause });
}

/** Lock files held by this process (a second open of a directory in the same process is refused). */
const held = new Set<string>();

/** /proc/PID/stat's state letter and start time, or undefined where /proc is not available. */
function procStat(pid: number): { state: string; start: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const state = fields[0];
    const start = fields[19];
    return state === undefined || start === undefined ? undefined : { state, start };
  } catch {
    return undefined;
  }
}

/** Whether the process of a lock on this host is gone (dead, a zombie, or its pid now another process's). */
function isGone(owner: OwnerRecord): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: it exists, owned by another user.
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return true;
  }
  const stat = procStat(owner.pid);
  if (stat === undefined) return false;
  if (stat.state === "Z" || stat.state === "X") return true;
  return owner.start !== null && owner.start !== stat.start;
}

function parseRecord(text: string): OwnerRecord | undefined {
  try {
    const value = JSON.parse(text) as Partial<OwnerRecord>;
    if (
      typeof value === "object" && value !== null &&
      Number.isInteger(value.pid) && typeof value.hostname === "string" && typeof value.token === "string" &&
      (value.start === null || typeof value.start === "string")
    ) {
      return value as OwnerRecord;
    }
  } catch {
    // not a lock written here
  }
  return undefined;
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** Creates `file` holding `text` unless it exists (then false); never leaves it half-written. */
async function createExclusive(file: string, text: string, token: string): Promise<boolean> {
  const aside = `${file}.${process.pid}.${token}.tmp`;
  await writeFile(aside, text, { flag: "w" });
  try {
    await link(aside, file);
    return true;
  } catch (error) {
    if (errorCode(error) === "EEXIST") return false;
    // File systems without hard links: O_EXCL (a crash between create and write leaves an empty file).
    if (errorCode(error) !== "EPERM" && errorCode(error) !== "ENOTSUP" && errorCode(error) !== "ENOSYS") throw error;
    try {
      const handle = await open(file, "wx");
      try {
        await handle.writeFile(text);
      } finally {
        await handle.close();
      }
      return true;
    } catch (fallbackError) {
      if (errorCode(fallbackError) === "EEXIST") return false;
      throw fallbackError;
    }
  } finally {
    await unlink(aside).catch(() => undefined);
  }
}

/** A held owner lock of a data directory. */
export class OwnerLock {
  private released = false;

  private constructor(
    /** The lock file (absolute). */
    readonly file: string,
    private readonly token: string,
  ) {}

  /**
   * Takes the owner lock of `directory` (existing), taking over a stale one. Throws "the HBase data
   * directory X is in use by another process" when a live process (this one included) holds it.
   */
  static async acquire(directory: string): Promise<OwnerLock> {
    const file = path.join(await realpath(directory), OWNER_LOCK_FILE);
    if (held.has(file)) throw inUseError(directory, new Error("this process has the directory open already"));
    const token = randomBytes(12).toString("hex");
    const own: OwnerRecord = { pid: process.pid, hostname: hostname(), start: procStat(process.pid)?.start ?? null, token };
    const text = JSON.stringify(own);
    // Claim it in this process first: two opens in one process do not race each other on the file.
    held.add(file);
    try {
      for (let attempt = 0; attempt < 50; attempt++) {
        if (await createExclusive(file, text, token)) return new OwnerLock(file, token);
        let existing: string;
        try {
          existing = await readFile(file, "utf8");
        } catch (error) {
          if (errorCode(error) === "ENOENT") continue;
          throw error;
        }
        const owner = parseRecord(existing);
        if (owner === undefined) {
          throw new Error(`the HBase data directory ${directory} has an unreadable owner lock file ${file}: remove it if no process uses the directory`);
        }
        if (owner.hostname === own.hostname && owner.pid === process.pid && owner.start === own.start) {
          // This process, but not this thread's module: another worker thread holds it (or held it and
          // ended without closing; the lock then lasts as long as the process).
          throw inUseError(directory, new Error(`held by another thread of this process (${file})`));
        }
        // This pid with another start time: a predecessor whose pid this process got.
        const stale = owner.hostname === own.hostname && (owner.pid === process.pid || isGone(owner));
        if (!stale) {
          throw inUseError(directory, new Error(`held by process ${owner.pid} on ${owner.hostname} (${file})`));
        }
        // Stale: move it aside and check that what moved is the lock that was read.
        const aside = `${file}.stale-${process.pid}-${token}-${attempt}`;
        try {
          await rename(file, aside);
        } catch (error) {
          if (errorCode(error) === "ENOENT") continue; // another opener moved it first
          throw error;
        }
        const moved = await readFile(aside, "utf8").catch(() => undefined);
        if (moved !== existing) {
          // A lock taken meanwhile by another opener: put it back (the next round reports it in use).
          await link(aside, file).catch(() => undefined);
        }
        await unlink(aside).catch(() => undefined);
      }
      throw new Error(`cannot take the owner lock ${file} of the HBase data directory ${directory}: it keeps changing`);
    } catch (error) {
      held.delete(file);
      throw error;
    }
  }

  /** Removes the lock file (only if it is still this lock's). Idempotent. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    try {
      const current = parseRecord(await readFile(this.file, "utf8"));
      if (current?.token === this.token) await unlink(this.file);
    } catch (error) {
      if (errorCode(error) !== "ENOENT") throw error;
    } finally {
      held.delete(this.file);
    }
  }
}
