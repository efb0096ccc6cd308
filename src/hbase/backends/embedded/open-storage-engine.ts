/**
 * Which storage engine a data directory uses, and opening it: an existing directory opens with the
 * engine that made it (recognised by its files: LevelDB's `CURRENT`, LMDB's `data.mdb`); a new one
 * with the engine asked for, else {@link DEFAULT_STORAGE_ENGINE}.
 */
import { access } from "node:fs/promises";
import path from "node:path";
import type { StorageEngine, StorageEngineKind } from "./storage-engine.js";
import { STORAGE_ENGINE_KINDS } from "./storage-engine.js";
import { LevelDbEngine } from "./leveldb-engine.js";
import { LmdbEngine } from "./lmdb-engine.js";

/** The engine of new data directories. */
export const DEFAULT_STORAGE_ENGINE: StorageEngineKind = "lmdb";

/** The file that tells each engine's directories apart. */
const MARKER_FILES: Readonly<Record<StorageEngineKind, string>> = { leveldb: "CURRENT", lmdb: "data.mdb" };
const ENGINE_NAMES: Readonly<Record<StorageEngineKind, string>> = { leveldb: "LevelDB", lmdb: "LMDB" };

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** Checks an engine option: undefined, "lmdb" or "leveldb"; throws naming the bad value. */
export function checkStorageEngine(engine: unknown, what = "engine"): StorageEngineKind | undefined {
  if (engine === undefined) return undefined;
  if (typeof engine === "string" && (STORAGE_ENGINE_KINDS as readonly string[]).includes(engine)) return engine as StorageEngineKind;
  throw new TypeError(`${what} must be ${STORAGE_ENGINE_KINDS.map((k) => `"${k}"`).join(" or ")}, got ${typeof engine === "string" ? JSON.stringify(engine) : String(engine)}`);
}

/**
 * The engine that made the store in `directory`, or undefined when it holds none. Throws when it holds
 * the files of both.
 */
export async function detectStorageEngine(directory: string): Promise<StorageEngineKind | undefined> {
  const found: StorageEngineKind[] = [];
  for (const kind of STORAGE_ENGINE_KINDS) {
    if (await exists(path.join(directory, MARKER_FILES[kind]))) found.push(kind);
  }
  if (found.length > 1) {
    throw new Error(
      `the HBase data directory ${directory} holds both an LMDB store (data.mdb) and a LevelDB store (CURRENT): move one of them away`,
    );
  }
  return found[0];
}

/**
 * Opens the store in `directory` (absolute, existing) with the engine that made it; a directory
 * without a store gets `engine` (default {@link DEFAULT_STORAGE_ENGINE}). Asking for the other engine
 * than the one that made the directory is an error naming both.
 */
export async function openStorageEngine(directory: string, engine?: StorageEngineKind): Promise<StorageEngine> {
  const wanted = checkStorageEngine(engine);
  const existing = await detectStorageEngine(directory);
  if (existing !== undefined && wanted !== undefined && existing !== wanted) {
    throw new Error(
      `the HBase data directory ${directory} holds a ${ENGINE_NAMES[existing]} store (engine "${existing}", ${MARKER_FILES[existing]}), ` +
        `but engine "${wanted}" was asked for: open it with engine "${existing}" (or leave the engine out), or use another directory`,
    );
  }
  const kind = existing ?? wanted ?? DEFAULT_STORAGE_ENGINE;
  return kind === "lmdb" ? LmdbEngine.open(directory) : LevelDbEngine.open(directory);
}
