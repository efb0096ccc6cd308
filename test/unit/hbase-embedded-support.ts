/** Shared helpers of the embedded-store tests (not a test file itself). */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startsWith } from "../../src/hbase/bytes/bytes.js";

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
