/**
 * Large batches of the LMDB engine (lmdb-engine.ts): one write transaction each, so a batch of many
 * entries is all or nothing — when the transaction fails part way (here: a corrupt bucket met after
 * thousands of entries were written into it) and when the process is killed with SIGKILL while it
 * writes. The kill test's child runs the built engine (dist/), as hbase-durability.test.ts does.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { open } from "lmdb";
import { afterEach, describe, expect, it } from "vitest";
import { INLINE_KEY_LIMIT } from "../../src/hbase/backends/embedded/lmdb-engine.js";
import { openStorageEngine } from "../../src/hbase/backends/embedded/open-storage-engine.js";
import type { StorageEngine } from "../../src/hbase/backends/embedded/storage-engine.js";
import { REPO_ROOT } from "../support/paths.mjs";
import { tempDir } from "./hbase-embedded-support.js";

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function directory(): Promise<string> {
  const { dir, remove } = await tempDir();
  cleanups.push(remove);
  return dir;
}

async function openLmdb(dir: string): Promise<StorageEngine> {
  const db = await openStorageEngine(dir, "lmdb");
  cleanups.push(() => db.close());
  return db;
}

/** Key of entry `i` of batch `b`: 0x01, batch (uint32 BE), entry (uint32 BE). */
function entryKey(b: number, i: number): Uint8Array {
  const key = new Uint8Array(9);
  const view = new DataView(key.buffer);
  key[0] = 0x01;
  view.setUint32(1, b);
  view.setUint32(5, i);
  return key;
}

describe("LMDB engine: large batches are all or nothing", () => {
  it("writes nothing of a batch of many entries whose transaction fails part way", async () => {
    const dir = await directory();
    // A corrupt bucket (the entry of long keys sharing a 1,900-byte prefix), put there with lmdb-js itself.
    const prefix = new Uint8Array(INLINE_KEY_LIMIT).fill(0x62);
    const bucket = new Uint8Array(INLINE_KEY_LIMIT + 1);
    bucket.set(prefix);
    const raw = open<Uint8Array, Uint8Array>({ path: dir, noSubdir: false, keyEncoding: "binary", encoding: "binary", compression: false, cache: false });
    raw.putSync(bucket, Uint8Array.of(1, 2, 3));
    await raw.close();

    const db = await openLmdb(dir);
    await db.put(entryKey(0, 0), Uint8Array.of(9));
    const batch = db.batch();
    for (let i = 0; i < 5000; i++) batch.put(entryKey(1, i), Uint8Array.of(i & 0xff));
    batch.del(entryKey(0, 0));
    // A long key under the corrupt bucket: reading the bucket fails inside the transaction, after
    // the 5,001 entries before it were written.
    const long = new Uint8Array(INLINE_KEY_LIMIT + 10).fill(0x62);
    batch.put(long, Uint8Array.of(7));
    for (let i = 5000; i < 6000; i++) batch.put(entryKey(1, i), Uint8Array.of(i & 0xff));
    await expect(batch.write()).rejects.toThrow();

    const all = await db.iterator({ gte: Uint8Array.of(0x01), lt: Uint8Array.of(0x02) }).all();
    expect(all.map(([k, v]) => [Buffer.from(k).toString("hex"), [...v]])).toEqual([[Buffer.from(entryKey(0, 0)).toString("hex"), [9]]]);
    // The engine keeps working.
    const next = db.batch();
    for (let i = 0; i < 3000; i++) next.put(entryKey(2, i), Uint8Array.of(1));
    await next.write();
    expect((await db.iterator({ gte: entryKey(2, 0), lt: entryKey(3, 0) }).all()).length).toBe(3000);
  });

  it("leaves no part of a batch killed while it is written, and every acknowledged batch whole", async () => {
    const dir = await directory();
    const engineUrl = pathToFileURL(path.join(REPO_ROOT, "dist", "hbase", "backends", "embedded", "open-storage-engine.js")).href;
    // The child writes batches of 20,000 entries (batch number, entry number) from the batch number it
    // is given, each value naming its batch, and prints every batch number once its write resolved.
    const child = `
      const { openStorageEngine } = await import(${JSON.stringify(engineUrl)});
      const db = await openStorageEngine(${JSON.stringify(dir)}, "lmdb");
      for (let b = Number(process.argv[1]); ; b++) {
        const batch = db.batch();
        for (let i = 0; i < 20000; i++) {
          const key = new Uint8Array(9);
          const view = new DataView(key.buffer);
          key[0] = 1;
          view.setUint32(1, b);
          view.setUint32(5, i);
          const value = new Uint8Array(40).fill(b & 0xff);
          batch.put(key, value);
        }
        await batch.write();
        process.stdout.write(b + "\\n");
      }
    `;
    for (let round = 0; round < 4; round++) {
      const first = round * 1000;
      const proc = spawn(process.execPath, ["--input-type=module", "-e", child, String(first)], { stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      proc.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      let acked = first - 1;
      // Kill at a different point each round: after 1, 3, 5, 7 acknowledged batches (mid-write of the next).
      const target = first + 1 + 2 * round;
      const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on("exit", (_code, signal) => resolve(signal)));
      await new Promise<void>((resolve, reject) => {
        let buffered = "";
        proc.stdout.on("data", (d: Buffer) => {
          buffered += d.toString();
          const lines = buffered.split("\n");
          buffered = lines.pop()!;
          for (const line of lines) acked = Math.max(acked, Number(line));
          if (acked >= target) {
            proc.kill("SIGKILL");
            resolve();
          }
        });
        proc.on("exit", () => reject(new Error(`the writer ended before the kill: ${stderr}`)));
      });
      expect(await exited).toBe("SIGKILL");

      const db = await openStorageEngine(dir, "lmdb");
      try {
        const counts = new Map<number, number>();
        for (const [key, value] of await db.iterator().all()) {
          const b = new DataView(key.buffer, key.byteOffset, key.byteLength).getUint32(1);
          expect(value.every((x) => x === (b & 0xff))).toBe(true);
          counts.set(b, (counts.get(b) ?? 0) + 1);
        }
        // A batch is there whole or not at all; every acknowledged one is.
        for (const [b, n] of counts) expect(n, `batch ${b} after round ${round}`).toBe(20000);
        for (let b = first; b <= acked; b++) expect(counts.get(b), `acknowledged batch ${b} after round ${round}`).toBe(20000);
        expect([...counts.keys()].filter((b) => b >= first).length).toBeGreaterThanOrEqual(target - first + 1);
      } finally {
        await db.close();
      }
    }
  }, 120_000);
});

describe("LMDB engine: large batches", () => {
  it("writes a batch of 50,000 entries in one transaction", async () => {
    const db = await openLmdb(await directory());
    const batch = db.batch();
    for (let i = 0; i < 50_000; i++) batch.put(entryKey(0, i), new Uint8Array(40));
    await batch.write();
    expect((await db.iterator().all()).length).toBe(50_000);
  });
});
