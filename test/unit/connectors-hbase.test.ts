import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connect } from "../../src/hbase/connect.js";
import type { Connection } from "../../src/hbase/table.js";
import { codecs } from "../../src/hbase/bytes/value-codecs.js";
import { collect, from } from "../../src/stream/index.js";
import { tumbling } from "../../src/stream/windowing/index.js";
import { sum } from "../../src/stream/aggregates/index.js";
import { hbaseScan } from "../../src/connectors/hbase-scan-source.js";
import { hbaseSink } from "../../src/connectors/hbase-sink.js";
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
