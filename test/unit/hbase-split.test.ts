import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connect } from "../../src/hbase/connect.js";
import type { Connection, Table } from "../../src/hbase/table.js";
import { tempDir, text } from "./hbase-embedded-support.js";

let dir: string;
let remove: () => Promise<void>;
let conn: Connection;

beforeEach(async () => {
  ({ dir, remove } = await tempDir());
  conn = await connect({ path: dir });
});
afterEach(async () => {
  await conn.close();
  await remove();
});

const rowNames = Array.from({ length: 300 }, (_, i) => `r${String(i).padStart(3, "0")}`);

async function filled(splitKeys: string[] = []): Promise<Table> {
  await conn.admin.createTable("t", { families: [{ name: "d", maxVersions: 2 }], splitKeys });
  const t = conn.table("t");
  await t.putMany(rowNames.map((row) => ({ row, cells: [{ family: "d", qualifier: "q", value: row }] })));
  return t;
}

async function bounds(table = "t"): Promise<string[][]> {
  const d = await conn.admin.describeTable(table);
  return d.regions.map((r) => [text(r.startKey), text(r.endKey)]);
}

describe("admin.splitRegion (embedded)", () => {
  it("adds the key as a region boundary, keeps the families and every row", async () => {
    const t = await filled(["r200"]);
    const d = await conn.admin.splitRegion("t", "r100");
    expect(d.regions.map((r) => [text(r.startKey), text(r.endKey)])).toEqual([["", "r100"], ["r100", "r200"], ["r200", ""]]);
    expect(d.families).toEqual([{ name: "d", maxVersions: 2, minVersions: 0, ttlMs: Infinity }]);
    expect(await bounds()).toEqual(d.regions.map((r) => [text(r.startKey), text(r.endKey)]));
    const rows: string[] = [];
    for await (const r of t.scan()) rows.push(text(r.row));
    expect(rows).toEqual(rowNames);
    const parts = await t.splitScan();
    expect(parts.map((p) => text(p.region.startKey))).toEqual(["", "r100", "r200"]);
    await conn.admin.splitRegion("t", new Uint8Array([0x72, 0x30])); // "r0": splits the first region
    expect((await bounds()).map((b) => b[0])).toEqual(["", "r0", "r100", "r200"]);
  });

  it("is durable: the boundaries survive a reopen", async () => {
    await filled();
    await conn.admin.splitRegion("t", "r150");
    await conn.close();
    conn = await connect({ path: dir });
    expect(await bounds()).toEqual([["", "r150"], ["r150", ""]]);
    expect(await conn.table("t").count()).toBe(rowNames.length);
  });

  it("rejects empty keys, existing boundaries, non-bytes and unknown tables, changing nothing", async () => {
    await filled(["r100"]);
    await expect(conn.admin.splitRegion("t", "")).rejects.toThrow(/splitRegion t: the split key must not be empty/);
    await expect(conn.admin.splitRegion("t", "r100")).rejects.toThrow(/r100 is already a region boundary/);
    await expect(conn.admin.splitRegion("t", 42 as unknown as string)).rejects.toThrow(/must be bytes \(Uint8Array\) or a string, got number/);
    await expect(conn.admin.splitRegion("nope", "a")).rejects.toThrow(/table nope not found/);
    expect(await bounds()).toEqual([["", "r100"], ["r100", ""]]);
    await conn.close();
    conn = await connect({ path: dir });
    expect(await bounds()).toEqual([["", "r100"], ["r100", ""]]);
  });

  it("scans and splitScan parts running during splits return every row exactly once", async () => {
    const t = await filled(["r150"]);
    const seen: string[] = [];
    const reversedSeen: string[] = [];
    const forward = t.scan({ batchSize: 7 })[Symbol.asyncIterator]();
    const backward = t.scan({ batchSize: 5, reversed: true })[Symbol.asyncIterator]();
    const parts = await t.splitScan();
    let i = 0;
    const splitAt = ["r010", "r149", "r151", "r299", "r075", "r225"];
    for (;;) {
      const a = await forward.next();
      const b = await backward.next();
      if (a.done && b.done) break;
      if (!a.done) seen.push(text(a.value.row));
      if (!b.done) reversedSeen.push(text(b.value.row));
      if (++i % 40 === 0 && splitAt.length > 0) await conn.admin.splitRegion("t", splitAt.shift()!);
    }
    expect(splitAt).toEqual([]);
    expect(seen).toEqual(rowNames);
    expect(reversedSeen).toEqual([...rowNames].reverse());
    // parts handed out before the splits still cover every row once
    const fromParts: string[] = [];
    for (const p of parts) for await (const r of t.scan(p.scan)) fromParts.push(text(r.row));
    expect(fromParts).toEqual(rowNames);
    expect((await bounds()).length).toBe(8);
  });

  it("splits while writers run: nothing written is lost", async () => {
    await conn.admin.createTable("w", { families: ["d"] });
    const w = conn.table("w");
    const writes = Array.from({ length: 20 }, (_, b) =>
      w.putMany(Array.from({ length: 50 }, (_, k) => ({ row: `k${String(b * 50 + k).padStart(4, "0")}`, cells: [{ family: "d", qualifier: "q", value: "v" }] }))),
    );
    const splits = ["k0100", "k0500", "k0900"].map((k) => conn.admin.splitRegion("w", k));
    await Promise.all([...writes, ...splits]);
    expect(await w.count()).toBe(1000);
    expect((await bounds("w")).map((b) => b[0])).toEqual(["", "k0100", "k0500", "k0900"]);
  });
});
