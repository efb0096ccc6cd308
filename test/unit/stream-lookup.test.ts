/** Lookup joins: order kept, watermarks held back, bounded concurrency, LRU cache, retries; HBase lookups. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collect, from } from "../../src/stream/index.js";
import type { DataStream, LookupFunction, WindowResult } from "../../src/stream/index.js";
import { fromArray } from "../../src/stream/sources/from-array.js";
import { tumbling } from "../../src/stream/windowing/index.js";
import { count } from "../../src/stream/aggregates/index.js";
import { startJob } from "../../src/stream/runtime/job-runner.js";
import { connect } from "../../src/hbase/connect.js";
import type { Connection } from "../../src/hbase/table.js";
import { hbaseLookup } from "../../src/connectors/hbase-lookup.js";
import { tempDir, text } from "./hbase-embedded-support.js";

/** A lookup with per-key delays, recording calls and the concurrency it saw. */
function slowLookup(values: Record<string, string>, delay: (key: string) => number, failFirst = 0) {
  const calls: string[] = [];
  let running = 0;
  let maxRunning = 0;
  let failures = failFirst;
  const fn: LookupFunction<string, string> = {
    description: "test",
    async lookup(key) {
      calls.push(key);
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((r) => setTimeout(r, delay(key)));
      running--;
      if (failures > 0) {
        failures--;
        throw new Error("flaky");
      }
      return values[key];
    },
  };
  return { fn, calls, maxConcurrency: () => maxRunning };
}

async function run<T>(stream: DataStream<T>, batchSize = 100): Promise<T[]> {
  const out = collect<T>();
  let t = 0;
  const job = startJob(stream.to(out).plan(), { batchSize, watermarkInterval: 1 }, { now: () => (t += 1_000) });
  await job.done;
  return [...out.records];
}

describe("lookupJoin", () => {
  it("keeps the records' order whatever order lookups finish in, and drops what join drops", async () => {
    const { fn, maxConcurrency } = slowLookup({ a: "A", b: "B", c: "C" }, (k) => (k === "a" ? 30 : 1));
    const out = await run(
      from(fromArray(["a", "b", "x", "c", "a"])).lookupJoin(fn, {
        key: (k) => k,
        join: (k, v) => (v === undefined ? undefined : `${k}=${v}`),
        maxConcurrency: 2,
      }),
    );
    expect(out).toEqual(["a=A", "b=B", "c=C", "a=A"]);
    expect(maxConcurrency()).toBeLessThanOrEqual(2);
  });

  it("holds watermarks back until the lookups of earlier records are done, so windows count them", async () => {
    const { fn } = slowLookup({ k: "K" }, () => 20);
    const windows = from(fromArray([{ ts: 1 }, { ts: 2 }, { ts: 15 }, { ts: 30 }]))
      .withTimestamps((e) => e.ts)
      .lookupJoin(fn, { key: () => "k", join: (e, v) => ({ ...e, v }) })
      .keyBy((e) => e.v ?? "none")
      .window(tumbling(10))
      .aggregate(count());
    // All records in one round: the tick emits watermark 29 while their lookups are still running.
    const out = (await run(windows, 100)) as WindowResult<string, number>[];
    expect(out.map((w) => `${w.key}[${w.start},${w.end})=${w.value}`)).toEqual(["K[0,10)=2", "K[10,20)=1", "K[30,40)=1"]);
  });

  it("caches values (and missing keys) in an LRU cache, and looks each key up once while in flight", async () => {
    const { fn, calls } = slowLookup({ a: "A" }, () => 1);
    const out = await run(
      from(fromArray(["a", "a", "b", "a", "b", "b"])).lookupJoin(fn, { key: (k) => k, join: (k, v) => `${k}:${v ?? "-"}`, cache: { maxRows: 10 } }),
      2,
    );
    expect(out).toEqual(["a:A", "a:A", "b:-", "a:A", "b:-", "b:-"]);
    expect(calls).toEqual(["a", "b"]);
  });

  it("retries a failing lookup, then fails the job naming the operator, the record and the key", async () => {
    const flaky = slowLookup({ a: "A" }, () => 1, 2);
    expect(await run(from(fromArray(["a"])).lookupJoin(flaky.fn, { key: (k) => k, join: (k, v) => `${k}${v}`, retries: 2 }))).toEqual(["aA"]);
    const broken = slowLookup({}, () => 1, 10);
    const job = from(fromArray(["a"])).lookupJoin(broken.fn, { key: (k) => k, join: (k) => k, retries: 1 }).to(collect()).start();
    await expect(job.done).rejects.toThrow(/lookup test failed on record 'a': Error: lookup of key a in test failed after 2 attempts: flaky/);
    expect(() => from(fromArray(["a"])).lookupJoin(broken.fn, { key: (k) => k, join: (k) => k, cache: { maxRows: 0 } })).toThrow(
      "lookupJoin: cache.maxRows must be a positive integer, got 0",
    );
  });
});

describe("hbaseLookup", () => {
  let conn: Connection;
  let remove: () => Promise<void>;
  beforeEach(async () => {
    let dir: string;
    ({ dir, remove } = await tempDir());
    conn = await connect({ path: dir });
  });
  afterEach(async () => {
    await conn.close();
    await remove();
  });

  it("enriches records with rows of a table", async () => {
    await conn.admin.createTable("people", { families: ["d"] });
    await conn.table("people").putMany([
      { row: "p1", cells: [{ family: "d", qualifier: "name", value: "Ada" }] },
      { row: "p2", cells: [{ family: "d", qualifier: "name", value: "Grace" }] },
    ]);
    const names = hbaseLookup(conn.table("people"), { map: (r) => text(r.cells[0]!.value) });
    const out = await run(
      from(fromArray([{ bidder: "p2" }, { bidder: "p9" }, { bidder: "p1" }])).lookupJoin(names, {
        key: (b) => b.bidder,
        join: (b, name) => `${b.bidder} ${name ?? "?"}`,
        cache: { maxRows: 100, expireAfterWriteMs: 60_000 },
      }),
    );
    expect(out).toEqual(["p2 Grace", "p9 ?", "p1 Ada"]);
  });
});
