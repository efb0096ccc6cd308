/**
 * Checkpoints that cost the job's thread only what changed: periodic checkpoints written in the
 * background (the job goes on, the checkpoint counts once written, one write at a time, a failed write
 * fails the job), chains materialised into new bases off the job's thread (the job writes deltas only;
 * a crash mid-materialisation leaves a valid chain; a materialisation that keeps failing makes the job
 * write a full checkpoint itself), and the packed-aware fold of keyed deltas.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collect, from } from "../../src/stream/index.js";
import type { CheckpointInfo, CheckpointStore } from "../../src/stream/index.js";
import { fromAsyncIterable } from "../../src/stream/sources/index.js";
import { tumbling } from "../../src/stream/windowing/index.js";
import { count } from "../../src/stream/aggregates/index.js";
import { startJob } from "../../src/stream/runtime/job-runner.js";
import { DirectoryCheckpointStore } from "../../src/stream/checkpoint/directory-checkpoint-store.js";
import { decodeSnapshot, encodeSnapshot } from "../../src/stream/checkpoint/snapshot-codec.js";
import { chainOf, ChainPolicy, MATERIALIZE_LAG_LIMIT } from "../../src/stream/checkpoint/checkpoint-chain.js";
import { ChainMaterializer } from "../../src/stream/checkpoint/chain-materializer.js";
import { foldJobSnapshot, type JobSnapshot } from "../../src/stream/checkpoint/job-snapshot.js";
import { applyKeyedDelta, unpacked, type KeyedDeltaSnapshot, type KeyedFullSnapshot } from "../../src/stream/state/keyed-snapshot.js";
import { PackedKeysWriter } from "../../src/stream/state/packed-keys.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "sluice-ckpt-async-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

function clock(): { now: () => number } {
  let t = 0;
  return { now: () => (t += 10) };
}

/** A promise resolved from outside. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

interface Rec {
  k: number;
  ts: number;
}

const KEYS = 250;
const HOT = 10;
const PER_CHUNK = 1_000;

/** The key of record i: the first chunk visits every key, later ones the `HOT` first (deltas stay small). */
const keyOf = (i: number): number => (i < PER_CHUNK ? (i * 7) % KEYS : i % HOT);

/** Chunks of `PER_CHUNK` records; before chunk i > 0 the source waits for `gates[i - 1]`, and after the last for `gates.at(-1)`. */
function gatedSource(chunks: number, gates: readonly Promise<void>[]) {
  return fromAsyncIterable<Rec>(async function* () {
    for (let c = 0; c < chunks; c++) {
      if (c > 0) await gates[c - 1];
      for (let i = c * PER_CHUNK; i < (c + 1) * PER_CHUNK; i++) yield { k: keyOf(i), ts: i };
    }
    await gates[chunks - 1];
  });
}

/** Counts per key in one window holding everything (fires at the end): every key ends with chunks × PER_CHUNK / KEYS. */
function counts(source: ReturnType<typeof gatedSource>) {
  return from(source)
    .withTimestamps((r) => r.ts)
    .keyBy((r) => r.k)
    .window(tumbling(1_000_000_000))
    .aggregate(count(), (n, w) => `${w.key} ${n}`);
}

/** A directory store that records what the job asks of it, and lets a test hold or fail writes and materialisations. */
class RecordingStore implements CheckpointStore {
  readonly keepsChains = true;
  readonly inner: DirectoryCheckpointStore;
  readonly writes: Omit<CheckpointInfo, "bytes" | "completedAt">[] = [];
  readonly materialized: CheckpointInfo[] = [];
  materializeAttempts = 0;
  /** Before write n (1-based) resolves, it waits for this. */
  holdWrite = new Map<number, Promise<void>>();
  failWrite = new Set<number>();
  failMaterialize = false;

  constructor(directory: string, retain: number) {
    this.inner = new DirectoryCheckpointStore(directory, retain);
  }

  async write(info: Omit<CheckpointInfo, "bytes" | "completedAt">, state: Uint8Array): Promise<CheckpointInfo> {
    this.writes.push(info);
    const n = this.writes.length;
    await this.holdWrite.get(n);
    if (this.failWrite.has(n)) throw new Error(`disk full (test, write ${n})`);
    return this.inner.write(info, state);
  }

  async materialize(info: CheckpointInfo, state: Uint8Array): Promise<CheckpointInfo> {
    this.materializeAttempts++;
    if (this.failMaterialize) throw new Error("materialisation refused (test)");
    const stored = await this.inner.materialize(info, state);
    this.materialized.push(stored);
    return stored;
  }

  list(): Promise<CheckpointInfo[]> {
    return this.inner.list();
  }
  latest(): Promise<CheckpointInfo | undefined> {
    return this.inner.latest();
  }
  read(info: CheckpointInfo): Promise<Uint8Array> {
    return this.inner.read(info);
  }
  deleteSavepoint(name: string): Promise<void> {
    return this.inner.deleteSavepoint(name);
  }
}

/** The counts a run without failure ends with, computed by hand from `keyOf`. */
function expected(chunks: number): string[] {
  const n = new Map<number, number>();
  for (let i = 0; i < chunks * PER_CHUNK; i++) n.set(keyOf(i), (n.get(keyOf(i)) ?? 0) + 1);
  return [...n].map(([k, c]) => `${k} ${c}`).sort();
}

describe("checkpoints written in the background", () => {
  it("the job goes on while a periodic checkpoint is written; it counts once written; the next one waits for it", { timeout: 120_000 }, async () => {
    const store = new RecordingStore(dir, 3);
    const held = gate();
    store.holdWrite.set(1, held.promise);
    const gates = [gate(), gate()];
    const out = collect<string>();
    const job = startJob(counts(gatedSource(2, gates.map((g) => g.promise))).to(out).plan(), { batchSize: 100, checkpoint: { every: 50, storage: store, backgroundAbove: 0 } }, clock());
    await until(() => store.writes.length === 1, "the first checkpoint's write");
    const atWrite = job.metrics().recordsIn;
    expect(atWrite).toBeLessThanOrEqual(PER_CHUNK);
    // The write is held: the job reads the next chunk meanwhile.
    gates[0]!.open();
    await until(() => job.metrics().recordsIn === 2 * PER_CHUNK, "the second chunk");
    expect(job.status).toBe("running");
    expect(job.metrics().lastCheckpoint).toBeUndefined();
    expect(await store.latest()).toBeUndefined(); // not restorable before its write completes
    expect(store.writes.length).toBe(1); // one write at a time
    held.open();
    await until(() => job.metrics().lastCheckpoint !== undefined, "the checkpoint to count");
    expect(job.metrics().lastCheckpoint!.id).toBe(1);
    expect((await store.latest())?.id).toBe(1);
    await until(() => store.writes.length >= 2, "the next periodic checkpoint");
    expect(store.writes[0]!.parent).toBeUndefined();
    expect(store.writes[1]!.parent).toBe(1);
    gates[1]!.open();
    await job.done;
    expect([...out.records].sort()).toEqual(expected(2));
  });

  it("a failed background write fails the job naming the store's error; the previous checkpoint stays restorable", { timeout: 120_000 }, async () => {
    const store = new RecordingStore(dir, 3);
    store.failWrite.add(2);
    const gates = [gate(), gate()];
    const job = startJob(counts(gatedSource(2, gates.map((g) => g.promise))).to(collect()).plan(), { batchSize: 100, checkpoint: { every: 50, storage: store, backgroundAbove: 0 } }, clock());
    await until(() => store.writes.length >= 2, "the second write");
    gates[0]!.open();
    gates[1]!.open();
    await expect(job.done).rejects.toThrow("disk full (test, write 2)");
    expect(job.status).toBe("failed");
    expect((await store.latest())?.id).toBe(1);
  });

  it("backgroundAbove is checked", () => {
    const plan = counts(gatedSource(1, [Promise.resolve()])).to(collect()).plan();
    expect(() => startJob(plan, { checkpoint: { every: 10, storage: dir, backgroundAbove: -1 } })).toThrow("checkpoint.backgroundAbove must be a number of bytes ≥ 0 (or Infinity), got -1");
  });
});

describe("background materialisation of checkpoint chains", () => {
  it("the job writes deltas only; the chain's end becomes a base off its thread; a restore from a later delta equals a run without failure", { timeout: 120_000 }, async () => {
    const store = new RecordingStore(dir, 1);
    const gates = [gate(), gate(), gate(), gate()];
    const out = collect<string>();
    const job = startJob(counts(gatedSource(4, gates.map((g) => g.promise))).to(out).plan(), { batchSize: 100, checkpoint: { every: 1e12, storage: store, fullEvery: 3 } }, clock());
    const taken: CheckpointInfo[] = [];
    for (let c = 0; c < 3; c++) {
      await until(() => job.metrics().recordsIn === (c + 1) * PER_CHUNK, `chunk ${c + 1}`);
      taken.push(await job.checkpoint());
      gates[c]!.open();
    }
    expect(taken.map((t) => t.parent)).toEqual([undefined, 1, 2]);
    // fullEvery 3: checkpoint 3 is due to become a base, in the background.
    await until(() => store.materialized.length === 1, "the materialisation");
    expect(store.materialized[0]!.id).toBe(3);
    expect(store.materialized[0]!.parent).toBeUndefined();
    // Retention (1) no longer needs 1 and 2.
    expect((await store.list()).map((c) => [c.id, c.parent])).toEqual([[3, undefined]]);
    expect((await readdir(dir)).sort()).toEqual(["chk-3"]);
    await until(() => job.metrics().recordsIn === 4 * PER_CHUNK, "chunk 4");
    const fourth = await job.checkpoint();
    expect(fourth.parent).toBe(3);
    expect(fourth.base).toBe(3);
    gates[3]!.open();
    await job.done;
    // Every checkpoint the job wrote itself after the first was a delta.
    expect(store.writes.map((w) => w.parent)).toEqual([undefined, 1, 2, 3]);
    expect([...out.records].sort()).toEqual(expected(4));

    // A restore from checkpoint 4 = materialised 3 + delta 4: the rest of the input (none) and the windows fire.
    const restored = collect<string>();
    const open = [Promise.resolve(), Promise.resolve(), Promise.resolve(), Promise.resolve()];
    const all = await store.list();
    expect(chainOf(all.at(-1)!, all).map((c) => c.id)).toEqual([3, 4]);
    await startJob(counts(gatedSource(4, open)).to(restored).plan(), { batchSize: 100, checkpoint: { every: 1e12, storage: store }, restore: { checkpoint: 4 } }, clock()).done;
    expect([...restored.records].sort()).toEqual(expected(4));
  });

  it("a materialisation that keeps failing leaves the chain valid; past the lag limit the job writes a full checkpoint itself", { timeout: 120_000 }, async () => {
    const store = new RecordingStore(dir, 1);
    store.failMaterialize = true;
    const fullEvery = 2;
    const n = MATERIALIZE_LAG_LIMIT * fullEvery + 1;
    const gates = Array.from({ length: n }, () => gate());
    const out = collect<string>();
    const job = startJob(counts(gatedSource(n, gates.map((g) => g.promise))).to(out).plan(), { batchSize: 100, checkpoint: { every: 1e12, storage: store, fullEvery } }, clock());
    for (let c = 0; c < n; c++) {
      await until(() => job.metrics().recordsIn === (c + 1) * PER_CHUNK, `chunk ${c + 1}`);
      await job.checkpoint();
      if (c === 1) await until(() => store.materializeAttempts >= 1, "a materialisation attempt");
      gates[c]!.open();
    }
    await job.done;
    expect(store.materializeAttempts).toBeGreaterThan(0);
    // full, then deltas until the chain is MATERIALIZE_LAG_LIMIT × fullEvery long, then full again.
    const parents = store.writes.map((w) => w.parent);
    const chainLength = MATERIALIZE_LAG_LIMIT * fullEvery;
    expect(parents).toEqual([undefined, ...Array.from({ length: chainLength - 1 }, (_, i) => i + 1), undefined]);
    expect([...out.records].sort()).toEqual(expected(n));
  });

  it("ChainPolicy: deltas only with background materialisation; due at fullEvery; the chain restarts at the materialised checkpoint", () => {
    const policy = new ChainPolicy(3, true);
    const info = (id: number, bytes: number, parent?: number): CheckpointInfo => ({ id, kind: "checkpoint", pipeline: "p", completedAt: 0, bytes, ...(parent === undefined ? {} : { parent }) });
    expect(policy.next()).toBeUndefined();
    policy.written(info(1, 100));
    expect(policy.next()).toEqual({ parent: 1, base: 1 });
    expect(policy.due()).toBeUndefined();
    policy.written(info(2, 10, 1));
    expect(policy.due()).toBeUndefined();
    policy.written(info(3, 10, 2));
    expect(policy.due()).toBe(3);
    expect(policy.next()).toEqual({ parent: 3, base: 1 }); // still a delta: the base comes from the background
    policy.written(info(4, 10, 3));
    policy.materialized(info(3, 120));
    expect(policy.next()).toEqual({ parent: 4, base: 3 });
    expect(policy.due()).toBeUndefined();
    policy.written(info(5, 50, 4));
    expect(policy.due()).toBe(5);
    expect(policy.next()).toEqual({ parent: 5, base: 3 });
    // A delta about as large as the base (every key changed): the job writes the base itself, nothing to materialise.
    policy.written(info(6, 70, 5));
    expect(policy.due()).toBeUndefined();
    expect(policy.next()).toBeUndefined();
    // Deltas that together outweigh the base three times make it due before fullEvery.
    const light = new ChainPolicy(20, true);
    light.written(info(1, 100));
    for (let id = 2; id <= 8; id++) light.written(info(id, 40, id - 1));
    expect(light.due()).toBeUndefined(); // 7 × 40 = 280
    light.written(info(9, 40, 8));
    expect(light.due()).toBe(9); // 320 > 3 × 100
    expect(light.next()).toEqual({ parent: 9, base: 1 });
    // Without background materialisation the job writes the base itself.
    const plain = new ChainPolicy(3);
    plain.written(info(1, 100));
    plain.written(info(2, 10, 1));
    plain.written(info(3, 10, 2));
    expect(plain.next()).toBeUndefined();
    expect(plain.due()).toBeUndefined();
  });
});

describe("materialising a stored chain", () => {
  /** A job snapshot of one keyed operator "w" (packed keys `packed`, generic `ids`) and one split. */
  function full(position: number, packed: [number, number[]][], ids: (string | number)[], entries: unknown[]): JobSnapshot {
    return { shape: ["src", "w"], splits: { s: { position, ended: false } }, operators: { w: { valve: position, extra: { common: null, ids, entries, packed: pack(packed) } } } };
  }
  function delta(position: number, packed: [number, number[]][], ids: (string | number)[], entries: unknown[], deletes: (string | number)[]): JobSnapshot {
    const d: KeyedDeltaSnapshot = { delta: true, valve: position, common: null, ids, entries, deletes, packed: pack(packed) };
    return { shape: ["src", "w"], splits: { s: { position, ended: false } }, operators: { w: d } };
  }
  function pack(keys: [number, number[]][]): Float64Array | undefined {
    const w = new PackedKeysWriter();
    w.reset();
    for (const [id, values] of keys) {
      const at = w.entry(id, values.length, 0);
      values.forEach((v, i) => w.set(at + i, v));
    }
    return w.finish();
  }
  /** Keys of a keyed full snapshot as [id, entry] in snapshot order (generic, then packed). */
  function keysOf(s: KeyedFullSnapshot): [string | number, unknown][] {
    const p = unpacked(s.extra.packed);
    return [...s.extra.ids.map((id, i) => [id, s.extra.entries[i]] as [string | number, unknown]), ...p.ids.map((id, i) => [id, p.entries[i]] as [number, unknown])];
  }

  const base = full(10, [[1, [1, 1]], [2, [2, 2]], [3, [3, 3]]], ["a"], [["A"]]);
  // Replaces packed 2 in place, adds packed 4, deletes 3, moves 1 to the generic part, adds generic "b".
  const d1 = delta(20, [[2, [22, 22]], [4, [4, 4]]], [1, "b"], [["one"], ["B"]], [3]);
  // Deletes "a", brings 3 back packed.
  const d2 = delta(30, [[3, [33]]], [], [], ["a"]);

  it("applyKeyedDelta folds packed keys in place and generic keys by id, with hand-computed results", () => {
    const once = applyKeyedDelta(base.operators.w as KeyedFullSnapshot, d1.operators.w as KeyedDeltaSnapshot);
    expect(once.valve).toBe(20);
    expect(once.extra.ids).toEqual(["a", 1, "b"]);
    expect(unpacked(once.extra.packed).ids).toEqual([2, 4]);
    expect(keysOf(once)).toEqual([["a", ["A"]], [1, ["one"]], ["b", ["B"]], [2, [22, 22]], [4, [4, 4]]]);
    const twice = applyKeyedDelta(once, d2.operators.w as KeyedDeltaSnapshot);
    expect(keysOf(twice)).toEqual([[1, ["one"]], ["b", ["B"]], [2, [22, 22]], [4, [4, 4]], [3, [33]]]);
    // Exactly the doubles the entries need (no slack serialised with the base).
    expect(twice.extra.packed!.length).toBe(4 + 4 + 3);
  });

  it("a damaged packed part is refused with a clear message", () => {
    const bad = { valve: 0, extra: { common: null, ids: [], entries: [], packed: new Float64Array([1, 999, 0]) } };
    expect(() => applyKeyedDelta(bad, d1.operators.w as KeyedDeltaSnapshot)).toThrow("a checkpoint's packed keyed state is damaged");
  });

  it("the worker thread folds the stored chain into the same state as the job's own fold; the store swaps it in atomically", { timeout: 120_000 }, async () => {
    const store = new DirectoryCheckpointStore(dir, 1);
    const info = (id: number, parent?: number) => ({ id, kind: "checkpoint" as const, pipeline: "p", ...(parent === undefined ? {} : { parent, base: 1 }) });
    await store.write(info(1), encodeSnapshot(base));
    await store.write(info(2, 1), encodeSnapshot(d1));
    const third = await store.write(info(3, 2), encodeSnapshot(d2));
    const materializer = new ChainMaterializer();
    try {
      const stored = await materializer.materialize(store, 3);
      expect(stored).toMatchObject({ id: 3, kind: "checkpoint", pipeline: "p", completedAt: third.completedAt });
      expect(stored.parent).toBeUndefined();
      expect(stored.base).toBeUndefined();
      const all = await store.list();
      expect(all.map((c) => c.id)).toEqual([3]);
      expect((await readdir(path.join(dir, "chk-3"))).sort()).toEqual(["_metadata.json", "base.bin"]);
      const folded = decodeSnapshot(await store.read(all[0]!)) as JobSnapshot;
      expect(folded).toEqual(foldJobSnapshot(foldJobSnapshot(base, d1), d2));
      expect(folded.splits).toEqual({ s: { position: 30, ended: false } });
      expect(keysOf(folded.operators.w as KeyedFullSnapshot)).toEqual([[1, ["one"]], ["b", ["B"]], [2, [22, 22]], [4, [4, 4]], [3, [33]]]);
      // Already a base: nothing to do.
      expect((await materializer.materialize(store, 3)).id).toBe(3);
      await expect(materializer.materialize(store, 7)).rejects.toThrow("checkpoint 7 is no longer in the checkpoint storage");
    } finally {
      await materializer.close();
    }
    await expect(materializer.fold([])).rejects.toThrow("the materialiser was closed");
  });

  it("a chain that cannot be folded is left as it was; the store refuses to materialise what is not that delta", { timeout: 120_000 }, async () => {
    const store = new DirectoryCheckpointStore(dir, 1);
    const info = (id: number, parent?: number) => ({ id, kind: "checkpoint" as const, pipeline: "p", ...(parent === undefined ? {} : { parent, base: 1 }) });
    await store.write(info(1), Uint8Array.from([1, 2, 3])); // not a checkpoint's encoding
    await store.write(info(2, 1), encodeSnapshot(d1));
    const materializer = new ChainMaterializer();
    try {
      await expect(materializer.materialize(store, 2)).rejects.toThrow("materialising a checkpoint chain failed: not a Sluice checkpoint");
    } finally {
      await materializer.close();
    }
    expect((await store.list()).map((c) => [c.id, c.parent])).toEqual([[1, undefined], [2, 1]]);
    const [, second] = await store.list();
    await expect(store.materialize({ ...second!, completedAt: second!.completedAt + 1 }, encodeSnapshot(base))).rejects.toThrow(
      "checkpoint 2 is no longer stored as that incremental checkpoint",
    );
    const [first] = await store.list();
    await expect(store.materialize(first!, encodeSnapshot(base))).rejects.toThrow("checkpoint 1 is not an incremental checkpoint: nothing to materialise");
    expect((await readdir(path.join(dir, "chk-2"))).sort()).toEqual(["_metadata.json", "state.bin"]);
  });

  it("a crash between writing the base and swapping the metadata leaves the delta and its chain; the next materialisation completes", { timeout: 120_000 }, async () => {
    const store = new DirectoryCheckpointStore(dir, 1);
    const info = (id: number, parent?: number) => ({ id, kind: "checkpoint" as const, pipeline: "p", ...(parent === undefined ? {} : { parent, base: 1 }) });
    await store.write(info(1), encodeSnapshot(base));
    await store.write(info(2, 1), encodeSnapshot(d1));
    // The crash: base.bin (even half written) is there, the metadata still names the delta.
    await writeFile(path.join(dir, "chk-2", "base.bin"), Uint8Array.from([9, 9]));
    const all = await store.list();
    expect(all.map((c) => [c.id, c.parent])).toEqual([[1, undefined], [2, 1]]);
    expect(decodeSnapshot(await store.read(all[1]!))).toEqual(d1);
    const materializer = new ChainMaterializer();
    try {
      await materializer.materialize(store, 2);
    } finally {
      await materializer.close();
    }
    const after = await store.list();
    expect(after.map((c) => [c.id, c.parent])).toEqual([[2, undefined]]);
    expect(decodeSnapshot(await store.read(after[0]!))).toEqual(foldJobSnapshot(base, d1));
    // Damage is still detected on the base.
    await writeFile(path.join(dir, "chk-2", "base.bin"), Uint8Array.from([1]));
    await expect(store.read(after[0]!)).rejects.toThrow("is damaged");
    expect(JSON.parse(await readFile(path.join(dir, "chk-2", "_metadata.json"), "utf8")).stateFile).toBe("base.bin");
  });
});
