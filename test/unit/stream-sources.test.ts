import { appendFile, mkdtemp, rm, truncate, writeFile, rename } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromArray } from "../../src/stream/sources/from-array.js";
import { fromAsyncIterable } from "../../src/stream/sources/from-async-iterable.js";
import { fromIterable } from "../../src/stream/sources/from-iterable.js";
import { BadLineError, type BadLine } from "../../src/stream/sources/files/bad-line-error.js";
import { parseCsvRecord } from "../../src/stream/sources/files/csv-record.js";
import { csv } from "../../src/stream/sources/files/csv-source.js";
import { jsonl } from "../../src/stream/sources/files/jsonl-source.js";
import type { TextFileReader } from "../../src/stream/sources/files/text-file-source.js";
import type { Source, SourceBatch, SplitPosition, SplitReader } from "../../src/stream/sources/source.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sluice-sources-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
let fileCounter = 0;
async function file(content: string, ext = "txt"): Promise<string> {
  const path = join(dir, `f${fileCounter++}.${ext}`);
  await writeFile(path, content);
  return path;
}

async function openFirst<T>(source: Source<T>, position?: SplitPosition): Promise<SplitReader<T>> {
  const [split] = await source.splits();
  return source.open(split!, position);
}

/** Polls until "end" (or "idle" when `stopAtIdle`), collecting records. */
async function drain<T>(reader: SplitReader<T>, batch = 100, stopAtIdle = false): Promise<{ records: T[]; last: SourceBatch<T>["status"] }> {
  const records: T[] = [];
  for (let i = 0; i < 10_000; i++) {
    const b = await reader.poll(batch);
    records.push(...b.records);
    if (b.status === "end" || (stopAtIdle && b.status === "idle")) return { records, last: b.status };
  }
  throw new Error("did not finish");
}

describe("fromArray", () => {
  it("rule 15: reads in order in batches, position = items consumed, restore resumes there", async () => {
    const items = [10, 20, 30, 40, 50];
    const source = fromArray(items);
    expect(source.bounded).toBe(true);
    expect(source.description).toBe("array(5 items)");
    const reader = await openFirst(source);
    expect(await reader.poll(2)).toEqual({ records: [10, 20], status: "more" });
    expect(reader.position()).toBe(2);
    expect(await reader.poll(10)).toEqual({ records: [30, 40, 50], status: "end" });
    const restored = await openFirst(source, 2);
    expect((await drain(restored)).records).toEqual([30, 40, 50]);
    await expect(openFirst(source, 6)).rejects.toThrow(/position 6 is past the end of the array \(5 items\)/);
    await expect(openFirst(source, -1)).rejects.toThrow(/position must be a count of consumed items \(an integer ≥ 0\), got -1/);
  });
});

describe("fromIterable", () => {
  it("rule 15: with a factory, restore re-creates the iterable and skips `position` items", async () => {
    let created = 0;
    const source = fromIterable(function* () {
      created++;
      for (let i = 0; i < 7; i++) yield i * i;
    });
    const reader = await openFirst(source);
    expect((await reader.poll(3)).records).toEqual([0, 1, 4]);
    const restored = await openFirst(source, reader.position());
    expect(await drain(restored)).toEqual({ records: [9, 16, 25, 36], last: "end" });
    expect(created).toBe(2);
  });

  it("a re-iterable value (a Set) can be restored; a one-shot generator only opened once", async () => {
    const set = fromIterable(new Set(["a", "b", "c"]));
    await openFirst(set);
    expect((await drain(await openFirst(set, 1))).records).toEqual(["b", "c"]);
    function* gen(): Generator<number> {
      yield 1;
      yield 2;
      yield 3;
    }
    const oneShot = fromIterable(gen());
    const first = await openFirst(oneShot, 1); // first open may skip
    expect((await drain(first)).records).toEqual([2, 3]);
    await expect(openFirst(oneShot)).rejects.toThrow(/one-shot iterable .* cannot be re-opened .* pass a factory/);
  });

  it("says end after the last item and refuses a position beyond the items", async () => {
    const source = fromIterable([1, 2]);
    const reader = await openFirst(source);
    expect(await reader.poll(2)).toEqual({ records: [1, 2], status: "more" });
    expect(await reader.poll(2)).toEqual({ records: [], status: "end" });
    await expect(openFirst(source, 3)).rejects.toThrow(/cannot restore at position 3: the iterable has only 2 items/);
    expect(() => fromIterable(42 as unknown as Iterable<number>)).toThrow(/expected an iterable or a factory/);
  });
});

describe("fromAsyncIterable", () => {
  it("rule 15: reads an async generator to its end and restores through a factory", async () => {
    async function* letters(): AsyncGenerator<string> {
      for (const c of "abcdef") {
        await Promise.resolve();
        yield c;
      }
    }
    const source = fromAsyncIterable(() => letters(), { prefetch: 2 });
    const reader = await openFirst(source);
    const got: string[] = [];
    while (got.length < 3) got.push(...(await reader.poll(3 - got.length)).records);
    expect(got).toEqual(["a", "b", "c"]);
    expect(reader.position()).toBe(3);
    await reader.close();
    const restored = await openFirst(source, 3);
    expect(await drain(restored, 2)).toEqual({ records: ["d", "e", "f"], last: "end" });
  });

  it("says idle while a live producer has nothing, then returns what it pushes", async () => {
    const waiting: ((r: IteratorResult<number>) => void)[] = [];
    const feed: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<number>>((resolve) => waiting.push(resolve)) }),
    };
    const reader = await openFirst(fromAsyncIterable(feed, { bounded: false }));
    expect(await reader.poll(10)).toEqual({ records: [], status: "idle" });
    waiting.shift()!({ value: 7, done: false });
    await new Promise((r) => setImmediate(r));
    expect(await reader.poll(10)).toEqual({ records: [7], status: "more" });
    waiting.shift()!({ value: undefined, done: true });
    await new Promise((r) => setImmediate(r));
    expect(await reader.poll(10)).toEqual({ records: [], status: "end" });
  });

  it("rethrows the producer's error from poll", async () => {
    async function* broken(): AsyncGenerator<number> {
      yield 1;
      throw new Error("feed broke");
    }
    const reader = await openFirst(fromAsyncIterable(broken()));
    const all: number[] = [];
    await expect((async () => {
      for (;;) all.push(...(await reader.poll(10)).records);
    })()).rejects.toThrow("feed broke");
    expect(all).toEqual([1]);
  });
});

describe("jsonl", () => {
  it("reads every JSON line (CRLF, blank lines, a last line without newline) and ends", async () => {
    const path = await file('{"a":1}\r\n\n{"a":2}\n   \n{"a":"é"}', "jsonl");
    const source = jsonl<{ a: number | string }>(path);
    expect(source.bounded).toBe(true);
    expect(source.description).toBe(`file ${path}`);
    const reader = await openFirst(source);
    expect(await drain(reader, 2)).toEqual({ records: [{ a: 1 }, { a: 2 }, { a: "é" }], last: "end" });
  });

  it("rule 15: position is the byte offset and line of the next unread line; restore resumes exactly", async () => {
    const path = await file('{"n":1}\n{"n":2}\n{"n":"ü"}\n{"n":4}\n', "jsonl");
    const source = jsonl<{ n: unknown }>(path);
    const reader = await openFirst(source);
    expect((await reader.poll(3)).records).toEqual([{ n: 1 }, { n: 2 }, { n: "ü" }]);
    // 8 + 8 + 11 bytes ("ü" is two bytes in UTF-8)
    expect(reader.position()).toEqual({ offset: 27, line: 4, skipped: 0 });
    const restored = await openFirst(source, { offset: 27, line: 4, skipped: 0 });
    expect(await drain(restored)).toEqual({ records: [{ n: 4 }], last: "end" });
    await expect(openFirst(source, { offset: 999, line: 9, skipped: 0 })).rejects.toThrow(/restore offset 999 is past the end of the file \(35 bytes\)/);
    await expect(openFirst(source, 5)).rejects.toThrow(/position must be \{ offset, line, skipped \}, got 5/);
  });

  it("fails on a bad line naming file, line number and the JSON error, after the good lines before it", async () => {
    const path = await file('{"n":1}\n{"n":2}\n{"n":\n{"n":4}\n', "jsonl");
    const reader = await openFirst(jsonl(path));
    expect(await reader.poll(10)).toEqual({ records: [{ n: 1 }, { n: 2 }], status: "more" });
    expect(reader.position()).toEqual({ offset: 16, line: 3, skipped: 0 });
    const error = await reader.poll(10).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(BadLineError);
    const bad = error as BadLineError;
    expect([bad.file, bad.line, bad.text]).toEqual([path, 3, '{"n":']);
    expect(bad.message).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:3: JSON parse error: `));
  });

  it("with onBadLine skip, drops and counts bad lines (the count survives a restore); a callback sees them", async () => {
    const path = await file('{"n":1}\nnot json\n{"n":3}\n{oops\n{"n":5}\n', "jsonl");
    const reader = (await openFirst(jsonl(path, { onBadLine: "skip" }))) as TextFileReader<unknown>;
    expect((await reader.poll(2)).records).toEqual([{ n: 1 }, { n: 3 }]);
    expect(reader.skippedLines).toBe(1);
    const position = reader.position();
    expect(position).toEqual({ offset: 25, line: 4, skipped: 1 }); // 8 + 9 + 8 bytes
    const seen: BadLine[] = [];
    const restored = (await openFirst(jsonl(path, { onBadLine: (b) => seen.push(b) }), position)) as TextFileReader<unknown>;
    expect((await drain(restored)).records).toEqual([{ n: 5 }]);
    expect(restored.skippedLines).toBe(2);
    expect(seen.map((b) => [b.line, b.text])).toEqual([[4, "{oops"]]);
  });

  it("tails a growing file: new complete lines as they arrive, a partial line waits for its newline", async () => {
    const path = await file('{"n":1}\n{"n":', "jsonl");
    const source = jsonl<{ n: number }>(path, { tail: true });
    expect(source.bounded).toBe(false);
    const reader = await openFirst(source);
    expect(await reader.poll(10)).toEqual({ records: [{ n: 1 }], status: "more" });
    expect(await reader.poll(10)).toEqual({ records: [], status: "idle" });
    expect(reader.position()).toEqual({ offset: 8, line: 2, skipped: 0 });
    await appendFile(path, "2}");
    expect(await reader.poll(10)).toEqual({ records: [], status: "idle" });
    await appendFile(path, '\n{"n":3}\n{"n"');
    expect(await reader.poll(10)).toEqual({ records: [{ n: 2 }, { n: 3 }], status: "more" });
    expect(await reader.poll(10)).toEqual({ records: [], status: "idle" });
    expect(reader.position()).toEqual({ offset: 24, line: 4, skipped: 0 });
    // A restored tail reader resumes at the partial line and completes it.
    const restored = await openFirst(source, reader.position());
    await appendFile(path, ':4}\n');
    expect(await restored.poll(10)).toEqual({ records: [{ n: 4 }], status: "more" });
    expect(await reader.poll(10)).toEqual({ records: [{ n: 4 }], status: "more" });
    await restored.close();
    await reader.close();
    await reader.close();
  });

  it("tail: a long line spanning several reads, and many lines, come out whole", async () => {
    const path = await file("", "jsonl");
    const reader = await openFirst(jsonl<{ s: string }>(path, { tail: true }));
    const long = "x".repeat(200_000);
    await appendFile(path, `{"s":"${long}"}\n`);
    const lines = Array.from({ length: 3000 }, (_, i) => `{"s":"${i}"}`).join("\n");
    await appendFile(path, `${lines}\n`);
    const { records, last } = await drain(reader, 500, true);
    expect(last).toBe("idle");
    expect(records).toHaveLength(3001);
    expect(records[0]!.s).toHaveLength(200_000);
    expect(records[3000]).toEqual({ s: "2999" });
  });

  it("tail: truncation or replacement of the file is a clear error", async () => {
    const path = await file('{"n":1}\n{"n":2}\n', "jsonl");
    const reader = await openFirst(jsonl(path, { tail: true }));
    await drain(reader, 10, true);
    await truncate(path, 4);
    await expect(reader.poll(10)).rejects.toThrow(/the tailed file was truncated to 4 bytes while reading at offset 16/);
    const path2 = await file('{"n":1}\n', "jsonl");
    const reader2 = await openFirst(jsonl(path2, { tail: true }));
    await drain(reader2, 10, true);
    const other = await file('{"n":1}\n{"n":2}\n', "jsonl");
    await rename(other, path2);
    await expect(reader2.poll(10)).rejects.toThrow(/the tailed file was replaced \(rotated\)/);
  });

  it("rejects invalid options and a missing file clearly", async () => {
    expect(() => jsonl("")).toThrow(/jsonl: path must be a non-empty string/);
    expect(() => jsonl("x.jsonl", { onBadLine: "ignore" as "skip" })).toThrow(/option onBadLine must be "fail", "skip" or a function, got ignore/);
    await expect(openFirst(jsonl(join(dir, "missing.jsonl")))).rejects.toThrow(/missing\.jsonl: cannot open: ENOENT/);
  });
});

describe("csv", () => {
  it("parses RFC 4180 fields: quoted commas, doubled quotes, empty fields", () => {
    expect(parseCsvRecord('a,"b,c","say ""hi""",,""', ",")).toEqual(["a", "b,c", 'say "hi"', "", ""]);
    expect(parseCsvRecord("x;y;", ";")).toEqual(["x", "y", ""]);
    expect(parseCsvRecord('"multi\nline",2', ",")).toEqual(["multi\nline", "2"]);
    expect(() => parseCsvRecord('"a"b,c', ",")).toThrow(/unexpected "b" after the closing quote of field 1/);
    expect(() => parseCsvRecord('a,b"c', ",")).toThrow(/quote inside unquoted field 2/);
  });

  it("reads a header and typed columns; quoted fields may hold line breaks, and line numbers follow", async () => {
    const path = await file(
      'symbol,price,qty,note,ok\r\n' +
      'ACME,12.5,3,"plain",true\r\n' +
      'BOLT,7,10,"two\r\nlines, ""quoted""",false\r\n' +
      'CRAB,,4,,1\r\n' +
      'DUCK,x,1,,0\r\n', "csv");
    const source = csv(path, { types: { price: "number", qty: "integer", ok: "boolean" } });
    const reader = await openFirst(source);
    expect((await reader.poll(3)).records).toEqual([
      { symbol: "ACME", price: 12.5, qty: 3, note: "plain", ok: true },
      { symbol: "BOLT", price: 7, qty: 10, note: 'two\r\nlines, "quoted"', ok: false },
      { symbol: "CRAB", price: null, qty: 4, note: "", ok: true },
    ]);
    expect(reader.position()).toMatchObject({ line: 6 });
    await expect(reader.poll(3)).rejects.toThrow(/:6: column price: "x" is not a number/);
  });

  it("rule 15: restores after the header at the byte offset, reading the header again for the names", async () => {
    const path = await file('id,name\n1,"a\nb"\n2,c\n3,d\n', "csv");
    const source = csv<{ id: number; name: string }>(path, { types: { id: "integer" } });
    const reader = await openFirst(source);
    expect((await reader.poll(1)).records).toEqual([{ id: 1, name: "a\nb" }]);
    const position = reader.position();
    expect(position).toEqual({ offset: 16, line: 4, skipped: 0 });
    const restored = await openFirst(source, position);
    expect(await drain(restored)).toEqual({ records: [{ id: 2, name: "c" }, { id: 3, name: "d" }], last: "end" });
  });

  it("uses given columns without a header, a custom delimiter, and reports a wrong field count", async () => {
    const path = await file("1;x\n2;y;extra\n3;z\n", "csv");
    const reader = await openFirst(csv(path, { header: false, columns: ["n", "s"], delimiter: ";", types: { n: "number" } }));
    expect((await reader.poll(10)).records).toEqual([{ n: 1, s: "x" }]);
    await expect(reader.poll(10)).rejects.toThrow(/:2: expected 2 fields, found 3/);
    const skipping = (await openFirst(csv(path, { header: false, columns: ["n", "s"], delimiter: ";", onBadLine: "skip" }))) as TextFileReader<unknown>;
    expect((await drain(skipping)).records).toEqual([{ n: "1", s: "x" }, { n: "3", s: "z" }]);
    expect(skipping.skippedLines).toBe(1);
  });

  it("an unterminated quote at the end of a bounded file is a bad line", async () => {
    const path = await file('a,b\n1,"open\n2,3\n', "csv");
    const reader = await openFirst(csv(path));
    await expect(drain(reader)).rejects.toThrow(/:2: unterminated quoted field at end of file/);
  });

  it("tails a CSV whose header and a quoted multi-line record arrive in pieces", async () => {
    const path = await file("", "csv");
    const reader = await openFirst(csv<{ k: string; v: string }>(path, { tail: true }));
    expect(await reader.poll(10)).toEqual({ records: [], status: "idle" });
    await appendFile(path, "k,v\n1,\"multi\n");
    expect(await reader.poll(10)).toEqual({ records: [], status: "idle" });
    await appendFile(path, "line\"\n2,two\n");
    expect(await reader.poll(10)).toEqual({ records: [{ k: "1", v: "multi\nline" }, { k: "2", v: "two" }], status: "more" });
    expect(reader.position()).toEqual({ offset: 25, line: 5, skipped: 0 }); // 4 + 9 + 6 + 6 bytes
  });

  it("rejects invalid options at build time, naming the option and the value", () => {
    expect(() => csv("a.csv", { header: false })).toThrow(/csv: option columns is required when header is false/);
    expect(() => csv("a.csv", { delimiter: "::" })).toThrow(/option delimiter must be one character .*, got "::"/);
    expect(() => csv("a.csv", { columns: ["a", "a"] })).toThrow(/duplicate column name "a"/);
    expect(() => csv("a.csv", { columns: ["a"], types: { b: "number" } })).toThrow(/option types names column "b", which is not among the columns \[a\]/);
    expect(() => csv("a.csv", { types: { a: "float" as "number" } })).toThrow(/option types.a must be one of string, number, integer, boolean, got "float"/);
  });

  it("a header that misses a typed column fails at the header", async () => {
    const path = await file("x,y\n1,2\n", "csv");
    const reader = await openFirst(csv(path, { types: { z: "number" } }));
    await expect(reader.poll(10)).rejects.toThrow(/header: option types names column "z", which is not among the columns \[x, y\]/);
  });
});
