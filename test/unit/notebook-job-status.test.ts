/** Job status displays and the jobs() table. */
import { afterEach, describe, expect, it } from "vitest";
import { setDisplaySinkResolver } from "../../src/display/display-sink.js";
import { RecordingDisplaySink } from "./recording-display-sink.js";
import { collect, from, jobs } from "../../src/stream/index.js";
import { fromArray } from "../../src/stream/sources/index.js";
import type { Source } from "../../src/stream/sources/source.js";
import { installJobStatusDisplays, jobStatusBundle } from "../../src/notebook/job-status.js";

afterEach(() => setDisplaySinkResolver(() => undefined));

/** An unbounded source that never has data (a job that runs until stopped). */
const quiet: Source<number> = {
  description: "quiet",
  bounded: false,
  splits: async () => [{ id: "q" }],
  open: async () => ({ poll: async () => ({ records: [], status: "idle" as const }), position: () => 0, close: async () => {} }),
};

describe("job status displays", () => {
  it("show a job's status when it starts and update that display until it ends", async () => {
    installJobStatusDisplays();
    installJobStatusDisplays(); // once per process, however often it is called
    const sink = new RecordingDisplaySink();
    setDisplaySinkResolver(() => sink);
    const job = from(fromArray([1, 2, 3])).map((x) => x * 2).to(collect()).start({ name: "doubler" });
    await job.done;
    await new Promise((r) => setImmediate(r));
    expect(sink.calls[0]!.kind).toBe("display");
    const id = sink.calls[0]!.id;
    expect(sink.calls.filter((c) => c.kind === "display")).toHaveLength(1);
    const last = sink.calls.at(-1)!;
    expect(last).toMatchObject({ kind: "update", id });
    expect(String(last.data["text/plain"])).toMatch(/^job doubler: finished — 3 in, 3 out, [\d,]+ records\/s, end of input, 100 % of 3 records$/);
    expect(String(last.data["text/html"])).toContain("<b>doubler</b>");
  });

  it("show the error of a failed job in its display, not in a later cell", async () => {
    installJobStatusDisplays();
    const sink = new RecordingDisplaySink();
    setDisplaySinkResolver(() => sink);
    const job = from(fromArray([1]))
      .map(() => {
        throw new Error("bad <record>");
      }, "exploding map")
      .to(collect())
      .start({ name: "failing" });
    await expect(job.done).rejects.toThrow("bad <record>");
    await new Promise((r) => setImmediate(r));
    const last = sink.calls.at(-1)!;
    expect(String(last.data["text/plain"])).toContain("error: exploding map failed on record 1: Error: bad <record>");
    expect(String(last.data["text/html"])).toContain("bad &lt;record&gt;");
  });

  it("show nothing outside a kernel", async () => {
    installJobStatusDisplays();
    const job = from(fromArray([1])).to(collect()).start();
    await job.done;
    expect(jobStatusBundle(job)["text/plain"]).toContain("finished");
  });
});

describe("jobs()", () => {
  it("lists the jobs of the process as a table, and stopAll stops the running ones", async () => {
    const running = from(quiet).to(collect()).start({ name: "forever" });
    await new Promise((r) => setTimeout(r, 20));
    const table = jobs();
    expect(table.rows().find((r) => r.name === "forever")).toMatchObject({ status: "running", recordsIn: 0 });
    const bundle = (table as unknown as Record<symbol, () => Record<string, string>>)[Symbol.for("Jupyter.display")]!();
    expect(bundle["text/html"]).toContain("<td>forever</td><td>running</td>");
    await jobs.stopAll();
    expect(running.status).toBe("stopped");
    expect(jobs.list()).toContain(running);
  });
});

describe("kernel shutdown", () => {
  it("stops running jobs with a final checkpoint, through the shutdown hooks", async () => {
    const { mkdtemp, rm } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const path = await import("node:path");
    const { runKernelShutdownHooks } = await import("../../src/display/shutdown-hooks.js");
    const { DirectoryCheckpointStore } = await import("../../src/stream/checkpoint/directory-checkpoint-store.js");
    installJobStatusDisplays();
    const dir = await mkdtemp(path.join(tmpdir(), "sluice-shutdown-"));
    try {
      const job = from(quiet).to(collect()).start({ name: "to be stopped", checkpoint: { every: 1_000_000, storage: dir } });
      await new Promise((r) => setTimeout(r, 20));
      expect(await runKernelShutdownHooks(5_000)).toEqual([]);
      expect(job.status).toBe("stopped");
      expect((await new DirectoryCheckpointStore(dir).list()).map((c) => c.kind)).toEqual(["checkpoint"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("shutdown hooks", () => {
  it("run once each, concurrently, and a stuck or failing hook is reported without holding the kernel", async () => {
    const { onKernelShutdown, runKernelShutdownHooks } = await import("../../src/display/shutdown-hooks.js");
    const ran: string[] = [];
    onKernelShutdown(() => void ran.push("sync"));
    onKernelShutdown(async () => {
      await new Promise((r) => setTimeout(r, 5));
      ran.push("async");
    });
    onKernelShutdown(() => new Promise(() => {}));
    onKernelShutdown(() => {
      throw new Error("cleanup failed");
    });
    const removed = onKernelShutdown(() => void ran.push("removed"));
    removed();
    const errors = await runKernelShutdownHooks(100);
    expect(ran.sort()).toEqual(["async", "sync"]);
    expect(errors.map((e) => e.message).sort()).toEqual(["a shutdown hook did not finish within 100 ms", "cleanup failed"]);
    expect(await runKernelShutdownHooks(100)).toEqual([]);
  });
});

describe("progress of bounded jobs", () => {
  it("counts records against the sources' size, or finished splits, and none for unbounded sources", async () => {
    const job = from(fromArray([1, 2, 3, 4])).to(collect()).start();
    await job.done;
    expect(job.metrics().progress).toEqual({ done: 4, total: 4, unit: "records" });
    expect(jobStatusBundle(job)["text/html"]).toContain('<progress value="4" max="4"');
    const endless = from(quiet).to(collect()).start();
    await new Promise((r) => setTimeout(r, 10));
    expect(endless.metrics().progress).toBeUndefined();
    await endless.stop();
  });
});
