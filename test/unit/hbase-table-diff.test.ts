/** diffTables: hand-computed differences between two real embedded tables. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connect } from "../../src/hbase/connect.js";
import type { Connection, Put } from "../../src/hbase/table.js";
import { diffTables, TABLE_DIFF_MIME, type TableDiff } from "../../src/hbase/table-diff.js";
import { tempDir, text } from "./hbase-embedded-support.js";

let remove: () => Promise<void>;
let conn: Connection;

beforeEach(async () => {
  let dir: string;
  ({ dir, remove } = await tempDir());
  conn = await connect({ path: dir });
});
afterEach(async () => {
  await conn.close();
  await remove();
});

const put = (row: string, qualifier: string, value: string | Uint8Array, timestamp: number, family = "d"): Put => ({
  row,
  cells: [{ family, qualifier, value, timestamp }],
});

/** The differences as "kind row family:qualifier old→new" lines. */
function lines(diff: TableDiff): string[] {
  return diff.differences.map((d) => {
    const v = (x: { timestamp: number; value: Uint8Array } | undefined) => (x === undefined ? "-" : `${text(x.value)}@${x.timestamp}`);
    return `${d.kind} ${text(d.row)} ${text(d.family)}:${text(d.qualifier)} ${v(d.old)}→${v(d.new)}`;
  });
}

async function twoTables(a: readonly Put[], b: readonly Put[], options: { splitsA?: string[]; splitsB?: string[]; maxVersions?: number } = {}) {
  await conn.admin.createTable("a", { families: [{ name: "d", maxVersions: options.maxVersions ?? 3 }], splitKeys: options.splitsA ?? [] });
  await conn.admin.createTable("b", { families: [{ name: "d", maxVersions: options.maxVersions ?? 3 }], splitKeys: options.splitsB ?? [] });
  if (a.length > 0) await conn.table("a").putMany(a);
  if (b.length > 0) await conn.table("b").putMany(b);
  return [conn.table("a"), conn.table("b")] as const;
}

describe("diffTables", () => {
  it("finds cells added, removed and changed, and counts the rest", async () => {
    const [a, b] = await twoTables(
      [put("r1", "x", "1", 10), put("r1", "y", "2", 10), put("r2", "x", "3", 10), put("r4", "x", "4", 10)],
      [put("r1", "x", "1", 10), put("r1", "y", "20", 10), put("r3", "x", "5", 10), put("r4", "x", "4", 10), put("r4", "z", "6", 10)],
    );
    const diff = await diffTables(a, b);
    expect(lines(diff)).toEqual([
      "changed r1 d:y 2@10→20@10",
      "removed r2 d:x 3@10→-",
      "added r3 d:x -→5@10",
      "added r4 d:z -→6@10",
    ]);
    expect(diff.counts).toEqual({ added: 2, removed: 1, changed: 1, unchanged: 2, referenceCells: 4, otherCells: 5, rowsWithDifferences: 4 });
    expect(diff.identical).toBe(false);
    expect(diff.truncated).toBe(false);
    expect(diff.summary).toBe("a → b: 2 added, 1 removed, 1 changed, 2 unchanged (4 rows differ)");
  });

  it("treats a value at another timestamp as one cell removed and one added, unless told to ignore timestamps", async () => {
    const [a, b] = await twoTables(
      [put("r1", "x", "v", 10), put("r2", "x", "old", 10)],
      [put("r1", "x", "v", 20), put("r2", "x", "new", 30)],
    );
    expect(lines(await diffTables(a, b))).toEqual([
      "added r1 d:x -→v@20",
      "removed r1 d:x v@10→-",
      "added r2 d:x -→new@30",
      "removed r2 d:x old@10→-",
    ]);
    const latest = await diffTables(a, b, { ignoreTimestamps: true });
    expect(lines(latest)).toEqual(["changed r2 d:x old@10→new@30"]);
    expect(latest.counts.unchanged).toBe(1);
  });

  it("compares every version kept, or only the latest with maxVersions: 1", async () => {
    const [a, b] = await twoTables(
      [put("r", "x", "one", 1), put("r", "x", "two", 2), put("r", "x", "three", 3)],
      [put("r", "x", "ONE", 1), put("r", "x", "two", 2), put("r", "x", "three", 3)],
    );
    expect(lines(await diffTables(a, b))).toEqual(["changed r d:x one@1→ONE@1"]);
    const latest = await diffTables(a, b, { maxVersions: 1 });
    expect(latest.identical).toBe(true);
    expect(latest.counts.unchanged).toBe(1);
  });

  it("does not depend on region splits", async () => {
    const rows = ["a", "b", "m", "n", "x", "y"].map((r, i) => put(r, "q", String(i), 5));
    const changed = rows.map((p, i) => (i === 3 ? put("n", "q", "changed", 5) : p));
    const [a, b] = await twoTables(rows, changed, { splitsA: ["c", "o"], splitsB: ["n"] });
    const diff = await diffTables(a, b);
    expect(lines(diff)).toEqual(["changed n d:q 3@5→changed@5"]);
    expect(diff.counts.unchanged).toBe(5);
  });

  it("diffs empty tables (identical), and an empty table against a full one", async () => {
    const [a, b] = await twoTables([], []);
    const same = await diffTables(a, b);
    expect(same.identical).toBe(true);
    expect(same.summary).toBe("a → b: identical (0 cells)");
    await b.putMany([put("r1", "x", "1", 1), put("r2", "x", "2", 1)]);
    const grown = await diffTables(a, b);
    expect(grown.counts).toMatchObject({ added: 2, removed: 0, changed: 0, rowsWithDifferences: 2 });
    const shrunk = await diffTables(b, a);
    expect(shrunk.counts).toMatchObject({ added: 0, removed: 2, changed: 0 });
  });

  it("with scope \"rowsOfOther\", compares only the rows the other table has", async () => {
    const [a, b] = await twoTables(
      [put("r1", "x", "1", 1), put("r2", "x", "2", 1), put("r2", "y", "3", 1), put("r3", "x", "4", 1)],
      [put("r2", "x", "2", 1), put("r4", "x", "5", 1)],
    );
    const diff = await diffTables(a, b, { scope: "rowsOfOther" });
    expect(lines(diff)).toEqual(["removed r2 d:y 3@1→-", "added r4 d:x -→5@1"]);
    expect(diff.counts).toMatchObject({ unchanged: 1, referenceCells: 2, otherCells: 2 });
    await expect(diffTables(a, b, { scope: "some" as never })).rejects.toThrow(/scope must be "all" or "rowsOfOther"/);
  });

  it("keeps the first `limit` differences and counts all of them", async () => {
    const many = Array.from({ length: 50 }, (_, i) => put(`row${String(i).padStart(2, "0")}`, "x", String(i), 1));
    const [a, b] = await twoTables([], many);
    const diff = await diffTables(a, b, { limit: 5 });
    expect(diff.counts.added).toBe(50);
    expect(diff.differences.map((d) => text(d.row))).toEqual(["row00", "row01", "row02", "row03", "row04"]);
    expect(diff.truncated).toBe(true);
    expect(String(diff.bundle()["text/plain"])).toContain("the first 5 shown");
  });

  it("compares tables of different families cell by cell, and refuses a column one table lacks", async () => {
    await conn.admin.createTable("a", { families: ["d", "e"] });
    await conn.admin.createTable("b", { families: ["d"] });
    await conn.table("a").putMany([put("r", "x", "1", 1), put("r", "y", "2", 1, "e")]);
    await conn.table("b").putMany([put("r", "x", "1", 1)]);
    const diff = await diffTables(conn.table("a"), conn.table("b"));
    expect(lines(diff)).toEqual(["removed r e:y 2@1→-"]);
    expect((await diffTables(conn.table("a"), conn.table("b"), { columns: ["d"] })).identical).toBe(true);
    await expect(diffTables(conn.table("a"), conn.table("b"), { columns: ["e"] })).rejects.toThrow(/reading table b failed: .*e/);
  });

  it("restricts the comparison to a prefix, a row range or a time range", async () => {
    const [a, b] = await twoTables(
      [put("p1", "x", "1", 1), put("q1", "x", "1", 1), put("q2", "x", "1", 100)],
      [put("p1", "x", "2", 1), put("q1", "x", "1", 1), put("q2", "x", "9", 100)],
    );
    expect(lines(await diffTables(a, b, { prefix: "q" }))).toEqual(["changed q2 d:x 1@100→9@100"]);
    expect(lines(await diffTables(a, b, { startRow: "p", stopRow: "q2" }))).toEqual(["changed p1 d:x 1@1→2@1"]);
    expect(lines(await diffTables(a, b, { timeRange: { min: 50 } }))).toEqual(["changed q2 d:x 1@100→9@100"]);
  });

  it("shows bytes as UTF-8 when printable, else as \\xNN escapes, in HTML, text and JSON", async () => {
    const [a, b] = await twoTables([put("r<1>", "x", Uint8Array.of(0, 1, 0xff), 7)], [put("r<1>", "x", "héllo", 7)]);
    const diff = await diffTables(a, b);
    const bundle = diff.bundle();
    expect(Object.keys(bundle).sort()).toEqual([TABLE_DIFF_MIME, "text/html", "text/plain"].sort());
    expect(bundle["text/html"]).toContain("<td>r&lt;1&gt;</td>");
    expect(bundle["text/html"]).toContain("<tr><td>changed</td><td>r&lt;1&gt;</td><td>d:x</td><td>7</td><td>\\x00\\x01\\xFF</td><td>héllo</td></tr>");
    expect(bundle["text/plain"]).toContain("héllo");
    expect(bundle[TABLE_DIFF_MIME]).toEqual({
      reference: "a",
      other: "b",
      identical: false,
      truncated: false,
      counts: { added: 0, removed: 0, changed: 1, unchanged: 0, referenceCells: 1, otherCells: 1, rowsWithDifferences: 1 },
      differences: [{ kind: "changed", row: "r<1>", column: "d:x", old: { timestamp: 7, value: "\\x00\\x01\\xFF" }, new: { timestamp: 7, value: "héllo" } }],
    });
    expect(diff[Symbol.for("Jupyter.display") as keyof TableDiff]).toBeTypeOf("function");
  });

  it("shows values with a codec (all columns, or per column); timestamps \"old → new\" when they differ", async () => {
    const int = (n: number) => new Uint8Array(new BigInt64Array([BigInt(n)]).buffer).reverse();
    const [a, b] = await twoTables([put("r", "n", int(5), 1), put("r", "t", "x", 1)], [put("r", "n", int(7), 1), put("r", "t", "y", 2)]);
    const diff = await diffTables(a, b, { codec: { "d:n": "int64" }, ignoreTimestamps: true });
    expect(diff.rows()).toEqual([
      ["changed", "r", "d:n", "1", "5", "7"],
      ["changed", "r", "d:t", "1 → 2", "x", "y"],
    ]);
    expect((await diffTables(a, b, { codec: "int64", columns: ["d:n"] })).rows()).toEqual([["changed", "r", "d:n", "1", "5", "7"]]);
    // A value its codec cannot decode is shown as text.
    expect((await diffTables(a, b, { codec: "int64", columns: ["d:t"], ignoreTimestamps: true })).rows()[0]).toEqual(["changed", "r", "d:t", "1 → 2", "x", "y"]);
    await expect(diffTables(a, b, { codec: "int65" as never })).rejects.toThrow(/codec "int65" is not a codec name/);
  });

  it("refuses bad arguments with a clear message", async () => {
    const [a, b] = await twoTables([], []);
    await expect(diffTables(a, undefined as never)).rejects.toThrow(/takes two tables/);
    await expect(diffTables(a, b, { limit: -1 })).rejects.toThrow(/limit must be an integer ≥ 0/);
    await expect(diffTables(a, b, { maxVersions: 0 })).rejects.toThrow(/maxVersions must be an integer ≥ 1/);
    await expect(diffTables(a, b, { ignoreTimestamps: true, maxVersions: 3 })).rejects.toThrow(/maxVersions must be 1 or left out/);
    await expect(diffTables(a, b, { columns: "d" as never })).rejects.toThrow(/columns must be an array/);
  });
});
