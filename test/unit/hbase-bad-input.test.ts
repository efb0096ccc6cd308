/**
 * Bad input to every Table and Admin method (issue 3: "unknown table or family, empty row key, oversized
 * values, wrong value types for a codec, invalid filters → a clear error naming the problem; nothing
 * half-written"). Each case lists what the message must name (the table, the family, the row, the
 * option); every group collects all its mismatches, so one run reports every case that is wrong.
 * Complements the few cases of hbase-embedded.test.ts ("rejects bad reads and writes").
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { codecs } from "../../src/hbase/bytes/value-codecs.js";
import { MAX_VALUE_LENGTH } from "../../src/hbase/backends/embedded/mutation-encoder.js";
import { connect } from "../../src/hbase/connect.js";
import type { Filter } from "../../src/hbase/filters/filter.js";
import type { Connection, Mutation, Put, Table } from "../../src/hbase/table.js";
import { tempDir, text } from "./hbase-embedded-support.js";

let conn: Connection;
let remove: () => Promise<void>;
let t: Table;

beforeEach(async () => {
  const temp = await tempDir();
  remove = temp.remove;
  conn = await connect({ path: temp.dir });
  await conn.admin.createTable("t", { families: ["d", "e"] });
  t = conn.table("t");
  // One existing row, so "nothing written" also means "nothing changed".
  await t.put({ row: "existing", timestamp: 5, cells: [{ family: "d", qualifier: "q", value: "old" }, { family: "e", qualifier: "n", value: codecs.int64.encode(7n) }] });
});
afterEach(async () => {
  await conn.close();
  await remove();
});

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

describe("bad input: unknown tables", () => {
  it("every Table method on a missing table says which table is not found", async () => {
    const nope = conn.table("nope");
    const ns = conn.table("ns1:nope");
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
        ["describeTable", () => conn.admin.describeTable("nope"), "table nope not found"],
        ["deleteTable", () => conn.admin.deleteTable("ns1:nope"), "table ns1:nope not found"],
        ["truncateTable", () => conn.admin.truncateTable("nope"), "table nope not found"],
        ["compact", () => conn.admin.compact("nope"), "table nope not found"],
      ]),
    ).toEqual([]);
    expect(await conn.admin.tableExists("nope")).toBe(false);
    expect(await conn.admin.listTables()).toEqual([{ namespace: "default", name: "t" }]);
  });

  it("table names that are not names are refused, naming the name", async () => {
    expect(
      await mismatches([
        ["empty name", () => conn.table(""), 'invalid table name ""'],
        ["space", () => conn.table("a b"), 'invalid table name "a b"'],
        ["empty namespace", () => conn.table(":t"), /invalid namespace ""/],
        ["empty name in a namespace", () => conn.table("ns:"), 'invalid table name ""'],
        ["two colons", () => conn.table("a:b:c"), 'invalid table name "b:c"'],
        ["leading dot", () => conn.table(".t"), 'invalid table name ".t"'],
        ["256 characters", () => conn.table("x".repeat(256)), "invalid table name", "at most 255"],
        ["null", () => conn.table(bad(null)), "a table is named by a string", "got null"],
        ["number", () => conn.table(bad(5)), "a table is named by a string", "got 5"],
        ["object without a name", () => conn.table(bad({ namespace: "ns" })), "a table is named by a string"],
        ["tableExists(null)", () => conn.admin.tableExists(bad(null)), "a table is named by a string"],
        ["describeTable(5)", () => conn.admin.describeTable(bad(5)), "a table is named by a string"],
        ["deleteTable of a bad name", () => conn.admin.deleteTable("bad name"), 'invalid table name "bad name"'],
        ["createTable of a bad name", () => conn.admin.createTable("ns:bad name", { families: ["d"] }), 'invalid table name "bad name"'],
        ["listTables of a namespace that is not a string", () => conn.admin.listTables(bad(5)), /namespace/],
      ]),
    ).toEqual([]);
  });
});

describe("bad input: createTable options (nothing created)", () => {
  it("names the option and creates no table", async () => {
    expect(
      await mismatches([
        ["options null", () => conn.admin.createTable("u", bad(null)), "createTable u", "families"],
        ["families not an array", () => conn.admin.createTable("u", bad({ families: "d" })), "createTable u", "families"],
        ["a family that is a number", () => conn.admin.createTable("u", bad({ families: [5] })), "table u", "column family"],
        ["a family that is null", () => conn.admin.createTable("u", bad({ families: [null] })), "table u", "column family"],
        ["an empty family name", () => conn.admin.createTable("u", { families: [""] }), 'invalid column family name ""'],
        ["a family name with a control character", () => conn.admin.createTable("u", { families: ["a\u0001"] }), "invalid column family name"],
        ["maxVersions 1.5", () => conn.admin.createTable("u", { families: [{ name: "d", maxVersions: 1.5 }] }), "family d", "maxVersions", "1.5"],
        ["maxVersions as a string", () => conn.admin.createTable("u", { families: [{ name: "d", maxVersions: bad("3") }] }), "family d", "maxVersions"],
        ["minVersions -1", () => conn.admin.createTable("u", { families: [{ name: "d", minVersions: -1 }] }), "family d", "minVersions"],
        ["ttlMs NaN", () => conn.admin.createTable("u", { families: [{ name: "d", ttlMs: NaN }] }), "family d", "ttlMs", "NaN"],
        ["ttlMs 0", () => conn.admin.createTable("u", { families: [{ name: "d", ttlMs: 0 }] }), "family d", "ttlMs"],
        ["ttlMs 1.5", () => conn.admin.createTable("u", { families: [{ name: "d", ttlMs: 1.5 }] }), "family d", "ttlMs"],
        ["splitKeys not an array", () => conn.admin.createTable("u", { families: ["d"], splitKeys: bad("k") }), "u", /split ?keys/i],
        ["a split key that is a number", () => conn.admin.createTable("u", { families: ["d"], splitKeys: bad([5]) }), "u", /split key/i],
        ["a split key that is null", () => conn.admin.createTable("u", { families: ["d"], splitKeys: bad([null]) }), "u", /split key/i],
        ["an existing table", () => conn.admin.createTable("t", { families: ["x"] }), "table t already exists"],
      ]),
    ).toEqual([]);
    expect(await conn.admin.listTables()).toEqual([{ namespace: "default", name: "t" }]);
    // The existing table kept its families.
    expect((await conn.admin.describeTable("t")).families.map((f) => f.name)).toEqual(["d", "e"]);
  });
});

describe("bad input: unknown families", () => {
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

describe("bad input: row keys", () => {
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

describe("bad input: cells and values", () => {
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

describe("bad input: timestamps and read options", () => {
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

describe("bad input: filters", () => {
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

describe("bad input: atomic writes are all or nothing", () => {
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

  it("a closed connection refuses every call, naming the directory", async () => {
    const other = await tempDir();
    const c = await connect({ path: other.dir });
    try {
      await c.admin.createTable("t", { families: ["d"] });
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
    } finally {
      await c.close();
      await other.remove();
    }
  });
});
