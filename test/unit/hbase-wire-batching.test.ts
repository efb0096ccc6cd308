/**
 * The wire client's cheaper paths (issue 5, helper "wire-finish"):
 * - `putToWire` sends no timestamp for cells without one (the server's time), a given one as is, and
 *   groups cells by family whether the family bytes are the same object or equal copies;
 * - `RowsOfBatches` hands out the rows of batches in order, skips empty batches, and `return()` (a
 *   consumer's break) ends the batch source (its `finally` runs);
 * - putMany / getMany with rows in no order across three regions, a row repeated: against the local
 *   endpoint on a real ZooKeeper, the last put of a row wins and every answer is in the order asked.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../src/hbase/connect.js";
import { putToWire } from "../../src/hbase/backends/wire/wire-codec.js";
import { RowsOfBatches } from "../../src/hbase/backends/wire/wire-scanner.js";
import { startLocalEndpoint } from "../../src/hbase/local-endpoint/index.js";
import { startZooKeeper, type ZooKeeperServer } from "../support/zookeeper.mjs";

const enc = new TextEncoder();
const dec = new TextDecoder();
const family = { name: "d", maxVersions: 1, minVersions: 0, ttlMs: Infinity };
const shape = { label: "t", families: new Map([["d", family], ["e", { ...family, name: "e" }]]) };

describe("putToWire", () => {
  it("omits the timestamp of cells without one, keeps given ones, groups cells by family", () => {
    const { mutation } = putToWire(
      {
        row: "r",
        cells: [
          { family: "d", qualifier: "a", value: "1" },
          { family: "e", qualifier: "b", value: "2", timestamp: 5 },
          { family: enc.encode("d"), qualifier: enc.encode("c"), value: "3" },
        ],
      },
      shape,
    );
    const columns = mutation.column_value ?? [];
    expect(columns.map((c) => dec.decode(c.family))).toEqual(["d", "e"]);
    expect(columns[0]!.qualifier_value!.map((q) => [dec.decode(q.qualifier), "timestamp" in q])).toEqual([
      ["a", false],
      ["c", false],
    ]);
    expect(columns[1]!.qualifier_value![0]!.timestamp).toBe(5n);
    // a row timestamp applies to its cells
    const withRowTs = putToWire({ row: "r", timestamp: 9, cells: [{ family: "d", qualifier: "a", value: "1" }] }, shape);
    expect(withRowTs.mutation.column_value![0]!.qualifier_value![0]!.timestamp).toBe(9n);
  });

  it("still refuses a non-bytes qualifier naming the cell", () => {
    expect(() => putToWire({ row: "r", cells: [{ family: "d", qualifier: 7 as unknown as string, value: "1" }] }, shape)).toThrow(/table t: row r: the qualifier of cell 0/);
  });
});

describe("RowsOfBatches", () => {
  it("hands out the rows of every batch in order, skipping empty ones", async () => {
    async function* batches() {
      yield [1, 2];
      yield [];
      yield [3];
    }
    const out: number[] = [];
    for await (const n of new RowsOfBatches(batches())) out.push(n);
    expect(out).toEqual([1, 2, 3]);
  });

  it("ends the batch source when the consumer stops early", async () => {
    let finished = false;
    let pulled = 0;
    async function* batches() {
      try {
        for (;;) {
          pulled++;
          yield [pulled * 10, pulled * 10 + 1];
        }
      } finally {
        finished = true;
      }
    }
    const out: number[] = [];
    for await (const n of new RowsOfBatches(batches())) {
      out.push(n);
      if (out.length === 3) break;
    }
    expect(out).toEqual([10, 11, 20]);
    expect(finished).toBe(true);
    expect(pulled).toBe(2);
  });
});

describe("batches of rows in no order across regions, through the local endpoint", () => {
  let zk: ZooKeeperServer;
  const cleanups: Array<() => Promise<void> | void> = [];
  beforeAll(async () => {
    zk = await startZooKeeper();
  });
  afterAll(async () => {
    await zk?.stop();
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it("putMany applies each row's puts in order and getMany answers in the order asked", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "sluice-wire-batching-"));
    const store = await connect({ path: dir });
    cleanups.push(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });
    await store.admin.createTable("t", { families: ["d"], splitKeys: [enc.encode("g"), enc.encode("p")] });
    const root = `/hbase-wire-batching-${process.pid}`;
    const endpoint = await startLocalEndpoint({ connection: store, zookeeper: zk.connectString, root });
    cleanups.push(() => endpoint.stop());
    const wire = await connect({ zookeeper: zk.connectString, root });
    cleanups.push(() => wire.close());

    // rows jump between the three regions, "b" twice (the second put must win), then a sorted run
    const order = ["x", "b", "h", "a", "q", "b", "c", "z", "i", ...Array.from({ length: 300 }, (_, i) => `r${String(i).padStart(3, "0")}`)];
    await wire.table("t").putMany(order.map((row, i) => ({ row, cells: [{ family: "d", qualifier: "v", value: `${row}-${i}` }] })));
    expect((await store.table("t").get("b"))?.get("d:v", "string")).toBe("b-5");
    const wanted = ["z", "a", "missing", "h", "b", "r150", "c", "r000", "x", "r299"];
    const got = await wire.table("t").getMany(wanted);
    const lastIndex = (row: string) => order.lastIndexOf(row);
    expect(got.map((r) => r?.get("d:v", "string"))).toEqual(wanted.map((row) => (lastIndex(row) < 0 ? undefined : `${row}-${lastIndex(row)}`)));
    // and a scan sees every row once, in order
    const rows: string[] = [];
    for await (const r of wire.table("t").scan()) rows.push(dec.decode(r.row));
    expect(rows).toEqual([...new Set(order)].sort());
  }, 120_000);
});
