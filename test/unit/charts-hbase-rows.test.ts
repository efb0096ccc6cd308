/**
 * Charts of HBase scans: chartOf takes (async) iterables of plain records; rowsOf turns a scan's rows
 * into such records (typed by a schema, or as text). And the Markdown image fallback of chart bundles.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { chartOf } from "../../src/charts/index.js";
import { markdownImage } from "../../src/charts/chart-bundle.js";
import { rowsOf } from "../../src/connectors/rows-of.js";
import { connect } from "../../src/hbase/connect.js";
import { codecs } from "../../src/hbase/bytes/value-codecs.js";
import { schema } from "../../src/hbase/schema/index.js";
import { typedTable } from "../../src/hbase/schema/typed-table.js";
import type { Connection } from "../../src/hbase/table.js";
import { VEGA_LITE_MIME } from "../../src/display/vega-lite.js";
import { tempDir } from "./hbase-embedded-support.js";

let remove: () => Promise<void>;
let conn: Connection;

beforeEach(async () => {
  let dir: string;
  ({ dir, remove } = await tempDir());
  conn = await connect({ path: dir });
  await conn.admin.createTable("bids", { families: ["d"], splitKeys: ["b"] });
  await conn.table("bids").putMany(
    [
      ["a1", 10.5, 7n],
      ["a2", 12, 9n],
      ["b1", 99, 7n],
      ["c1", 3.25, 1n],
    ].map(([row, price, bidder]) => ({
      row: row as string,
      cells: [
        { family: "d", qualifier: "price", value: codecs.double.encode(price as number) },
        { family: "d", qualifier: "bidder", value: codecs.int64.encode(bidder as bigint) },
        { family: "d", qualifier: "note", value: `bid ${String(row)}` },
      ],
    })),
  );
});
afterEach(async () => {
  await conn.close();
  await remove();
});

const bidSchema = schema({ rowKey: "string", families: { d: { price: "double", bidder: "int64" } } });

async function all<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const r of rows) out.push(r);
  return out;
}

describe("rowsOf", () => {
  it("decodes a scan with a schema into typed records, and without one into text", async () => {
    expect(await all(rowsOf(conn.table("bids").scan({ prefix: "a" }), bidSchema))).toEqual([
      { rowKey: "a1", d: { price: 10.5, bidder: 7n } },
      { rowKey: "a2", d: { price: 12, bidder: 9n } },
    ]);
    const [first] = await all(rowsOf(conn.table("bids").scan({ limit: 1 })));
    expect(first).toEqual({ rowKey: "a1", d: { bidder: "\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x07", note: "bid a1", price: "@%\\x00\\x00\\x00\\x00\\x00\\x00" } });
  });

  it("refuses what is not rows", () => {
    expect(() => rowsOf(42 as never)).toThrow("rowsOf() takes the rows of a scan");
  });
});

describe("chartOf over HBase scans and other iterables", () => {
  it("charts a scan in one line: an async iterable is read to the end (await), fields by dotted path", async () => {
    const c = await chartOf(rowsOf(conn.table("bids").scan(), bidSchema), { mark: "bar", x: "rowKey", y: "d.price" });
    expect(c.rows).toEqual([
      { rowKey: "a1", d: { price: 10.5, bidder: 7 } },
      { rowKey: "a2", d: { price: 12, bidder: 9 } },
      { rowKey: "b1", d: { price: 99, bidder: 7 } },
      { rowKey: "c1", d: { price: 3.25, bidder: 1 } },
    ]);
    const spec = c.spec as { mark: unknown; encoding: { x: { field: string }; y: { field: string; type: string } } };
    expect(spec.encoding.x.field).toBe("rowKey");
    expect(spec.encoding.y).toMatchObject({ field: "d.price", type: "quantitative" });
  });

  it("charts a typed table's scan directly, and keepRows bounds what a long scan keeps", async () => {
    const typed = typedTable(conn.table("bids"), bidSchema);
    const c = await chartOf(typed.scan(), { mark: "point", x: "rowKey", y: "d.bidder" }, { keepRows: 2, png: false });
    expect(c.rows.map((r) => r["rowKey"])).toEqual(["b1", "c1"]);
  });

  it("takes sync iterables (a Set, a generator) as well, and rejects an async iterable with a bad shorthand", async () => {
    const points = new Set([{ t: 1, v: 2 }, { t: 2, v: 5 }]);
    expect(chartOf(points, { mark: "line", x: "t", y: "v" }, { png: false }).rows).toHaveLength(2);
    function* gen() {
      yield { t: 1, v: 1 };
    }
    expect(chartOf(gen(), { mark: "line", x: "t", y: "v" }, { png: false }).rows).toHaveLength(1);
    expect(() => chartOf(7 as never, { mark: "line" })).toThrow(/records must be an array, an iterable, an async iterable/);
    await expect(chartOf(rowsOf(conn.table("bids").scan()), { mark: "line" })).rejects.toThrow(/chartOf/);
  });
});

describe("the chart bundle's image fallback", () => {
  it("carries the PNG also as an <img> in Markdown (alt = the summary), never text/html (which JupyterLab would prefer to Vega-Lite)", () => {
    const c = chartOf([{ t: 1, v: 2 }, { t: 2, v: 3 }], { mark: "line", x: "t", y: "v", title: 'a [b] & "c"' });
    const bundle = c.bundle();
    expect(Object.keys(bundle)).toEqual([VEGA_LITE_MIME, "image/png", "text/markdown", "text/plain"]);
    expect(bundle["text/html"]).toBeUndefined();
    expect(bundle["text/markdown"]).toBe(markdownImage(bundle["image/png"] as string, c.summary));
    expect(bundle["text/markdown"]).toBe(`<img src="data:image/png;base64,${String(bundle["image/png"])}" alt="${c.summary.replace(/&/g, "&#38;").replace(/"/g, "&#34;")}">`);
    expect(String(bundle["text/markdown"])).toContain('alt="chart (a [b] &#38; &#34;c&#34;): ');
    expect(Object.keys(chartOf([{ t: 1, v: 2 }], { mark: "line", x: "t", y: "v" }, { png: false }).bundle())).toEqual([VEGA_LITE_MIME, "text/plain"]);
    expect(markdownImage("AAAA", "one\nline <b> 'x'")).toBe('<img src="data:image/png;base64,AAAA" alt="one line &#60;b&#62; &#39;x&#39;">');
  });
});
