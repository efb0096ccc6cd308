/**
 * Incremental checkpoints: a keyed operator's chain (full base + deltas of the keys changed since the
 * previous checkpoint) folds to exactly the operator's full snapshot at every step, deletions included
 * (purged windows, cleared state, expired TTL), and restoring the fold gives the same operator state.
 * Jobs: a restore from a delta chain equals a restore from a full savepoint taken at the same round
 * boundary, and equals a run without failure; retention never deletes a base or delta a retained
 * checkpoint needs; a crash mid-write (an incomplete folder) leaves the chain intact.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collect, DirectoryCheckpointStore, from } from "../../src/stream/index.js";
import type { CheckpointInfo, DataStream, KeyedProcessFunction } from "../../src/stream/index.js";
import type { PlanNode } from "../../src/stream/api/graph.js";
import { fromArray, nexmark } from "../../src/stream/sources/index.js";
import type { Bid } from "../../src/stream/sources/index.js";
import { session, sliding, tumbling } from "../../src/stream/windowing/index.js";
import { count, sum } from "../../src/stream/aggregates/index.js";
import { startJob } from "../../src/stream/runtime/job-runner.js";
import type { Output } from "../../src/stream/runtime/operator.js";
import { WindowOperator } from "../../src/stream/runtime/operators/window-operator.js";
import { KeyedProcessOperator } from "../../src/stream/runtime/operators/keyed-process-operator.js";
import { applyKeyedDelta, unpacked, type KeyedDeltaSnapshot, type KeyedFullSnapshot } from "../../src/stream/state/keyed-snapshot.js";
import { decodeSnapshot, encodeSnapshot } from "../../src/stream/checkpoint/snapshot-codec.js";
import { chainOf } from "../../src/stream/checkpoint/checkpoint-chain.js";
import { seededRandom } from "../support/seeded-random.mjs";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "sluice-incr-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const discard: Output = { collect: () => {}, side: () => {}, watermark: () => {}, idle: () => {} };

/** Through the checkpoint codec (what a store holds), keys ordered by id so snapshots compare. */
function stored<T>(snapshot: T): T {
  return decodeSnapshot(encodeSnapshot(snapshot)) as T;
}

function normal(s: KeyedFullSnapshot): { valve: unknown; common: unknown; keys: [string, unknown][] } {
  // Packed or not, a key's entry is the same.
  const more = unpacked(s.extra.packed);
  const ids = [...s.extra.ids, ...more.ids];
  const entries = [...s.extra.entries, ...more.entries];
  const keys = ids.map((id, i) => [`${typeof id}:${String(id)}`, entries[i]] as [string, unknown]);
  keys.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { valve: s.valve, common: s.extra.common, keys };
}

interface Rec {
  k: number;
  ts: number;
  v: number;
}

function windowNode(stream: DataStream<unknown>): Extract<PlanNode, { kind: "window" }> {
  const node = stream.to(collect()).plan().sinks[0]!.input;
  if (node.kind !== "window") throw new Error(`expected a window node, got ${node.kind}`);
  return node;
}

function processNode(stream: DataStream<unknown>): Extract<PlanNode, { kind: "process" }> {
  const node = stream.to(collect()).plan().sinks[0]!.input;
  if (node.kind !== "process") throw new Error(`expected a process node, got ${node.kind}`);
  return node;
}

/**
 * Drives `make()` operators with `steps` rounds of records and watermarks; after each round a checkpoint
 * (every `fullEvery`-th full, else a delta). Checks the fold of the chain equals the full snapshot, and a
 * fresh operator restored from the fold snapshots the same.
 */
function checkChains(
  make: () => WindowOperator | KeyedProcessOperator,
  round: (op: WindowOperator | KeyedProcessOperator, step: number) => void,
  steps: number,
  fullEvery: number,
): { deletes: number; upserts: number; keys: number[] } {
  const op = make();
  let folded: KeyedFullSnapshot | undefined;
  let deletes = 0;
  let upserts = 0;
  const keys: number[] = [];
  for (let step = 0; step < steps; step++) {
    round(op, step);
    if (folded === undefined || step % fullEvery === 0) {
      folded = stored(op.snapshotState());
      op.trackChanges();
    } else {
      const delta = stored<KeyedDeltaSnapshot>(op.snapshotChanges());
      deletes += delta.deletes.length;
      upserts += delta.ids.length + unpacked(delta.packed).ids.length;
      folded = applyKeyedDelta(folded, delta);
    }
    const full = normal(stored(op.snapshotState()));
    keys.push(full.keys.length);
    expect(normal(folded)).toEqual(full);
    const restored = make();
    restored.restoreState(stored(folded));
    expect(normal(stored(restored.snapshotState()))).toEqual(full);
  }
  return { deletes, upserts, keys };
}

describe("incremental snapshots of keyed operators", () => {
  const records = (random: () => number, step: number, n: number, keys: number): Rec[] =>
    Array.from({ length: n }, () => ({ k: Math.floor(random() * keys), ts: step * 1_000 + Math.floor(random() * 1_500) - 300, v: Math.floor(random() * 100) }));

  for (const [name, build] of [
    ["tumbling with allowed lateness", (s: DataStream<Rec>) => s.keyBy((r) => r.k).window(tumbling(700)).allowedLateness(500).aggregate(sum((r: Rec) => r.v))],
    ["sliding", (s: DataStream<Rec>) => s.keyBy((r) => r.k).window(sliding(1_000, 250)).aggregate(count())],
    ["session (merging)", (s: DataStream<Rec>) => s.keyBy((r) => r.k).window(session(200)).aggregate(count())],
    ["object keys", (s: DataStream<Rec>) => s.keyBy((r) => ({ k: r.k % 7, odd: r.k % 2 === 1 })).window(tumbling(500)).aggregate(count())],
  ] as const) {
    it(`window operator, ${name}: base + deltas = the full snapshot, purged windows are deleted`, () => {
      const node = windowNode(build(from(fromArray<Rec>([])).withTimestamps((r) => r.ts)) as DataStream<unknown>);
      const random = seededRandom(name.length);
      const make = () => new WindowOperator("w", discard, 1, { ...node, now: () => 0 });
      const result = checkChains(
        make,
        (op, step) => {
          for (const r of records(random, step, 300, 60)) op.processElement(r, r.ts, 0);
          // Every third round the watermark jumps: windows fire and are purged (keys disappear).
          op.processWatermark(step % 3 === 2 ? step * 1_000 + 2_000 : step * 1_000 - 400, 0);
        },
        12,
        5,
      );
      expect(result.deletes).toBeGreaterThan(0);
      expect(result.upserts).toBeGreaterThan(0);
      expect(Math.min(...result.keys)).toBeLessThan(Math.max(...result.keys));
    });
  }

  it("keyed process operator: value/list/map state, TTL expiry, clears and timers fold exactly", () => {
    let now = 0;
    const fn: KeyedProcessFunction<Rec, number, string> = {
      processElement(r, ctx) {
        const v = ctx.state.value<number>("last", { ttl: 2_500 });
        const l = ctx.state.list<number>("seen");
        const m = ctx.state.map<number, number>("byV", { ttl: 4_000 });
        v.get(); // meets expired values (dropped: a deletion)
        if (r.v < 10) {
          v.clear();
          l.clear();
          m.clear();
          ctx.timers.deleteEventTime(r.ts + 1_000);
          return;
        }
        v.set(r.v);
        if (r.v % 3 === 0) l.add(r.v);
        m.set(r.v % 5, r.ts);
        m.entries();
        if (r.v % 4 === 0) ctx.timers.registerEventTime(r.ts + 1_000);
        if (r.v % 7 === 0) ctx.timers.registerProcessingTime(now + 1_500);
      },
      onTimer(_t, ctx) {
        ctx.state.list<number>("seen").clear();
      },
    };
    const node = processNode(from(fromArray<Rec>([])).keyBy((r) => r.k).process(fn) as DataStream<unknown>);
    const make = () => new KeyedProcessOperator("p", discard, 1, { key: node.key, fn: node.fn, now: () => now });
    const random = seededRandom(99);
    const result = checkChains(
      make,
      (op, step) => {
        now = step * 1_000;
        for (const r of records(random, step, 200, 80)) op.processElement(r, r.ts, 0);
        op.processWatermark(step * 1_000 - 500, 0);
        op.onProcessingTime(now);
        // Reading every key's state later drops what expired: those deletions must be in the deltas too.
        if (step % 4 === 3) {
          now += 5_000;
          for (let k = 0; k < 80; k += 2) op.processElement({ k, ts: step * 1_000, v: 50 }, step * 1_000, 0);
        }
      },
      14,
      6,
    );
    expect(result.deletes).toBeGreaterThan(0);
    expect(result.upserts).toBeGreaterThan(0);
  });
});

const generator = { seed: 5, maxEvents: 8_000, eventsPerSecond: 1_000 };
function pipeline(): DataStream<string> {
  const bids = () =>
    from(nexmark(generator))
      .filter((e): e is Bid => e.kind === "bid")
      .withTimestamps((b) => b.dateTime, { outOfOrderness: 2_000 });
  const counts = bids()
    .keyBy((b) => b.auction)
    .window(tumbling(1_000))
    .aggregate(count(), (n, w) => `t ${w.key} ${w.start} ${n}`);
  const sessions = bids()
    .keyBy((b) => b.bidder)
    .window(session(500))
    .aggregate(count(), (n, w) => `s ${w.key} ${w.start}-${w.end} ${n}`);
  const seen = bids()
    .keyBy((b) => b.bidder % 50)
    .process<string>({
      processElement(b, ctx) {
        const n = ctx.state.value<number>("n");
        const next = (n.get() ?? 0) + 1;
        // Cleared state must stay cleared after a restore from a chain (else counts differ).
        if (next >= 7) n.clear();
        else n.set(next);
        ctx.emit(`p ${ctx.key} ${b.dateTime} ${next}`);
      },
    });
  return counts.union(sessions).union(seen);
}

function clock(): { now: () => number } {
  let t = 0;
  return { now: () => (t += 10) };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 1));
}

describe("incremental checkpoints of jobs", () => {
  it("a restore from a delta chain equals a restore from a full savepoint of the same moment, and the reference", async () => {
    const reference = collect<string>();
    await startJob(pipeline().to(reference).plan(), { batchSize: 100 }, clock()).done;

    const seen: string[] = [];
    const sink = { description: "recording", write: (rs: readonly string[]) => void seen.push(...rs) };
    const storage = path.join(dir, "chk");
    const job = startJob(pipeline().to(sink).plan(), { batchSize: 100, checkpoint: { every: 1_000_000, storage, retain: 10, fullEvery: 4 } }, clock());
    for (let i = 0; i < 3; i++) {
      const at = seen.length;
      await until(() => seen.length > at + 50 || job.status !== "running");
      await job.checkpoint();
    }
    // A delta checkpoint and a full savepoint at the same round boundary (the chain policy may start a
    // new base when the deltas outweigh it: then the next pair has the delta).
    let delta: CheckpointInfo | undefined;
    let at = 0;
    for (let i = 0; i < 5 && delta?.parent === undefined; i++) {
      const [c, s] = await Promise.all([job.checkpoint(), job.savepoint(`same-moment-${i}`)]);
      expect(s.parent).toBeUndefined();
      delta = Object.assign(c, { savepoint: s.name! });
      at = seen.length;
    }
    await job.cancel();
    expect(delta?.parent).toBeDefined();
    const all = await new DirectoryCheckpointStore(storage).list();
    const chain = chainOf(delta!, all);
    expect(chain.length).toBeGreaterThan(1);
    expect(chain[0]!.parent).toBeUndefined();
    expect(delta!.base).toBe(chain[0]!.id);
    const full = all.find((c) => c.name === (delta as CheckpointInfo & { savepoint: string }).savepoint)!;
    expect(delta!.bytes).toBeLessThan(full.bytes);

    const fromDelta = collect<string>();
    await startJob(pipeline().to(fromDelta).plan(), { batchSize: 100, checkpoint: { every: 1_000_000, storage }, restore: { checkpoint: delta!.id } }, clock()).done;
    const fromFull = collect<string>();
    await startJob(pipeline().to(fromFull).plan(), { batchSize: 100, checkpoint: { every: 1_000_000, storage }, restore: { savepoint: full.name! } }, clock()).done;
    expect(fromDelta.records).toEqual(fromFull.records);
    expect([...seen.slice(0, at), ...fromDelta.records].sort()).toEqual([...reference.records].sort());
  });

  it("crash and restore with periodic incremental checkpoints equals a run without failure", async () => {
    const reference = collect<string>();
    await startJob(pipeline().to(reference).plan(), { batchSize: 50 }, clock()).done;
    const storage = path.join(dir, "chk");
    const out: string[] = [];
    let flushed = 0;
    const sink = { description: "recording", write: (rs: readonly string[]) => void out.push(...rs), flush: () => void (flushed = out.length) };
    let deltas = 0;
    for (let crash = 0; crash < 4; crash++) {
      const job = startJob(pipeline().to(sink).plan(), { batchSize: 50, checkpoint: { every: 40, storage, retain: 2, fullEvery: 3 }, restore: "latest" }, clock());
      const target = (job.metrics().lastCheckpoint?.id ?? 0) + 4;
      await until(() => (job.metrics().lastCheckpoint?.id ?? 0) >= target || job.status !== "running");
      await job.cancel();
      out.length = flushed; // what the crash lost: records after the last checkpoint
      const latest = await new DirectoryCheckpointStore(storage).latest();
      if (latest?.parent !== undefined) deltas++;
    }
    expect(deltas).toBeGreaterThan(0);
    await startJob(pipeline().to(sink).plan(), { batchSize: 50, checkpoint: { every: 40, storage, retain: 2, fullEvery: 3 }, restore: "latest" }, clock()).done;
    expect([...out].sort()).toEqual([...reference.records].sort());
  });

  it("incremental: false and stores without chains write full checkpoints only", async () => {
    const storage = path.join(dir, "full");
    const job = startJob(pipeline().to(collect()).plan(), { batchSize: 100, checkpoint: { every: 1_000_000, storage, incremental: false } }, clock());
    const a = await job.checkpoint();
    const b = await job.checkpoint();
    await job.cancel();
    expect([a.parent, b.parent]).toEqual([undefined, undefined]);
    const plain = new DirectoryCheckpointStore(path.join(dir, "plain"));
    const chainless = { write: plain.write.bind(plain), list: plain.list.bind(plain), latest: plain.latest.bind(plain), read: plain.read.bind(plain), deleteSavepoint: plain.deleteSavepoint.bind(plain) };
    const job2 = startJob(pipeline().to(collect()).plan(), { batchSize: 100, checkpoint: { every: 1_000_000, storage: chainless } }, clock());
    const c = await job2.checkpoint();
    const d = await job2.checkpoint();
    await job2.cancel();
    expect([c.parent, d.parent]).toEqual([undefined, undefined]);
    expect(() => startJob(pipeline().to(collect()).plan(), { checkpoint: { every: 10, storage, fullEvery: 0 } })).toThrow("checkpoint.fullEvery must be an integer ≥ 1, got 0");
    expect(() => startJob(pipeline().to(collect()).plan(), { checkpoint: { every: 10, storage, incremental: "yes" as never } })).toThrow(
      "checkpoint.incremental must be true or false",
    );
  });
});

describe("retention of checkpoint chains", () => {
  const info = (id: number, parent?: number, base?: number) => ({ id, kind: "checkpoint" as const, pipeline: "p", ...(parent === undefined ? {} : { parent, base }) });
  const bytes = (n: number) => new Uint8Array([n]);

  it("never deletes a base or delta that a retained checkpoint needs; removes a chain once nothing needs it", async () => {
    const store = new DirectoryCheckpointStore(dir, 2);
    await store.write(info(1), bytes(1));
    await store.write(info(2, 1, 1), bytes(2));
    await store.write(info(3, 2, 1), bytes(3));
    await store.write(info(4, 3, 1), bytes(4));
    // Retain 2 = {3, 4}, and 4 needs 3, 2, 1.
    expect((await store.list()).map((c) => c.id)).toEqual([1, 2, 3, 4]);
    await store.write(info(5), bytes(5));
    // {4, 5}: 4 still needs its chain.
    expect((await store.list()).map((c) => c.id)).toEqual([1, 2, 3, 4, 5]);
    await store.write(info(6, 5, 5), bytes(6));
    // {5, 6}: the old chain is needed by nothing.
    expect((await store.list()).map((c) => c.id)).toEqual([5, 6]);
    expect((await readdir(dir)).sort()).toEqual(["chk-5", "chk-6"]);
    const all = await store.list();
    expect(chainOf(all.at(-1)!, all).map((c) => c.id)).toEqual([5, 6]);
  });

  it("a savepoint never depends on a chain; a crash mid-write leaves the previous chain intact; a broken chain is refused", async () => {
    const store = new DirectoryCheckpointStore(dir, 1);
    await store.write(info(1), bytes(1));
    await store.write(info(2, 1, 1), bytes(2));
    // A crash while writing checkpoint 3: its folder has state but no metadata.
    await mkdir(path.join(dir, "chk-3"));
    await writeFile(path.join(dir, "chk-3", "state.bin"), bytes(3));
    const all = await store.list();
    expect(all.map((c) => c.id)).toEqual([1, 2]);
    expect(chainOf(all.at(-1)!, all).map((c) => c.id)).toEqual([1, 2]);
    // The next write cleans the incomplete folder and keeps what 4 needs.
    await store.write(info(4, 2, 1), bytes(4));
    expect((await readdir(dir)).sort()).toEqual(["chk-1", "chk-2", "chk-4"]);
    await rm(path.join(dir, "chk-1"), { recursive: true });
    const broken = await store.list();
    expect(() => chainOf(broken.at(-1)!, broken)).toThrow("checkpoint 4 is incremental and needs checkpoint 1, which is not in the checkpoint storage");
  });
});
