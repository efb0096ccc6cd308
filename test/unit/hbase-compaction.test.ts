import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connect } from "../../src/hbase/connect.js";
import { openStorageEngine } from "../../src/hbase/backends/embedded/open-storage-engine.js";
import type { StorageEngineKind } from "../../src/hbase/backends/embedded/storage-engine.js";
import type { Connection, Table } from "../../src/hbase/table.js";
import { decodeCellKey, tempDir, text } from "./hbase-embedded-support.js";

let dir: string;
let remove: () => Promise<void>;
let conn: Connection;
/** The storage engine of the describe block running (each test runs on both). */
let engine: StorageEngineKind = "lmdb";

beforeEach(async () => {
  ({ dir, remove } = await tempDir());
});
afterEach(async () => {
  await conn.close();
  await remove();
});

/** Every stored data entry of the directory, read with a fresh handle of its storage engine (the connection closed). */
async function storedEntries(): Promise<string[]> {
  await conn.close();
  const db = await openStorageEngine(dir);
  expect(db.kind).toBe(engine);
  const out: string[] = [];
  try {
    for (const [key] of await db.iterator({ gte: Uint8Array.of(0x01), lt: Uint8Array.of(0x02) }).all()) {
      const k = decodeCellKey(key);
      out.push(`${text(k.row)}/${text(k.family)}:${text(k.qualifier)}@${k.timestamp}/${k.type}`);
    }
  } finally {
    await db.close();
  }
  conn = await connect({ path: dir, engine });
  return out;
}

const cellsOf = async (t: Table, row: string, maxVersions = 10) =>
  ((await t.get(row, { maxVersions }))?.cells ?? []).map((c) => `${text(c.qualifier)}@${c.timestamp}=${text(c.value)}`);

describe.each(["lmdb", "leveldb"] as const)("compaction on %s", (kind) => {
  beforeEach(async () => {
    engine = kind;
    conn = await connect({ path: dir, engine });
  });

  it("removes versions beyond maxVersions, expired cells, deleted cells and past markers — and nothing visible", async () => {
    const now = Date.now();
    await conn.admin.createTable("t", { families: [{ name: "d", maxVersions: 2 }, { name: "e", ttlMs: 60_000, minVersions: 1 }] });
    const t = conn.table("t");
    for (const ts of [1, 2, 3]) await t.put({ row: "v", timestamp: ts, cells: [{ family: "d", qualifier: "q", value: `v${ts}` }] });
    // TTL: two expired versions, the newest kept by minVersions; one fresh cell.
    await t.put({ row: "x", timestamp: now - 120_000, cells: [{ family: "e", qualifier: "old", value: "a" }] });
    await t.put({ row: "x", timestamp: now - 100_000, cells: [{ family: "e", qualifier: "old", value: "b" }] });
    await t.put({ row: "x", timestamp: now, cells: [{ family: "e", qualifier: "new", value: "c" }] });
    // Deletes: a column deleted up to 5, one surviving newer version.
    for (const ts of [4, 5, 6]) await t.put({ row: "y", timestamp: ts, cells: [{ family: "d", qualifier: "q", value: `y${ts}` }] });
    await t.delete({ row: "y", family: "d", qualifier: "q", timestamp: 5 });
    // A whole row deleted.
    await t.put({ row: "z", timestamp: 7, cells: [{ family: "d", qualifier: "q", value: "z" }] });
    await t.delete({ row: "z", timestamp: 8 });

    const before = { v: await cellsOf(t, "v"), x: await cellsOf(t, "x"), y: await cellsOf(t, "y"), z: await cellsOf(t, "z") };
    expect(before).toEqual({ v: ["q@3=v3", "q@2=v2"], x: ["new@" + now + "=c", "old@" + (now - 100_000) + "=b"], y: ["q@6=y6"], z: [] });
    expect(await storedEntries()).toHaveLength(3 + 3 + 4 + 3);

    const stats = await conn.admin.compact("t");
    expect(stats).toEqual({ rows: 4, removed: 1 + 1 + 3 + 3 });
    const t2 = conn.table("t");
    expect({ v: await cellsOf(t2, "v"), x: await cellsOf(t2, "x"), y: await cellsOf(t2, "y"), z: await cellsOf(t2, "z") }).toEqual(before);
    expect(await storedEntries()).toEqual([
      "v/d:q@3/put",
      "v/d:q@2/put",
      `x/e:new@${now}/put`,
      `x/e:old@${now - 100_000}/put`,
      "y/d:q@6/put",
    ]);
    // A second compaction finds nothing left to remove.
    expect(await conn.admin.compact("t")).toEqual({ rows: 3, removed: 0 });
  });

  it("follows HBase after a marker is compacted away: a later put with an older timestamp shows again", async () => {
    await conn.admin.createTable("t", { families: ["d"] });
    const t = conn.table("t");
    await t.put({ row: "r", timestamp: 10, cells: [{ family: "d", qualifier: "q", value: "a" }] });
    await t.delete({ row: "r", timestamp: 20 });
    await t.put({ row: "r", timestamp: 15, cells: [{ family: "d", qualifier: "q", value: "late" }] });
    expect(await cellsOf(t, "r")).toEqual([]);
    await conn.admin.compact("t");
    await t.put({ row: "r", timestamp: 15, cells: [{ family: "d", qualifier: "q", value: "after" }] });
    expect(await cellsOf(t, "r")).toEqual(["q@15=after"]);
  });

  it("keeps delete markers from the future, which still hide later writes", async () => {
    await conn.admin.createTable("t", { families: ["d"] });
    const future = Date.now() + 3_600_000;
    await conn.table("t").delete({ row: "r", timestamp: future });
    await conn.admin.compact("t");
    expect(await storedEntries()).toEqual([`r/d:@${future}/deleteFamily`]);
    const t = conn.table("t");
    await t.put({ row: "r", cells: [{ family: "d", qualifier: "q", value: "hidden" }] });
    expect(await cellsOf(t, "r")).toEqual([]);
  });

  it("never removes a write that lands while it runs", async () => {
    await conn.admin.createTable("t", { families: ["d"] });
    const t = conn.table("t");
    const rows = Array.from({ length: 2_000 }, (_, i) => `r${String(i).padStart(5, "0")}`);
    for (const ts of [1, 2]) await t.putMany(rows.map((row) => ({ row, timestamp: ts, cells: [{ family: "d", qualifier: "q", value: `old${ts}` }] })));
    const compaction = conn.admin.compact("t");
    // Concurrent writes of fresh versions and new rows while the compaction walks the table.
    const writes = rows.map((row, i) =>
      t.put({ row: i % 2 === 0 ? row : `${row}-new`, timestamp: 3, cells: [{ family: "d", qualifier: "q", value: "new" }] }),
    );
    await Promise.all([compaction, ...writes]);
    for (const [i, row] of rows.entries()) {
      expect(await cellsOf(t, row)).toEqual([i % 2 === 0 ? "q@3=new" : "q@2=old2"]);
      if (i % 2 === 1) expect(await cellsOf(t, `${row}-new`)).toEqual(["q@3=new"]);
    }
  });

  it("runs on its own once a table has taken enough writes", async () => {
    await conn.admin.createTable("t", { families: ["d"] });
    const t = conn.table("t");
    // Ten versions of 25,000 cells: 250,000 entries, past the default threshold of 200,000.
    const rows = Array.from({ length: 25_000 }, (_, i) => `r${i}`);
    for (let ts = 1; ts <= 10; ts++) {
      await t.putMany(rows.map((row) => ({ row, timestamp: ts, cells: [{ family: "d", qualifier: "q", value: "x" }] })));
    }
    // It runs in the background (close would stop it): wait until it is done.
    while ((await conn.admin.compactionState("t")) === "major") await new Promise((r) => setTimeout(r, 20));
    const stored = await storedEntries();
    expect(stored.length).toBeLessThan(250_000);
    expect(stored.filter((e) => e.endsWith("@1/put"))).toHaveLength(0);
    expect(await conn.table("t").count()).toBe(25_000);
  });

  it("names an unknown table", async () => {
    await expect(conn.admin.compact("nope")).rejects.toThrow("table nope not found");
    await expect(conn.admin.compactionState("nope")).rejects.toThrow("table nope not found");
  });

  it("stops early when the store closes, leaving every visible cell", async () => {
    await conn.admin.createTable("t", { families: ["d"] });
    const rows = Array.from({ length: 5_000 }, (_, i) => `r${i}`);
    for (const ts of [1, 2]) {
      await conn.table("t").putMany(rows.map((row) => ({ row, timestamp: ts, cells: [{ family: "d", qualifier: "q", value: `v${ts}` }] })));
    }
    const compaction = conn.admin.compact("t");
    await conn.close();
    const stats = await compaction;
    expect(stats.rows).toBeLessThan(5_000);
    conn = await connect({ path: dir, engine });
    let n = 0;
    for await (const r of conn.table("t").scan()) {
      expect(text(r.cells[0]!.value)).toBe("v2");
      n++;
    }
    expect(n).toBe(5_000);
  });
});
