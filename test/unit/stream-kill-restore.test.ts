/**
 * Exactly once through crashes (issue 4, rules 14–16): a child process (test/support/engine-kill-job.mjs,
 * on the BUILT package) runs a windowed Nexmark job into an embedded HBase table with checkpoints every
 * 200 ms; this test kills it with SIGKILL at random points (≥ 10 times), restarts it from the latest
 * checkpoint each time, and at the end compares the table, cell by cell (all versions), with a run
 * without failure. The seed of the kill points is in every failure message (SLUICE_KILL_SEED=<seed>).
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { connect as connectFunction } from "../../src/hbase/connect.js";
import { ensureSluiceBuilt } from "../support/kernelspec.mjs";
import { REPO_ROOT } from "../support/paths.mjs";
import { tempDir } from "./hbase-embedded-support.js";
import { seededRandom } from "../support/seeded-random.mjs";

const KILLS = 10;
const SEED = Number(process.env.SLUICE_KILL_SEED ?? Math.floor(Math.random() * 2 ** 31));
const CHILD = path.join(REPO_ROOT, "test", "support", "engine-kill-job.mjs");

let connect: typeof connectFunction;
let dir: string;
let remove: () => Promise<void>;

beforeAll(async () => {
  await ensureSluiceBuilt();
  ({ connect } = (await import(pathToFileURL(path.join(REPO_ROOT, "dist", "hbase", "connect.js")).href)) as { connect: typeof connectFunction });
  ({ dir, remove } = await tempDir());
});
afterAll(async () => {
  await remove?.();
});


interface ChildRun {
  lines: string[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(): void;
  /** Resolves when a line matching `test` arrives (or the child exits: then false). */
  waitFor(test: (line: string) => boolean): Promise<boolean>;
  stderr(): string;
}

function runChild(args: string[]): ChildRun {
  const child = spawn(process.execPath, [CHILD, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  let err = "";
  let buffer = "";
  const waiters: { test: (line: string) => boolean; resolve: (hit: boolean) => void }[] = [];
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    buffer += chunk;
    for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      lines.push(line);
      for (const w of [...waiters]) if (w.test(line)) (waiters.splice(waiters.indexOf(w), 1), w.resolve(true));
    }
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => {
      for (const w of waiters.splice(0)) w.resolve(false);
      resolve({ code, signal });
    }),
  );
  return {
    lines,
    exit,
    kill: () => child.kill("SIGKILL"),
    waitFor: (test) => new Promise((resolve) => waiters.push({ test, resolve })),
    stderr: () => err,
  };
}

async function dump(table: string): Promise<string[]> {
  const conn = await connect({ path: path.join(dir, "hbase") });
  try {
    const out: string[] = [];
    for await (const r of conn.table(table).scan({ maxVersions: 100 })) {
      for (const c of r.cells) out.push(`${Buffer.from(r.row).toString()} ${Buffer.from(c.qualifier).toString()} ${c.timestamp} ${Buffer.from(c.value).toString("hex")}`);
    }
    return out;
  } finally {
    await conn.close();
  }
}

describe(`a windowed job into HBase, killed ${KILLS} times and restored (seed ${SEED})`, () => {
  it("leaves the table equal, cell by cell, to a run without failure", async () => {
    const context = `seed ${SEED}`;
    const hbaseDir = path.join(dir, "hbase");
    const reference = runChild([hbaseDir, "reference", "reference"]);
    expect((await reference.exit).code, `${context}: reference run failed\n${reference.stderr()}`).toBe(0);

    const next = seededRandom(SEED);
    const checkpoints = path.join(dir, "checkpoints");
    let kills = 0;
    let finished = false;
    while (!finished) {
      const run = runChild([hbaseDir, "restored", "checkpointed", checkpoints]);
      if (kills < KILLS) {
        // Kill at a random moment after the run's first checkpoint (so every run makes some progress, and
        // no run gets far: ten runs must not finish the job), or before any when the draw says so.
        if (next() < 0.85) await run.waitFor((line) => line.startsWith("checkpoint "));
        await new Promise((r) => setTimeout(r, Math.floor(next() * 150)));
        run.kill();
        const { code, signal } = await run.exit;
        if (signal === "SIGKILL") kills++;
        else expect(code, `${context}: a run ended on its own with an error\n${run.stderr()}`).toBe(0);
        finished = code === 0 && run.lines.includes("done");
      } else {
        const { code } = await run.exit;
        expect(code, `${context}: the last run failed\n${run.stderr()}`).toBe(0);
        finished = true;
      }
    }
    expect(kills, context).toBeGreaterThanOrEqual(KILLS);
    const expected = await dump("reference");
    expect(expected.length, context).toBeGreaterThan(1_000);
    const actual = await dump("restored");
    expect(actual.length, context).toBe(expected.length);
    expect(actual, context).toEqual(expected);
  }, 180_000);
});
