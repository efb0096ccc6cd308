import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { connect } from "../../src/hbase/connect.js";
import { createBufferedMutator, DEFAULT_MAX_BYTES } from "../../src/hbase/buffered-mutator.js";
import { BufferedMutatorError } from "../../src/hbase/buffered-mutator-error.js";
import { planWaves } from "../../src/hbase/mutation-batch-writer.js";
import type { Connection, Mutation, Put, Table } from "../../src/hbase/table.js";
// The types as users import them from the package ("sluice").
import type { BufferedMutator, BufferedMutatorOptions } from "../../src/index.js";
import { tempDir, text } from "./hbase-embedded-support.js";

let dir: string;
let remove: () => Promise<void>;
let conn: Connection;

beforeEach(async () => {
  ({ dir, remove } = await tempDir());
  conn = await connect({ path: dir });
  await conn.admin.createTable("t", { families: [{ name: "d", maxVersions: 3 }] });
});
afterEach(async () => {
  await conn.close().catch(() => undefined);
  await remove();
});

const put = (row: string, value = "v", timestamp?: number): Mutation => ({
  kind: "put",
  row,
  cells: [{ family: "d", qualifier: "q", value, ...(timestamp === undefined ? {} : { timestamp }) }],
});

async function value(row: string): Promise<string | undefined> {
  const r = await conn.table("t").get(row);
  return r === undefined ? undefined : text(r.cells[0]!.value);
}

async function versions(row: string): Promise<string[]> {
  const r = await conn.table("t").get(row, { maxVersions: 3 });
  return (r?.cells ?? []).map((c) => `${text(c.value)}@${c.timestamp}`);
}

/** Whether a promise has settled, after letting pending I/O callbacks run. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  return done;
}

/**
 * The real table, with putMany held until `open()` is called (to have a flush in flight on demand),
 * counting how many putMany calls run at once.
 */
function gatedTable(table: Table): { table: Table; open: () => void; maxActive: () => number } {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let active = 0;
  let maxActive = 0;
  const gated = Object.create(table) as Table;
  gated.putMany = async (puts: readonly Put[]) => {
    active++;
    maxActive = Math.max(maxActive, active);
    try {
      await gate;
      await table.putMany(puts);
    } finally {
      active--;
    }
  };
  return { table: gated, open: release, maxActive: () => maxActive };
}

describe("buffered mutator: flushing", () => {
  it("flushes when maxRows mutations are buffered", async () => {
    const bm = conn.bufferedMutator("t", { maxRows: 3, flushIntervalMs: 0 });
    await bm.mutate(put("a"));
    await bm.mutate([put("b")]);
    expect(bm.pendingMutations).toBe(2);
    expect(bm.pendingBytes).toBeGreaterThan(0);
    expect(await conn.table("t").count()).toBe(0);
    await bm.mutate(put("c"));
    expect(bm.pendingMutations).toBe(0);
    expect(bm.pendingBytes).toBe(0);
    expect(await conn.table("t").count()).toBe(3);
    await bm.close();
  });

  it("flushes when the estimated size reaches maxBytes", async () => {
    const bm = conn.bufferedMutator("t", { maxBytes: 4000, flushIntervalMs: 0 });
    const big = "x".repeat(1000);
    let n = 0;
    let before = 0;
    while (n < 100) {
      before = bm.pendingBytes;
      await bm.mutate(put(`r${n++}`, big));
      if (bm.pendingMutations === 0) break;
    }
    // Each mutation counts at least its value's 1000 bytes: the fourth one at the latest fills 4000.
    expect(n).toBeGreaterThanOrEqual(2);
    expect(n).toBeLessThanOrEqual(4);
    expect(before).toBeLessThan(4000);
    expect(await conn.table("t").count()).toBe(n);
    await bm.close();
  });

  it("counts string sizes in UTF-8 bytes, and defaults to HBase's 2 MiB write buffer", async () => {
    expect(DEFAULT_MAX_BYTES).toBe(2 * 1024 * 1024);
    const bm = conn.bufferedMutator("t", { flushIntervalMs: 0 });
    await bm.mutate(put("a", "é".repeat(300_000))); // 600,000 bytes
    expect(bm.pendingBytes).toBeGreaterThanOrEqual(600_000);
    await bm.mutate(put("b", "x".repeat(1_000_000)));
    expect(bm.pendingMutations).toBe(2);
    await bm.mutate(put("c", "x".repeat(600_000)));
    expect(bm.pendingMutations).toBe(0);
    expect(await conn.table("t").count()).toBe(3);
    await bm.close();
  });

  it("flushes by itself flushIntervalMs after the first buffered mutation", async () => {
    const bm = conn.bufferedMutator("t", { flushIntervalMs: 20 });
    await bm.mutate(put("a", "1"));
    await bm.mutate(put("b", "2"));
    await vi.waitFor(async () => expect(await value("b")).toBe("2"), { timeout: 5000, interval: 10 });
    expect(await value("a")).toBe("1");
    expect(bm.pendingMutations).toBe(0);
    // The timer restarts for the next buffer.
    await bm.mutate(put("c", "3"));
    await vi.waitFor(async () => expect(await value("c")).toBe("3"), { timeout: 5000, interval: 10 });
    await bm.close();
  });

  it("with flushIntervalMs 0 has no timer: mutations wait for flush or close", async () => {
    const bm = conn.bufferedMutator("t", { flushIntervalMs: 0 });
    await bm.mutate(put("a"));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(bm.pendingMutations).toBe(1);
    expect(await value("a")).toBeUndefined();
    await bm.flush();
    expect(await value("a")).toBe("v");
    await bm.close();
  });

  it("its timer does not keep the process alive (unref)", async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const before = timers();
    const bm = conn.bufferedMutator("t", { flushIntervalMs: 60_000 });
    await bm.mutate(put("a"));
    expect(timers()).toBe(before);
    await bm.close();
    expect(await value("a")).toBe("v");
  });

  it("flush() resolves when everything buffered is written; flushing an empty buffer is fine", async () => {
    const bm = conn.bufferedMutator("t", { flushIntervalMs: 0 });
    await bm.flush();
    await bm.mutate([put("a"), put("b")]);
    await bm.flush();
    expect(await conn.table("t").count()).toBe(2);
    expect(bm.pendingMutations).toBe(0);
    await bm.close();
  });
});

describe("buffered mutator: close", () => {
  it("close() flushes, is idempotent, and later mutate() rejects", async () => {
    const bm = conn.bufferedMutator("t", { flushIntervalMs: 0 });
    await bm.mutate(put("a"));
    expect(bm.closed).toBe(false);
    const closing = bm.close();
    expect(bm.closed).toBe(true);
    expect(bm.close()).toBe(closing);
    await closing;
    expect(await value("a")).toBe("v");
    await expect(bm.mutate(put("b"))).rejects.toThrow("the buffered mutator of table t is closed");
    expect(bm.pendingMutations).toBe(0);
    await bm.flush();
  });

  it("closing the connection flushes its open mutators", async () => {
    const bm = conn.bufferedMutator("t", { flushIntervalMs: 0 });
    await bm.mutate([put("a", "1"), put("b", "2")]);
    await conn.close();
    expect(bm.closed).toBe(true);
    conn = await connect({ path: dir });
    expect(await value("a")).toBe("1");
    expect(await value("b")).toBe("2");
  });
});

describe("buffered mutator: order", () => {
  it("applies put → delete → put of one row in the order given", async () => {
    const bm = conn.bufferedMutator("t", { flushIntervalMs: 0 });
    // Deleting "the latest version" depends on what was written before it: only the given order
    // leaves exactly b@200 (delete first: a@100 stays visible; delete last: b@200 is deleted).
    await bm.mutate([
      put("r", "a", 100),
      { kind: "delete", row: "r", family: "d", qualifier: "q", allVersions: false },
      put("r", "b", 200),
    ]);
    await bm.flush();
    expect(await versions("r")).toEqual(["b@200"]);
    await bm.close();
  });

  it("keeps each row's order in a mixed stream of many rows, and the last of equal puts wins", async () => {
    const bm = conn.bufferedMutator("t", { flushIntervalMs: 0 });
    const stream: Mutation[] = [];
    for (let i = 0; i < 20; i++) stream.push(put(`r${i}`, "a", 100));
    for (let i = 0; i < 20; i++) stream.push({ kind: "delete", row: `r${i}`, family: "d", qualifier: "q", allVersions: false });
    for (let i = 0; i < 20; i++) stream.push(put(`r${i}`, "b", 200), put(`r${i}`, "c", 200));
    await bm.mutate(stream);
    await bm.close();
    for (let i = 0; i < 20; i++) expect(await versions(`r${i}`)).toEqual(["c@200"]);
  });

  it("treats a string row and its UTF-8 bytes as the same row", async () => {
    const bm = conn.bufferedMutator("t", { flushIntervalMs: 0 });
    await bm.mutate([
      put("ü", "a", 100),
      { kind: "delete", row: new TextEncoder().encode("ü"), family: "d", qualifier: "q", allVersions: false },
      put("ü", "b", 200),
    ]);
    await bm.close();
    expect(await versions("ü")).toEqual(["b@200"]);
  });

  it("plans one put batch without deletes, and put/delete waves per row otherwise", () => {
    const puts = [put("a"), put("b"), put("a")];
    expect(planWaves(puts)).toEqual([{ kind: "put", indexes: [0, 1, 2] }]);
    const del = (row: string): Mutation => ({ kind: "delete", row });
    expect(planWaves([put("a"), del("a"), put("b"), put("a"), del("b"), del("b"), put("c")])).toEqual([
      { kind: "put", indexes: [0, 2, 6] },
      { kind: "delete", indexes: [1, 4] },
      { kind: "put", indexes: [3] },
      { kind: "delete", indexes: [5] },
    ]);
    expect(planWaves([])).toEqual([]);
  });
});

describe("buffered mutator: errors", () => {
  it("a put of an unknown family fails alone: flush rejects naming it, onError gets it, other rows are written", async () => {
    const calls: { error: Error; failed: readonly Mutation[] }[] = [];
    const bm = conn.bufferedMutator("t", { flushIntervalMs: 0, onError: (error, failed) => calls.push({ error, failed }) });
    const bad: Mutation = { kind: "put", row: "bad", cells: [{ family: "nope", qualifier: "q", value: "x" }] };
    await bm.mutate([put("a"), bad, put("b")]);
    const error = await bm.flush().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BufferedMutatorError);
    const e = error as BufferedMutatorError;
    expect(e.message).toMatch(/^1 of 3 buffered mutations could not be written to table t: .*no column family "nope"/);
    expect(e.failedMutations).toEqual([bad]);
    expect(e.failures[0]!.error.message).toContain('no column family "nope"');
    expect(e.table).toBe("t");
    expect(calls).toHaveLength(1);
    expect(calls[0]!.error).toBe(e);
    expect(calls[0]!.failed).toEqual([bad]);
    expect(await value("a")).toBe("v");
    expect(await value("b")).toBe("v");
    expect(await value("bad")).toBeUndefined();
    // The failed mutation left the buffer: the next flush succeeds.
    expect(bm.pendingMutations).toBe(0);
    await bm.flush();
    await bm.close();
  });

  it("a mutate that fills the buffer rejects when its flush fails", async () => {
    const bm = conn.bufferedMutator("t", { maxRows: 1, flushIntervalMs: 0 });
    await expect(bm.mutate({ kind: "put", row: "x", cells: [{ family: "zz", qualifier: "q", value: "1" }] })).rejects.toBeInstanceOf(
      BufferedMutatorError,
    );
    await bm.mutate(put("y"));
    expect(await value("y")).toBe("v");
    await bm.close();
  });

  it("without onError, a failed timer flush rejects the next call; with onError, onError gets it", async () => {
    const bad: Mutation = { kind: "put", row: "x", cells: [{ family: "zz", qualifier: "q", value: "1" }] };
    const bm = conn.bufferedMutator("t", { flushIntervalMs: 10 });
    await bm.mutate(bad);
    await vi.waitFor(() => expect(bm.pendingMutations).toBe(0), { timeout: 5000, interval: 5 });
    await expect(bm.flush()).rejects.toThrow(/1 of 1 buffered mutation could not be written to table t/);
    // Reported once.
    await bm.flush();
    await bm.close();

    const failed: Mutation[] = [];
    const listened = conn.bufferedMutator("t", { flushIntervalMs: 10, onError: (_e, ms) => failed.push(...ms) });
    await listened.mutate(bad);
    await vi.waitFor(() => expect(failed).toEqual([bad]), { timeout: 5000, interval: 5 });
    await listened.flush();
    await listened.close();
  });

  it("without onError, a mutate after a failed timer flush rejects with that failure, buffering nothing", async () => {
    const real = conn.table("t");
    let finished = 0;
    const counting = Object.create(real) as Table;
    counting.putMany = (puts: readonly Put[]) => real.putMany(puts).finally(() => finished++);
    const bm = createBufferedMutator(counting, { flushIntervalMs: 10 });
    await bm.mutate({ kind: "put", row: "x", cells: [{ family: "zz", qualifier: "q", value: "1" }] });
    // The batch, then the put alone: both fail.
    await vi.waitFor(() => expect(finished).toBe(2), { timeout: 5000, interval: 5 });
    await new Promise((resolve) => setImmediate(resolve));
    await expect(bm.mutate(put("y"))).rejects.toThrow(/could not be written to table t: .*no column family "zz"/);
    expect(bm.pendingMutations).toBe(0);
    await bm.close();
    expect(await value("y")).toBeUndefined();
  });

  it("a failed flush of a missing table reports every mutation", async () => {
    const bm = conn.bufferedMutator("missing", { flushIntervalMs: 0 });
    await bm.mutate([put("a"), { kind: "delete", row: "a" }]);
    const error = (await bm.close().catch((e: unknown) => e)) as BufferedMutatorError;
    expect(error).toBeInstanceOf(BufferedMutatorError);
    expect(error.failedMutations).toHaveLength(2);
    expect(error.message).toContain("table missing not found");
  });

  it("rejects malformed mutations at once, buffering nothing of the call", async () => {
    const bm = conn.bufferedMutator("t", { flushIntervalMs: 0 });
    const bad = (m: unknown) => bm.mutate(m as Mutation);
    await expect(bad({ kind: "put", cells: [] })).rejects.toThrow("buffered mutator of table t: mutation: the put has no row");
    await expect(bad({ kind: "put", row: "", cells: [{ family: "d", qualifier: "q", value: "v" }] })).rejects.toThrow("the row key must not be empty");
    await expect(bad({ kind: "upsert", row: "a" })).rejects.toThrow('unknown mutation kind string upsert: use "put" or "delete"');
    await expect(bad({ row: "a" })).rejects.toThrow("unknown mutation kind undefined");
    await expect(bad(null)).rejects.toThrow("a mutation is");
    await expect(bad({ kind: "put", row: 5, cells: [] })).rejects.toThrow("the row key must be bytes (Uint8Array) or a string, got number 5");
    await expect(bad({ kind: "put", row: "a", cells: [] })).rejects.toThrow("a put has no cells");
    await expect(bad({ kind: "put", row: "a" })).rejects.toThrow("a put needs cells");
    await expect(bad({ kind: "put", row: "a", cells: [{ family: "d", qualifier: "q" }] })).rejects.toThrow("cell 0 value must be bytes");
    await expect(bad({ kind: "put", row: "a", cells: [{ family: "d", qualifier: "q", value: "v", timestamp: -1 }] })).rejects.toThrow(
      "cell 0 timestamp must be an integer",
    );
    await expect(bad({ kind: "delete", row: "a", qualifier: "q" })).rejects.toThrow("a delete with a qualifier needs its family");
    await expect(bad({ kind: "delete", row: "a".repeat(40_000) })).rejects.toThrow("a row key of 40000 bytes is longer than 32767");
    // One bad mutation in an array: none of the array is buffered.
    await expect(bm.mutate([put("a"), { kind: "put", row: "" } as unknown as Mutation])).rejects.toThrow(
      "buffered mutator of table t: mutation 1: the row key must not be empty",
    );
    expect(bm.pendingMutations).toBe(0);
    expect(bm.pendingBytes).toBe(0);
    await bm.close();
    expect(await conn.table("t").count()).toBe(0);
  });

  it("rejects invalid options, naming the option", () => {
    const make = (options: unknown) => () => conn.bufferedMutator("t", options as Parameters<Connection["bufferedMutator"]>[1]);
    expect(make({ maxRows: 0 })).toThrow("bufferedMutator(t): maxRows must be a positive integer, got 0");
    expect(make({ maxRows: 1.5 })).toThrow("maxRows must be a positive integer");
    expect(make({ maxBytes: -1 })).toThrow("maxBytes must be a positive integer, got -1");
    expect(make({ flushIntervalMs: Number.NaN })).toThrow("flushIntervalMs must be a number of milliseconds from 0");
    expect(make({ flushIntervalMs: -5 })).toThrow("flushIntervalMs must be");
    expect(make({ onError: "log" })).toThrow("onError must be a function");
    expect(make({ maxRow: 5 })).toThrow('unknown option "maxRow"');
    expect(make(42)).toThrow("options must be an object");
    expect(() => conn.bufferedMutator("bad name!")).toThrow('invalid table name "bad name!"');
  });
});

describe("buffered mutator: concurrency and backpressure", () => {
  it("a full buffer makes mutate wait for its flush; flushes never overlap; mutate during a flush fills the next buffer", async () => {
    const gate = gatedTable(conn.table("t"));
    const options: BufferedMutatorOptions = { maxRows: 2, flushIntervalMs: 0 };
    const bm: BufferedMutator = createBufferedMutator(gate.table, options);
    await bm.mutate(put("a"));
    const first = bm.mutate(put("b")); // full: flush 1 starts and is held
    expect(await settled(first)).toBe(false);
    await bm.mutate(put("c")); // next buffer, not full: resolves at once
    expect(bm.pendingMutations).toBe(1);
    const second = bm.mutate(put("d")); // full again: waits for flush 2, queued behind flush 1
    const explicit = bm.flush(); // joins flush 2
    expect(await settled(second)).toBe(false);
    expect(await settled(first)).toBe(false);
    expect(bm.pendingMutations).toBe(2);
    expect(await conn.table("t").count()).toBe(0);
    gate.open();
    await Promise.all([first, second, explicit]);
    expect(gate.maxActive()).toBe(1);
    expect(bm.pendingMutations).toBe(0);
    expect(await conn.table("t").count()).toBe(4);
    await bm.close();
  });

  it("a producer awaiting mutate never holds more than one full buffer", async () => {
    const bm = conn.bufferedMutator("t", { maxRows: 50, flushIntervalMs: 0 });
    let most = 0;
    for (let i = 0; i < 1000; i++) {
      await bm.mutate(put(`r${String(i).padStart(4, "0")}`, String(i)));
      most = Math.max(most, bm.pendingMutations);
    }
    expect(most).toBeLessThan(50);
    await bm.close();
    expect(await conn.table("t").count()).toBe(1000);
    expect(await value("r0999")).toBe("999");
  });

  it("concurrent producers without awaiting each mutate lose nothing", async () => {
    const bm = conn.bufferedMutator("t", { maxRows: 7, flushIntervalMs: 5 });
    await Promise.all(Array.from({ length: 200 }, (_v, i) => bm.mutate(put(`k${i}`, String(i)))));
    await bm.close();
    expect(await conn.table("t").count()).toBe(200);
  });
});
