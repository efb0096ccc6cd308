/**
 * The keyed exchange (src/stream/runtime/parallel): a parallel keyed operator whose records all go to
 * another keyed operator sends them from its workers straight to that operator's workers. Checked: which
 * operators are linked; two and three chained keyed stages equal parallelism 1 (results and per-operator
 * record counts); lateness decided at a later stage exactly as with parallelism 1 (re-firings, the late
 * side output of a stage fed by the exchange); stop and cancel; savepoints taken with records in flight
 * between the stages restored at another parallelism; a throwing function of a stage fed by the
 * exchange, and a throwing key selector run in the upstream workers, fail the job as parallelism 1 does.
 *
 * Jobs run with a stepping clock (every round ticks), so watermarks fall at the same records in every
 * run and results are deterministic.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { collect, DirectoryCheckpointStore, OutputTag, from } from "../../src/stream/index.js";
import type { DataStream, Job } from "../../src/stream/index.js";
import type { Plan } from "../../src/stream/api/graph.js";
import type { StartOptions } from "../../src/stream/api/job.js";
import { aggregate, count, maxBy, sum } from "../../src/stream/aggregates/index.js";
import { startJob } from "../../src/stream/runtime/job-runner.js";
import { buildPhysicalPlan } from "../../src/stream/runtime/physical-plan.js";
import { planParallel } from "../../src/stream/runtime/parallel/parallel-plan.js";
import { liveWorkerThreads } from "../../src/stream/runtime/parallel/worker-handle.js";
import { nexmark } from "../../src/stream/sources/nexmark/nexmark-source.js";
import type { Bid } from "../../src/stream/sources/nexmark/nexmark-events.js";
import { fromArray } from "../../src/stream/sources/from-array.js";
import { fromAsyncIterable } from "../../src/stream/sources/from-async-iterable.js";
import { sliding, tumbling } from "../../src/stream/windowing/index.js";

const TIMEOUT = 240_000;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function steppingClock(): { now: () => number } {
  let t = 1_000_000;
  return { now: () => (t += 1_000) };
}

/** Nexmark bids: 12,000 events at 400/s, out of order by up to 4 s, 2 splits; watermark `outOfOrderness` behind. */
function bids(outOfOrderness = 1_000, maxEvents = 12_000): DataStream<Bid> {
  return from(nexmark({ seed: 11, eventsPerSecond: 400, maxEvents, splits: 2 }))
    .filter((e): e is Bid => e.kind === "bid")
    .withTimestamps((b) => b.dateTime, { outOfOrderness });
}

type Sinks = ReturnType<typeof collect<unknown>>[];

function start(plan: Plan, options: StartOptions): Job {
  return startJob(plan, { batchSize: 100, watermarkInterval: 1, ...options }, steppingClock());
}

/** Runs the job; returns each sink's records as sorted JSON lines, and the operators' record counts. */
async function run(build: (sinks: Sinks) => Plan, sinkCount: number, options: StartOptions): Promise<{ sinks: string[][]; counts: string[] }> {
  const sinks = Array.from({ length: sinkCount }, () => collect<unknown>());
  const job = start(build(sinks), options);
  await job.done;
  const counts = job.metrics().operators.map((o) => `${o.name}: in ${o.recordsIn}, out ${o.recordsOut}, late ${o.lateRecordsDropped}`);
  return { sinks: sinks.map((s) => s.records.map((r) => JSON.stringify(r)).sort()), counts };
}

/** Runs at parallelism 1, 2 and 3: the same records in every sink, the same counts per operator. */
async function expectSameAtAllParallelisms(build: (sinks: Sinks) => Plan, sinkCount: number): Promise<string[][]> {
  const serial = await run(build, sinkCount, {});
  expect(serial.sinks[0]!.length).toBeGreaterThan(0);
  for (const parallelism of [2, 3]) {
    const parallel = await run(build, sinkCount, { parallelism });
    for (let s = 0; s < sinkCount; s++) expect(parallel.sinks[s], `sink ${s} at parallelism ${parallelism}`).toEqual(serial.sinks[s]);
    expect(parallel.counts, `operator counts at parallelism ${parallelism}`).toEqual(serial.counts);
  }
  expect(liveWorkerThreads()).toBe(0);
  return serial.sinks;
}

/** q5-like: counts per auction in sliding windows, then the top auctions per window end. */
function twoStages(source: DataStream<Bid>) {
  return source
    .keyBy((b) => b.auction)
    .window(sliding(4_000, 2_000))
    .aggregate(count(), (n, w) => ({ auction: w.key, count: n, start: w.start, end: w.end }))
    .keyBy((r) => r.end)
    .window(tumbling(2_000))
    .aggregate(maxBy((r) => r.count), (top, w) => ({ end: w.end, count: top[0]!.count, auctions: top.map((r) => r.auction).sort((a, b) => a - b) }));
}

describe("which keyed operators the exchange links", () => {
  it("a keyed operator feeding only the next one is linked; one with two consumers is not", { timeout: TIMEOUT }, async () => {
    // Built without running (no source splits): the workers start, and are ended here as a job would.
    const linked = async (plan: Plan): Promise<{ sends: boolean; receives: boolean }[]> => {
      const physical = buildPhysicalPlan(plan, new Map(), () => 0, planParallel(plan, { parallelism: 2 }));
      const shape = physical.parallel.map((p) => p.exchange);
      await Promise.all(physical.parallel.map((p) => p.close()));
      return shape;
    };
    const chained = await linked(twoStages(bids()).to(collect()).plan());
    expect(chained).toEqual([
      { sends: true, receives: false },
      { sends: false, receives: true },
    ]);
    const counts = bids()
      .keyBy((b) => b.auction)
      .window(sliding(4_000, 2_000))
      .aggregate(count(), (n, w) => ({ auction: w.key, count: n, end: w.end }));
    counts.to(collect());
    const twoConsumers = await linked(counts.keyBy((r) => r.end).window(tumbling(2_000)).aggregate(count()).to(collect()).plan());
    expect(twoConsumers).toEqual([
      { sends: false, receives: false },
      { sends: false, receives: false },
    ]);
    // A key selector that cannot be shipped keeps the records on the main thread's route.
    const outside = 2_000;
    const unshippable = await linked(
      bids()
        .keyBy((b) => b.auction)
        .window(sliding(4_000, 2_000))
        .aggregate(count(), (n, w) => ({ auction: w.key, count: n, end: w.end }))
        .keyBy((r) => r.end % outside)
        .window(tumbling(2_000))
        .aggregate(count())
        .to(collect())
        .plan(),
    );
    expect(unshippable).toEqual([
      { sends: false, receives: false },
      { sends: false, receives: false },
    ]);
    expect(liveWorkerThreads()).toBe(0);
  });
});

describe("chained keyed stages through the exchange equal parallelism 1", () => {
  it("two stages (q5-like), results and per-operator counts", { timeout: TIMEOUT }, async () => {
    await expectSameAtAllParallelisms(([out]) => twoStages(bids()).to(out!).plan(), 1);
  });

  it("three stages: counts, top auctions per window, then a process function summing per bucket on timers", { timeout: TIMEOUT }, async () => {
    const serial = await expectSameAtAllParallelisms(
      ([out]) =>
        twoStages(bids())
          .keyBy((r) => r.count % 3)
          .process<{ bucket: number; at: number; windows: number; total: number }>({
            processElement(r, ctx) {
              const total = ctx.state.value<number>("total");
              total.set((total.get() ?? 0) + r.count);
              const windows = ctx.state.value<number>("windows");
              windows.set((windows.get() ?? 0) + 1);
              ctx.timers.registerEventTime(Math.floor(r.end / 6_000) * 6_000 + 5_999);
            },
            onTimer(time, ctx) {
              ctx.emit({ bucket: ctx.key, at: time, windows: ctx.state.value<number>("windows").get() ?? 0, total: ctx.state.value<number>("total").get() ?? 0 });
            },
          })
          .to(out!)
          .plan(),
      1,
    );
    expect(serial[0]!.length).toBeGreaterThan(3);
  });

  it("a slow second stage: the first runs ahead until the exchange's backpressure holds it", { timeout: TIMEOUT }, async () => {
    await expectSameAtAllParallelisms(
      ([out]) =>
        bids(1_000, 40_000)
          .keyBy((b) => b.auction % 10)
          .window(tumbling(100))
          .aggregate(count(), (n, w) => ({ bucket: w.key, n, end: w.end }))
          .keyBy((r) => r.bucket % 5)
          .window(tumbling(2_000))
          .aggregate(
            aggregate({
              create: () => 0,
              add: (acc: number, r: { n: number }) => {
                let h = r.n;
                for (let i = 0; i < 50_000; i++) h = (Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) + i) | 0;
                return (acc + (h & 0xff)) | 0;
              },
              merge: (a, b) => (a + b) | 0,
              result: (acc) => acc,
            }),
          )
          .to(out!)
          .plan(),
      1,
    );
  });

  it("lateness is decided at the second stage as with parallelism 1: re-firings and its late side output", { timeout: TIMEOUT }, async () => {
    const late = new OutputTag<{ auction: number; price: number }>("late at the second stage");
    const serial = await expectSameAtAllParallelisms(([out, lateOut]) => {
      // The first stage passes records on with their (possibly late) timestamps; the second windows them.
      // Both are keyed alike, so each key of the second comes from one key of the first: a re-firing's
      // value depends on which late records came before it, and records of different upstream keys (on
      // different workers) may arrive in another order than with parallelism 1, as in Flink.
      const windows = bids(0)
        .keyBy((b) => b.auction % 7)
        .process<{ auction: number; price: number }>({
          processElement(b, ctx) {
            ctx.emit({ auction: b.auction, price: b.price });
          },
        })
        .keyBy((r) => r.auction % 7)
        .window(tumbling(1_000))
        .allowedLateness(2_500)
        .sideOutputLateData(late)
        .aggregate(sum((r) => r.price));
      windows.sideOutput(late).to(lateOut!);
      return windows.to(out!).plan();
    }, 2);
    expect(serial[1]!.length).toBeGreaterThan(0);
    expect(serial[0]!.some((r) => r.includes('"firing":"late"'))).toBe(true);
  });

  it("side outputs of the first stage reach the main thread as before", { timeout: TIMEOUT }, async () => {
    const late = new OutputTag<Bid>("late at the first stage");
    const serial = await expectSameAtAllParallelisms(([out, lateOut]) => {
      const counts = bids(0)
        .keyBy((b) => b.auction % 20)
        .window(tumbling(2_000))
        .allowedLateness(500)
        .sideOutputLateData(late)
        .aggregate(count(), (n, w) => ({ bucket: w.key, n, end: w.end }));
      counts.sideOutput(late).to(lateOut!);
      return counts
        .keyBy((r) => r.end)
        .window(tumbling(4_000))
        .aggregate(sum((r) => r.n))
        .to(out!)
        .plan();
    }, 2);
    expect(serial[1]!.length).toBeGreaterThan(0);
  });
});

describe("the exchange and the job's life", () => {
  it("stop passes on the outputs of every record read through both stages", { timeout: TIMEOUT }, async () => {
    const n = 4_000;
    const items = Array.from({ length: n }, (_, i) => ({ k: i % 23, v: (i * 7) % 11, ts: i * 7 }));
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
        .aggregate(sum((r: { v: number }) => r.v), (total, w) => ({ k: w.key, total, end: w.end }))
        .keyBy((r) => r.k % 4)
        .window(tumbling(1_000))
        .aggregate(sum((r) => r.total), (total, w) => ({ group: w.key, total, end: w.end }))
        .to(out)
        .plan();
      const job = start(plan, { parallelism });
      while (job.metrics().recordsIn < n && job.status === "running") await new Promise<void>((r) => setImmediate(r));
      await job.stop();
      expect(job.status).toBe("stopped");
      return out.records.map((r) => JSON.stringify(r)).sort();
    };
    const serial = await stopped(1);
    expect(serial.length).toBeGreaterThan(20);
    expect(await stopped(2)).toEqual(serial);
    expect(await stopped(3)).toEqual(serial);
    expect(liveWorkerThreads()).toBe(0);
  });

  it("cancel terminates the workers of both stages", { timeout: TIMEOUT }, async () => {
    const job = start(twoStages(bids(1_000, 2_000_000)).to(collect()).plan(), { parallelism: 3 });
    while (job.metrics().recordsIn < 3_000 && job.status === "running") await new Promise<void>((r) => setImmediate(r));
    expect(liveWorkerThreads()).toBe(6);
    await job.cancel();
    expect(job.status).toBe("cancelled");
    expect(liveWorkerThreads()).toBe(0);
  });

  it("a savepoint taken with records between the stages restores at another parallelism like an uninterrupted run", { timeout: TIMEOUT }, async () => {
    const source = Array.from({ length: 30_000 }, (_, i) => ({ k: (i * 7919) % 97, v: i % 13, ts: i * 3 }));
    const build = (out: ReturnType<typeof collect<unknown>>): Plan =>
      from(fromArray(source))
        .withTimestamps((r) => r.ts, { outOfOrderness: 50 })
        .keyBy((r) => r.k)
        .window(sliding(900, 300))
        .aggregate(aggregate({ create: () => 0, add: (acc: number, r: { v: number }) => acc + r.v, merge: (a, b) => a + b, result: (acc) => acc }), (total, w) => ({
          k: w.key,
          total,
          end: w.end,
        }))
        .keyBy((r) => r.end)
        .window(tumbling(300))
        .aggregate(maxBy((r) => r.total), (top, w) => ({ end: w.end, total: top[0]!.total, keys: top.map((r) => r.k).sort((a, b) => a - b) }))
        .to(out)
        .plan();
    const whole = collect<unknown>();
    await start(build(whole), {}).done;
    for (const [taken, restored] of [
      [2, 1],
      [1, 2],
      [3, 2],
    ] as const) {
      const storage = mkdtempSync(path.join(tmpdir(), "sluice-par-exchange-"));
      dirs.push(storage);
      const first = collect<unknown>();
      const job = start(build(first), { parallelism: taken, checkpoint: { every: 1e12, storage } });
      while (job.metrics().recordsIn < 15_000 && job.status === "running") await new Promise<void>((r) => setImmediate(r));
      expect(job.status).toBe("running");
      let upTo: unknown[] = [];
      await job.savepoint("half").then(() => {
        upTo = [...first.records];
      });
      await job.cancel();
      const second = collect<unknown>();
      await start(build(second), { parallelism: restored, checkpoint: { every: 1e12, storage }, restore: { savepoint: "half" } }).done;
      expect(upTo.length, `${taken} → ${restored}: something before the savepoint`).toBeGreaterThan(0);
      const combined = [...upTo, ...second.records].map((r) => JSON.stringify(r)).sort();
      expect(combined, `${taken} → ${restored}`).toEqual(whole.records.map((r) => JSON.stringify(r)).sort());
      expect((await new DirectoryCheckpointStore(storage).list()).length).toBe(1);
    }
    expect(liveWorkerThreads()).toBe(0);
  });
});

describe("failures in a stage fed by the exchange", () => {
  const rows = Array.from({ length: 400 }, (_, i) => ({ k: i % 5, v: i, ts: i }));
  const failure = async (plan: () => Plan, parallelism: number): Promise<Error | undefined> => {
    const job = start(plan(), { parallelism });
    const error = await job.done.then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(job.status).toBe("failed");
    return error;
  };
  const firstStage = () =>
    from(fromArray(rows))
      .withTimestamps((r) => r.ts)
      .keyBy((r) => r.k)
      .window(tumbling(50))
      .aggregate(sum((r: { v: number }) => r.v), (total, w) => ({ k: w.key, total, end: w.end }));

  it("its user function throws: the job fails naming the operator and showing the record, as parallelism 1", { timeout: TIMEOUT }, async () => {
    const plan = () =>
      firstStage()
        .keyBy((r) => r.end)
        .window(tumbling(100))
        .aggregate(
          aggregate({
            create: () => 0,
            add: (acc: number, r: { k: number; total: number }) => {
              if (r.k === 3 && r.end === 250) throw new RangeError(`too large: ${r.total}`);
              return acc + r.total;
            },
            merge: (a, b) => a + b,
            result: (acc) => acc,
          }),
        )
        .to(collect())
        .plan();
    const serial = await failure(plan, 1);
    expect(serial?.message).toMatch(/^window tumbling\(100ms\) aggregate failed on record \{ k: 3, total: \d+, end: 250 \}: RangeError: too large: \d+$/);
    for (const parallelism of [2, 3]) {
      const parallel = await failure(plan, parallelism);
      expect(parallel?.name).toBe("UserFunctionError");
      expect(parallel?.message).toBe(serial?.message);
    }
    expect(liveWorkerThreads()).toBe(0);
  });

  it("its key selector (run in the first stage's workers) throws: the same error as parallelism 1", { timeout: TIMEOUT }, async () => {
    const plan = () =>
      firstStage()
        .keyBy((r) => {
          if (r.k === 2 && r.end === 350) throw new TypeError(`no key for ${r.total}`);
          return r.end;
        })
        .window(tumbling(100))
        .aggregate(count())
        .to(collect())
        .plan();
    const serial = await failure(plan, 1);
    expect(serial?.message).toMatch(/^window tumbling\(100ms\) count failed on record \{ k: 2, total: \d+, end: 350 \}: TypeError: no key for \d+$/);
    const parallel = await failure(plan, 2);
    expect(parallel?.name).toBe("UserFunctionError");
    expect(parallel?.message).toBe(serial?.message);
    expect(liveWorkerThreads()).toBe(0);
  });
});
