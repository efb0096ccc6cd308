import { describe, expect, it } from "vitest";
import { RowBuffer } from "../../src/charts/row-buffer.js";
import type { FiringKind, WindowResult } from "../../src/stream/api/window-result.js";

function win(key: unknown, start: number, value: unknown, firing: FiringKind = "onTime"): WindowResult<unknown, unknown> {
  return { key, start, end: start + 10, value, watermark: start + 9, firing };
}

describe("same-window replacement", () => {
  it("early, on-time and late firings of one (key, window) replace each other in place", () => {
    const buffer = new RowBuffer({ keepWindows: 100, keepRows: 1000 });
    buffer.add(win("a", 0, 1, "early"));
    buffer.add(win("b", 0, 7, "early"));
    buffer.add(win("a", 0, 2, "early"));
    buffer.add(win("a", 0, 3, "onTime"));
    buffer.add(win("a", 10, 9, "onTime"));
    buffer.add(win("a", 0, 4, "late"));
    expect(buffer.rows().map((r) => [r["key"], r["start"], r["value"], r["firing"]])).toEqual([
      ["a", 0, 4, "late"],
      ["b", 0, 7, "early"],
      ["a", 10, 9, "onTime"],
    ]);
    expect(buffer.receivedCount).toBe(6);
    expect(buffer.windowCount).toBe(2);
    expect(buffer.keyCount()).toBe(2);
  });

  it("keys of different types stay apart; bytes, bigints and objects become JSON", () => {
    const buffer = new RowBuffer({ keepWindows: 100, keepRows: 1000 });
    buffer.add(win(1, 0, 1));
    buffer.add(win("1", 0, 2));
    buffer.add(win(Buffer.from("row-1"), 0, { sum: 3n, at: new Date(0), bad: NaN }));
    expect(buffer.rows().map((r) => [r["key"], r["value"]])).toEqual([
      [1, 1],
      ["1", 2],
      ["row-1", { sum: 3, at: "1970-01-01T00:00:00.000Z", bad: null }],
    ]);
  });
});

describe("bounding", () => {
  it("keeps only the last keepWindows window spans (all keys of each), however many arrive", () => {
    const buffer = new RowBuffer({ keepWindows: 3, keepRows: 1000 });
    for (let w = 0; w < 50; w++) for (const key of ["a", "b"]) buffer.add(win(key, w * 10, w));
    expect(buffer.windowCount).toBe(3);
    expect(buffer.rows().map((r) => `${r["key"]}@${r["start"]}`)).toEqual(["a@470", "b@470", "a@480", "b@480", "a@490", "b@490"]);
    expect(buffer.latestSpan()).toEqual({ start: 490, end: 500, keys: 2 });
  });

  it("a late firing of a window older than every kept one is dropped, not kept in place of a newer one", () => {
    const buffer = new RowBuffer({ keepWindows: 2, keepRows: 1000 });
    buffer.add(win("a", 10, 1));
    buffer.add(win("a", 20, 2));
    buffer.add(win("a", 0, 99, "late"));
    expect(buffer.rows().map((r) => r["start"])).toEqual([10, 20]);
  });

  it("keeps only the last keepRows plain records", () => {
    const buffer = new RowBuffer({ keepWindows: 100, keepRows: 5 });
    for (let i = 0; i < 1234; i++) buffer.add({ i, v: i * 2 });
    expect(buffer.kind).toBe("rows");
    expect(buffer.rows()).toEqual([1229, 1230, 1231, 1232, 1233].map((i) => ({ i, v: i * 2 })));
    expect(buffer.receivedCount).toBe(1234);
  });

  it("primitives become {value}; a chart of window results refuses other records", () => {
    const plain = new RowBuffer({ keepWindows: 1, keepRows: 2 });
    plain.add(3);
    expect(plain.rows()).toEqual([{ value: 3 }]);
    const windows = new RowBuffer({ keepWindows: 1, keepRows: 2 });
    windows.add(win("a", 0, 1));
    expect(() => windows.add({ x: 1 })).toThrow(/this chart draws window results/);
  });
});
