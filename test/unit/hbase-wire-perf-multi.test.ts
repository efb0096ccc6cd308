/**
 * The local endpoint's Multi (src/hbase/local-endpoint/region-actions.ts) through Sluice's RpcConnection
 * against a real ZooKeeper and a real embedded store: a run of PUT actions is written with ONE
 * `putMany` (counted on the real store's tables through a thin counting wrapper, no mock), per-action
 * answers stay per action (bad family, row outside the region, a value the store refuses: only those
 * fail, the others are written), and `atomic` region actions are all or nothing (`mutateRow`).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../src/hbase/connect.js";
import type { Connection, Table } from "../../src/hbase/table.js";
import { connectZooKeeper, readMetaRegionServer } from "../../src/hbase/discovery/index.js";
import { startLocalEndpoint } from "../../src/hbase/local-endpoint/index.js";
import { HBaseExceptions } from "../../src/hbase/wire/errors.js";
import { MutationType, RegionSpecifierType, type Action, type MultiResponse, type RegionSpecifier } from "../../src/hbase/wire/hbase-protos.js";
import { META_REGION_NAME, metaSearchKey, metaStopKey } from "../../src/hbase/wire/meta-row.js";
import { RpcConnection } from "../../src/hbase/wire/rpc-connection.js";
import { decodeMetaRegionServer } from "../../src/hbase/wire/zk-envelope.js";
import { startZooKeeper, type ZooKeeperServer } from "../support/zookeeper.mjs";

const enc = new TextEncoder();
const b = (s: string) => enc.encode(s);
const text = (u: Uint8Array | undefined) => new TextDecoder().decode(u ?? new Uint8Array());
/** The store's value limit is 10 MiB: one byte more is refused by the store itself (not by the endpoint). */
const TOO_BIG = new Uint8Array(10 * 1024 * 1024 + 1);

let zk: ZooKeeperServer;
const cleanups: Array<() => Promise<void> | void> = [];
let rootSeq = 0;

beforeAll(async () => {
  zk = await startZooKeeper();
}, 120_000);
afterAll(async () => {
  await zk?.stop();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Calls of the store's Table methods, counted per method name. */
type Calls = Record<string, number>;

/** The real store with its tables wrapped to count write calls (every call goes to the real table). */
function counting(store: Connection, calls: Calls): Connection {
  const wrapTable = (table: Table): Table =>
    new Proxy(table, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== "function" || typeof prop !== "string") return value;
        return (...args: unknown[]) => {
          calls[prop] = (calls[prop] ?? 0) + 1;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === "table") return (name: Parameters<Connection["table"]>[0]) => wrapTable(target.table(name));
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Table "t" (families d, e) pre-split at "m", served in compat 2; a ClientService connection and region specs. */
async function setup() {
  const dir = mkdtempSync(path.join(tmpdir(), "sluice-perf-multi-"));
  const store = await connect({ path: dir });
  cleanups.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await store.admin.createTable("t", { families: ["d", "e"], splitKeys: [b("m")] });
  const calls: Calls = {};
  const root = `/hbase-perf-${process.pid}-${++rootSeq}`;
  const endpoint = await startLocalEndpoint({ connection: counting(store, calls), zookeeper: zk.connectString, root, compat: 2 });
  cleanups.push(() => endpoint.stop());
  const session = await connectZooKeeper({ quorum: zk.connectString, root });
  cleanups.push(() => session.close());
  const meta = decodeMetaRegionServer(await readMetaRegionServer(session));
  const rpc = await RpcConnection.connect({ host: meta.server.host_name, port: meta.server.port ?? 0, service: "ClientService" });
  cleanups.push(() => rpc.close());
  const regionOf = async (row: string): Promise<RegionSpecifier> => {
    const res = await rpc.call("Scan", {
      region: { type: RegionSpecifierType.REGION_NAME, value: META_REGION_NAME },
      scan: { start_row: metaSearchKey("t", b(row)), stop_row: metaStopKey("t"), reversed: true, column: [{ family: b("info") }] },
      number_of_rows: 1,
      close_scanner: true,
    });
    return { type: RegionSpecifierType.REGION_NAME, value: res.results![0]!.cell![0]!.row! };
  };
  return { store, calls, rpc, low: await regionOf("a"), high: await regionOf("x") };
}

const put = (index: number, row: string, value: Uint8Array | string = `v-${row}`, family = "d"): Action => ({
  index,
  mutation: {
    row: b(row),
    mutate_type: MutationType.PUT,
    column_value: [{ family: b(family), qualifier_value: [{ qualifier: b("q"), value: typeof value === "string" ? b(value) : value }] }],
  },
});
const del = (index: number, row: string): Action => ({ index, mutation: { row: b(row), mutate_type: MutationType.DELETE } });

const answers = (res: MultiResponse, k = 0) => (res.regionActionResult?.[k]?.resultOrException ?? []).map((x) => (x.exception ? `${x.index}:${x.exception.name.split(".").pop()}` : `${x.index}:ok`));

describe("Multi on the local endpoint", () => {
  it("writes a region action's 1,000 PUTs with one putMany, answering every action", async () => {
    const { store, calls, rpc, low } = await setup();
    const actions = Array.from({ length: 1000 }, (_, i) => put(i, `a${String(i).padStart(4, "0")}`));
    const res = await rpc.call("Multi", { regionAction: [{ region: low, action: actions }] });
    expect(answers(res)).toEqual(actions.map((a) => `${a.index}:ok`));
    expect(calls).toEqual({ putMany: 1 });
    expect(await store.table("t").count()).toBe(1000);
    expect(text((await store.table("t").get(b("a0999")))?.getBytes("d:q"))).toBe("v-a0999");
  }, 60_000);

  it("answers per action inside a run of PUTs: bad family and wrong row fail alone, the run still one putMany; order kept around deletes and gets", async () => {
    const { store, calls, rpc, low } = await setup();
    await store.table("t").put({ row: b("c"), cells: [{ family: b("d"), qualifier: b("q"), value: b("old") }] });
    const res = await rpc.call("Multi", {
      regionAction: [
        {
          region: low,
          action: [
            put(0, "a"),
            put(1, "b", "x", "zz"), // no such family
            put(2, "x"), // outside the low region [, m)
            put(3, "b"),
            del(4, "c"),
            { index: 5, get: { row: b("c") } },
            put(6, "e"), // (not row c again: a put in the delete's millisecond would be hidden by it, as in HBase)
            put(7, "d"),
          ],
        },
      ],
    });
    expect(answers(res)).toEqual(["0:ok", "1:NoSuchColumnFamilyException", "2:WrongRegionException", "3:ok", "4:ok", "5:ok", "6:ok", "7:ok"]);
    expect(res.regionActionResult![0]!.resultOrException![5]!.result).toEqual({}); // the get ran after the delete
    expect(calls.putMany).toBe(2); // [0..3] and [6..7]
    const rows = [];
    for await (const r of store.table("t").scan()) rows.push(`${text(r.row)}=${text(r.getBytes("d:q"))}`);
    expect(rows).toEqual(["a=v-a", "b=v-b", "d=v-d", "e=v-e"]);
  }, 60_000);

  it("when the store refuses the run's batch, finds the failing action one by one and writes the others", async () => {
    const { store, calls, rpc, low } = await setup();
    const res = await rpc.call("Multi", { regionAction: [{ region: low, action: [put(0, "a"), put(1, "b", TOO_BIG), put(2, "c")] }] });
    const r = res.regionActionResult![0]!.resultOrException!;
    expect(answers(res)).toEqual(["0:ok", "1:IOException", "2:ok"]);
    expect(text(r[1]!.exception!.value)).toMatch(/10485760|maximum|too (large|big)/i);
    expect(calls.putMany).toBe(1);
    const rows = [];
    for await (const x of store.table("t").scan()) rows.push(text(x.row));
    expect(rows).toEqual(["a", "c"]);
  }, 60_000);

  it("applies an atomic region action all or nothing (mutateRow)", async () => {
    const { store, calls, rpc, low, high } = await setup();
    const t = store.table("t");
    await t.put({ row: b("c"), cells: [{ family: b("e"), qualifier: b("old"), value: b("1") }] });
    const contents = async () => {
      const rows = [];
      for await (const x of t.scan()) rows.push(`${text(x.row)}:${x.cells.map((c) => `${text(c.family)}:${text(c.qualifier)}=${text(c.value)}`).join(",")}`);
      return rows;
    };
    const before = await contents();

    const failures: Array<[string, Action[], string]> = [
      ["a bad family in the second action", [put(0, "c", "new"), put(1, "c", "x", "zz")], HBaseExceptions.NoSuchColumnFamilyException],
      ["another row", [put(0, "c", "new"), put(1, "d", "new")], HBaseExceptions.DoNotRetryIOException],
      ["a get", [put(0, "c", "new"), { index: 1, get: { row: b("c") } }], HBaseExceptions.DoNotRetryIOException],
      ["a value the store refuses", [put(0, "c", "new"), put(1, "c", TOO_BIG, "e")], "java.io.IOException"],
      ["an increment", [put(0, "c", "new"), { index: 1, mutation: { row: b("c"), mutate_type: MutationType.INCREMENT, column_value: [] } }], HBaseExceptions.DoNotRetryIOException],
    ];
    for (const [what, action, exception] of failures) {
      const res = await rpc.call("Multi", { regionAction: [{ region: low, atomic: true, action }] });
      expect(res.regionActionResult![0]!.exception?.name, what).toBe(exception);
      expect(res.regionActionResult![0]!.resultOrException ?? [], what).toEqual([]);
      expect(await contents(), what).toEqual(before);
    }
    // a row outside the region (c is in the low region): WrongRegionException, nothing written
    const wrong = await rpc.call("Multi", { regionAction: [{ region: high, atomic: true, action: [put(0, "c", "new")] }] });
    expect(wrong.regionActionResult![0]!.exception?.name).toBe("org.apache.hadoop.hbase.regionserver.WrongRegionException");
    expect(await contents()).toEqual(before);
    expect(calls.put ?? 0).toBe(0);

    // a put and a delete of one row together, next to a non-atomic region action
    const ok = await rpc.call("Multi", {
      regionAction: [
        {
          region: low,
          atomic: true,
          action: [put(0, "c", "new"), { index: 1, mutation: { row: b("c"), mutate_type: MutationType.DELETE, column_value: [{ family: b("e") }] } }],
        },
        { region: high, action: [put(2, "x")] },
      ],
    });
    expect(answers(ok, 0)).toEqual(["0:ok", "1:ok"]);
    expect(answers(ok, 1)).toEqual(["2:ok"]);
    expect(calls.mutateRow).toBe(2); // the value the store refused, and this one
    expect(await contents()).toEqual(["c:d:q=new", "x:d:q=v-x"]);
  }, 60_000);
});
