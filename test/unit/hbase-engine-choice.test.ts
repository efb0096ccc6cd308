/**
 * Which storage engine a data directory opens with (open-storage-engine.ts): LMDB for a new one by
 * default, `engine` for a new one when given, an existing one with the engine that made it (told by
 * its files); asking for the other engine is an error naming both, and changes nothing. Also the
 * `--engine` flag of `sluice hbase-local`, and a scan's snapshot on each engine while a putMany lands.
 */
import { access, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseHBaseLocalArgs } from "../../src/cli/hbase-local-args.js";
import { detectStorageEngine } from "../../src/hbase/backends/embedded/open-storage-engine.js";
import { connect } from "../../src/hbase/connect.js";
import type { Connection } from "../../src/hbase/table.js";
import { tempDir, text } from "./hbase-embedded-support.js";

let dir: string;
let remove: () => Promise<void>;
const open: Connection[] = [];
beforeEach(async () => {
  ({ dir, remove } = await tempDir());
});
afterEach(async () => {
  for (const c of open.splice(0)) await c.close().catch(() => undefined);
  await remove();
});

const exists = (file: string) => access(file).then(() => true, () => false);
async function opened(options: Parameters<typeof connect>[0]): Promise<Connection> {
  const c = await connect(options);
  open.push(c);
  return c;
}

async function writeRow(c: Connection, value: string): Promise<void> {
  if (!(await c.admin.tableExists("t"))) await c.admin.createTable("t", { families: ["d"] });
  await c.table("t").put({ row: "r", cells: [{ family: "d", qualifier: "q", value }] });
}

describe("storage engine of a data directory", () => {
  it("a new directory gets LMDB by default and keeps it", async () => {
    const c = await opened({ path: dir });
    await writeRow(c, "lmdb");
    await c.close();
    expect(await exists(path.join(dir, "data.mdb"))).toBe(true);
    expect(await exists(path.join(dir, "CURRENT"))).toBe(false);
    expect(await detectStorageEngine(dir)).toBe("lmdb");
    const again = await opened({ path: dir, engine: "lmdb" });
    expect(text((await again.table("t").get("r"))!.cells[0]!.value)).toBe("lmdb");
  });

  it("engine: leveldb makes a LevelDB directory, which then opens without naming the engine", async () => {
    const c = await opened({ path: dir, engine: "leveldb" });
    await writeRow(c, "leveldb");
    await c.close();
    expect(await exists(path.join(dir, "CURRENT"))).toBe(true);
    expect(await exists(path.join(dir, "data.mdb"))).toBe(false);
    expect(await detectStorageEngine(dir)).toBe("leveldb");
    const again = await opened({ path: dir });
    expect(text((await again.table("t").get("r"))!.cells[0]!.value)).toBe("leveldb");
  });

  it.each([
    ["leveldb", "lmdb", "LevelDB", "CURRENT"],
    ["lmdb", "leveldb", "LMDB", "data.mdb"],
  ] as const)("a %s directory asked for as %s: an error naming both, and nothing changes", async (made, asked, name, marker) => {
    const c = await opened({ path: dir, engine: made });
    await writeRow(c, made);
    await c.close();
    const message = `the HBase data directory ${dir} holds a ${name} store (engine "${made}", ${marker}), but engine "${asked}" was asked for`;
    await expect(connect({ path: dir, engine: asked })).rejects.toThrow(message);
    // Nothing of the other engine was created; the data opens as before.
    expect(await exists(path.join(dir, made === "lmdb" ? "CURRENT" : "data.mdb"))).toBe(false);
    const again = await opened({ path: dir, engine: made });
    expect(text((await again.table("t").get("r"))!.cells[0]!.value)).toBe(made);
  });

  it("refuses a directory holding both engines' files, a bad engine, and an engine with zookeeper", async () => {
    await writeFile(path.join(dir, "CURRENT"), "MANIFEST-000001\n");
    await writeFile(path.join(dir, "data.mdb"), "");
    await expect(connect({ path: dir })).rejects.toThrow(`the HBase data directory ${dir} holds both an LMDB store (data.mdb) and a LevelDB store (CURRENT)`);
    await expect(connect({ path: dir, engine: "rocksdb" as "lmdb" })).rejects.toThrow(`connect: engine must be "lmdb" or "leveldb", got "rocksdb"`);
    await expect(connect({ path: dir, engine: 1 as unknown as "lmdb" })).rejects.toThrow(`connect: engine must be "lmdb" or "leveldb", got 1`);
    await expect(connect({ zookeeper: "127.0.0.1:1", engine: "lmdb" })).rejects.toThrow("engine is an option of the embedded store");
  });

  it("a data directory whose name has a dot holds LMDB's files inside it", async () => {
    const dotted = path.join(dir, "store.v1");
    await mkdir(dotted);
    const c = await opened({ path: dotted });
    await writeRow(c, "dotted");
    expect(await exists(path.join(dotted, "data.mdb"))).toBe(true);
  });
});

describe("sluice hbase-local --engine", () => {
  it("takes lmdb or leveldb, leaves it out by default, refuses anything else", () => {
    expect(parseHBaseLocalArgs(["--zookeeper", "h:1"]).engine).toBeUndefined();
    expect(parseHBaseLocalArgs(["--zookeeper", "h:1", "--engine", "leveldb"]).engine).toBe("leveldb");
    expect(parseHBaseLocalArgs(["--zookeeper", "h:1", "--engine", "lmdb"]).engine).toBe("lmdb");
    expect(() => parseHBaseLocalArgs(["--zookeeper", "h:1", "--engine", "rocks"])).toThrow('hbase-local: --engine must be lmdb or leveldb, got "rocks"');
  });
});

describe.each(["lmdb", "leveldb"] as const)("a scan's snapshot on %s", (engine) => {
  it("a scan read in many batches sees the table as it was when it started, while a putMany rewrites and deletes rows", async () => {
    const c = await opened({ path: dir, engine });
    await c.admin.createTable("t", { families: ["d"], splitKeys: ["r0500"] });
    const t = c.table("t");
    const row = (i: number) => `r${String(i).padStart(4, "0")}`;
    await t.putMany(Array.from({ length: 1000 }, (_, i) => ({ row: row(i), cells: [{ family: "d", qualifier: "q", value: "old" }] })));
    const scan = t.scan({ batchSize: 10 })[Symbol.asyncIterator]();
    const seen: string[] = [];
    for (let i = 0; i < 15; i++) {
      const step = await scan.next();
      seen.push(`${text(step.value!.row)}=${text(step.value!.cells[0]!.value)}`);
    }
    // Every row rewritten, new rows among them, a third deleted: in one atomic batch each.
    await t.putMany(Array.from({ length: 1200 }, (_, i) => ({ row: i < 1000 ? row(i) : `r${i}x`, cells: [{ family: "d", qualifier: "q", value: "new" }] })));
    for (let i = 0; i < 1000; i += 3) await t.delete({ row: row(i) });
    for (let step = await scan.next(); step.done !== true; step = await scan.next()) {
      seen.push(`${text(step.value.row)}=${text(step.value.cells[0]!.value)}`);
    }
    expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => `${row(i)}=old`));
    // A scan started now sees the changes.
    let now = 0;
    let fresh = 0;
    for await (const r of t.scan()) {
      now++;
      if (text(r.cells[0]!.value) === "new") fresh++;
    }
    expect(now).toBe(1200 - 334);
    expect(fresh).toBe(now);
  });
});
