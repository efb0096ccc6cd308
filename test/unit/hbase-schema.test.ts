import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from "vitest";
import { CodecError } from "../../src/hbase/bytes/codec.js";
import { CATALOG_PREFIX } from "../../src/hbase/backends/embedded/key-codec.js";
import { openStorageEngine } from "../../src/hbase/backends/embedded/open-storage-engine.js";
import { connect } from "../../src/hbase/connect.js";
import {
  RecordEncodeError,
  SchemaDecodeError,
  schema,
  typedTable,
  typedTableOf,
  type RecordInput,
  type RecordOf,
  type SchemaSpec,
} from "../../src/hbase/schema/index.js";
import type { Connection, Table } from "../../src/hbase/table.js";
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

const bids = schema({ rowKey: "string", families: { d: { price: "double", bidder: "int64" } } });

const everyType = schema({
  rowKey: "string",
  families: {
    d: { s: "string", i: "int32", l: "int64", f: "float", x: "double", b: "boolean", j: "json", raw: "bytes" },
    m: { note: "string" },
  },
});

async function reopen(): Promise<void> {
  await conn.close();
  conn = await connect({ path: dir });
}

async function all<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const r of rows) out.push(r);
  return out;
}

/** A raw cell write through the byte-level table. */
function rawPut(table: Table, row: string | Uint8Array, family: string, qualifier: string, value: Uint8Array | string, timestamp?: number) {
  return table.put({ row, cells: [{ family, qualifier, value, ...(timestamp === undefined ? {} : { timestamp }) }] });
}

describe("typed tables: round trips", () => {
  it("writes and reads back every codec type through put, get, getMany and scan", async () => {
    await conn.admin.createTable("all", { families: ["d", "m"] });
    const t = typedTable(conn.table("all"), everyType);
    const full = {
      rowKey: "r1",
      d: {
        s: "héllo ✓",
        i: -2147483648,
        l: -9007199254740993n,
        f: 1.5,
        x: -0.1,
        b: true,
        j: { a: [1, "two", null, { n: false }] },
        raw: Uint8Array.of(0, 255, 7),
      },
      m: { note: "" },
    } satisfies RecordInput<typeof everyType>;
    await t.put(full);
    await t.put({ rowKey: "r2", d: { i: 2147483647, l: 42, b: false, j: null, x: Number.NaN, f: -Infinity, s: "", raw: new Uint8Array(0) } });

    const r1 = await t.get("r1");
    expect(r1).toEqual(full);
    const r2 = await t.get("r2");
    expect(r2).toEqual({ rowKey: "r2", d: { i: 2147483647, l: 42n, b: false, j: null, x: Number.NaN, f: -Infinity, s: "", raw: new Uint8Array(0) }, m: {} });
    expect(typeof r2?.d.l).toBe("bigint");

    expect(await t.getMany(["r2", "nope", "r1"])).toEqual([r2, undefined, r1]);
    expect(await all(t.scan())).toEqual([r1, r2]);
    expect(await all(t.scan({ reversed: true }))).toEqual([r2, r1]);
    expect(await t.count()).toBe(2);

    // The bytes are HBase's Bytes conventions, readable through the byte-level API.
    const raw = await conn.table("all").get("r1");
    expect(raw?.get("d:x", "double")).toBe(-0.1);
    expect(Array.from(raw!.getBytes("d:i")!)).toEqual([0x80, 0, 0, 0]);
  });

  it("encodes typed row keys, and scan bounds given as typed keys or raw bytes", async () => {
    const byId = schema({ rowKey: "int64", families: { d: { name: "string" } } });
    await conn.admin.createTable("people", { families: ["d"], schema: byId });
    const t = typedTable(conn.table("people"), byId);
    await t.putMany([1, 2, 3, 4, 5].map((n) => ({ rowKey: BigInt(n), d: { name: `p${n}` } })));
    const names = (rs: RecordOf<typeof byId>[]) => rs.map((r) => `${r.rowKey}:${r.d.name}`);
    expect(names(await all(t.scan({ startRow: 2n, stopRow: 4 })))).toEqual(["2:p2", "3:p3"]);
    expect(names(await all(t.scan({ startRow: 4n, includeStopRow: true, stopRow: 2n, reversed: true })))).toEqual(["4:p4", "3:p3", "2:p2"]);
    const three = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 3);
    expect(names(await all(t.scan({ startRow: three, limit: 1 })))).toEqual(["3:p3"]);
    expect(names(await all(t.scan({ prefix: 5n })))).toEqual(["5:p5"]);
    expect((await t.get(3))?.d.name).toBe("p3");
    const raw = await conn.table("people").get(three);
    expect(raw?.get("d:name", "string")).toBe("p3");
    await expect(async () => all(t.scan({ startRow: 1.5 }))).rejects.toThrow(/startRow.*int64/);
  });

  it("toMutation gives the Put a buffered mutator can write", async () => {
    await conn.admin.createTable("bids", { families: ["d"] });
    const t = typedTable(conn.table("bids"), bids);
    const put = t.toMutation({ rowKey: "b1", d: { price: 2.5, bidder: 7n } }, { timestamp: 1000 });
    expect(text(put.row as Uint8Array)).toBe("b1");
    expect(put.timestamp).toBe(1000);
    expect(put.cells.map((c) => [text(c.family as Uint8Array), text(c.qualifier as Uint8Array), Array.from(c.value as Uint8Array)])).toEqual([
      ["d", "price", [0x40, 0x04, 0, 0, 0, 0, 0, 0]],
      ["d", "bidder", [0, 0, 0, 0, 0, 0, 0, 7]],
    ]);
    await conn.table("bids").mutateRow(put.row, [{ kind: "put", ...put }]);
    const r = await conn.table("bids").get("b1");
    expect(r?.cells.map((c) => c.timestamp)).toEqual([1000, 1000]);
    expect(await t.get("b1")).toEqual({ rowKey: "b1", d: { price: 2.5, bidder: 7n } });
  });
});

describe("typed tables: absent values and unmapped columns", () => {
  it("yields absent fields, empty families, skips rows without schema columns and ignores unmapped cells", async () => {
    await conn.admin.createTable("t", { families: ["d", "m", "x"] });
    const s = schema({ rowKey: "string", families: { d: { price: "double", bidder: "int64" }, m: { note: "string" } } });
    const t = typedTable(conn.table("t"), s);
    const bytes = conn.table("t");
    await t.put({ rowKey: "a", d: { price: 1 } });
    await t.put({ rowKey: "b", m: { note: "only m" }, d: undefined });
    await rawPut(bytes, "b", "d", "unmapped", "whatever");
    await rawPut(bytes, "c", "x", "q", "only an unmapped family");
    await rawPut(bytes, "d", "d", "other", "only an unmapped qualifier");

    expect(await t.get("a")).toEqual({ rowKey: "a", d: { price: 1 }, m: {} });
    const a = await t.get("a");
    expect(a && "bidder" in a.d).toBe(false);
    expect(await t.get("b")).toEqual({ rowKey: "b", d: {}, m: { note: "only m" } });
    expect(await t.get("c")).toBeUndefined();
    expect(await t.get("d")).toBeUndefined();
    expect((await all(t.scan())).map((r) => r.rowKey)).toEqual(["a", "b"]);
    expect(await t.count()).toBe(2);
  });

  it("reads an empty value of a number, boolean or JSON field as absent (Flink's null), and empty strings and bytes as values", async () => {
    await conn.admin.createTable("t", { families: ["d"] });
    const s = schema({ rowKey: "string", families: { d: { x: "double", i: "int32", b: "boolean", j: "json", s: "string", raw: "bytes" } } });
    const t = typedTable(conn.table("t"), s);
    const empty = new Uint8Array(0);
    await conn.table("t").put({ row: "r", cells: ["x", "i", "b", "j", "s", "raw"].map((qualifier) => ({ family: "d", qualifier, value: empty })) });
    expect(await t.get("r")).toEqual({ rowKey: "r", d: { s: "", raw: empty } });
  });

  it("reads the latest version only and deletes only the schema's columns", async () => {
    await conn.admin.createTable("t", { families: [{ name: "d", maxVersions: 3 }] });
    const t = typedTable(conn.table("t"), bids);
    await t.put({ rowKey: "r", d: { price: 1 } }, { timestamp: 10 });
    await t.put({ rowKey: "r", d: { price: 2 } }, { timestamp: 20 });
    await t.put({ rowKey: "r", d: { bidder: 5 } }, { timestamp: 5 });
    await rawPut(conn.table("t"), "r", "d", "comment", "kept");
    expect(await t.get("r")).toEqual({ rowKey: "r", d: { price: 2, bidder: 5n } });
    await t.delete("r");
    expect(await t.get("r")).toBeUndefined();
    const left = await conn.table("t").get("r");
    expect(left?.columns()).toEqual(["d:comment"]);
  });
});

describe("typed tables: schemas stored in the catalog", () => {
  it("stores the schema with the table, returns it from describeTable and keeps it across reopen and truncate", async () => {
    const created = await conn.admin.createTable("bids", { families: ["d", "m"], schema: bids });
    expect(created.schema).toEqual(bids);
    await conn.admin.createTable("plain", { families: ["d"] });
    const t = await typedTableOf(conn, "bids", bids);
    await t.put({ rowKey: "b1", d: { price: 3.25, bidder: 9n } });

    await reopen();
    expect((await conn.admin.describeTable("bids")).schema).toEqual(bids);
    const plain = await conn.admin.describeTable("plain");
    expect("schema" in plain).toBe(false);
    await expect(typedTableOf(conn, "plain")).rejects.toThrow(/table plain has no stored schema/);

    const loose = await typedTableOf(conn, "bids");
    expect(loose.schema).toEqual(bids);
    expect(await loose.get("b1")).toEqual({ rowKey: "b1", d: { price: 3.25, bidder: 9n } });
    const typed = await typedTableOf(conn, "bids", bids);
    const r = await typed.get("b1");
    expect(r?.d.bidder).toBe(9n);

    await conn.admin.truncateTable("bids");
    expect((await conn.admin.describeTable("bids")).schema).toEqual(bids);
    expect(await typed.get("b1")).toBeUndefined();

    const other = schema({ rowKey: "string", families: { d: { price: "float" } } });
    await expect(typedTableOf(conn, "bids", other)).rejects.toThrow(/stored schema .* differs from the one given/);
    // Key order does not matter.
    const reordered = schema({ families: { d: { bidder: "int64", price: "double" } }, rowKey: "string" });
    await expect(typedTableOf(conn, "bids", reordered)).resolves.toBeDefined();
  });

  it("setSchema sets, replaces and removes a schema, and keeps it across reopen; cells are untouched", async () => {
    await conn.admin.createTable("t", { families: ["d", "m"] });
    await rawPut(conn.table("t"), "r", "d", "price", Uint8Array.of(0x3f, 0xf0, 0, 0, 0, 0, 0, 0));
    const set = await conn.admin.setSchema("t", bids);
    expect(set.schema).toEqual(bids);
    expect(set.families.map((f) => f.name)).toEqual(["d", "m"]);
    expect(await (await typedTableOf(conn, "t", bids)).get("r")).toEqual({ rowKey: "r", d: { price: 1 } });

    const notes = schema({ rowKey: "string", families: { m: { note: "string" } } });
    await conn.admin.setSchema("t", notes);
    await reopen();
    expect((await conn.admin.describeTable("t")).schema).toEqual(notes);
    await expect(conn.admin.setSchema("t", schema({ rowKey: "string", families: { zz: { a: "string" } } }))).rejects.toThrow(
      /setSchema t: the schema maps family "zz", which the table does not have \(families: d, m\)/,
    );
    expect((await conn.admin.describeTable("t")).schema).toEqual(notes);

    const removed = await conn.admin.setSchema("t", undefined);
    expect("schema" in removed).toBe(false);
    await reopen();
    expect("schema" in (await conn.admin.describeTable("t"))).toBe(false);
    expect(await conn.table("t").count()).toBe(1);
    await expect(conn.admin.setSchema("missing", bids)).rejects.toThrow(/table missing not found/);
    // A stored schema cannot be changed behind the catalog's back.
    await conn.admin.setSchema("t", { rowKey: "string", families: { d: { price: "double" } } });
    const described = await conn.admin.describeTable("t");
    expect(Object.isFrozen(described.schema?.families.d)).toBe(true);
  });

  it("loads catalog entries written before schemas existed, and can give them one", async () => {
    await conn.close();
    // A catalog entry in the format of the first slice (no "schema" key), written straight into the storage engine.
    const db = await openStorageEngine(dir);
    const enc = new TextEncoder();
    const old = { id: 1, namespace: "default", name: "legacy", families: [{ name: "d", maxVersions: 1, minVersions: 0, ttlMs: null }], splitKeys: [] };
    await db.put(Uint8Array.of(CATALOG_PREFIX, 0x74, ...enc.encode("default:legacy")), enc.encode(JSON.stringify(old)));
    await db.put(Uint8Array.of(CATALOG_PREFIX, 0x6e), Uint8Array.of(0, 0, 0, 2));
    await db.close();
    conn = await connect({ path: dir });
    const described = await conn.admin.describeTable("legacy");
    expect(described.families).toEqual([{ name: "d", maxVersions: 1, minVersions: 0, ttlMs: Infinity }]);
    expect("schema" in described).toBe(false);
    await conn.table("legacy").put({ row: "r", cells: [{ family: "d", qualifier: "price", value: Uint8Array.of(0x40, 0, 0, 0, 0, 0, 0, 0) }] });
    await conn.admin.setSchema("legacy", bids);
    await reopen();
    expect(await (await typedTableOf(conn, "legacy", bids)).get("r")).toEqual({ rowKey: "r", d: { price: 2 } });
  });

  it("rejects bad schemas with clear errors and creates nothing", async () => {
    const bad = (spec: unknown) => conn.admin.createTable("t", { families: ["d"], schema: spec as SchemaSpec });
    await expect(bad({ rowKey: "text", families: { d: { a: "string" } } })).rejects.toThrow(/rowKey: unknown codec "text"; known codecs: string, int32, int64/);
    await expect(bad({ rowKey: "string", families: { d: { price: "dbl" } } })).rejects.toThrow(/d:price: unknown codec "dbl"/);
    await expect(bad({ rowKey: "string", families: { e: { a: "string" } } })).rejects.toThrow(/createTable t: schema: the schema maps family "e", which the table does not have/);
    await expect(bad({ rowKey: "string", families: {} })).rejects.toThrow(/at least one column family/);
    await expect(bad({ rowKey: "string", families: { d: {} } })).rejects.toThrow(/family "d" maps no qualifiers/);
    await expect(bad({ rowKey: "string", families: { d: { a: "string" } }, family: {} })).rejects.toThrow(/unknown schema key "family"/);
    await expect(bad({ rowKey: "string", families: { d: ["string"] } })).rejects.toThrow(/family "d" must map qualifiers to codecs/);
    await expect(bad("string")).rejects.toThrow(/a schema is \{ rowKey: codec, families/);
    expect(await conn.admin.tableExists("t")).toBe(false);
    await expect(conn.admin.createTable("k", { families: ["rowKey"], schema: { rowKey: "string", families: { rowKey: { a: "string" } } } })).rejects.toThrow(
      /family "rowKey" would clash with the row-key field/,
    );
    expect(() => schema({ rowKey: "string", families: { d: { a: "strin" as "string" } } })).toThrow(/d:a: unknown codec "strin"/);
    expect(() => typedTable(conn.table("t"), { rowKey: "nope", families: { d: { a: "string" } } } as unknown as SchemaSpec)).toThrow(/table t: schema: rowKey: unknown codec "nope"/);
  });
});

describe("typed tables: values that do not decode", () => {
  const decodeSchema = schema({ rowKey: "string", families: { d: { price: "double", bidder: "int64" } } });

  async function seed(): Promise<Table> {
    await conn.admin.createTable("ns1:bids", { families: ["d"] });
    const bytes = conn.table("ns1:bids");
    const t = typedTable(bytes, decodeSchema);
    await t.put({ rowKey: "a", d: { price: 1, bidder: 1n } });
    await rawPut(bytes, "b\x01", "d", "price", "abc", 1234);
    await rawPut(bytes, "b\x01", "d", "bidder", Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 2));
    await t.put({ rowKey: "c", d: { price: 3 } });
    return bytes;
  }

  it("throws a SchemaDecodeError naming table, row, column, timestamp, expected type and bytes", async () => {
    const bytes = await seed();
    const t = typedTable(bytes, decodeSchema);
    const error = await t.get("b\x01").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SchemaDecodeError);
    const e = error as SchemaDecodeError;
    expect(e.message).toBe('table ns1:bids, row "b\\x01", column d:price, timestamp 1234: expected double, got 3 bytes 0x616263 (double codec: expected 8 bytes, got 3 bytes ("abc"))');
    expect([e.table, e.row, e.family, e.qualifier, e.column, e.timestamp, e.expected, e.hex]).toEqual(["ns1:bids", "b\\x01", "d", "price", "d:price", 1234, "double", "0x616263"]);
    expect(Array.from(e.rowBytes)).toEqual([0x62, 0x01]);
    expect(text(e.bytes)).toBe("abc");
    expect(e.cause).toBeInstanceOf(CodecError);

    // A scan yields the rows before the bad one, then throws at it.
    const seen: string[] = [];
    await expect(async () => {
      for await (const r of t.scan()) seen.push(r.rowKey);
    }).rejects.toThrow(SchemaDecodeError);
    expect(seen).toEqual(["a"]);
    await expect(t.getMany(["a", "b\x01"])).rejects.toThrow(/row "b\\x01", column d:price/);
  });

  it("with onDecodeError, yields the record without the bad field and reports every error", async () => {
    const bytes = await seed();
    const t = typedTable(bytes, decodeSchema);
    const errors: SchemaDecodeError[] = [];
    const rows = await all(t.scan({ onDecodeError: (e) => errors.push(e) }));
    expect(rows).toEqual([
      { rowKey: "a", d: { price: 1, bidder: 1n } },
      { rowKey: "b\x01", d: { bidder: 2n } },
      { rowKey: "c", d: { price: 3 } },
    ]);
    expect(errors.map((e) => `${e.row} ${e.column} ${e.timestamp}`)).toEqual(["b\\x01 d:price 1234"]);
    const more: SchemaDecodeError[] = [];
    expect(await t.get("b\x01", { onDecodeError: (e) => more.push(e) })).toEqual({ rowKey: "b\x01", d: { bidder: 2n } });
    expect(more).toHaveLength(1);
  });

  it("reports a row key that does not decode (and leaves the row out when errors are collected)", async () => {
    const byInt = schema({ rowKey: "int32", families: { d: { price: "double" } } });
    await conn.admin.createTable("t", { families: ["d"] });
    const bytes = conn.table("t");
    const t = typedTable(bytes, byInt);
    await t.put({ rowKey: 7, d: { price: 7 } });
    const longKey = Uint8Array.of(0, 0, 0, 9, 0xff);
    await rawPut(bytes, longKey, "d", "price", Uint8Array.of(0x40, 0x22, 0, 0, 0, 0, 0, 0));
    await expect(all(t.scan())).rejects.toThrow(/table t, row key "\\x00\\x00\\x00\\x09\\xFF": expected int32, got 5 bytes 0x00000009ff/);
    const errors: SchemaDecodeError[] = [];
    expect(await all(t.scan({ onDecodeError: (e) => errors.push(e) }))).toEqual([{ rowKey: 7, d: { price: 7 } }]);
    expect(errors.map((e) => [e.column, e.family, e.timestamp, e.expected])).toEqual([["(row key)", undefined, undefined, "int32"]]);
  });
});

describe("typed tables: records that do not encode", () => {
  it("rejects wrong field types naming the field, and putMany writes nothing when one record is bad", async () => {
    await conn.admin.createTable("bids", { families: ["d", "m"] });
    const t = typedTable(conn.table("bids"), bids);
    const good = { rowKey: "ok", d: { price: 1, bidder: 1n } };
    const attempt = (record: unknown) => t.putMany([good, record as RecordInput<typeof bids>]);

    const error = await attempt({ rowKey: "b", d: { price: "12.5" } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CodecError);
    expect(error).toBeInstanceOf(RecordEncodeError);
    expect((error as RecordEncodeError).field).toBe("d.price");
    expect((error as Error).message).toBe('table bids, field d.price: double codec: expected a number, got string "12.5"');

    await expect(attempt({ rowKey: "b", d: { bidder: 2 ** 63 } })).rejects.toThrow(/field d\.bidder: int64 codec/);
    await expect(attempt({ rowKey: "b", d: { bidder: null } })).rejects.toThrow(/field d\.bidder: int64 codec: expected .*, got null/);
    await expect(attempt({ rowKey: 5, d: { price: 1 } })).rejects.toThrow(/field rowKey: string codec: expected a string, got number 5/);
    await expect(attempt({ rowKey: "", d: { price: 1 } })).rejects.toThrow(/field rowKey: .*non-empty/);
    await expect(attempt({ d: { price: 1 } })).rejects.toThrow(/field rowKey: expected a row key/);
    await expect(attempt({ rowKey: "b", d: { prize: 1 } })).rejects.toThrow(/field d\.prize: expected a qualifier of family d in the schema \(price, bidder\), got an unmapped field "prize"/);
    await expect(attempt({ rowKey: "b", e: { price: 1 } })).rejects.toThrow(/field e: expected a family of the schema \(d\) or rowKey/);
    await expect(attempt({ rowKey: "b", m: { note: "m is in the table, not the schema" } })).rejects.toThrow(/field m: expected a family of the schema/);
    await expect(attempt({ rowKey: "b", d: 1 })).rejects.toThrow(/field d: expected an object/);
    await expect(attempt({ rowKey: "b", d: {} })).rejects.toThrow(/expected at least one field value to write, got a record of row "b" with none/);
    await expect(attempt([])).rejects.toThrow(/field \(record\): expected a record/);
    await expect(t.put({ rowKey: "b", d: { price: Symbol("x") as unknown as number } })).rejects.toThrow(/field d\.price/);
    expect(() => t.toMutation({ rowKey: "b", d: { price: "x" as unknown as number } })).toThrow(RecordEncodeError);
    await expect(t.get(1 as unknown as string)).rejects.toThrow(/field rowKey: string codec/);
    await expect(t.getMany(["a", 2 as unknown as string])).rejects.toThrow(/field rowKeys\[1\]: string codec/);

    expect(await conn.table("bids").count()).toBe(0);
    await t.putMany([good]);
    expect(await conn.table("bids").count()).toBe(1);
  });
});

describe("typed tables: types", () => {
  it("infers record types from the schema literal", () => {
    type Bid = RecordOf<typeof bids>;
    expectTypeOf<Bid>().toEqualTypeOf<{ rowKey: string; d: { price?: number; bidder?: bigint } }>();
    expectTypeOf<RecordInput<typeof bids>>().toEqualTypeOf<{ rowKey: string; d?: { price?: number; bidder?: bigint | number } }>();
    expectTypeOf<RecordOf<typeof everyType>["d"]["j"]>().toEqualTypeOf<import("../../src/hbase/bytes/value-codecs.js").JsonValue | undefined>();

    // Never run: these lines only have to type-check (or fail to, where marked).
    const typeOnly = async (table: Table) => {
      const t = typedTable(table, bids);
      const r = await t.get("b1");
      if (r !== undefined) {
        const price: number | undefined = r.d.price;
        const bidder: bigint | undefined = r.d.bidder;
        void [price, bidder];
        // @ts-expect-error bidder is a bigint, not a number
        const wrong: number | undefined = r.d.bidder;
        // @ts-expect-error the schema has no family "m"
        void r.m;
        void wrong;
      }
      await t.put({ rowKey: "b", d: { price: 1, bidder: 2 } });
      // @ts-expect-error price is a double: a string is not accepted
      await t.put({ rowKey: "b", d: { price: "1" } });
      // @ts-expect-error "prize" is not a qualifier of the schema
      await t.put({ rowKey: "b", d: { prize: 1 } });
      // @ts-expect-error the row key is a string
      await t.get(5);
      // @ts-expect-error a record needs its rowKey
      t.toMutation({ d: { price: 1 } });
      // @ts-expect-error "dbl" is not a codec name
      schema({ rowKey: "string", families: { d: { price: "dbl" } } });
      const byId = typedTable(table, schema({ rowKey: "int32", families: { d: { n: "string" } } }));
      byId.scan({ startRow: 1, stopRow: Uint8Array.of(0, 0, 0, 9) });
      // @ts-expect-error row bounds of an int32 key are numbers (or raw bytes)
      byId.scan({ startRow: "1" });
    };
    expect(typeof typeOnly).toBe("function");
  });

  it("this file type-checks, with every @ts-expect-error above being a real error", () => {
    const root = fileURLToPath(new URL("../..", import.meta.url));
    const self = fileURLToPath(import.meta.url);
    const config = ts.readConfigFile(path.join(root, "tsconfig.json"), (p) => ts.sys.readFile(p));
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
    const program = ts.createProgram([self], { ...parsed.options, noEmit: true, rootDir: root, declaration: false });
    const mine = (file: ts.SourceFile | undefined) => file !== undefined && (file.fileName === self.split(path.sep).join("/") || file.fileName.includes("/src/hbase/schema/"));
    const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => mine(d.file));
    const messages = diagnostics.map((d) => `${d.file?.fileName}:${d.file?.getLineAndCharacterOfPosition(d.start ?? 0).line}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
    expect(messages).toEqual([]);
  }, 120_000);
});
