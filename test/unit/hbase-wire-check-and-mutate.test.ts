/**
 * checkAndMutate mixing puts and deletes over the wire: HBase 2's conditional Multi (`MultiRequest.condition`
 * + one atomic RegionAction, answered with `MultiResponse.processed`). Sluice's wire client
 * (`connect({ zookeeper, root })`) against the local endpoint over an embedded store (real ZooKeeper,
 * real sockets): compat 2 applies all or nothing depending on the condition, atomically with the check;
 * compat 1 refuses it (DoNotRetryIOException), nothing written. Plus the protocol itself through a raw
 * `RpcConnection`: `processed` true/false, and malformed conditional Multis refused.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../src/hbase/connect.js";
import { connectZooKeeper, readMetaRegionServer } from "../../src/hbase/discovery/index.js";
import type { Connection, Mutation } from "../../src/hbase/table.js";
import { HBaseRemoteError } from "../../src/hbase/wire/errors.js";
import { CompareType, encodeComparator, MutationType, RegionSpecifierType, type Action, type Condition, type RegionSpecifier } from "../../src/hbase/wire/hbase-protos.js";
import { META_REGION_NAME, metaSearchKey, metaStopKey } from "../../src/hbase/wire/meta-row.js";
import { RpcConnection } from "../../src/hbase/wire/rpc-connection.js";
import { decodeMetaRegionServer } from "../../src/hbase/wire/zk-envelope.js";
import { serveStore, type ServedStore } from "../support/hbase-backends.js";
import { startZooKeeper, type ZooKeeperServer } from "../support/zookeeper.mjs";

const enc = new TextEncoder();
const b = (s: string) => enc.encode(s);
const text = (u: Uint8Array | undefined) => new TextDecoder().decode(u ?? new Uint8Array());

let zk: ZooKeeperServer | undefined;
const cleanups: Array<() => Promise<unknown> | unknown> = [];

beforeAll(async () => {
  zk = await startZooKeeper();
}, 120_000);
afterAll(async () => {
  await zk?.stop();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Table "t" (families d, e) pre-split at "m" in a fresh store behind an endpoint in `compat`; a wire connection to it. */
async function setup(compat: 1 | 2): Promise<{ served: ServedStore; client: Connection }> {
  if (zk === undefined) throw new Error("ZooKeeper is not running (beforeAll failed)");
  const served = await serveStore({ zookeeper: zk.connectString, compat });
  cleanups.push(() => served.close());
  await served.store.admin.createTable("t", { families: ["d", "e"], splitKeys: ["m"] });
  const client = await connect({ zookeeper: zk.connectString, root: served.root });
  cleanups.push(() => client.close());
  return { served, client };
}

/** Every cell of table t in the store (read directly, not through the wire): "row/family:qualifier=value". */
async function contents(store: Connection): Promise<string[]> {
  const out: string[] = [];
  for await (const r of store.table("t").scan()) for (const c of r.cells) out.push(`${text(r.row)}/${text(c.family)}:${text(c.qualifier)}=${text(c.value)}`);
  return out;
}

const put = (row: string, qualifier: string, value: string, family = "d"): Mutation => ({ kind: "put", row, cells: [{ family, qualifier, value }] });
const delColumn = (row: string, qualifier: string, family = "d"): Mutation => ({ kind: "delete", row, family, qualifier });

/** Puts the starting cells of `row`: d:state=open, d:old=x, e:n=1. */
async function seed(store: Connection, row: string): Promise<void> {
  await store.table("t").putMany([put(row, "state", "open"), put(row, "old", "x"), put(row, "n", "1", "e")]);
}

describe("checkAndMutate mixing puts and deletes, endpoint compat 2 (HBase 2's conditional Multi)", () => {
  it("applies every mutation when the condition holds and none when it does not, in both regions", async () => {
    const { served, client } = await setup(2);
    const t = client.table("t");
    for (const row of ["a", "x"]) {
      await seed(served.store, row);
      const mixed = [put(row, "state", "closed"), delColumn(row, "old"), { kind: "delete", row, family: "e" } as Mutation, put(row, "new", "y")];
      // the condition does not hold: value differs, absent column required, inequality false
      expect(await t.checkAndMutate(row, { family: "d", qualifier: "state", value: "closed" }, mixed)).toBe(false);
      expect(await t.checkAndMutate(row, { family: "d", qualifier: "state" }, mixed)).toBe(false);
      expect(await t.checkAndMutate(row, { family: "d", qualifier: "state", op: "less", value: "a" }, mixed)).toBe(false);
      expect((await contents(served.store)).filter((c) => c.startsWith(`${row}/`))).toEqual([`${row}/d:old=x`, `${row}/d:state=open`, `${row}/e:n=1`]);
      // it holds: all applied together
      expect(await t.checkAndMutate(row, { family: "d", qualifier: "state", op: "greater", value: "a" }, mixed)).toBe(true);
      expect((await contents(served.store)).filter((c) => c.startsWith(`${row}/`))).toEqual([`${row}/d:new=y`, `${row}/d:state=closed`]);
    }
    // "column absent" holds on a new row: a put and a delete of one row applied
    expect(await t.checkAndMutate("c", { family: "d", qualifier: "lock" }, [put("c", "lock", "me"), delColumn("c", "other")])).toBe(true);
    expect(await t.checkAndMutate("c", { family: "d", qualifier: "lock" }, [put("c", "lock", "you"), delColumn("c", "other")])).toBe(false);
    expect((await t.get("c"))?.cells.map((c) => `${text(c.qualifier)}=${text(c.value)}`)).toEqual(["lock=me"]);
  });

  it("is atomic with its check: of many concurrent conditional Multis on one free lock, exactly one applies", async () => {
    const { served, client } = await setup(2);
    await served.store.table("t").put({ row: "lock", cells: [{ family: "d", qualifier: "owner", value: "free" }, { family: "d", qualifier: "stale", value: "1" }] });
    const t = client.table("t");
    const attempts = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        t.checkAndMutate("lock", { family: "d", qualifier: "owner", value: "free" }, [put("lock", "owner", `w${i}`), put("lock", `by-w${i}`, "1"), delColumn("lock", "stale")]),
      ),
    );
    expect(attempts.filter((applied) => applied)).toHaveLength(1);
    const winner = attempts.indexOf(true);
    expect(await contents(served.store)).toEqual([`lock/d:by-w${winner}=1`, `lock/d:owner=w${winner}`]);
  });

  it("bad input is refused with the embedded store's messages and nothing is written", async () => {
    const { served, client } = await setup(2);
    await seed(served.store, "a");
    const t = client.table("t");
    const before = await contents(served.store);
    await expect(t.checkAndMutate("a", { family: "d", qualifier: "state", value: "open" }, [put("a", "q", "v", "zz"), delColumn("a", "old")])).rejects.toThrow(/table t.*zz/);
    await expect(t.checkAndMutate("a", { family: "d", qualifier: "state", value: "open" }, [put("b", "q", "v"), delColumn("a", "old")])).rejects.toThrow("a mutation of row b in an atomic mutation of row a");
    expect(await contents(served.store)).toEqual(before);
  });
});

describe("checkAndMutate mixing puts and deletes, endpoint compat 1", () => {
  it("is refused by the server (DoNotRetryIOException: conditional multi needs HBase 2), nothing written, not retried", async () => {
    const { served, client } = await setup(1);
    await seed(served.store, "a");
    const before = await contents(served.store);
    const error = await client
      .table("t")
      .checkAndMutate("a", { family: "d", qualifier: "state", value: "open" }, [put("a", "state", "closed"), delColumn("a", "old")])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(HBaseRemoteError);
    expect((error as HBaseRemoteError).className).toBe("org.apache.hadoop.hbase.DoNotRetryIOException");
    expect((error as Error).message).toContain("conditional multi needs HBase 2");
    expect(await contents(served.store)).toEqual(before);
    // the single-mutation forms still work in compat 1 (one conditional Mutate)
    expect(await client.table("t").checkAndMutate("a", { family: "d", qualifier: "state", value: "open" }, [put("a", "state", "closed"), put("a", "old", "z")])).toBe(true);
  });
});

describe("the conditional Multi on the wire (raw RpcConnection, compat 2)", () => {
  async function raw() {
    const { served } = await setup(2);
    const session = await connectZooKeeper({ quorum: served.zookeeper, root: served.root });
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
    return { served, rpc, low: await regionOf("a") };
  }
  const equalTo = (row: string, value: string, family = "d"): Condition => ({
    row: b(row),
    family: b(family),
    qualifier: b("state"),
    compare_type: CompareType.EQUAL,
    comparator: encodeComparator("BinaryComparator", { comparable: { value: b(value) } }),
  });
  const putAction = (index: number, row: string, qualifier: string, value: string): Action => ({
    index,
    mutation: { row: b(row), mutate_type: MutationType.PUT, column_value: [{ family: b("d"), qualifier_value: [{ qualifier: b(qualifier), value: b(value) }] }] },
  });
  const deleteAction = (index: number, row: string, qualifier: string): Action => ({
    index,
    mutation: { row: b(row), mutate_type: MutationType.DELETE, column_value: [{ family: b("d"), qualifier_value: [{ qualifier: b(qualifier) }] }] },
  });

  it("answers processed false (no per-action answers) or true (an empty Result per action)", async () => {
    const { served, rpc, low } = await raw();
    await seed(served.store, "a");
    const actions = [putAction(0, "a", "state", "closed"), deleteAction(1, "a", "old")];
    const no = await rpc.call("Multi", { regionAction: [{ region: low, atomic: true, action: actions }], condition: equalTo("a", "closed") });
    expect(no.processed).toBe(false);
    expect(no.regionActionResult).toEqual([{}]);
    const yes = await rpc.call("Multi", { regionAction: [{ region: low, atomic: true, action: actions }], condition: equalTo("a", "open") });
    expect(yes.processed).toBe(true);
    expect(yes.regionActionResult).toEqual([{ resultOrException: [{ index: 0, result: {} }, { index: 1, result: {} }] }]);
    expect(await contents(served.store)).toEqual(["a/d:state=closed", "a/e:n=1"]);
    // a Multi without a condition answers no processed flag
    const plain = await rpc.call("Multi", { regionAction: [{ region: low, action: [putAction(0, "b", "q", "v")] }] });
    expect(plain.processed).toBeUndefined();
  });

  it("refuses malformed conditional Multis, writing nothing", async () => {
    const { served, rpc, low } = await raw();
    await seed(served.store, "a");
    const before = await contents(served.store);
    const actions = [putAction(0, "a", "state", "closed"), deleteAction(1, "a", "old")];
    // not atomic, two region actions: the call fails
    await expect(rpc.call("Multi", { regionAction: [{ region: low, action: actions }], condition: equalTo("a", "open") })).rejects.toThrow(/exactly one atomic region action/);
    await expect(
      rpc.call("Multi", { regionAction: [{ region: low, atomic: true, action: actions }, { region: low, atomic: true, action: actions }], condition: equalTo("a", "open") }),
    ).rejects.toThrow(/exactly one atomic region action/);
    // the condition's row differs, a mutation of another row, an unknown family in the condition, a get: the region action's exception
    const bad: Array<[Action[], Condition, RegExp]> = [
      [actions, equalTo("b", "open"), /condition's row/],
      [[putAction(0, "a", "state", "closed"), deleteAction(1, "b", "old")], equalTo("a", "open"), /same row/],
      [actions, equalTo("a", "open", "zz"), /zz/],
      [[putAction(0, "a", "state", "closed"), { index: 1, get: { row: b("a") } }], equalTo("a", "open"), /no gets/],
    ];
    for (const [action, condition, message] of bad) {
      const res = await rpc.call("Multi", { regionAction: [{ region: low, atomic: true, action }], condition });
      expect(res.processed).toBe(false);
      const exception = res.regionActionResult?.[0]?.exception;
      expect(exception?.name).toMatch(/DoNotRetryIOException|NoSuchColumnFamilyException/);
      expect(text(exception?.value)).toMatch(message);
    }
    expect(await contents(served.store)).toEqual(before);
  });
});
