/**
 * The local endpoint's admin side against a real Apache ZooKeeper: MasterService (table admin as
 * HBase 2.x's master) and AdminService (region split, info, compaction) through Sluice's RpcConnection,
 * and hbase-rpc-client (compat 1) on a table split while it runs: mput/mget/mdelete, checkAndDelete,
 * gets, scans and puts across the daughters.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import type net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../src/hbase/connect.js";
import type { Connection } from "../../src/hbase/table.js";
import { startLocalEndpoint, type LocalEndpoint } from "../../src/hbase/local-endpoint/index.js";
import { HBaseRemoteError } from "../../src/hbase/wire/errors.js";
import {
  CompactionStateValue,
  MutationType,
  ProcedureState,
  RegionSpecifierType,
  TableStateValue,
  type ColumnFamilySchema,
  type RegionInfo,
} from "../../src/hbase/wire/hbase-protos.js";
import { decodeRegionInfoCell, META_REGION_NAME, metaSearchKey, metaStopKey, regionNameOf } from "../../src/hbase/wire/meta-row.js";
import { RpcConnection } from "../../src/hbase/wire/rpc-connection.js";
import { familyFromWire, familyToWire, tableSchemaToWire } from "../../src/hbase/local-endpoint/table-schema-wire.js";
import { startZooKeeper, type ZooKeeperServer } from "../support/zookeeper.mjs";

const require = createRequire(import.meta.url);

// hbase-rpc-client, typed for what is used here
interface TheirRow {
  row: Buffer;
  cols: Record<string, { value: Buffer }>;
}
type Callback<T> = (err: unknown, res: T) => void;
interface TheirScanner {
  setReversed(reversed?: boolean): TheirScanner;
  toArray(cb: Callback<TheirRow[]>): void;
}
interface TheirClient {
  put(table: string, put: unknown, cb: Callback<unknown>): void;
  get(table: string, get: unknown, cb: Callback<TheirRow | null>): void;
  mput(table: string, rows: Array<Record<string, string>>, cb: Callback<unknown[]>): void;
  mget(table: string, rows: string[], cb: Callback<Array<TheirRow | null>>): void;
  mdelete(table: string, rows: string[], cb: Callback<unknown[]>): void;
  checkAndDelete(table: string, row: string, cf: string, q: string, value: string, del: unknown, cb: Callback<{ processed: boolean }>): void;
  getScanner(table: string, startRow?: string, stopRow?: string): TheirScanner;
  on(event: "error", listener: (err: unknown) => void): void;
  zk: { close(): void };
  servers: Record<string, { socket?: net.Socket }>;
}
interface TheirModule {
  (options: Record<string, unknown>): TheirClient;
  Put: new (row: string) => { add(cf: string, q: string, value: string | Buffer, ts?: number): void };
  Get: new (row: string) => { addColumn(cf: string, q?: string): void };
  Delete: new (row: string) => { deleteColumns(cf: string, q: string): void; deleteFamily(cf: string): void };
}
const hbase = require("hbase-rpc-client") as TheirModule;

function call<T>(fn: (cb: Callback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, res) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res))));
}

const enc = new TextEncoder();
const b = (s: string) => enc.encode(s);
const text = (u: Uint8Array | undefined) => new TextDecoder().decode(u ?? new Uint8Array());
const tn = (name: string) => ({ namespace: b("default"), qualifier: b(name) });

let zk: ZooKeeperServer;
const cleanups: Array<() => Promise<void> | void> = [];
let rootSeq = 0;

beforeAll(async () => {
  zk = await startZooKeeper();
});
afterAll(async () => {
  await zk?.stop();
});
afterEach(async (context) => {
  for (const c of cleanups.splice(0).reverse()) await c();
  if (context.task.result?.state === "fail" && zk) console.error(`ZooKeeper output (last 4 KiB):\n${zk.output().slice(-4096)}`);
});

async function setup(compat: 1 | 2, create = true): Promise<{ store: Connection; endpoint: LocalEndpoint; root: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), "sluice-endpoint-master-"));
  const store = await connect({ path: dir });
  cleanups.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  if (create) await store.admin.createTable("t", { families: ["d", "e"], splitKeys: [b("m")] });
  const root = `/hbase-master-${process.pid}-${++rootSeq}`;
  const endpoint = await startLocalEndpoint({ connection: store, zookeeper: zk.connectString, root, compat });
  cleanups.push(() => endpoint.stop());
  return { store, endpoint, root };
}

function theirClient(root: string): TheirClient {
  const client = hbase({ zookeeperHosts: [zk.connectString], zookeeperRoot: root, rpcTimeout: 10_000, callTimeout: 5_000, tcpNoDelay: true });
  client.on("error", () => undefined);
  cleanups.push(() => {
    client.zk.close();
    for (const s of Object.values(client.servers)) s.socket?.destroy();
  });
  return client;
}

async function open<S extends "ClientService" | "MasterService" | "AdminService">(endpoint: LocalEndpoint, service: S): Promise<RpcConnection<S>> {
  const c = await RpcConnection.connect({ host: endpoint.host, port: endpoint.port, service, callTimeoutMs: 20_000 });
  cleanups.push(() => c.close());
  return c;
}

async function rejection(p: Promise<unknown>): Promise<HBaseRemoteError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HBaseRemoteError);
  return error as HBaseRemoteError;
}

/** hbase:meta's regions of a table, as a 2.x client reads them (a forward scan of its meta rows). */
async function metaRegions(client: RpcConnection<"ClientService">, table: string): Promise<RegionInfo[]> {
  const r = await client.call("Scan", {
    region: { type: RegionSpecifierType.REGION_NAME, value: META_REGION_NAME },
    scan: { start_row: b(`${table},`), stop_row: b(`${table},~`), column: [{ family: b("info") }] },
    number_of_rows: 1000,
    close_scanner: true,
  });
  return (r.results ?? []).map((res) => decodeRegionInfoCell(res.cell!.find((c) => text(c.qualifier) === "regioninfo")!.value!));
}

/** The region of `table` holding `row`, by the 2.x reversed meta scan. */
async function locate(client: RpcConnection<"ClientService">, table: string, row: string): Promise<RegionInfo> {
  const r = await client.call("Scan", {
    region: { type: RegionSpecifierType.REGION_NAME, value: META_REGION_NAME },
    scan: { start_row: metaSearchKey(table, b(row)), stop_row: metaStopKey(table), reversed: true, column: [{ family: b("info") }] },
    number_of_rows: 1,
    close_scanner: true,
  });
  return decodeRegionInfoCell(r.results![0]!.cell!.find((c) => text(c.qualifier) === "regioninfo")!.value!);
}

function spec(info: RegionInfo) {
  return { type: RegionSpecifierType.REGION_NAME, value: regionNameOf(info) };
}

describe("table schemas on the wire", () => {
  it("family options travel as HBase's attributes: VERSIONS, MIN_VERSIONS, TTL in seconds (FOREVER = 2147483647)", () => {
    const attrs = (f: ColumnFamilySchema) => Object.fromEntries((f.attributes ?? []).map((p) => [text(p.first), text(p.second)]));
    expect(attrs(familyToWire({ name: "d", maxVersions: 3, minVersions: 1, ttlMs: 86_400_000 }))).toEqual({ VERSIONS: "3", MIN_VERSIONS: "1", TTL: "86400" });
    expect(attrs(familyToWire({ name: "d", maxVersions: 1, minVersions: 0, ttlMs: Infinity }))).toEqual({ VERSIONS: "1", MIN_VERSIONS: "0", TTL: "2147483647" });
    expect(attrs(familyToWire({ name: "d", maxVersions: 1, minVersions: 0, ttlMs: 1500 }))).toEqual({ VERSIONS: "1", MIN_VERSIONS: "0", TTL: "2", SLUICE_TTL_MS: "1500" });
    expect(familyFromWire(familyToWire({ name: "d", maxVersions: 1, minVersions: 0, ttlMs: 1500 }))).toEqual({ name: "d", maxVersions: 1, minVersions: 0, ttlMs: 1500 });
    expect(familyFromWire({ name: b("x"), attributes: [{ first: b("TTL"), second: b("60") }, { first: b("BLOOMFILTER"), second: b("ROW") }] })).toEqual({ name: "x", ttlMs: 60_000 });
    expect(() => familyFromWire({ name: b("x"), attributes: [{ first: b("VERSIONS"), second: b("three") }] })).toThrow(/attribute VERSIONS must be an integer, got "three"/);
  });
});

describe("MasterService", () => {
  it("creates a table with family options, split keys and a typed schema; describes, lists and reports its state", async () => {
    const { store, endpoint } = await setup(2, false);
    const master = await open(endpoint, "MasterService");
    expect(await master.call("IsMasterRunning", {})).toEqual({ is_master_running: true });
    const schema = { rowKey: "string", families: { d: { price: "double" } } } as const;
    const wanted = tableSchemaToWire({
      table: { namespace: "default", name: "bids" },
      families: [
        { name: "d", maxVersions: 3, minVersions: 1, ttlMs: 7 * 86_400_000 },
        { name: "e", maxVersions: 1, minVersions: 0, ttlMs: Infinity },
      ],
      regions: [],
      schema,
    });
    const created = await master.call("CreateTable", { table_schema: wanted, split_keys: [b("m"), b("f")] });
    expect(created.proc_id).toBeTypeOf("bigint");
    expect(await master.call("getProcedureResult", { proc_id: created.proc_id! })).toMatchObject({ state: ProcedureState.FINISHED });
    expect(await master.call("getProcedureResult", { proc_id: 987_654n })).toEqual({ state: ProcedureState.NOT_FOUND });

    const d = await store.admin.describeTable("bids");
    expect(d.families).toEqual([
      { name: "d", maxVersions: 3, minVersions: 1, ttlMs: 7 * 86_400_000 },
      { name: "e", maxVersions: 1, minVersions: 0, ttlMs: Infinity },
    ]);
    expect(d.regions.map((r) => text(r.startKey))).toEqual(["", "f", "m"]);
    expect(d.schema).toEqual(schema);

    const described = await master.call("GetTableDescriptors", { table_names: [tn("bids"), tn("absent")] });
    expect(described.table_schema).toEqual([tableSchemaToWire(d)]);
    await store.admin.createTable("other", { families: ["x"] });
    await store.admin.createTable("ns:third", { families: ["x"] });
    const names = await master.call("GetTableNames", {});
    expect((names.table_names ?? []).map((n) => `${text(n.namespace)}:${text(n.qualifier)}`)).toEqual(["default:bids", "default:other", "ns:third"]);
    const some = await master.call("GetTableNames", { regex: "b.*" });
    expect((some.table_names ?? []).map((n) => text(n.qualifier))).toEqual(["bids"]);
    const inNs = await master.call("GetTableDescriptors", { namespace: "ns" });
    expect((inNs.table_schema ?? []).map((s) => text(s.table_name?.qualifier))).toEqual(["third"]);
    expect(await master.call("GetTableState", { table_name: tn("bids") })).toEqual({ table_state: { state: TableStateValue.ENABLED } });

    // the new table is served at once: meta lists its three regions
    const client = await open(endpoint, "ClientService");
    expect((await metaRegions(client, "bids")).map((r) => text(r.start_key))).toEqual(["", "f", "m"]);

    const exists = await rejection(master.call("CreateTable", { table_schema: wanted }));
    expect(exists.className).toBe("org.apache.hadoop.hbase.TableExistsException");
    const bad = await rejection(master.call("CreateTable", { table_schema: { table_name: tn("nofam"), column_families: [] } }));
    expect(bad.className).toBe("org.apache.hadoop.hbase.DoNotRetryIOException");
    expect(bad.message).toMatch(/at least one column family/);
    const badAttr = await rejection(
      master.call("CreateTable", { table_schema: { table_name: tn("v"), column_families: [{ name: b("d"), attributes: [{ first: b("VERSIONS"), second: b("0") }] }] } }),
    );
    expect(badAttr.message).toMatch(/maxVersions must be an integer ≥ 1/);
    expect(await store.admin.tableExists("nofam")).toBe(false);
    expect(await store.admin.tableExists("v")).toBe(false);
    const regex = await rejection(master.call("GetTableNames", { regex: "(" }));
    expect(regex.message).toMatch(/invalid table name pattern/);
  });

  it("disable → delete / truncate as HBase: an enabled table is not deleted; reads of a disabled table fail; truncate keeps or drops splits", async () => {
    const { store, endpoint } = await setup(2);
    const master = await open(endpoint, "MasterService");
    const client = await open(endpoint, "ClientService");
    await store.table("t").putMany(["a", "q", "z"].map((row) => ({ row, cells: [{ family: "d", qualifier: "x", value: row }] })));

    const notDisabled = await rejection(master.call("DeleteTable", { table_name: tn("t") }));
    expect(notDisabled.className).toBe("org.apache.hadoop.hbase.TableNotDisabledException");
    expect((await rejection(master.call("truncateTable", { tableName: tn("t"), preserveSplits: true }))).className).toBe(
      "org.apache.hadoop.hbase.TableNotDisabledException",
    );
    expect((await rejection(master.call("EnableTable", { table_name: tn("t") }))).className).toBe("org.apache.hadoop.hbase.TableNotDisabledException");
    expect((await rejection(master.call("DisableTable", { table_name: tn("nope") }))).className).toBe("org.apache.hadoop.hbase.TableNotFoundException");

    const region = await locate(client, "t", "q");
    await master.call("DisableTable", { table_name: tn("t") });
    expect((await rejection(master.call("DisableTable", { table_name: tn("t") }))).className).toBe("org.apache.hadoop.hbase.TableNotEnabledException");
    expect(await master.call("GetTableState", { table_name: tn("t") })).toEqual({ table_state: { state: TableStateValue.DISABLED } });
    const disabledGet = await rejection(client.call("Get", { region: spec(region), get: { row: b("q") } }));
    expect(disabledGet.className).toBe("org.apache.hadoop.hbase.TableNotEnabledException");

    await master.call("truncateTable", { tableName: tn("t"), preserveSplits: true });
    expect(await master.call("GetTableState", { table_name: tn("t") })).toEqual({ table_state: { state: TableStateValue.ENABLED } });
    expect(await store.table("t").count()).toBe(0);
    expect((await store.admin.describeTable("t")).regions.map((r) => text(r.startKey))).toEqual(["", "m"]);

    await store.table("t").put({ row: "a", cells: [{ family: "d", qualifier: "x", value: "1" }] });
    await master.call("DisableTable", { table_name: tn("t") });
    await master.call("truncateTable", { tableName: tn("t") }); // preserveSplits false: one region
    const after = await store.admin.describeTable("t");
    expect(after.regions.map((r) => text(r.startKey))).toEqual([""]);
    expect(after.families.map((f) => f.name)).toEqual(["d", "e"]);
    expect(await store.table("t").count()).toBe(0);

    await master.call("DisableTable", { table_name: tn("t") });
    await master.call("DeleteTable", { table_name: tn("t") });
    expect(await store.admin.tableExists("t")).toBe(false);
    expect((await rejection(master.call("DeleteTable", { table_name: tn("t") }))).className).toBe("org.apache.hadoop.hbase.TableNotFoundException");
    expect(await metaRegions(client, "t")).toEqual([]);
    const gone = await rejection(client.call("Get", { region: spec(region), get: { row: b("q") } }));
    expect(gone.className).toBe("org.apache.hadoop.hbase.NotServingRegionException");
  });
});

describe("region splits through the endpoint", () => {
  it("MasterService.SplitRegion (2.x): daughters in meta with new ids, the parent answers NotServingRegion, an open scanner on it finishes", async () => {
    const { store, endpoint } = await setup(2);
    const rows = Array.from({ length: 60 }, (_, i) => `r${String(i).padStart(2, "0")}`);
    await store.table("t").putMany(rows.map((row) => ({ row, cells: [{ family: "d", qualifier: "x", value: row }] })));
    const master = await open(endpoint, "MasterService");
    const client = await open(endpoint, "ClientService");
    const parent = await locate(client, "t", "r30"); // the region [m, end): every "r.." row
    expect(text(parent.start_key)).toBe("m");

    // a scanner opened on the parent before the split
    const opened = await client.call("Scan", { region: spec(parent), scan: { start_row: b("m") }, number_of_rows: 10 });
    const scanned = (opened.results ?? []).map((r) => text(r.cell![0]!.row));

    const outside = await rejection(master.call("SplitRegion", { region_info: parent, split_row: b("a") }));
    expect(outside.className).toBe("org.apache.hadoop.hbase.DoNotRetryIOException");
    expect(outside.message).toMatch(/is not inside region/);
    expect((await rejection(master.call("SplitRegion", { region_info: parent, split_row: b("m") }))).message).toMatch(/Split row is equal to startkey/);
    expect((await rejection(master.call("SplitRegion", { region_info: parent }))).message).toMatch(/a split point is needed/);
    const unknown = await rejection(master.call("SplitRegion", { region_info: { ...parent, region_id: 12_345n }, split_row: b("r30") }));
    expect(unknown.className).toBe("org.apache.hadoop.hbase.UnknownRegionException");

    const done = await master.call("SplitRegion", { region_info: parent, split_row: b("r30") });
    expect(await master.call("getProcedureResult", { proc_id: done.proc_id! })).toMatchObject({ state: ProcedureState.FINISHED });
    const regions = await metaRegions(client, "t");
    expect(regions.map((r) => [text(r.start_key), text(r.end_key)])).toEqual([
      ["", "m"],
      ["m", "r30"],
      ["r30", ""],
    ]);
    expect(regions[0]!.region_id).toBe(parent.region_id);
    expect(regions[1]!.region_id > BigInt(parent.region_id)).toBe(true);
    expect(regions[2]!.region_id > BigInt(parent.region_id)).toBe(true);
    expect(regions[1]!.region_id).toBe(regions[2]!.region_id);

    const stale = await rejection(client.call("Get", { region: spec(parent), get: { row: b("r40") } }));
    expect(stale.className).toBe("org.apache.hadoop.hbase.NotServingRegionException");
    const put = await rejection(
      client.call("Mutate", { region: spec(parent), mutation: { row: b("r41"), mutate_type: MutationType.PUT, column_value: [{ family: b("d"), qualifier_value: [{ qualifier: b("x"), value: b("1") }] }] } }),
    );
    expect(put.className).toBe("org.apache.hadoop.hbase.NotServingRegionException");

    // the scanner opened on the parent reads on to the parent's end (its snapshot): every row once
    let next = opened;
    while (next.more_results_in_region !== false) {
      next = await client.call("Scan", { scanner_id: opened.scanner_id!, number_of_rows: 7 });
      scanned.push(...(next.results ?? []).map((r) => text(r.cell![0]!.row)));
    }
    expect(scanned).toEqual(rows);

    // the daughters serve their rows
    const right = await locate(client, "t", "r45");
    expect(text(right.start_key)).toBe("r30");
    const got = await client.call("Get", { region: spec(right), get: { row: b("r45") } });
    expect(text(got.result?.cell?.[0]?.value)).toBe("r45");
    const wrong = await rejection(client.call("Get", { region: spec(right), get: { row: b("r10") } }));
    expect(wrong.className).toBe("org.apache.hadoop.hbase.regionserver.WrongRegionException");
    expect((await store.admin.describeTable("t")).regions.map((r) => text(r.startKey))).toEqual(["", "m", "r30"]);
  });

  it("AdminService: GetRegionInfo, SplitRegion (1.x), CompactRegion", async () => {
    const { store, endpoint } = await setup(2);
    const client = await open(endpoint, "ClientService");
    const admin = await open(endpoint, "AdminService");
    await store.table("t").put({ row: "b", cells: [{ family: "d", qualifier: "x", value: "1" }] });
    await store.table("t").put({ row: "b", cells: [{ family: "d", qualifier: "x", value: "2" }] });
    const first = await locate(client, "t", "b");
    const info = await admin.call("GetRegionInfo", { region: spec(first), compaction_state: true });
    expect(text(info.region_info.end_key)).toBe("m");
    expect(info.region_info.region_id).toBe(first.region_id);
    expect(info.compaction_state).toBe(CompactionStateValue.NONE);
    expect(await admin.call("CompactRegion", { region: spec(first), major: true })).toEqual({});

    expect(await admin.call("SplitRegion", { region: spec(first), split_point: b("g") })).toEqual({});
    expect((await store.admin.describeTable("t")).regions.map((r) => text(r.startKey))).toEqual(["", "g", "m"]);
    const again = await rejection(admin.call("SplitRegion", { region: spec(first), split_point: b("c") }));
    expect(again.className).toBe("org.apache.hadoop.hbase.NotServingRegionException");
    const unknownName = await rejection(admin.call("GetRegionInfo", { region: { type: RegionSpecifierType.REGION_NAME, value: b("t,,1.abc.") } }));
    expect(unknownName.className).toBe("org.apache.hadoop.hbase.NotServingRegionException");
    const left = await locate(client, "t", "b");
    expect([text(left.start_key), text(left.end_key)]).toEqual(["", "g"]);
    const got = await client.call("Get", { region: spec(left), get: { row: b("b") } });
    expect(text(got.result?.cell?.[0]?.value)).toBe("2");
  });
});

describe("hbase-rpc-client (compat 1) across a split during the test", () => {
  it("mput/mget/mdelete, checkAndDelete; split; gets, scans and puts across the daughters", async () => {
    const { store, endpoint, root } = await setup(1);
    const client = theirClient(root);
    const rows = ["apple", "berry", "cherry", "nut", "plum", "quince", "tomato", "zucchini"];
    await call((cb) => client.mput("t", rows.map((row) => ({ row, "d:v": `${row}-v`, "e:n": "1" })), cb));
    const got = await call<Array<TheirRow | null>>((cb) => client.mget("t", rows, cb));
    expect(got.map((r) => r?.cols["d:v"]?.value.toString())).toEqual(rows.map((r) => `${r}-v`));

    await call((cb) => client.mdelete("t", ["berry", "quince"], cb));
    const afterDelete = await call<Array<TheirRow | null>>((cb) => client.mget("t", ["berry", "cherry", "quince"], cb));
    expect(afterDelete.map((r) => (r?.row ? r.row.toString() : null))).toEqual([null, "cherry", null]);

    const del = new hbase.Delete("plum");
    del.deleteFamily("e");
    const miss = await call<{ processed: boolean }>((cb) => client.checkAndDelete("t", "plum", "d", "v", "wrong", del, cb));
    expect(miss.processed).toBe(false);
    const hit = await call<{ processed: boolean }>((cb) => client.checkAndDelete("t", "plum", "d", "v", "plum-v", del, cb));
    expect(hit.processed).toBe(true);
    const plum = await call<TheirRow | null>((cb) => client.get("t", new hbase.Get("plum"), cb));
    expect(Object.keys(plum?.cols ?? {})).toEqual(["d:v"]);

    // split both regions while the client holds their (now stale) locations
    const admin = await open(endpoint, "AdminService");
    const meta = await open(endpoint, "ClientService");
    await admin.call("SplitRegion", { region: spec(await locate(meta, "t", "apple")), split_point: b("c") });
    await store.admin.splitRegion("t", "r"); // the store's own admin: the endpoint sees it too
    expect((await store.admin.describeTable("t")).regions.map((r) => text(r.startKey))).toEqual(["", "c", "m", "r"]);

    const remaining = ["apple", "cherry", "nut", "plum", "tomato", "zucchini"];
    const again = await call<Array<TheirRow | null>>((cb) => client.mget("t", remaining, cb));
    expect(again.map((r) => r?.row.toString())).toEqual(remaining);
    const zucchini = await call<TheirRow | null>((cb) => client.get("t", new hbase.Get("zucchini"), cb));
    expect(zucchini?.cols["d:v"]?.value.toString()).toBe("zucchini-v");
    const scanned = await call<TheirRow[]>((cb) => client.getScanner("t").toArray(cb));
    expect(scanned.map((r) => r.row.toString())).toEqual(remaining);

    const more = ["banana", "date", "orange", "raspberry", "yam"];
    await call((cb) => client.mput("t", more.map((row) => ({ row, "d:v": `${row}-v` })), cb));
    const single = new hbase.Put("coconut");
    single.add("d", "v", "coconut-v");
    await call((cb) => client.put("t", single, cb));
    const all = await call<TheirRow[]>((cb) => client.getScanner("t").toArray(cb));
    expect(all.map((r) => r.row.toString())).toEqual([...remaining, ...more, "coconut"].sort());
    const reversed = await call<TheirRow[]>((cb) => client.getScanner("t").setReversed().toArray(cb));
    expect(reversed.map((r) => r.row.toString())).toEqual([...remaining, ...more, "coconut"].sort().reverse());
    const ranged = await call<TheirRow[]>((cb) => client.getScanner("t", "c", "s").toArray(cb));
    expect(ranged.map((r) => r.row.toString())).toEqual(["cherry", "coconut", "date", "nut", "orange", "plum", "raspberry"]);
    const count = await store.table("t").count();
    expect(count).toBe(remaining.length + more.length + 1);
  });
});
