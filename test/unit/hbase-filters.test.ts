/**
 * Filter evaluation with HBase's semantics (src/hbase/filters): each filter alone on crafted rows
 * (keys and values with 0x00 / 0xFF bytes), comparators and ops, list merging and order, page counting,
 * and validation errors.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Cell } from "../../src/hbase/model/cell.js";
import type { CompareOp, Filter } from "../../src/hbase/filters/filter.js";
import { compileFilter, validateFilter } from "../../src/hbase/filters/compile-filter.js";
import { InvalidFilterError } from "../../src/hbase/filters/invalid-filter-error.js";
import { toStringBinary } from "../../src/hbase/bytes/bytes.js";

const enc = new TextEncoder();
type B = Uint8Array | string;
const b = (v: B): Uint8Array => (typeof v === "string" ? enc.encode(v) : v);
const bin = (...xs: number[]): Uint8Array => Uint8Array.from(xs);

function cell(row: B, family: B, qualifier: B, timestamp: number, value: B): Cell {
  return { row: b(row), family: b(family), qualifier: b(qualifier), timestamp, type: "put", value: b(value) };
}

/** A row's cells from "fam:qual@ts=value" specs (given in HBase order). */
function row(key: B, ...specs: [B, B, number, B][]): Cell[] {
  return specs.map(([f, q, ts, v]) => cell(key, f, q, ts, v));
}

/** Printable form of a returned row: "fam:qual@ts=value" each. */
function show(cells: Cell[] | undefined): string[] | undefined {
  return cells?.map((c) => `${toStringBinary(c.family)}:${toStringBinary(c.qualifier)}@${c.timestamp}=${toStringBinary(c.value)}`);
}

/** Runs one compiled filter over rows in order; the printable result of each row. */
function runRows(filter: Filter, rows: Cell[][], reversed = false): (string[] | undefined)[] {
  const run = compileFilter(filter, { reversed });
  return rows.map((r) => show(run.filterRow(r)));
}

function one(filter: Filter, r: Cell[]): string[] | undefined {
  return show(compileFilter(filter).filterRow(r));
}

const sample = (key: B) => row(key, ["d", "a", 2, "x"], ["d", "a", 1, "y"], ["d", "b", 1, "z"]);

describe("rowPrefix", () => {
  it("keeps rows whose key starts with the prefix, with 0x00/0xFF bytes compared as bytes", () => {
    const prefix = bin(0xff, 0x00);
    expect(one({ type: "rowPrefix", prefix }, sample(bin(0xff, 0x00)))).toEqual(["d:a@2=x", "d:a@1=y", "d:b@1=z"]);
    expect(one({ type: "rowPrefix", prefix }, sample(bin(0xff, 0x00, 0xff)))).toHaveLength(3);
    expect(one({ type: "rowPrefix", prefix }, sample(bin(0xff, 0x01)))).toBeUndefined();
    expect(one({ type: "rowPrefix", prefix }, sample(bin(0x7f, 0x00)))).toBeUndefined();
    // shorter than the prefix
    expect(one({ type: "rowPrefix", prefix }, sample(bin(0xff)))).toBeUndefined();
  });

  it("is done once a forward scan passes the prefix, not before", () => {
    const run = compileFilter({ type: "rowPrefix", prefix: bin(0x00) });
    expect(run.filterRow(sample(bin(0x00)))).toBeDefined();
    expect(run.done()).toBe(false);
    expect(run.filterRow(sample(bin(0x00, 0xff)))).toBeDefined();
    expect(run.done()).toBe(false);
    expect(run.filterRow(sample(bin(0x01)))).toBeUndefined();
    expect(run.done()).toBe(true);
    // after done, nothing passes
    expect(run.filterRow(sample(bin(0x00, 0x01)))).toBeUndefined();
  });

  it("on a reversed scan is done once a row sorts below the prefix", () => {
    const run = compileFilter({ type: "rowPrefix", prefix: "m" }, { reversed: true });
    expect(run.filterRow(sample("n"))).toBeUndefined();
    expect(run.done()).toBe(false);
    expect(run.filterRow(sample("m2"))).toBeDefined();
    expect(run.filterRow(sample("m1"))).toBeDefined();
    expect(run.done()).toBe(false);
    expect(run.filterRow(sample("l"))).toBeUndefined();
    expect(run.done()).toBe(true);
  });
});

describe("comparators and ops", () => {
  const rowOp = (op: CompareOp, key: Uint8Array, operand: Uint8Array) =>
    one({ type: "row", op, comparator: { type: "binary", value: operand } }, sample(key)) !== undefined;

  it("binary compares unsigned: 0xFF sorts after 0x7F, 0x00 before everything but the empty key", () => {
    const ops: CompareOp[] = ["less", "lessOrEqual", "equal", "notEqual", "greaterOrEqual", "greater"];
    const truth = (stored: Uint8Array, operand: Uint8Array) => ops.filter((op) => rowOp(op, stored, operand));
    expect(truth(bin(0xff), bin(0x7f))).toEqual(["notEqual", "greaterOrEqual", "greater"]);
    expect(truth(bin(0x7f), bin(0xff))).toEqual(["less", "lessOrEqual", "notEqual"]);
    expect(truth(bin(0x00, 0xff), bin(0x00, 0xff))).toEqual(["lessOrEqual", "equal", "greaterOrEqual"]);
    expect(truth(bin(0x00), bin(0x00, 0x00))).toEqual(["less", "lessOrEqual", "notEqual"]);
  });

  it("binaryPrefix compares only the operand's length; a shorter stored value sorts before", () => {
    const f = (op: CompareOp, value: Uint8Array): Filter => ({ type: "value", op, comparator: { type: "binaryPrefix", value } });
    const r = row("r", ["d", "a", 1, bin(0xff, 0x00, 0x01)], ["d", "b", 1, bin(0xff)], ["d", "c", 1, bin(0xfe, 0xff)]);
    expect(one(f("equal", bin(0xff, 0x00)), r)).toEqual(["d:a@1=\\xFF\\x00\\x01"]);
    expect(one(f("less", bin(0xff, 0x00)), r)).toEqual(["d:b@1=\\xFF", "d:c@1=\\xFE\\xFF"]);
    expect(one(f("greater", bin(0xfe)), r)).toEqual(["d:a@1=\\xFF\\x00\\x01", "d:b@1=\\xFF"]);
  });

  it("substring is case-insensitive on UTF-8 text; equal = contains, notEqual = does not", () => {
    const r = row("r", ["d", "a", 1, "Straße ÄPFEL"], ["d", "b", 1, "apple pie"], ["d", "c", 1, bin(0xff, 0xfe, 0x41)]);
    const sub = (op: "equal" | "notEqual", value: string): Filter => ({ type: "value", op, comparator: { type: "substring", value } });
    expect(one(sub("equal", "äpf"), r)).toEqual(["d:a@1=Stra\\xC3\\x9Fe \\xC3\\x84PFEL"]);
    expect(one(sub("equal", "APPLE"), r)).toEqual(["d:b@1=apple pie"]);
    // invalid UTF-8 decodes with replacement characters and still matches the valid part
    expect(one(sub("equal", "a"), r)).toHaveLength(3);
    expect(one(sub("notEqual", "APPLE"), r)).toEqual(["d:a@1=Stra\\xC3\\x9Fe \\xC3\\x84PFEL", "d:c@1=\\xFF\\xFEA"]);
  });
});

describe("row (RowFilter)", () => {
  it("drops the whole row on its key, whatever its cells", () => {
    const f: Filter = { type: "row", op: "greaterOrEqual", comparator: { type: "binary", value: bin(0x80) } };
    expect(runRows(f, [sample(bin(0x7f, 0xff)), sample(bin(0x80)), sample(bin(0xff, 0x00))])).toEqual([
      undefined,
      ["d:a@2=x", "d:a@1=y", "d:b@1=z"],
      ["d:a@2=x", "d:a@1=y", "d:b@1=z"],
    ]);
  });
});

describe("columnPrefix, qualifier, value", () => {
  const r = row(
    "r",
    ["a", bin(0x00), 1, "n0"],
    ["a", "col1", 1, "v1"],
    ["a", "zz", 1, "v2"],
    ["d", "col", 5, "new"],
    ["d", "col", 3, "old"],
    ["d", bin(0x63, 0x6f, 0x6c, 0xff), 1, bin(0x00)],
    ["d", "x", 1, "v3"],
  );

  it("columnPrefix keeps every version of matching qualifiers in every family", () => {
    expect(one({ type: "columnPrefix", prefix: "col" }, r)).toEqual(["a:col1@1=v1", "d:col@5=new", "d:col@3=old", "d:col\\xFF@1=\\x00"]);
    expect(one({ type: "columnPrefix", prefix: bin(0x00) }, r)).toEqual(["a:\\x00@1=n0"]);
    expect(one({ type: "columnPrefix", prefix: "q" }, r)).toBeUndefined();
  });

  it("qualifier compares the qualifier bytes", () => {
    expect(one({ type: "qualifier", op: "greater", comparator: { type: "binary", value: "col" } }, r)).toEqual([
      "a:col1@1=v1",
      "a:zz@1=v2",
      "d:col\\xFF@1=\\x00",
      "d:x@1=v3",
    ]);
    expect(one({ type: "qualifier", op: "equal", comparator: { type: "binary", value: bin(0x00) } }, r)).toEqual(["a:\\x00@1=n0"]);
  });

  it("value compares the value bytes; a row with no cell left is dropped", () => {
    expect(one({ type: "value", op: "lessOrEqual", comparator: { type: "binary", value: bin(0x00) } }, r)).toEqual(["d:col\\xFF@1=\\x00"]);
    expect(one({ type: "value", op: "equal", comparator: { type: "binary", value: "none" } }, r)).toBeUndefined();
  });

  it("a row with no cells at all is dropped", () => {
    expect(compileFilter({ type: "keyOnly" }).filterRow([])).toBeUndefined();
  });
});

describe("singleColumnValue", () => {
  const scv = (extra: Partial<Extract<Filter, { type: "singleColumnValue" }>> = {}): Filter => ({
    type: "singleColumnValue",
    family: "d",
    qualifier: "status",
    op: "equal",
    comparator: { type: "binary", value: "ok" },
    ...extra,
  });
  const withStatus = (...versions: [number, B][]) =>
    row("r", ["a", "x", 1, "ax"], ...versions.map(([ts, v]): [B, B, number, B] => ["d", "status", ts, v]), ["d", "z", 1, "dz"]);

  it("returns all the row's cells when the column's latest version compares", () => {
    expect(one(scv(), withStatus([2, "ok"], [1, "bad"]))).toEqual(["a:x@1=ax", "d:status@2=ok", "d:status@1=bad", "d:z@1=dz"]);
  });

  it("drops the row when the latest version does not compare, even if an older one does", () => {
    expect(one(scv(), withStatus([2, "bad"], [1, "ok"]))).toBeUndefined();
  });

  it("with latestVersionOnly false, any version that compares passes the row", () => {
    expect(one(scv({ latestVersionOnly: false }), withStatus([2, "bad"], [1, "ok"]))).toHaveLength(4);
    expect(one(scv({ latestVersionOnly: false }), withStatus([2, "bad"], [1, "worse"]))).toBeUndefined();
  });

  it("a row without the column passes unless filterIfMissing", () => {
    const missing = row("r", ["a", "x", 1, "ax"], ["d", "z", 1, "dz"]);
    expect(one(scv(), missing)).toEqual(["a:x@1=ax", "d:z@1=dz"]);
    expect(one(scv({ filterIfMissing: true }), missing)).toBeUndefined();
  });

  it("compares values with 0x00/0xFF bytes unsigned", () => {
    const f = scv({ op: "greater", comparator: { type: "binary", value: bin(0x7f) } });
    expect(one(f, withStatus([1, bin(0xff, 0x00)]))).toHaveLength(3);
    expect(one(f, withStatus([1, bin(0x00, 0xff)]))).toBeUndefined();
  });
});

describe("keyOnly", () => {
  const big = new Uint8Array(300).fill(0xff);
  const r = row(bin(0x00, 0xff), ["d", "a", 2, big], ["d", "b", 1, ""]);

  it("strips values", () => {
    const out = compileFilter({ type: "keyOnly" }).filterRow(r)!;
    expect(out.map((c) => c.value.length)).toEqual([0, 0]);
    expect(out.map((c) => [toStringBinary(c.row), c.timestamp])).toEqual([["\\x00\\xFF", 2], ["\\x00\\xFF", 1]]);
    // the input cells are left alone
    expect(r[0]!.value).toBe(big);
  });

  it("lengthAsValue puts the length as a 4-byte big-endian int", () => {
    expect(show(compileFilter({ type: "keyOnly", lengthAsValue: true }).filterRow(r))).toEqual(["d:a@2=\\x00\\x00\\x01,", "d:b@1=\\x00\\x00\\x00\\x00"]);
  });
});

describe("page", () => {
  it("passes pageSize rows and is done after them", () => {
    const run = compileFilter({ type: "page", pageSize: 2 });
    expect(run.done()).toBe(false);
    expect(run.filterRow(sample("a"))).toBeDefined();
    expect(run.done()).toBe(false);
    expect(run.filterRow([])).toBeUndefined(); // an empty row does not count
    expect(run.filterRow(sample("b"))).toBeDefined();
    expect(run.done()).toBe(true);
    expect(run.filterRow(sample("c"))).toBeUndefined();
  });

  it("each compiled run counts on its own", () => {
    const f: Filter = { type: "page", pageSize: 1 };
    const r1 = compileFilter(f);
    r1.filterRow(sample("a"));
    expect(r1.done()).toBe(true);
    expect(compileFilter(f).done()).toBe(false);
  });

  const status = (key: string, v: string) => row(key, ["a", "x", 1, "ax"], ["d", "s", 1, v]);
  const scv: Filter = { type: "singleColumnValue", family: "d", qualifier: "s", op: "equal", comparator: { type: "binary", value: "ok" } };
  const rows = [status("r1", "bad"), status("r2", "ok"), status("r3", "ok"), status("r4", "ok")];

  it("after another filter in mustPassAll, counts only the rows that filter passed", () => {
    const out = runRows({ type: "list", operator: "mustPassAll", filters: [scv, { type: "page", pageSize: 2 }] }, rows);
    expect(out.map((r) => r !== undefined)).toEqual([false, true, true, false]);
  });

  it("before it in mustPassAll, counts every row that reaches the row verdict (HBase order)", () => {
    const run = compileFilter({ type: "list", operator: "mustPassAll", filters: [{ type: "page", pageSize: 2 }, scv] });
    expect(rows.map((r) => run.filterRow(r) !== undefined)).toEqual([false, true, false, false]);
    expect(run.done()).toBe(true);
  });

  it("rows dropped on their key or with no cell left are not counted", () => {
    const out = runRows(
      { type: "list", operator: "mustPassAll", filters: [{ type: "page", pageSize: 1 }, { type: "qualifier", op: "equal", comparator: { type: "binary", value: "s" } }] },
      [row("r0", ["a", "x", 1, "ax"]), status("r1", "bad"), status("r2", "ok")],
    );
    expect(out).toEqual([undefined, ["d:s@1=bad"], undefined]);
  });

  it("in mustPassOne, a page is not done for the list, and is counted only when earlier members vote to drop", () => {
    const run = compileFilter({ type: "list", operator: "mustPassOne", filters: [{ type: "page", pageSize: 1 }, scv] });
    expect(rows.map((r) => run.filterRow(r) !== undefined)).toEqual([true, true, true, true]);
    expect(run.done()).toBe(false);
  });
});

describe("filter lists", () => {
  it("mustPassOne of a row-level and a cell-level filter: the row's cells where the row passes, else the matching cells", () => {
    const f: Filter = {
      type: "list",
      operator: "mustPassOne",
      filters: [
        { type: "rowPrefix", prefix: "a" },
        { type: "qualifier", op: "equal", comparator: { type: "binary", value: "b" } },
      ],
    };
    expect(runRows(f, [sample("a1"), sample("b1"), row("b2", ["d", "a", 1, "q"])])).toEqual([
      ["d:a@2=x", "d:a@1=y", "d:b@1=z"],
      ["d:b@1=z"],
      undefined,
    ]);
  });

  it("mustPassAll intersects; mustPassOne unites cell answers", () => {
    const r = row("r", ["d", "ab", 1, "1"], ["d", "ac", 1, "2"], ["d", "b", 1, "1"]);
    const pre: Filter = { type: "columnPrefix", prefix: "a" };
    const val: Filter = { type: "value", op: "equal", comparator: { type: "binary", value: "1" } };
    expect(one({ type: "list", operator: "mustPassAll", filters: [pre, val] }, r)).toEqual(["d:ab@1=1"]);
    expect(one({ type: "list", operator: "mustPassOne", filters: [pre, val] }, r)).toEqual(["d:ab@1=1", "d:ac@1=2", "d:b@1=1"]);
  });

  it("an empty list passes everything, as in HBase", () => {
    expect(one({ type: "list", operator: "mustPassAll", filters: [] }, sample("r"))).toHaveLength(3);
    expect(one({ type: "list", operator: "mustPassOne", filters: [] }, sample("r"))).toHaveLength(3);
  });

  it("in mustPassAll, singleColumnValue only sees cells the members before it let through (HBase's short cut)", () => {
    const r = row("r", ["d", "a", 1, "va"], ["d", "b", 1, "no"], ["d", "m1", 1, "vm"]);
    const scv: Filter = { type: "singleColumnValue", family: "d", qualifier: "b", op: "equal", comparator: { type: "binary", value: "yes" } };
    const cp: Filter = { type: "columnPrefix", prefix: "m" };
    // columnPrefix first: d:b never reaches the value test → "missing" → the row passes
    expect(one({ type: "list", operator: "mustPassAll", filters: [cp, scv] }, r)).toEqual(["d:m1@1=vm"]);
    // singleColumnValue first: columnPrefix's seek from d:a to d:m jumps over d:b as well
    expect(one({ type: "list", operator: "mustPassAll", filters: [scv, cp] }, r)).toEqual(["d:m1@1=vm"]);
    // a qualifier filter first skips d:b, so the value filter never sees it either
    const qm: Filter = { type: "qualifier", op: "equal", comparator: { type: "binary", value: "m1" } };
    expect(one({ type: "list", operator: "mustPassAll", filters: [qm, scv] }, r)).toEqual(["d:m1@1=vm"]);
    // the other way round it sees d:b, fails, and drops the row
    expect(one({ type: "list", operator: "mustPassAll", filters: [scv, qm] }, r)).toBeUndefined();
    // alone it sees d:b and drops the row
    expect(one(scv, r)).toBeUndefined();
    // with the column first in the row, it is judged before the seek
    const r2 = row("r", ["d", "b", 1, "no"], ["d", "m1", 1, "vm"]);
    expect(one({ type: "list", operator: "mustPassAll", filters: [scv, cp] }, r2)).toBeUndefined();
  });

  it("in mustPassOne, a member's seek answer stands until its hint: the member does not see the cells in between (HBASE-17678)", () => {
    const r = row("r", ["d", "a", 1, "va"], ["d", "b", 1, "no"], ["d", "m1", 1, "vm"]);
    const scv: Filter = { type: "singleColumnValue", family: "d", qualifier: "b", op: "equal", comparator: { type: "binary", value: "yes" } };
    const f: Filter = {
      type: "list",
      operator: "mustPassOne",
      filters: [
        { type: "list", operator: "mustPassAll", filters: [scv, { type: "columnPrefix", prefix: "m" }] },
        { type: "rowPrefix", prefix: "zzz" },
      ],
    };
    // d:b is visited (the other member does not seek) but the inner list, still seeking to d:m, is not
    // asked: its value filter never sees d:b, so the row is kept
    expect(one(f, r)).toEqual(["d:m1@1=vm"]);
  });

  it("a nextRow answer skips only the rest of that family", () => {
    const r = row("r", ["a", "m", 1, "1"], ["a", "z", 1, "2"], ["d", "a", 1, "3"], ["d", "m", 1, "4"]);
    expect(one({ type: "columnPrefix", prefix: "m" }, r)).toEqual(["a:m@1=1", "d:m@1=4"]);
  });

  it("nests: mustPassAll of a mustPassOne", () => {
    const f: Filter = {
      type: "list",
      operator: "mustPassAll",
      filters: [
        { type: "row", op: "notEqual", comparator: { type: "binary", value: bin(0x00) } },
        {
          type: "list",
          operator: "mustPassOne",
          filters: [
            { type: "columnPrefix", prefix: bin(0xff) },
            { type: "value", op: "equal", comparator: { type: "substring", value: "HIT" } },
          ],
        },
      ],
    };
    const r = (key: Uint8Array) => row(key, ["d", "a", 1, "a hit"], ["d", "b", 1, "miss"], ["d", bin(0xff, 0x00), 1, "miss"]);
    expect(runRows(f, [r(bin(0x00)), r(bin(0x00, 0x00)), row(bin(0xff), ["d", "b", 1, "miss"])])).toEqual([
      undefined,
      ["d:a@1=a hit", "d:\\xFF\\x00@1=miss"],
      undefined,
    ]);
  });

  it("keyOnly transforms a cell only through the members that included it", () => {
    const f: Filter = {
      type: "list",
      operator: "mustPassOne",
      filters: [
        { type: "list", operator: "mustPassAll", filters: [{ type: "keyOnly" }, { type: "qualifier", op: "equal", comparator: { type: "binary", value: "x" } }] },
        { type: "qualifier", op: "equal", comparator: { type: "binary", value: "y" } },
      ],
    };
    expect(one(f, row("r", ["d", "x", 1, "vx"], ["d", "y", 1, "vy"], ["d", "z", 1, "vz"]))).toEqual(["d:x@1=", "d:y@1=vy"]);
  });

  it("value filters beside keyOnly still see the real value", () => {
    const f: Filter = {
      type: "list",
      operator: "mustPassAll",
      filters: [{ type: "keyOnly" }, { type: "value", op: "equal", comparator: { type: "binary", value: "vy" } }],
    };
    expect(one(f, row("r", ["d", "x", 1, "vx"], ["d", "y", 1, "vy"]))).toEqual(["d:y@1="]);
  });
});

describe("compileFilter", () => {
  it("copies byte operands: changing the filter afterwards does not change the run", () => {
    const prefix = bin(0x01);
    const run = compileFilter({ type: "columnPrefix", prefix });
    prefix[0] = 0x02;
    expect(show(run.filterRow(row("r", ["d", bin(0x01), 1, "v"])))).toEqual(["d:\\x01@1=v"]);
  });

  it("rejects cells of more than one row", () => {
    expect(() => compileFilter({ type: "keyOnly" }).filterRow([...sample("a"), ...sample("b")])).toThrow(/more than one row/);
  });
});

describe("validation", () => {
  const bad = (filter: unknown, path: string, message: RegExp) => {
    let error: unknown;
    try {
      compileFilter(filter as Filter);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidFilterError);
    expect((error as InvalidFilterError).path).toBe(path);
    expect((error as Error).message).toMatch(message);
    expect(() => validateFilter(filter)).toThrow(InvalidFilterError);
  };

  it("names the problem and the field", () => {
    bad({ type: "regex" }, "filter.type", /unknown filter type "regex"/);
    bad(null, "filter", /expected a filter object, got null/);
    bad({ type: "row", op: "lt", comparator: { type: "binary", value: "a" } }, "filter.op", /unknown compare op "lt"/);
    bad({ type: "row", op: "equal", comparator: { type: "regex", value: "a" } }, "filter.comparator.type", /unknown comparator type "regex"/);
    bad({ type: "value", op: "less", comparator: { type: "substring", value: "a" } }, "filter.op", /substring comparator only tells equal from notEqual/);
    bad({ type: "value", op: "equal", comparator: { type: "substring", value: bin(1) } }, "filter.comparator.value", /takes a string/);
    bad({ type: "qualifier", op: "equal", comparator: { type: "binary", value: 7 } }, "filter.comparator.value", /expected bytes .* got number 7/);
    bad({ type: "rowPrefix" }, "filter.prefix", /expected bytes .* got nothing/);
    bad({ type: "columnPrefix", prefix: [1, 2] }, "filter.prefix", /got an array/);
    bad({ type: "singleColumnValue", family: "d", qualifier: 5, op: "equal", comparator: { type: "binary", value: "a" } }, "filter.qualifier", /expected bytes/);
    bad(
      { type: "singleColumnValue", family: "d", qualifier: "q", op: "equal", comparator: { type: "binary", value: "a" }, filterIfMissing: "yes" },
      "filter.filterIfMissing",
      /expected a boolean/,
    );
    bad({ type: "keyOnly", lengthAsValue: 1 }, "filter.lengthAsValue", /expected a boolean/);
    for (const pageSize of [0, -1, 1.5, "2", Number.NaN, Infinity, undefined]) bad({ type: "page", pageSize }, "filter.pageSize", /positive integer/);
    bad({ type: "list", operator: "and", filters: [] }, "filter.operator", /unknown list operator "and"/);
    bad({ type: "list", operator: "mustPassAll" }, "filter.filters", /expected an array/);
    // eslint-disable-next-line no-sparse-arrays
    bad({ type: "list", operator: "mustPassAll", filters: [, { type: "keyOnly" }] }, "filter.filters[0]", /expected a filter object, got nothing/);
  });

  it("names nested fields by their path", () => {
    bad(
      { type: "list", operator: "mustPassOne", filters: [{ type: "keyOnly" }, { type: "list", operator: "mustPassAll", filters: [{ type: "page", pageSize: 0 }] }] },
      "filter.filters[1].filters[0].pageSize",
      /positive integer/,
    );
  });

  it("rejects a list that contains itself", () => {
    const list = { type: "list", operator: "mustPassAll", filters: [] as unknown[] };
    list.filters.push({ type: "list", operator: "mustPassOne", filters: [list] });
    bad(list, "filter.filters[0].filters[0]", /contains itself/);
  });

  it("accepts the same filter object twice in a list", () => {
    const kf: Filter = { type: "keyOnly" };
    expect(() => compileFilter({ type: "list", operator: "mustPassAll", filters: [kf, kf] })).not.toThrow();
  });
});

describe("properties", () => {
  const bytes = fc.uint8Array({ maxLength: 6, max: 255 }).map((a) => (a.length === 0 ? bin(0) : a));
  const ops: CompareOp[] = ["less", "lessOrEqual", "equal", "notEqual", "greaterOrEqual", "greater"];
  const reference = (op: CompareOp, c: number) =>
    ({ less: c < 0, lessOrEqual: c <= 0, equal: c === 0, notEqual: c !== 0, greaterOrEqual: c >= 0, greater: c > 0 })[op];
  const sign = (a: Uint8Array, operand: Uint8Array) => Buffer.compare(Buffer.from(a), Buffer.from(operand));

  it("binary: a row key passes iff `key <op> operand` in unsigned byte order", () => {
    fc.assert(
      fc.property(bytes, bytes, fc.constantFrom(...ops), (key, operand, op) => {
        const passed = one({ type: "row", op, comparator: { type: "binary", value: operand } }, sample(key)) !== undefined;
        expect(passed).toBe(reference(op, sign(key, operand)));
      }),
    );
  });

  it("binaryPrefix: compares the stored value's first operand-length bytes", () => {
    fc.assert(
      fc.property(bytes, bytes, fc.constantFrom(...ops), (value, operand, op) => {
        const passed = one({ type: "value", op, comparator: { type: "binaryPrefix", value: operand } }, row("r", ["d", "q", 1, value])) !== undefined;
        expect(passed).toBe(reference(op, sign(value.subarray(0, operand.length), operand)));
      }),
    );
  });

  it("lists of qualifier/value filters: mustPassAll intersects and mustPassOne unites the members' cells", () => {
    const cellFilter = fc.record({
      type: fc.constantFrom("qualifier" as const, "value" as const),
      op: fc.constantFrom(...ops),
      comparator: bytes.map((value) => ({ type: "binary" as const, value })),
    });
    const cells = fc
      .uniqueArray(fc.tuple(fc.constantFrom("a", "d"), bytes, bytes), { minLength: 1, maxLength: 8, selector: ([f, q]) => `${f}/${Buffer.from(q).toString("hex")}` })
      .map((cs) =>
        cs
          .map(([f, q, v]) => cell("r", f, q, 1, v))
          .sort((x, y) => Buffer.compare(Buffer.from(x.family), Buffer.from(y.family)) || Buffer.compare(Buffer.from(x.qualifier), Buffer.from(y.qualifier))),
      );
    fc.assert(
      fc.property(fc.array(cellFilter, { minLength: 1, maxLength: 3 }), cells, (members, r) => {
        const alone = members.map((m) => new Set(one(m, r) ?? []));
        const all = one({ type: "list", operator: "mustPassAll", filters: members }, r) ?? [];
        const any = one({ type: "list", operator: "mustPassOne", filters: members }, r) ?? [];
        const shown = show(r)!;
        expect(all).toEqual(shown.filter((c) => alone.every((s) => s.has(c))));
        expect(any).toEqual(shown.filter((c) => alone.some((s) => s.has(c))));
      }),
    );
  });
});
