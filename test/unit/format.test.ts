import { describe, expect, it } from "vitest";
import { display } from "../../src/display/display-api.js";
import { setDisplaySinkResolver } from "../../src/display/display-sink.js";
import { formatValue, JUPYTER_DISPLAY } from "../../src/display/format.js";
import { VEGA_LITE_MIME, VEGA_LITE_SCHEMA } from "../../src/display/vega-lite.js";

const plain = (value: unknown): unknown => formatValue(value)?.data["text/plain"];

describe("formatValue: text/plain as the Node REPL shows it", () => {
  it("prints primitives like the REPL: quoted strings, bigint suffix, null", () => {
    expect(plain("abc")).toBe("'abc'");
    expect(plain(42)).toBe("42");
    expect(plain(10n)).toBe("10n");
    expect(plain(null)).toBe("null");
    expect(plain(Symbol("s"))).toBe("Symbol(s)");
  });

  it("shows nested objects down to depth 4, then [Object]", () => {
    expect(plain({ a: { b: { c: { d: { e: { f: 1 } } } } } })).toBe("{\n  a: {\n    b: { c: { d: { e: [Object] } } }\n  }\n}");
  });

  it("shows at most 100 array items", () => {
    const text = plain(Array.from({ length: 150 }, (_, i) => i)) as string;
    expect(text).toContain("99");
    expect(text).not.toContain(" 100,");
    expect(text).toContain("... 50 more items");
  });

  it("breaks lines at 100 columns, not 80", () => {
    // 72 characters: util.inspect's default breakLength (80) would already split this over lines.
    const value = { alpha: "aaaaaaaaaa", beta: "bbbbbbbbbb", gamma: "cccccccccc", eps: 1 };
    expect(plain(value)).toBe("{ alpha: 'aaaaaaaaaa', beta: 'bbbbbbbbbb', gamma: 'cccccccccc', eps: 1 }");
  });

  it("has no ANSI colour codes", () => {
    expect(plain({ s: "x", n: 1, d: new Date(0), f: () => 1 })).not.toMatch(/\u001b\[/);
  });

  it("prints classes, maps and functions by name", () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    expect(plain(new Point(1, 2))).toBe("Point { x: 1, y: 2 }");
    expect(plain(new Map([["k", 1]]))).toBe("Map(1) { 'k' => 1 }");
    expect(plain(function named() {})).toBe("[Function: named]");
  });

  it("returns metadata as an empty object for plain values", () => {
    expect(formatValue(1)).toEqual({ data: { "text/plain": "1" }, metadata: {} });
  });
});

describe("formatValue: values that show nothing", () => {
  it("returns undefined for undefined", () => {
    expect(formatValue(undefined)).toBeUndefined();
  });

  it("returns undefined for a display handle", () => {
    setDisplaySinkResolver(() => ({ displayData() {}, updateDisplayData() {}, clearOutput() {} }));
    try {
      expect(formatValue(display.html("<b>x</b>"))).toBeUndefined();
      expect(formatValue(display.new())).toBeUndefined();
    } finally {
      setDisplaySinkResolver(() => undefined);
    }
  });
});

describe('formatValue: [Symbol.for("Jupyter.display")]', () => {
  it("uses the returned bundle and adds a text/plain fallback", () => {
    const value = { [Symbol.for("Jupyter.display")]: () => ({ "text/html": "<i>rich</i>" }), n: 1 };
    const formatted = formatValue(value)!;
    expect(formatted.data["text/html"]).toBe("<i>rich</i>");
    expect(formatted.data["text/plain"]).toContain("n: 1");
  });

  it("keeps the object's own text/plain and calls the method with the object as this", () => {
    class Temperature {
      constructor(readonly celsius: number) {}
      [JUPYTER_DISPLAY]() {
        return { "text/plain": `${this.celsius} °C`, "text/markdown": `**${this.celsius} °C**` };
      }
    }
    expect(formatValue(new Temperature(21))).toEqual({ data: { "text/plain": "21 °C", "text/markdown": "**21 °C**" }, metadata: {} });
  });

  it("refuses a Promise with an error that says to return the bundle synchronously", () => {
    const value = { [JUPYTER_DISPLAY]: async () => ({ "text/html": "late" }) };
    expect(() => formatValue(value)).toThrow(/returned a Promise.*synchronously/);
  });

  it("refuses a result that is not a mime bundle, naming the problem", () => {
    expect(() => formatValue({ [JUPYTER_DISPLAY]: () => "html" })).toThrow(/expected a mime bundle/);
    expect(() => formatValue({ [JUPYTER_DISPLAY]: () => ({ html: "x" }) })).toThrow(/"html" is not a mime type/);
    expect(() => formatValue({ [JUPYTER_DISPLAY]: () => ({}) })).toThrow(/empty/);
  });
});

describe("formatValue: toSpec() charts", () => {
  it("shows an object whose toSpec() returns a Vega-Lite spec as a v5 chart", () => {
    const chart = { toSpec: () => ({ mark: "bar", data: { values: [{ a: 1 }] }, encoding: { x: { field: "a" } } }) };
    const formatted = formatValue(chart)!;
    const spec = formatted.data[VEGA_LITE_MIME] as Record<string, unknown>;
    expect(spec["$schema"]).toBe(VEGA_LITE_SCHEMA);
    expect(spec["mark"]).toBe("bar");
    expect(formatted.data["text/plain"]).toBe("<Vega-Lite 5 chart: bar>");
  });

  it("rejects a toSpec() spec of another Vega-Lite major", () => {
    const chart = { toSpec: () => ({ $schema: "https://vega.github.io/schema/vega-lite/v4.json", mark: "line" }) };
    expect(() => formatValue(chart)).toThrow(/Vega-Lite v4/);
  });

  it("falls back to text when toSpec() returns something that is not a spec", () => {
    const value = { toSpec: () => "not a spec", label: "x" };
    const formatted = formatValue(value)!;
    expect(Object.keys(formatted.data)).toEqual(["text/plain"]);
  });

  it("does not auto-detect a plain Vega-Lite spec object", () => {
    const spec = { $schema: VEGA_LITE_SCHEMA, mark: "point", data: { values: [] } };
    expect(Object.keys(formatValue(spec)!.data)).toEqual(["text/plain"]);
  });
});
