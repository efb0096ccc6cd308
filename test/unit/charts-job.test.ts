import { AsyncLocalStorage } from "node:async_hooks";
import { afterEach, describe, expect, it } from "vitest";
import { chart } from "../../src/charts/index.js";
import { setDisplaySinkResolver } from "../../src/display/display-sink.js";
import { VEGA_LITE_MIME } from "../../src/display/vega-lite.js";
import { count } from "../../src/stream/aggregates/index.js";
import { from } from "../../src/stream/index.js";
import { fromArray } from "../../src/stream/sources/index.js";
import { tumbling } from "../../src/stream/windowing/index.js";
import { RecordingDisplaySink } from "./recording-display-sink.js";



afterEach(() => setDisplaySinkResolver(() => undefined));

describe("a chart sink in a real job", () => {
  it("shows one display, updates it under the same display_id, and ends with Vega-Lite + PNG + text", async () => {
    const out = new RecordingDisplaySink();
    setDisplaySinkResolver(() => out);
    // 3 users, 60 events one second apart: six 10 s windows per user.
    const events = Array.from({ length: 60 }, (_, i) => ({ user: ["ann", "bob", "cy"][i % 3]!, ts: i * 1000 }));
    const job = from(fromArray(events))
      .withTimestamps((e) => e.ts)
      .keyBy((e) => e.user)
      .window(tumbling(10_000))
      .aggregate(count())
      .to(chart({ mark: "line", title: "events per 10 s" }))
      .start();
    await job.done;

    expect(job.status).toBe("finished");
    const [first, ...rest] = out.calls;
    expect(first).toMatchObject({ kind: "display" });
    const id = first!.kind === "display" ? first!.id : undefined;
    expect(id).toEqual(expect.any(String));
    expect(rest.length).toBeGreaterThan(0);
    expect(rest.every((c) => c.kind === "update" && c.id === id)).toBe(true);

    const last = rest.at(-1)!;
    if (last.kind !== "update") throw new Error("expected an update last");
    expect(Object.keys(last.data)).toEqual([VEGA_LITE_MIME, "image/png", "text/markdown", "text/plain"]);
    const spec = last.data[VEGA_LITE_MIME] as { $schema: string; data: { values: { key: string; value: number; end: number }[] } };
    expect(spec.$schema).toBe("https://vega.github.io/schema/vega-lite/v5.json");
    expect(spec.data.values).toHaveLength(18);
    expect(spec.data.values.every((r) => [3, 4].includes(r.value))).toBe(true);
    expect(spec.data.values.reduce((n, r) => n + r.value, 0)).toBe(60);
    expect(Buffer.from(last.data["image/png"] as string, "base64").subarray(1, 4).toString()).toBe("PNG");
    expect(last.data["text/plain"]).toMatch(/^chart \(events per 10 s\): 6 windows × 3 keys, last \[00:00:50, 00:01:00\) key "\w+" = \d \(onTime\); 18 results received$/);
  });

  it("keeps writing to the cell that started the job (sink found through the asynchronous context)", async () => {
    // As the kernel does: the resolver returns the running cell's sink from an AsyncLocalStorage.
    const cells = new AsyncLocalStorage<RecordingDisplaySink>();
    setDisplaySinkResolver(() => cells.getStore());
    const cellA = new RecordingDisplaySink();
    const events = Array.from({ length: 30 }, (_, i) => ({ user: "u", ts: i * 1000 }));
    const job = cells.run(cellA, () =>
      from(fromArray(events))
        .withTimestamps((e) => e.ts)
        .keyBy((e) => e.user)
        .window(tumbling(5_000))
        .aggregate(count())
        .to(chart({ mark: "bar" }, { pngIntervalMs: 0 }))
        .start(),
    );
    await job.done; // awaited outside the cell's context
    expect(cellA.calls.map((c) => c.kind)[0]).toBe("display");
    const last = cellA.calls.at(-1)!;
    expect(last.kind === "update" && Object.keys(last.data)).toEqual([VEGA_LITE_MIME, "image/png", "text/markdown", "text/plain"]);
  });
});
