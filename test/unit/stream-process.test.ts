/** Keyed process functions: keyed state (rule 13: TTL), timers, side outputs. */
import { describe, expect, it } from "vitest";
import { collect, from, OutputTag } from "../../src/stream/index.js";
import type { DataStream } from "../../src/stream/index.js";
import { fromArray } from "../../src/stream/sources/from-array.js";
import { startJob } from "../../src/stream/runtime/job-runner.js";
import { KeyedStateStore } from "../../src/stream/runtime/keyed-state.js";

interface Ev {
  key: string;
  ts: number;
}
const evs = (...xs: [string, number][]): Ev[] => xs.map(([key, ts]) => ({ key, ts }));

function steppingClock(): { now: () => number } {
  let t = 1_000_000;
  return { now: () => (t += 1_000) };
}

async function run<T>(stream: DataStream<T>): Promise<T[]> {
  const out = collect<T>();
  const job = startJob(stream.to(out).plan(), { batchSize: 1, watermarkInterval: 1 }, steppingClock());
  await job.done;
  return [...out.records];
}

describe("keyed process functions", () => {
  it("keep value state per key and emit", async () => {
    const out = await run(
      from(fromArray(evs(["a", 1], ["b", 2], ["a", 3], ["a", 4], ["b", 5])))
        .keyBy((e) => e.key)
        .process<string>({
          processElement(e, ctx) {
            const n = ctx.state.value<number>("n");
            n.set((n.get() ?? 0) + 1);
            ctx.emit(`${ctx.key}:${n.get()}`);
          },
        }),
    );
    expect(out).toEqual(["a:1", "b:1", "a:2", "a:3", "b:2"]);
  });

  it("fire event-time timers when the watermark reaches them, before it is forwarded", async () => {
    // A key that sees no record for 10 ms of event time times out (the latest timer replaces the earlier).
    const out = await run(
      from(fromArray(evs(["a", 0], ["b", 1], ["a", 5], ["b", 30], ["a", 40])))
        .withTimestamps((e) => e.ts)
        .keyBy((e) => e.key)
        .process<string>({
          processElement(e, ctx) {
            const last = ctx.state.value<number>("deadline");
            const previous = last.get();
            if (previous !== undefined) ctx.timers.deleteEventTime(previous);
            last.set(e.ts + 10);
            ctx.timers.registerEventTime(e.ts + 10);
          },
          onTimer(time, ctx) {
            ctx.emit(`${ctx.key} timed out at ${time} (${ctx.domain}, timestamp ${ctx.timestamp})`);
            ctx.state.value<number>("deadline").clear();
          },
        }),
    );
    // b's record at 30 arrives before the watermark reaches 11, so it replaces b's timer 11 with 40.
    // wm after ts 30 = 29: a's timer 15 fires; at the end (+∞) b's 40 and a's 50, in time order.
    expect(out).toEqual([
      "a timed out at 15 (event, timestamp 15)",
      "b timed out at 40 (event, timestamp 40)",
      "a timed out at 50 (event, timestamp 50)",
    ]);
  });

  it("send records to side outputs", async () => {
    const odd = new OutputTag<number>("odd");
    const evens = from(fromArray([1, 2, 3, 4, 5]))
      .keyBy((n) => n % 2)
      .process<number>({
        processElement(n, ctx) {
          if (n % 2 === 0) ctx.emit(n);
          else ctx.output(odd, n);
        },
      });
    const odds = collect<number>();
    evens.sideOutput(odd).to(odds);
    expect(await run(evens)).toEqual([2, 4]);
    expect(odds.records).toEqual([1, 3, 5]);
  });

  it("fail the job naming the operator when the function throws, or a state is used as another kind", async () => {
    const job = from(fromArray(evs(["a", 1])))
      .keyBy((e) => e.key)
      .process(
        {
          processElement(_e, ctx) {
            ctx.state.value("s").set(1);
            ctx.state.list("s").add(2);
          },
        },
        "mixed state",
      )
      .to(collect())
      .start();
    await expect(job.done).rejects.toThrow(/mixed state failed on record .*state "s" is a value state, not a list state/);
    expect(() => from(fromArray([1])).keyBy((x) => x).process({} as never)).toThrow("process() takes an object with processElement");
  });
});

describe("keyed state TTL (rule 13)", () => {
  function store() {
    let now = 0;
    const s = new KeyedStateStore(() => now);
    return { s, at: (t: number) => void (now = t) };
  }

  it("expires a value ttl ms after its last write; reads do not refresh it", () => {
    const { s, at } = store();
    const v = s.access("k").value<string>("v", { ttl: 100 });
    at(0);
    v.set("x");
    at(99);
    expect(v.get()).toBe("x");
    at(100);
    expect(v.get()).toBeUndefined();
    at(150);
    v.set("y"); // written again: live for another 100 ms
    at(200);
    expect(v.get()).toBe("y");
    at(249);
    expect(v.get()).toBe("y");
    at(250);
    expect(v.get()).toBeUndefined();
    expect(s.keyCount).toBe(0);
  });

  it("expires list elements and map entries one by one", () => {
    const { s, at } = store();
    const list = s.access("k").list<number>("l", { ttl: 10 });
    const map = s.access("k").map<string, number>("m", { ttl: 10 });
    at(0);
    list.add(1);
    map.set("a", 1);
    at(5);
    list.add(2);
    map.set("b", 2);
    at(10);
    expect(list.get()).toEqual([2]);
    expect(map.entries()).toEqual([["b", 2]]);
    expect(map.has("a")).toBe(false);
    at(15);
    expect(list.get()).toEqual([]);
    expect(map.get("b")).toBeUndefined();
  });

  it("keeps state of different keys apart, and refuses a bad ttl", () => {
    const { s } = store();
    s.access("a").value<number>("n").set(1);
    expect(s.access("b").value<number>("n").get()).toBeUndefined();
    expect(s.access("a").value<number>("n").get()).toBe(1);
    expect(() => s.access("a").value("t", { ttl: 0 })).toThrow('state "t": ttl must be a positive integer (ms), got 0');
  });
});
