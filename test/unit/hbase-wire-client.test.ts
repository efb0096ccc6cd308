/**
 * Sluice's native HBase client (src/hbase/backends/wire) against the local endpoint over an embedded
 * store, with a real Apache ZooKeeper, in both compat modes: every Table method through the wire gives
 * what the embedded store gives directly, on a table pre-split in three regions.
 */
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../src/hbase/connect.js";
import type { Result } from "../../src/hbase/result.js";
import type { Connection, ScanOptions, Table } from "../../src/hbase/table.js";
import type { Filter } from "../../src/hbase/filters/filter.js";
import { startLocalEndpoint, type LocalEndpoint } from "../../src/hbase/local-endpoint/index.js";
import { connectZooKeeper, registerMetaRegionServer } from "../../src/hbase/discovery/index.js";
import { encodeMetaRegionServer } from "../../src/hbase/wire/zk-envelope.js";
import { startZooKeeper, type ZooKeeperServer } from "../support/zookeeper.mjs";

const enc = new TextEncoder();
const dec = new TextDecoder();
const b = (s: string) => enc.encode(s);

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

/** Counts the Table API scans the endpoint holds open on the store (its server-side scanners). */
interface ScanCounter {
  open: number;
}

/** The store's connection, with every table's scans counted while open. */
function countingConnection(store: Connection, counter: ScanCounter): Connection {
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key !== "table") return Reflect.get(target, key, receiver);
      return (ref: Parameters<Connection["table"]>[0]) => {
        const table = target.table(ref);
        return new Proxy(table, {
          get(t, k, r) {
            if (k !== "scan") return Reflect.get(t, k, r);
            return (options?: ScanOptions): AsyncIterable<Result> => {
              const inner = t.scan(options);
              return {
                [Symbol.asyncIterator]() {
                  const it = inner[Symbol.asyncIterator]();
                  counter.open++;
                  let done = false;
                  const finish = () => {
                    if (!done) {
                      done = true;
                      counter.open--;
                    }
                  };
                  return {
                    async next() {
                      const step = await it.next();
                      if (step.done) finish();
                      return step;
                    },
                    async return(value?: unknown) {
                      finish();
                      return (await it.return?.(value)) ?? { done: true, value: undefined };
                    },
                  } as AsyncIterator<Result>;
                },
              };
            };
          },
        });
      };
    },
  });
}

interface Setup {
  store: Connection;
  wire: Connection;
  endpoint: LocalEndpoint;
  root: string;
  scans: ScanCounter;
  restart(): Promise<LocalEndpoint>;
}

/**
 * An embedded store with table "t" (families d with 3 versions, e) split at "g" and "p", served by a
 * local endpoint, and a wire connection to it.
 */
async function setup(compat: 1 | 2, wireOptions: { retries?: number; retryPauseMs?: number; operationTimeoutMs?: number } = {}): Promise<Setup> {
  const dir = mkdtempSync(path.join(tmpdir(), "sluice-wire-client-"));
  const store = await connect({ path: dir });
  cleanups.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await store.admin.createTable("t", { families: [{ name: "d", maxVersions: 3 }, "e"], splitKeys: [b("g"), b("p")] });
  const root = `/hbase-wc-${process.pid}-${++rootSeq}`;
  const scans: ScanCounter = { open: 0 };
  const served = countingConnection(store, scans);
  let endpoint = await startLocalEndpoint({ connection: served, zookeeper: zk.connectString, root, compat });
  cleanups.push(() => endpoint.stop());
  const wire = await connect({ zookeeper: zk.connectString, root, retries: 8, retryPauseMs: 20, ...wireOptions });
  cleanups.push(() => wire.close());
  const s: Setup = {
    store,
    wire,
    endpoint,
    root,
    scans,
    async restart() {
      await endpoint.stop();
      endpoint = await startLocalEndpoint({ connection: served, zookeeper: zk.connectString, root, compat });
      s.endpoint = endpoint;
      return endpoint;
    },
  };
  return s;
}

/** A result as plain data, for comparisons. */
function plain(r: Result | undefined) {
  if (r === undefined) return undefined;
  return { row: dec.decode(r.row), cells: r.cells.map((c) => `${dec.decode(c.family)}:${dec.decode(c.qualifier)}@${c.timestamp}=${dec.decode(c.value)}`) };
}

async function rowsOf(table: Table, options?: ScanOptions) {
  const out = [];
  for await (const r of table.scan(options)) out.push(plain(r));
  return out;
}

const ROWS = ["a", "b", "c", "f", "g", "ga", "h", "k", "o", "p", "pa", "q", "x", "z"];

/** Rows in all three regions, several versions in d, some cells in e. */
async function fill(table: Table): Promise<void> {
  await table.putMany(
    ROWS.map((row, i) => ({
      row,
      timestamp: 1000 + i,
      cells: [
        { family: "d", qualifier: "v", value: `${row}-1` },
        { family: "d", qualifier: "n", value: String(i).padStart(3, "0") },
        ...(i % 3 === 0 ? [{ family: "e", qualifier: "w", value: `w${i}` }] : []),
      ],
    })),
  );
  await table.putMany(ROWS.filter((_, i) => i % 2 === 0).map((row) => ({ row, timestamp: 5000, cells: [{ family: "d", qualifier: "v", value: `${row}-2` }] })));
}

const FILTERS: Filter[] = [
  { type: "rowPrefix", prefix: "g" },
  { type: "columnPrefix", prefix: "n" },
  { type: "value", op: "greater", comparator: { type: "binary", value: "005" } },
  { type: "row", op: "lessOrEqual", comparator: { type: "binary", value: "k" } },
  { type: "singleColumnValue", family: "d", qualifier: "n", op: "less", comparator: { type: "binary", value: "007" }, filterIfMissing: true },
  { type: "keyOnly" },
  { type: "page", pageSize: 2 },
  {
    type: "list",
    operator: "mustPassOne",
    filters: [
      { type: "qualifier", op: "equal", comparator: { type: "binary", value: "w" } },
      { type: "list", operator: "mustPassAll", filters: [{ type: "value", op: "equal", comparator: { type: "substring", value: "A-2" } }, { type: "columnPrefix", prefix: "v" }] },
    ],
  },
];

describe.each([1, 2] as const)("the wire client against the local endpoint (compat %i)", (compat) => {
  it("puts, gets and getMany give what the embedded store gives", async () => {
    const s = await setup(compat);
    const wire = s.wire.table("t");
    const direct = s.store.table("t");
    await fill(wire);
    await wire.put({ row: "h", cells: [{ family: "e", qualifier: "one", value: "1", timestamp: 7 }] });
    for (const row of [...ROWS, "missing", "m"]) expect(plain(await wire.get(row))).toEqual(plain(await direct.get(row)));
    const options = [
      { columns: ["d:v"] },
      { columns: ["e"] },
      { columns: ["d:v", "d"] },
      { maxVersions: 3 },
      { maxVersions: 2, timeRange: { min: 1000, max: 5000 } },
      { filter: { type: "columnPrefix", prefix: "n" } as Filter },
    ];
    for (const o of options) {
      expect((await wire.getMany(ROWS, o)).map(plain)).toEqual((await direct.getMany(ROWS, o)).map(plain));
    }
    expect((await wire.getMany(["z", "nope", "a", "a"])).map(plain)).toEqual((await direct.getMany(["z", "nope", "a", "a"])).map(plain));
    expect(await wire.getMany([])).toEqual([]);
  });

  it("scans forward and reversed across regions, with bounds, filters, limits and batch sizes", async () => {
    const s = await setup(compat);
    const wire = s.wire.table("t");
    const direct = s.store.table("t");
    await fill(wire);
    const cases: ScanOptions[] = [
      {},
      { batchSize: 1 },
      { batchSize: 3, limit: 7 },
      { limit: 0 },
      { startRow: "c", stopRow: "pa" },
      { startRow: "g", stopRow: "p", includeStartRow: false, includeStopRow: true },
      { startRow: "ga", batchSize: 2 },
      { stopRow: "h" },
      { prefix: "p" },
      { prefix: "zz" },
      { maxVersions: 3, columns: ["d:v"] },
      { timeRange: { min: 1003, max: 1010 } },
    ];
    for (const base of cases) {
      for (const reversed of [false, true]) {
        const o: ScanOptions = { ...base, reversed };
        if (reversed && base.startRow !== undefined && base.stopRow !== undefined) Object.assign(o, { startRow: base.stopRow, stopRow: base.startRow });
        expect(await rowsOf(wire, o), JSON.stringify(o)).toEqual(await rowsOf(direct, o));
      }
    }
    for (const filter of FILTERS) {
      for (const reversed of [false, true]) {
        for (const batchSize of [1, 100]) {
          const o: ScanOptions = { filter, reversed, batchSize };
          expect(await rowsOf(wire, o), JSON.stringify(o)).toEqual(await rowsOf(direct, o));
        }
      }
    }
    expect(await wire.count({ startRow: "b", stopRow: "q" })).toBe(await direct.count({ startRow: "b", stopRow: "q" }));
    expect(await wire.count()).toBe(ROWS.length);
  });

  it("closes the server's scanner when the consumer stops early, and pulls rows as they are read", async () => {
    const s = await setup(compat);
    const wire = s.wire.table("t");
    await fill(wire);
    for (const reversed of [false, true]) {
      const seen: string[] = [];
      for await (const r of wire.scan({ batchSize: 2, reversed })) {
        seen.push(r.rowKey);
        expect(s.scans.open).toBeLessThanOrEqual(1); // one region's scanner at a time
        if (seen.length === (reversed ? 4 : 5)) {
          expect(s.scans.open).toBe(1); // mid-region: its scanner is open on the server
          break;
        }
      }
      expect(seen).toEqual(reversed ? ["z", "x", "q", "pa"] : ["a", "b", "c", "f", "g"]);
      expect(s.scans.open).toBe(0);
    }
    // A consumer that throws also closes it.
    await expect(
      (async () => {
        for await (const _ of wire.scan({ batchSize: 1 })) throw new Error("consumer failed");
      })(),
    ).rejects.toThrow("consumer failed");
    expect(s.scans.open).toBe(0);
    // Exhausted scanners: HBase 2 closes them itself; on 1.x the client closes them.
    expect((await rowsOf(wire)).length).toBe(ROWS.length);
    await expect.poll(() => s.scans.open, { timeout: 10_000 }).toBe(0);
  });

  it("splitScan gives one part per region, and each part scans through the wire", async () => {
    const s = await setup(compat);
    const wire = s.wire.table("t");
    const direct = s.store.table("t");
    await fill(wire);
    for (const o of [{}, { startRow: "b", stopRow: "h" }, { reversed: true }, { prefix: "p" }] as ScanOptions[]) {
      const parts = await wire.splitScan(o);
      const expected = await direct.splitScan(o);
      expect(parts.map((p) => [dec.decode(p.region.startKey), dec.decode(p.region.endKey)])).toEqual(
        expected.map((p) => [dec.decode(p.region.startKey), dec.decode(p.region.endKey)]),
      );
      const rows = [];
      for (const p of parts) rows.push(...(await rowsOf(wire, p.scan)));
      expect(rows).toEqual(await rowsOf(direct, o));
    }
  });

  it("deletes of every kind, increment, append, checkAndMutate and mutateRow act as on the embedded store", async () => {
    const s = await setup(compat);
    const wire = s.wire.table("t");
    const direct = s.store.table("t");
    await fill(wire);
    await wire.delete({ row: "a" });
    await wire.delete({ row: "c", family: "d" });
    await wire.delete({ row: "g", family: "d", qualifier: "v" });
    await wire.delete({ row: "k", family: "d", qualifier: "v", allVersions: false });
    await wire.delete({ row: "q", family: "d", qualifier: "v", allVersions: false, timestamp: 1011 });
    await wire.delete({ row: "x", family: "d", qualifier: "v", timestamp: 1012 });
    await wire.delete({ row: "z", timestamp: 1013 });
    expect(plain(await wire.get("a"))).toBeUndefined();
    expect(plain(await direct.get("c"))).toBeUndefined();
    expect(plain(await wire.get("g", { maxVersions: 3 }))?.cells).toEqual(["d:n@1004=004"]);
    expect(plain(await wire.get("k", { maxVersions: 3 }))?.cells).toEqual(["d:n@1007=007"]);
    expect(plain(await wire.get("o", { maxVersions: 3 }))?.cells).toEqual(["d:n@1008=008", "d:v@5000=o-2", "d:v@1008=o-1"]);
    expect(plain(await wire.get("q", { maxVersions: 3 }))?.cells).toEqual(["d:n@1011=011"]);
    expect(plain(await wire.get("x", { maxVersions: 3 }))?.cells).toEqual(["d:n@1012=012", "d:v@5000=x-2", "e:w@1012=w12"]);
    expect(plain(await wire.get("z", { maxVersions: 3 }))).toBeUndefined();
    await wire.delete({ row: "o", family: "d", qualifier: "v", allVersions: false });
    expect(plain(await wire.get("o", { maxVersions: 3 }))?.cells).toEqual(["d:n@1008=008", "d:v@1008=o-1"]);

    expect(await wire.increment("h", "d", "cnt")).toBe(1n);
    expect(await wire.increment("h", "d", "cnt", 41n)).toBe(42n);
    expect(await wire.increment("pa", "d", "cnt", -5n)).toBe(-5n);
    expect(await direct.increment("h", "d", "cnt", 0n)).toBe(42n);
    expect(dec.decode(await wire.append("b", "e", "log", "x"))).toBe("x");
    expect(dec.decode(await wire.append("b", "e", "log", "yz"))).toBe("xyz");
    expect((await direct.get("b"))?.get("e:log", "string")).toBe("xyz");
    await expect(wire.increment("b", "e", "log")).rejects.toThrow(/8-byte long/);

    // check-and-mutate, the operand direction as the Table API's: stored <op> value
    const put = (v: string) => [{ kind: "put" as const, row: "o", cells: [{ family: "e", qualifier: "c", value: v }] }];
    expect(await wire.checkAndMutate("o", { family: "e", qualifier: "c" }, put("1"))).toBe(true); // absent
    expect(await wire.checkAndMutate("o", { family: "e", qualifier: "c" }, put("2"))).toBe(false);
    expect(await wire.checkAndMutate("o", { family: "e", qualifier: "c", op: "less", value: "0" }, put("3"))).toBe(false); // "1" < "0"? no
    expect(await wire.checkAndMutate("o", { family: "e", qualifier: "c", op: "less", value: "5" }, put("4"))).toBe(true); // "1" < "5"
    expect(await wire.checkAndMutate("o", { family: "e", qualifier: "c", op: "greater", value: "3" }, put("5"))).toBe(true); // "4" > "3"
    expect(await wire.checkAndMutate("o", { family: "e", qualifier: "c", op: "greaterOrEqual", value: "6" }, put("6"))).toBe(false);
    expect(await wire.checkAndMutate("o", { family: "e", qualifier: "c", op: "lessOrEqual", value: "5" }, put("7"))).toBe(true);
    expect(await wire.checkAndMutate("o", { family: "e", qualifier: "c", op: "notEqual", value: "7" }, put("8"))).toBe(false);
    expect(await wire.checkAndMutate("o", { family: "e", qualifier: "c", op: "equal", value: "7" }, [{ kind: "delete", row: "o", family: "e" }])).toBe(true);
    expect(await wire.checkAndMutate("o", { family: "e", qualifier: "c", op: "equal", value: "7" }, [])).toBe(false);
    expect(await wire.checkAndMutate("o", { family: "d", qualifier: "v", op: "equal", value: "o-1" }, [])).toBe(true);
    expect((await direct.get("o"))?.has("e:c")).toBe(false);

    // mutateRow: puts only, deletes only (each one atomic mutation), and mixed (an atomic Multi)
    await wire.mutateRow("f", [
      { kind: "put", row: "f", cells: [{ family: "e", qualifier: "p1", value: "1" }] },
      { kind: "put", row: "f", cells: [{ family: "e", qualifier: "p2", value: "2" }] },
    ]);
    await wire.mutateRow("f", [
      { kind: "delete", row: "f", family: "e", qualifier: "p1" },
      { kind: "delete", row: "f", family: "d" },
    ]);
    expect(plain(await direct.get("f"))?.cells.map((c) => c.replace(/@\d+/, ""))).toEqual(["e:p2=2", "e:w=w3"]);
    await wire.mutateRow("f", [
      { kind: "delete", row: "f", family: "e", qualifier: "p2", timestamp: 10 ** 13 },
      { kind: "put", row: "f", cells: [{ family: "e", qualifier: "p3", value: "3" }] },
    ]);
    expect(plain(await direct.get("f"))?.cells.map((c) => c.replace(/@\d+/, ""))).toEqual(["e:p3=3", "e:w=w3"]);

    // after all that, both views agree everywhere
    expect(await rowsOf(wire, { maxVersions: 3 })).toEqual(await rowsOf(direct, { maxVersions: 3 }));
  });

  it("checks families against the table as it is now (a table re-created with other families)", async () => {
    const s = await setup(compat);
    const wire = s.wire.table("t");
    await wire.put({ row: "a", cells: [{ family: "d", qualifier: "q", value: "1" }] });
    await expect(wire.put({ row: "a", cells: [{ family: "f", qualifier: "q", value: "1" }] })).rejects.toThrow('table t has no column family "f" (families: d, e)');
    await s.wire.admin.deleteTable("t");
    await expect(wire.get("a")).rejects.toThrow("table t not found");
    await s.wire.admin.createTable("t", { families: ["f"], splitKeys: ["m"] });
    await wire.put({ row: "a", cells: [{ family: "f", qualifier: "q", value: "2" }] });
    await expect(wire.put({ row: "a", cells: [{ family: "d", qualifier: "q", value: "1" }] })).rejects.toThrow('table t has no column family "d" (families: f)');
    expect((await wire.get("a"))?.get("f:q", "string")).toBe("2");
    expect(await rowsOf(wire)).toEqual(await rowsOf(s.store.table("t")));
  });

  it("a big putMany (several Multi calls to one server) keeps the order of each row's puts", async () => {
    const s = await setup(compat);
    const wire = s.wire.table("t");
    const puts = [];
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 300; i++) puts.push({ row: `k${String(i).padStart(3, "0")}`, timestamp: 100, cells: [{ family: "d", qualifier: "v", value: `r${round}` }] });
    }
    await wire.putMany(puts);
    const rows = await s.store.table("t").getMany(puts.slice(0, 300).map((p) => p.row), { maxVersions: 3 });
    // one timestamp: each put overwrites the one before, so the last one given must be what is stored
    for (const r of rows) expect(r?.versions("d:v").map((v) => dec.decode(v.value))).toEqual(["r3"]);
    expect(await wire.count()).toBe(300);
  });

  it("a buffered mutator writes through the wire", async () => {
    const s = await setup(compat);
    const mutator = s.wire.bufferedMutator("t", { maxRows: 7, flushIntervalMs: 0 });
    for (let i = 0; i < 50; i++) await mutator.mutate({ kind: "put", row: `r${String(i).padStart(2, "0")}`, cells: [{ family: "d", qualifier: "i", value: String(i) }] });
    await mutator.mutate({ kind: "delete", row: "r07" });
    await mutator.close();
    const direct = s.store.table("t");
    expect(await direct.count()).toBe(49);
    expect((await direct.get("r42"))?.get("d:i", "string")).toBe("42");
  });

  it("rejects bad input before sending anything, with the embedded store's messages", async () => {
    const s = await setup(compat);
    const wire = s.wire.table("t");
    const direct = s.store.table("t");
    const attempts: Array<(t: Table) => Promise<unknown>> = [
      (t) => t.get(""),
      (t) => t.get("a", { maxVersions: 0 }),
      (t) => t.get("a", { timeRange: { min: 5, max: 1 } }),
      (t) => t.get("a", { filter: { type: "page", pageSize: -1 } as Filter }),
      (t) => t.getMany("a" as unknown as string[]),
      (t) => t.put({ row: "a", cells: [] }),
      (t) => t.put({ row: "a", cells: [{ family: "d", qualifier: "q", value: "v", timestamp: -1 }] }),
      (t) => t.put({ row: "a", cells: [{ family: "d", qualifier: "q", value: 5 as unknown as string }] }),
      (t) => t.putMany([{ row: "a", cells: [{ family: "d", qualifier: "q", value: "ok" }] }, { row: "", cells: [{ family: "d", qualifier: "q", value: "v" }] }]),
      (t) => t.delete({ row: "a", qualifier: "q" } as never),
      (t) => t.increment("a", "d", "q", 1 as unknown as bigint),
      (t) => t.increment("a", "d", "q", 2n ** 63n),
      (t) => t.checkAndMutate("a", { family: "d", qualifier: "q", op: "less" }, []),
      (t) => t.checkAndMutate("a", { family: "d", qualifier: "q", op: "nope" as "less", value: "x" }, []),
      (t) => t.mutateRow("a", [{ kind: "put", row: "b", cells: [{ family: "d", qualifier: "q", value: "v" }] }]),
      (t) => t.mutateRow("a", [{ kind: "upsert" } as never]),
      (t) => t.splitScan({ startRow: 5 as unknown as string }),
    ];
    for (const attempt of attempts) {
      const expected = await attempt(direct).then(
        () => undefined,
        (e: Error) => e.message,
      );
      expect(expected, attempt.toString()).toBeDefined();
      await expect(attempt(wire), attempt.toString()).rejects.toThrow(expected!);
    }
    const scanAttempts: ScanOptions[] = [{ limit: 1.5 }, { batchSize: 0 }, { reversed: "yes" as unknown as boolean }, { startRow: 5 as unknown as string }, { columns: "d" as unknown as string[] }];
    for (const o of scanAttempts) {
      let expected = "";
      try {
        direct.scan(o);
      } catch (e) {
        expected = (e as Error).message;
      }
      expect(expected).not.toBe("");
      expect(() => wire.scan(o)).toThrow(expected);
    }
    // nothing of the rejected calls was written
    expect(await direct.count()).toBe(0);
    // an unknown family: rejected, nothing written
    await expect(wire.putMany([{ row: "a", cells: [{ family: "d", qualifier: "q", value: "ok" }] }, { row: "b", cells: [{ family: "zz", qualifier: "q", value: "v" }] }])).rejects.toThrow(/zz/);
    await expect(wire.get("a", { columns: ["zz"] })).rejects.toThrow(/zz/);
    await expect(s.wire.table("nope").get("a")).rejects.toThrow("table nope not found");
  });
});

describe("the wire client when servers go away", () => {
  it("re-discovers a restarted endpoint through ZooKeeper and loses nothing acknowledged", async () => {
    const s = await setup(2, { retries: 30, retryPauseMs: 20, operationTimeoutMs: 60_000 });
    const wire = s.wire.table("t");
    await fill(wire);
    const before = s.endpoint.port;
    // a scan in progress across the restart continues after its last row
    const it = wire.scan({ batchSize: 2 })[Symbol.asyncIterator]();
    const firstRows = [(await it.next()).value.rowKey, (await it.next()).value.rowKey];
    await s.restart();
    expect(s.endpoint.port).not.toBe(before);
    await wire.put({ row: "zz-after", cells: [{ family: "d", qualifier: "v", value: "1" }] });
    const rest: string[] = [];
    for (let step = await it.next(); !step.done; step = await it.next()) rest.push(step.value.rowKey);
    expect([...firstRows, ...rest]).toEqual([...ROWS, "zz-after"]);
    // writes issued while the endpoint is down complete once it is back
    await s.endpoint.stop();
    const pending = wire.putMany(["b", "h", "q"].map((row) => ({ row, cells: [{ family: "e", qualifier: "late", value: row }] })));
    const restarted = startLocalEndpoint({ connection: s.store, zookeeper: zk.connectString, root: s.root, compat: 2 });
    cleanups.push(async () => (await restarted).stop());
    await pending;
    const direct = s.store.table("t");
    for (const row of ["b", "h", "q"]) expect((await direct.get(row))?.get("e:late", "string")).toBe(row);
    expect(await wire.count()).toBe(ROWS.length + 1);
  });

  it("follows a region split during a scan and afterwards (cached locations evicted and re-located)", async () => {
    for (const compat of [1, 2] as const) {
      const s = await setup(compat);
      const wire = s.wire.table("t");
      await fill(wire);
      for (const reversed of [false, true]) {
        const it = wire.scan({ batchSize: 2, reversed })[Symbol.asyncIterator]();
        const seen = [(await it.next()).value.rowKey, (await it.next()).value.rowKey];
        // split the region being read, and another one, through the wire admin
        await s.wire.admin.splitRegion("t", reversed ? `x${compat}` : `b${compat}`);
        await s.wire.admin.splitRegion("t", reversed ? `c${compat}` : `k${compat}`);
        for (let step = await it.next(); !step.done; step = await it.next()) seen.push(step.value.rowKey);
        expect(seen).toEqual(reversed ? [...ROWS].reverse() : ROWS);
      }
      const regions = (await s.wire.table("t").splitScan()).map((p) => dec.decode(p.region.startKey));
      expect(regions).toEqual(["", `b${compat}`, `c${compat}`, "g", `k${compat}`, "p", `x${compat}`]);
      // gets and puts in every new region go to the right place
      await wire.putMany(ROWS.map((row) => ({ row, cells: [{ family: "e", qualifier: "after", value: row }] })));
      expect((await wire.getMany(ROWS)).map((r) => r?.get("e:after", "string"))).toEqual(ROWS);
      expect(await rowsOf(wire, { maxVersions: 3 })).toEqual(await rowsOf(s.store.table("t"), { maxVersions: 3 }));
    }
  });

  it("gives up after its attempts with an error naming the table, the row and the last cause", async () => {
    const s = await setup(2, { retries: 3, retryPauseMs: 10 });
    const wire = s.wire.table("t");
    await wire.put({ row: "k", cells: [{ family: "d", qualifier: "v", value: "1" }] });
    await s.endpoint.stop();
    const error = await wire.get("k").then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.name).toBe("WireRetriesExhaustedError");
    expect(error?.message).toMatch(/^table t, row k: gave up after 3 attempts in \d+ ms; last error: /);
    const batchError = await wire.getMany(["b", "q"]).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(batchError?.message).toMatch(/^table t, row b: gave up after 3 attempts in \d+ ms; last error: /);
    const scanError = await wire.count().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(scanError?.name).toBe("WireRetriesExhaustedError");
  });

  it("times calls out on a server that never answers, and gives up after the attempts", async () => {
    // a "region server" that accepts connections and reads, but never answers
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on("data", () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          silent.close(() => resolve());
        }),
    );
    const root = `/hbase-silent-${process.pid}`;
    const session = await connectZooKeeper({ quorum: zk.connectString, root });
    cleanups.push(() => session.close());
    const port = (silent.address() as net.AddressInfo).port;
    await registerMetaRegionServer(session, encodeMetaRegionServer({ server: { host_name: "127.0.0.1", port, start_code: 1 } }, "silent"));
    const wire = await connect({ zookeeper: zk.connectString, root, retries: 2, retryPauseMs: 10, callTimeoutMs: 300 });
    cleanups.push(() => wire.close());
    const error = await wire
      .table("t")
      .get("r")
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect(error?.name).toBe("WireRetriesExhaustedError");
    expect(error?.message).toMatch(/^table t, row r: gave up after 2 attempts in \d+ ms; last error: call \d+ \(Scan\) timed out after 300 ms$/);
  });

  it("connect() fails clearly without HBase under the root; calls after close() fail clearly", async () => {
    await expect(connect({ zookeeper: zk.connectString, root: "/no-hbase-here" })).rejects.toThrow("is HBase running? no /no-hbase-here/meta-region-server");
    await expect(connect({ zookeeper: "localhost" })).rejects.toThrow(/zookeeper must be "host:port/);
    await expect(connect({ zookeeper: zk.connectString, retries: 0 })).rejects.toThrow("retries must be an integer ≥ 1");
    const s = await setup(2);
    const table = s.wire.table("t");
    await s.wire.close();
    await expect(table.get("a")).rejects.toThrow(/the connection to HBase at .* is closed/);
    expect(() => s.wire.table("t")).toThrow(/is closed/);
  });
});
