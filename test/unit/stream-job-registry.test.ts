/**
 * The job registry behind jobs(): running jobs always listed, ended ones capped at the newest
 * MAX_ENDED_JOBS (a job holds its plan and sinks, so a long-lived kernel must not keep them all).
 */
import { describe, expect, it } from "vitest";
import { collect, from } from "../../src/stream/index.js";
import { fromArray, nexmark } from "../../src/stream/sources/index.js";
import { MAX_ENDED_JOBS, registeredJobs } from "../../src/stream/runtime/job-registry.js";

describe("job registry", () => {
  it("keeps running jobs and the newest ended ones, dropping the oldest ended beyond the cap", async () => {
    const running = from(nexmark({ seed: 1, eventsPerSecond: 1_000, pace: true })).to(collect()).start({ name: "long-running" });
    const ended = [];
    for (let i = 0; i < MAX_ENDED_JOBS + 7; i++) {
      const job = from(fromArray([i])).to(collect()).start({ name: `short-${i}` });
      await job.done;
      ended.push(job);
    }
    const last = from(fromArray([0])).to(collect()).start({ name: "newest" });
    await last.done;
    const listed = registeredJobs();
    expect(listed).toContain(running);
    expect(listed.filter((j) => j.status !== "running").length).toBeLessThanOrEqual(MAX_ENDED_JOBS + 1);
    expect(listed).toContain(ended.at(-1));
    expect(listed).not.toContain(ended[0]);
    await running.stop();
    expect(registeredJobs()).toContain(running);
  });
});
