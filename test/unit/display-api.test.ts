import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clearOutput, display } from "../../src/display/display-api.js";
import { setDisplaySinkResolver } from "../../src/display/display-sink.js";
import { input, password, setInputSinkResolver, type InputSink } from "../../src/display/input.js";
import type { JsonObject } from "../../src/protocol/message.js";
import { VEGA_LITE_MIME, VEGA_LITE_SCHEMA } from "../../src/display/vega-lite.js";
import { RecordingDisplaySink } from "./recording-display-sink.js";



const LOGO = readFileSync(new URL("../../kernel/logo-32x32.png", import.meta.url));
const JPEG_BYTES = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]);

let sink: RecordingDisplaySink;
beforeEach(() => {
  sink = new RecordingDisplaySink();
  setDisplaySinkResolver(() => sink);
});
afterEach(() => {
  setDisplaySinkResolver(() => undefined);
  setInputSinkResolver(() => undefined);
});

describe("display()", () => {
  it("sends the formatted value with a generated display id and returns its handle", () => {
    const handle = display({ a: 1 });
    const call = sink.last();
    expect(call).toMatchObject({ kind: "display", data: { "text/plain": "{ a: 1 }" }, metadata: {} });
    expect(call.kind === "display" && call.id).toBe(handle.id);
    expect(handle.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(display(1).id).not.toBe(handle.id);
  });

  it("updates through the handle with update_display_data for the same id", () => {
    const handle = display("first", { id: "progress" });
    handle.update("second");
    handle.update({ "text/html": "<b>3</b>" }, { raw: true, metadata: { isolated: true } });
    expect(sink.calls).toEqual([
      { kind: "display", data: { "text/plain": "'first'" }, metadata: {}, id: "progress" },
      { kind: "update", data: { "text/plain": "'second'" }, metadata: {}, id: "progress" },
      { kind: "update", data: { "text/html": "<b>3</b>" }, metadata: { isolated: true }, id: "progress" },
    ]);
  });

  it("keeps the kind of a typed helper's output when its handle is updated", () => {
    const html = display.html("<i>a</i>", { id: "h" });
    html.update("<i>b</i>");
    html.update(42);
    const chart = display.vegalite({ mark: "bar" }, { id: "c" });
    chart.update({ mark: "line" });
    expect(sink.calls[1]).toMatchObject({ kind: "update", id: "h", data: { "text/html": "<i>b</i>" } });
    expect(sink.calls[2]).toMatchObject({ kind: "update", id: "h", data: { "text/plain": "42" } });
    expect(sink.calls[4]).toMatchObject({ kind: "update", id: "c", data: { "application/vnd.vegalite.v5+json": { mark: "line" } } });
  });

  it("with update: true replaces the output of the given id instead of adding one", () => {
    const handle = display(2, { id: "n", update: true });
    expect(sink.calls).toEqual([{ kind: "update", data: { "text/plain": "2" }, metadata: {}, id: "n" }]);
    expect(handle.id).toBe("n");
    expect(() => display(2, { update: true })).toThrow(/update: true needs the id/);
  });

  it("id: true generates an id, like IPython's display_id=True", () => {
    const handle = display(1, { id: true });
    expect(sink.last()).toMatchObject({ kind: "display", id: handle.id });
  });

  it("rejects an empty or non-string id and non-object metadata", () => {
    expect(() => display(1, { id: "" })).toThrow(/id must be a non-empty string/);
    expect(() => display(1, { id: 5 as unknown as string })).toThrow(/id must be/);
    expect(() => display(1, { metadata: [] as unknown as JsonObject })).toThrow(/metadata must be an object/);
    expect(sink.calls).toEqual([]);
  });

  it("sends a raw bundle as is and merges metadata", () => {
    display({ "text/html": "<p>x</p>", "text/plain": "x" }, { raw: true, metadata: { "text/html": { isolated: true } } });
    expect(sink.last()).toMatchObject({ data: { "text/html": "<p>x</p>", "text/plain": "x" }, metadata: { "text/html": { isolated: true } } });
  });

  it("refuses a raw value that is not a mime bundle", () => {
    expect(() => display("<p>", { raw: true })).toThrow(/display\(value, \{raw: true\}\): expected a mime bundle/);
    expect(() => display({ html: "<p>" }, { raw: true })).toThrow(/"html" is not a mime type/);
  });

  it("uses the value's own rich display", () => {
    display({ [Symbol.for("Jupyter.display")]: () => ({ "text/markdown": "# hi" }) });
    expect(sink.last()).toMatchObject({ data: { "text/markdown": "# hi" } });
  });

  it("shows undefined as text rather than nothing", () => {
    display(undefined);
    expect(sink.last()).toMatchObject({ data: { "text/plain": "undefined" } });
  });

  it("outside a kernel writes the text/plain form to stdout instead of throwing", () => {
    setDisplaySinkResolver(() => undefined);
    const written: string[] = [];
    const original = process.stdout.write;
    process.stdout.write = ((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    try {
      const handle = display({ a: 1 });
      handle.update("later");
      display({ "text/html": "<b>" }, { raw: true });
      display.html("<i>x</i>");
      clearOutput();
    } finally {
      process.stdout.write = original;
    }
    expect(written).toEqual(["{ a: 1 }\n", "'later'\n", "<display: text/html>\n", "<i>x</i>\n"]);
  });
});

describe("display helpers", () => {
  it("html, markdown and svg take a string or a tagged template", () => {
    const name = "Ada";
    display.html("<b>bold</b>");
    expect(sink.last()).toMatchObject({ data: { "text/html": "<b>bold</b>", "text/plain": "<b>bold</b>" } });
    display.html`<b>${name}</b> is ${36}`;
    expect(sink.last()).toMatchObject({ data: { "text/html": "<b>Ada</b> is 36" } });
    display.markdown`# ${name}`;
    expect(sink.last()).toMatchObject({ data: { "text/markdown": "# Ada", "text/plain": "# Ada" } });
    display.svg('<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>');
    expect(sink.last()).toMatchObject({ data: { "image/svg+xml": expect.stringContaining("<circle") } });
  });

  it("helpers accept {id} and return updatable handles", () => {
    const handle = display.markdown("*loading*", { id: "status" });
    expect(handle.id).toBe("status");
    handle.update({ "text/markdown": "**done**" }, { raw: true });
    expect(sink.calls.map((c) => c.kind === "clear" ? c.kind : [c.kind, c.id])).toEqual([
      ["display", "status"],
      ["update", "status"],
    ]);
  });

  it("reject bad input with the helper's name", () => {
    expect(() => display.html(5 as unknown as string)).toThrow(/display\.html: expected a string, got the number 5/);
    expect(() => display.svg("<div/>")).toThrow(/display\.svg: the text has no <svg> element/);
  });

  it("png takes bytes, base64 or a data URL and records the size", () => {
    display.png(LOGO);
    const fromBytes = sink.last();
    expect(fromBytes).toMatchObject({ data: { "image/png": LOGO.toString("base64"), "text/plain": "<PNG image 32x32>" }, metadata: {} });
    display.png(LOGO.toString("base64"), { width: 64 });
    expect(sink.last()).toMatchObject({ data: { "image/png": LOGO.toString("base64") }, metadata: { "image/png": { width: 64 } } });
    display.png(`data:image/png;base64,${LOGO.toString("base64")}`);
    expect(sink.last()).toMatchObject({ data: { "image/png": LOGO.toString("base64") } });
  });

  it("png and jpeg check the image signature", () => {
    expect(() => display.png(JPEG_BYTES)).toThrow(/not a PNG image/);
    expect(() => display.png("%%% not base64")).toThrow(/not base64/);
    expect(() => display.png(LOGO, { width: -1 })).toThrow(/width must be a positive number/);
    display.jpeg(JPEG_BYTES);
    expect(sink.last()).toMatchObject({ data: { "image/jpeg": JPEG_BYTES.toString("base64"), "text/plain": "<JPEG image>" } });
    expect(() => display.jpeg(LOGO)).toThrow(/not a JPEG image/);
    expect(() => display.jpeg(`data:image/png;base64,${LOGO.toString("base64")}`)).toThrow(/not image\/jpeg/);
  });

  it("json snapshots the value and refuses what JSON cannot hold", () => {
    const value = { list: [1, 2], when: new Date(0) };
    display.json(value);
    value.list.push(3);
    expect(sink.last()).toMatchObject({ data: { "application/json": { list: [1, 2], when: "1970-01-01T00:00:00.000Z" } } });
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    expect(() => display.json(cyclic)).toThrow(/display\.json: the value cannot be converted to JSON/);
    expect(() => display.json(undefined)).toThrow(/has no JSON form/);
  });
});

describe("display.vegalite", () => {
  const spec = { data: { values: [{ a: 1, b: 2 }] }, mark: "point", encoding: { x: { field: "a", type: "quantitative" } } };

  it("sends the v5 mime type, adds $schema without touching the caller's object", () => {
    display.vegalite(spec);
    const call = sink.last();
    expect(call.kind === "display" && Object.keys(call.data).sort()).toEqual([VEGA_LITE_MIME, "text/plain"].sort());
    expect(call).toMatchObject({ data: { [VEGA_LITE_MIME]: { ...spec, $schema: VEGA_LITE_SCHEMA }, "text/plain": "<Vega-Lite 5 chart: point>" } });
    expect(spec).not.toHaveProperty("$schema");
  });

  it("accepts any v5 schema URL as given", () => {
    const schema = "https://vega.github.io/schema/vega-lite/v5.17.0.json";
    display.vegalite({ ...spec, $schema: schema });
    expect(sink.last()).toMatchObject({ data: { [VEGA_LITE_MIME]: { $schema: schema } } });
  });

  it("rejects another major version, Vega specs and non-objects clearly", () => {
    expect(() => display.vegalite({ ...spec, $schema: "https://vega.github.io/schema/vega-lite/v4.json" })).toThrow(
      /display\.vegalite: the spec's \$schema names Vega-Lite v4 .*displays Vega-Lite v5/,
    );
    expect(() => display.vegalite({ $schema: "https://vega.github.io/schema/vega/v5.json", marks: [] })).toThrow(/is a Vega spec, not Vega-Lite/);
    expect(() => display.vegalite({ $schema: "http://example.com/x.json" })).toThrow(/not a Vega-Lite schema URL/);
    expect(() => display.vegalite([] as unknown as JsonObject)).toThrow(/expected a Vega-Lite spec object, got an array/);
    expect(sink.calls).toEqual([]);
  });

  it("updates a chart in place through its handle", () => {
    const chart = display.vegalite(spec, { id: "chart" });
    chart.update({ [VEGA_LITE_MIME]: { ...spec, mark: "line" } }, { raw: true });
    expect(sink.last()).toMatchObject({ kind: "update", id: "chart" });
  });
});

describe("display.new and clearOutput", () => {
  it("display.new() shows an empty placeholder under a fresh id that can be updated", () => {
    const handle = display.new();
    expect(sink.last()).toEqual({ kind: "display", data: { "text/plain": "" }, metadata: {}, id: handle.id });
    handle.update(42);
    expect(sink.last()).toEqual({ kind: "update", data: { "text/plain": "42" }, metadata: {}, id: handle.id });
    const second = display.new("start");
    expect(second.id).not.toBe(handle.id);
    expect(sink.last()).toMatchObject({ data: { "text/plain": "'start'" } });
  });

  it("clearOutput passes wait, default false", () => {
    clearOutput();
    clearOutput(true);
    expect(sink.calls).toEqual([
      { kind: "clear", wait: false },
      { kind: "clear", wait: true },
    ]);
  });

  it("handles are frozen", () => {
    const handle = display.new();
    expect(() => {
      (handle as { id: string }).id = "other";
    }).toThrow(TypeError);
  });
});

describe("input and password", () => {
  it("outside a kernel reject with an error saying a kernel is needed", async () => {
    setInputSinkResolver(() => undefined);
    await expect(input("name? ")).rejects.toThrow(/input\(\) needs a running Jupyter kernel cell/);
    await expect(password()).rejects.toThrow(/password\(\) needs a running Jupyter kernel cell/);
  });

  it("ask the current sink, with the password flag", async () => {
    const asked: Array<[string, boolean]> = [];
    const inputSink: InputSink = {
      async input(prompt, hidden) {
        asked.push([prompt, hidden]);
        return hidden ? "secret" : "Ada";
      },
    };
    setInputSinkResolver(() => inputSink);
    await expect(input("name? ")).resolves.toBe("Ada");
    await expect(password()).resolves.toBe("secret");
    expect(asked).toEqual([
      ["name? ", false],
      ["", true],
    ]);
  });

  it("refuse a prompt that is not a string", async () => {
    setInputSinkResolver(() => ({ input: async () => "x" }));
    await expect(input(3 as unknown as string)).rejects.toThrow(/input\(prompt\): the prompt must be a string, got the number 3/);
  });
});
