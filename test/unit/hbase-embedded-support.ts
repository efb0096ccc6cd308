/** Shared helpers of the embedded-store tests (not a test file itself). */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach } from "vitest";
import { startsWith } from "../../src/hbase/bytes/bytes.js";
import { connect } from "../../src/hbase/connect.js";
import type { Connection } from "../../src/hbase/table.js";

export {
  decodeCellKey,
  encodeCellKey,
  escapeUnterminated,
  rowKeyEnd,
  rowKeyPrefix,
  rowPrefixLength,
} from "../../src/hbase/backends/embedded/key-codec.js";

export function startsWithForTest(value: Uint8Array, prefix: readonly number[]): boolean {
  return startsWith(value, Uint8Array.from(prefix));
}

/** A fresh temporary directory, and its removal. */
export async function tempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), "sluice-hbase-"));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export const text = (b: Uint8Array): string => new TextDecoder().decode(b);

/**
 * Stores in fresh temporary directories for the tests of one file: call at the file's top level; each
 * store opened with the returned function is closed and its directory removed after its test.
 */
export function tempStores(): () => Promise<Connection> {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return async () => {
    const { dir, remove } = await tempDir();
    const store = await connect({ path: dir });
    cleanups.push(async () => {
      await store.close();
      await remove();
    });
    return store;
  };
}
