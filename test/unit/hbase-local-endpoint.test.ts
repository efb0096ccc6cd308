/**
 * The local HBase-compatible endpoint (issue 5, first slice) against a real Apache ZooKeeper: the
 * independent client hbase-rpc-client in compat 1 (its region lookup uses closest_row_before), and
 * Sluice's own RpcConnection doing the 2.x reversed-scan meta lookup in compat 2.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import type net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../src/hbase/connect.js";
import type { Connection } from "../../src/hbase/table.js";
import { connectZooKeeper, readMaster, readMetaRegionServer } from "../../src/hbase/discovery/index.js";
import { startLocalEndpoint, type LocalEndpoint } from "../../src/hbase/local-endpoint/index.js";
import { HBaseExceptions, HBaseRemoteError } from "../../src/hbase/wire/errors.js";
import { CompareType, encodeComparator, encodeFilter, LATEST_TIMESTAMP, MutationType, RegionSpecifierType, type Result as WireResult } from "../../src/hbase/wire/hbase-protos.js";
import { decodeRegionInfoCell, decodeServerCell, META_REGION_NAME, metaSearchKey, metaStopKey } from "../../src/hbase/wire/meta-row.js";
import { RpcConnection } from "../../src/hbase/wire/rpc-connection.js";
import { decodeMaster, decodeMetaRegionServer } from "../../src/hbase/wire/zk-envelope.js";
import { startZooKeeper, type ZooKeeperServer } from "../support/zookeeper.mjs";

const require = createRequire(import.meta.url);

// ---------------------------------------------------------------------------------------------------
// hbase-rpc-client, typed for what is used here

interface TheirRow {
  row: Buffer;
  cols: Record<string, { value: Buffer; timestamp: { toString(): string } }>;
}
type Callback<T> = (err: unknown, res: T) => void;
interface TheirScanner {
  setFilter(filter: unknown): boolean;
  setReversed(reversed?: boolean): TheirScanner;
  toArray(cb: Callback<TheirRow[]>): void;
}
interface TheirClient {
  put(table: string, put: unknown, cb: Callback<unknown>): void;
  get(table: string, get: unknown, cb: Callback<TheirRow | null>): void;
  delete(table: string, del: unknown, cb: Callback<unknown>): void;
  mput(table: string, rows: Array<Record<string, string>>, cb: Callback<unknown>): void;
  mget(table: string, rows: string[], cb: Callback<Array<TheirRow | null>>): void;
  incrementColumnValue(table: string, row: string, cf: string, qualifier: string, value: number, cb: Callback<unknown>): void;
  checkAndPut(table: string, row: string, cf: string, q: string, value: string, put: unknown, cb: Callback<{ processed: boolean }>): void;
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
  FilterList: new (operator?: string) => { addFilter(f: unknown): void };
}
const hbase = require("hbase-rpc-client") as TheirModule;

function call<T>(fn: (cb: Callback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, res) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res))));
}

// ---------------------------------------------------------------------------------------------------

const enc = new TextEncoder();
const b = (s: string) => enc.encode(s);
const text = (u: Uint8Array | undefined) => new TextDecoder().decode(u ?? new Uint8Array());

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

/** An embedded store with table "t" (families d, e) pre-split at "m", served by an endpoint. */
async function setup(compat: 1 | 2): Promise<{ store: Connection; endpoint: LocalEndpoint; root: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), "sluice-endpoint-"));
  const store = await connect({ path: dir });
  cleanups.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await store.admin.createTable("t", { families: ["d", "e"], splitKeys: [b("m")] });
  const root = `/hbase-ep-${process.pid}-${++rootSeq}`;
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

describe("hbase-rpc-client against the local endpoint (compat 1)", () => {
  it("registers meta-region-server and master, and removes them on stop", async () => {
    const { endpoint, root } = await setup(1);
    const session = await connectZooKeeper({ quorum: zk.connectString, root });
    cleanups.push(() => session.close());
    const meta = decodeMetaRegionServer(await readMetaRegionServer(session));
    expect(meta.server).toMatchObject({ host_name: "127.0.0.1", port: endpoint.port });
    expect(decodeMaster(await readMaster(session)).master.port).toBe(endpoint.port);
    await endpoint.stop();
    expect(await session.exists("meta-region-server")).toBeNull();
    expect(await session.exists("master")).toBeNull();
  });

  it("puts then gets rows in both regions of a table pre-split in two; Multi puts and gets", async () => {
    const { store, root } = await setup(1);
    const client = theirClient(root);
    for (const row of ["apple", "zebra"]) {
      const put = new hbase.Put(row);
      put.add("d", "name", `${row}-name`);
      put.add("e", "n", "1");
      await call((cb) => client.put("t", put, cb));
    }
    const got = await call<TheirRow | null>((cb) => client.get("t", new hbase.Get("zebra"), cb));
    expect(got?.row.toString()).toBe("zebra");
    expect(got?.cols["d:name"]?.value.toString()).toBe("zebra-name");
    expect(got?.cols["e:n"]?.value.toString()).toBe("1");
    const only = new hbase.Get("apple");
    only.addColumn("d", "name");
    const apple = await call<TheirRow | null>((cb) => client.get("t", only, cb));
    expect(Object.keys(apple?.cols ?? {})).toEqual(["d:name"]);
    expect(await call<TheirRow | null>((cb) => client.get("t", new hbase.Get("nothing"), cb))).toBeNull();
    // the embedded store saw the writes
    expect(text((await store.table("t").get(b("zebra")))?.getBytes("d:name"))).toBe("zebra-name");

    await call((cb) => client.mput("t", [{ row: "b1", "d:x": "v1" }, { row: "y1", "d:x": "v2" }], cb));
    const many = await call<Array<TheirRow | null>>((cb) => client.mget("t", ["b1", "y1"], cb));
    expect(many.map((r) => r?.cols["d:x"]?.value.toString()).sort()).toEqual(["v1", "v2"]);
  });

  it("scans across both regions, with a ColumnPrefixFilter and with nested FilterLists", async () => {
    const { store, root } = await setup(1);
    const t = store.table("t");
    const rows = ["a1", "c2", "k3", "m0", "p4", "x5"];
    for (const [i, row] of rows.entries()) {
      await t.put({ row: b(row), cells: [
        { family: b("d"), qualifier: b("colour"), value: b(i % 2 === 0 ? "Red" : "blue") },
        { family: b("d"), qualifier: b("count"), value: b(String(i)) },
        { family: b("e"), qualifier: b("other"), value: b("o") },
      ] });
    }
    const client = theirClient(root);
    const all = await call<TheirRow[]>((cb) => client.getScanner("t").toArray(cb));
    expect(all.map((r) => r.row.toString())).toEqual(rows);

    const ranged = await call<TheirRow[]>((cb) => client.getScanner("t", "c", "q").toArray(cb));
    expect(ranged.map((r) => r.row.toString())).toEqual(["c2", "k3", "m0", "p4"]);

    const prefixed = client.getScanner("t");
    prefixed.setFilter({ columnPrefixFilter: { prefix: "col" } });
    const p = await call<TheirRow[]>((cb) => prefixed.toArray(cb));
    expect(p.map((r) => r.row.toString())).toEqual(rows);
    for (const r of p) expect(Object.keys(r.cols)).toEqual(["d:colour"]);

    const scv = (value: string, qualifier = "colour") => ({
      singleColumnValueFilter: {
        columnFamily: "d",
        columnQualifier: qualifier,
        compareOp: "EQUAL",
        comparator: { substringComparator: { substr: value } },
        filterIfMissing: true,
        latestVersionOnly: true,
      },
    });
    const l1 = new hbase.FilterList();
    l1.addFilter(scv("red"));
    const l2 = new hbase.FilterList();
    l2.addFilter(scv("5", "count"));
    const l3 = new hbase.FilterList("MUST_PASS_ONE");
    l3.addFilter(l1);
    l3.addFilter(l2);
    const listed = client.getScanner("t");
    listed.setFilter(l3);
    const l = await call<TheirRow[]>((cb) => listed.toArray(cb));
    // "red" matches Red case-insensitively (rows 0, 2, 4); count "5" is row 5
    expect(l.map((r) => r.row.toString())).toEqual(["a1", "k3", "p4", "x5"]);

    const reversed = client.getScanner("t").setReversed();
    const rev = await call<TheirRow[]>((cb) => reversed.toArray(cb));
    expect(rev.map((r) => r.row.toString())).toEqual([...rows].reverse());
  });

  it("deletes columns, families and rows; increments; check-and-put", async () => {
    const { store, root } = await setup(1);
    const client = theirClient(root);
    const put = new hbase.Put("row1");
    put.add("d", "a", "1");
    put.add("d", "b", "2");
    put.add("e", "c", "3");
    await call((cb) => client.put("t", put, cb));

    const delCol = new hbase.Delete("row1");
    delCol.deleteColumns("d", "a");
    await call((cb) => client.delete("t", delCol, cb));
    let got = await call<TheirRow | null>((cb) => client.get("t", new hbase.Get("row1"), cb));
    expect(Object.keys(got?.cols ?? {}).sort()).toEqual(["d:b", "e:c"]);

    const delFam = new hbase.Delete("row1");
    delFam.deleteFamily("e");
    await call((cb) => client.delete("t", delFam, cb));
    got = await call<TheirRow | null>((cb) => client.get("t", new hbase.Get("row1"), cb));
    expect(Object.keys(got?.cols ?? {})).toEqual(["d:b"]);

    await call((cb) => client.delete("t", new hbase.Delete("row1"), cb));
    expect(await call<TheirRow | null>((cb) => client.get("t", new hbase.Get("row1"), cb))).toBeNull();

    await call((cb) => client.incrementColumnValue("t", "zz", "d", "hits", 5, cb));
    await call((cb) => client.incrementColumnValue("t", "zz", "d", "hits", 37, cb));
    expect(await store.table("t").increment(b("zz"), b("d"), b("hits"), 0n)).toBe(42n);
    const hits = await call<TheirRow | null>((cb) => client.get("t", new hbase.Get("zz"), cb));
    expect(hits?.cols["d:hits"]?.value.readBigInt64BE(0)).toBe(42n);

    const guarded = new hbase.Put("zz");
    guarded.add("d", "flag", "set");
    const miss = await call<{ processed: boolean }>((cb) => client.checkAndPut("t", "zz", "d", "hits", "nope", guarded, cb));
    expect(miss.processed).toBe(false);
    const p2 = new hbase.Put("zz");
    p2.add("d", "flag", "set");
    const hitsBytes = Buffer.alloc(8);
    hitsBytes.writeBigInt64BE(42n);
    const hit = await call<{ processed: boolean }>((cb) => client.checkAndPut("t", "zz", "d", "hits", hitsBytes as unknown as string, p2, cb));
    expect(hit.processed).toBe(true);
    expect(text((await store.table("t").get(b("zz")))?.getBytes("d:flag"))).toBe("set");
  });
});

describe("Sluice's RpcConnection against the local endpoint (compat 2)", () => {
  async function clientOf(root: string): Promise<RpcConnection<"ClientService">> {
    const session = await connectZooKeeper({ quorum: zk.connectString, root });
    cleanups.push(() => session.close());
    const meta = decodeMetaRegionServer(await readMetaRegionServer(session));
    const rpc = await RpcConnection.connect({ host: meta.server.host_name, port: meta.server.port ?? 0, service: "ClientService" });
    cleanups.push(() => rpc.close());
    return rpc;
  }
  const metaSpec = { type: RegionSpecifierType.REGION_NAME, value: META_REGION_NAME };
  const cell = (r: WireResult | undefined, q: string) => r?.cell?.find((c) => text(c.qualifier) === q);

  it("locates regions by a reversed scan of hbase:meta, then gets, mutates and scans a region", async () => {
    const { store, endpoint, root } = await setup(2);
    await store.table("t").put({ row: b("q1"), cells: [{ family: b("d"), qualifier: b("v"), value: b("hello"), timestamp: 1000 }] });
    const rpc = await clientOf(root);

    const locate = async (row: string) => {
      const res = await rpc.call("Scan", {
        region: metaSpec,
        scan: { start_row: metaSearchKey("t", b(row)), stop_row: metaStopKey("t"), reversed: true, column: [{ family: b("info") }] },
        number_of_rows: 1,
        close_scanner: true,
      });
      const r = res.results?.[0];
      const info = decodeRegionInfoCell(cell(r, "regioninfo")!.value!);
      return { name: r!.cell![0]!.row!, info, server: decodeServerCell(cell(r, "server")!.value!) };
    };
    const low = await locate("c");
    const high = await locate("q1");
    expect(text(low.info.end_key)).toBe("m");
    expect(text(high.info.start_key)).toBe("m");
    expect(high.server).toEqual({ host: "127.0.0.1", port: endpoint.port });
    expect(text(high.name).startsWith("t,m,")).toBe(true);

    const spec = { type: RegionSpecifierType.REGION_NAME, value: high.name };
    const got = await rpc.call("Get", { region: spec, get: { row: b("q1") } });
    expect(text(got.result?.cell?.[0]?.value)).toBe("hello");
    expect(got.result?.cell?.[0]?.timestamp).toBe(1000n);

    // PUT with 2^63-1 (server time), then a scan of the region with scanner ids and batches
    for (const row of ["m1", "n2", "o3", "r4"]) {
      await rpc.call("Mutate", {
        region: spec,
        mutation: { row: b(row), mutate_type: MutationType.PUT, column_value: [{ family: b("d"), qualifier_value: [{ qualifier: b("v"), value: b(row), timestamp: LATEST_TIMESTAMP }] }] },
      });
    }
    const before = Date.now();
    const first = await rpc.call("Scan", { region: spec, scan: { start_row: b("a") }, number_of_rows: 2 });
    expect(first.results?.map((r) => text(r.cell?.[0]?.row))).toEqual(["m1", "n2"]);
    expect(first.more_results_in_region).toBe(true);
    expect(first.ttl).toBeGreaterThan(0);
    expect(Number(first.results![0]!.cell![0]!.timestamp)).toBeLessThanOrEqual(before);
    const second = await rpc.call("Scan", { scanner_id: first.scanner_id!, number_of_rows: 10 });
    expect(second.results?.map((r) => text(r.cell?.[0]?.row))).toEqual(["o3", "q1", "r4"]);
    expect(second.more_results_in_region).toBe(false);
    // compat 2: the exhausted scanner closed itself; a later call is answered empty
    const after = await rpc.call("Scan", { scanner_id: first.scanner_id!, number_of_rows: 10 });
    expect(after.results ?? []).toEqual([]);

    // a filter on the wire: PrefixFilter
    const filtered = await rpc.call("Scan", {
      region: spec,
      scan: { filter: encodeFilter("PrefixFilter", { prefix: b("o") }) },
      number_of_rows: 10,
      close_scanner: true,
    });
    expect(filtered.results?.map((r) => text(r.cell?.[0]?.row))).toEqual(["o3"]);

    // check-and-mutate via condition
    const cond = await rpc.call("Mutate", {
      region: spec,
      mutation: { row: b("q1"), mutate_type: MutationType.DELETE },
      condition: { row: b("q1"), family: b("d"), qualifier: b("v"), compare_type: CompareType.EQUAL, comparator: encodeComparator("BinaryComparator", { comparable: { value: b("hello") } }) },
    });
    expect(cond.processed).toBe(true);
    expect(await store.table("t").get(b("q1"))).toBeUndefined();
  });

  it("answers HBase's exceptions: closest_row_before, unknown region, unknown family, row outside the region", async () => {
    const { root } = await setup(2);
    const rpc = await clientOf(root);
    const failure = async (p: Promise<unknown>) => {
      const e = await p.then(() => undefined, (err: unknown) => err);
      expect(e).toBeInstanceOf(HBaseRemoteError);
      return e as HBaseRemoteError;
    };
    const closest = await failure(rpc.call("Get", { region: metaSpec, get: { row: metaSearchKey("t", b("a")), column: [{ family: b("info") }], closest_row_before: true } }));
    expect(closest.className).toBe(HBaseExceptions.UnknownProtocolException);
    expect(closest.doNotRetry).toBe(true);

    const bogus = { type: RegionSpecifierType.REGION_NAME, value: b("t,zzz,1.00000000000000000000000000000000.") };
    expect((await failure(rpc.call("Get", { region: bogus, get: { row: b("a") } }))).className).toBe(HBaseExceptions.NotServingRegionException);

    const meta = await rpc.call("Scan", { region: metaSpec, scan: { start_row: metaSearchKey("t", b("a")), stop_row: metaStopKey("t"), reversed: true }, number_of_rows: 1, close_scanner: true });
    const name = meta.results![0]!.cell![0]!.row!;
    const spec = { type: RegionSpecifierType.REGION_NAME, value: name };
    const fam = await failure(rpc.call("Mutate", { region: spec, mutation: { row: b("a"), mutate_type: MutationType.PUT, column_value: [{ family: b("nope"), qualifier_value: [{ qualifier: b("q"), value: b("v") }] }] } }));
    expect(fam.className).toBe(HBaseExceptions.NoSuchColumnFamilyException);
    const famGet = await failure(rpc.call("Get", { region: spec, get: { row: b("a"), column: [{ family: b("nope") }] } }));
    expect(famGet.className).toBe(HBaseExceptions.NoSuchColumnFamilyException);
    const wrong = await failure(rpc.call("Get", { region: spec, get: { row: b("z") } }));
    expect(wrong.className).toBe("org.apache.hadoop.hbase.regionserver.WrongRegionException");
    const filter = await failure(rpc.call("Scan", { region: spec, scan: { filter: { name: "org.apache.hadoop.hbase.filter.FuzzyRowFilter" } }, number_of_rows: 1 }));
    expect(filter.className).toBe(HBaseExceptions.DoNotRetryIOException);
    const scanner = await failure(rpc.call("Scan", { scanner_id: 12345n, number_of_rows: 1 }));
    expect(scanner.className).toBe(HBaseExceptions.UnknownScannerException);
  });
  it("compat 1: closest_row_before, exhausted scanners kept open; time ranges, versions and Multi", async () => {
    const { store, root } = await setup(1);
    await store.admin.createTable("v", { families: [{ name: "d", maxVersions: 3 }] });
    const v = store.table("v");
    for (const ts of [100, 200, 300]) await v.put({ row: b("r"), cells: [{ family: b("d"), qualifier: b("q"), value: b(`at${ts}`), timestamp: ts }] });
    const rpc = await clientOf(root);

    const closest = await rpc.call("Get", { region: metaSpec, get: { row: metaSearchKey("t", b("x")), column: [{ family: b("info") }], closest_row_before: true } });
    const info = decodeRegionInfoCell(cell(closest.result, "regioninfo")!.value!);
    expect(text(info.start_key)).toBe("m");
    const missing = await rpc.call("Get", { region: metaSpec, get: { row: metaSearchKey("nosuch", b("x")), closest_row_before: true } });
    expect(missing.result?.cell ?? []).toEqual([]);

    const vLoc = await rpc.call("Get", { region: metaSpec, get: { row: metaSearchKey("v", b("r")), closest_row_before: true } });
    const spec = { type: RegionSpecifierType.REGION_NAME, value: vLoc.result!.cell![0]!.row! };
    const versions = await rpc.call("Get", { region: spec, get: { row: b("r"), max_versions: 3, time_range: { from: 150n, to: LATEST_TIMESTAMP } } });
    expect(versions.result?.cell?.map((c) => text(c.value))).toEqual(["at300", "at200"]);

    const opened = await rpc.call("Scan", { region: spec, scan: {}, number_of_rows: 10 });
    expect(opened.results).toHaveLength(1);
    expect(opened.more_results_in_region).toBe(false);
    // compat 1: still open until the client closes it
    const again = await rpc.call("Scan", { scanner_id: opened.scanner_id!, number_of_rows: 10 });
    expect(again.results ?? []).toEqual([]);
    await rpc.call("Scan", { scanner_id: opened.scanner_id!, close_scanner: true });
    await expect(rpc.call("Scan", { scanner_id: opened.scanner_id!, number_of_rows: 1 })).resolves.toMatchObject({ more_results: false });

    const multi = await rpc.call("Multi", {
      regionAction: [
        {
          region: spec,
          action: [
            { index: 0, mutation: { row: b("s"), mutate_type: MutationType.PUT, column_value: [{ family: b("d"), qualifier_value: [{ qualifier: b("q"), value: b("new") }] }] } },
            { index: 1, mutation: { row: b("s"), mutate_type: MutationType.PUT, column_value: [{ family: b("zz"), qualifier_value: [{ qualifier: b("q"), value: b("x") }] }] } },
            { index: 2, get: { row: b("s") } },
          ],
        },
        { region: { type: RegionSpecifierType.REGION_NAME, value: b("v,,1.00000000000000000000000000000000.") }, action: [{ index: 3, get: { row: b("s") } }] },
      ],
    });
    const [first, second] = multi.regionActionResult!;
    expect(first!.resultOrException!.map((r) => r.index)).toEqual([0, 1, 2]);
    expect(first!.resultOrException![1]!.exception?.name).toBe(HBaseExceptions.NoSuchColumnFamilyException);
    expect(text(first!.resultOrException![2]!.result?.cell?.[0]?.value)).toBe("new");
    expect(second!.exception?.name).toBe(HBaseExceptions.NotServingRegionException);
  });
});
