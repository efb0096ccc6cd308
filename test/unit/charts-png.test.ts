import { afterEach, describe, expect, it } from "vitest";
import { chart, chartOf, renderPng, renderPngSync } from "../../src/charts/index.js";
import { setDisplaySinkResolver } from "../../src/display/display-sink.js";
import { formatValue } from "../../src/display/format.js";
import { VEGA_LITE_MIME } from "../../src/display/vega-lite.js";
import type { WindowResult } from "../../src/stream/api/window-result.js";
import { RecordingDisplaySink } from "./recording-display-sink.js";



const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function win(key: string, start: number, value: number): WindowResult<string, number> {
  return { key, start, end: start + 10_000, value, watermark: start + 9_999, firing: "onTime" };
}

function isPng(bytes: Uint8Array): void {
  expect(bytes.length).toBeGreaterThan(100);
  expect([...bytes.subarray(0, 8)]).toEqual(SIGNATURE);
}

/** Width and height from the PNG's IHDR chunk. */
function size(bytes: Uint8Array): [number, number] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return [view.getUint32(16), view.getUint32(20)];
}

const UP = [win("a", 0, 1), win("a", 10_000, 5), win("a", 20_000, 9)];
const DOWN = [win("a", 0, 9), win("a", 10_000, 5), win("a", 20_000, 1)];

afterEach(() => setDisplaySinkResolver(() => undefined));

describe("static PNG rendering (vega → SVG → resvg)", () => {
  it("renders a PNG; different data gives a different image; sync and async agree", async () => {
    const up = await renderPng(chartOf(UP, { mark: "line" }).spec);
    const down = await renderPng(chartOf(DOWN, { mark: "line" }).spec);
    isPng(up);
    isPng(down);
    expect(Buffer.from(up).equals(Buffer.from(down))).toBe(false);
    const [w, h] = size(up);
    expect(w).toBeGreaterThan(560); // plot width plus axes and legend
    expect(h).toBeGreaterThan(260);
    expect(Buffer.from(renderPngSync(chartOf(UP, { mark: "line" }).spec)).equals(Buffer.from(up))).toBe(true);
  });

  it("pngScale renders more pixels", async () => {
    const spec = chartOf(UP, { mark: "bar", width: 100, height: 50 }).spec;
    const [w1] = size(await renderPng(spec));
    const [w2] = size(await renderPng(spec, { scale: 2 }));
    expect(w2).toBe(w1 * 2);
  });

  it("a cell ending in chartOf(...) shows Vega-Lite 5, a PNG and text", () => {
    const formatted = formatValue(chartOf(UP, { mark: "area", title: "rising" }));
    expect(Object.keys(formatted!.data)).toEqual([VEGA_LITE_MIME, "image/png", "text/markdown", "text/plain"]);
    isPng(Buffer.from(formatted!.data["image/png"] as string, "base64"));
    expect(formatted!.data["text/plain"]).toBe('chart (rising): 3 windows × 1 key, last [00:00:20, 00:00:30) key "a" = 9 (onTime); 3 results received');
  });

  it("a live chart refreshes its PNG while running and renders the final state at close", async () => {
    const out = new RecordingDisplaySink();
    setDisplaySinkResolver(() => out);
    const sink = chart<WindowResult<string, number>>({ mark: "line" }, { pngIntervalMs: 20, maxUpdatesPerSecond: 50 });
    sink.open();
    sink.write([UP[0]!]);
    // Wait (real time) until an update carries a PNG.
    for (let i = 0; i < 200 && !out.calls.some((c) => c.kind === "update" && "image/png" in c.data); i++) await new Promise((r) => setTimeout(r, 25));
    expect(out.calls.some((c) => c.kind === "update" && "image/png" in c.data)).toBe(true);
    sink.write(UP.slice(1));
    await sink.close();
    const last = out.calls.at(-1)!;
    expect(last.kind).toBe("update");
    if (last.kind !== "update") return;
    expect(Object.keys(last.data)).toEqual([VEGA_LITE_MIME, "image/png", "text/markdown", "text/plain"]);
    const finalPng = Buffer.from(last.data["image/png"] as string, "base64");
    expect(finalPng.equals(Buffer.from(await renderPng(sink.spec())))).toBe(true);
  });
});
