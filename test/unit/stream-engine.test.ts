/**
 * The engine end to end: builder → physical plan → job, with a controlled clock so that watermarks
 * advance between records (batchSize 1, a tick every round). Expected values are computed by hand from
 * the rules in ../shared/reference/stream-semantics.md (rule numbers in the test names).
 */
import { describe, expect, it } from "vitest";
import { collect, from, OutputTag, UserFunctionError } from "../../src/stream/index.js";
import type { DataStream, Job, WindowResult } from "../../src/stream/index.js";
import { fromArray } from "../../src/stream/sources/from-array.js";
import { continuousEventTimeTrigger, countTrigger, globalWindows, session, sliding, tumbling } from "../../src/stream/windowing/index.js";
import { count, sum } from "../../src/stream/aggregates/index.js";
import { startJob } from "../../src/stream/runtime/job-runner.js";
import type { Source } from "../../src/stream/sources/source.js";

interface Ev {
  key: string;
  ts: number;
  n?: number;
}

/** A clock that moves 1 s per reading: every round of the job ticks (watermarks after each record). */
function steppingClock(): { now: () => number } {
  let t = 1_000_000;
  return { now: () => (t += 1_000) };
}

/** Runs the stream to completion with one record per round; returns the collected records. */
async function run<T>(stream: DataStream<T>, options: { batchSize?: number } = {}): Promise<T[]> {
  const out = collect<T>();
  const pipeline = stream.to(out);
  const job = startJob(pipeline.plan(), { batchSize: options.batchSize ?? 1, watermarkInterval: 1 }, steppingClock());
  await job.done;
  expect(job.status).toBe("finished");
  return [...out.records];
}

const events = (...evs: [string, number, number?][]): Ev[] => evs.map(([key, ts, n]) => ({ key, ts, n }));
const brief = (r: WindowResult<string, number>) => `${r.key}[${r.start},${r.end})=${r.value}${r.firing === "onTime" ? "" : ` ${r.firing}`}`;

describe("stateless operators", () => {
  it("map, filter and flatMap run in order and the job finishes at the end of input", async () => {
    const out = await run(
      from(fromArray([1, 2, 3, 4]))
        .map((x) => x * 10)
        .filter((x) => x !== 20)
        .flatMap((x) => [x, x + 1]),
      { batchSize: 3 },
    );
    expect(out).toEqual([10, 11, 30, 31, 40, 41]);
  });

  it("start() runs the job in the background and reports metrics", async () => {
    const out = collect<number>();
    const job: Job = from(fromArray([1, 2, 3])).map((x) => x + 1, "plus one").to(out).start({ name: "tiny" });
    expect(job.name).toBe("tiny");
    expect(job.status).toBe("running");
    await job.done;
    expect(out.records).toEqual([2, 3, 4]);
    const m = job.metrics();
    expect(m.status).toBe("finished");
    expect(m.recordsIn).toBe(3);
    expect(m.recordsOut).toBe(3);
    expect(m.operators.find((o) => o.name === "plus one")).toMatchObject({ recordsIn: 3, recordsOut: 3 });
  });
});

describe("event-time windows", () => {
  it("rule 4/11: tumbling windows fire when the watermark passes their end; end of input flushes the rest", async () => {
    const out = await run(
      from(fromArray(events(["a", 1], ["a", 9], ["b", 10], ["a", 10], ["a", 25], ["b", 19])))
        .withTimestamps((e) => e.ts, { outOfOrderness: 10 })
        .keyBy((e) => e.key)
        .window(tumbling(10))
        .aggregate(count()),
    );
    // wm = max − 10 − 1: after ts 25 → 14: [0,10) fires for a. b's 19 arrives in time (window [10,20) still open).
    expect(out.map(brief)).toEqual(["a[0,10)=2", "b[10,20)=2", "a[10,20)=1", "a[20,30)=1"]);
  });

  it("rule 5: sliding windows assign each record to size/slide windows", async () => {
    const out = await run(
      from(fromArray(events(["k", 7])))
        .withTimestamps((e) => e.ts)
        .keyBy((e) => e.key)
        .window(sliding(10, 5))
        .aggregate(count()),
    );
    expect(out.map(brief)).toEqual(["k[0,10)=1", "k[5,15)=1"]);
  });

  it("rule 10: a late record within the allowed lateness re-fires its window; past it, it goes to the late side output", async () => {
    const late = new OutputTag<Ev>("late");
    const results = from(fromArray(events(["a", 1], ["a", 12], ["a", 3], ["a", 16], ["a", 4])))
      .withTimestamps((e) => e.ts)
      .keyBy((e) => e.key)
      .window(tumbling(10))
      .allowedLateness(5)
      .sideOutputLateData(late)
      .aggregate(count());
    const lateOut = collect<Ev>();
    results.sideOutput(late).to(lateOut);
    const out = await run(results);
    // ts 12 → wm 11: [0,10) fires (1). ts 3: 9 + 5 > 11, added, fires again at once (2, late).
    // ts 16 → wm 15 ≥ 14: [0,10) is freed. ts 4: its window is gone (9 + 5 ≤ 15) and 4 + 5 ≤ 15: late output.
    expect(out.map(brief)).toEqual(["a[0,10)=1", "a[0,10)=2 late", "a[10,20)=2"]);
    expect(lateOut.records.map((e) => e.ts)).toEqual([4]);
  });

  it("rule 10: without a late side output, late records are dropped and counted", async () => {
    const out = collect<WindowResult<string, number>>();
    const job = startJob(
      from(fromArray(events(["a", 1], ["a", 12], ["a", 2])))
        .withTimestamps((e) => e.ts)
        .keyBy((e) => e.key)
        .window(tumbling(10))
        .aggregate(count())
        .to(out)
        .plan(),
      { batchSize: 1, watermarkInterval: 1 },
      steppingClock(),
    );
    await job.done;
    expect(out.records.map(brief)).toEqual(["a[0,10)=1", "a[10,20)=1"]);
    expect(job.metrics().operators.find((o) => o.kind === "window")?.lateRecordsDropped).toBe(1);
  });

  it("rule 6: a late record bridges two sessions, and their accumulators merge", async () => {
    const out = await run(
      from(fromArray(events(["u", 0, 1], ["u", 20, 2], ["u", 10, 4], ["v", 0, 8])))
        .withTimestamps((e) => e.ts, { outOfOrderness: 100 })
        .keyBy((e) => e.key)
        .window(session(10))
        .aggregate(sum((e: Ev) => e.n ?? 0)),
    );
    expect(out.map(brief).sort()).toEqual(["u[0,30)=7", "v[0,10)=8"]);
  });

  it("rule 6: records exactly gap apart merge, gap + 1 apart do not", async () => {
    const out = await run(
      from(fromArray(events(["u", 0], ["u", 10], ["w", 0], ["w", 11])))
        .withTimestamps((e) => e.ts, { outOfOrderness: 100 })
        .keyBy((e) => e.key)
        .window(session(10))
        .aggregate(count()),
    );
    expect(out.map(brief).sort()).toEqual(["u[0,20)=2", "w[0,10)=1", "w[11,21)=1"]);
  });

  it("rule 9: a continuous trigger emits early updates of the same window, then the final result", async () => {
    const out = await run(
      from(fromArray(events(["a", 0], ["a", 3], ["a", 6], ["a", 12])))
        .withTimestamps((e) => e.ts)
        .keyBy((e) => e.key)
        .window(tumbling(10))
        .trigger(continuousEventTimeTrigger(5))
        .aggregate(count()),
    );
    // ts 0 schedules an early firing at 5; ts 6 → wm 5: early firing with 3 records. ts 12 → wm 11: on time
    // (the next early time, min(10, 9) = 9, is the end timer itself). At the end of input (wm +∞),
    // [10,20) fires at its early time 15, then on time at 19 — as Flink's trigger does.
    expect(out.map(brief)).toEqual(["a[0,10)=3 early", "a[0,10)=3", "a[10,20)=1 early", "a[10,20)=1"]);
  });
});

describe("watermarks across inputs", () => {
  it("rule 2: a union's watermark is the minimum of its inputs", async () => {
    const fast = from(fromArray(events(["a", 1], ["a", 50], ["a", 60])))
      .withTimestamps((e) => e.ts);
    const slow = from(fromArray(events(["a", 2])))
      .withTimestamps((e) => e.ts);
    const results = fast
      .union(slow)
      .keyBy((e) => e.key)
      .window(tumbling(10))
      .aggregate(count());
    const out = await run(results);
    // Nothing may fire before the slow input's end: [0,10) holds 1 and 2 when it fires.
    expect(out.map(brief)).toEqual(["a[0,10)=2", "a[50,60)=1", "a[60,70)=1"]);
  });
});

/** An unbounded source with no records at all (a quiet partition). */
function quiet<T>(): Source<T> {
  return {
    description: "quiet",
    bounded: false,
    splits: async () => [{ id: "quiet" }],
    open: async () => ({ poll: async () => ({ records: [], status: "idle" as const }), position: () => 0, close: async () => {} }),
  };
}

describe("idleness", () => {
  it("rule 2: an idle input is left out of the minimum, so windows still fire", async () => {
    const withIdle = (idleness: number | undefined) => {
      const busy = from(fromArray(events(["a", 1], ["a", 30]))).withTimestamps((e) => e.ts);
      const silent = from(quiet<Ev>()).withTimestamps((e) => e.ts, idleness === undefined ? {} : { idleness });
      const out = collect<WindowResult<string, number>>();
      const job = startJob(busy.union(silent).keyBy((e) => e.key).window(tumbling(10)).aggregate(count()).to(out).plan(), { batchSize: 1, watermarkInterval: 1 }, steppingClock());
      return { out, job };
    };
    const idle = withIdle(5_000);
    while (idle.out.records.length === 0) await new Promise((r) => setTimeout(r, 5));
    await idle.job.stop();
    expect(idle.job.status).toBe("stopped");
    // The busy input ended (+∞), the quiet one went idle: every window fired.
    expect(idle.out.records.map(brief)).toEqual(["a[0,10)=1", "a[30,40)=1"]);

    // Without idleness the quiet input holds the watermark back: nothing fires.
    const held = withIdle(undefined);
    await new Promise((r) => setTimeout(r, 200));
    await held.job.stop();
    expect(held.out.records).toEqual([]);
    expect(held.job.metrics().operators.find((o) => o.kind === "window")?.watermark).toBe(-Infinity);
  });
});

describe("global windows", () => {
  it("rule 7: never fire without a trigger; with a count trigger, every n records", async () => {
    const input = () => from(fromArray(events(["a", 1], ["a", 2], ["a", 3], ["a", 4], ["a", 5]))).withTimestamps((e) => e.ts).keyBy((e) => e.key);
    expect(await run(input().window(globalWindows()).aggregate(count()))).toEqual([]);
    const fired = await run(input().window(globalWindows()).trigger(countTrigger(2)).aggregate(count()));
    expect(fired.map((r) => r.value)).toEqual([2, 4]);
  });
});

describe("bad input", () => {
  it("a throwing user function fails the job with an error naming the operator and the record", async () => {
    const out = collect<number>();
    const job = from(fromArray([1, 2, 3]))
      .map((x) => {
        if (x === 2) throw new Error("two is not allowed");
        return x;
      }, "picky map")
      .to(out)
      .start();
    await expect(job.done).rejects.toThrow(UserFunctionError);
    await expect(job.done).rejects.toThrow("picky map failed on record 2: Error: two is not allowed");
    expect(job.status).toBe("failed");
    expect(job.error).toBeInstanceOf(UserFunctionError);
  });

  it("records without a valid timestamp fail the job, or are dropped, or go to a side output", async () => {
    const bad = [{ key: "a", ts: 1 }, { key: "a", ts: Number.NaN }, { key: "a", ts: 2.5 }];
    const failing = from(fromArray(bad)).withTimestamps((e) => e.ts).to(collect()).start();
    await expect(failing.done).rejects.toThrow("the timestamp must be a finite integer (ms), got NaN");

    const dropped = await run(from(fromArray(bad)).withTimestamps((e) => e.ts, { onInvalid: "drop" }));
    expect(dropped.map((e) => e.ts)).toEqual([1]);

    const stamped = from(fromArray(bad)).withTimestamps((e) => e.ts, { onInvalid: "sideOutput" });
    const invalid = collect<Ev>();
    stamped.invalidTimestamps().to(invalid);
    const good = await run(stamped);
    expect(good.map((e) => e.ts)).toEqual([1]);
    expect(invalid.records.map((e) => e.ts)).toEqual([Number.NaN, 2.5]);
  });

  it("event-time windows without timestamps fail clearly", async () => {
    const job = from(fromArray(events(["a", 1])))
      .keyBy((e) => e.key)
      .window(tumbling(10))
      .aggregate(count())
      .to(collect())
      .start();
    await expect(job.done).rejects.toThrow("event-time windows need record timestamps: call withTimestamps(...)");
  });

  it("invalid options are refused at build time", () => {
    const s = from(fromArray(events(["a", 1])));
    expect(() => s.withTimestamps((e) => e.ts, { outOfOrderness: -1 })).toThrow("outOfOrderness must be a non-negative integer");
    expect(() => s.map(42 as unknown as (x: Ev) => Ev)).toThrow("map() takes a function, got number");
    expect(() => s.keyBy((e) => e.key).window(tumbling(10)).allowedLateness(-5)).toThrow("allowedLateness must be a non-negative integer");
    expect(() => from({} as unknown as Source<number>)).toThrow("from() takes a source");
  });
});
