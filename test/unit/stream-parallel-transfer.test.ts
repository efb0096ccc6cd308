/**
 * How parallel keyed operators move data (src/stream/runtime/parallel): the packed transfer of flat
 * numeric records (exact round trip, everything else left to structured clone), local pre-aggregation
 * (which operators may fold, what is folded and what is shipped as records), and jobs using both —
 * pipelined over several rounds — giving the results of parallelism 1, also when stopped and through a
 * savepoint taken with batches in flight (the job drains them first).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { collect, DirectoryCheckpointStore, OutputTag, from } from "../../src/stream/index.js";
import type { DataStream } from "../../src/stream/index.js";
import type { Plan, PlanNode } from "../../src/stream/api/graph.js";
import type { StartOptions } from "../../src/stream/api/job.js";
import { aggregate, count, distinctCount, max, maxBy, min, sum } from "../../src/stream/aggregates/index.js";
import { startJob } from "../../src/stream/runtime/job-runner.js";
import { UserFunctionError } from "../../src/stream/runtime/user-function-error.js";
import { acceptingPartials, partialElement, PreAggregator, preAggregationLayout } from "../../src/stream/runtime/parallel/pre-aggregation.js";
import { packInputs, packOutputs, unpackInputs, unpackOutputs } from "../../src/stream/runtime/parallel/record-packing.js";
import type { InputEvent, OutputEvent } from "../../src/stream/runtime/parallel/worker-protocol.js";
import { liveWorkerThreads } from "../../src/stream/runtime/parallel/worker-handle.js";
import { nexmark } from "../../src/stream/sources/nexmark/nexmark-source.js";
import type { Bid, NexmarkEvent } from "../../src/stream/sources/nexmark/nexmark-events.js";
import { fromArray } from "../../src/stream/sources/from-array.js";
import { fromAsyncIterable } from "../../src/stream/sources/from-async-iterable.js";
import { countTrigger, session, sliding, tumbling } from "../../src/stream/windowing/index.js";

const TIMEOUT = 180_000;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Own properties in order, with -0 and NaN told apart from 0 (toEqual alone does not check the order). */
function exact(value: unknown): unknown {
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : Number.isNaN(value) ? "NaN" : value;
  if (Array.isArray(value)) return value.map(exact);
  if (typeof value === "object" && value !== null) return Object.entries(value).map(([k, v]) => [k, exact(v)]);
  return value;
}

describe("packed transfer of flat numeric records", () => {
  it("packs records of the batch's shape and rebuilds them exactly; leaves everything else as it is", () => {
    class Point {
      constructor(readonly x: number) {}
    }
    const nullProto = Object.assign(Object.create(null) as object, { a: 1, b: 2 });
    const protoKey = JSON.parse('{"__proto__": 1, "b": 2}') as object;
    const events: InputEvent[] = [
      [0, 7, { auction: 7, count: 3, start: -0, end: Number.NaN }, 10],
      [1, 5],
      [0, 8, { auction: 8, count: 1, start: 2, end: Infinity }, 11],
      [0, 9, { count: 1, auction: 9, start: 2, end: 4 }, 12], // another order: another shape
      [0, "k", { auction: 1, count: 1, start: 2, end: 4 }, 13], // a string key
      [0, 10, { auction: 1, count: 1, start: 2, end: 4 }, undefined], // no timestamp
      [0, 11, { auction: 1, count: "1", start: 2, end: 4 }, 14], // a string field
      [0, 12, new Point(1), 15],
      [0, 13, [1, 2], 16],
      [0, 14, nullProto, 17],
      [0, 15, protoKey, 18],
      [2, true],
      [0, 16, { auction: 1, count: 2, start: 3, end: 5 }, 19],
      [4, 17, 2_000, 5],
      [4, 18, 4_000, 6],
      [4, "s", 4_000, 6],
      [4, 19, 4_000, { n: 1 }],
      [3, 99],
    ];
    const { packed, transfer } = packInputs(events);
    expect(packed.fields).toEqual(["auction", "count", "start", "end"]);
    // Three records and two partial accumulators travel as numbers; the rest as themselves.
    expect([...packed.kinds!].filter((k) => k === 0)).toHaveLength(3);
    expect([...packed.kinds!].filter((k) => k === 1)).toHaveLength(2);
    expect(packed.others).toHaveLength(events.length - 5);
    expect(transfer).toEqual([]); // small buffers are copied
    const back = unpackInputs(structuredClone(packed));
    expect(exact(back)).toEqual(exact(structuredClone(events)));
  });

  it("output records: packed when flat and numeric, large buffers transferred", () => {
    const outputs: OutputEvent[] = [];
    for (let i = 0; i < 5_000; i++) outputs.push([0, { key: i, n: i * 2, at: -i }, i]);
    outputs.push([2, 100], [1, 0, { key: 1, n: 2, at: 3 }, 4], [0, "text", 5], [3, false]);
    const { packed, transfer } = packOutputs(outputs);
    expect([...packed.kinds!].filter((k) => k === 0)).toHaveLength(5_000);
    expect(transfer).toHaveLength(1);
    expect(exact(unpackOutputs(packed))).toEqual(exact(outputs));
  });

  it("a batch with nothing to pack is sent as it is", () => {
    const events: InputEvent[] = [[0, "a", { s: "x" }, 1], [1, 2], [0, 1, { n: 1 }, 3]];
    const { packed, transfer } = packInputs(events);
    expect(packed.numbers).toBeUndefined();
    expect(packed.events).toBe(events);
    expect(transfer).toEqual([]);
    expect(unpackInputs(packed)).toBe(events);
  });
});

/** The window node a keyed window stream builds (the last node of its plan). */
function windowNode(build: (s: DataStream<{ k: number; v: number }>) => { plan(): Plan }): Extract<PlanNode, { kind: "window" }> {
  const plan = build(from(fromArray([{ k: 1, v: 1 }])).withTimestamps(() => 0)).plan();
  const node = plan.sinks[0]!.input;
  if (node.kind !== "window") throw new Error("no window node");
  return node;
}

describe("local pre-aggregation", () => {
  const sink = collect<unknown>();
  it("applies to event-time tumbling and sliding windows with the plain trigger and an exact merge only", () => {
    const layout = (build: Parameters<typeof windowNode>[0]) => preAggregationLayout(windowNode(build));
    expect(layout((s) => s.keyBy((r) => r.k).window(sliding(10_000, 4_000)).aggregate(count()).to(sink))).toEqual({ slice: 2_000, offset: 0 });
    expect(layout((s) => s.keyBy((r) => r.k).window(tumbling(5_000, { offset: 1_000 })).aggregate(min((r) => r.v)).to(sink))).toEqual({ slice: 5_000, offset: 1_000 });
    expect(layout((s) => s.keyBy((r) => r.k).window(tumbling(5_000)).allowedLateness(2_000).aggregate(distinctCount((r) => r.v)).to(sink))).toEqual({ slice: 5_000, offset: 0 });
    // Not: sums (order-dependent floats), ties (maxBy), user aggregates (their add may be the heavy work),
    // sessions, gaps, other triggers, processing time.
    const sliceableSum = aggregate({ create: () => 0, add: (acc: number, r: { v: number }) => acc + r.v, merge: (a, b) => a + b, sliceable: true, result: (acc) => acc });
    expect(layout((s) => s.keyBy((r) => r.k).window(tumbling(5_000)).aggregate(sliceableSum).to(sink))).toBeUndefined();
    expect(layout((s) => s.keyBy((r) => r.k).window(tumbling(5_000)).aggregate(sum((r) => r.v)).to(sink))).toBeUndefined();
    expect(layout((s) => s.keyBy((r) => r.k).window(tumbling(5_000)).aggregate(maxBy((r) => r.v)).to(sink))).toBeUndefined();
    expect(layout((s) => s.keyBy((r) => r.k).window(session(5_000)).aggregate(count()).to(sink))).toBeUndefined();
    expect(layout((s) => s.keyBy((r) => r.k).window(sliding(2_000, 5_000)).aggregate(count()).to(sink))).toBeUndefined();
    expect(layout((s) => s.keyBy((r) => r.k).window(tumbling(5_000)).trigger(countTrigger(3)).aggregate(count()).to(sink))).toBeUndefined();
    expect(layout((s) => s.keyBy((r) => r.k).window(tumbling(5_000, { time: "processing" })).aggregate(count()).to(sink))).toBeUndefined();
  });

  it("folds records per key and slice; ships a record when one of its windows is due", () => {
    const node = windowNode((s) => s.keyBy((r) => r.k).window(sliding(4_000, 2_000)).aggregate(max((r: { v: number }) => r.v)).to(sink));
    // Number keys on worker 0, the others on worker 1.
    const folder = new PreAggregator(node, preAggregationLayout(node)!, (id) => (typeof id === "number" ? 0 : 1));
    const watermark = 1_999;
    expect(folder.add(1, { v: 5 }, 2_000, watermark)).toBe(true);
    expect(folder.add(1, { v: 9 }, 3_999, watermark)).toBe(true);
    expect(folder.add(1, { v: 7 }, 4_000, watermark)).toBe(true); // the next slice
    expect(folder.add("1", { v: 3 }, 2_500, watermark)).toBe(true); // another key, another worker
    expect(folder.add(1, { v: 100 }, 1_999, watermark)).toBe(false); // its first window [−2000, 2000) is due
    expect(folder.add(1, { v: 100 }, undefined, watermark)).toBe(false); // no timestamp: the worker reports it
    expect(folder.add(1, { v: 100 }, 2_000.5, watermark)).toBe(false);
    const queues: InputEvent[][] = [[[1, 1_999]], []];
    folder.flush(queues);
    expect(queues).toEqual([
      [[1, 1_999], [4, 1, 2_000, 9], [4, 1, 4_000, 7]],
      [[4, "1", 2_000, 3]],
    ]);
    // Flushed: the next segment starts empty, and a key's accumulators start afresh.
    folder.flush(queues);
    expect(queues[0]).toHaveLength(3);
    expect(folder.add(-0, { v: 4 }, 2_100, watermark)).toBe(true); // -0 is key 0
    expect(folder.add(1, { v: 2 }, 2_200, watermark)).toBe(true);
    expect(folder.add(0, { v: 6 }, 2_300, watermark)).toBe(true);
    folder.flush(queues);
    expect(queues[0]!.slice(3)).toEqual([
      [4, -0, 2_000, 6],
      [4, 1, 2_000, 2],
    ]);
  });

  it("a throwing aggregate fails with the operator and the record, as parallelism 1", () => {
    const node = windowNode((s) =>
      s
        .keyBy((r) => r.k)
        .window(tumbling(1_000))
        .aggregate(
          min((r: { v: number }) => {
            if (r.v < 0) throw new Error("negative");
            return r.v;
          }),
        )
        .to(sink),
    );
    const folder = new PreAggregator(node, preAggregationLayout(node)!, () => 0);
    let error: unknown;
    try {
      folder.add(1, { v: -1 }, 5, -Infinity);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserFunctionError);
    expect((error as UserFunctionError).operator).toBe(node.name);
    expect((error as UserFunctionError).record).toEqual({ v: -1 });
  });

  it("the worker's aggregate merges a partial element by sliceMerge and adds records as before", () => {
    const counting = acceptingPartials(count());
    expect(counting.add(partialElement(5), counting.add({}, counting.createAccumulator()))).toBe(6);
    const distinct = acceptingPartials(distinctCount((r: { v: number }) => r.v));
    const acc = distinct.add(partialElement(new Set([1, 2])), distinct.add({ v: 2 }, distinct.add({ v: 3 }, distinct.createAccumulator())));
    expect(distinct.getResult(acc)).toBe(3);
    // Without sliceMerge: the aggregate itself.
    const summing = sum((r: { v: number }) => r.v);
    expect(acceptingPartials(summing)).toBe(summing);
  });
});

function steppingClock(): { now: () => number } {
  let t = 1_000_000;
  return { now: () => (t += 1_000) };
}

function events(): DataStream<NexmarkEvent> {
  return from(nexmark({ seed: 11, eventsPerSecond: 400, maxEvents: 12_000, splits: 2 }));
}

async function run(build: (sinks: ReturnType<typeof collect<unknown>>[]) => Plan, sinkCount: number, options: StartOptions): Promise<string[][]> {
  const sinks = Array.from({ length: sinkCount }, () => collect<unknown>());
  await startJob(build(sinks), { batchSize: 100, watermarkInterval: 1, ...options }, steppingClock()).done;
  return sinks.map((s) => s.records.map((r) => JSON.stringify(r)).sort());
}

describe("jobs with packed records and pre-aggregation equal parallelism 1", () => {
  it("min, max and distinct counts in sliding windows with allowed lateness and a late side output", { timeout: TIMEOUT }, async () => {
    const late = new OutputTag<Bid>("late");
    const build = ([mins, maxes, distinct, lateOut]: ReturnType<typeof collect<unknown>>[]) => {
      const keyed = events()
        .filter((e): e is Bid => e.kind === "bid")
        .withTimestamps((b) => b.dateTime, { outOfOrderness: 300 })
        .keyBy((b) => b.auction % 30);
      keyed.window(sliding(3_000, 1_000)).allowedLateness(1_000).aggregate(min((b) => b.price)).to(mins!);
      keyed.window(sliding(3_000, 1_000)).aggregate(max((b) => b.price)).to(maxes!);
      const d = keyed.window(tumbling(2_000)).allowedLateness(500).sideOutputLateData(late).aggregate(distinctCount((b) => b.bidder));
      d.sideOutput(late).to(lateOut!);
      return d.to(distinct!).plan();
    };
    const serial = await run(build, 4, { parallelism: 1 });
    expect(serial.every((s) => s.length > 0)).toBe(true);
    // Late records and re-firings happen, so records are shipped one by one next to folded ones.
    expect(serial[2]!.some((r) => r.includes('"firing":"late"'))).toBe(true);
    for (const parallelism of [2, 3]) expect(await run(build, 4, { parallelism })).toEqual(serial);
    expect(liveWorkerThreads()).toBe(0);
  });

  it("two keyed stages (counts per auction, then the top auctions per window): packed results in both directions", { timeout: TIMEOUT }, async () => {
    const build = ([out, counts]: ReturnType<typeof collect<unknown>>[]) => {
      const perAuction = events()
        .filter((e): e is Bid => e.kind === "bid")
        .withTimestamps((b) => b.dateTime, { outOfOrderness: 1_000 })
        .keyBy((b) => b.auction)
        .window(sliding(4_000, 2_000))
        .aggregate(count(), (n, w) => ({ auction: w.key, count: n, start: w.start, end: w.end }));
      perAuction.to(counts!);
      return perAuction
        .keyBy((r) => r.end)
        .window(tumbling(2_000))
        .aggregate(maxBy((r) => r.count), (top, w) => ({ end: w.end, count: top[0]!.count, auctions: top.map((r) => r.auction).sort((a, b) => a - b) }))
        .to(out!)
        .plan();
    };
    const serial = await run(build, 2, { parallelism: 1 });
    expect(serial[0]!.length).toBeGreaterThan(5);
    for (const parallelism of [2, 4]) expect(await run(build, 2, { parallelism })).toEqual(serial);
  });

  it("stop passes on the outputs of every record read: none is left in flight", { timeout: TIMEOUT }, async () => {
    const n = 4_000;
    const items = Array.from({ length: n }, (_, i) => ({ k: i % 23, v: (i * 7) % 11, ts: i * 7 }));
    // An endless feed: every item, then nothing more (the job idles until it is stopped).
    async function* feed(): AsyncGenerator<{ k: number; v: number; ts: number }> {
      for (const item of items) yield item;
      await new Promise<void>(() => {});
    }
    const stopped = async (parallelism: number): Promise<string[]> => {
      const out = collect<unknown>();
      const plan = from(fromAsyncIterable(() => feed(), { bounded: false }))
        .withTimestamps((r) => r.ts)
        .keyBy((r) => r.k)
        .window(tumbling(500))
        .aggregate(min((r: { v: number }) => r.v))
        .to(out)
        .plan();
      const job = startJob(plan, { batchSize: 100, watermarkInterval: 1, parallelism }, steppingClock());
      while (job.metrics().recordsIn < n && job.status === "running") await new Promise<void>((r) => setImmediate(r));
      await job.stop();
      expect(job.status).toBe("stopped");
      return out.records.map((r) => JSON.stringify(r)).sort();
    };
    const serial = await stopped(1);
    // Every window up to the last record's watermark fired (the last one, still open, did not).
    expect(serial.length).toBe(Math.floor((n * 7 - 7) / 500) * 23);
    expect(await stopped(2)).toEqual(serial);
    expect(liveWorkerThreads()).toBe(0);
  });

  it("a savepoint taken while batches are in flight holds them: restored at parallelism 1, the job ends as an uninterrupted run", { timeout: TIMEOUT }, async () => {
    const source = Array.from({ length: 30_000 }, (_, i) => ({ k: (i * 7919) % 97, v: i % 13, ts: i * 3 }));
    const build = (out: ReturnType<typeof collect<unknown>>): Plan =>
      from(fromArray(source))
        .withTimestamps((r) => r.ts, { outOfOrderness: 50 })
        .keyBy((r) => r.k)
        .window(sliding(900, 300))
        .aggregate(aggregate({ create: () => 0, add: (acc: number, r: { v: number }) => acc + r.v, merge: (a, b) => a + b, sliceable: true, result: (acc) => acc }))
        .to(out)
        .plan();
    const options = { batchSize: 200, watermarkInterval: 1 };
    const whole = collect<unknown>();
    await startJob(build(whole), options, steppingClock()).done;
    const storage = mkdtempSync(path.join(tmpdir(), "sluice-par-transfer-"));
    dirs.push(storage);
    const first = collect<unknown>();
    const job = startJob(build(first), { ...options, parallelism: 2, checkpoint: { every: 1e12, storage } }, steppingClock());
    while (job.metrics().recordsIn < 15_000 && job.status === "running") await new Promise<void>((r) => setImmediate(r));
    expect(job.status).toBe("running");
    let upTo: unknown[] = [];
    await job.savepoint("half").then(() => {
      upTo = [...first.records];
    });
    await job.cancel();
    const second = collect<unknown>();
    await startJob(build(second), { ...options, parallelism: 1, checkpoint: { every: 1e12, storage }, restore: { savepoint: "half" } }, steppingClock()).done;
    expect(upTo.length).toBeGreaterThan(0);
    const combined = [...upTo, ...second.records].map((r) => JSON.stringify(r)).sort();
    expect(combined).toEqual(whole.records.map((r) => JSON.stringify(r)).sort());
    expect((await new DirectoryCheckpointStore(storage).list()).length).toBe(1);
    expect(liveWorkerThreads()).toBe(0);
  });
});
