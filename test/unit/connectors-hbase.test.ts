import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connect } from "../../src/hbase/connect.js";
import type { Connection } from "../../src/hbase/table.js";
import { codecs } from "../../src/hbase/bytes/value-codecs.js";
import { collect, from } from "../../src/stream/index.js";
import { tumbling } from "../../src/stream/windowing/index.js";
import { sum } from "../../src/stream/aggregates/index.js";
import { hbaseScan } from "../../src/connectors/hbase-scan-source.js";
import { hbaseSink } from "../../src/connectors/hbase-sink.js";
import { hbaseTail } from "../../src/connectors/hbase-tail-source.js";
import { tempDir, text } from "./hbase-embedded-support.js";

let remove: () => Promise<void>;
let conn: Connection;

beforeEach(async () => {
  let dir: string;
  ({ dir, remove } = await tempDir());
  conn = await connect({ path: dir });
});
afterEach(async () => {
  await conn.close();
  await remove();
});

/** bids: row "a<auction>/<seq>", d:price (double), d:ts (int64); three regions. */
async function bids(): Promise<void> {
  await conn.admin.createTable("bids", { families: ["d"], splitKeys: ["a2", "a3"] });
  const rows = [];
  for (const auction of [1, 2, 3]) {
    for (let seq = 0; seq < 4; seq++) {
      rows.push({
        row: `a${auction}/${seq}`,
        cells: [
          { family: "d", qualifier: "price", value: codecs.double.encode(auction * 10 + seq) },
          { family: "d", qualifier: "ts", value: codecs.int64.encode(seq * 5_000) },
        ],
      });
    }
  }
  await conn.table("bids").putMany(rows);
}

describe("hbaseScan source", () => {
  it("has one split per region the scan touches, and reads every row once", async () => {
    await bids();
    const source = hbaseScan(conn.table("bids"), { map: (r) => text(r.row) });
    expect((await source.splits()).map((s) => s.id)).toEqual(["region-", "region-6132", "region-6133"]);
    expect((await hbaseScan(conn.table("bids"), { prefix: "a2" }).splits()).length).toBe(1);
    const out = collect<string>();
    await from(source).to(out).start().done;
    expect([...out.records].sort()).toEqual(["a1/0", "a1/1", "a1/2", "a1/3", "a2/0", "a2/1", "a2/2", "a2/3", "a3/0", "a3/1", "a3/2", "a3/3"]);
  });

  it("resumes a split after the last row read (its position)", async () => {
    await bids();
    const source = hbaseScan(conn.table("bids"), { map: (r) => text(r.row) });
    const [first] = await source.splits();
    const reader = await source.open(first!);
    expect((await reader.poll(2)).records).toEqual(["a1/0", "a1/1"]);
    const position = reader.position();
    await reader.close();
    const resumed = await source.open(first!, position);
    expect(await resumed.poll(10)).toEqual({ records: ["a1/2", "a1/3"], status: "end" });
    await expect(source.open(first!, "not hex")).rejects.toThrow("a split position is the hex of the last row read");
  });
});

describe("hbaseSink", () => {
  it("a windowed job from one table into another: sums per auction and 10 s window", async () => {
    await bids();
    await conn.admin.createTable("sums", { families: ["s"] });
    const job = from(
      hbaseScan(conn.table("bids"), {
        map: (r) => ({ auction: text(r.row).split("/")[0]!, price: r.get("d:price", "double")!, ts: Number(r.get("d:ts", "int64")) }),
      }),
    )
      .withTimestamps((b) => b.ts)
      .keyBy((b) => b.auction)
      .window(tumbling(10_000))
      .aggregate(sum((b: { price: number }) => b.price))
      .to(
        hbaseSink(conn.table("sums"), {
          toMutation: (w) => ({
            row: `${w.key}/${w.start}`,
            timestamp: w.end - 1,
            cells: [{ family: "s", qualifier: "total", value: codecs.double.encode(w.value) }],
          }),
        }),
      )
      .start();
    await job.done;
    const written: Record<string, number> = {};
    for await (const r of conn.table("sums").scan()) {
      written[text(r.row)] = r.get("s:total", "double")!;
      expect(r.cells[0]!.timestamp % 10_000).toBe(9_999);
    }
    // Records at 0, 5 s, 10 s, 15 s per auction: [0,10) holds seq 0 and 1, [10,20) seq 2 and 3.
    expect(written).toEqual({ "a1/0": 10 + 11, "a1/10000": 12 + 13, "a2/0": 20 + 21, "a2/10000": 22 + 23, "a3/0": 30 + 31, "a3/10000": 32 + 33 });
  });

  it("refuses a sink without toMutation", () => {
    expect(() => hbaseSink(conn.table("x"), {} as never)).toThrow("hbaseSink() needs options { toMutation: (record) => put }");
  });
});

describe("hbaseTail source", () => {
  async function table() {
    await conn.admin.createTable("events", { families: [{ name: "d", maxVersions: 5 }], splitKeys: ["m"] });
    return conn.table("events");
  }
  const put = (row: string, ts: number, value = `${row}@${ts}`) => ({ row, timestamp: ts, cells: [{ family: "d", qualifier: "v", value }] });
  const cellsOf = (r: { row: Uint8Array; cells: readonly { value: Uint8Array; timestamp: number }[] }) => r.cells.map((c) => text(c.value));

  it("reads the cells of consecutive time ranges [from, now − lag), region by region, each once", async () => {
    const t = await table();
    let now = 150;
    const source = hbaseTail(t, { from: 0, pollIntervalMs: 1, safetyLagMs: 10, now: () => now, map: (r) => cellsOf(r).join(",") });
    const splits = await source.splits();
    expect(splits.map((s) => s.id)).toEqual(["region-", "region-6d"]);
    const readers = await Promise.all(splits.map((s) => source.open(s)));
    const pollAll = async () => {
      const out: string[] = [];
      for (const r of readers) for (let b = await r.poll(100); b.records.length > 0 || b.status === "more"; b = await r.poll(100)) out.push(...(b.records as string[]));
      return out;
    };
    await t.putMany([put("a", 100), put("z", 100), put("b", 139), put("c", 140)]);
    // [0, 140): a, b (region 1) and z (region 2); c at exactly 140 waits for the next range.
    expect(await pollAll()).toEqual(["a@100", "b@139", "z@100"]);
    expect(await pollAll()).toEqual([]);
    now = 300;
    await t.putMany([put("a", 200), put("y", 289), put("x", 290)]);
    // [140, 290): c@140, the new version a@200 (only it: a@100 was read before), y@289; x at 290 waits.
    expect(await pollAll()).toEqual(["a@200", "c@140", "y@289"]);
    now = 1_000;
    expect(await pollAll()).toEqual(["x@290"]);
    await Promise.all(readers.map((r) => r.close()));
  });

  it("restores from a position in the middle of a range without repeating or skipping rows", async () => {
    const t = await table();
    await t.putMany(["a", "b", "c", "d"].map((r) => put(r, 50)));
    const now = 1_000;
    const source = hbaseTail(t, { from: 0, pollIntervalMs: 1, safetyLagMs: 0, now: () => now, map: (r) => text(r.row) });
    const [first] = await source.splits();
    const reader = await source.open(first!);
    expect((await reader.poll(2)).records).toEqual(["a", "b"]);
    const position = reader.position();
    expect(position).toEqual({ from: 0, to: 1_000, after: Buffer.from("b").toString("hex") });
    await reader.close();
    const resumed = await source.open(first!, position);
    expect((await resumed.poll(10)).records).toEqual(["c", "d"]);
    expect((await resumed.poll(10)).records).toEqual([]);
    expect(resumed.position()).toEqual({ from: 1_000, to: null, after: null });
    await resumed.close();
    await expect(source.open(first!, { from: "x" } as never)).rejects.toThrow("a split position is { from, to, after }");
    expect(() => hbaseTail(t, { safetyLagMs: -1 })).toThrow("hbaseTail: safetyLagMs must be a non-negative integer (ms), got -1");
  });

  it("feeds a running job with cells as they are written", async () => {
    const t = await table();
    const out = collect<string>();
    const job = from(hbaseTail(t, { pollIntervalMs: 10, safetyLagMs: 0, map: (r) => text(r.row) })).to(out).start();
    // Written after the job started (the default `from`), with server timestamps.
    await new Promise((r) => setTimeout(r, 30));
    await t.put(put("row-1", Date.now() + 5));
    await t.put(put("zzz-2", Date.now() + 5));
    while (out.records.length < 2) await new Promise((r) => setTimeout(r, 10));
    await job.stop();
    expect([...out.records].sort()).toEqual(["row-1", "zzz-2"]);
    expect(job.status).toBe("stopped");
  });
});
