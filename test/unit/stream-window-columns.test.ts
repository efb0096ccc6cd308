/**
 * The window operator's columnar layout (tumbling event-time windows, event-time trigger, no allowed
 * lateness: keyed state in columns per window, `runtime/operators/columnar-windows.ts`) against the
 * object layout (the same windows with a trigger the operator does not recognise as the plain one, or
 * an assigner it cannot see as aligned): the same firings, late records and checkpoints (the same
 * entries per key), incremental chains that fold to the full snapshot (deletions of fired windows
 * included), restores of checkpoints the object layout wrote (the previous layout: kept readable), and
 * a clear refusal of a checkpoint holding state this layout does not keep.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collect, from, OutputTag } from "../../src/stream/index.js";
import type { DataStream, WindowResult } from "../../src/stream/index.js";
import type { PlanNode } from "../../src/stream/api/graph.js";
import { fromArray } from "../../src/stream/sources/from-array.js";
import { count, maxBy, sum } from "../../src/stream/aggregates/index.js";
import { startJob } from "../../src/stream/runtime/job-runner.js";
import type { Output } from "../../src/stream/runtime/operator.js";
import { WindowOperator } from "../../src/stream/runtime/operators/window-operator.js";
import { applyKeyedDelta, unpacked, type KeyedDeltaSnapshot, type KeyedFullSnapshot } from "../../src/stream/state/keyed-snapshot.js";
import { decodeSnapshot, encodeSnapshot } from "../../src/stream/checkpoint/snapshot-codec.js";
import { PackedKeysReader, PackedKeysWriter } from "../../src/stream/state/packed-keys.js";
import { eventTimeTrigger, tumbling } from "../../src/stream/windowing/index.js";
import type { Trigger, WindowAssigner } from "../../src/stream/windowing/index.js";
import { seededRandom } from "../support/seeded-random.mjs";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "sluice-columns-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The event-time trigger behind another object: the operator keeps such windows in the object layout. */
function objectLayoutTrigger(): Trigger {
  const t = eventTimeTrigger();
  return {
    description: t.description,
    onElement: (ts, w, ctx) => t.onElement(ts, w, ctx),
    onEventTime: (time, w, ctx) => t.onEventTime(time, w, ctx),
    onProcessingTime: (time, w, ctx) => t.onProcessingTime(time, w, ctx),
    canMerge: () => t.canMerge(),
    onMerge: (w, ctx) => t.onMerge(w, ctx),
    clear: (w, ctx) => t.clear(w, ctx),
  };
}

/** The same windows, but an assigner the operator cannot recognise as aligned (the general path). */
function opaque(inner: WindowAssigner): WindowAssigner {
  return { description: inner.description, domain: inner.domain, assignWindows: (ts) => inner.assignWindows(ts), defaultTrigger: () => inner.defaultTrigger() };
}

/** Through the checkpoint codec (what a store holds). */
function stored<T>(snapshot: T): T {
  return decodeSnapshot(encodeSnapshot(snapshot)) as T;
}

/** A key's entry with its windows in order of start (their order in an entry means nothing). */
function byStart(entry: unknown): unknown {
  const e = entry as unknown[];
  const windows: unknown[][] = [];
  for (let i = 1; i < e.length; i += 7) windows.push(e.slice(i, i + 7));
  windows.sort((a, b) => (a[0] as number) - (b[0] as number));
  return [e[0], ...windows.flat()];
}

/** A full snapshot as sorted (id, entry) pairs: packed or not, a key's entry is the same. */
function normal(s: KeyedFullSnapshot): { valve: unknown; keys: [string, unknown][] } {
  const more = unpacked(s.extra.packed);
  const ids = [...s.extra.ids, ...more.ids];
  const entries = [...s.extra.entries, ...more.entries];
  const keys = ids.map((id, i) => [`${typeof id}:${String(id)}`, byStart(entries[i])] as [string, unknown]);
  keys.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { valve: s.valve, keys };
}

interface Rec {
  k: unknown;
  ts: number;
  v: number;
}

function windowNode(stream: DataStream<unknown>): Extract<PlanNode, { kind: "window" }> {
  const node = stream.to(collect()).plan().sinks[0]!.input;
  if (node.kind !== "window") throw new Error(`expected a window node, got ${node.kind}`);
  return node;
}

/** An operator output recording what it emits. */
function recorder(): { out: Output; lines: string[] } {
  const lines: string[] = [];
  const out: Output = {
    collect: (v, ts) => void lines.push(`${JSON.stringify(v)} @${ts}`),
    side: (_tag, v, ts) => void lines.push(`late ${JSON.stringify(v)} @${ts}`),
    watermark: () => {},
    idle: () => {},
  };
  return { out, lines };
}

const KEY_KINDS: [string, (random: () => number) => unknown][] = [
  ["number keys", (r) => Math.floor(r() * 40)],
  ["string keys", (r) => `k${Math.floor(r() * 30)}`],
  ["mixed keys (numbers, NaN, strings, objects, null)", (r) => (r() < 0.5 ? Math.floor(r() * 40) : [0, 2.5, NaN, 1.5, -3, "0", null, { a: 1 }, { a: 2 }, "7"][Math.floor(r() * 10)])],
];

/** Records of one round: keys drawn by `key`, timestamps spread over a few windows (some late). */
function records(random: () => number, key: (r: () => number) => unknown, step: number, n: number): Rec[] {
  return Array.from({ length: n }, () => ({ k: key(random), ts: step * 400 + Math.floor(random() * 1_200) - 500, v: Math.floor(random() * 100) }));
}

describe("columnar window state: the same as the object layout", () => {
  for (const [name, key] of KEY_KINDS) {
    it(`${name}: firings, late records and every checkpoint equal the object layout's; chains fold to the full snapshot`, () => {
      const build = (trigger: Trigger | undefined) => {
        let w = from(fromArray<Rec>([]))
          .withTimestamps((r) => r.ts)
          .keyBy((r) => r.k)
          .window(tumbling(300, { offset: 50 }))
          .sideOutputLateData(new OutputTag<Rec>("late"));
        if (trigger !== undefined) w = w.trigger(trigger);
        return windowNode(w.aggregate(sum((r: Rec) => r.v)) as DataStream<unknown>);
      };
      const columnsNode = build(undefined);
      const objectsNode = build(objectLayoutTrigger());
      const a = recorder();
      const b = recorder();
      const columns = new WindowOperator("w", a.out, 1, { ...columnsNode, now: () => 0 });
      const objects = new WindowOperator("w", b.out, 1, { ...objectsNode, now: () => 0 });
      const random = seededRandom(name.length);
      let folded: KeyedFullSnapshot | undefined;
      let deletes = 0;
      let several = 0;
      for (let step = 0; step < 16; step++) {
        for (const r of records(random, key, step, 120)) {
          columns.processElement(r, r.ts, 0);
          objects.processElement(r, r.ts, 0);
        }
        // Every fourth round the watermark jumps past several windows (keys disappear).
        const watermark = step % 4 === 3 ? step * 400 + 300 : step * 400 - 700;
        columns.processWatermark(watermark, 0);
        objects.processWatermark(watermark, 0);
        expect(a.lines).toEqual(b.lines);
        expect(columns.windowCount).toBe(objects.windowCount);
        const full = normal(stored(columns.snapshotState()));
        expect(full).toEqual(normal(stored(objects.snapshotState())));
        several += full.keys.filter(([, e]) => (e as unknown[]).length > 8).length;
        // A chain: full every 5th round, else a delta (the full snapshot above is a savepoint: it must not reset the changes).
        if (folded === undefined || step % 5 === 0) {
          folded = stored(columns.snapshotState());
          columns.trackChanges();
        } else {
          const delta = stored<KeyedDeltaSnapshot>(columns.snapshotChanges());
          deletes += delta.deletes.length;
          folded = applyKeyedDelta(folded, delta);
        }
        expect(normal(folded)).toEqual(full);
        // Restored from the fold, by either layout: the same state.
        const restored = new WindowOperator("w", recorder().out, 1, { ...columnsNode, now: () => 0 });
        restored.restoreState(stored(folded));
        expect(normal(stored(restored.snapshotState()))).toEqual(full);
        const restoredObjects = new WindowOperator("w", recorder().out, 1, { ...objectsNode, now: () => 0 });
        restoredObjects.restoreState(stored(folded));
        expect(normal(stored(restoredObjects.snapshotState()))).toEqual(full);
      }
      expect(a.lines.length).toBeGreaterThan(100);
      expect(a.lines.some((l) => l.startsWith("late "))).toBe(true);
      expect(deletes).toBeGreaterThan(0);
      expect(several).toBeGreaterThan(0); // keys in two windows at once were checkpointed
    });
  }

  it("a restore of the object layout's checkpoint continues exactly as the object layout would", () => {
    const build = (trigger: Trigger | undefined) => {
      let w = from(fromArray<Rec>([])).withTimestamps((r) => r.ts).keyBy((r) => r.k).window(tumbling(300));
      if (trigger !== undefined) w = w.trigger(trigger);
      return windowNode(w.aggregate(count()) as DataStream<unknown>);
    };
    const random = seededRandom(7);
    const first = records(random, (r) => Math.floor(r() * 25), 1, 300);
    const rest = records(random, (r) => Math.floor(r() * 25), 3, 300);
    const writer = new WindowOperator("w", recorder().out, 1, { ...build(objectLayoutTrigger()), now: () => 0 });
    for (const r of first) writer.processElement(r, r.ts, 0);
    writer.processWatermark(0, 0);
    const checkpoint = stored(writer.snapshotState());
    const a = recorder();
    const b = recorder();
    const columns = new WindowOperator("w", a.out, 1, { ...build(undefined), now: () => 0 });
    const objects = new WindowOperator("w", b.out, 1, { ...build(objectLayoutTrigger()), now: () => 0 });
    columns.restoreState(checkpoint);
    objects.restoreState(checkpoint);
    for (const r of rest) {
      columns.processElement(r, r.ts, 0);
      objects.processElement(r, r.ts, 0);
    }
    columns.processWatermark(Infinity, 0);
    objects.processWatermark(Infinity, 0);
    expect(a.lines.length).toBeGreaterThan(25);
    // After a restore the columns fire a window's keys in key order, the object layout in the checkpoint's order.
    expect([...a.lines].sort()).toEqual([...b.lines].sort());
  });

  it("refuses a checkpoint holding state of another trigger or allowed lateness, naming the operator and window", () => {
    const node = (lateness: number) =>
      windowNode(from(fromArray<Rec>([])).withTimestamps((r) => r.ts).keyBy((r) => r.k).window(tumbling(100)).allowedLateness(lateness).aggregate(count()) as DataStream<unknown>);
    // With allowed lateness a fired window stays (flagged as fired on time) until its cleanup.
    const writer = new WindowOperator("w", recorder().out, 1, { ...node(500), now: () => 0 });
    writer.processElement({ k: 1, ts: 10, v: 0 }, 10, 0);
    writer.processWatermark(150, 0);
    const checkpoint = stored(writer.snapshotState());
    const reader = new WindowOperator("counts", recorder().out, 1, { ...node(0), now: () => 0 });
    expect(() => reader.restoreState(checkpoint)).toThrow(/window operator "counts": the checkpoint holds the window \[0, 100\) of key 1 with trigger state, other timers or a firing already done/);
    // Another window size.
    const other = windowNode(from(fromArray<Rec>([])).withTimestamps((r) => r.ts).keyBy((r) => r.k).window(tumbling(200)).aggregate(count()) as DataStream<unknown>);
    const small = new WindowOperator("w", recorder().out, 1, { ...node(0), now: () => 0 });
    small.processElement({ k: 1, ts: 10, v: 0 }, 10, 0);
    const wide = new WindowOperator("wide", recorder().out, 1, { ...other, now: () => 0 });
    expect(() => wide.restoreState(stored(small.snapshotState()))).toThrow(/window operator "wide": the checkpoint holds \[0, 100\), not a window of 200 ms/);
  });

  it("a number key with numeric accumulators is 16 bytes per key in a checkpoint (one run per window)", () => {
    const node = windowNode(from(fromArray<Rec>([])).withTimestamps((r) => r.ts).keyBy((r) => r.k).window(tumbling(1_000)).aggregate(count()) as DataStream<unknown>);
    const op = new WindowOperator("w", recorder().out, 1, { ...node, now: () => 0 });
    for (let k = 0; k < 1_000; k++) op.processElement({ k, ts: k % 1_000, v: 0 }, k % 1_000, 0);
    for (let k = 0; k < 1_000; k++) op.processElement({ k, ts: 1_000 + k, v: 0 }, 1_000 + k, 0);
    const s = op.snapshotState();
    expect(s.extra.ids).toEqual([]);
    // Two windows, every key in both: entries of two windows each, in runs.
    expect(unpacked(s.extra.packed).ids.length).toBe(1_000);
    op.processWatermark(999, 0);
    const t = op.snapshotState();
    expect(t.extra.ids).toEqual([]);
    expect(t.extra.packed!.length).toBe(4 + 6 + 2 * 1_000); // run header, shared values, then id + count per key
  });
});

describe("PackedKeysWriter.beginRun / appendToRun", () => {
  it("writes the same entries as runEntry, and refuses a run whose varying values are not exactly one", () => {
    const viaRunEntry = new PackedKeysWriter();
    const viaAppend = new PackedKeysWriter();
    const template = [0, 10, 20, 1, 0, 19, 0, 0];
    viaAppend.values.set(template);
    viaAppend.beginRun(8, 192, 16);
    for (let k = 0; k < 50; k++) {
      viaRunEntry.values.set(template);
      viaRunEntry.values[0] = k;
      viaRunEntry.values[4] = k * 3.5;
      viaRunEntry.runEntry(k, 8, 192, 16, true);
      viaAppend.appendToRun(k, k * 3.5);
    }
    const a = viaRunEntry.finish()!;
    const b = viaAppend.finish()!;
    expect([...b]).toEqual([...a]);
    const r = new PackedKeysReader(b);
    let n = 0;
    while (r.next()) {
      expect(r.entry()).toEqual([n, 10, 20, 1, n * 3.5, 19, undefined, undefined]);
      n++;
    }
    expect(n).toBe(50);
    expect(() => viaAppend.beginRun(8, 192, 16 + 32)).toThrow("beginRun: varying must mark exactly one value other than the id");
    expect(() => viaAppend.beginRun(8, 192, 1)).toThrow("beginRun: varying must mark exactly one value other than the id");
  });
});

describe("columnar windows in jobs", () => {
  interface Ev {
    key: string | number;
    ts: number;
    n: number;
  }
  function randomEvents(seed: number, n: number): Ev[] {
    const rnd = seededRandom(seed);
    const out: Ev[] = [];
    let t = -80;
    for (let i = 0; i < n; i++) {
      t += Math.floor(rnd() * 4);
      const late = rnd() < 0.2 ? Math.floor(rnd() * 70) : 0;
      const k = Math.floor(rnd() * 6);
      out.push({ key: k % 2 === 0 ? k : `k${k}`, ts: t - late, n: Math.floor(rnd() * 10) });
    }
    return out;
  }
  async function run(events: readonly Ev[], assigner: WindowAssigner, outOfOrderness: number): Promise<{ results: string[]; late: number[] }> {
    const lateTag = new OutputTag<Ev>("late");
    const results = from(fromArray([...events]))
      .withTimestamps((e) => e.ts, { outOfOrderness })
      .keyBy((e) => e.key)
      .window(assigner)
      .sideOutputLateData(lateTag)
      .aggregate(maxBy((e: Ev) => e.n), (top, w) => `${String(w.key)} [${w.start},${w.end}) ${w.firing} ${top.map((e) => e.ts).join(",")}`);
    const out = collect<string>();
    const lateOut = collect<Ev>();
    results.sideOutput(lateTag).to(lateOut);
    let t = 1_000_000;
    const job = startJob(results.to(out).plan(), { batchSize: 3, watermarkInterval: 1 }, { now: () => (t += 1_000) });
    await job.done;
    expect(job.status).toBe("finished");
    return { results: [...out.records], late: lateOut.records.map((e) => e.ts) };
  }

  it("the same firings and late records as the general path on random out-of-order data", async () => {
    for (const [seed, assigner, outOfOrderness] of [
      [1, tumbling(10), 0],
      [2, tumbling(25, { offset: 7 }), 10],
      [3, tumbling(40), 30],
    ] as const) {
      const events = randomEvents(seed, 500);
      const fast = await run(events, assigner, outOfOrderness);
      const general = await run(events, opaque(assigner), outOfOrderness);
      expect(fast.results.length).toBeGreaterThan(20);
      // The general path's timer heap fires a watermark's windows in another key order.
      expect(fast.results.length).toBe(general.results.length);
      expect([...fast.results].sort()).toEqual([...general.results].sort());
      expect(fast.late).toEqual(general.late);
    }
  });

  it("a job restores a checkpoint the object layout wrote (same pipeline shape) and ends as a run without failure", async () => {
    const events = randomEvents(9, 2_000);
    const pipeline = (trigger: Trigger | undefined) => {
      let w = from(fromArray([...events]))
        .withTimestamps((e) => e.ts, { outOfOrderness: 100 }) // no record late: the results do not depend on when watermarks come
        .keyBy((e) => e.key)
        .window(tumbling(30));
      if (trigger !== undefined) w = w.trigger(trigger);
      return w.aggregate(count(), (n, win) => `${String(win.key)} ${win.start} ${n}`);
    };
    const clock = () => {
      let t = 0;
      return { now: () => (t += 10) };
    };
    const reference = collect<string>();
    await startJob(pipeline(undefined).to(reference).plan(), { batchSize: 50 }, clock()).done;
    // The object layout's job, stopped at a checkpoint about halfway.
    const storage = path.join(dir, "chk");
    const seen: string[] = [];
    let flushed = 0;
    const sink = { description: "recording", write: (rs: readonly string[]) => void seen.push(...rs), flush: () => void (flushed = seen.length) };
    const job = startJob(pipeline(objectLayoutTrigger()).to(sink).plan(), { batchSize: 50, checkpoint: { every: 1_000_000, storage } }, clock());
    while (seen.length < reference.records.length / 2 && job.status === "running") await new Promise((r) => setTimeout(r, 1));
    const checkpoint = await job.checkpoint();
    const before = flushed; // what the checkpoint's barrier had written
    await job.cancel();
    expect(before).toBeLessThan(reference.records.length);
    // The columnar layout's job restores it.
    const rest = collect<string>();
    await startJob(pipeline(undefined).to(rest).plan(), { batchSize: 50, checkpoint: { every: 1_000_000, storage }, restore: { checkpoint: checkpoint.id } }, clock()).done;
    expect([...seen.slice(0, before), ...rest.records].sort()).toEqual([...reference.records].sort());
  });
});
