/**
 * Many concurrent async readers and writers in one process on a real embedded store (classic-level on a
 * temp dir), then invariants: scans see only whole putMany batches, no increment is lost, a lock built
 * on checkAndMutate is exclusive, deletes racing with other writers of the same row take effect exactly.
 * Work is counted in operations, not time; the interleaving comes from the event loop.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connect } from "../../src/hbase/connect.js";
import type { Result } from "../../src/hbase/result.js";
import type { Connection, ScanOptions, Table } from "../../src/hbase/table.js";
import { tempDir, text } from "./hbase-embedded-support.js";
import { seededRandom } from "../support/seeded-random.mjs";

let conn: Connection;
let remove: () => Promise<void>;

beforeEach(async () => {
  const temp = await tempDir();
  remove = temp.remove;
  conn = await connect({ path: temp.dir });
});
afterEach(async () => {
  await conn.close();
  await remove();
});

const cellsOf = (r: Result) => new Map(r.cells.map((c) => [`${text(c.family)}:${text(c.qualifier)}`, text(c.value)]));
const int64 = (bytes: Uint8Array | undefined) => (bytes === undefined ? 0n : new DataView(bytes.buffer, bytes.byteOffset, 8).getBigInt64(0));


/**
 * Batches of rows b/<i>/<batch> (crossing the split keys b/3 and b/6 when the table has them), each row
 * naming its batch and the batch size. Returns the batch ids with their sizes.
 */
async function writeBatches(t: Table, writer: number, count: number, rand: () => number, sizes: Map<string, number>): Promise<void> {
  for (let n = 0; n < count; n++) {
    const id = `w${writer}n${n}`;
    const size = 3 + Math.floor(rand() * 7);
    sizes.set(id, size);
    await t.putMany(
      Array.from({ length: size }, (_, i) => ({
        row: `b/${i}/${id}`,
        cells: [
          { family: "d", qualifier: "batch", value: id },
          { family: "d", qualifier: "size", value: String(size) },
        ],
      })),
    );
  }
}

/**
 * The partial batches a scan saw: a batch is whole when all its rows inside the scan's range are there
 * (`inRange(i)`: whether row b/<i>/... is inside it; default all).
 */
async function partialBatches(t: Table, options: ScanOptions, inRange: (i: number) => boolean = () => true): Promise<string[]> {
  const seen = new Map<string, { size: number; rows: number }>();
  for await (const r of t.scan(options)) {
    const cells = cellsOf(r);
    const id = cells.get("d:batch")!;
    const entry = seen.get(id) ?? { size: Number(cells.get("d:size")), rows: 0 };
    entry.rows++;
    seen.set(id, entry);
  }
  const problems: string[] = [];
  for (const [id, { size, rows }] of seen) {
    const wanted = Array.from({ length: size }, (_, i) => i).filter(inRange).length;
    if (rows !== wanted) problems.push(`${id}: ${rows} of its ${wanted} rows in range (scan ${JSON.stringify(options)})`);
  }
  return problems;
}

async function scansSeeWholeBatches(splitKeys: string[]): Promise<void> {
  await conn.admin.createTable("c", { families: ["d"], splitKeys });
  const t = conn.table("c");
  const sizes = new Map<string, number>();
  let writing = true;
  const writers = Array.from({ length: 4 }, (_, w) => writeBatches(t, w, 40, seededRandom(w + 1), sizes));
  const problems: string[] = [];
  let scans = 0;
  const scanShapes: [ScanOptions, (i: number) => boolean][] = [
    [{ prefix: "b/", batchSize: 2 }, () => true],
    [{ reversed: true, batchSize: 3 }, () => true],
    [{ startRow: "b/1", stopRow: "b/8", batchSize: 5 }, (i) => i >= 1 && i < 8],
    // Reversed: rows below "b/7" (so not b/7/...) down to above "b/2" (so b/2/... is in).
    [{ startRow: "b/7", stopRow: "b/2", reversed: true, batchSize: 4 }, (i) => i >= 2 && i < 7],
    [{}, () => true],
  ];
  const readers = scanShapes.map(async ([options, inRange]) => {
    while (writing) {
      problems.push(...(await partialBatches(t, options, inRange)));
      scans++;
    }
  });
  await Promise.all(writers);
  writing = false;
  await Promise.all(readers);
  expect(problems).toEqual([]);
  expect(scans).toBeGreaterThan(4);
  expect(await partialBatches(t, {})).toEqual([]);
  expect(await t.count()).toBe([...sizes.values()].reduce((a, b) => a + b, 0));
}

describe("embedded store: concurrent readers and writers in one process", () => {
  it("scans running during putMany batches see each batch whole or not at all (one region)", async () => {
    await scansSeeWholeBatches([]);
  });

  it("scans running during putMany batches see each batch whole or not at all (batches crossing three regions)", async () => {
    await scansSeeWholeBatches(["b/3", "b/6"]);
  });

  it("loses no increment of shared counters, while deletes and puts of the same rows run", async () => {
    await conn.admin.createTable("c", { families: ["d"] });
    const t = conn.table("c");
    const COUNTERS = 3;
    const expected = Array.from({ length: COUNTERS }, () => 0n);
    const returned: bigint[][] = Array.from({ length: COUNTERS }, () => []);
    let writing = true;
    const incrementers = Array.from({ length: 8 }, async (_, w) => {
      const rand = seededRandom(100 + w);
      for (let n = 0; n < 60; n++) {
        const counter = Math.floor(rand() * COUNTERS);
        const amount = BigInt(1 + Math.floor(rand() * 3));
        expected[counter]! += amount;
        returned[counter]!.push(await t.increment(`i/${counter}`, "d", "n", amount));
      }
    });
    // Other writers of the counter rows: puts and deletes of other columns must not disturb "n".
    const others = Array.from({ length: 2 }, async (_, w) => {
      for (let n = 0; n < 60; n++) {
        const row = `i/${n % COUNTERS}`;
        await t.put({ row, cells: [{ family: "d", qualifier: `tmp${w}`, value: String(n) }] });
        await t.delete({ row, family: "d", qualifier: `tmp${w}` });
      }
    });
    // Readers: a counter never goes down, in gets, getMany and scans.
    const regressions: string[] = [];
    const readers = Array.from({ length: 3 }, async (_, r) => {
      const last = Array.from({ length: COUNTERS }, () => 0n);
      const note = (counter: number, value: bigint) => {
        if (value < last[counter]!) regressions.push(`reader ${r}: counter ${counter} went from ${last[counter]} to ${value}`);
        last[counter] = value;
      };
      while (writing) {
        const rows = await t.getMany(Array.from({ length: COUNTERS }, (_, c) => `i/${c}`), { columns: ["d:n"] });
        rows.forEach((row, c) => note(c, int64(row?.cells[0]?.value)));
        for await (const row of t.scan({ prefix: "i/", columns: ["d:n"], batchSize: 1 })) note(Number(text(row.row).slice(2)), int64(row.cells[0]!.value));
      }
    });
    await Promise.all([...incrementers, ...others]);
    writing = false;
    await Promise.all(readers);

    expect(regressions).toEqual([]);
    for (let c = 0; c < COUNTERS; c++) {
      const row = await t.get(`i/${c}`);
      expect(row?.cells.map((cell) => `${text(cell.family)}:${text(cell.qualifier)}`)).toEqual(["d:n"]);
      expect(int64(row!.cells[0]!.value)).toBe(expected[c]);
      // Serialised read-modify-write: every increment returned a different running total.
      expect(new Set(returned[c]).size).toBe(returned[c]!.length);
    }
  });

  it("a lock built on checkAndMutate admits one holder at a time", async () => {
    await conn.admin.createTable("c", { families: ["l", "d"] });
    const t = conn.table("c");
    // "free" rather than a deleted column: a delete marker at time T would also hide a put at the same T.
    await t.put({ row: "lock", cells: [{ family: "l", qualifier: "owner", value: "free" }] });
    await t.put({ row: "guarded", cells: [{ family: "d", qualifier: "n", value: "0" }] });
    const ownerIs = (value: string) => ({ family: "l", qualifier: "owner", op: "equal" as const, value });
    const setOwner = (value: string) => [{ kind: "put" as const, row: "lock", cells: [{ family: "l", qualifier: "owner", value }] }];
    let holder: string | undefined;
    const overlaps: string[] = [];
    let acquisitions = 0;
    let refusals = 0;
    const workers = Array.from({ length: 10 }, async (_, w) => {
      const me = `worker${w}`;
      for (let done = 0; done < 8; ) {
        if (!(await t.checkAndMutate("lock", ownerIs("free"), setOwner(me)))) {
          refusals++;
          continue;
        }
        acquisitions++;
        if (holder !== undefined) overlaps.push(`${me} acquired while ${holder} held the lock`);
        holder = me;
        // A non-atomic read-modify-write, safe only under the lock; other workers run meanwhile.
        const n = Number(text((await t.get("guarded"))!.cells[0]!.value));
        await t.put({ row: "guarded", cells: [{ family: "d", qualifier: "n", value: String(n + 1) }] });
        if (holder !== me) overlaps.push(`${holder} took the lock from ${me}`);
        holder = undefined;
        expect(await t.checkAndMutate("lock", ownerIs(me), setOwner("free"))).toBe(true);
        done++;
      }
    });
    await Promise.all(workers);
    expect(overlaps).toEqual([]);
    expect(acquisitions).toBe(80);
    // The workers did contend (otherwise exclusivity was never tested).
    expect(refusals).toBeGreaterThan(0);
    expect(text((await t.get("guarded"))!.cells[0]!.value)).toBe("80");
    expect(text((await t.get("lock"))!.cells[0]!.value)).toBe("free");
  });

  it("deletes racing with puts of other rows and with scans remove exactly what they name", async () => {
    await conn.admin.createTable("c", { families: ["d"], splitKeys: ["x/5"] });
    const t = conn.table("c");
    const ROWS = 100;
    await t.putMany(Array.from({ length: ROWS }, (_, i) => ({ row: `x/${i}`, cells: [{ family: "d", qualifier: "q", value: "v" }, { family: "d", qualifier: "keep", value: "k" }] })));
    const deleted = new Set<number>();
    const columnDeleted = new Set<number>();
    let writing = true;
    const deleters = Array.from({ length: 4 }, async (_, w) => {
      for (let i = w; i < ROWS; i += 4) {
        if (i % 3 === 0) {
          await t.delete({ row: `x/${i}` });
          deleted.add(i);
        } else if (i % 3 === 1) {
          await t.delete({ row: `x/${i}`, family: "d", qualifier: "q" });
          columnDeleted.add(i);
        }
      }
    });
    const putters = Array.from({ length: 2 }, async (_, w) => {
      for (let n = 0; n < 50; n++) await t.put({ row: `y/${w}/${n}`, cells: [{ family: "d", qualifier: "q", value: "v" }] });
    });
    const problems: string[] = [];
    const reader = (async () => {
      while (writing) {
        for await (const r of t.scan({ prefix: "x/", batchSize: 7 })) {
          // A row is never seen half-deleted: "keep" is there whenever the row is.
          if (!cellsOf(r).has("d:keep")) problems.push(`row ${text(r.row)} seen without d:keep`);
        }
      }
    })();
    await Promise.all([...deleters, ...putters]);
    writing = false;
    await reader;
    expect(problems).toEqual([]);
    for (let i = 0; i < ROWS; i++) {
      const row = await t.get(`x/${i}`);
      const columns = row === undefined ? [] : [...cellsOf(row).keys()];
      const want = deleted.has(i) ? [] : columnDeleted.has(i) ? ["d:keep"] : ["d:keep", "d:q"];
      expect(columns, `row x/${i}`).toEqual(want);
    }
    expect(await t.count({ prefix: "y/" })).toBe(100);
  });

  it("close() while writes and scans are in flight: each write either completes (and survives reopening) or fails saying the connection is closed", async () => {
    const temp = await tempDir();
    try {
      const c = await connect({ path: temp.dir });
      await c.admin.createTable("c", { families: ["d"] });
      const t = c.table("c");
      await t.putMany(Array.from({ length: 300 }, (_, i) => ({ row: `s/${String(i).padStart(3, "0")}`, cells: [{ family: "d", qualifier: "q", value: "v" }] })));
      const outcomes: Promise<string>[] = [];
      const settle = (p: Promise<unknown>, label: string) =>
        p.then(
          () => `ok ${label}`,
          (error: Error) => (/is closed/.test(error.message) ? `closed ${label}` : `error ${label}: ${error.message}`),
        );
      for (let i = 0; i < 200; i++) {
        outcomes.push(settle(t.put({ row: `w/${i}`, cells: [{ family: "d", qualifier: "q", value: "v" }] }), `put w/${i}`));
        if (i % 20 === 0) outcomes.push(settle(t.increment("n", "d", "n"), `increment ${i}`));
        if (i % 50 === 0) {
          outcomes.push(
            settle(
              (async () => {
                for await (const _row of t.scan({ batchSize: 5 })) await Promise.resolve();
              })(),
              `scan ${i}`,
            ),
          );
        }
        if (i === 100) outcomes.push(settle(c.close(), "close"));
      }
      const results = await Promise.all(outcomes);
      expect(results.filter((r) => r.startsWith("error"))).toEqual([]);
      expect(results).toContain("ok close");
      const written = results.filter((r) => r.startsWith("ok put")).map((r) => r.slice("ok put ".length));
      const increments = results.filter((r) => r.startsWith("ok increment")).length;
      const again = await connect({ path: temp.dir });
      try {
        const rows: string[] = [];
        for await (const r of again.table("c").scan({ prefix: "w/" })) rows.push(text(r.row));
        expect(rows.sort()).toEqual(written.sort());
        const counter = await again.table("c").get("n");
        expect(int64(counter?.cells[0]?.value)).toBe(BigInt(increments));
      } finally {
        await again.close();
      }
    } finally {
      await temp.remove();
    }
  });
});
