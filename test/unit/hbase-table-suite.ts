/**
 * The Table API suite shared by every backend (issue 5): `describeTableSuite(name, backend)` registers
 * every test of the Table API's behaviour — catalog, writes and reads, deletes, read-modify-write, scans,
 * filters, regions, concurrency, bad input, the buffered mutator — against a fresh store per test from
 * `backend.open()` (test/support/hbase-backends.ts). The embedded store runs it in
 * hbase-embedded.test.ts, Sluice's wire client against the local endpoint in hbase-wire-suite.test.ts.
 * Tests of one backend's internals (the embedded store's key codec, locking, compaction, durability)
 * stay in that backend's files.
 *
 * Tables are set up with `s.admin`: the connection's own admin, or for a backend without admin yet the
 * admin of the store behind it (see `OpenedBackend.admin`).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { codecs } from "../../src/hbase/bytes/value-codecs.js";
import { MAX_VALUE_LENGTH } from "../../src/hbase/backends/embedded/mutation-encoder.js";
import { createBufferedMutator, DEFAULT_MAX_BYTES } from "../../src/hbase/buffered-mutator.js";
import { BufferedMutatorError } from "../../src/hbase/buffered-mutator-error.js";
import type { Filter } from "../../src/hbase/filters/filter.js";
import type { Result } from "../../src/hbase/result.js";
import type { Admin, Connection, Mutation, Put, RowResult, ScanOptions, Table } from "../../src/hbase/table.js";
// The types as users import them from the package ("sluice").
import type { BufferedMutator, BufferedMutatorOptions } from "../../src/index.js";
import type { OpenedBackend, TableBackend } from "../support/hbase-backends.js";
import { seededRandom } from "../support/seeded-random.mjs";

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

/** What the tests of one backend see: the current connection and the setup admin. */
interface SuiteState {
  readonly conn: Connection;
  readonly admin: Admin;
  /** Closes the connection and opens a new one to the same data. */
  reconnect(): Promise<Connection>;
  /** See {@link TableBackend.atomicBatches}. */
  readonly atomicBatches: boolean;
}

/**
 * Registers the whole Table API suite under `describe(name)`: every test gets a fresh store from
 * `backend.open()`, cleaned up after it.
 */
export function describeTableSuite(name: string, backend: TableBackend): void {
  describe(name, () => {
    let opened: OpenedBackend | undefined;
    const s: SuiteState = {
      get conn() {
        return opened!.connection;
      },
      get admin() {
        return opened!.admin;
      },
      reconnect: () => opened!.reconnect(),
      atomicBatches: backend.atomicBatches,
    };
    beforeEach(async () => {
      opened = await backend.open();
    });
    afterEach(async () => {
      await opened?.cleanup();
      opened = undefined;
    });
    writesAndReads(s);
    regions(s);
    concurrency(s);
    badInput(s);
    bufferedMutator(s);
  });
}

// ---------------------------------------------------------------------------------------------------
// Catalog, writes and reads, deletes, read-modify-write, scans, filters (from hbase-embedded.test.ts)

function writesAndReads(s: SuiteState): void {
  async function rows(table: Table, options?: ScanOptions): Promise<RowResult[]> {
    const out: RowResult[] = [];
    for await (const r of table.scan(options)) out.push(r);
    return out;
  }
  const keys = (rs: readonly RowResult[]) => rs.map((r) => Array.from(r.row));
  const values = (r: RowResult | undefined) => (r?.cells ?? []).map((c) => `${text(c.family)}:${text(c.qualifier)}@${c.timestamp}=${text(c.value)}`);

  async function table(families: Parameters<Connection["admin"]["createTable"]>[1]["families"] = ["d"], name = "t"): Promise<Table> {
    await s.admin.createTable(name, { families });
    return s.conn.table(name);
  }

  describe("catalog", () => {
    it("creates, lists, describes, truncates and deletes tables in namespaces", async () => {
      const created = await s.admin.createTable("ns1:events", {
        families: [{ name: "d", maxVersions: 3, minVersions: 1, ttlMs: 60_000 }, "m"],
        splitKeys: ["m", "g"],
      });
      expect(created.families).toEqual([
        { name: "d", maxVersions: 3, minVersions: 1, ttlMs: 60_000 },
        { name: "m", maxVersions: 1, minVersions: 0, ttlMs: Infinity },
      ]);
      expect(created.regions.map((r) => [text(r.startKey), text(r.endKey)])).toEqual([["", "g"], ["g", "m"], ["m", ""]]);
      await s.admin.createTable("plain", { families: ["d"] });
      expect(await s.admin.listTables()).toEqual([{ namespace: "default", name: "plain" }, { namespace: "ns1", name: "events" }]);
      expect(await s.admin.listTables("ns1")).toEqual([{ namespace: "ns1", name: "events" }]);
      expect(await s.admin.tableExists({ namespace: "ns1", name: "events" })).toBe(true);
      expect(await s.admin.tableExists("events")).toBe(false);

      const t = s.conn.table("ns1:events");
      await t.put({ row: "r1", cells: [{ family: "d", qualifier: "a", value: "1" }] });
      await s.admin.truncateTable("ns1:events");
      expect(await t.get("r1")).toBeUndefined();
      expect((await s.admin.describeTable("ns1:events")).regions).toHaveLength(3);
      await t.put({ row: "r2", cells: [{ family: "d", qualifier: "a", value: "2" }] });
      expect(await t.count()).toBe(1);

      await s.admin.deleteTable("ns1:events");
      expect(await s.admin.tableExists("ns1:events")).toBe(false);
      await expect(t.get("r2")).rejects.toThrow("table ns1:events not found");
      // A new table of the same name starts empty.
      await s.admin.createTable("ns1:events", { families: ["d"] });
      expect(await s.conn.table("ns1:events").count()).toBe(0);
    });

    it("rejects bad catalog input with errors naming the problem", async () => {
      await s.admin.createTable("t", { families: ["d"] });
      await expect(s.admin.createTable("t", { families: ["d"] })).rejects.toThrow("table t already exists");
      await expect(s.admin.createTable("u", { families: [] })).rejects.toThrow("at least one column family");
      await expect(s.admin.createTable("u", { families: ["d", "d"] })).rejects.toThrow('"d" is given twice');
      await expect(s.admin.createTable("u", { families: ["a:b"] })).rejects.toThrow('invalid column family name "a:b"');
      await expect(s.admin.createTable("u", { families: [{ name: "d", maxVersions: 0 }] })).rejects.toThrow("maxVersions must be an integer ≥ 1");
      await expect(s.admin.createTable("u", { families: [{ name: "d", maxVersions: 2, minVersions: 3 }] })).rejects.toThrow("minVersions");
      await expect(s.admin.createTable("u", { families: [{ name: "d", ttlMs: -5 }] })).rejects.toThrow("ttlMs");
      await expect(s.admin.createTable("u", { families: ["d"], splitKeys: ["a", "a"] })).rejects.toThrow("duplicate split key a");
      await expect(s.admin.createTable("u", { families: ["d"], splitKeys: [""] })).rejects.toThrow("split key must not be empty");
      await expect(s.admin.createTable("bad name", { families: ["d"] })).rejects.toThrow('invalid table name "bad name"');
      expect(await s.admin.listTables()).toEqual([{ namespace: "default", name: "t" }]);
      await expect(s.admin.describeTable("nope")).rejects.toThrow("table nope not found");
      await expect(s.admin.deleteTable("nope")).rejects.toThrow("table nope not found");
      await expect(s.conn.table("nope").put({ row: "r", cells: [{ family: "d", qualifier: "q", value: "v" }] })).rejects.toThrow("table nope not found");
    });
  });

  describe("writes and reads", () => {
    it("sorts tricky row keys in unsigned byte order (0x00, 0xFF, prefixes) and scans ranges and prefixes exactly", async () => {
      const t = await table();
      const raw = [[0x61], [0x61, 0x00], [0x61, 0x00, 0x00], [0x61, 0x00, 0x01], [0x61, 0x01], [0x61, 0xff], [0x61, 0xff, 0x00], [0x00], [0xff], [0xff, 0xff], [0x62], [0x00, 0x00]];
      await t.putMany(raw.map((r) => ({ row: Uint8Array.from(r), cells: [{ family: "d", qualifier: "", value: "v" }] })));
      const sorted = [...raw].sort((a, b) => {
        for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
        return a.length - b.length;
      });
      expect(keys(await rows(t))).toEqual(sorted);
      expect(keys(await rows(t, { reversed: true }))).toEqual([...sorted].reverse());
      expect(keys(await rows(t, { prefix: Uint8Array.of(0x61, 0x00) }))).toEqual([[0x61, 0x00], [0x61, 0x00, 0x00], [0x61, 0x00, 0x01]]);
      expect(keys(await rows(t, { prefix: Uint8Array.of(0x61, 0xff) }))).toEqual([[0x61, 0xff], [0x61, 0xff, 0x00]]);
      expect(keys(await rows(t, { prefix: Uint8Array.of(0xff) }))).toEqual([[0xff], [0xff, 0xff]]);
      expect(keys(await rows(t, { prefix: Uint8Array.of(0x61, 0x00), reversed: true }))).toEqual([[0x61, 0x00, 0x01], [0x61, 0x00, 0x00], [0x61, 0x00]]);
      expect(keys(await rows(t, { startRow: Uint8Array.of(0x61, 0x00), stopRow: Uint8Array.of(0x61, 0x01) }))).toEqual([[0x61, 0x00], [0x61, 0x00, 0x00], [0x61, 0x00, 0x01]]);
      // Reversed: start is the highest row (inclusive), stop the lowest (exclusive).
      expect(keys(await rows(t, { startRow: Uint8Array.of(0x61, 0x01), stopRow: Uint8Array.of(0x61, 0x00), reversed: true }))).toEqual([[0x61, 0x01], [0x61, 0x00, 0x01], [0x61, 0x00, 0x00]]);
      expect(keys(await rows(t, { startRow: Uint8Array.of(0xff) }))).toEqual([[0xff], [0xff, 0xff]]);
      expect(keys(await rows(t, { limit: 2 }))).toEqual([[0x00], [0x00, 0x00]]);
      expect(keys(await rows(t, { limit: 2, reversed: true, batchSize: 1 }))).toEqual([[0xff, 0xff], [0xff]]);
      expect(await t.count({ batchSize: 3 })).toBe(raw.length);
      expect(await t.count({ prefix: "a", startRow: Uint8Array.of(0x61, 0x01) })).toBe(3);
    });

    it("orders cells by family, qualifier (empty first), timestamp descending; same coordinates overwrite", async () => {
      const t = await table([{ name: "b", maxVersions: 5 }, { name: "a", maxVersions: 5 }]);
      await t.put({
        row: "r",
        timestamp: 10,
        cells: [
          { family: "b", qualifier: "x", value: "bx" },
          { family: "a", qualifier: "y", value: "ay" },
          { family: "a", qualifier: "", value: "a-empty" },
          { family: "a", qualifier: "x", value: "ax10" },
          { family: "a", qualifier: "x", value: "ax20", timestamp: 20 },
          { family: "a", qualifier: "x\u0000", value: "ax0" },
        ],
      });
      await t.put({ row: "r", cells: [{ family: "a", qualifier: "y", value: "ay-new", timestamp: 10 }] });
      expect(values(await t.get("r", { maxVersions: 5 }))).toEqual(["a:@10=a-empty", "a:x@20=ax20", "a:x@10=ax10", "a:x\u0000@10=ax0", "a:y@10=ay-new", "b:x@10=bx"]);
    });

    it("puts without a timestamp take server time", async () => {
      const t = await table();
      const before = Date.now();
      await t.put({ row: "r", cells: [{ family: "d", qualifier: "q", value: "v" }] });
      const after = Date.now();
      const ts = (await t.get("r"))!.cells[0]!.timestamp;
      expect(ts).toBeGreaterThanOrEqual(before);
      expect(ts).toBeLessThanOrEqual(after);
    });

    it("returns at most the family's maxVersions, and the read's maxVersions and time range select among them", async () => {
      const t = await table([{ name: "d", maxVersions: 3 }]);
      for (const ts of [1, 2, 3, 4, 5]) await t.put({ row: "r", timestamp: ts, cells: [{ family: "d", qualifier: "q", value: `v${ts}` }] });
      expect(values(await t.get("r"))).toEqual(["d:q@5=v5"]);
      expect(values(await t.get("r", { maxVersions: 10 }))).toEqual(["d:q@5=v5", "d:q@4=v4", "d:q@3=v3"]);
      expect(values(await t.get("r", { maxVersions: 2 }))).toEqual(["d:q@5=v5", "d:q@4=v4"]);
      // Versions beyond maxVersions stay invisible even when the time range excludes the newer ones.
      expect(await t.get("r", { timeRange: { max: 3 }, maxVersions: 10 })).toBeUndefined();
      expect(values(await t.get("r", { timeRange: { min: 3, max: 5 }, maxVersions: 10 }))).toEqual(["d:q@4=v4", "d:q@3=v3"]);
      expect(values(await t.get("r", { timeRange: { min: 4 } }))).toEqual(["d:q@5=v5"]);
      expect(values(await t.get("r", { timeRange: { max: 5 } }))).toEqual(["d:q@4=v4"]);
    });

    it("hides cells past the TTL, except the newest minVersions", async () => {
      const t = await table([{ name: "d", maxVersions: 5, ttlMs: 60_000 }, { name: "k", maxVersions: 5, minVersions: 2, ttlMs: 60_000 }]);
      const now = Date.now();
      const old = now - 3_600_000;
      await t.put({ row: "r", cells: [
        { family: "d", qualifier: "old", value: "x", timestamp: old },
        { family: "d", qualifier: "fresh", value: "y", timestamp: now },
        { family: "k", qualifier: "q", value: "k1", timestamp: old },
        { family: "k", qualifier: "q", value: "k2", timestamp: old + 1 },
        { family: "k", qualifier: "q", value: "k3", timestamp: old + 2 },
      ] });
      expect(values(await t.get("r", { maxVersions: 5 }))).toEqual([`d:fresh@${now}=y`, `k:q@${old + 2}=k3`, `k:q@${old + 1}=k2`]);
      await t.put({ row: "gone", cells: [{ family: "d", qualifier: "q", value: "v", timestamp: old }] });
      expect(await t.get("gone")).toBeUndefined();
      expect(keys(await rows(t))).toEqual([[0x72]]);
    });

    it("selects families and columns", async () => {
      const t = await table(["a", "b"]);
      await t.put({ row: "r", timestamp: 1, cells: [
        { family: "a", qualifier: "x", value: "1" },
        { family: "a", qualifier: "y", value: "2" },
        { family: "b", qualifier: "x", value: "3" },
      ] });
      expect(values(await t.get("r", { columns: ["b"] }))).toEqual(["b:x@1=3"]);
      expect(values(await t.get("r", { columns: ["a:y", { family: "b", qualifier: "x" }] }))).toEqual(["a:y@1=2", "b:x@1=3"]);
      expect(values(await t.get("r", { columns: ["a:y", "a"] }))).toEqual(["a:x@1=1", "a:y@1=2"]);
      expect(await t.get("r", { columns: ["a:z"] })).toBeUndefined();
      expect(keys(await rows(t, { columns: ["a:z"] }))).toEqual([]);
      const many = await t.getMany(["r", "missing"], { columns: ["a:x"] });
      expect(many.map(values)).toEqual([["a:x@1=1"], []]);
      expect(many[1]).toBeUndefined();
    });

    it("rejects bad reads and writes, writing nothing of a bad batch", async () => {
      const t = await table();
      await expect(t.put({ row: "", cells: [{ family: "d", qualifier: "q", value: "v" }] })).rejects.toThrow("row key must not be empty");
      await expect(t.put({ row: "r", cells: [{ family: "x", qualifier: "q", value: "v" }] })).rejects.toThrow('has no column family "x"');
      await expect(t.put({ row: "r", timestamp: -1, cells: [{ family: "d", qualifier: "q", value: "v" }] })).rejects.toThrow("timestamp must be an integer");
      await expect(t.put({ row: "r", cells: [{ family: "d", qualifier: "q", value: new Uint8Array(10 * 1024 * 1024 + 1) }] })).rejects.toThrow("exceeds the maximum");
      await expect(t.put({ row: "r", cells: [{ family: "d", qualifier: "q", value: 5 as unknown as string }] })).rejects.toThrow("expected bytes");
      await expect(t.putMany([
        { row: "ok", cells: [{ family: "d", qualifier: "q", value: "v" }] },
        { row: "bad", cells: [{ family: "nope", qualifier: "q", value: "v" }] },
      ])).rejects.toThrow("nope");
      expect(await t.count()).toBe(0);
      await expect(t.get("")).rejects.toThrow("row key must not be empty");
      await expect(t.get("r", { columns: ["zz"] })).rejects.toThrow('has no column family "zz"');
      await expect(t.get("r", { maxVersions: 0 })).rejects.toThrow("maxVersions");
      await expect(t.get("r", { timeRange: { min: 5, max: 2 } })).rejects.toThrow("invalid time range");
      expect(() => t.scan({ limit: -1 })).toThrow("limit");
      expect(() => t.scan({ batchSize: 0 })).toThrow("batchSize");
      await expect(t.delete({ row: "r", family: "zz" })).rejects.toThrow('has no column family "zz"');
    });
  });

  describe("deletes (tombstones)", () => {
    async function versioned(): Promise<Table> {
      const t = await table([{ name: "d", maxVersions: 10 }, { name: "e", maxVersions: 10 }]);
      for (const ts of [10, 20, 30]) {
        await t.put({ row: "r", timestamp: ts, cells: [
          { family: "d", qualifier: "a", value: `a${ts}` },
          { family: "d", qualifier: "b", value: `b${ts}` },
          { family: "e", qualifier: "a", value: `e${ts}` },
        ] });
      }
      return t;
    }
    const all = { maxVersions: 10 };

    it("deletes a whole row up to a timestamp; an older put written later stays hidden, a newer one shows", async () => {
      const t = await versioned();
      await t.delete({ row: "r", timestamp: 20 });
      expect(values(await t.get("r", all))).toEqual(["d:a@30=a30", "d:b@30=b30", "e:a@30=e30"]);
      await t.put({ row: "r", timestamp: 15, cells: [{ family: "d", qualifier: "c", value: "late-old" }] });
      expect(values(await t.get("r", { ...all, columns: ["d:c"] }))).toEqual([]);
      await t.delete({ row: "r" });
      expect(await t.get("r", all)).toBeUndefined();
      expect(await t.count()).toBe(0);
      await t.put({ row: "r", timestamp: 5, cells: [{ family: "e", qualifier: "z", value: "old" }] });
      expect(await t.get("r")).toBeUndefined();
      await t.put({ row: "r", timestamp: Date.now() + 60_000, cells: [{ family: "e", qualifier: "z", value: "future" }] });
      expect(values(await t.get("r")).map((v) => v.split("=")[1])).toEqual(["future"]);
    });

    it("deletes a family up to a timestamp", async () => {
      const t = await versioned();
      await t.delete({ row: "r", family: "d", timestamp: 20 });
      expect(values(await t.get("r", all))).toEqual(["d:a@30=a30", "d:b@30=b30", "e:a@30=e30", "e:a@20=e20", "e:a@10=e10"]);
    });

    it("deletes all versions of a column up to a timestamp", async () => {
      const t = await versioned();
      await t.delete({ row: "r", family: "d", qualifier: "a", timestamp: 20 });
      expect(values(await t.get("r", { ...all, columns: ["d"] }))).toEqual(["d:a@30=a30", "d:b@30=b30", "d:b@20=b20", "d:b@10=b10"]);
      await t.put({ row: "r", timestamp: 12, cells: [{ family: "d", qualifier: "a", value: "late" }] });
      expect(values(await t.get("r", { ...all, columns: ["d:a"] }))).toEqual(["d:a@30=a30"]);
    });

    it("deletes one version: exactly the timestamp given, or the latest", async () => {
      const t = await versioned();
      await t.delete({ row: "r", family: "d", qualifier: "a", timestamp: 20, allVersions: false });
      expect(values(await t.get("r", { ...all, columns: ["d:a"] }))).toEqual(["d:a@30=a30", "d:a@10=a10"]);
      // A later put at exactly that timestamp stays hidden; another timestamp is not affected.
      await t.put({ row: "r", timestamp: 20, cells: [{ family: "d", qualifier: "a", value: "again" }] });
      await t.put({ row: "r", timestamp: 21, cells: [{ family: "d", qualifier: "a", value: "a21" }] });
      expect(values(await t.get("r", { ...all, columns: ["d:a"] }))).toEqual(["d:a@30=a30", "d:a@21=a21", "d:a@10=a10"]);
      await t.delete({ row: "r", family: "d", qualifier: "a", allVersions: false });
      expect(values(await t.get("r", { ...all, columns: ["d:a"] }))).toEqual(["d:a@21=a21", "d:a@10=a10"]);
      expect(values(await t.get("r", { columns: ["d:a"] }))).toEqual(["d:a@21=a21"]);
      // Nothing to delete: no error, nothing changes.
      await t.delete({ row: "r", family: "d", qualifier: "none", allVersions: false });
      expect(values(await t.get("r", { ...all, columns: ["d:b"] }))).toHaveLength(3);
    });

    it("deletes one version of every column of a family: exactly the timestamp given (HBase's addFamilyVersion)", async () => {
      const t = await versioned();
      await t.delete({ row: "r", family: "d", timestamp: 20, allVersions: false });
      expect(values(await t.get("r", all))).toEqual(["d:a@30=a30", "d:a@10=a10", "d:b@30=b30", "d:b@10=b10", "e:a@30=e30", "e:a@20=e20", "e:a@10=e10"]);
      // A column written later at exactly that timestamp is hidden too; another timestamp is not.
      await t.put({ row: "r", timestamp: 20, cells: [{ family: "d", qualifier: "c", value: "late" }, { family: "e", qualifier: "c", value: "other-family" }] });
      await t.put({ row: "r", timestamp: 19, cells: [{ family: "d", qualifier: "c", value: "c19" }] });
      expect(values(await t.get("r", { ...all, columns: ["d:c", "e:c"] }))).toEqual(["d:c@19=c19", "e:c@20=other-family"]);
      expect(values(await t.get("r", { columns: ["d:a"] }))).toEqual(["d:a@30=a30"]);
      // Scans see the same cells as gets.
      const scanned: string[] = [];
      for await (const row of t.scan({ maxVersions: 10, columns: ["d"] })) scanned.push(...values(row));
      expect(scanned).toEqual(["d:a@30=a30", "d:a@10=a10", "d:b@30=b30", "d:b@10=b10", "d:c@19=c19"]);
    });

    it("a family delete of one version needs its timestamp, and a bad one changes nothing", async () => {
      const t = await versioned();
      const before = values(await t.get("r", all));
      await expect(t.delete({ row: "r", family: "d", allVersions: false })).rejects.toThrow(/table .*family delete with allVersions: false.*needs a timestamp/);
      await expect(t.mutateRow("r", [{ kind: "delete", row: "r", family: "d", allVersions: false }, { kind: "put", row: "r", cells: [{ family: "d", qualifier: "z", value: "no" }] }]))
        .rejects.toThrow(/needs a timestamp/);
      expect(values(await t.get("r", all))).toEqual(before);
    });

    it("a deleted version does not count toward maxVersions", async () => {
      const t = await table([{ name: "d", maxVersions: 2 }]);
      for (const ts of [1, 2, 3]) await t.put({ row: "r", timestamp: ts, cells: [{ family: "d", qualifier: "q", value: `v${ts}` }] });
      await t.delete({ row: "r", family: "d", qualifier: "q", allVersions: false });
      expect(values(await t.get("r", { maxVersions: 5 }))).toEqual(["d:q@2=v2", "d:q@1=v1"]);
    });
  });

  describe("read-modify-write", () => {
    it("increments 8-byte big-endian longs, concurrently without lost updates", async () => {
      const t = await table();
      expect(await t.increment("r", "d", "n")).toBe(1n);
      expect(await t.increment("r", "d", "n", 41n)).toBe(42n);
      expect(await t.increment("r", "d", "n", -50n)).toBe(-8n);
      expect(Array.from((await t.get("r"))!.cells[0]!.value)).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf8]);
      await Promise.all(Array.from({ length: 50 }, () => t.increment("r", "d", "n")));
      expect(await t.increment("r", "d", "n", 0n)).toBe(42n);
      await t.put({ row: "s", cells: [{ family: "d", qualifier: "n", value: "abc" }] });
      await expect(t.increment("s", "d", "n")).rejects.toThrow("not an 8-byte long");
    });

    it("appends to the latest value", async () => {
      const t = await table();
      expect(text(await t.append("r", "d", "s", "ab"))).toBe("ab");
      await Promise.all(["c", "c", "c"].map((v) => t.append("r", "d", "s", v)));
      expect(text(await t.append("r", "d", "s", "!"))).toBe("abccc!");
      expect(values(await t.get("r")).map((v) => v.split("=")[1])).toEqual(["abccc!"]);
    });

    it("checks and mutates atomically against the latest version", async () => {
      const t = await table();
      const put = (v: string) => ({ kind: "put" as const, row: "r", cells: [{ family: "d", qualifier: "q", value: v }] });
      expect(await t.checkAndMutate("r", { family: "d", qualifier: "q" }, [put("first")])).toBe(true);
      expect(await t.checkAndMutate("r", { family: "d", qualifier: "q" }, [put("second")])).toBe(false);
      expect(await t.checkAndMutate("r", { family: "d", qualifier: "q", value: "nope" }, [put("x")])).toBe(false);
      expect(await t.checkAndMutate("r", { family: "d", qualifier: "q", op: "greater", value: "a" }, [put("third")])).toBe(true);
      expect(await t.checkAndMutate("r", { family: "d", qualifier: "q", op: "less", value: "a" }, [put("x")])).toBe(false);
      expect(values(await t.get("r")).map((v) => v.split("=")[1])).toEqual(["third"]);
      // Only one of many concurrent "create if absent" wins.
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => t.checkAndMutate("s", { family: "d", qualifier: "owner" }, [{ kind: "put", row: "s", cells: [{ family: "d", qualifier: "owner", value: `w${i}` }] }])),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await t.checkAndMutate("r", { family: "d", qualifier: "q", op: "equal", value: "third" }, [{ kind: "delete", row: "r", family: "d", qualifier: "q" }])).toBe(true);
      expect(await t.get("r")).toBeUndefined();
      await expect(t.checkAndMutate("r", { family: "d", qualifier: "q" }, [{ ...put("x"), row: "other" }])).rejects.toThrow("a mutation of row other in an atomic mutation of row r");
    });

    it("mutates a row atomically, or not at all when one mutation is bad", async () => {
      const t = await table(["d", "e"]);
      await t.put({ row: "r", timestamp: 1, cells: [{ family: "e", qualifier: "old", value: "x" }] });
      await t.mutateRow("r", [
        { kind: "put", row: "r", cells: [{ family: "d", qualifier: "a", value: "1" }] },
        { kind: "delete", row: "r", family: "e" },
      ]);
      expect(values(await t.get("r")).map((v) => v.replace(/@\d+/, ""))).toEqual(["d:a=1"]);
      await expect(t.mutateRow("r", [
        { kind: "put", row: "r", cells: [{ family: "d", qualifier: "b", value: "2" }] },
        { kind: "put", row: "r", cells: [{ family: "zz", qualifier: "b", value: "2" }] },
      ])).rejects.toThrow("zz");
      expect(values(await t.get("r")).map((v) => v.replace(/@\d+/, ""))).toEqual(["d:a=1"]);
    });
  });

  describe("scans", () => {
    it("reads lazily in batches and stops when the consumer stops", async () => {
      const t = await table();
      await t.putMany(Array.from({ length: 250 }, (_, i) => ({ row: `r${String(i).padStart(3, "0")}`, cells: [{ family: "d", qualifier: "q", value: String(i) }] })));
      let seen = 0;
      for await (const r of t.scan({ batchSize: 7 })) {
        expect(text(r.row)).toBe(`r${String(seen).padStart(3, "0")}`);
        if (++seen === 20) break;
      }
      expect(seen).toBe(20);
      expect(await t.count({ batchSize: 16 })).toBe(250);
      expect(await t.count({ startRow: "r100", stopRow: "r200" })).toBe(100);
      expect(await t.count({ startRow: "r199", stopRow: "r100", reversed: true })).toBe(99);
      const rowsSeen = keys(await rows(t, { prefix: "r24", reversed: true })).map((k) => text(Uint8Array.from(k)));
      expect(rowsSeen).toEqual(["r249", "r248", "r247", "r246", "r245", "r244", "r243", "r242", "r241", "r240"]);
    });
  });

  describe("filters", () => {
    async function filled(): Promise<Table> {
      const t = await table(["d"]);
      await t.putMany(Array.from({ length: 30 }, (_, i) => ({
        row: `r${String(i).padStart(2, "0")}`,
        timestamp: 1,
        cells: [{ family: "d", qualifier: "n", value: String(i % 3) }, { family: "d", qualifier: "x", value: "xx" }],
      })));
      return t;
    }
    const names = (rs: readonly RowResult[]) => rs.map((r) => text(r.row));

    it("applies a page filter across batches and ends the scan", async () => {
      const t = await filled();
      expect(names(await rows(t, { filter: { type: "page", pageSize: 4 }, batchSize: 3 }))).toEqual(["r00", "r01", "r02", "r03"]);
      expect(names(await rows(t, { filter: { type: "page", pageSize: 2 }, reversed: true }))).toEqual(["r29", "r28"]);
    });

    it("applies single-column-value, key-only and row-prefix filters, also in gets and reversed scans", async () => {
      const t = await filled();
      const scv = { type: "singleColumnValue", family: "d", qualifier: "n", op: "equal", comparator: { type: "binary", value: "2" } } as const;
      expect(names(await rows(t, { filter: scv, stopRow: "r10" }))).toEqual(["r02", "r05", "r08"]);
      expect(await t.get("r03", { filter: scv })).toBeUndefined();
      expect(values(await t.get("r02", { filter: { type: "keyOnly" } }))).toEqual(["d:n@1=", "d:x@1="]);
      expect(names(await rows(t, { filter: { type: "rowPrefix", prefix: "r1" }, reversed: true }))).toEqual(
        ["r19", "r18", "r17", "r16", "r15", "r14", "r13", "r12", "r11", "r10"],
      );
      expect(await t.count({ filter: { type: "list", operator: "mustPassAll", filters: [scv, { type: "rowPrefix", prefix: "r2" }] } })).toBe(4);
    });

    it("rejects an invalid filter before reading", async () => {
      const t = await filled();
      expect(() => t.scan({ filter: { type: "page", pageSize: 0 } })).toThrow("pageSize");
      await expect(t.get("r01", { filter: { type: "nope" } as unknown as { type: "keyOnly" } })).rejects.toThrow("unknown filter type");
    });
  });

  describe("concurrency in one process", () => {
    it(s.atomicBatches ? "concurrent scans see whole batches only, and no write is lost" : "concurrent scans and batches lose no write", async () => {
      const t = await table();
      const writers = Array.from({ length: 20 }, (_, w) =>
        t.putMany(Array.from({ length: 10 }, (_, i) => ({ row: `w${String(w).padStart(2, "0")}-${i}`, cells: [{ family: "d", qualifier: "q", value: "v" }] }))),
      );
      const counts: number[] = [];
      const readers = Array.from({ length: 20 }, () => t.count({ batchSize: 3 }).then((n) => counts.push(n)));
      await Promise.all([...writers, ...readers]);
      // Only a backend with atomic batches promises whole batches to scans running meanwhile.
      if (s.atomicBatches) for (const n of counts) expect(n % 10).toBe(0);
      expect(counts).toHaveLength(20);
      expect(await t.count()).toBe(200);
    });

    it("serialises read-modify-write operations of one row with puts and deletes of it", async () => {
      const t = await table();
      const ops: Promise<unknown>[] = [];
      for (let i = 0; i < 30; i++) {
        ops.push(t.increment("r", "d", "n", 2n));
        ops.push(t.append("r", "d", "s", "x"));
        ops.push(t.put({ row: "r", cells: [{ family: "d", qualifier: `p${i}`, value: "v" }] }));
      }
      await Promise.all(ops);
      expect(await t.increment("r", "d", "n", 0n)).toBe(60n);
      expect(text(await t.append("r", "d", "s", ""))).toBe("x".repeat(30));
      expect((await t.get("r"))!.cells).toHaveLength(32);
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// Regions (from hbase-regions.test.ts)

function regions(s: SuiteState): void {
  async function names(table: Table, options?: ScanOptions): Promise<string[]> {
    const out: string[] = [];
    for await (const r of table.scan(options)) out.push(text(r.row));
    return out;
  }

  const rowNames = Array.from({ length: 30 }, (_, i) => `r${String(i).padStart(2, "0")}`);

  async function splitTable(): Promise<Table> {
    await s.admin.createTable("t", { families: ["d"], splitKeys: ["r10", "r20"] });
    const t = s.conn.table("t");
    await t.putMany(rowNames.map((row, i) => ({ row, timestamp: 1, cells: [{ family: "d", qualifier: "n", value: String(i % 3) }] })));
    return t;
  }

  describe("regions", () => {
    it("are visible in describeTable and cover the key space in order", async () => {
      const d = await s.admin.createTable("t", { families: ["d"], splitKeys: ["m", "c"] });
      expect(d.regions.map((r) => [text(r.startKey), text(r.endKey)])).toEqual([["", "c"], ["c", "m"], ["m", ""]]);
      expect((await s.admin.describeTable("t")).regions).toHaveLength(3);
    });

    it("split a scan into one part per touched region, in scan order, and the parts read the whole scan", async () => {
      const t = await splitTable();
      const whole = await t.splitScan({});
      expect(whole.map((s) => text(s.region.startKey))).toEqual(["", "r10", "r20"]);
      const parts = await t.splitScan({ startRow: "r05", stopRow: "r15" });
      expect(parts.map((s) => text(s.region.startKey))).toEqual(["", "r10"]);
      expect(await Promise.all(parts.map((p) => names(t, p.scan)))).toEqual([
        ["r05", "r06", "r07", "r08", "r09"],
        ["r10", "r11", "r12", "r13", "r14"],
      ]);
      const reversed = await t.splitScan({ startRow: "r25", stopRow: "r08", reversed: true });
      expect(reversed.map((s) => text(s.region.startKey))).toEqual(["r20", "r10", ""]);
      const readBack = (await Promise.all(reversed.map((p) => names(t, p.scan)))).flat();
      expect(readBack).toEqual(await names(t, { startRow: "r25", stopRow: "r08", reversed: true }));
      expect(readBack[0]).toBe("r25");
      expect(readBack.at(-1)).toBe("r09");
      // Row "r1" itself would sort before "r10": the prefix touches the first region too.
      expect((await t.splitScan({ prefix: "r1" })).map((s) => text(s.region.startKey))).toEqual(["", "r10"]);
      expect(await t.splitScan({ prefix: "r15" })).toHaveLength(1);
      expect(await t.splitScan({ startRow: "r10", stopRow: "r10" })).toHaveLength(0);
    });

    it("run filters per region, as region servers do: a page filter passes a page in each region", async () => {
      const t = await splitTable();
      const page = { type: "page", pageSize: 2 } as const;
      expect(await names(t, { filter: page })).toEqual(["r00", "r01", "r10", "r11", "r20", "r21"]);
      expect(await names(t, { filter: page, reversed: true })).toEqual(["r29", "r28", "r19", "r18", "r09", "r08"]);
      expect(await names(t, { filter: page, limit: 3 })).toEqual(["r00", "r01", "r10"]);
      // A filter that is done for good in one region (rows past a prefix) does not end the others.
      expect(await names(t, { filter: { type: "rowPrefix", prefix: "r2" } })).toEqual(rowNames.slice(20));
    });

    it("honour includeStartRow and includeStopRow, forwards and reversed, across region boundaries", async () => {
      const t = await splitTable();
      expect(await names(t, { startRow: "r09", includeStartRow: false, stopRow: "r11", includeStopRow: true })).toEqual(["r10", "r11"]);
      expect(await names(t, { startRow: "r11", includeStartRow: false, stopRow: "r09", includeStopRow: true, reversed: true })).toEqual([
        "r10",
        "r09",
      ]);
      expect(() => t.scan({ includeStartRow: "yes" as unknown as boolean })).toThrow("includeStartRow must be a boolean");
    });
  });

  describe("region scans on the store match the model", () => {
    it("for random bounds over tricky keys", async () => {
      await s.admin.createTable("k", { families: ["d"], splitKeys: [Uint8Array.of(0x01), Uint8Array.of(0x7f, 0x00)] });
      const t = s.conn.table("k");
      const rows = [Uint8Array.of(0x00), Uint8Array.of(0x00, 0x00), Uint8Array.of(0x01), Uint8Array.of(0x7f), Uint8Array.of(0x7f, 0x00), Uint8Array.of(0xff), Uint8Array.of(0xff, 0xff)];
      await t.putMany(rows.map((row) => ({ row, cells: [{ family: "d", qualifier: "q", value: "v" }] })));
      const cases: ScanOptions[] = [
        {},
        { reversed: true },
        { startRow: Uint8Array.of(0x00), includeStartRow: false },
        { startRow: Uint8Array.of(0x7f), stopRow: Uint8Array.of(0x7f, 0x00), includeStopRow: true },
        { startRow: Uint8Array.of(0xff), stopRow: Uint8Array.of(0x00), reversed: true, includeStopRow: true },
        { prefix: Uint8Array.of(0x00) },
        { prefix: Uint8Array.of(0xff), reversed: true },
      ];
      const expected = [
        rows,
        [...rows].reverse(),
        rows.slice(1),
        rows.slice(3, 5),
        rows.slice(0, 6).reverse(),
        rows.slice(0, 2),
        rows.slice(5).reverse(),
      ];
      for (const [i, o] of cases.entries()) {
        const got: RowResult[] = [];
        for await (const r of t.scan(o)) got.push(r);
        expect(got.map((r) => Array.from(r.row)), JSON.stringify(o)).toEqual(expected[i]!.map((r) => Array.from(r)));
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// Concurrent readers and writers (from hbase-concurrency.test.ts)

function concurrency(s: SuiteState): void {
  const cellsOf = (r: Result) => new Map(r.cells.map((c) => [`${text(c.family)}:${text(c.qualifier)}`, text(c.value)]));
  const int64 = (bytes: Uint8Array | undefined) => (bytes === undefined ? 0n : new DataView(bytes.buffer, bytes.byteOffset, 8).getBigInt64(0));


  /**
   * Batches of rows b/<i>/<batch> (crossing the split keys b/3 and b/6 when the table has them), each row
   * naming its batch and the batch size. Returns the batch ids with their sizes.
   */
  async function writeBatches(t: Table, writer: number, count: number, rand: () => number, sizes: Map<string, number>): Promise<void> {
    for (let n = 0; n < count; n++) {
      const id = `w${writer}n${n}`;
      const size = 3 + Math.floor(rand() * 7);
      sizes.set(id, size);
      await t.putMany(
        Array.from({ length: size }, (_, i) => ({
          row: `b/${i}/${id}`,
          cells: [
            { family: "d", qualifier: "batch", value: id },
            { family: "d", qualifier: "size", value: String(size) },
          ],
        })),
      );
    }
  }

  /**
   * The partial batches a scan saw: a batch is whole when all its rows inside the scan's range are there
   * (`inRange(i)`: whether row b/<i>/... is inside it; default all).
   */
  async function partialBatches(t: Table, options: ScanOptions, inRange: (i: number) => boolean = () => true): Promise<string[]> {
    const seen = new Map<string, { size: number; rows: number }>();
    const problems: string[] = [];
    for await (const r of t.scan(options)) {
      const cells = cellsOf(r);
      // Every backend writes each row atomically.
      if (!cells.has("d:batch") || !cells.has("d:size")) {
        problems.push(`row ${text(r.row)} seen without all its cells (scan ${JSON.stringify(options)})`);
        continue;
      }
      const id = cells.get("d:batch")!;
      const entry = seen.get(id) ?? { size: Number(cells.get("d:size")), rows: 0 };
      entry.rows++;
      seen.set(id, entry);
    }
    for (const [id, { size, rows }] of seen) {
      const wanted = Array.from({ length: size }, (_, i) => i).filter(inRange).length;
      if (rows !== wanted) problems.push(`${id}: ${rows} of its ${wanted} rows in range (scan ${JSON.stringify(options)})`);
    }
    return problems;
  }

  async function scansSeeWholeBatches(splitKeys: string[]): Promise<void> {
    await s.admin.createTable("c", { families: ["d"], splitKeys });
    const t = s.conn.table("c");
    const sizes = new Map<string, number>();
    let writing = true;
    const writers = Array.from({ length: 4 }, (_, w) => writeBatches(t, w, 40, seededRandom(w + 1), sizes));
    const problems: string[] = [];
    let scans = 0;
    const scanShapes: [ScanOptions, (i: number) => boolean][] = [
      [{ prefix: "b/", batchSize: 2 }, () => true],
      [{ reversed: true, batchSize: 3 }, () => true],
      [{ startRow: "b/1", stopRow: "b/8", batchSize: 5 }, (i) => i >= 1 && i < 8],
      // Reversed: rows below "b/7" (so not b/7/...) down to above "b/2" (so b/2/... is in).
      [{ startRow: "b/7", stopRow: "b/2", reversed: true, batchSize: 4 }, (i) => i >= 2 && i < 7],
      [{}, () => true],
    ];
    const readers = scanShapes.map(async ([options, inRange]) => {
      while (writing) {
        // A backend without atomic batches may show part of a batch written meanwhile, never part of a row.
        const found = await partialBatches(t, options, inRange);
        problems.push(...(s.atomicBatches ? found : found.filter((p) => p.startsWith("row "))));
        scans++;
      }
    });
    await Promise.all(writers);
    writing = false;
    await Promise.all(readers);
    expect(problems).toEqual([]);
    expect(scans).toBeGreaterThan(4);
    expect(await partialBatches(t, {})).toEqual([]);
    expect(await t.count()).toBe([...sizes.values()].reduce((a, b) => a + b, 0));
  }

  describe("concurrent readers and writers in one process", () => {
    const seeWhole = s.atomicBatches ? "see each batch whole or not at all" : "see every row whole, and every batch once written";
    it(`scans running during putMany batches ${seeWhole} (one region)`, async () => {
      await scansSeeWholeBatches([]);
    });

    it(`scans running during putMany batches ${seeWhole} (batches crossing three regions)`, async () => {
      await scansSeeWholeBatches(["b/3", "b/6"]);
    });

    it("loses no increment of shared counters, while deletes and puts of the same rows run", async () => {
      await s.admin.createTable("c", { families: ["d"] });
      const t = s.conn.table("c");
      const COUNTERS = 3;
      const expected = Array.from({ length: COUNTERS }, () => 0n);
      const returned: bigint[][] = Array.from({ length: COUNTERS }, () => []);
      let writing = true;
      const incrementers = Array.from({ length: 8 }, async (_, w) => {
        const rand = seededRandom(100 + w);
        for (let n = 0; n < 60; n++) {
          const counter = Math.floor(rand() * COUNTERS);
          const amount = BigInt(1 + Math.floor(rand() * 3));
          expected[counter]! += amount;
          returned[counter]!.push(await t.increment(`i/${counter}`, "d", "n", amount));
        }
      });
      // Other writers of the counter rows: puts and deletes of other columns must not disturb "n".
      const others = Array.from({ length: 2 }, async (_, w) => {
        for (let n = 0; n < 60; n++) {
          const row = `i/${n % COUNTERS}`;
          await t.put({ row, cells: [{ family: "d", qualifier: `tmp${w}`, value: String(n) }] });
          await t.delete({ row, family: "d", qualifier: `tmp${w}` });
        }
      });
      // Readers: a counter never goes down, in gets, getMany and scans.
      const regressions: string[] = [];
      const readers = Array.from({ length: 3 }, async (_, r) => {
        const last = Array.from({ length: COUNTERS }, () => 0n);
        const note = (counter: number, value: bigint) => {
          if (value < last[counter]!) regressions.push(`reader ${r}: counter ${counter} went from ${last[counter]} to ${value}`);
          last[counter] = value;
        };
        while (writing) {
          const rows = await t.getMany(Array.from({ length: COUNTERS }, (_, c) => `i/${c}`), { columns: ["d:n"] });
          rows.forEach((row, c) => note(c, int64(row?.cells[0]?.value)));
          for await (const row of t.scan({ prefix: "i/", columns: ["d:n"], batchSize: 1 })) note(Number(text(row.row).slice(2)), int64(row.cells[0]!.value));
        }
      });
      await Promise.all([...incrementers, ...others]);
      writing = false;
      await Promise.all(readers);

      expect(regressions).toEqual([]);
      for (let c = 0; c < COUNTERS; c++) {
        const row = await t.get(`i/${c}`);
        expect(row?.cells.map((cell) => `${text(cell.family)}:${text(cell.qualifier)}`)).toEqual(["d:n"]);
        expect(int64(row!.cells[0]!.value)).toBe(expected[c]);
        // Serialised read-modify-write: every increment returned a different running total.
        expect(new Set(returned[c]).size).toBe(returned[c]!.length);
      }
    });

    it("a lock built on checkAndMutate admits one holder at a time", async () => {
      await s.admin.createTable("c", { families: ["l", "d"] });
      const t = s.conn.table("c");
      // "free" rather than a deleted column: a delete marker at time T would also hide a put at the same T.
      await t.put({ row: "lock", cells: [{ family: "l", qualifier: "owner", value: "free" }] });
      await t.put({ row: "guarded", cells: [{ family: "d", qualifier: "n", value: "0" }] });
      const ownerIs = (value: string) => ({ family: "l", qualifier: "owner", op: "equal" as const, value });
      const setOwner = (value: string) => [{ kind: "put" as const, row: "lock", cells: [{ family: "l", qualifier: "owner", value }] }];
      let holder: string | undefined;
      const overlaps: string[] = [];
      let acquisitions = 0;
      let refusals = 0;
      const workers = Array.from({ length: 10 }, async (_, w) => {
        const me = `worker${w}`;
        for (let done = 0; done < 8; ) {
          if (!(await t.checkAndMutate("lock", ownerIs("free"), setOwner(me)))) {
            refusals++;
            continue;
          }
          acquisitions++;
          if (holder !== undefined) overlaps.push(`${me} acquired while ${holder} held the lock`);
          holder = me;
          // A non-atomic read-modify-write, safe only under the lock; other workers run meanwhile.
          const n = Number(text((await t.get("guarded"))!.cells[0]!.value));
          await t.put({ row: "guarded", cells: [{ family: "d", qualifier: "n", value: String(n + 1) }] });
          if (holder !== me) overlaps.push(`${holder} took the lock from ${me}`);
          holder = undefined;
          expect(await t.checkAndMutate("lock", ownerIs(me), setOwner("free"))).toBe(true);
          done++;
        }
      });
      await Promise.all(workers);
      expect(overlaps).toEqual([]);
      expect(acquisitions).toBe(80);
      // The workers did contend (otherwise exclusivity was never tested).
      expect(refusals).toBeGreaterThan(0);
      expect(text((await t.get("guarded"))!.cells[0]!.value)).toBe("80");
      expect(text((await t.get("lock"))!.cells[0]!.value)).toBe("free");
    });

    it("deletes racing with puts of other rows and with scans remove exactly what they name", async () => {
      await s.admin.createTable("c", { families: ["d"], splitKeys: ["x/5"] });
      const t = s.conn.table("c");
      const ROWS = 100;
      await t.putMany(Array.from({ length: ROWS }, (_, i) => ({ row: `x/${i}`, cells: [{ family: "d", qualifier: "q", value: "v" }, { family: "d", qualifier: "keep", value: "k" }] })));
      const deleted = new Set<number>();
      const columnDeleted = new Set<number>();
      let writing = true;
      const deleters = Array.from({ length: 4 }, async (_, w) => {
        for (let i = w; i < ROWS; i += 4) {
          if (i % 3 === 0) {
            await t.delete({ row: `x/${i}` });
            deleted.add(i);
          } else if (i % 3 === 1) {
            await t.delete({ row: `x/${i}`, family: "d", qualifier: "q" });
            columnDeleted.add(i);
          }
        }
      });
      const putters = Array.from({ length: 2 }, async (_, w) => {
        for (let n = 0; n < 50; n++) await t.put({ row: `y/${w}/${n}`, cells: [{ family: "d", qualifier: "q", value: "v" }] });
      });
      const problems: string[] = [];
      const reader = (async () => {
        while (writing) {
          for await (const r of t.scan({ prefix: "x/", batchSize: 7 })) {
            // A row is never seen half-deleted: "keep" is there whenever the row is.
            if (!cellsOf(r).has("d:keep")) problems.push(`row ${text(r.row)} seen without d:keep`);
          }
        }
      })();
      await Promise.all([...deleters, ...putters]);
      writing = false;
      await reader;
      expect(problems).toEqual([]);
      for (let i = 0; i < ROWS; i++) {
        const row = await t.get(`x/${i}`);
        const columns = row === undefined ? [] : [...cellsOf(row).keys()];
        const want = deleted.has(i) ? [] : columnDeleted.has(i) ? ["d:keep"] : ["d:keep", "d:q"];
        expect(columns, `row x/${i}`).toEqual(want);
      }
      expect(await t.count({ prefix: "y/" })).toBe(100);
    });

    it("close() while writes and scans are in flight: each write either completes (and survives reopening) or fails saying the connection is closed", async () => {
      await s.admin.createTable("c", { families: ["d"] });
      const c = s.conn;
      const t = c.table("c");
      await t.putMany(Array.from({ length: 300 }, (_, i) => ({ row: `s/${String(i).padStart(3, "0")}`, cells: [{ family: "d", qualifier: "q", value: "v" }] })));
      const outcomes: Promise<string>[] = [];
      const settle = (p: Promise<unknown>, label: string) =>
        p.then(
          () => `ok ${label}`,
          (error: Error) => (/is closed/.test(error.message) ? `closed ${label}` : `error ${label}: ${error.message}`),
        );
      for (let i = 0; i < 200; i++) {
        outcomes.push(settle(t.put({ row: `w/${i}`, cells: [{ family: "d", qualifier: "q", value: "v" }] }), `put w/${i}`));
        if (i % 20 === 0) outcomes.push(settle(t.increment("n", "d", "n"), `increment ${i}`));
        if (i % 50 === 0) {
          outcomes.push(
            settle(
              (async () => {
                for await (const _row of t.scan({ batchSize: 5 })) await Promise.resolve();
              })(),
              `scan ${i}`,
            ),
          );
        }
        if (i === 100) outcomes.push(settle(c.close(), "close"));
      }
      const results = await Promise.all(outcomes);
      expect(results.filter((r) => r.startsWith("error"))).toEqual([]);
      expect(results).toContain("ok close");
      const written = results.filter((r) => r.startsWith("ok put")).map((r) => r.slice("ok put ".length));
      const increments = results.filter((r) => r.startsWith("ok increment")).length;
      const again = await s.reconnect();
      const rows: string[] = [];
      for await (const r of again.table("c").scan({ prefix: "w/" })) rows.push(text(r.row));
      expect(rows.sort()).toEqual(written.sort());
      const counter = await again.table("c").get("n");
      expect(int64(counter?.cells[0]?.value)).toBe(BigInt(increments));
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// Bad input (from hbase-bad-input.test.ts)

function badInput(s: SuiteState): void {
  let t: Table;

  /** Input of unchecked type, as untyped notebook code may pass it. */
  const bad = <T>(value: unknown): T => value as T;
  const MAX_ROW = 32767;
  const longRow = "r".repeat(MAX_ROW + 1);
  const cell = (family = "d", qualifier = "q", value: unknown = "v") => ({ family, qualifier, value: bad<string>(value) });

  /** A case: the call, and patterns its error message must all match. */
  type Case = [name: string, call: () => unknown, ...patterns: (string | RegExp)[]];

  /**
   * Runs each case (a sync throw, a rejection, or an error while reading the first row of a scan all
   * count) and returns a line for every case that did not fail, or failed with a message missing a pattern.
   */
  async function mismatches(cases: readonly Case[]): Promise<string[]> {
    const out: string[] = [];
    for (const [name, call, ...patterns] of cases) {
      let error: unknown;
      try {
        const result = call();
        if (result !== null && typeof result === "object" && Symbol.asyncIterator in result) {
          for await (const _row of result as AsyncIterable<unknown>) break;
        } else {
          await result;
        }
      } catch (e) {
        error = e;
      }
      if (error === undefined) {
        out.push(`${name}: no error`);
        continue;
      }
      const message = error instanceof Error ? error.message : String(error);
      const missing = patterns.filter((p) => (typeof p === "string" ? !message.includes(p) : !p.test(message)));
      if (missing.length > 0) out.push(`${name}: message ${JSON.stringify(message)} does not name ${missing.map(String).join(", ")}`);
    }
    return out;
  }

  /** Everything stored in table t, as "row/family:qualifier@ts=value" (all versions). */
  async function contents(table: Table = t): Promise<string[]> {
    const out: string[] = [];
    for await (const r of table.scan({ maxVersions: 10 })) {
      for (const c of r.cells) out.push(`${text(r.row)}/${text(c.family)}:${text(c.qualifier)}@${c.timestamp}=${Array.from(c.value).join(",")}`);
    }
    return out;
  }

  describe("bad input", () => {
    beforeEach(async () => {
      await s.admin.createTable("t", { families: ["d", "e"] });
      t = s.conn.table("t");
      // One existing row, so "nothing written" also means "nothing changed".
      await t.put({ row: "existing", timestamp: 5, cells: [{ family: "d", qualifier: "q", value: "old" }, { family: "e", qualifier: "n", value: codecs.int64.encode(7n) }] });
    });

    describe("unknown tables", () => {
      it("every Table method on a missing table says which table is not found", async () => {
        const nope = s.conn.table("nope");
        const ns = s.conn.table("ns1:nope");
        const put: Put = { row: "r", cells: [cell()] };
        const m: Mutation = { kind: "put", ...put };
        expect(
          await mismatches([
            ["get", () => nope.get("r"), "table nope not found"],
            ["getMany", () => nope.getMany(["r"]), "table nope not found"],
            ["scan", () => nope.scan(), "table nope not found"],
            ["count", () => nope.count(), "table nope not found"],
            ["splitScan", () => nope.splitScan(), "table nope not found"],
            ["put", () => nope.put(put), "table nope not found"],
            ["putMany", () => nope.putMany([put]), "table nope not found"],
            ["delete", () => nope.delete({ row: "r" }), "table nope not found"],
            ["increment", () => nope.increment("r", "d", "n"), "table nope not found"],
            ["append", () => nope.append("r", "d", "q", "x"), "table nope not found"],
            ["checkAndMutate", () => nope.checkAndMutate("r", { family: "d", qualifier: "q" }, [m]), "table nope not found"],
            ["mutateRow", () => nope.mutateRow("r", [m]), "table nope not found"],
            ["get in a namespace", () => ns.get("r"), "table ns1:nope not found"],
            ["describeTable", () => s.admin.describeTable("nope"), "table nope not found"],
            ["deleteTable", () => s.admin.deleteTable("ns1:nope"), "table ns1:nope not found"],
            ["truncateTable", () => s.admin.truncateTable("nope"), "table nope not found"],
            ["compact", () => s.admin.compact("nope"), "table nope not found"],
          ]),
        ).toEqual([]);
        expect(await s.admin.tableExists("nope")).toBe(false);
        expect(await s.admin.listTables()).toEqual([{ namespace: "default", name: "t" }]);
      });

      it("table names that are not names are refused, naming the name", async () => {
        expect(
          await mismatches([
            ["empty name", () => s.conn.table(""), 'invalid table name ""'],
            ["space", () => s.conn.table("a b"), 'invalid table name "a b"'],
            ["empty namespace", () => s.conn.table(":t"), /invalid namespace ""/],
            ["empty name in a namespace", () => s.conn.table("ns:"), 'invalid table name ""'],
            ["two colons", () => s.conn.table("a:b:c"), 'invalid table name "b:c"'],
            ["leading dot", () => s.conn.table(".t"), 'invalid table name ".t"'],
            ["256 characters", () => s.conn.table("x".repeat(256)), "invalid table name", "at most 255"],
            ["null", () => s.conn.table(bad(null)), "a table is named by a string", "got null"],
            ["number", () => s.conn.table(bad(5)), "a table is named by a string", "got 5"],
            ["object without a name", () => s.conn.table(bad({ namespace: "ns" })), "a table is named by a string"],
            ["tableExists(null)", () => s.admin.tableExists(bad(null)), "a table is named by a string"],
            ["describeTable(5)", () => s.admin.describeTable(bad(5)), "a table is named by a string"],
            ["deleteTable of a bad name", () => s.admin.deleteTable("bad name"), 'invalid table name "bad name"'],
            ["createTable of a bad name", () => s.admin.createTable("ns:bad name", { families: ["d"] }), 'invalid table name "bad name"'],
            ["listTables of a namespace that is not a string", () => s.admin.listTables(bad(5)), /namespace/],
          ]),
        ).toEqual([]);
      });
    });

    describe("createTable options (nothing created)", () => {
      it("names the option and creates no table", async () => {
        expect(
          await mismatches([
            ["options null", () => s.admin.createTable("u", bad(null)), "createTable u", "families"],
            ["families not an array", () => s.admin.createTable("u", bad({ families: "d" })), "createTable u", "families"],
            ["a family that is a number", () => s.admin.createTable("u", bad({ families: [5] })), "table u", "column family"],
            ["a family that is null", () => s.admin.createTable("u", bad({ families: [null] })), "table u", "column family"],
            ["an empty family name", () => s.admin.createTable("u", { families: [""] }), 'invalid column family name ""'],
            ["a family name with a control character", () => s.admin.createTable("u", { families: ["a\u0001"] }), "invalid column family name"],
            ["maxVersions 1.5", () => s.admin.createTable("u", { families: [{ name: "d", maxVersions: 1.5 }] }), "family d", "maxVersions", "1.5"],
            ["maxVersions as a string", () => s.admin.createTable("u", { families: [{ name: "d", maxVersions: bad("3") }] }), "family d", "maxVersions"],
            ["minVersions -1", () => s.admin.createTable("u", { families: [{ name: "d", minVersions: -1 }] }), "family d", "minVersions"],
            ["ttlMs NaN", () => s.admin.createTable("u", { families: [{ name: "d", ttlMs: NaN }] }), "family d", "ttlMs", "NaN"],
            ["ttlMs 0", () => s.admin.createTable("u", { families: [{ name: "d", ttlMs: 0 }] }), "family d", "ttlMs"],
            ["ttlMs 1.5", () => s.admin.createTable("u", { families: [{ name: "d", ttlMs: 1.5 }] }), "family d", "ttlMs"],
            ["splitKeys not an array", () => s.admin.createTable("u", { families: ["d"], splitKeys: bad("k") }), "u", /split ?keys/i],
            ["a split key that is a number", () => s.admin.createTable("u", { families: ["d"], splitKeys: bad([5]) }), "u", /split key/i],
            ["a split key that is null", () => s.admin.createTable("u", { families: ["d"], splitKeys: bad([null]) }), "u", /split key/i],
            ["an existing table", () => s.admin.createTable("t", { families: ["x"] }), "table t already exists"],
          ]),
        ).toEqual([]);
        expect(await s.admin.listTables()).toEqual([{ namespace: "default", name: "t" }]);
        // The existing table kept its families.
        expect((await s.admin.describeTable("t")).families.map((f) => f.name)).toEqual(["d", "e"]);
      });
    });

    describe("unknown families", () => {
      it("every method that takes a family names the table and the family", async () => {
        const family = 'table t has no column family "zz" (families: d, e)';
        const put = (f: string): Mutation => ({ kind: "put", row: "existing", cells: [cell(f)] });
        expect(
          await mismatches([
            ["put", () => t.put({ row: "existing", cells: [cell("zz")] }), family],
            ["putMany", () => t.putMany([{ row: "existing", cells: [cell("zz")] }]), family],
            ["delete of a family", () => t.delete({ row: "existing", family: "zz" }), family],
            ["delete of a column", () => t.delete({ row: "existing", family: "zz", qualifier: "q" }), family],
            ["delete of one version", () => t.delete({ row: "existing", family: "zz", qualifier: "q", allVersions: false }), family],
            ["increment", () => t.increment("existing", "zz", "n"), family],
            ["append", () => t.append("existing", "zz", "q", "x"), family],
            ["checkAndMutate condition", () => t.checkAndMutate("existing", { family: "zz", qualifier: "q" }, [put("d")]), family],
            ["checkAndMutate mutation", () => t.checkAndMutate("existing", { family: "d", qualifier: "q", value: "old" }, [put("zz")]), family],
            ["mutateRow put", () => t.mutateRow("existing", [put("d"), put("zz")]), family],
            ["mutateRow delete", () => t.mutateRow("existing", [put("d"), { kind: "delete", row: "existing", family: "zz" }]), family],
            ["get columns family", () => t.get("existing", { columns: ["zz"] }), family],
            ["get columns family:qualifier", () => t.get("existing", { columns: ["zz:q"] }), family],
            ["get columns object", () => t.get("existing", { columns: [{ family: "zz", qualifier: "q" }] }), family],
            ["getMany columns", () => t.getMany(["existing"], { columns: ["d", "zz"] }), family],
            ["scan columns", () => t.scan({ columns: ["zz:q"] }), family],
            ["count columns", () => t.count({ columns: ["zz"] }), family],
            ["family given as bytes", () => t.put({ row: "existing", cells: [{ family: new TextEncoder().encode("zz"), qualifier: "q", value: "v" }] }), family],
            ["family of another case", () => t.put({ row: "existing", cells: [cell("D")] }), 'no column family "D"'],
          ]),
        ).toEqual([]);
        expect(await contents()).toEqual(["existing/d:q@5=111,108,100", "existing/e:n@5=0,0,0,0,0,0,0,7"]);
      });
    });

    describe("row keys", () => {
      it("an empty, oversized or non-bytes row key is refused by every method, naming the table and the row key", async () => {
        const empty = "the row key must not be empty";
        const long = `row key of ${MAX_ROW + 1} bytes is longer than ${MAX_ROW}`;
        const m = (row: unknown): Mutation => ({ kind: "put", row: bad(row), cells: [cell()] });
        const cases: Case[] = [];
        for (const [label, row, what] of [
          ["empty", "", empty],
          ["empty bytes", new Uint8Array(0), empty],
          ["oversized", longRow, long],
        ] as const) {
          cases.push(
            [`get ${label}`, () => t.get(row), "table t", what],
            [`getMany ${label}`, () => t.getMany(["existing", row]), "table t", what],
            [`put ${label}`, () => t.put({ row, cells: [cell()] }), "table t", what],
            [`putMany ${label}`, () => t.putMany([{ row, cells: [cell()] }]), "table t", what],
            [`delete ${label}`, () => t.delete({ row }), "table t", what],
            [`increment ${label}`, () => t.increment(row, "d", "n"), "table t", what],
            [`append ${label}`, () => t.append(row, "d", "q", "x"), "table t", what],
            [`checkAndMutate ${label}`, () => t.checkAndMutate(row, { family: "d", qualifier: "q" }, [m(row)]), "table t", what],
            [`mutateRow ${label}`, () => t.mutateRow(row, [m(row)]), "table t", what],
            [`mutateRow with a ${label} mutation row`, () => t.mutateRow("existing", [m("existing"), m(row)]), "table t", what],
          );
        }
        for (const [label, row] of [["null", null], ["undefined", undefined], ["a number", 5], ["an array", [1, 2]]] as const) {
          cases.push(
            [`get ${label}`, () => t.get(bad(row)), "table t", /row/],
            [`put ${label}`, () => t.put({ row: bad(row), cells: [cell()] }), "table t", /row/],
            [`delete ${label}`, () => t.delete({ row: bad(row) }), "table t", /row/],
            [`increment ${label}`, () => t.increment(bad(row), "d", "n"), "table t", /row/],
            [`mutateRow ${label}`, () => t.mutateRow(bad(row), [m("existing")]), "table t", /row/],
          );
        }
        cases.push(
          ["getMany of a string", () => t.getMany(bad("existing")), "table t", "getMany takes an array"],
          ["scan startRow a number", () => t.scan({ startRow: bad(5) }), /startRow/],
          ["scan stopRow null", () => t.scan({ stopRow: bad(null) }), /stopRow/],
          ["scan prefix an object", () => t.scan({ prefix: bad({}) }), /prefix/],
        );
        expect(await mismatches(cases)).toEqual([]);
        expect(await contents()).toEqual(["existing/d:q@5=111,108,100", "existing/e:n@5=0,0,0,0,0,0,0,7"]);
      });

      it("takes a row key of exactly 32767 bytes (HBase's maximum)", async () => {
        const row = "r".repeat(MAX_ROW);
        await t.put({ row, cells: [cell()] });
        expect(text((await t.get(row))!.row)).toBe(row);
        expect(await t.increment(row, "d", "n")).toBe(1n);
        await t.delete({ row });
        expect(await t.get(row)).toBeUndefined();
      });
    });

    describe("cells and values", () => {
      it("malformed puts, oversized and non-bytes values are refused naming the table, the row and the part", async () => {
        const big = new Uint8Array(MAX_VALUE_LENGTH + 1);
        const tooBig = `exceeds the maximum of ${MAX_VALUE_LENGTH} bytes`;
        expect(
          await mismatches([
            ["put null", () => t.put(bad(null)), "table t", "a put is"],
            ["put without cells", () => t.put(bad({ row: "r" })), "table t", "a put is"],
            ["cells not an array", () => t.put(bad({ row: "r", cells: "d:q=v" })), "table t", "a put is"],
            ["no cells", () => t.put({ row: "r", cells: [] }), "table t", "row r has no cells"],
            ["a null cell", () => t.put({ row: "r", cells: [bad(null)] }), "table t", /row r/, /cell/],
            ["oversized value", () => t.put({ row: "r", cells: [cell("d", "q", big)] }), "table t", "row r", tooBig],
            ["oversized value in putMany", () => t.putMany([{ row: "a", cells: [cell()] }, { row: "r", cells: [cell("d", "q", big)] }]), "row r", tooBig],
            ["oversized value in mutateRow", () => t.mutateRow("r", [{ kind: "put", row: "r", cells: [cell("d", "q", big)] }]), "row r", tooBig],
            ["oversized value in checkAndMutate", () => t.checkAndMutate("r", { family: "d", qualifier: "q" }, [{ kind: "put", row: "r", cells: [cell("d", "q", big)] }]), "row r", tooBig],
            ["append beyond the maximum", () => t.append("existing", "d", "q", big.subarray(1)), "table t", "existing", "maximum value size"],
            ["value a number", () => t.put({ row: "r", cells: [cell("d", "q", 5)] }), "table t", "row r", /value/],
            ["value null", () => t.put({ row: "r", cells: [cell("d", "q", null)] }), "table t", "row r", /value/],
            ["value a plain array", () => t.put({ row: "r", cells: [cell("d", "q", [1, 2])] }), "table t", "row r", /value/],
            ["value a bigint", () => t.put({ row: "r", cells: [cell("d", "q", 5n)] }), "table t", "row r", /value/],
            ["qualifier a number", () => t.put({ row: "r", cells: [{ family: "d", qualifier: bad(5), value: "v" }] }), "table t", "row r", /qualifier/],
            ["family null", () => t.put({ row: "r", cells: [{ family: bad(null), qualifier: "q", value: "v" }] }), "table t", /family/],
            ["append value undefined", () => t.append("existing", "d", "q", bad(undefined)), "table t", /value/],
            ["increment amount a number", () => t.increment("existing", "e", "n", bad(1)), "table t", "increment amount must be a bigint"],
            ["increment amount beyond int64", () => t.increment("existing", "e", "n", 2n ** 63n), "table t", /amount/],
            ["increment of a value that is not 8 bytes", () => t.increment("existing", "d", "q"), "table t", "row existing column d:q", "not an 8-byte long"],
          ]),
        ).toEqual([]);
        expect(await contents()).toEqual(["existing/d:q@5=111,108,100", "existing/e:n@5=0,0,0,0,0,0,0,7"]);
      });

      it("takes a value of exactly the maximum size", async () => {
        await t.put({ row: "big", cells: [cell("d", "q", new Uint8Array(MAX_VALUE_LENGTH))] });
        expect((await t.get("big"))!.cells[0]!.value.length).toBe(MAX_VALUE_LENGTH);
      });

      it("values of the wrong type for a codec fail in the codec, naming it, before anything is written", async () => {
        const attempts: [string, () => Uint8Array, string, RegExp][] = [
          ["int64 of a string", () => codecs.int64.encode(bad("x")), "int64", /string "x"/],
          ["int64 of 2^63", () => codecs.int64.encode(2n ** 63n), "int64", /9223372036854775808n/],
          ["int32 of 1.5", () => codecs.int32.encode(1.5), "int32", /1\.5/],
          ["double of a bigint", () => codecs.double.encode(bad(1n)), "double", /bigint 1n/],
          ["boolean of 1", () => codecs.boolean.encode(bad(1)), "boolean", /number 1/],
          ["json of undefined", () => codecs.json.encode(bad(undefined)), "json", /undefined/],
          ["json of a Date", () => codecs.json.encode(bad(new Date(0))), "json", /Date/],
          ["string of a number", () => codecs.string.encode(bad(42)), "string", /number 42/],
        ];
        const problems: string[] = [];
        for (const [name, encode, codec, actual] of attempts) {
          try {
            // The value is encoded while the batch is built: the put is never issued.
            await t.putMany([{ row: "a", cells: [cell()] }, { row: "b", cells: [{ family: "d", qualifier: "q", value: encode() }] }]);
            problems.push(`${name}: no error`);
          } catch (error) {
            const message = (error as Error).message;
            if (!message.startsWith(`${codec} codec: expected`) || !actual.test(message)) problems.push(`${name}: ${message}`);
          }
        }
        expect(problems).toEqual([]);
        // Reading a stored value with the wrong codec names the row, the column and the timestamp.
        const row = (await t.get("existing"))!;
        expect(() => row.get("d:q", "int64")).toThrow(/int64 codec: expected 8 bytes, got 3 bytes \("old"\) in row "existing", column d:q, timestamp 5/);
        expect(() => row.get("d:q", bad<"int64">("long"))).toThrow(/unknown codec "long"/);
        expect(await contents()).toEqual(["existing/d:q@5=111,108,100", "existing/e:n@5=0,0,0,0,0,0,0,7"]);
      });
    });

    describe("timestamps and read options", () => {
      it("a timestamp that is negative, fractional, NaN, infinite, beyond 2^53-1 or not a number is refused", async () => {
        const cases: Case[] = [];
        for (const ts of [-1, 1.5, NaN, Infinity, Number.MAX_SAFE_INTEGER + 1, "5", null]) {
          const shown = String(ts);
          cases.push(
            [`put ${shown}`, () => t.put({ row: "r", timestamp: bad(ts), cells: [cell()] }), "table t", "timestamp", shown],
            [`cell ${shown}`, () => t.put({ row: "r", cells: [{ ...cell(), timestamp: bad(ts) }] }), "table t", "timestamp", shown],
            [`delete ${shown}`, () => t.delete({ row: "existing", timestamp: bad(ts) }), "table t", "timestamp", shown],
            [`column delete ${shown}`, () => t.delete({ row: "existing", family: "d", qualifier: "q", allVersions: false, timestamp: bad(ts) }), "table t", "timestamp", shown],
            [`mutateRow put ${shown}`, () => t.mutateRow("r", [{ kind: "put", row: "r", cells: [cell()] }, { kind: "put", row: "r", timestamp: bad(ts), cells: [cell("e")] }]), "timestamp", shown],
          );
        }
        expect(await mismatches(cases)).toEqual([]);
        expect(await contents()).toEqual(["existing/d:q@5=111,108,100", "existing/e:n@5=0,0,0,0,0,0,0,7"]);
      });

      it("takes timestamps 0 and 2^53-1", async () => {
        await t.put({ row: "r0", timestamp: 0, cells: [cell("d", "q", "zero")] });
        await t.put({ row: "rmax", timestamp: Number.MAX_SAFE_INTEGER, cells: [cell("d", "q", "max")] });
        expect((await t.get("r0"))!.cells.map((c) => [c.timestamp, text(c.value)])).toEqual([[0, "zero"]]);
        expect((await t.get("rmax"))!.cells.map((c) => [c.timestamp, text(c.value)])).toEqual([[Number.MAX_SAFE_INTEGER, "max"]]);
      });

      it("invalid read options name the option, in get, getMany, scan and count", async () => {
        const cases: Case[] = [];
        const options: [string, object, string | RegExp][] = [
          ["timeRange min -1", { timeRange: { min: -1 } }, "time range"],
          ["timeRange min NaN", { timeRange: { min: NaN } }, "time range"],
          ["timeRange max a string", { timeRange: { max: "9" } }, "time range"],
          ["timeRange min > max", { timeRange: { min: 5, max: 2 } }, "time range"],
          ["maxVersions 0", { maxVersions: 0 }, "maxVersions"],
          ["maxVersions 1.5", { maxVersions: 1.5 }, "maxVersions"],
          ["maxVersions a string", { maxVersions: "2" }, "maxVersions"],
          ["columns not an array", { columns: "d" }, "columns must be an array"],
          ["a column that is a number", { columns: [5] }, /column/],
          ["a column that is null", { columns: [null] }, /column/],
        ];
        for (const [name, o, pattern] of options) {
          cases.push(
            [`get ${name}`, () => t.get("existing", bad(o)), "table t", pattern],
            [`getMany ${name}`, () => t.getMany(["existing"], bad(o)), "table t", pattern],
            [`scan ${name}`, () => t.scan(bad(o)), "table t", pattern],
            [`count ${name}`, () => t.count(bad(o)), "table t", pattern],
          );
        }
        cases.push(
          ["scan limit -1", () => t.scan({ limit: -1 }), "table t", "limit"],
          ["scan limit 1.5", () => t.scan({ limit: 1.5 }), "table t", "limit"],
          ["scan limit a string", () => t.scan({ limit: bad("3") }), "table t", "limit"],
          ["scan batchSize 0", () => t.scan({ batchSize: 0 }), "table t", "batchSize"],
          ["scan batchSize NaN", () => t.scan({ batchSize: NaN }), "table t", "batchSize"],
          ["scan reversed a string", () => t.scan({ reversed: bad("yes") }), "table t", "reversed"],
          ["scan includeStartRow a string", () => t.scan({ startRow: "a", includeStartRow: bad("no") }), "table t", "includeStartRow"],
          ["scan options a string", () => t.scan(bad("d")), "table t", /options/],
          ["get options a number", () => t.get("existing", bad(5)), "table t", /options/],
        );
        expect(await mismatches(cases)).toEqual([]);
      });
    });

    describe("filters", () => {
      it("an invalid filter is refused before reading, naming the field, in every read method", async () => {
        const filters: [string, unknown, string | RegExp][] = [
          ["null", null, "invalid filter: filter"],
          ["unknown type", { type: "regex" }, 'invalid filter: filter.type: unknown filter type "regex"'],
          ["pageSize 0", { type: "page", pageSize: 0 }, "filter.pageSize"],
          ["pageSize 1.5", { type: "page", pageSize: 1.5 }, "filter.pageSize"],
          ["pageSize a string", { type: "page", pageSize: "3" }, "filter.pageSize"],
          ["unknown list operator", { type: "list", operator: "and", filters: [] }, "filter.operator"],
          ["list filters not an array", { type: "list", operator: "mustPassAll", filters: { type: "keyOnly" } }, "filter.filters"],
          ["a bad filter nested in lists", { type: "list", operator: "mustPassOne", filters: [{ type: "keyOnly" }, { type: "list", operator: "mustPassAll", filters: [{ type: "page", pageSize: -1 }] }] }, "filter.filters[1].filters[0].pageSize"],
          ["unknown comparator", { type: "value", op: "equal", comparator: { type: "regex", value: "a" } }, "filter.comparator.type"],
          ["unknown op", { type: "row", op: "like", comparator: { type: "binary", value: "a" } }, "filter.op"],
          ["comparator value a number", { type: "qualifier", op: "equal", comparator: { type: "binary", value: 5 } }, "filter.comparator.value"],
          ["substring with less", { type: "value", op: "less", comparator: { type: "substring", value: "a" } }, /filter\.op|substring/],
          ["singleColumnValue without a family", { type: "singleColumnValue", qualifier: "q", op: "equal", comparator: { type: "binary", value: "a" } }, "filter.family"],
          ["rowPrefix of a number", { type: "rowPrefix", prefix: 5 }, "filter.prefix"],
          ["keyOnly lengthAsValue a string", { type: "keyOnly", lengthAsValue: "yes" }, "filter.lengthAsValue"],
        ];
        const cases: Case[] = [];
        for (const [name, filter, pattern] of filters) {
          const f = bad<Filter>(filter);
          cases.push(
            [`get ${name}`, () => t.get("existing", { filter: f }), pattern],
            [`getMany ${name}`, () => t.getMany(["existing"], { filter: f }), pattern],
            [`scan ${name}`, () => t.scan({ filter: f }), pattern],
            [`count ${name}`, () => t.count({ filter: f }), pattern],
          );
        }
        expect(await mismatches(cases)).toEqual([]);
        // A filter that contains itself is refused too (instead of recursing forever).
        const cyclic: { type: "list"; operator: "mustPassAll"; filters: Filter[] } = { type: "list", operator: "mustPassAll", filters: [] };
        cyclic.filters.push(cyclic);
        await expect(t.get("existing", { filter: cyclic })).rejects.toThrow(/invalid filter: filter\.filters\[0\]/);
      });
    });

    describe("atomic writes are all or nothing", () => {
      it("a putMany with one bad put writes none of its puts", async () => {
        const good = (row: string): Put => ({ row, cells: [cell("d", "q", "new")] });
        const badPuts: [string, unknown][] = [
          ["unknown family", { row: "z", cells: [cell("zz")] }],
          ["empty row", { row: "", cells: [cell()] }],
          ["oversized row", { row: longRow, cells: [cell()] }],
          ["oversized value", { row: "z", cells: [cell("d", "q", new Uint8Array(MAX_VALUE_LENGTH + 1))] }],
          ["bad timestamp", { row: "z", timestamp: -5, cells: [cell()] }],
          ["bad cell timestamp", { row: "z", cells: [cell(), { ...cell("e"), timestamp: NaN }] }],
          ["no cells", { row: "z", cells: [] }],
          ["null", null],
          ["value of a wrong type", { row: "z", cells: [cell("d", "q", 42)] }],
        ];
        const problems: string[] = [];
        for (const [name, badPut] of badPuts) {
          // The bad put last (after puts of a new row and of the existing row), and first.
          for (const puts of [[good("a"), good("existing"), bad<Put>(badPut)], [bad<Put>(badPut), good("b")]]) {
            const outcome = await t.putMany(puts).then(
              () => "no error",
              () => undefined,
            );
            if (outcome !== undefined) problems.push(`${name}: ${outcome}`);
          }
        }
        expect(problems).toEqual([]);
        expect(await contents()).toEqual(["existing/d:q@5=111,108,100", "existing/e:n@5=0,0,0,0,0,0,0,7"]);
      });

      it("a mutateRow or checkAndMutate with one bad mutation changes nothing of the row", async () => {
        const ok: Mutation[] = [
          { kind: "put", row: "existing", timestamp: 9, cells: [cell("d", "q", "new"), cell("d", "other", "x")] },
          { kind: "delete", row: "existing", family: "e" },
        ];
        const badMutations: [string, unknown][] = [
          ["unknown family in a put", { kind: "put", row: "existing", cells: [cell("zz")] }],
          ["unknown family in a delete", { kind: "delete", row: "existing", family: "zz", qualifier: "q" }],
          ["a qualifier without a family", { kind: "delete", row: "existing", qualifier: "q" }],
          ["bad timestamp", { kind: "put", row: "existing", timestamp: 1.5, cells: [cell()] }],
          ["bad delete timestamp", { kind: "delete", row: "existing", timestamp: -1 }],
          ["oversized value", { kind: "put", row: "existing", cells: [cell("d", "q", new Uint8Array(MAX_VALUE_LENGTH + 1))] }],
          ["unknown kind", { kind: "upsert", row: "existing", cells: [cell()] }],
          ["null", null],
          ["another row", { kind: "put", row: "other", cells: [cell()] }],
          ["no cells", { kind: "put", row: "existing", cells: [] }],
        ];
        const problems: string[] = [];
        for (const [name, m] of badMutations) {
          const all = [...ok, bad<Mutation>(m)];
          const mutated = await t.mutateRow("existing", all).then(() => "no error", () => undefined);
          if (mutated !== undefined) problems.push(`mutateRow ${name}: ${mutated}`);
          const checked = await t.checkAndMutate("existing", { family: "d", qualifier: "q", value: "old" }, all).then((applied) => `no error (applied: ${applied})`, () => undefined);
          if (checked !== undefined) problems.push(`checkAndMutate ${name}: ${checked}`);
        }
        expect(problems).toEqual([]);
        expect(await contents()).toEqual(["existing/d:q@5=111,108,100", "existing/e:n@5=0,0,0,0,0,0,0,7"]);
      });

      it("checkAndMutate refuses a malformed condition, naming it, and changes nothing", async () => {
        const m: Mutation[] = [{ kind: "put", row: "existing", cells: [cell("d", "q", "new")] }];
        expect(
          await mismatches([
            ["condition null", () => t.checkAndMutate("existing", bad(null), m), "table t", "condition"],
            ["unknown op on a present column", () => t.checkAndMutate("existing", { family: "d", qualifier: "q", op: bad("like"), value: "old" }, m), "table t", /op/, "like"],
            ["unknown op on an absent column", () => t.checkAndMutate("existing", { family: "d", qualifier: "absent", op: bad("like"), value: "x" }, m), "table t", /op/, "like"],
            ["unknown op without a value", () => t.checkAndMutate("existing", { family: "d", qualifier: "q", op: bad("like") }, m), "table t", /op/, "like"],
            ["less without a value", () => t.checkAndMutate("existing", { family: "d", qualifier: "q", op: "less" }, m), "table t", 'op "less" needs a value'],
            ["qualifier a number", () => t.checkAndMutate("existing", { family: "d", qualifier: bad(5) }, m), "table t", /qualifier/],
            ["value a number", () => t.checkAndMutate("existing", { family: "d", qualifier: "q", value: bad(5) }, m), "table t", /value/],
            ["mutations not an array", () => t.checkAndMutate("existing", { family: "d", qualifier: "q", value: "old" }, bad(m[0])), "table t", "mutations must be an array"],
          ]),
        ).toEqual([]);
        expect(await contents()).toEqual(["existing/d:q@5=111,108,100", "existing/e:n@5=0,0,0,0,0,0,0,7"]);
      });

      it("a closed connection refuses every call, saying it is closed", async () => {
        const c = s.conn;
        const table = c.table("t");
        await c.close();
        expect(
          await mismatches([
            ["get", () => table.get("r"), "is closed"],
            ["scan", () => table.scan(), "is closed"],
            ["put", () => table.put({ row: "r", cells: [cell()] }), "is closed"],
            ["increment", () => table.increment("r", "d", "n"), "is closed"],
            ["createTable", () => c.admin.createTable("u", { families: ["d"] }), "is closed"],
            ["listTables", () => c.admin.listTables(), "is closed"],
            ["table()", () => c.table("t"), "is closed"],
          ]),
        ).toEqual([]);
        // Closing again is fine.
        await c.close();
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// The buffered mutator (from hbase-buffered-mutator.test.ts)

function bufferedMutator(s: SuiteState): void {
  const put = (row: string, value = "v", timestamp?: number): Mutation => ({
    kind: "put",
    row,
    cells: [{ family: "d", qualifier: "q", value, ...(timestamp === undefined ? {} : { timestamp }) }],
  });

  async function value(row: string): Promise<string | undefined> {
    const r = await s.conn.table("t").get(row);
    return r === undefined ? undefined : text(r.cells[0]!.value);
  }

  async function versions(row: string): Promise<string[]> {
    const r = await s.conn.table("t").get(row, { maxVersions: 3 });
    return (r?.cells ?? []).map((c) => `${text(c.value)}@${c.timestamp}`);
  }

  /** Whether a promise has settled, after letting pending I/O callbacks run. */
  async function settled(p: Promise<unknown>): Promise<boolean> {
    let done = false;
    p.then(
      () => (done = true),
      () => (done = true),
    );
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    return done;
  }

  /**
   * The real table, with putMany held until `open()` is called (to have a flush in flight on demand),
   * counting how many putMany calls run at once.
   */
  function gatedTable(table: Table): { table: Table; open: () => void; maxActive: () => number } {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let active = 0;
    let maxActive = 0;
    const gated = Object.create(table) as Table;
    gated.putMany = async (puts: readonly Put[]) => {
      active++;
      maxActive = Math.max(maxActive, active);
      try {
        await gate;
        await table.putMany(puts);
      } finally {
        active--;
      }
    };
    return { table: gated, open: release, maxActive: () => maxActive };
  }

  describe("buffered mutator", () => {
    beforeEach(async () => {
      await s.admin.createTable("t", { families: [{ name: "d", maxVersions: 3 }] });
    });

    describe("flushing", () => {
      it("flushes when maxRows mutations are buffered", async () => {
        const bm = s.conn.bufferedMutator("t", { maxRows: 3, flushIntervalMs: 0 });
        await bm.mutate(put("a"));
        await bm.mutate([put("b")]);
        expect(bm.pendingMutations).toBe(2);
        expect(bm.pendingBytes).toBeGreaterThan(0);
        expect(await s.conn.table("t").count()).toBe(0);
        await bm.mutate(put("c"));
        expect(bm.pendingMutations).toBe(0);
        expect(bm.pendingBytes).toBe(0);
        expect(await s.conn.table("t").count()).toBe(3);
        await bm.close();
      });

      it("flushes when the estimated size reaches maxBytes", async () => {
        const bm = s.conn.bufferedMutator("t", { maxBytes: 4000, flushIntervalMs: 0 });
        const big = "x".repeat(1000);
        let n = 0;
        let before = 0;
        while (n < 100) {
          before = bm.pendingBytes;
          await bm.mutate(put(`r${n++}`, big));
          if (bm.pendingMutations === 0) break;
        }
        // Each mutation counts at least its value's 1000 bytes: the fourth one at the latest fills 4000.
        expect(n).toBeGreaterThanOrEqual(2);
        expect(n).toBeLessThanOrEqual(4);
        expect(before).toBeLessThan(4000);
        expect(await s.conn.table("t").count()).toBe(n);
        await bm.close();
      });

      it("counts string sizes in UTF-8 bytes, and defaults to HBase's 2 MiB write buffer", async () => {
        expect(DEFAULT_MAX_BYTES).toBe(2 * 1024 * 1024);
        const bm = s.conn.bufferedMutator("t", { flushIntervalMs: 0 });
        await bm.mutate(put("a", "é".repeat(300_000))); // 600,000 bytes
        expect(bm.pendingBytes).toBeGreaterThanOrEqual(600_000);
        await bm.mutate(put("b", "x".repeat(1_000_000)));
        expect(bm.pendingMutations).toBe(2);
        await bm.mutate(put("c", "x".repeat(600_000)));
        expect(bm.pendingMutations).toBe(0);
        expect(await s.conn.table("t").count()).toBe(3);
        await bm.close();
      });

      it("flushes by itself flushIntervalMs after the first buffered mutation", async () => {
        const bm = s.conn.bufferedMutator("t", { flushIntervalMs: 20 });
        await bm.mutate(put("a", "1"));
        await bm.mutate(put("b", "2"));
        await vi.waitFor(async () => expect(await value("b")).toBe("2"), { timeout: 5000, interval: 10 });
        expect(await value("a")).toBe("1");
        expect(bm.pendingMutations).toBe(0);
        // The timer restarts for the next buffer.
        await bm.mutate(put("c", "3"));
        await vi.waitFor(async () => expect(await value("c")).toBe("3"), { timeout: 5000, interval: 10 });
        await bm.close();
      });

      it("with flushIntervalMs 0 has no timer: mutations wait for flush or close", async () => {
        const bm = s.conn.bufferedMutator("t", { flushIntervalMs: 0 });
        await bm.mutate(put("a"));
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(bm.pendingMutations).toBe(1);
        expect(await value("a")).toBeUndefined();
        await bm.flush();
        expect(await value("a")).toBe("v");
        await bm.close();
      });

      it("its timer does not keep the process alive (unref)", async () => {
        const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
        const before = timers();
        const bm = s.conn.bufferedMutator("t", { flushIntervalMs: 60_000 });
        await bm.mutate(put("a"));
        expect(timers()).toBe(before);
        await bm.close();
        expect(await value("a")).toBe("v");
      });

      it("flush() resolves when everything buffered is written; flushing an empty buffer is fine", async () => {
        const bm = s.conn.bufferedMutator("t", { flushIntervalMs: 0 });
        await bm.flush();
        await bm.mutate([put("a"), put("b")]);
        await bm.flush();
        expect(await s.conn.table("t").count()).toBe(2);
        expect(bm.pendingMutations).toBe(0);
        await bm.close();
      });
    });

    describe("close", () => {
      it("close() flushes, is idempotent, and later mutate() rejects", async () => {
        const bm = s.conn.bufferedMutator("t", { flushIntervalMs: 0 });
        await bm.mutate(put("a"));
        expect(bm.closed).toBe(false);
        const closing = bm.close();
        expect(bm.closed).toBe(true);
        expect(bm.close()).toBe(closing);
        await closing;
        expect(await value("a")).toBe("v");
        await expect(bm.mutate(put("b"))).rejects.toThrow("the buffered mutator of table t is closed");
        expect(bm.pendingMutations).toBe(0);
        await bm.flush();
      });

      it("closing the connection flushes its open mutators", async () => {
        const bm = s.conn.bufferedMutator("t", { flushIntervalMs: 0 });
        await bm.mutate([put("a", "1"), put("b", "2")]);
        await s.conn.close();
        expect(bm.closed).toBe(true);
        await s.reconnect();
        expect(await value("a")).toBe("1");
        expect(await value("b")).toBe("2");
      });
    });

    describe("order", () => {
      it("applies put → delete → put of one row in the order given", async () => {
        const bm = s.conn.bufferedMutator("t", { flushIntervalMs: 0 });
        // Deleting "the latest version" depends on what was written before it: only the given order
        // leaves exactly b@200 (delete first: a@100 stays visible; delete last: b@200 is deleted).
        await bm.mutate([
          put("r", "a", 100),
          { kind: "delete", row: "r", family: "d", qualifier: "q", allVersions: false },
          put("r", "b", 200),
        ]);
        await bm.flush();
        expect(await versions("r")).toEqual(["b@200"]);
        await bm.close();
      });

      it("keeps each row's order in a mixed stream of many rows, and the last of equal puts wins", async () => {
        const bm = s.conn.bufferedMutator("t", { flushIntervalMs: 0 });
        const stream: Mutation[] = [];
        for (let i = 0; i < 20; i++) stream.push(put(`r${i}`, "a", 100));
        for (let i = 0; i < 20; i++) stream.push({ kind: "delete", row: `r${i}`, family: "d", qualifier: "q", allVersions: false });
        for (let i = 0; i < 20; i++) stream.push(put(`r${i}`, "b", 200), put(`r${i}`, "c", 200));
        await bm.mutate(stream);
        await bm.close();
        for (let i = 0; i < 20; i++) expect(await versions(`r${i}`)).toEqual(["c@200"]);
      });

      it("treats a string row and its UTF-8 bytes as the same row", async () => {
        const bm = s.conn.bufferedMutator("t", { flushIntervalMs: 0 });
        await bm.mutate([
          put("ü", "a", 100),
          { kind: "delete", row: new TextEncoder().encode("ü"), family: "d", qualifier: "q", allVersions: false },
          put("ü", "b", 200),
        ]);
        await bm.close();
        expect(await versions("ü")).toEqual(["b@200"]);
      });
    });

    describe("errors", () => {
      it("a put of an unknown family fails alone: flush rejects naming it, onError gets it, other rows are written", async () => {
        const calls: { error: Error; failed: readonly Mutation[] }[] = [];
        const bm = s.conn.bufferedMutator("t", { flushIntervalMs: 0, onError: (error, failed) => calls.push({ error, failed }) });
        const bad: Mutation = { kind: "put", row: "bad", cells: [{ family: "nope", qualifier: "q", value: "x" }] };
        await bm.mutate([put("a"), bad, put("b")]);
        const error = await bm.flush().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(BufferedMutatorError);
        const e = error as BufferedMutatorError;
        expect(e.message).toMatch(/^1 of 3 buffered mutations could not be written to table t: .*no column family "nope"/);
        expect(e.failedMutations).toEqual([bad]);
        expect(e.failures[0]!.error.message).toContain('no column family "nope"');
        expect(e.table).toBe("t");
        expect(calls).toHaveLength(1);
        expect(calls[0]!.error).toBe(e);
        expect(calls[0]!.failed).toEqual([bad]);
        expect(await value("a")).toBe("v");
        expect(await value("b")).toBe("v");
        expect(await value("bad")).toBeUndefined();
        // The failed mutation left the buffer: the next flush succeeds.
        expect(bm.pendingMutations).toBe(0);
        await bm.flush();
        await bm.close();
      });

      it("a mutate that fills the buffer rejects when its flush fails", async () => {
        const bm = s.conn.bufferedMutator("t", { maxRows: 1, flushIntervalMs: 0 });
        await expect(bm.mutate({ kind: "put", row: "x", cells: [{ family: "zz", qualifier: "q", value: "1" }] })).rejects.toBeInstanceOf(
          BufferedMutatorError,
        );
        await bm.mutate(put("y"));
        expect(await value("y")).toBe("v");
        await bm.close();
      });

      it("without onError, a failed timer flush rejects the next call; with onError, onError gets it", async () => {
        const bad: Mutation = { kind: "put", row: "x", cells: [{ family: "zz", qualifier: "q", value: "1" }] };
        const bm = s.conn.bufferedMutator("t", { flushIntervalMs: 10 });
        await bm.mutate(bad);
        await vi.waitFor(() => expect(bm.pendingMutations).toBe(0), { timeout: 5000, interval: 5 });
        await expect(bm.flush()).rejects.toThrow(/1 of 1 buffered mutation could not be written to table t/);
        // Reported once.
        await bm.flush();
        await bm.close();

        const failed: Mutation[] = [];
        const listened = s.conn.bufferedMutator("t", { flushIntervalMs: 10, onError: (_e, ms) => failed.push(...ms) });
        await listened.mutate(bad);
        await vi.waitFor(() => expect(failed).toEqual([bad]), { timeout: 5000, interval: 5 });
        await listened.flush();
        await listened.close();
      });

      it("without onError, a mutate after a failed timer flush rejects with that failure, buffering nothing", async () => {
        const real = s.conn.table("t");
        let finished = 0;
        const counting = Object.create(real) as Table;
        counting.putMany = (puts: readonly Put[]) => real.putMany(puts).finally(() => finished++);
        const bm = createBufferedMutator(counting, { flushIntervalMs: 10 });
        await bm.mutate({ kind: "put", row: "x", cells: [{ family: "zz", qualifier: "q", value: "1" }] });
        // The batch, then the put alone: both fail.
        await vi.waitFor(() => expect(finished).toBe(2), { timeout: 5000, interval: 5 });
        await new Promise((resolve) => setImmediate(resolve));
        await expect(bm.mutate(put("y"))).rejects.toThrow(/could not be written to table t: .*no column family "zz"/);
        expect(bm.pendingMutations).toBe(0);
        await bm.close();
        expect(await value("y")).toBeUndefined();
      });

      it("a failed flush of a missing table reports every mutation", async () => {
        const bm = s.conn.bufferedMutator("missing", { flushIntervalMs: 0 });
        await bm.mutate([put("a"), { kind: "delete", row: "a" }]);
        const error = (await bm.close().catch((e: unknown) => e)) as BufferedMutatorError;
        expect(error).toBeInstanceOf(BufferedMutatorError);
        expect(error.failedMutations).toHaveLength(2);
        expect(error.message).toContain("table missing not found");
      });

      it("rejects malformed mutations at once, buffering nothing of the call", async () => {
        const bm = s.conn.bufferedMutator("t", { flushIntervalMs: 0 });
        const bad = (m: unknown) => bm.mutate(m as Mutation);
        await expect(bad({ kind: "put", cells: [] })).rejects.toThrow("buffered mutator of table t: mutation: the put has no row");
        await expect(bad({ kind: "put", row: "", cells: [{ family: "d", qualifier: "q", value: "v" }] })).rejects.toThrow("the row key must not be empty");
        await expect(bad({ kind: "upsert", row: "a" })).rejects.toThrow('unknown mutation kind string upsert: use "put" or "delete"');
        await expect(bad({ row: "a" })).rejects.toThrow("unknown mutation kind undefined");
        await expect(bad(null)).rejects.toThrow("a mutation is");
        await expect(bad({ kind: "put", row: 5, cells: [] })).rejects.toThrow("the row key must be bytes (Uint8Array) or a string, got number 5");
        await expect(bad({ kind: "put", row: "a", cells: [] })).rejects.toThrow("a put has no cells");
        await expect(bad({ kind: "put", row: "a" })).rejects.toThrow("a put needs cells");
        await expect(bad({ kind: "put", row: "a", cells: [{ family: "d", qualifier: "q" }] })).rejects.toThrow("cell 0 value must be bytes");
        await expect(bad({ kind: "put", row: "a", cells: [{ family: "d", qualifier: "q", value: "v", timestamp: -1 }] })).rejects.toThrow(
          "cell 0 timestamp must be an integer",
        );
        await expect(bad({ kind: "delete", row: "a", qualifier: "q" })).rejects.toThrow("a delete with a qualifier needs its family");
        await expect(bad({ kind: "delete", row: "a".repeat(40_000) })).rejects.toThrow("a row key of 40000 bytes is longer than 32767");
        // One bad mutation in an array: none of the array is buffered.
        await expect(bm.mutate([put("a"), { kind: "put", row: "" } as unknown as Mutation])).rejects.toThrow(
          "buffered mutator of table t: mutation 1: the row key must not be empty",
        );
        expect(bm.pendingMutations).toBe(0);
        expect(bm.pendingBytes).toBe(0);
        await bm.close();
        expect(await s.conn.table("t").count()).toBe(0);
      });

      it("rejects invalid options, naming the option", () => {
        const make = (options: unknown) => () => s.conn.bufferedMutator("t", options as Parameters<Connection["bufferedMutator"]>[1]);
        expect(make({ maxRows: 0 })).toThrow("bufferedMutator(t): maxRows must be a positive integer, got 0");
        expect(make({ maxRows: 1.5 })).toThrow("maxRows must be a positive integer");
        expect(make({ maxBytes: -1 })).toThrow("maxBytes must be a positive integer, got -1");
        expect(make({ flushIntervalMs: Number.NaN })).toThrow("flushIntervalMs must be a number of milliseconds from 0");
        expect(make({ flushIntervalMs: -5 })).toThrow("flushIntervalMs must be");
        expect(make({ onError: "log" })).toThrow("onError must be a function");
        expect(make({ maxRow: 5 })).toThrow('unknown option "maxRow"');
        expect(make(42)).toThrow("options must be an object");
        expect(() => s.conn.bufferedMutator("bad name!")).toThrow('invalid table name "bad name!"');
      });
    });

    describe("concurrency and backpressure", () => {
      it("a full buffer makes mutate wait for its flush; flushes never overlap; mutate during a flush fills the next buffer", async () => {
        const gate = gatedTable(s.conn.table("t"));
        const options: BufferedMutatorOptions = { maxRows: 2, flushIntervalMs: 0 };
        const bm: BufferedMutator = createBufferedMutator(gate.table, options);
        await bm.mutate(put("a"));
        const first = bm.mutate(put("b")); // full: flush 1 starts and is held
        expect(await settled(first)).toBe(false);
        await bm.mutate(put("c")); // next buffer, not full: resolves at once
        expect(bm.pendingMutations).toBe(1);
        const second = bm.mutate(put("d")); // full again: waits for flush 2, queued behind flush 1
        const explicit = bm.flush(); // joins flush 2
        expect(await settled(second)).toBe(false);
        expect(await settled(first)).toBe(false);
        expect(bm.pendingMutations).toBe(2);
        expect(await s.conn.table("t").count()).toBe(0);
        gate.open();
        await Promise.all([first, second, explicit]);
        expect(gate.maxActive()).toBe(1);
        expect(bm.pendingMutations).toBe(0);
        expect(await s.conn.table("t").count()).toBe(4);
        await bm.close();
      });

      it("a producer awaiting mutate never holds more than one full buffer", async () => {
        const bm = s.conn.bufferedMutator("t", { maxRows: 50, flushIntervalMs: 0 });
        let most = 0;
        for (let i = 0; i < 1000; i++) {
          await bm.mutate(put(`r${String(i).padStart(4, "0")}`, String(i)));
          most = Math.max(most, bm.pendingMutations);
        }
        expect(most).toBeLessThan(50);
        await bm.close();
        expect(await s.conn.table("t").count()).toBe(1000);
        expect(await value("r0999")).toBe("999");
      });

      it("concurrent producers without awaiting each mutate lose nothing", async () => {
        const bm = s.conn.bufferedMutator("t", { maxRows: 7, flushIntervalMs: 5 });
        await Promise.all(Array.from({ length: 200 }, (_v, i) => bm.mutate(put(`k${i}`, String(i)))));
        await bm.close();
        expect(await s.conn.table("t").count()).toBe(200);
      });
    });
  });
}
