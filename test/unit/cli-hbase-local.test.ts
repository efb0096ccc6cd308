/**
 * `sluice hbase-local`: its flags (parsed in-process), and the built command as a child process against
 * a real Apache ZooKeeper — it serves hbase-rpc-client, and SIGTERM closes its ZooKeeper session (the
 * znodes go), the server and the store, exiting 0; bad flags exit 2 with a message; a store in use
 * exits 1.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import type net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseHBaseLocalArgs, parseTableFlag, HBaseLocalUsageError } from "../../src/cli/hbase-local-args.js";
import { connect } from "../../src/hbase/connect.js";
import { connectZooKeeper } from "../../src/hbase/discovery/index.js";
import { startZooKeeper, type ZooKeeperServer } from "../support/zookeeper.mjs";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const require = createRequire(import.meta.url);

describe("hbase-local flags", () => {
  it("parse with defaults", () => {
    const o = parseHBaseLocalArgs(["--zookeeper", "127.0.0.1:2181"], "/work");
    expect(o).toEqual({ zookeeper: "127.0.0.1:2181", root: "/hbase", data: "/work/.sluice/hbase", host: "127.0.0.1", port: 0, compat: 2, tables: [] });
    const full = parseHBaseLocalArgs(
      ["--zookeeper", "a:1,b:2", "--root", "/x", "--data", "d", "--port", "16020", "--compat", "1", "--table", "t:d,e:m,s", "--table", "ns:u:f:", "--table", "v:f"],
      "/work",
    );
    expect(full).toMatchObject({ zookeeper: "a:1,b:2", root: "/x", data: "/work/d", port: 16020, compat: 1 });
    expect(full.tables).toEqual([
      { table: "t", families: ["d", "e"], splitKeys: ["m", "s"] },
      { table: "ns:u", families: ["f"], splitKeys: [] },
      { table: "v", families: ["f"], splitKeys: [] },
    ]);
  });

  it("reject bad flags naming the problem", () => {
    const bad = (args: string[], message: RegExp) => {
      expect(() => parseHBaseLocalArgs(args)).toThrow(HBaseLocalUsageError);
      expect(() => parseHBaseLocalArgs(args)).toThrow(message);
    };
    bad([], /missing --zookeeper HOST:PORT/);
    bad(["--zookeeper", "localhost"], /--zookeeper must be HOST:PORT/);
    bad(["--zookeeper", "h:1", "--compat", "3"], /--compat must be 1 or 2, got "3"/);
    bad(["--zookeeper", "h:1", "--port", "70000"], /--port must be an integer from 0 to 65535/);
    bad(["--zookeeper", "h:1", "--port", "x"], /--port must be an integer/);
    bad(["--zookeeper", "h:1", "--root", "hbase"], /--root must be a znode path/);
    bad(["--zookeeper", "h:1", "--bogus"], /Unknown option '--bogus'/);
    bad(["--zookeeper", "h:1", "extra"], /positional/i);
    expect(() => parseTableFlag("t")).toThrow(/expected NAME:FAMILY/);
    expect(() => parseTableFlag("t:")).toThrow(/at least one column family/);
    expect(() => parseTableFlag("t:d,,e")).toThrow(/no empty family names/);
    expect(() => parseTableFlag(":d")).toThrow(/table name is empty/);
    expect(() => parseTableFlag("t:d:a,,b")).toThrow(/split key must not be empty/);
    expect(() => parseTableFlag("a:b:c:d:e")).toThrow(/expected NAME:FAMILY/);
  });
});

// ---------------------------------------------------------------------------------------------------
// The built command

interface TheirClient {
  put(table: string, put: unknown, cb: (err: unknown) => void): void;
  get(table: string, get: unknown, cb: (err: unknown, row: { cols: Record<string, { value: Buffer }> } | null) => void): void;
  on(event: "error", listener: (err: unknown) => void): void;
  zk: { close(): void };
  servers: Record<string, { socket?: net.Socket }>;
}
interface TheirModule {
  (options: Record<string, unknown>): TheirClient;
  Put: new (row: string) => { add(cf: string, q: string, value: string): void };
  Get: new (row: string) => unknown;
}
const hbase = require("hbase-rpc-client") as TheirModule;

let zk: ZooKeeperServer;
let scratch: string;
let main: string;
const cleanups: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  zk = await startZooKeeper();
  scratch = mkdtempSync(path.join(tmpdir(), "sluice-cli-hbase-local-"));
  // The package built with tsc (other parts of the tree may be mid-edit: tsc still emits), next to
  // the repository's node_modules.
  const copy = path.join(scratch, "package");
  mkdirSync(copy, { recursive: true });
  cpSync(path.join(REPO, "package.json"), path.join(copy, "package.json"));
  symlinkSync(path.join(REPO, "node_modules"), path.join(copy, "node_modules"), "dir");
  spawnSync(
    process.execPath,
    [path.join(REPO, "node_modules", "typescript", "bin", "tsc"), "-p", path.join(REPO, "tsconfig.json"), "--outDir", path.join(copy, "dist"), "--declaration", "false", "--sourceMap", "false"],
    { cwd: REPO, encoding: "utf8" },
  );
  main = path.join(copy, "dist", "cli", "main.js");
  expect(existsSync(main), `tsc did not emit ${main}`).toBe(true);
});
afterAll(async () => {
  await zk?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function start(args: string[]): Running {
  const child = spawn(process.execPath, [main, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Waits for a line matching `re` on stdout, or fails with the output if the process exits first. */
async function waitFor(run: Running, re: RegExp): Promise<RegExpExecArray> {
  for (;;) {
    const m = re.exec(run.stdout());
    if (m) return m;
    const ended = await Promise.race([run.exited.then(() => true), new Promise<boolean>((r) => run.child.stdout!.once("data", () => r(false)))]);
    if (ended) {
      const last = re.exec(run.stdout());
      if (last) return last;
      throw new Error(`hbase-local exited (${String(run.child.exitCode)}) before printing ${re}:\n${run.stdout()}\n${run.stderr()}`);
    }
  }
}

function call(fn: (cb: (err: unknown, res?: unknown) => void) => void): Promise<unknown> {
  return new Promise((resolve, reject) => fn((err, res) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res))));
}

describe("sluice hbase-local (built, as a child process)", () => {
  it("serves hbase-rpc-client, then SIGTERM closes the ZooKeeper session and the store and exits 0", async () => {
    const data = path.join(scratch, "data-serve");
    const root = `/cli-${process.pid}-serve`;
    const run = start(["hbase-local", "--zookeeper", zk.connectString, "--root", root, "--data", data, "--compat", "1", "--table", "t:d,e:m", "--table", "ns:u:f:"]);
    const m = await waitFor(run, /sluice hbase-local: serving (\S+):(\d+) zookeeper=(\S+) root=(\S+) compat=1 data=(.+)\n/);
    expect(m[3]).toBe(zk.connectString);
    expect(m[4]).toBe(root);
    expect(m[5]).toBe(data);

    const client = hbase({ zookeeperHosts: [zk.connectString], zookeeperRoot: root, rpcTimeout: 10_000, callTimeout: 5_000 });
    client.on("error", () => undefined);
    cleanups.push(() => {
      client.zk.close();
      for (const s of Object.values(client.servers)) s.socket?.destroy();
    });
    for (const row of ["apple", "zebra"]) {
      const put = new hbase.Put(row);
      put.add("d", "v", `${row}-v`);
      await call((cb) => client.put("t", put, cb));
    }
    const got = (await call((cb) => client.get("t", new hbase.Get("zebra"), cb))) as { cols: Record<string, { value: Buffer }> };
    expect(got.cols["d:v"]?.value.toString()).toBe("zebra-v");

    const session = await connectZooKeeper({ quorum: zk.connectString, root });
    cleanups.push(() => session.close());
    expect(await session.exists("meta-region-server")).not.toBeNull();
    expect(await session.exists("master")).not.toBeNull();

    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toMatch(/sluice hbase-local: stopped\n$/);
    expect(run.stderr()).toBe("");
    // the session was closed, not left to time out: the ephemeral znodes are gone already
    expect(await session.exists("meta-region-server")).toBeNull();
    expect(await session.exists("master")).toBeNull();

    // the store was closed (its lock released) and kept what the client wrote
    const store = await connect({ path: data });
    try {
      const d = await store.admin.describeTable("t");
      expect(d.families.map((f) => f.name)).toEqual(["d", "e"]);
      expect(d.regions.map((r) => new TextDecoder().decode(r.startKey))).toEqual(["", "m"]);
      expect(await store.admin.tableExists("ns:u")).toBe(true);
      expect(await store.table("t").count()).toBe(2);
    } finally {
      await store.close();
    }

    // started again on the same data: the tables exist, nothing is re-created; SIGINT stops it too
    const again = start(["hbase-local", "--zookeeper", zk.connectString, "--root", root, "--data", data, "--table", "t:d,e:m"]);
    await waitFor(again, /serving .* compat=2 /);
    again.child.kill("SIGINT");
    expect(await again.exited).toBe(0);
  });

  it("exits 2 with a message on bad flags, and 1 when the store is in use", async () => {
    const bad = spawnSync(process.execPath, [main, "hbase-local", "--zookeeper", zk.connectString, "--compat", "3"], { encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/sluice: hbase-local: --compat must be 1 or 2, got "3"/);
    const noZk = spawnSync(process.execPath, [main, "hbase-local"], { encoding: "utf8" });
    expect(noZk.status).toBe(2);
    expect(noZk.stderr).toMatch(/missing --zookeeper/);
    const badTable = spawnSync(process.execPath, [main, "hbase-local", "--zookeeper", zk.connectString, "--table", "nofamilies"], { encoding: "utf8" });
    expect(badTable.status).toBe(2);
    expect(badTable.stderr).toMatch(/--table "nofamilies": expected NAME:FAMILY/);

    const data = path.join(scratch, "data-locked");
    const store = await connect({ path: data });
    try {
      const locked = start(["hbase-local", "--zookeeper", zk.connectString, "--root", `/cli-${process.pid}-locked`, "--data", data]);
      expect(await locked.exited).toBe(1);
      expect(locked.stderr()).toMatch(/sluice hbase-local: .*in use by another process/);
      expect(locked.stdout()).toBe("");
    } finally {
      await store.close();
    }
  });
});
