import { describe, expect, it } from "vitest";
import { toBytes } from "../../src/hbase/bytes/bytes.js";
import { CodecError } from "../../src/hbase/bytes/codec.js";
import { codecs } from "../../src/hbase/bytes/value-codecs.js";
import type { Cell } from "../../src/hbase/model/cell.js";
import { collectRows, parseColumn, printable, Result } from "../../src/hbase/result.js";

function cell(family: string, qualifier: string, timestamp: number, value: Uint8Array | string): Cell {
  return { row: toBytes("r1"), family: toBytes(family), qualifier: toBytes(qualifier), timestamp, type: "put", value: toBytes(value) };
}

const row = new Result(toBytes("r1"), [
  cell("d", "bidder", 5, codecs.int64.encode(42n)),
  cell("d", "price", 7, codecs.double.encode(9.5)),
  cell("d", "price", 3, codecs.double.encode(8)),
  cell("m", "note", 1, "<b>hi</b>"),
]);

describe("Result", () => {
  it("decodes the latest version with a codec", () => {
    expect(row.get("d:price", "double")).toBe(9.5);
    expect(row.get("d:bidder", "int64")).toBe(42n);
    expect(row.get("d:missing", "double")).toBeUndefined();
    expect(row.versions("d:price").map((v) => v.timestamp)).toEqual([7, 3]);
    expect(row.columns()).toEqual(["d:bidder", "d:price", "m:note"]);
  });

  it("names the row, column and timestamp of a cell that does not decode", () => {
    expect(() => row.get("m:note", "int32")).toThrow(CodecError);
    expect(() => row.get("m:note", "int32")).toThrow(/row "r1", column m:note, timestamp 1/);
  });

  it("refuses a column without a family", () => {
    expect(() => parseColumn("price")).toThrow(/family:qualifier/);
    expect(parseColumn("d:")).toEqual({ family: toBytes("d"), qualifier: new Uint8Array() });
  });

  it("shows as an escaped HTML table with text/plain", () => {
    const bundle = (row as unknown as Record<symbol, () => Record<string, string>>)[Symbol.for("Jupyter.display")]!();
    expect(bundle["text/html"]).toContain("&lt;b&gt;hi&lt;/b&gt;");
    expect(bundle["text/plain"]).toContain("d:price");
  });

  it("prints non-UTF-8 bytes as \\x escapes", () => {
    expect(printable(new Uint8Array([0x61, 0x00, 0xff]))).toBe("a\\x00\\xFF");
    expect(printable(toBytes("héllo"))).toBe("héllo");
  });

  it("collects a scan into a displayable set", async () => {
    async function* rows() {
      yield { row: toBytes("a"), cells: [cell("d", "x", 1, "1")] };
      yield { row: toBytes("b"), cells: [cell("d", "x", 1, "2")] };
    }
    const set = await collectRows(rows(), 1);
    expect(set.length).toBe(1);
    const bundle = (set as unknown as Record<symbol, () => Record<string, string>>)[Symbol.for("Jupyter.display")]!();
    expect(bundle["text/plain"]).toContain("1 row, 1 cell");
  });
});
