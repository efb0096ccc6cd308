/**
 * `createWireAdmin` (src/hbase/backends/wire/wire-admin.ts): the Table API's Admin over MasterService
 * and AdminService, through Sluice's wire connection, against the local endpoint on a real Apache
 * ZooKeeper, in both compat modes. Errors read as the embedded admin's.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../src/hbase/connect.js";
import type { Connection } from "../../src/hbase/table.js";
import { startLocalEndpoint } from "../../src/hbase/local-endpoint/index.js";
import { WireConnection } from "../../src/hbase/backends/wire/wire-connection.js";
import { createWireAdmin } from "../../src/hbase/backends/wire/wire-admin.js";
import { startZooKeeper, type ZooKeeperServer } from "../support/zookeeper.mjs";

const text = (u: Uint8Array) => new TextDecoder().decode(u);

let zk: ZooKeeperServer;
const cleanups: Array<() => Promise<void> | void> = [];
let rootSeq = 0;

beforeAll(async () => {
  zk = await startZooKeeper();
});
afterAll(async () => {
  await zk?.stop();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(compat: 1 | 2): Promise<{ store: Connection; wire: Connection }> {
  const dir = mkdtempSync(path.join(tmpdir(), "sluice-wire-admin-"));
  const store = await connect({ path: dir });
  cleanups.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const root = `/hbase-wire-admin-${process.pid}-${++rootSeq}`;
  const endpoint = await startLocalEndpoint({ connection: store, zookeeper: zk.connectString, root, compat });
  cleanups.push(() => endpoint.stop());
  const wire = await WireConnection.open({ zookeeper: zk.connectString, root }, createWireAdmin);
  cleanups.push(() => wire.close());
  return { store, wire };
}

describe.each([1, 2] as const)("createWireAdmin against the local endpoint (compat %i)", (compat) => {
  it("creates with options and split keys; describe round-trips families, regions and schema; list and exists", async () => {
    const { store, wire } = await setup(compat);
    const admin = wire.admin;
    const schema = { rowKey: "string", families: { d: { price: "double" } } } as const;
    const created = await admin.createTable("bids", {
      families: [{ name: "d", maxVersions: 3, minVersions: 1, ttlMs: 3_600_000 }, { name: "e", ttlMs: 1500 }, "f"],
      splitKeys: ["m", "f"],
      schema,
    });
    const expected = {
      table: { namespace: "default", name: "bids" },
      families: [
        { name: "d", maxVersions: 3, minVersions: 1, ttlMs: 3_600_000 },
        { name: "e", maxVersions: 1, minVersions: 0, ttlMs: 1500 },
        { name: "f", maxVersions: 1, minVersions: 0, ttlMs: Infinity },
      ],
      schema,
    };
    expect(created).toMatchObject(expected);
    expect(created.regions.map((r) => [text(r.startKey), text(r.endKey)])).toEqual([["", "f"], ["f", "m"], ["m", ""]]);
    // the store behind the endpoint has exactly that
    expect(await store.admin.describeTable("bids")).toEqual(await admin.describeTable("bids"));

    await store.admin.createTable("ns:other", { families: ["x"] });
    expect(await admin.listTables()).toEqual([
      { namespace: "default", name: "bids" },
      { namespace: "ns", name: "other" },
    ]);
    expect(await admin.listTables("ns")).toEqual([{ namespace: "ns", name: "other" }]);
    expect(await admin.tableExists("bids")).toBe(true);
    expect(await admin.tableExists("ns:other")).toBe(true);
    expect(await admin.tableExists("nope")).toBe(false);

    // rows through the wire table, on the regions created
    const bids = wire.table("bids");
    await bids.putMany(["a", "g", "z"].map((row) => ({ row, cells: [{ family: "d", qualifier: "p", value: row }] })));
    expect(await bids.count()).toBe(3);
  });

  it("errors read as the embedded admin's, and nothing is created by a refused call", async () => {
    const { store, wire } = await setup(compat);
    const admin = wire.admin;
    await admin.createTable("t", { families: ["d"] });
    await expect(admin.createTable("t", { families: ["d"] })).rejects.toThrow(/^table t already exists$/);
    await expect(admin.describeTable("nope")).rejects.toThrow(/^table nope not found$/);
    await expect(admin.deleteTable("nope")).rejects.toThrow(/^table nope not found$/);
    await expect(admin.truncateTable("nope")).rejects.toThrow(/^table nope not found$/);
    await expect(admin.splitRegion("nope", "a")).rejects.toThrow(/^table nope not found$/);
    await expect(admin.createTable("bad", { families: [] })).rejects.toThrow(/createTable bad: a table needs at least one column family/);
    await expect(admin.createTable("bad", { families: [{ name: "d", maxVersions: 0 }] })).rejects.toThrow(/maxVersions must be an integer ≥ 1, got 0/);
    await expect(admin.createTable("bad", { families: ["d", "d"] })).rejects.toThrow(/column family "d" is given twice/);
    await expect(admin.createTable("bad", { families: ["d"], splitKeys: ["a", "a"] })).rejects.toThrow(/duplicate split key a/);
    await expect(admin.createTable("bad", { families: ["d"], splitKeys: [""] })).rejects.toThrow(/a split key must not be empty/);
    await expect(admin.createTable("bad", { families: ["d"], splitKeys: [7 as unknown as string] })).rejects.toThrow(/split key \[0\] must be bytes/);
    await expect(admin.createTable("bad", { families: ["d"], schema: { rowKey: "string", families: { zz: { q: "double" } } } })).rejects.toThrow(/zz/);
    await expect(admin.createTable("bad name!", { families: ["d"] })).rejects.toThrow(/invalid table name/);
    expect(await store.admin.tableExists("bad")).toBe(false);
    await expect(admin.splitRegion("t", "")).rejects.toThrow(/splitRegion t: the split key must not be empty/);
    await admin.splitRegion("t", "k");
    await expect(admin.splitRegion("t", "k")).rejects.toThrow(/splitRegion t: k is already a region boundary/);
    await expect(admin.setSchema("t", { rowKey: "string", families: { nope: { q: "double" } } })).rejects.toThrow(/nope/);
    expect((await store.admin.describeTable("t")).schema).toBeUndefined();
  });

  it("truncate keeps splits and the table usable; delete; setSchema; compact; splitRegion while a wire scan runs", async () => {
    const { store, wire } = await setup(compat);
    const admin = wire.admin;
    await admin.createTable("t", { families: [{ name: "d", maxVersions: 1 }], splitKeys: ["r100"] });
    const t = wire.table("t");
    const rows = Array.from({ length: 200 }, (_, i) => `r${String(i).padStart(3, "0")}`);
    await t.putMany(rows.map((row) => ({ row, cells: [{ family: "d", qualifier: "q", value: row }] })));
    await t.putMany(rows.slice(0, 10).map((row) => ({ row, cells: [{ family: "d", qualifier: "q", value: `${row}-2` }] })));

    expect(await admin.compact("t")).toEqual({ rows: 0, removed: 0 });
    expect(await admin.compactionState("t")).toBe("none");

    // a wire scan reading while the table is split twice returns every row once
    const seen: string[] = [];
    let splits = 0;
    for await (const r of t.scan({ batchSize: 10 })) {
      seen.push(text(r.row));
      if (seen.length === 50 || seen.length === 120) {
        await admin.splitRegion("t", seen.length === 50 ? "r150" : "r050");
        splits++;
      }
    }
    expect(splits).toBe(2);
    expect(seen).toEqual(rows);
    const split = await admin.describeTable("t");
    expect(split.regions.map((r) => text(r.startKey))).toEqual(["", "r050", "r100", "r150"]);
    expect(await t.count()).toBe(200);
    expect(text((await t.get("r160"))!.cells[0]!.value)).toBe("r160");

    const described = await admin.setSchema("t", { rowKey: "string", families: { d: { q: "string" } } });
    expect(described.schema).toEqual({ rowKey: "string", families: { d: { q: "string" } } });
    expect((await store.admin.describeTable("t")).schema).toEqual(described.schema);
    expect((await admin.setSchema("t", undefined)).schema).toBeUndefined();

    await admin.truncateTable("t");
    expect(await t.count()).toBe(0);
    expect((await admin.describeTable("t")).regions.map((r) => text(r.startKey))).toEqual(["", "r050", "r100", "r150"]);
    await t.put({ row: "again", cells: [{ family: "d", qualifier: "q", value: "1" }] });
    expect(await t.count()).toBe(1);

    await admin.deleteTable("t");
    expect(await admin.tableExists("t")).toBe(false);
    expect(await store.admin.tableExists("t")).toBe(false);
    await expect(t.get("again")).rejects.toThrow(/table t not found/);
  });
});
