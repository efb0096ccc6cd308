/**
 * Keyed operators on worker threads (start({ parallelism })): results equal parallelism 1 — the same
 * multiset of outputs, and for each key the same order — on Nexmark-like jobs (q5 sliding counts, q7
 * tumbling maxima, q11 sessions), a keyed process function with state and timers, allowed lateness with
 * a late side output, and early triggers; captures; the start-time error for a free variable; a user
 * function that throws; checkpoints across parallelisms; no worker left after cancel.
 *
 * Jobs run with a stepping clock (every round ticks), so watermarks fall at the same records in every
 * run and results are deterministic.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { collect, DirectoryCheckpointStore, OutputTag, from } from "../../src/stream/index.js";
import type { DataStream, Job } from "../../src/stream/index.js";
import type { Plan } from "../../src/stream/api/graph.js";
import type { StartOptions } from "../../src/stream/api/job.js";
import { aggregate, count, maxBy } from "../../src/stream/aggregates/index.js";
import { startJob } from "../../src/stream/runtime/job-runner.js";
import { liveWorkerThreads } from "../../src/stream/runtime/parallel/worker-handle.js";
import { registerWorkerGlobal } from "../../src/stream/runtime/parallel/worker-globals.js";
import { keyGroupOf, workerOfGroup } from "../../src/stream/runtime/parallel/key-group.js";
import { mergeStates, splitState } from "../../src/stream/runtime/parallel/state-partition.js";
import { nexmark } from "../../src/stream/sources/nexmark/nexmark-source.js";
import type { Bid, NexmarkEvent } from "../../src/stream/sources/nexmark/nexmark-events.js";
import { fromArray } from "../../src/stream/sources/from-array.js";
import { continuousEventTimeTrigger, session, sliding, tumbling } from "../../src/stream/windowing/index.js";

const TIMEOUT = 180_000;
/** A global of the main thread that shipped code names (see the registerWorkerGlobal test). */
declare const __sluiceTestRuntime: { where: string };
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function steppingClock(): { now: () => number } {
  let t = 1_000_000;
  return { now: () => (t += 1_000) };
}

/** Nexmark events: 12,000 events at 400/s (30 s of event time), out of order by up to 4 s, 2 splits. */
function events(maxEvents = 12_000): DataStream<NexmarkEvent> {
  return from(nexmark({ seed: 7, eventsPerSecond: 400, maxEvents, splits: 2 }));
}

function bids(maxEvents?: number): DataStream<Bid> {
  return events(maxEvents)
    .filter((e): e is Bid => e.kind === "bid")
    .withTimestamps((b) => b.dateTime, { outOfOrderness: 1_000 });
}

/** Starts `plan` with a stepping clock. */
function start(plan: Plan, options: StartOptions): Job {
  return startJob(plan, { batchSize: 100, watermarkInterval: 1, ...options }, steppingClock());
}

/** Runs the sinks the builder attaches; returns each sink's records. */
async function runJob(build: (sinks: ReturnType<typeof collect<unknown>>[]) => Plan, sinkCount: number, options: StartOptions): Promise<unknown[][]> {
  const sinks = Array.from({ length: sinkCount }, () => collect<unknown>());
  const job = start(build(sinks), options);
  await job.done;
  return sinks.map((s) => [...s.records]);
}

/** Canonical form: the multiset (sorted JSON) and, per key, the sequence. */
function canonical(records: readonly unknown[], keyOf: (r: unknown) => unknown): { all: string[]; perKey: Record<string, string[]> } {
  const all = records.map((r) => JSON.stringify(r)).sort();
  const perKey: Record<string, string[]> = {};
  for (const r of records) (perKey[JSON.stringify(keyOf(r))] ??= []).push(JSON.stringify(r));
  return { all, perKey };
}

const byKey = (r: unknown): unknown => (r as { key: unknown }).key;

/** Runs at parallelism 1, 2 and 4 and expects the same results (and some results). */
async function expectSameAtAllParallelisms(build: (sinks: ReturnType<typeof collect<unknown>>[]) => Plan, sinkCount: number, keyOf = byKey, extra: StartOptions = {}) {
  const serial = await runJob(build, sinkCount, { ...extra, parallelism: 1 });
  expect(serial[0]!.length).toBeGreaterThan(0);
  for (const parallelism of [2, 4]) {
    const parallel = await runJob(build, sinkCount, { ...extra, parallelism });
    for (let s = 0; s < sinkCount; s++) expect(canonical(parallel[s]!, keyOf), `sink ${s} at parallelism ${parallelism}`).toEqual(canonical(serial[s]!, keyOf));
  }
  expect(liveWorkerThreads()).toBe(0);
  return serial;
}

describe("parallel keyed operators equal parallelism 1", () => {
  it("q5-like: bids per auction in sliding windows (10 s every 2 s)", { timeout: TIMEOUT }, async () => {
    await expectSameAtAllParallelisms(([out]) => bids().keyBy((b) => b.auction).window(sliding(10_000, 2_000)).aggregate(count()).to(out!).plan(), 1);
  });

  it("q7-like: the highest bids per auction in tumbling windows, with a result function", { timeout: TIMEOUT }, async () => {
    await expectSameAtAllParallelisms(
      ([out]) =>
        bids()
          .keyBy((b) => b.auction % 50)
          .window(tumbling(10_000))
          .aggregate(maxBy((b: Bid) => b.price), (top, w) => ({ key: w.key, end: w.end, price: top[0]?.price, n: top.length }))
          .to(out!)
          .plan(),
      1,
    );
  });

  it("q11-like: bids per bidder session (gap 2 s), with reduce", { timeout: TIMEOUT }, async () => {
    await expectSameAtAllParallelisms(
      ([out, sums]) => {
        const keyed = bids().keyBy((b) => b.bidder);
        keyed.window(session(2_000)).aggregate(count()).to(out!);
        return keyed
          .window(session(2_000))
          .reduce((a, b) => ({ ...a, price: a.price + b.price }))
          .map((r) => ({ key: r.key, start: r.start, end: r.end, total: r.value.price }))
          .to(sums!)
          .plan();
      },
      2,
    );
  });

  it("a keyed process function with value state and event-time timers", { timeout: TIMEOUT }, async () => {
    await expectSameAtAllParallelisms(
      ([out]) =>
        bids()
          .keyBy((b) => b.bidder)
          .process<{ key: number; at: number; bids: number; total: number }>({
            processElement(bid, ctx) {
              const n = ctx.state.value<number>("n");
              n.set((n.get() ?? 0) + 1);
              const total = ctx.state.list<number>("prices");
              total.add(bid.price);
              const deadline = ctx.state.value<number>("deadline");
              const previous = deadline.get();
              if (previous !== undefined) ctx.timers.deleteEventTime(previous);
              deadline.set(bid.dateTime + 3_000);
              ctx.timers.registerEventTime(bid.dateTime + 3_000);
            },
            onTimer(time, ctx) {
              const prices = ctx.state.list<number>("prices").get();
              ctx.emit({ key: ctx.key, at: time, bids: ctx.state.value<number>("n").get() ?? 0, total: prices.reduce((a, b) => a + b, 0) });
              ctx.state.list<number>("prices").clear();
              ctx.state.value<number>("deadline").clear();
            },
          })
          .to(out!)
          .plan(),
      1,
    );
  });

  it("allowed lateness re-fires windows and sends later records to the late side output", { timeout: TIMEOUT }, async () => {
    const late = new OutputTag<Bid>("late");
    const serial = await expectSameAtAllParallelisms(
      ([out, lateOut]) => {
        const counts = events()
          .filter((e): e is Bid => e.kind === "bid")
          .withTimestamps((b) => b.dateTime, { outOfOrderness: 0 })
          .keyBy((b) => b.auction % 20)
          .window(tumbling(2_000))
          .allowedLateness(1_500)
          .sideOutputLateData(late)
          .aggregate(count());
        counts.sideOutput(late).to(lateOut!);
        return counts.to(out!).plan();
      },
      2,
      (r) => (r as { key?: unknown; auction?: number }).key ?? (r as Bid).auction,
    );
    // The data set exercises both paths: late records and re-firings.
    expect(serial[1]!.length).toBeGreaterThan(0);
    expect(serial[0]!.some((r) => (r as { firing: string }).firing === "late")).toBe(true);
  });

  it("early firings (continuous event-time trigger) are updates of the same windows", { timeout: TIMEOUT }, async () => {
    const serial = await expectSameAtAllParallelisms(
      ([out]) =>
        bids()
          .keyBy((b) => b.auction % 10)
          .window(tumbling(10_000))
          .trigger(continuousEventTimeTrigger(1_000))
          .aggregate(aggregate({ create: () => 0, add: (acc: number, b: Bid) => acc + b.price, merge: (a, b) => a + b, result: (acc) => acc }))
          .to(out!)
          .plan(),
      1,
    );
    expect(serial[0]!.some((r) => (r as { firing: string }).firing === "early")).toBe(true);
  });

  it("routes each key to one worker by key group", () => {
    for (const key of ["a", 1, 2n, { id: 3 }, null]) {
      const group = keyGroupOf(key);
      expect(group).toBeGreaterThanOrEqual(0);
      expect(group).toBeLessThan(128);
      expect(keyGroupOf(structuredClone(key))).toBe(group);
    }
    // Contiguous ranges: workers own groups in order and every worker owns some.
    const owners = Array.from({ length: 128 }, (_, g) => workerOfGroup(g, 3));
    expect(owners).toEqual([...owners].sort((a, b) => a - b));
    expect(new Set(owners)).toEqual(new Set([0, 1, 2]));
  });
});

describe("shipping user functions", () => {
  it("captures: values and functions referred to by shipped functions", { timeout: TIMEOUT }, async () => {
    const threshold = 5_000_000;
    const label = (n: number) => (n > threshold ? "high" : "low");
    const build = ([out]: ReturnType<typeof collect<unknown>>[]) =>
      bids()
        .keyBy((b) => b.auction % 7)
        .window(tumbling(5_000))
        .aggregate(
          aggregate({ create: () => ({ high: 0, low: 0 }), add: (acc: { high: number; low: number }, b: Bid) => ({ ...acc, [label(b.price)]: acc[label(b.price)] + 1 }), merge: (a, b) => ({ high: a.high + b.high, low: a.low + b.low }), result: (acc) => acc }),
        )
        .to(out!)
        .plan();
    const serial = await runJob(build, 1, { parallelism: 1 });
    const parallel = await runJob(build, 1, { parallelism: 3, captures: { threshold, label } });
    expect(canonical(parallel[0]!, byKey)).toEqual(canonical(serial[0]!, byKey));
    expect(liveWorkerThreads()).toBe(0);
  });

  it("a free variable fails the start, naming the operator and the variable", { timeout: TIMEOUT }, async () => {
    const limit = 3;
    const out = collect<unknown>();
    const plan = from(fromArray([1, 2, 3]))
      .keyBy((n) => n % 2)
      .process<number>({
        processElement(n, ctx) {
          if (n < limit) ctx.emit(n);
        },
      }, "small numbers")
      .to(out)
      .plan();
    expect(() => start(plan, { parallelism: 2 })).toThrow(
      /operator "small numbers", the process function\.processElement refers to the variable limit, .*captures: \{ limit \}/,
    );
    // With the capture it runs, as parallelism 1 does without.
    const withCapture = start(plan, { parallelism: 2, captures: { limit } });
    await withCapture.done;
    expect([...out.records].sort()).toEqual([1, 2]);
    await start(plan, {}).done;
    expect([...out.records].sort()).toEqual([1, 1, 2, 2]);
  });

  it("bad options are refused at start", () => {
    const plan = from(fromArray([1])).keyBy((n) => n).window(tumbling(10)).aggregate(count()).to(collect()).plan();
    expect(() => start(plan, { parallelism: 0 })).toThrow("start: parallelism must be an integer from 1 to 128, got 0");
    expect(() => start(plan, { parallelism: 1.5 })).toThrow(/parallelism must be an integer/);
    expect(() => start(plan, { parallelism: 2, captures: [] as unknown as Record<string, unknown> })).toThrow(/captures must be an object/);
    expect(() => start(plan, { parallelism: 2, captures: { "not a name": 1 } })).toThrow(/capture "not a name" is not a usable variable name/);
    expect(() => start(plan, { parallelism: 2, captures: { s: Symbol("x") } })).toThrow(/capture s.*symbol/);
  });

  it("a user function that throws fails the job with the same message as parallelism 1", { timeout: TIMEOUT }, async () => {
    const build = () =>
      from(fromArray(Array.from({ length: 200 }, (_, i) => ({ k: i % 5, v: i, ts: i }))))
        .withTimestamps((r) => r.ts)
        .keyBy((r) => r.k)
        .window(tumbling(50))
        .aggregate(
          aggregate({
            create: () => 0,
            add: (acc: number, r: { v: number }) => {
              if (r.v === 137) throw new RangeError(`bad value ${r.v}`);
              return acc + r.v;
            },
            merge: (a, b) => a + b,
            result: (acc) => acc,
          }),
        )
        .to(collect())
        .plan();
    const failure = async (parallelism: number) => {
      const job = start(build(), { parallelism });
      const error = await job.done.then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(job.status).toBe("failed");
      return error;
    };
    const serial = await failure(1);
    const parallel = await failure(2);
    expect(serial?.message).toMatch(/^window tumbling\(50ms\) aggregate failed on record \{ k: 2, v: 137, ts: 137 \}: RangeError: bad value 137$/);
    expect(parallel?.name).toBe("UserFunctionError");
    expect(parallel?.message).toBe(serial?.message);
    expect(liveWorkerThreads()).toBe(0);
  });

  it("a global registered with registerWorkerGlobal ships as the worker's stand-in; unregistered, it is a free variable", { timeout: TIMEOUT }, async () => {
    const name = "__sluiceTestRuntime";
    const g = globalThis as Record<string, unknown>;
    g[name] = { where: "main" };
    try {
      const direct = ([out]: ReturnType<typeof collect<unknown>>[]) =>
        from(fromArray([1, 2, 3, 4]))
          .keyBy((n) => n % 2)
          .process<string>({
            processElement(n, ctx) {
              ctx.emit(`${n} ${__sluiceTestRuntime.where}`);
            },
          })
          .to(out!)
          .plan();
      expect(() => start(direct([collect()]), { parallelism: 2 })).toThrow(/refers to the variable __sluiceTestRuntime/);
      registerWorkerGlobal(name, () => Object.freeze({ where: "worker" }));
      expect((await runJob(direct, 1, { parallelism: 2 }))[0]!.slice().sort()).toEqual(["1 worker", "2 worker", "3 worker", "4 worker"]);
      expect((await runJob(direct, 1, { parallelism: 1 }))[0]!.slice().sort()).toEqual(["1 main", "2 main", "3 main", "4 main"]);
      expect(() => registerWorkerGlobal("not a name", () => 1)).toThrow('registerWorkerGlobal: "not a name" is not an identifier');
    } finally {
      delete g[name];
    }
    expect(liveWorkerThreads()).toBe(0);
  });

  it("functions compiled by TypeScript's transpileModule (as the kernel's evaluator does) still ship", { timeout: TIMEOUT }, async () => {
    const cell = `
      interface Row { k: string; v: number; ts: number }
      const weight = (r: Row): number => { let w = 0; for (let i = 0; i < 3; i++) w += r.v; return w; };
      export function build(lib: any, rows: Row[], out: any) {
        return lib.from(lib.fromArray(rows))
          .withTimestamps((r: Row) => r.ts)
          .keyBy((r: Row) => r.k)
          .window(lib.tumbling(10))
          .aggregate(lib.aggregate({
            create: (): number => 0,
            add: (acc: number, r: Row): number => acc + weight(r),
            merge: (a: number, b: number) => a + b,
            result: (acc: number) => acc,
          }))
          .to(out).plan();
      }
      export { weight };
    `;
    const js = ts.transpileModule(cell, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS } }).outputText;
    const exports: { build?: (...a: unknown[]) => Plan; weight?: unknown } = {};
    new Function("exports", js)(exports);
    const rows = Array.from({ length: 300 }, (_, i) => ({ k: `k${i % 4}`, v: i, ts: i }));
    const lib = { from, fromArray, tumbling, aggregate };
    const run = async (options: StartOptions) => {
      const out = collect<unknown>();
      await start(exports.build!(lib, rows, out), options).done;
      return [...out.records];
    };
    const serial = await run({});
    expect(() => start(exports.build!(lib, rows, collect()), { parallelism: 2 })).toThrow(/refers to the variable weight/);
    const parallel = await run({ parallelism: 2, captures: { weight: exports.weight } });
    expect(canonical(parallel, byKey)).toEqual(canonical(serial, byKey));
  });
});

describe("checkpoints and parallelism", () => {
  /** Two keyed operators (a window and a process function) on one source: what a checkpoint must carry. */
  const build = ([windows, processed]: ReturnType<typeof collect<unknown>>[]): Plan => {
    const keyed = bids(16_000).keyBy((b) => b.auction % 40);
    keyed.window(sliding(4_000, 1_000)).aggregate(count()).to(windows!);
    return keyed
      .process<{ key: number; at: number; n: number }>({
        processElement(b, ctx) {
          const n = ctx.state.value<number>("n");
          n.set((n.get() ?? 0) + 1);
          if (ctx.state.value<number>("armed").get() === undefined) {
            ctx.state.value<number>("armed").set(1);
            ctx.timers.registerEventTime(b.dateTime + 2_500);
          }
        },
        onTimer(time, ctx) {
          ctx.emit({ key: ctx.key as number, at: time, n: ctx.state.value<number>("n").get() ?? 0 });
          ctx.state.value<number>("armed").clear();
        },
      })
      .to(processed!)
      .plan();
  };

  /** Runs until about half the input was read, takes a savepoint, cancels; returns what was emitted up to it. */
  async function savepointHalfway(parallelism: number, storage: string): Promise<unknown[][]> {
    const sinks = [collect<unknown>(), collect<unknown>()];
    const job = start(build(sinks), { parallelism, checkpoint: { every: 1e12, storage } });
    while (job.metrics().recordsIn < 7_000 && job.status === "running") await new Promise<void>((r) => setImmediate(r));
    expect(job.status).toBe("running");
    let upTo: unknown[][] = [];
    await job.savepoint("half").then(() => {
      upTo = sinks.map((s) => [...s.records]);
    });
    await job.cancel();
    return upTo;
  }

  async function restoreFrom(parallelism: number, storage: string): Promise<unknown[][]> {
    const sinks = [collect<unknown>(), collect<unknown>()];
    const job = start(build(sinks), { parallelism, checkpoint: { every: 1e12, storage }, restore: { savepoint: "half" } });
    await job.done;
    return sinks.map((s) => [...s.records]);
  }

  it("a savepoint taken at parallelism 4 restores at 1 and 2, and one taken at 1 restores at 4, like an uninterrupted run", { timeout: 300_000 }, async () => {
    const whole = await runJob(build, 2, {});
    expect(whole[0]!.length).toBeGreaterThan(0);
    expect(whole[1]!.length).toBeGreaterThan(0);
    for (const [taken, restored] of [
      [4, 1],
      [4, 2],
      [1, 4],
    ] as const) {
      const storage = mkdtempSync(path.join(tmpdir(), "sluice-parallel-"));
      dirs.push(storage);
      const before = await savepointHalfway(taken, storage);
      const after = await restoreFrom(restored, storage);
      for (let s = 0; s < 2; s++) {
        expect(before[s]!.length, `sink ${s}: something before the savepoint`).toBeGreaterThan(0);
        expect(canonical([...before[s]!, ...after[s]!], byKey), `sink ${s}, ${taken} → ${restored}`).toEqual(canonical(whole[s]!, byKey));
      }
    }
    expect(liveWorkerThreads()).toBe(0);
  });
});

describe("incremental checkpoints and parallelism", () => {
  it("a chain of checkpoints (full, then deltas) written at parallelism 1 restores at parallelism 2", { timeout: 300_000 }, async () => {
    const build = ([out]: ReturnType<typeof collect<unknown>>[]): Plan =>
      bids(16_000).keyBy((b) => b.auction % 40).window(sliding(4_000, 1_000)).aggregate(count()).to(out!).plan();
    const whole = await runJob(build, 1, {});
    const storage = mkdtempSync(path.join(tmpdir(), "sluice-parallel-chain-"));
    dirs.push(storage);
    const sinks = [collect<unknown>()];
    const job = start(build(sinks), { checkpoint: { every: 1e12, storage } });
    let upTo: unknown[] = [];
    for (const after of [3_000, 6_000, 9_000]) {
      while (job.metrics().recordsIn < after && job.status === "running") await new Promise<void>((r) => setImmediate(r));
      await job.checkpoint().then(() => {
        upTo = [...sinks[0]!.records];
      });
    }
    await job.cancel();
    const stored = await new DirectoryCheckpointStore(storage).list();
    // The later checkpoints are deltas on the first (the directory store keeps chains).
    expect(stored.some((c) => c.parent !== undefined)).toBe(true);
    const restored = collect<unknown>();
    await start(build([restored]), { parallelism: 2, checkpoint: { every: 1e12, storage }, restore: "latest" }).done;
    expect(upTo.length).toBeGreaterThan(0);
    expect(canonical([...upTo, ...restored.records], byKey)).toEqual(canonical(whole[0]!, byKey));
    expect(liveWorkerThreads()).toBe(0);
  });
});

describe("operator state split by key group", () => {
  const valve = { channels: [{ watermark: 40, idle: false }, { watermark: 50, idle: false }], output: 40, idle: false };
  const state = {
    valve,
    extra: { common: { kinds: [["n", { kind: "value", ttl: Infinity }]] }, ids: [1, 2, 3, "sa", "sb", "sc"], entries: ["e1", "e2", "e3", "ea", "eb", "ec"] },
  };

  it("every key goes to exactly one worker (its key group's), and merging gives the state back", () => {
    const parts = splitState("op", state, 3) as { valve: { output: number; channels: unknown[] }; extra: { ids: (string | number)[]; entries: string[] } }[];
    expect(parts.flatMap((p) => p.extra.ids).sort()).toEqual([...state.extra.ids].sort());
    parts.forEach((p, w) => {
      // One input channel per worker, at the operator's combined watermark.
      expect(p.valve.output).toBe(40);
      expect(p.valve.channels).toHaveLength(1);
      for (const id of p.extra.ids) expect(workerOfGroup(keyGroupOf(typeof id === "number" ? id : id.slice(1)), 3)).toBe(w);
    });
    const merged = mergeStates("op", valve, parts) as typeof state;
    expect(merged.valve).toEqual(valve);
    expect(merged.extra.common).toEqual(state.extra.common);
    const pairs = (e: typeof state.extra) => e.ids.map((id, i) => `${id}=${e.entries[i]}`).sort();
    expect(pairs(merged.extra)).toEqual(pairs(state.extra));
  });

  it("state it does not know how to split is refused, not copied or dropped", () => {
    expect(() => splitState("op", { valve, extra: { ...state.extra, extraIndex: [1] } }, 2)).toThrow(
      "operator op: its state has fields parallel execution does not know how to split by key (extraIndex); run it with parallelism 1",
    );
    expect(() => splitState("op", { valve, extra: { something: 1 } }, 2)).toThrow(/does not know how to split by key/);
    expect(() => splitState("op", { delta: true, valve, common: null, ids: [], entries: [], deletes: [] }, 2)).toThrow(/not a full keyed-operator snapshot/);
  });
});

describe("worker threads' lifetime", () => {
  it("cancel terminates the workers", { timeout: TIMEOUT }, async () => {
    const job = start(bids(2_000_000).keyBy((b) => b.auction).window(sliding(10_000, 2_000)).aggregate(count()).to(collect()).plan(), { parallelism: 3 });
    while (job.metrics().recordsIn < 2_000) await new Promise<void>((r) => setImmediate(r));
    expect(liveWorkerThreads()).toBe(3);
    await job.cancel();
    expect(job.status).toBe("cancelled");
    expect(liveWorkerThreads()).toBe(0);
  });
});
