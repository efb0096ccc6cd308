import { compile, type TopLevelSpec } from "vega-lite";
import { describe, expect, it } from "vitest";
import { chart, chartOf } from "../../src/charts/index.js";
import { checkChartSpec, withRows } from "../../src/charts/chart-spec.js";
import { VEGA_LITE_MIME, VEGA_LITE_SCHEMA } from "../../src/display/vega-lite.js";
import type { WindowResult } from "../../src/stream/api/window-result.js";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

function win(key: string, start: number, value: number, firing: WindowResult<string, number>["firing"] = "onTime"): WindowResult<string, number> {
  return { key, start, end: start + 10_000, value, watermark: start + 9_999, firing };
}

const RESULTS = [win("a", 0, 3), win("b", 0, 5), win("a", 10_000, 4), win("b", 10_000, 1)];
const ROWS = [
  { key: "a", start: 0, end: 10_000, value: 3, firing: "onTime", watermark: 9_999 },
  { key: "b", start: 0, end: 10_000, value: 5, firing: "onTime", watermark: 9_999 },
  { key: "a", start: 10_000, end: 20_000, value: 4, firing: "onTime", watermark: 19_999 },
  { key: "b", start: 10_000, end: 20_000, value: 1, firing: "onTime", watermark: 19_999 },
];

/** vega-lite's compiler throws on invalid specs: every produced spec must compile. */
function compiles(spec: unknown): void {
  expect(() => compile(spec as TopLevelSpec)).not.toThrow();
  expect((spec as { $schema: string }).$schema).toBe(SCHEMA);
}

describe("shorthand specs", () => {
  it("line over window end, one line per key (the defaults)", () => {
    const spec = chartOf(RESULTS, { mark: "line" }, { png: false }).spec;
    expect(spec).toEqual({
      $schema: SCHEMA,
      data: { values: ROWS },
      width: 560,
      height: 260,
      mark: { type: "line", point: true, tooltip: true },
      encoding: {
        x: { field: "end", type: "temporal", scale: { type: "utc" }, title: "window end" },
        y: { field: "value", type: "quantitative", title: "value" },
        color: { field: "key", type: "nominal", title: "key" },
      },
    });
    compiles(spec);
  });

  it("area over window start with a title and size, one colour", () => {
    const spec = chartOf(RESULTS, { mark: "area", x: "start", color: false, title: "counts", width: 300, height: 100 }, { png: false }).spec;
    expect(spec).toEqual({
      $schema: SCHEMA,
      data: { values: ROWS },
      title: "counts",
      width: 300,
      height: 100,
      mark: { type: "area", tooltip: true },
      encoding: {
        x: { field: "start", type: "temporal", scale: { type: "utc" }, title: "window start" },
        y: { field: "value", type: "quantitative", title: "value" },
      },
    });
    compiles(spec);
  });

  it("top-k bars of the latest window", () => {
    const spec = chartOf(RESULTS, { mark: "bar", topK: 3 }, { png: false }).spec;
    expect(spec).toEqual({
      $schema: SCHEMA,
      data: { values: ROWS },
      width: 560,
      height: { step: 24 },
      transform: [
        { joinaggregate: [{ op: "max", field: "end", as: "latest_end" }] },
        { filter: "datum.end === datum.latest_end" },
        { window: [{ op: "row_number", as: "rank" }], sort: [{ field: "value", order: "descending" }] },
        { filter: "datum.rank <= 3" },
      ],
      mark: { type: "bar", tooltip: true },
      encoding: {
        y: { field: "key", type: "nominal", title: "key", sort: "-x" },
        x: { field: "value", type: "quantitative", title: "value" },
      },
    });
    compiles(spec);
  });

  it("plain records: x and y fields typed from the data, type suffixes, colour by a field", () => {
    const records = [
      { at: new Date(Date.UTC(2026, 0, 1, 10)), price: 10, side: "buy", n: 1 },
      { at: new Date(Date.UTC(2026, 0, 1, 11)), price: 12, side: "sell", n: 2 },
    ];
    const spec = chartOf(records, { mark: "point", x: "at", y: "price", color: "n:O" }, { png: false }).spec;
    expect(spec).toEqual({
      $schema: SCHEMA,
      data: {
        values: [
          { at: "2026-01-01T10:00:00.000Z", price: 10, side: "buy", n: 1 },
          { at: "2026-01-01T11:00:00.000Z", price: 12, side: "sell", n: 2 },
        ],
      },
      width: 560,
      height: 260,
      mark: { type: "point", tooltip: true },
      encoding: {
        x: { field: "at", type: "temporal", title: "at" },
        y: { field: "price", type: "quantitative", title: "price" },
        color: { field: "n", type: "ordinal", title: "n" },
      },
    });
    compiles(spec);
  });

  it("every mark × colour choice compiles", () => {
    for (const mark of ["line", "area", "bar", "point"] as const) {
      for (const color of [undefined, false, "firing"] as const) {
        compiles(chartOf(RESULTS, color === undefined ? { mark } : { mark, color }, { png: false }).spec);
      }
    }
    compiles(chartOf([], { mark: "line" }, { png: false }).spec);
    compiles(chart({ mark: "bar", topK: 2 }).spec());
  });
});

describe("full Vega-Lite specs", () => {
  it('replace every data {name: "records"} with the rows, keep other data, add $schema', () => {
    const spec: TopLevelSpec = {
      layer: [
        { data: { name: "records" }, mark: "line", encoding: { x: { field: "end", type: "temporal" }, y: { field: "value", type: "quantitative" } } },
        { data: { values: [{ y: 4 }] }, mark: "rule", encoding: { y: { field: "y", type: "quantitative" } } },
      ],
    };
    const out = chartOf(RESULTS, spec, { png: false }).spec;
    expect(out).toEqual({
      $schema: VEGA_LITE_SCHEMA,
      data: { values: ROWS },
      layer: [
        { data: { values: ROWS }, mark: "line", encoding: { x: { field: "end", type: "temporal" }, y: { field: "value", type: "quantitative" } } },
        { data: { values: [{ y: 4 }] }, mark: "rule", encoding: { y: { field: "y", type: "quantitative" } } },
      ],
    });
    compiles(out);
  });

  it("a top-level records reference is replaced; the caller's spec is not modified", () => {
    const spec: TopLevelSpec = { $schema: SCHEMA, data: { name: "records" }, mark: "bar", encoding: { x: { field: "key" }, y: { field: "value", type: "quantitative" } } };
    const copy = structuredClone(spec);
    const out = withRows(checkChartSpec(spec), "windows", ROWS);
    expect(out["data"]).toEqual({ values: ROWS });
    expect(spec).toEqual(copy);
    compiles(out);
  });

  it("refuses specs of another Vega-Lite major version and specs that do not compile", () => {
    expect(() => chart({ $schema: "https://vega.github.io/schema/vega-lite/v6.json", mark: "line" } as TopLevelSpec)).toThrow(/v6.*Vega-Lite v5/);
    expect(() => chart({ data: { name: "records" }, mark: "nosuchmark" } as unknown as TopLevelSpec)).toThrow(/chart: the spec is not valid Vega-Lite 5/);
  });
});

describe("errors name the option and the value", () => {
  it.each([
    [{ mark: "pie" }, /mark must be one of "line", "area", "bar", "point", got the string "pie"/],
    [{ mark: "line", colour: "key" }, /unknown shorthand option "colour"/],
    [{ mark: "line", topK: 3 }, /topK draws bars; use mark: "bar"/],
    [{ mark: "bar", topK: 0 }, /topK must be a positive integer, got the number 0/],
    [{ mark: "line", width: -1 }, /width must be a positive number of pixels, got the number -1/],
    [{ mark: "line", x: 3 }, /x must be a field name, got the number 3/],
    [{ mark: "line", color: true }, /color must be a field name or false, got the boolean true/],
    ["line", /expected a shorthand like \{mark: "line"\} or a Vega-Lite spec object, got the string "line"/],
  ])("%j", (spec, message) => {
    expect(() => chart(spec as never)).toThrow(message);
  });

  it.each([
    [{ maxUpdatesPerSecond: 0 }, /maxUpdatesPerSecond must be a positive number, got the number 0/],
    [{ keepWindows: 1.5 }, /keepWindows must be a positive integer \(or Infinity\), got the number 1.5/],
    [{ keepRows: "10" }, /keepRows must be a positive integer \(or Infinity\), got the string "10"/],
    [{ pngIntervalMs: -5 }, /pngIntervalMs must be a number of ms ≥ 0, got the number -5/],
    [{ refresh: 1 }, /unknown option "refresh"/],
  ])("option %j", (options, message) => {
    expect(() => chart({ mark: "line" }, options as never)).toThrow(message);
  });

  it("plain records need x and y; topK needs window results", () => {
    expect(() => chartOf([{ a: 1 }], { mark: "line" })).toThrow(/not window results, so the shorthand needs x and y fields \(got x: undefined/);
    expect(() => chartOf([{ a: 1, b: 2 }], { mark: "bar", y: "b", topK: 2 })).toThrow(/topK ranks the keys of the latest window/);
    expect(() => chartOf(42 as never, { mark: "line" })).toThrow(/chartOf: records must be an array, an iterable, an async iterable .* or have a records array/);
  });
});

describe("chartOf bundles", () => {
  it("a collect()-like holder works and the bundle has the v5 mime and a summary", () => {
    const c = chartOf({ records: RESULTS }, { mark: "line" }, { png: false });
    const bundle = c[Symbol.for("Jupyter.display") as never] as unknown as () => Record<string, unknown>;
    const data = bundle.call(c);
    expect(Object.keys(data)).toEqual([VEGA_LITE_MIME, "text/plain"]);
    expect(data["text/plain"]).toBe('chart (line): 2 windows × 2 keys, last [00:00:10, 00:00:20) key "b" = 1 (onTime); 4 results received');
  });
});
