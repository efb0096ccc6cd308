import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defaultHistoryFile, globToRegExp, HistoryStore } from "../../src/kernel/history-store.js";

let dir: string;
let file: string;
const logs: string[] = [];
const log = (m: string): void => void logs.push(m);
const open = (f = file): Promise<HistoryStore> => HistoryStore.open({ file: f, log });

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "sluice-history-"));
  file = path.join(dir, "history.jsonl");
  logs.length = 0;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Two closed sessions (1: a, b, c; 2: x, y) and an open third one (p, q). */
async function threeSessions(): Promise<HistoryStore> {
  const s1 = await open();
  s1.record(1, "a");
  s1.record(2, "b");
  s1.record(3, "c");
  await s1.close();
  const s2 = await open();
  s2.record(1, "x");
  s2.record(2, "y");
  await s2.close();
  const s3 = await open();
  s3.record(1, "p");
  s3.record(2, "q");
  return s3;
}

describe("HistoryStore persistence and sessions", () => {
  it("starts a new session per open and keeps entries across reopen", async () => {
    const first = await open();
    expect(first.session).toBe(1);
    first.record(1, "let a = 1");
    first.record(2, "a + 1");
    expect(first.tail(10)).toEqual([
      [1, 1, "let a = 1"],
      [1, 2, "a + 1"],
    ]);
    await first.close();

    const second = await open();
    expect(second.session).toBe(2);
    second.record(1, "console.log(a)");
    expect(second.tail(10)).toEqual([
      [1, 1, "let a = 1"],
      [1, 2, "a + 1"],
      [2, 1, "console.log(a)"],
    ]);
    await second.close();

    const lines = (await readFile(file, "utf8")).trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    const entries = lines.filter((l) => "input" in l);
    expect(entries.map((e) => [e["session"], e["line"], e["input"]])).toEqual([
      [1, 1, "let a = 1"],
      [1, 2, "a + 1"],
      [2, 1, "console.log(a)"],
    ]);
    for (const e of entries) expect(Number.isNaN(Date.parse(String(e["date"])))).toBe(false);
    expect(logs).toEqual([]);
  });

  it("reserves the session number, so a session that recorded nothing is not reused", async () => {
    await (await open()).close();
    const second = await open();
    expect(second.session).toBe(2);
    await second.close();
  });

  it("gives concurrently opened stores distinct sessions", async () => {
    const stores = await Promise.all([open(), open(), open()]);
    expect(new Set(stores.map((s) => s.session)).size).toBe(3);
    await Promise.all(stores.map((s) => s.close()));
  });

  it("replaces a re-recorded line instead of listing it twice", async () => {
    const store = await open();
    store.record(1, "old");
    store.record(1, "new");
    expect(store.tail(5)).toEqual([[1, 1, "new"]]);
    await store.close();
    const again = await open();
    expect(again.tail(5)).toEqual([[1, 1, "new"]]);
    await again.close();
  });

  it("rejects bad arguments with errors that name the problem", async () => {
    const store = await open();
    expect(() => store.record(-1, "x")).toThrow(/line must be a non-negative integer/);
    expect(() => store.record(1.5, "x")).toThrow(/line must be a non-negative integer/);
    expect(() => store.record(1, 42 as unknown as string)).toThrow(/input must be a string/);
    expect(() => store.tail(2.5)).toThrow(/tail n must be an integer/);
    expect(() => store.range(0, 0.5, 0)).toThrow(/range start must be an integer/);
    expect(() => store.search(5 as unknown as string)).toThrow(/pattern must be a string/);
    await store.close();
    expect(() => store.record(1, "x")).toThrow(/closed/);
    await store.close();
  });
});

describe("HistoryStore queries", () => {
  it("tail returns the last n across sessions, optionally unique", async () => {
    const store = await open();
    ["a", "b", "a", "c", "b"].forEach((input, i) => store.record(i + 1, input));
    expect(store.tail(2)).toEqual([
      [1, 4, "c"],
      [1, 5, "b"],
    ]);
    expect(store.tail(0)).toEqual([]);
    expect(store.tail(-1)).toHaveLength(5);
    expect(store.tail(10, true)).toEqual([
      [1, 3, "a"],
      [1, 4, "c"],
      [1, 5, "b"],
    ]);
    expect(store.tail(2, true)).toEqual([
      [1, 4, "c"],
      [1, 5, "b"],
    ]);
    await store.close();

    file = path.join(dir, "three-sessions.jsonl");
    const s3 = await threeSessions();
    expect(s3.tail(4)).toEqual([
      [2, 1, "x"],
      [2, 2, "y"],
      [3, 1, "p"],
      [3, 2, "q"],
    ]);
    await s3.close();
  });

  it("range resolves current, relative and absolute sessions", async () => {
    const store = await threeSessions();
    expect(store.session).toBe(3);
    expect(store.range(0, 0, 0)).toEqual([
      [3, 1, "p"],
      [3, 2, "q"],
    ]);
    expect(store.range(-1, 0, 0)).toEqual([
      [2, 1, "x"],
      [2, 2, "y"],
    ]);
    expect(store.range(-2, 1, 0)).toEqual([
      [1, 1, "a"],
      [1, 2, "b"],
      [1, 3, "c"],
    ]);
    expect(store.range(1, 2, 3)).toEqual([[1, 2, "b"]]);
    expect(store.range(-3, 0, 0)).toEqual([]);
    expect(store.range(9, 0, 0)).toEqual([]);
    await store.close();
  });

  it("range uses IPython's start/stop rules: stop exclusive, 0 or too large = end, negatives from the end", async () => {
    const store = await open();
    ["l1", "l2", "l3", "l4", "l5"].forEach((input, i) => store.record(i + 1, input));
    const lines = (start: number, stop: number): number[] => store.range(0, start, stop).map(([, line]) => line);
    expect(lines(2, 4)).toEqual([2, 3]);
    expect(lines(0, 0)).toEqual([1, 2, 3, 4, 5]);
    expect(lines(3, 0)).toEqual([3, 4, 5]);
    expect(lines(3, 99)).toEqual([3, 4, 5]);
    expect(lines(-2, 0)).toEqual([4, 5]);
    expect(lines(1, -1)).toEqual([1, 2, 3, 4]);
    expect(lines(4, 2)).toEqual([]);
    expect(store.range()).toHaveLength(5);
    await store.close();
  });

  it("search matches the whole input as a glob, newest last, limited to the last n matches", async () => {
    const store = await open();
    const inputs = ["let a = 1", "a + 1", "let b = 2", "display(a)", "let a = 1", "const x = [1,\n2]"];
    inputs.forEach((input, i) => store.record(i + 1, input));
    const found = (pattern: string, n?: number, unique?: boolean): number[] => store.search(pattern, n, unique).map(([, line]) => line);
    expect(found("let")).toEqual([]); // not wrapped in *...*
    expect(found("let*")).toEqual([1, 3, 5]);
    expect(found("*a*")).toEqual([1, 2, 4, 5]);
    expect(found("let ? = ?")).toEqual([1, 3, 5]);
    expect(found("let [ab] = 1")).toEqual([1, 5]);
    expect(found("let [^a] = *")).toEqual([3]);
    expect(found("*[,]*2]")).toEqual([6]); // '*' crosses newlines
    expect(found("LET*")).toEqual([]); // case-sensitive
    expect(found("let*", 2)).toEqual([3, 5]);
    expect(found("let*", 0)).toEqual([]);
    expect(found("let*", undefined, true)).toEqual([3, 5]);
    expect(found("let*", 1, true)).toEqual([5]);
    expect(found("*")).toEqual([1, 2, 3, 4, 5, 6]);
    expect(store.search()).toHaveLength(6);
    await store.close();
  });

  it("search spans sessions", async () => {
    const store = await threeSessions();
    expect(store.search("[abpx]")).toEqual([
      [1, 1, "a"],
      [1, 2, "b"],
      [2, 1, "x"],
      [3, 1, "p"],
    ]);
    await store.close();
  });
});

describe("globToRegExp", () => {
  it("follows SQLite GLOB rules", () => {
    expect(globToRegExp("a*c").test("abbbc")).toBe(true);
    expect(globToRegExp("a?c").test("abc")).toBe(true);
    expect(globToRegExp("a?c").test("ac")).toBe(false);
    expect(globToRegExp("?").test("é")).toBe(true);
    expect(globToRegExp("[]]").test("]")).toBe(true);
    expect(globToRegExp("[a-c]x").test("bx")).toBe(true);
    expect(globToRegExp("[a-c]x").test("dx")).toBe(false);
    expect(globToRegExp("[z-a]").test("m")).toBe(false);
    expect(globToRegExp("[^a-c]").test("d")).toBe(true);
    expect(globToRegExp("a[b").test("a[b")).toBe(true);
    expect(globToRegExp("a.c(").test("a.c(")).toBe(true);
    expect(globToRegExp("a.c(").test("abc(")).toBe(false);
  });
});

describe("HistoryStore file robustness", () => {
  it("skips corrupt and partial lines, logs once, keeps every other entry", async () => {
    const good = (session: number, line: number, input: string): string => JSON.stringify({ session, line, input, date: "2024-01-01T00:00:00.000Z" });
    await writeFile(
      file,
      [
        good(1, 1, "one"),
        "{not json",
        good(1, 2, "two"),
        JSON.stringify({ session: "x", line: 1, input: "bad session" }),
        JSON.stringify({ session: 2, line: 1 }),
        good(2, 1, "three"),
        '{"session":2,"line":2,"inp', // half-written last line, no newline
      ].join("\n"),
    );
    const store = await open();
    expect(store.session).toBe(3);
    expect(store.tail(10)).toEqual([
      [1, 1, "one"],
      [1, 2, "two"],
      [2, 1, "three"],
    ]);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/skipped 4 unreadable line\(s\), the first at line 2; kept 3 entries/);
    store.record(1, "four");
    await store.close();

    logs.length = 0;
    const again = await open();
    expect(again.tail(10)).toEqual([
      [1, 1, "one"],
      [1, 2, "two"],
      [2, 1, "three"],
      [3, 1, "four"],
    ]);
    // The partial line stays skipped, nothing new got glued to it.
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/skipped 4 unreadable/);
    await again.close();
  });

  it("creates the file's directory", async () => {
    const nested = path.join(dir, "a", "b", "history.jsonl");
    const store = await open(nested);
    store.record(1, "x");
    await store.close();
    expect(await readFile(nested, "utf8")).toContain('"input":"x"');
  });
});

describe("default history file", () => {
  it("uses SLUICE_HISTORY_FILE, else JUPYTER_DATA_DIR/sluice/history.jsonl", () => {
    expect(defaultHistoryFile({ SLUICE_HISTORY_FILE: "/tmp/h.jsonl", JUPYTER_DATA_DIR: "/data" })).toBe("/tmp/h.jsonl");
    expect(defaultHistoryFile({ JUPYTER_DATA_DIR: "/data/jupyter" })).toBe(path.join("/data/jupyter", "sluice", "history.jsonl"));
  });

  it("falls back to the platform data dir", () => {
    if (process.platform !== "linux") return;
    expect(defaultHistoryFile({ XDG_DATA_HOME: "/xdg" })).toBe(path.join("/xdg", "jupyter", "sluice", "history.jsonl"));
  });

  it("opens the store under JUPYTER_DATA_DIR", async () => {
    const store = await HistoryStore.open({ env: { JUPYTER_DATA_DIR: dir }, log });
    expect(store.file).toBe(path.join(dir, "sluice", "history.jsonl"));
    store.record(1, "in data dir");
    await store.close();
    const reopened = await HistoryStore.open({ env: { JUPYTER_DATA_DIR: dir }, log });
    expect(reopened.search("in data*")).toEqual([[1, 1, "in data dir"]]);
    await reopened.close();
  });
});
