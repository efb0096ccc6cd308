import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { chart } from "../../src/charts/index.js";
import { setDisplaySinkResolver } from "../../src/display/display-sink.js";
import { VEGA_LITE_MIME } from "../../src/display/vega-lite.js";
import type { FiringKind, WindowResult } from "../../src/stream/api/window-result.js";
import { RecordingDisplaySink } from "./recording-display-sink.js";



function win(key: string, start: number, value: number, firing: FiringKind = "onTime"): WindowResult<string, number> {
  return { key, start, end: start + 1000, value, watermark: start + 999, firing };
}

type Values = { values: { key: string; start: number; value: number; firing: string }[] };
function valuesOf(data: Record<string, unknown>): Values["values"] {
  return ((data[VEGA_LITE_MIME] as { data: Values }).data).values;
}

let out: RecordingDisplaySink;
beforeEach(() => {
  out = new RecordingDisplaySink();
  setDisplaySinkResolver(() => out);
});
afterEach(() => {
  setDisplaySinkResolver(() => undefined);
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("coalescing", () => {
  it("at most maxUpdatesPerSecond updates, with a trailing one carrying the last state", async () => {
    vi.useFakeTimers();
    const sink = chart<WindowResult<string, number>>({ mark: "line" }, { png: false, maxUpdatesPerSecond: 4 });
    sink.open();
    expect(out.calls.map((c) => c.kind)).toEqual(["display"]);
    const id = sink.displayId!;
    // 1,000 writes over 2 s (one every 2 ms): a window per write.
    for (let i = 0; i < 1000; i++) {
      sink.write([win("a", i * 1000, i)]);
      vi.advanceTimersByTime(2);
    }
    vi.advanceTimersByTime(1000);
    const updates = out.calls.filter((c) => c.kind === "update");
    expect(updates.length).toBeGreaterThanOrEqual(7);
    expect(updates.length).toBeLessThanOrEqual(9); // 2 s × 4/s, plus the trailing one
    expect(updates.every((u) => u.id === id)).toBe(true);
    // The last update shows the last record, before close().
    const last = valuesOf(updates.at(-1)!.data);
    expect(last.at(-1)).toMatchObject({ start: 999_000, value: 999 });
    expect(last).toHaveLength(100); // keepWindows default
    await sink.close();
    expect(out.calls.at(-1)).toMatchObject({ kind: "update", id });
  });

  it("a single burst gives one trailing update, not one per record", () => {
    vi.useFakeTimers();
    const sink = chart<WindowResult<string, number>>({ mark: "bar" }, { png: false });
    sink.open();
    for (let i = 0; i < 50; i++) sink.write([win("a", 0, i, "early")]);
    expect(out.calls.filter((c) => c.kind === "update")).toHaveLength(0);
    vi.advanceTimersByTime(250);
    const updates = out.calls.filter((c) => c.kind === "update");
    expect(updates).toHaveLength(1);
    // Early firings of the same window replaced each other: one point, the last value.
    expect(valuesOf(updates[0]!.data)).toEqual([expect.objectContaining({ key: "a", start: 0, value: 49, firing: "early" })]);
  });

  it("close() flushes: the final state is sent even while an update waits for its timer", async () => {
    vi.useFakeTimers();
    const sink = chart<WindowResult<string, number>>({ mark: "line" }, { png: false, keepWindows: 2 });
    sink.open();
    sink.write([win("a", 0, 1), win("a", 1000, 2), win("b", 2000, 3)]);
    await sink.close();
    const last = out.calls.at(-1)!;
    expect(last.kind).toBe("update");
    if (last.kind !== "update") return;
    expect(valuesOf(last.data).map((r) => r.start)).toEqual([1000, 2000]);
    expect(last.data["text/plain"]).toBe('chart (line): 2 windows × 2 keys, last [00:00:02, 00:00:03) key "b" = 3 (onTime); 3 results received');
    vi.advanceTimersByTime(5000);
    expect(out.calls.at(-1)).toBe(last); // nothing after close
  });

  it("a sink run again (restarted job) goes on in the same display", async () => {
    const sink = chart<WindowResult<string, number>>({ mark: "line" }, { png: false });
    sink.open();
    sink.write([win("a", 0, 1)]);
    await sink.close();
    sink.open();
    sink.write([win("a", 1000, 2)]);
    await sink.close();
    expect(out.calls.filter((c) => c.kind === "display")).toHaveLength(1);
    expect(new Set(out.calls.map((c) => (c.kind === "clear" ? undefined : c.id)))).toEqual(new Set([sink.displayId]));
    expect(sink.rows.map((r) => r["value"])).toEqual([1, 2]);
  });

  it("keepRows bounds the payload of plain records", () => {
    vi.useFakeTimers();
    const sink = chart<{ t: number; v: number }>({ mark: "point", x: "t", y: "v" }, { png: false, keepRows: 10 });
    sink.open();
    for (let i = 0; i < 5000; i++) sink.write([{ t: i, v: i % 7 }]);
    vi.advanceTimersByTime(1000);
    const rows = (out.calls.at(-1)!.kind === "update" ? valuesOf((out.calls.at(-1) as { data: Record<string, unknown> }).data) : []) as unknown as { t: number }[];
    expect(rows.map((r) => r.t)).toEqual([4990, 4991, 4992, 4993, 4994, 4995, 4996, 4997, 4998, 4999]);
  });

  it("timers are unref'd: a waiting update never keeps the process alive", () => {
    const created: ReturnType<typeof setTimeout>[] = [];
    const real = globalThis.setTimeout;
    vi.spyOn(globalThis, "setTimeout").mockImplementation(((fn: () => void, ms?: number) => {
      const timer = real(fn, ms);
      created.push(timer);
      return timer;
    }) as typeof setTimeout);
    const sink = chart<WindowResult<string, number>>({ mark: "line" }, { png: false });
    sink.open();
    sink.write([win("a", 0, 1)]);
    sink.write([win("a", 0, 2)]);
    expect(created.length).toBeGreaterThan(0);
    expect(created.every((t) => !t.hasRef())).toBe(true);
    void sink.close();
  });

  it("without a kernel (no display sink) nothing is sent while running and the summary is printed at close", async () => {
    setDisplaySinkResolver(() => undefined);
    const printed: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation(((text: string) => {
      printed.push(text);
      return true;
    }) as typeof process.stdout.write);
    const sink = chart<WindowResult<string, number>>({ mark: "line" });
    sink.open();
    sink.write([win("a", 0, 5)]);
    await sink.close();
    expect(printed).toEqual(['chart (line): 1 window × 1 key, last [00:00:00, 00:00:01) key "a" = 5 (onTime); 1 result received\n']);
  });
});
