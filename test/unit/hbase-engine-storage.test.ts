/**
 * The storage engines under the embedded store (storage-engine.ts), each against a sorted in-memory
 * model: puts, deletes, batches, gets, range iteration forwards and backwards (nextv, all, values:
 * false, highWaterMarkBytes), snapshots and range clears — with keys around and far beyond LMDB's
 * key size limit (LMDB keeps long keys in buckets, lmdb-engine.ts), which must not change the order.
 */
import { afterEach, describe, expect, it } from "vitest";
import { INLINE_KEY_LIMIT } from "../../src/hbase/backends/embedded/lmdb-engine.js";
import { openStorageEngine } from "../../src/hbase/backends/embedded/open-storage-engine.js";
import type { EngineEntry, StorageEngine, StorageEngineKind } from "../../src/hbase/backends/embedded/storage-engine.js";
import { seededRandom } from "../support/seeded-random.mjs";
import { tempDir } from "./hbase-embedded-support.js";

const ENGINES: readonly StorageEngineKind[] = ["lmdb", "leveldb"];
const SEED = Number(process.env.SLUICE_ENGINE_SEED ?? 20261125);

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function openEngine(kind: StorageEngineKind): Promise<StorageEngine> {
  const { dir, remove } = await tempDir();
  const db = await openStorageEngine(dir, kind);
  cleanups.push(async () => {
    await db.close();
    await remove();
  });
  return db;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const compare = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b);

/** Keys sharing prefixes, with lengths around INLINE_KEY_LIMIT and up to 33,000 bytes. */
function randomKey(rand: () => number): Uint8Array {
  const lengths = [1, 2, 5, 40, INLINE_KEY_LIMIT - 1, INLINE_KEY_LIMIT, INLINE_KEY_LIMIT + 1, INLINE_KEY_LIMIT + 2, 2500, 33_000];
  const length = lengths[Math.floor(rand() * lengths.length)]!;
  const key = new Uint8Array(length);
  // Few distinct bytes: long common prefixes, so many long keys share a bucket.
  const alphabet = [0x00, 0x01, 0x61, 0xff];
  const varyFrom = rand() < 0.7 ? Math.max(0, length - 3) : 0;
  for (let i = 0; i < length; i++) key[i] = i < varyFrom ? 0x61 : alphabet[Math.floor(rand() * alphabet.length)]!;
  return key;
}

/** The model: a sorted map from hex key to [key, value]. */
class Model {
  readonly entries = new Map<string, EngineEntry>();
  put(key: Uint8Array, value: Uint8Array): void {
    this.entries.set(hex(key), [key, value]);
  }
  del(key: Uint8Array): void {
    this.entries.delete(hex(key));
  }
  range(gte: Uint8Array | undefined, lt: Uint8Array | undefined, reverse: boolean): EngineEntry[] {
    const inRange = [...this.entries.values()]
      .filter(([k]) => (gte === undefined || compare(k, gte) >= 0) && (lt === undefined || compare(k, lt) < 0))
      .sort((a, b) => compare(a[0], b[0]));
    return reverse ? inRange.reverse() : inRange;
  }
  copy(): Model {
    const m = new Model();
    for (const [k, v] of this.entries) m.entries.set(k, v);
    return m;
  }
}

const show = (entries: readonly (readonly [Uint8Array, Uint8Array?])[]) => entries.map(([k, v]) => `${k.length}:${hex(k).slice(-12)}=${v === undefined ? "-" : hex(v).slice(0, 16)}`);

async function readAll(db: StorageEngine, gte: Uint8Array | undefined, lt: Uint8Array | undefined, reverse: boolean, size: number): Promise<EngineEntry[]> {
  const iterator = db.iterator({ ...(gte === undefined ? {} : { gte }), ...(lt === undefined ? {} : { lt }), reverse, highWaterMarkBytes: 64 * 1024 });
  const out: EngineEntry[] = [];
  try {
    for (;;) {
      const batch = await iterator.nextv(size);
      if (batch.length === 0) return out;
      expect(batch.length).toBeLessThanOrEqual(size);
      out.push(...batch);
    }
  } finally {
    await iterator.close();
  }
}

describe.each(ENGINES)("storage engine %s", (kind) => {
  it("matches a sorted model through random puts, deletes, batches, gets, ranges both ways and clears (long keys too)", async () => {
    const db = await openEngine(kind);
    expect(db.kind).toBe(kind);
    const rand = seededRandom(SEED);
    const model = new Model();
    const keys: Uint8Array[] = [];
    const pickKey = () => (keys.length > 0 && rand() < 0.5 ? keys[Math.floor(rand() * keys.length)]! : randomKey(rand));
    const where = (step: number) => `${kind}, seed ${SEED} (SLUICE_ENGINE_SEED), step ${step}`;
    for (let step = 0; step < 400; step++) {
      const action = rand();
      if (action < 0.35) {
        const key = pickKey();
        const value = Uint8Array.from({ length: Math.floor(rand() * 40) }, () => Math.floor(rand() * 256));
        keys.push(key);
        await db.put(key, value);
        model.put(key, value);
      } else if (action < 0.45) {
        const key = pickKey();
        await db.del(key);
        model.del(key);
      } else if (action < 0.65) {
        const batch = db.batch();
        for (let i = Math.floor(rand() * 20); i >= 0; i--) {
          const key = pickKey();
          if (rand() < 0.8) {
            const value = Uint8Array.of(step & 0xff, i);
            keys.push(key);
            batch.put(key, value);
            model.put(key, value);
          } else {
            batch.del(key);
            model.del(key);
          }
        }
        await batch.write();
      } else if (action < 0.75) {
        const key = pickKey();
        const got = await db.get(key);
        const expected = model.entries.get(hex(key))?.[1];
        expect(got === undefined ? undefined : hex(got), where(step)).toBe(expected === undefined ? undefined : hex(expected));
      } else if (action < 0.97) {
        let gte: Uint8Array | undefined = rand() < 0.2 ? undefined : pickKey();
        let lt: Uint8Array | undefined = rand() < 0.2 ? undefined : pickKey();
        if (gte !== undefined && lt !== undefined && compare(gte, lt) > 0) [gte, lt] = [lt, gte];
        const reverse = rand() < 0.5;
        const size = 1 + Math.floor(rand() * 7);
        expect(show(await readAll(db, gte, lt, reverse, size)), where(step)).toEqual(show(model.range(gte, lt, reverse)));
      } else {
        let gte = pickKey();
        let lt = pickKey();
        if (compare(gte, lt) > 0) [gte, lt] = [lt, gte];
        await db.clear({ gte, lt });
        for (const [k] of model.range(gte, lt, false)) model.del(k);
      }
    }
    expect(show(await db.iterator().all())).toEqual(show(model.range(undefined, undefined, false)));
    expect(model.entries.size).toBeGreaterThan(10);
    expect([...model.entries.values()].some(([k]) => k.length > INLINE_KEY_LIMIT + 1)).toBe(true);
  });

  it("reads a snapshot as it was while writes land, and every write after it is closed", async () => {
    const db = await openEngine(kind);
    const key = (i: number, long = false) => {
      const k = new Uint8Array(long ? 3000 : 8);
      k[0] = 0x01;
      new DataView(k.buffer).setUint32(long ? 2990 : 2, i);
      if (long) k[2995] = 0x7f;
      return k;
    };
    const batch = db.batch();
    for (let i = 0; i < 50; i++) batch.put(key(i, i % 5 === 0), Uint8Array.of(1));
    await batch.write();
    const snapshot = db.snapshot();
    const iterator = db.iterator({ snapshot });
    const first = await iterator.nextv(10);
    // Changes after the snapshot: overwrite everything, delete some, add more.
    const later = db.batch();
    for (let i = 0; i < 60; i++) later.put(key(i, i % 5 === 0), Uint8Array.of(2));
    for (let i = 0; i < 50; i += 3) later.del(key(i, i % 5 === 0));
    await later.write();
    const rest: EngineEntry[] = [];
    for (let b = await iterator.nextv(7); b.length > 0; b = await iterator.nextv(7)) rest.push(...b);
    await iterator.close();
    // A second iterator on the same snapshot sees the same.
    const again = await db.iterator({ snapshot, reverse: true }).all();
    await snapshot.close();
    const seen = [...first, ...rest];
    expect(seen.length).toBe(50);
    expect(seen.every(([, v]) => v[0] === 1)).toBe(true);
    expect(again.length).toBe(50);
    expect(again.every(([, v]) => v[0] === 1)).toBe(true);
    const now = await db.iterator().all();
    expect(now.length).toBe(60 - 17);
    expect(now.every(([, v]) => v[0] === 2)).toBe(true);
  });

  it("nextv stops at highWaterMarkBytes (one entry at least), values: false gives keys only", async () => {
    const db = await openEngine(kind);
    const batch = db.batch();
    for (let i = 0; i < 20; i++) batch.put(Uint8Array.of(0x01, i), new Uint8Array(1000).fill(i));
    await batch.write();
    const iterator = db.iterator({ highWaterMarkBytes: 2500 });
    const sizes: number[] = [];
    for (let b = await iterator.nextv(100); b.length > 0; b = await iterator.nextv(100)) sizes.push(b.length);
    await iterator.close();
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(20);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4);
    const tiny = db.iterator({ highWaterMarkBytes: 1 });
    expect((await tiny.nextv(100)).length).toBe(1);
    await tiny.close();
    const keys = await db.iterator({ values: false, gte: Uint8Array.of(0x01, 5), lt: Uint8Array.of(0x01, 8) }).all();
    expect(keys.map(([k]) => k[1])).toEqual([5, 6, 7]);
    expect(keys.every(([, v]) => v === undefined || v.length === 0)).toBe(true);
  });

  it("keeps a 10 MiB value under a long key and under a short one", async () => {
    const db = await openEngine(kind);
    const big = new Uint8Array(10 * 1024 * 1024).fill(7);
    const long = new Uint8Array(32_800).fill(0x62);
    await db.put(long, big);
    await db.put(Uint8Array.of(0x62), big);
    await db.put(long.subarray(0, 32_799), Uint8Array.of(1));
    expect((await db.get(long))?.length).toBe(big.length);
    expect((await db.get(Uint8Array.of(0x62)))?.length).toBe(big.length);
    const all = await db.iterator().all();
    expect(all.map(([k, v]) => [k.length, v.length])).toEqual([[1, big.length], [32_799, 1], [32_800, big.length]]);
  });

  it("gives the event loop turns during a loop of awaited writes, reads and nextv calls", async () => {
    const db = await openEngine(kind);
    // (classic-level answers nextv from what it read ahead without a turn: LMDB is held to more.)
    for (const step of kind === "lmdb" ? (["put", "get", "nextv"] as const) : (["put", "get"] as const)) {
      let fired = false;
      const timer = setTimeout(() => (fired = true), 0);
      let n = 0;
      const iterator = db.iterator();
      // Ends as soon as the timer ran; with promises settled in the same turn it never would.
      while (!fired && n < 100_000) {
        if (step === "put") await db.put(Uint8Array.of(0x01, n & 0xff), Uint8Array.of(1));
        else if (step === "get") await db.get(Uint8Array.of(0x01, n & 0xff));
        else await iterator.nextv(1);
        n++;
      }
      await iterator.close();
      clearTimeout(timer);
      expect(fired, `${kind} ${step}`).toBe(true);
    }
  });

  it("refuses a batch with a bad key as a whole", async () => {
    const db = await openEngine(kind);
    await db.put(Uint8Array.of(1), Uint8Array.of(1));
    const batch = db.batch();
    batch.put(Uint8Array.of(2), Uint8Array.of(2));
    batch.del(Uint8Array.of(1));
    // LevelDB refuses the bad key at put(), LMDB at write(): either way nothing of the batch is written.
    const attempt = async () => {
      batch.put(null as unknown as Uint8Array, Uint8Array.of(3));
      await batch.write();
    };
    await expect(attempt()).rejects.toThrow(/key/i);
    await batch.close();
    expect(show(await db.iterator().all())).toEqual(show([[Uint8Array.of(1), Uint8Array.of(1)]]));
  });
});
