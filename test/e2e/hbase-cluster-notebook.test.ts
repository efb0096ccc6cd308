/**
 * notebooks/hbase-cluster.ipynb executed by nbconvert against a cluster endpoint reached only through
 * the wire: a real Apache ZooKeeper, and the built `sluice hbase-local` command (compat 2, HBase 2.x's
 * behaviour) as a child process serving a temporary --data directory. The kernel finds it through
 * SLUICE_ZOOKEEPER / SLUICE_HBASE_ROOT, exactly as it would find a real cluster. After the notebook the
 * command is stopped (SIGTERM → exit 0) and its data directory is opened with the embedded store: the
 * tables hold what the notebook printed, and what a plain loop over the same Nexmark events says.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../src/hbase/connect.js";
import { collectRows } from "../../src/hbase/result.js";
import { collect, from } from "../../src/stream/index.js";
import { nexmark, type Bid } from "../../src/stream/sources/index.js";
import type { JupyterEnv } from "../support/jupyter-env.mjs";
import { ensureSluiceBuilt } from "../support/kernelspec.mjs";
import { notebookProblems, outputsOf, resultText, richOutputs, streamText } from "../support/notebook-outputs.mjs";
import { executeRepoNotebookCopy, type ExecutedNotebook } from "../support/notebook-runner.mjs";
import { SLUICE_CLI } from "../support/paths.mjs";
import { startZooKeeper, type ZooKeeperServer } from "../support/zookeeper.mjs";

/** Not HBase's default root: the notebook must take it from SLUICE_HBASE_ROOT. */
const ROOT = "/hbase-e2e-notebook";

/** The command as a child process, its output so far and its end. */
interface Endpoint {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
}

function startEndpoint(args: readonly string[]): Endpoint {
  const child = spawn(process.execPath, [SLUICE_CLI, "hbase-local", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => resolve(code));
    child.once("error", () => resolve(null));
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Resolves once stdout matches `re`; rejects with the output if the process exits first. */
async function waitForLine(endpoint: Endpoint, re: RegExp): Promise<RegExpExecArray> {
  let ended = false;
  void endpoint.exited.then(() => (ended = true));
  for (;;) {
    const m = re.exec(endpoint.stdout());
    if (m) return m;
    if (ended) throw new Error(`sluice hbase-local exited (${String(endpoint.child.exitCode)}) before printing ${re}:\n${endpoint.stdout()}\n${endpoint.stderr()}`);
    await Promise.race([endpoint.exited, new Promise((resolve) => endpoint.child.stdout!.once("data", resolve))]);
  }
}

/** Bids per price band and 2 s window of the notebook's Nexmark stream, from a plain loop. */
async function expectedWindows(): Promise<{ bids: number; windows: Map<string, number> }> {
  const all = collect<Bid>();
  await from(nexmark({ seed: 7, maxEvents: 10_000, eventsPerSecond: 1_000 }))
    .filter((e): e is Bid => e.kind === "bid")
    .to(all)
    .start().done;
  const band = (cents: number) => (cents < 10_000 ? "low" : cents < 1_000_000 ? "mid" : "high");
  const windows = new Map<string, number>();
  for (const b of all.records) {
    const key = `${band(b.price)}#${b.dateTime - (((b.dateTime % 2_000) + 2_000) % 2_000)}`;
    windows.set(key, (windows.get(key) ?? 0) + 1);
  }
  return { bids: all.records.length, windows };
}

describe("notebooks/hbase-cluster.ipynb through the wire, against `sluice hbase-local --compat 2`", () => {
  let zk: ZooKeeperServer | undefined;
  let scratch: string | undefined;
  let data: string;
  let endpoint: Endpoint | undefined;
  let jupyter: JupyterEnv | undefined;
  let run: ExecutedNotebook;
  let stopped: { code: number | null; stdout: string; stderr: string };

  beforeAll(async () => {
    zk = await startZooKeeper();
    scratch = await mkdtemp(path.join(tmpdir(), "sluice-hbase-cluster-nb-"));
    data = path.join(scratch, "data");
    await ensureSluiceBuilt();
    // The same flags the notebook's first cell shows, on this test's ZooKeeper, root and data dir.
    endpoint = startEndpoint(["--zookeeper", zk.connectString, "--root", ROOT, "--data", data, "--compat", "2", "--table", "bids_per_window:w"]);
    await waitForLine(endpoint, /sluice hbase-local: serving \S+ .*compat=2 /);
    ({ run, jupyter } = await executeRepoNotebookCopy("hbase-cluster.ipynb", { env: { SLUICE_ZOOKEEPER: zk.connectString, SLUICE_HBASE_ROOT: ROOT } }));
    // Stop the endpoint as a user would; the store must then be closed and hold everything.
    endpoint.child.kill("SIGTERM");
    const code = await endpoint.exited;
    stopped = { code, stdout: endpoint.stdout(), stderr: endpoint.stderr() };
  }, 400_000);

  afterAll(async () => {
    const steps: Array<() => Promise<unknown> | undefined> = [
      async () => {
        if (endpoint && endpoint.child.exitCode === null && endpoint.child.signalCode === null) {
          endpoint.child.kill("SIGKILL");
          await endpoint.exited;
        }
      },
      () => jupyter?.cleanup(),
      () => zk?.stop(),
      () => (scratch ? rm(scratch, { recursive: true, force: true }) : undefined),
    ];
    for (const step of steps) {
      try {
        await step();
      } catch (error) {
        console.error("cleanup failed:", error);
      }
    }
  }, 60_000);

  it("runs every cell without an error output, against the quorum and root from the environment", () => {
    expect(run.ok, run.stderr).toBe(true);
    expect(notebookProblems(run.notebook!)).toEqual([]);
    const nb = run.notebook!;
    expect(resultText(outputsOf(nb, "connect"))).toBe(`{ zookeeper: '${zk!.connectString}', root: '${ROOT}', tables: 1 }`);
    // bids_per_window came from --table; bids was created pre-split through the master
    expect(resultText(outputsOf(nb, "create"))).toBe("{ created: [ 'bids' ], regionStarts: [ '', '1', '2', '3' ] }");
  });

  it("writes the bids through the sink, reads them back per region into windows, charts them (Vega-Lite 5 + PNG)", async () => {
    const nb = run.notebook!;
    const expected = await expectedWindows();
    expect(Number(resultText(outputsOf(nb, "write")))).toBe(expected.bids);
    expect(resultText(outputsOf(nb, "windows"))).toBe("{ regions: 4, status: 'finished' }");

    const charts = richOutputs(outputsOf(nb, "windows")).filter((b) => b["application/vnd.vegalite.v5+json"] !== undefined);
    expect(charts).toHaveLength(1);
    const chart = charts[0]!;
    expect(typeof chart["image/png"]).toBe("string");
    expect((chart["image/png"] as string).length).toBeGreaterThan(100);
    const spec = chart["application/vnd.vegalite.v5+json"] as { $schema: string; data: { values: { key: string; start: number; value: number }[] } };
    expect(spec.$schema).toContain("vega-lite/v5");
    const charted = new Map(spec.data.values.map((v) => [`${v.key}#${v.start}`, v.value]));
    expect(charted).toEqual(expected.windows);
  });

  it("prints the result table it scanned through the wire, equal to the plain loop's counts", async () => {
    const nb = run.notebook!;
    const expected = await expectedWindows();
    expect(resultText(outputsOf(nb, "scan"))).toContain(`${expected.windows.size} rows, ${expected.windows.size} cells`);
    const printed = new Map(
      streamText(outputsOf(nb, "rows"), "stdout")
        .trim()
        .split("\n")
        .map((line) => {
          const [row, bids] = line.split(" ");
          return [row!, Number(bids)] as const;
        }),
    );
    expect(printed).toEqual(expected.windows);
    expect(resultText(outputsOf(nb, "rows"))).toBe(`{ windows: ${expected.windows.size}, bids: ${expected.bids} }`);
  });

  it("stops the endpoint cleanly (SIGTERM → exit 0), and its data directory holds what the notebook printed", async () => {
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stdout).toMatch(/sluice hbase-local: stopped\n$/);
    expect(stopped.stderr).toBe("");

    const printed = streamText(outputsOf(run.notebook!, "rows"), "stdout").trim();
    const store = await connect({ path: data });
    try {
      const described = await store.admin.describeTable("bids");
      expect(described.regions.map((r) => new TextDecoder().decode(r.startKey))).toEqual(["", "1", "2", "3"]);
      expect(await store.table("bids").count()).toBe(Number(resultText(outputsOf(run.notebook!, "write"))));
      const rows = await collectRows(store.table("bids_per_window").scan());
      expect([...rows].map((r) => `${r.rowKey} ${String(r.get("w:bids", "int64"))}`).join("\n")).toBe(printed);
    } finally {
      await store.close();
    }
  });
});
