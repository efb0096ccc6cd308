import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connect } from "../../src/hbase/connect.js";
import type { Connection, RowResult, ScanOptions, Table } from "../../src/hbase/table.js";
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

async function rows(table: Table, options?: ScanOptions): Promise<RowResult[]> {
  const out: RowResult[] = [];
  for await (const r of table.scan(options)) out.push(r);
  return out;
}
const keys = (rs: readonly RowResult[]) => rs.map((r) => Array.from(r.row));
const values = (r: RowResult | undefined) => (r?.cells ?? []).map((c) => `${text(c.family)}:${text(c.qualifier)}@${c.timestamp}=${text(c.value)}`);

async function table(families: Parameters<Connection["admin"]["createTable"]>[1]["families"] = ["d"], name = "t"): Promise<Table> {
  await conn.admin.createTable(name, { families });
  return conn.table(name);
}

describe("embedded store: catalog", () => {
  it("creates, lists, describes, truncates and deletes tables in namespaces", async () => {
    const created = await conn.admin.createTable("ns1:events", {
      families: [{ name: "d", maxVersions: 3, minVersions: 1, ttlMs: 60_000 }, "m"],
      splitKeys: ["m", "g"],
    });
    expect(created.families).toEqual([
      { name: "d", maxVersions: 3, minVersions: 1, ttlMs: 60_000 },
      { name: "m", maxVersions: 1, minVersions: 0, ttlMs: Infinity },
    ]);
    expect(created.regions.map((r) => [text(r.startKey), text(r.endKey)])).toEqual([["", "g"], ["g", "m"], ["m", ""]]);
    await conn.admin.createTable("plain", { families: ["d"] });
    expect(await conn.admin.listTables()).toEqual([{ namespace: "default", name: "plain" }, { namespace: "ns1", name: "events" }]);
    expect(await conn.admin.listTables("ns1")).toEqual([{ namespace: "ns1", name: "events" }]);
    expect(await conn.admin.tableExists({ namespace: "ns1", name: "events" })).toBe(true);
    expect(await conn.admin.tableExists("events")).toBe(false);

    const t = conn.table("ns1:events");
    await t.put({ row: "r1", cells: [{ family: "d", qualifier: "a", value: "1" }] });
    await conn.admin.truncateTable("ns1:events");
    expect(await t.get("r1")).toBeUndefined();
    expect((await conn.admin.describeTable("ns1:events")).regions).toHaveLength(3);
    await t.put({ row: "r2", cells: [{ family: "d", qualifier: "a", value: "2" }] });
    expect(await t.count()).toBe(1);

    await conn.admin.deleteTable("ns1:events");
    expect(await conn.admin.tableExists("ns1:events")).toBe(false);
    await expect(t.get("r2")).rejects.toThrow("table ns1:events not found");
    // A new table of the same name starts empty.
    await conn.admin.createTable("ns1:events", { families: ["d"] });
    expect(await conn.table("ns1:events").count()).toBe(0);
  });

  it("rejects bad catalog input with errors naming the problem", async () => {
    await conn.admin.createTable("t", { families: ["d"] });
    await expect(conn.admin.createTable("t", { families: ["d"] })).rejects.toThrow("table t already exists");
    await expect(conn.admin.createTable("u", { families: [] })).rejects.toThrow("at least one column family");
    await expect(conn.admin.createTable("u", { families: ["d", "d"] })).rejects.toThrow('"d" is given twice');
    await expect(conn.admin.createTable("u", { families: ["a:b"] })).rejects.toThrow('invalid column family name "a:b"');
    await expect(conn.admin.createTable("u", { families: [{ name: "d", maxVersions: 0 }] })).rejects.toThrow("maxVersions must be an integer ≥ 1");
    await expect(conn.admin.createTable("u", { families: [{ name: "d", maxVersions: 2, minVersions: 3 }] })).rejects.toThrow("minVersions");
    await expect(conn.admin.createTable("u", { families: [{ name: "d", ttlMs: -5 }] })).rejects.toThrow("ttlMs");
    await expect(conn.admin.createTable("u", { families: ["d"], splitKeys: ["a", "a"] })).rejects.toThrow("duplicate split key a");
    await expect(conn.admin.createTable("u", { families: ["d"], splitKeys: [""] })).rejects.toThrow("split key must not be empty");
    await expect(conn.admin.createTable("bad name", { families: ["d"] })).rejects.toThrow('invalid table name "bad name"');
    expect(await conn.admin.listTables()).toEqual([{ namespace: "default", name: "t" }]);
    await expect(conn.admin.describeTable("nope")).rejects.toThrow("table nope not found");
    await expect(conn.admin.deleteTable("nope")).rejects.toThrow("table nope not found");
    await expect(conn.table("nope").put({ row: "r", cells: [{ family: "d", qualifier: "q", value: "v" }] })).rejects.toThrow("table nope not found");
  });
});

describe("embedded store: writes and reads", () => {
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

describe("embedded store: deletes (tombstones)", () => {
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

  it("a deleted version does not count toward maxVersions", async () => {
    const t = await table([{ name: "d", maxVersions: 2 }]);
    for (const ts of [1, 2, 3]) await t.put({ row: "r", timestamp: ts, cells: [{ family: "d", qualifier: "q", value: `v${ts}` }] });
    await t.delete({ row: "r", family: "d", qualifier: "q", allVersions: false });
    expect(values(await t.get("r", { maxVersions: 5 }))).toEqual(["d:q@2=v2", "d:q@1=v1"]);
  });
});

describe("embedded store: read-modify-write", () => {
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

describe("embedded store: scans", () => {
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

describe("embedded store: filters", () => {
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

describe("embedded store: concurrency in one process", () => {
  it("concurrent scans see whole batches only, and no write is lost", async () => {
    const t = await table();
    const writers = Array.from({ length: 20 }, (_, w) =>
      t.putMany(Array.from({ length: 10 }, (_, i) => ({ row: `w${String(w).padStart(2, "0")}-${i}`, cells: [{ family: "d", qualifier: "q", value: "v" }] }))),
    );
    const counts: number[] = [];
    const readers = Array.from({ length: 20 }, () => t.count({ batchSize: 3 }).then((n) => counts.push(n)));
    await Promise.all([...writers, ...readers]);
    for (const n of counts) expect(n % 10).toBe(0);
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
