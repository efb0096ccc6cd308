/**
 * The window operator's path for aligned windows (tumbling, sliding): windows computed by arithmetic,
 * timers bucketed by time, no trigger call per element for the plain event-time trigger. Pinned against
 * the general path (the same assigner hidden behind a plain object, so the operator cannot see its
 * layout) on random out-of-order data with allowed lateness, late side outputs and early triggers.
 */
import { describe, expect, it } from "vitest";
import { collect, from, OutputTag } from "../../src/stream/index.js";
import type { DataStream, WindowResult } from "../../src/stream/index.js";
import { fromArray } from "../../src/stream/sources/from-array.js";
import { count, maxBy, sum } from "../../src/stream/aggregates/index.js";
import { startJob } from "../../src/stream/runtime/job-runner.js";
import { TimeBuckets, TimeQueue } from "../../src/stream/runtime/timer-heap.js";
import { alignedLayout } from "../../src/stream/windowing/aligned-layout.js";
import { continuousEventTimeTrigger, session, sliding, tumbling } from "../../src/stream/windowing/index.js";
import type { Trigger, WindowAssigner } from "../../src/stream/windowing/index.js";
import { seededRandom } from "../support/seeded-random.mjs";

interface Ev {
  key: string;
  ts: number;
  n: number;
}

/** Events over a few keys, mostly increasing timestamps (some negative), a fifth of them up to 70 ms late. */
function randomEvents(seed: number, n: number): Ev[] {
  const rnd = seededRandom(seed);
  const out: Ev[] = [];
  let t = -60;
  for (let i = 0; i < n; i++) {
    t += Math.floor(rnd() * 4);
    const late = rnd() < 0.2 ? Math.floor(rnd() * 70) : 0;
    out.push({ key: `k${Math.floor(rnd() * 5)}`, ts: t - late, n: Math.floor(rnd() * 10) });
  }
  return out;
}

/** The same windows, but an assigner the operator cannot recognise as aligned (the general path). */
function opaque(inner: WindowAssigner): WindowAssigner {
  return {
    description: `opaque ${inner.description}`,
    domain: inner.domain,
    assignWindows: (ts) => inner.assignWindows(ts),
    defaultTrigger: () => inner.defaultTrigger(),
  };
}

interface Setup {
  assigner: WindowAssigner;
  lateness: number;
  trigger?: Trigger;
  outOfOrderness: number;
}

/** Runs one windowed count-and-sum over `events`; returns the results (sorted) and the late records. */
async function runWindows(events: readonly Ev[], setup: Setup): Promise<{ results: string[]; late: number[] }> {
  const lateTag = new OutputTag<Ev>("late");
  let windowed = from(fromArray([...events]))
    .withTimestamps((e) => e.ts, { outOfOrderness: setup.outOfOrderness })
    .keyBy((e) => e.key)
    .window(setup.assigner)
    .allowedLateness(setup.lateness)
    .sideOutputLateData(lateTag);
  if (setup.trigger !== undefined) windowed = windowed.trigger(setup.trigger);
  const results: DataStream<WindowResult<string, number>> = windowed.aggregate(sum((e: Ev) => e.n));
  const out = collect<WindowResult<string, number>>();
  const lateOut = collect<Ev>();
  results.sideOutput(lateTag).to(lateOut);
  let t = 1_000_000;
  const job = startJob(results.to(out).plan(), { batchSize: 3, watermarkInterval: 1 }, { now: () => (t += 1_000) });
  await job.done;
  expect(job.status).toBe("finished");
  return {
    // Firings at the same time may come in another key order; each (key, window)'s own sequence is kept.
    results: out.records.map((r) => `${r.key} [${r.start},${r.end}) ${r.firing}`).map((line, i) => `${line} ${out.records[i]!.value}`).sort(),
    late: lateOut.records.map((e) => e.ts),
  };
}

describe("aligned windows: the fast path equals the general one", () => {
  it("tumbling and sliding assigners expose their layout; sessions do not", () => {
    expect(alignedLayout(sliding(10, 4, { offset: 1 }))).toEqual({ size: 10, slide: 4, offset: 1 });
    expect(alignedLayout(tumbling(7))).toEqual({ size: 7, slide: 7, offset: 0 });
    expect(alignedLayout(session(5))).toBeUndefined();
    expect(alignedLayout(opaque(sliding(10, 5)))).toBeUndefined();
  });

  const setups: [string, () => Setup][] = [
    ["sliding 20/5, no lateness", () => ({ assigner: sliding(20, 5), lateness: 0, outOfOrderness: 10 })],
    ["sliding 20/5, lateness 15", () => ({ assigner: sliding(20, 5), lateness: 15, outOfOrderness: 10 })],
    ["sliding 12/5 offset 3, lateness 7", () => ({ assigner: sliding(12, 5, { offset: 3 }), lateness: 7, outOfOrderness: 5 })],
    ["sliding 5/8 (gaps), lateness 4", () => ({ assigner: sliding(5, 8), lateness: 4, outOfOrderness: 3 })],
    ["tumbling 10, lateness 20", () => ({ assigner: tumbling(10), lateness: 20, outOfOrderness: 0 })],
    ["sliding 30/10, early triggers, lateness 10", () => ({ assigner: sliding(30, 10), lateness: 10, outOfOrderness: 5, trigger: continuousEventTimeTrigger(4) })],
  ];
  for (const [name, setup] of setups) {
    it(`${name}: same firings and late records on random out-of-order data`, async () => {
      let late = 0;
      for (const seed of [1, 2, 3]) {
        const events = randomEvents(seed, 400);
        const fast = await runWindows(events, setup());
        const s = setup();
        const general = await runWindows(events, { ...s, assigner: opaque(s.assigner) });
        expect(fast.results.length).toBeGreaterThan(0);
        expect(fast).toEqual(general);
        late += fast.late.length;
      }
      expect(late).toBeGreaterThan(0);
    }, 60_000);
  }

  it("q5's shape (sliding counts, then the top per window end) gives the same tops", async () => {
    const q5 = async (assigner: WindowAssigner): Promise<string[]> => {
      const out = collect<string>();
      const stream = from(fromArray(randomEvents(7, 600)))
        .withTimestamps((e) => e.ts, { outOfOrderness: 20 })
        .keyBy((e) => e.key)
        .window(assigner)
        .aggregate(count(), (n, w) => ({ key: w.key, n, end: w.end }))
        .keyBy((r) => r.end)
        .window(tumbling(5))
        .aggregate(maxBy((r: { key: string; n: number; end: number }) => r.n), (top, w) => `${w.start} ${top[0]!.n} ${top.map((r) => r.key).sort().join(",")}`);
      const job = startJob(stream.to(out).plan(), { batchSize: 4, watermarkInterval: 1 }, { now: () => 0 });
      await job.done;
      return [...out.records].sort();
    };
    const fast = await q5(sliding(25, 5));
    expect(fast.length).toBeGreaterThan(10);
    expect(fast).toEqual(await q5(opaque(sliding(25, 5))));
  }, 60_000);
});

describe("TimeBuckets", () => {
  it("pops in time order like the heap, items of one time in push order, also when pushed while draining", () => {
    const rnd = seededRandom(11);
    const buckets = new TimeBuckets<number>();
    const heap = new TimeQueue<number>();
    const fromBuckets: [number, number][] = [];
    const pushedAt: number[] = [];
    let next = 0;
    for (let round = 0; round < 2_000; round++) {
      const r = rnd();
      if (r < 0.55) {
        const time = Math.floor(rnd() * 12);
        buckets.push(time, next);
        heap.push(time, next);
        pushedAt.push(time);
        next++;
      } else {
        expect(buckets.size).toBe(heap.size);
        expect(buckets.peekTime()).toBe(heap.peekTime());
        const time = buckets.peekTime();
        const item = buckets.pop();
        heap.pop();
        if (item !== undefined) fromBuckets.push([time, item]);
      }
    }
    while (heap.size > 0) heap.pop();
    expect(buckets.size).toBeGreaterThan(0);
    while (buckets.size > 0) {
      const time = buckets.peekTime();
      fromBuckets.push([time, buckets.pop()!]);
    }
    expect(buckets.pop()).toBeUndefined();
    expect(buckets.peekTime()).toBe(Infinity);
    // Each item popped exactly once, at its own time; items of one time in push order.
    expect(fromBuckets.map(([, item]) => item).sort((a, b) => a - b)).toEqual(Array.from({ length: next }, (_, i) => i));
    for (const [time, item] of fromBuckets) expect(time).toBe(pushedAt[item]);
    for (let time = 0; time < 12; time++) {
      const items = fromBuckets.filter(([t]) => t === time).map(([, item]) => item);
      expect(items).toEqual([...items].sort((a, b) => a - b));
    }
  });

  it("keeps push order within a time and pops earlier times pushed mid-drain first", () => {
    const q = new TimeBuckets<string>();
    q.push(5, "a");
    q.push(3, "b");
    q.push(5, "c");
    expect(q.pop()).toBe("b");
    expect(q.pop()).toBe("a");
    q.push(5, "d"); // while 5 is being drained
    q.push(4, "e"); // earlier than the bucket being drained
    expect(q.peekTime()).toBe(4);
    expect([q.pop(), q.pop(), q.pop()]).toEqual(["e", "c", "d"]);
    expect(q.size).toBe(0);
  });
});
