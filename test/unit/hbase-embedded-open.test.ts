import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connect, defaultDataDirectory } from "../../src/hbase/connect.js";
import { tempDir, text } from "./hbase-embedded-support.js";

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => {
  ({ dir, remove } = await tempDir());
});
afterEach(async () => {
  await remove();
});

describe("embedded store: opening", () => {
  it("keeps data and catalog across close and reopen", async () => {
    const first = await connect({ path: dir });
    await first.admin.createTable("ns:t", { families: [{ name: "d", maxVersions: 2, ttlMs: 86_400_000 }], splitKeys: ["k"] });
    await first.table("ns:t").put({ row: "r", timestamp: Date.now() - 1, cells: [{ family: "d", qualifier: "q", value: "v1" }] });
    await first.table("ns:t").put({ row: "r", cells: [{ family: "d", qualifier: "q", value: "v2" }] });
    await first.table("ns:t").delete({ row: "gone" });
    await first.admin.createTable("dropped", { families: ["d"] });
    await first.admin.deleteTable("dropped");
    const handle = first.table("ns:t");
    await first.close();
    await expect(handle.get("r")).rejects.toThrow("is closed");
    expect(() => first.table("ns:t")).toThrow("is closed");

    const second = await connect({ path: dir });
    try {
      const described = await second.admin.describeTable("ns:t");
      expect(described.families).toEqual([{ name: "d", maxVersions: 2, minVersions: 0, ttlMs: 86_400_000 }]);
      expect(described.regions.map((r) => [text(r.startKey), text(r.endKey)])).toEqual([["", "k"], ["k", ""]]);
      expect(await second.admin.listTables()).toEqual([{ namespace: "ns", name: "t" }]);
      const row = await second.table("ns:t").get("r", { maxVersions: 5 });
      expect(row!.cells.map((c) => text(c.value))).toEqual(["v2", "v1"]);
      // Table ids are not reused: a new table does not see the dropped table's cells.
      await second.admin.createTable("fresh", { families: ["d"] });
      expect(await second.table("fresh").count()).toBe(0);
    } finally {
      await second.close();
    }
  });

  it("refuses a directory another process holds, with a clear error", async () => {
    const require = createRequire(import.meta.url);
    const classicLevel = require.resolve("classic-level");
    const script = `
      const { ClassicLevel } = require(${JSON.stringify(classicLevel)});
      const db = new ClassicLevel(${JSON.stringify(dir)});
      db.open().then(() => { process.stdout.write("ready\\n"); process.stdin.resume(); process.stdin.on("end", () => db.close().then(() => process.exit(0))); });
    `;
    const child = spawn(process.execPath, ["-e", script], { stdio: ["pipe", "pipe", "inherit"] });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", (d: Buffer) => {
          if (d.toString().includes("ready")) resolve();
        });
        child.on("exit", (code) => reject(new Error(`child exited early (${code})`)));
      });
      await expect(connect({ path: dir })).rejects.toThrow(`the HBase data directory ${path.resolve(dir)} is in use by another process`);
    } finally {
      child.stdin.end();
      await new Promise((resolve) => child.on("exit", resolve));
    }
    // Once the other process is gone, the directory opens.
    const conn = await connect({ path: dir });
    await conn.close();
  });

  it("names an unreachable ZooKeeper, and defaults to ./.sluice/hbase", async () => {
    await expect(connect({ zookeeper: "127.0.0.1:1", connectTimeoutMs: 1000 })).rejects.toThrow("cannot reach ZooKeeper at 127.0.0.1:1");
    expect(defaultDataDirectory()).toBe(path.join(process.cwd(), ".sluice", "hbase"));
    await expect(connect({ path: "" })).rejects.toThrow("path must be a non-empty string");
  });
});
