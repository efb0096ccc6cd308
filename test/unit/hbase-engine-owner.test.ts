/**
 * One owner per LMDB data directory (owner-lock.ts): another process is refused with LevelDB's
 * message, the directory opens at once after its owner was SIGKILLed, a second open in the same
 * process is refused, close releases; stale and foreign lock files; two processes taking over one
 * stale lock at once (exactly one wins). Child processes run the built package (dist/).
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { access, readFile, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OWNER_LOCK_FILE, OwnerLock } from "../../src/hbase/backends/embedded/owner-lock.js";
import { connect } from "../../src/hbase/connect.js";
import { tempDir, text } from "./hbase-embedded-support.js";

const DIST = path.resolve(import.meta.dirname, "../../dist");
const connectUrl = pathToFileURL(path.join(DIST, "hbase/connect.js")).href;
const ownerLockUrl = pathToFileURL(path.join(DIST, "hbase/backends/embedded/owner-lock.js")).href;

let dir: string;
let remove: () => Promise<void>;
const children = new Set<ChildProcessWithoutNullStreams>();
beforeEach(async () => {
  ({ dir, remove } = await tempDir());
});
afterEach(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await Promise.all([...children].map((c) => (c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once("exit", r)))));
  children.clear();
  await remove();
});

const inUse = () => `the HBase data directory ${path.resolve(dir)} is in use by another process`;
const exists = (file: string) => access(file).then(() => true, () => false);

/** A child process running `script` (an ES module); resolves once it printed `marker`. */
async function child(script: string, marker: string): Promise<{ process: ChildProcessWithoutNullStreams; output: () => string; exited: Promise<number | null> }> {
  const proc = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["pipe", "pipe", "pipe"] });
  children.add(proc);
  let out = "";
  proc.stdout.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (out.includes(marker)) resolve();
    };
    proc.stdout.on("data", check);
    proc.stderr.on("data", check);
    void exited.then((code) => (out.includes(marker) ? resolve() : reject(new Error(`child exited (${code}) before "${marker}": ${out}`))));
  });
  return { process: proc, output: () => out, exited };
}

/** A child holding the store open (LMDB) after writing a row; it closes cleanly when its stdin ends. */
function holder(): Promise<Awaited<ReturnType<typeof child>>> {
  return child(
    `
    const { connect } = await import(${JSON.stringify(connectUrl)});
    const conn = await connect({ path: ${JSON.stringify(dir)}, engine: "lmdb" });
    if (!(await conn.admin.tableExists("t"))) await conn.admin.createTable("t", { families: ["d"] });
    await conn.table("t").put({ row: "r" + process.pid, cells: [{ family: "d", qualifier: "q", value: "from " + process.pid }] });
    process.stdout.write("ready\\n");
    process.stdin.resume();
    process.stdin.on("end", () => conn.close().then(() => process.exit(0)));
    `,
    "ready",
  );
}

describe("LMDB data directory: one owner", () => {
  it("refuses a second process with LevelDB's message; opens at once after the owner was SIGKILLed", async () => {
    const first = await holder();
    await expect(connect({ path: dir })).rejects.toThrow(inUse());
    await expect(connect({ path: dir, engine: "lmdb" })).rejects.toThrow(inUse());
    first.process.kill("SIGKILL");
    await first.exited;
    // The lock file of the killed owner is still there: stale, taken over at once.
    expect(await exists(path.join(dir, OWNER_LOCK_FILE))).toBe(true);
    const conn = await connect({ path: dir });
    try {
      const rows = [];
      for await (const row of conn.table("t").scan()) rows.push(text(row.cells[0]!.value));
      expect(rows).toEqual([`from ${first.process.pid}`]);
      // And the killed owner's successor is itself the owner now.
      await expect(
        child(`const { connect } = await import(${JSON.stringify(connectUrl)}); await connect({ path: ${JSON.stringify(dir)} }).then(() => console.log("opened"), (e) => console.log("refused: " + e.message));`, "\n"),
      ).resolves.toBeDefined();
    } finally {
      await conn.close();
    }
    const again = await holder();
    again.process.stdin.end();
    expect(await again.exited).toBe(0);
    expect(await exists(path.join(dir, OWNER_LOCK_FILE))).toBe(false);
  });

  it("a second process reports the refusal in its own words and the owner keeps working", async () => {
    const first = await holder();
    const second = await child(
      `const { connect } = await import(${JSON.stringify(connectUrl)}); await connect({ path: ${JSON.stringify(dir)} }).then(() => console.log("opened"), (e) => console.log("refused: " + e.message));`,
      "\n",
    );
    await second.exited;
    expect(second.output()).toContain(`refused: ${inUse()}`);
    first.process.stdin.end();
    expect(await first.exited).toBe(0);
  });

  it("refuses a second open in the same process, and close releases the directory", async () => {
    const conn = await connect({ path: dir });
    await expect(connect({ path: dir })).rejects.toThrow(inUse());
    await expect(connect({ path: path.join(dir, ".", "") })).rejects.toThrow("is in use by another process");
    await conn.admin.createTable("t", { families: ["d"] });
    await conn.close();
    expect(await exists(path.join(dir, OWNER_LOCK_FILE))).toBe(false);
    const reopened = await connect({ path: dir });
    expect(await reopened.admin.tableExists("t")).toBe(true);
    await reopened.close();
  });

  it("takes over the lock of a dead process and of a reused pid; keeps one of a live process or another host; names an unreadable one", async () => {
    const file = path.join(dir, OWNER_LOCK_FILE);
    // A process that has exited: its pid is free (or another process's, with another start time).
    const gone = await child(`console.log("bye")`, "bye");
    await gone.exited;
    await writeFile(file, JSON.stringify({ pid: gone.process.pid, hostname: hostname(), start: "1", token: "dead" }));
    let lock = await OwnerLock.acquire(dir);
    expect(JSON.parse(await readFile(file, "utf8"))).toMatchObject({ pid: process.pid, hostname: hostname() });
    await lock.release();
    // This very pid, but not a lock this process holds (a predecessor with the same pid).
    await writeFile(file, JSON.stringify({ pid: process.pid, hostname: hostname(), start: null, token: "old" }));
    lock = await OwnerLock.acquire(dir);
    await lock.release();
    // A live process (pid and start time match) holds it.
    const live = await child(`console.log("up"); process.stdin.resume();`, "up");
    const stat = (await readFile(`/proc/${live.process.pid}/stat`, "utf8").catch(() => undefined))?.split(") ")[1]?.split(" ")[19] ?? null;
    await writeFile(file, JSON.stringify({ pid: live.process.pid, hostname: hostname(), start: stat, token: "live" }));
    await expect(OwnerLock.acquire(dir)).rejects.toThrow(inUse());
    await expect(connect({ path: dir })).rejects.toThrow(inUse());
    // The same pid with another start time: the pid was reused, the lock is stale.
    if (stat !== null) {
      await writeFile(file, JSON.stringify({ pid: live.process.pid, hostname: hostname(), start: "12345", token: "reused" }));
      lock = await OwnerLock.acquire(dir);
      await lock.release();
    }
    // Another host: cannot be checked from here, so it counts as in use.
    await writeFile(file, JSON.stringify({ pid: 1, hostname: `not-${hostname()}`, start: null, token: "far" }));
    await expect(connect({ path: dir })).rejects.toThrow(inUse());
    // Not a lock written by Sluice: named, left alone.
    await writeFile(file, "garbage");
    await expect(connect({ path: dir })).rejects.toThrow(`unreadable owner lock file ${file}`);
    expect(await readFile(file, "utf8")).toBe("garbage");
    // Nothing of a store was created by the refused opens.
    expect(await exists(path.join(dir, "data.mdb"))).toBe(false);
  });

  it("two processes taking over one stale lock at once: exactly one wins", async () => {
    const file = path.join(dir, OWNER_LOCK_FILE);
    for (let round = 0; round < 3; round++) {
      const gone = await child(`console.log("bye")`, "bye");
      await gone.exited;
      await writeFile(file, JSON.stringify({ pid: gone.process.pid, hostname: hostname(), start: null, token: `stale-${round}` }));
      const script = `
        const { OwnerLock } = await import(${JSON.stringify(ownerLockUrl)});
        process.stdout.write("armed\\n");
        process.stdin.once("data", async () => {
          try { const lock = await OwnerLock.acquire(${JSON.stringify(dir)}); process.stdout.write("won\\n"); process.stdin.once("end", () => lock.release().then(() => process.exit(0))); }
          catch (e) { process.stdout.write("lost: " + e.message + "\\n"); process.exit(0); }
        });
      `;
      const racers = await Promise.all([child(script, "armed"), child(script, "armed")]);
      for (const r of racers) r.process.stdin.write("go\n");
      await Promise.all(racers.map((r) => new Promise<void>((resolve) => {
        const check = () => (/won|lost/.test(r.output()) ? resolve() : setTimeout(check, 20));
        check();
      })));
      const outcomes = racers.map((r) => (r.output().includes("won") ? "won" : r.output().includes(inUse()) ? "lost" : r.output()));
      expect(outcomes.sort(), `round ${round}`).toEqual(["lost", "won"]);
      for (const r of racers) r.process.stdin.end();
      await Promise.all(racers.map((r) => r.exited));
      expect(await exists(file)).toBe(false);
    }
  });
});
