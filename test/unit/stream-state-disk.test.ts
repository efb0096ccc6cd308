/**
 * The disk (LMDB) keyed state backend: a keyed process job gives the same results on disk as on the heap
 * (value/list/map state, TTL, timers, with and without a cache), checkpoints and restores from disk state
 * (incremental chains included), bad options are refused, one job per state path, and a job whose state
 * does not fit a small heap (500k keys in 64 MB; SLUICE_STATE_TEST_KEYS=2000000 for more) runs to the end on disk while the heap backend runs out of
 * memory with the same budget.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collect, from } from "../../src/stream/index.js";
import type { DataStream, KeyedProcessFunction, StartOptions } from "../../src/stream/index.js";
import { fromArray } from "../../src/stream/sources/index.js";
import { startJob } from "../../src/stream/runtime/job-runner.js";
import { ensureSluiceBuilt } from "../support/kernelspec.mjs";
import { REPO_ROOT } from "../support/paths.mjs";
import { seededRandom } from "../support/seeded-random.mjs";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "sluice-state-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Ev {
  k: number;
  ts: number;
  v: number;
}

const random = seededRandom(2024);
const events: Ev[] = Array.from({ length: 6_000 }, (_, i) => ({ k: Math.floor(random() * 300), ts: i * 10, v: Math.floor(random() * 100) }));

/** A processing-time clock advanced by the records themselves (deterministic across runs and restores). */
let clockNow = 0;
const env = { now: () => clockNow };

function pipeline(): DataStream<string> {
  const fn: KeyedProcessFunction<Ev, number, string> = {
    processElement(e, ctx) {
      clockNow = e.ts;
      const total = ctx.state.value<number>("total");
      const recent = ctx.state.list<number>("recent", { ttl: 400 });
      const byV = ctx.state.map<number, number>("byV");
      if (e.v < 5) {
        total.clear();
        byV.clear();
        ctx.emit(`clear ${ctx.key} @${e.ts}`);
        return;
      }
      total.set((total.get() ?? 0) + e.v);
      recent.add(e.v);
      byV.set(e.v % 4, (byV.get(e.v % 4) ?? 0) + 1);
      if (e.v % 10 === 0) ctx.timers.registerEventTime(e.ts + 500);
      ctx.emit(`${ctx.key} @${e.ts} total ${total.get()} recent ${recent.get().join(",")} byV ${JSON.stringify(byV.entries().sort())}`);
    },
    onTimer(t, ctx) {
      ctx.emit(`timer ${ctx.key} @${t} total ${ctx.state.value<number>("total").get()}`);
    },
  };
  return from(fromArray(events))
    .withTimestamps((e) => e.ts)
    .keyBy((e) => e.k)
    .process(fn);
}

async function run(options: StartOptions): Promise<string[]> {
  clockNow = 0;
  const out = collect<string>();
  await startJob(pipeline().to(out).plan(), { batchSize: 97, ...options }, env).done;
  return out.records;
}

describe("disk state backend", () => {
  it("gives the heap backend's results (value/list/map state, TTL, timers), with and without a cache", async () => {
    const heap = await run({});
    expect(heap.length).toBeGreaterThan(6_000);
    expect(heap.some((l) => l.startsWith("timer"))).toBe(true);
    for (const cacheKeys of [0, 7, 10_000]) {
      const statePath = path.join(dir, `state-${cacheKeys}`);
      expect(await run({ state: { backend: "disk", path: statePath, cacheKeys } })).toEqual(heap);
      // Scratch space: the job's LMDB files are gone when it ends.
      expect(await readdir(statePath)).toEqual([]);
    }
  });

  it("checkpoints and restores disk state (incremental chains included) to the results of a run without failure", async () => {
    const reference = await run({});
    const storage = path.join(dir, "chk");
    const state = { backend: "disk" as const, path: path.join(dir, "state"), cacheKeys: 20 };
    const out: string[] = [];
    let flushed = 0;
    const sink = { description: "recording", write: (rs: readonly string[]) => void out.push(...rs), flush: () => void (flushed = out.length) };
    let deltas = 0;
    for (let crash = 0; crash < 3; crash++) {
      const job = startJob(pipeline().to(sink).plan(), { batchSize: 97, state, checkpoint: { every: 1_000_000, storage, fullEvery: 3 }, restore: "latest" }, env);
      for (let i = 0; i < 3 && job.status === "running"; i++) {
        const at = out.length;
        while (out.length < at + 200 && job.status === "running") await new Promise((r) => setTimeout(r, 1));
        const info = await job.checkpoint().catch(() => undefined);
        if (info?.parent !== undefined) deltas++;
      }
      await job.cancel();
      out.length = flushed;
    }
    expect(deltas).toBeGreaterThan(0);
    await startJob(pipeline().to(sink).plan(), { batchSize: 97, state, checkpoint: { every: 1_000_000, storage }, restore: "latest" }, env).done;
    expect(out).toEqual(reference);
  });

  it("refuses bad options with a clear message, and a state path another running job uses", async () => {
    const plan = () => pipeline().to(collect()).plan();
    expect(() => startJob(plan(), { state: { backend: "ram" } as never })).toThrow('start: state.backend must be "heap" or "disk", got "ram"');
    expect(() => startJob(plan(), { state: { backend: "disk" } as never })).toThrow("start: state.path must be a non-empty directory path for the disk backend, got undefined");
    expect(() => startJob(plan(), { state: { backend: "disk", path: dir, cacheKeys: -1 } })).toThrow("start: state.cacheKeys must be an integer ≥ 0, got -1");
    expect(() => startJob(plan(), { state: { backend: "heap", path: dir } as never })).toThrow('start: state has no option "path"');
    expect(() => startJob(plan(), { state: "disk" as never })).toThrow('start: state must be { backend: "heap" } or { backend: "disk", path }, got "disk"');

    const slow = from(fromArray(events, { description: "slow" }))
      .keyBy((e) => e.k)
      .process<number>({ processElement: (e, ctx) => ctx.emit(e.k) })
      .to({ description: "slow sink", write: () => new Promise((r) => setTimeout(r, 5)) });
    const statePath = path.join(dir, "shared");
    const first = startJob(slow.plan(), { batchSize: 10, state: { backend: "disk", path: statePath } });
    while (!existsSync(path.join(statePath, "data.mdb")) && first.status === "running") await new Promise((r) => setTimeout(r, 1));
    const second = startJob(pipeline().to(collect()).plan(), { state: { backend: "disk", path: statePath } });
    await expect(second.done).rejects.toThrow(`state path ${statePath} is in use by another running job`);
    await first.cancel();
    expect(await readdir(statePath)).toEqual([]);
  });
});

/** The heap budget of the child, MB, and its keys (the heap backend needs several hundred bytes a key). */
const HEAP_MB = 64;
const KEYS = Number(process.env.SLUICE_STATE_TEST_KEYS ?? 500_000);

/** A child that gives `keys` keys a value and a list state, then checks each (see the script). */
const CHILD = `
import { writeSync } from "node:fs";
import { pathToFileURL } from "node:url";
const [dist, keysArg, backend, stateDir] = process.argv.slice(2);
const keys = Number(keysArg);
const sluice = await import(pathToFileURL(dist).href);
let checked = 0;
let wrong = 0;
const job = sluice
  .from(sluice.fromIterable(function* () {
    for (let round = 0; round < 2; round++) for (let k = 0; k < keys; k++) yield { k: (k * 7919) % keys, round };
  }))
  .keyBy((r) => r.k)
  .process({
    processElement(r, ctx) {
      const n = ctx.state.value("n");
      const seen = ctx.state.list("seen");
      if (r.round === 0) {
        n.set(r.k * 2);
        seen.add("key " + r.k + " was here");
      } else {
        checked++;
        const list = seen.get();
        if (n.get() !== r.k * 2 || list.length !== 1 || list[0] !== "key " + r.k + " was here") wrong++;
      }
    },
  })
  .to(sluice.collect())
  .start({ batchSize: 5000, state: backend === "disk" ? { backend: "disk", path: stateDir, cacheKeys: 2000 } : { backend: "heap" } });
await job.done;
writeSync(1, JSON.stringify({ keys, checked, wrong, heapUsedMB: Math.round(process.memoryUsage().heapUsed / 1e6) }) + "\\n");
`;

function child(script: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [`--max-old-space-size=${HEAP_MB}`, script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    p.on("error", reject);
    p.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("state larger than the heap", () => {
  it(`${KEYS.toLocaleString("en")} keys of state run on disk in a ${HEAP_MB} MB heap; the heap backend runs out of memory in the same budget`, { timeout: 1_800_000 }, async () => {
    await ensureSluiceBuilt();
    const dist = path.join(REPO_ROOT, "dist", "index.js");
    const script = path.join(dir, "state-job.mjs");
    await writeFile(script, CHILD);
    const keys = KEYS;
    const disk = await child(script, [dist, String(keys), "disk", path.join(dir, "state")]);
    expect(disk.stderr).toBe("");
    expect(disk.code).toBe(0);
    const result = JSON.parse(disk.stdout) as { checked: number; wrong: number; heapUsedMB: number };
    expect(result).toMatchObject({ checked: keys, wrong: 0 });
    expect(result.heapUsedMB).toBeLessThan(HEAP_MB);

    const heap = await child(script, [dist, String(keys), "heap", path.join(dir, "unused")]);
    expect(heap.code).not.toBe(0);
    expect(heap.stderr).toMatch(/heap out of memory|Allocation failed/i);
  });
});
